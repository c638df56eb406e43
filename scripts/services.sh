#!/usr/bin/env bash
# Real services for the test suite, on 127.0.0.1 only: PostgreSQL 15, Redis and the Firestore emulator.
#
#   scripts/services.sh start    start them (or reuse the ones already running from the same dir),
#                                write $MYSTAGE_SERVICES_DIR/env and print it on stdout
#   scripts/services.sh status   print the env file if the services answer; exit 1 otherwise
#   scripts/services.sh stop     stop them and remove $MYSTAGE_SERVICES_DIR
#
#   eval "$(scripts/services.sh start)"        # or: source /tmp/mystage-services/env
#   -> TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres
#      TEST_REDIS_URL=redis://127.0.0.1:PORT/0
#      TEST_FIRESTORE_EMULATOR_HOST=127.0.0.1:PORT
#
# The Firestore emulator is the Google Cloud SDK's (`gcloud emulators firestore start`); its jar is run
# with Java directly when found (faster to start, one process to stop). Without Java and the SDK it is
# skipped with a message, the env file has no TEST_FIRESTORE_EMULATOR_HOST and the tests that need it skip.
#
# Environment: MYSTAGE_SERVICES_DIR (default /tmp/mystage-services), PG_BIN (default
# /usr/lib/postgresql/15/bin), CLOUDSDK_ROOT (default: found from `gcloud` on PATH), JAVA (default
# java). Progress goes to stderr; stdout carries only the env file.
# Each service has a start_/stop_/<name>_answers function, so adding one means adding three functions
# and a line in write_env, cmd_start, cmd_status and cmd_stop.
set -euo pipefail

SERVICES_DIR="${MYSTAGE_SERVICES_DIR:-/tmp/mystage-services}"
ENV_FILE="$SERVICES_DIR/env"
LOCK_FILE="$SERVICES_DIR.lock"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DIR="$SERVICES_DIR/postgres"      # owned by the postgres user when run as root
REDIS_DIR="$SERVICES_DIR/redis"
FIRESTORE_DIR="$SERVICES_DIR/firestore"
JAVA="${JAVA:-java}"
WAIT_SECONDS=30

log() { echo "services: $*" >&2; }
die() { echo "services: error: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
# Alive and not a zombie (an exited daemon can linger unreaped where PID 1 does not reap).
pid_alive() { kill -0 "$1" 2>/dev/null && ! grep -qs '^[0-9]* (.*) Z' "/proc/$1/stat"; }

python_bin() {
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then echo "$py"; return 0; fi
    done
    die "python3 is needed to pick a free port"
}

# A port that is free right now (the kernel's pick for port 0).
free_port() {
    "$(python_bin)" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

read_port() { # file -> port on stdout, or fail
    [ -f "$1" ] || return 1
    local port
    port="$(cat "$1")"
    [[ "$port" =~ ^[0-9]+$ ]] || return 1
    echo "$port"
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

as_postgres() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_postgres_user() {
    is_root || return 0
    if ! id -u postgres >/dev/null 2>&1; then
        log "creating system user postgres"
        useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
            --shell /usr/sbin/nologin postgres
    fi
}

postgres_answers() {
    local port
    port="$(read_port "$PG_DIR/port")" || return 1
    [ -d "$PG_DIR/data" ] || return 1
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1 || return 1
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -t 2
}

stop_postgres() {
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
        log "stopping PostgreSQL"
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" stop -m fast -w -t "$WAIT_SECONDS" >/dev/null 2>&1 \
            || log "PostgreSQL was not running"
    fi
    return 0
}

start_postgres() {
    if postgres_answers; then
        log "reusing PostgreSQL on 127.0.0.1:$(cat "$PG_DIR/port")"
        return 0
    fi
    [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL binaries not found in $PG_BIN (set PG_BIN)"
    ensure_postgres_user
    stop_postgres
    rm -rf "$PG_DIR"
    mkdir -p "$PG_DIR/sock"
    if is_root; then
        chown -R postgres: "$PG_DIR"
    fi
    chmod 755 "$PG_DIR"
    log "initdb in $PG_DIR/data"
    # C.UTF-8: byte-order collation but Unicode-aware upper()/lower(); plain C where it is missing.
    if ! as_postgres "$PG_BIN/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$PG_DIR/data" \
        >"$PG_DIR/initdb.log" 2>&1; then
        as_postgres rm -rf "$PG_DIR/data"
        as_postgres "$PG_BIN/initdb" -A trust -U postgres -E UTF8 --no-locale -D "$PG_DIR/data" \
            >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    fi
    local attempt port
    for attempt in 1 2 3; do
        port="$(free_port)"
        log "starting PostgreSQL on 127.0.0.1:$port"
        if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t "$WAIT_SECONDS" \
            -o "-c listen_addresses=127.0.0.1 -p $port -k '$PG_DIR/sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null 9>&-; then  # 9>&-: the daemon must not inherit the lock
            echo "$port" >"$PG_DIR/port"
            wait_for postgres_answers "PostgreSQL"
            return 0
        fi
        log "PostgreSQL did not start (attempt $attempt); log tail:"
        tail -n 5 "$PG_DIR/postgres.log" >&2 || true
    done
    die "could not start PostgreSQL (see $PG_DIR/postgres.log)"
}

# ---------------------------------------------------------------------------------------------------
# Redis

ensure_redis_installed() {
    command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
    is_root || die "redis-server is not installed (apt-get install redis-server, as root)"
    log "installing redis-server (apt-get)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
}

redis_cli() { # a stuck server or a stranger on the port must not hang us
    timeout 3 redis-cli -h 127.0.0.1 "$@"
}

redis_answers() {
    local port
    port="$(read_port "$REDIS_DIR/port")" || return 1
    command -v redis-cli >/dev/null 2>&1 || return 1
    [ "$(redis_cli -p "$port" ping 2>/dev/null)" = "PONG" ]
}

stop_redis() {
    local port pid
    if port="$(read_port "$REDIS_DIR/port")" && command -v redis-cli >/dev/null 2>&1; then
        log "stopping Redis"
        redis_cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    fi
    # If it did not go, end the process we started (the pid it recorded), and only that one.
    if [ -f "$REDIS_DIR/redis.pid" ]; then
        pid="$(cat "$REDIS_DIR/redis.pid")"
        if [[ "$pid" =~ ^[0-9]+$ ]]; then
            local i
            for i in $(seq 1 50); do
                pid_alive "$pid" || break
                [ "$i" -eq 20 ] && kill -TERM "$pid" 2>/dev/null
                [ "$i" -eq 40 ] && kill -KILL "$pid" 2>/dev/null
                sleep 0.1
            done
        fi
    fi
    return 0
}

start_redis() {
    if redis_answers; then
        log "reusing Redis on 127.0.0.1:$(cat "$REDIS_DIR/port")"
        return 0
    fi
    ensure_redis_installed
    stop_redis
    rm -rf "$REDIS_DIR"
    mkdir -p "$REDIS_DIR"
    local attempt port
    for attempt in 1 2 3; do
        port="$(free_port)"
        log "starting Redis on 127.0.0.1:$port"
        echo "$port" >"$REDIS_DIR/port"
        if redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
            --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >&2 9>&- \
            && wait_for redis_answers "Redis" 10; then
            return 0
        fi
        log "Redis did not start (attempt $attempt)"
        stop_redis
    done
    die "could not start Redis (see $REDIS_DIR/redis.log)"
}

# ---------------------------------------------------------------------------------------------------
# Firestore emulator

cloudsdk_root() {
    if [ -n "${CLOUDSDK_ROOT:-}" ]; then echo "$CLOUDSDK_ROOT"; return 0; fi
    local gcloud
    gcloud="$(command -v gcloud 2>/dev/null)" || return 1
    # .../google-cloud-sdk/bin/gcloud -> .../google-cloud-sdk
    dirname "$(dirname "$(readlink -f "$gcloud")")"
}

firestore_jar() {
    local root jar
    root="$(cloudsdk_root)" || return 1
    jar="$root/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
    [ -f "$jar" ] && command -v "$JAVA" >/dev/null 2>&1 && echo "$jar"
}

firestore_available() {
    firestore_jar >/dev/null || command -v gcloud >/dev/null 2>&1
}

firestore_answers() { # the emulator answers "Ok" on /
    local port
    port="$(read_port "$FIRESTORE_DIR/port")" || return 1
    "$(python_bin)" - "http://127.0.0.1:$port/" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
    sys.exit(0 if response.read().strip() == b"Ok" else 1)
PY
}

stop_firestore() {
    local pid i
    [ -f "$FIRESTORE_DIR/firestore.pid" ] || return 0
    pid="$(cat "$FIRESTORE_DIR/firestore.pid")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    pid_alive "$pid" || return 0
    log "stopping the Firestore emulator"
    # It runs in its own session (setsid), so its process group is its pid: gcloud's child java goes too.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        pid_alive "$pid" || return 0
        [ "$i" -eq 30 ] && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
        sleep 0.1
    done
    return 0
}

start_firestore() {
    if firestore_answers; then
        log "reusing the Firestore emulator on 127.0.0.1:$(cat "$FIRESTORE_DIR/port")"
        return 0
    fi
    stop_firestore
    rm -rf "$FIRESTORE_DIR"
    if ! firestore_available; then
        log "Firestore emulator not found (needs Java and the Google Cloud SDK's cloud-firestore-emulator): tests that need it will skip"
        return 0
    fi
    mkdir -p "$FIRESTORE_DIR"
    local attempt port jar
    jar="$(firestore_jar || true)"
    for attempt in 1 2 3; do
        port="$(free_port)"
        echo "$port" >"$FIRESTORE_DIR/port"
        log "starting the Firestore emulator on 127.0.0.1:$port"
        if [ -n "$jar" ]; then
            setsid "$JAVA" -Duser.language=en -cp "$jar" com.google.cloud.datastore.emulator.firestore.CloudFirestore \
                --host 127.0.0.1 --port "$port" </dev/null >"$FIRESTORE_DIR/firestore.log" 2>&1 9>&- &
        else
            setsid gcloud emulators firestore start --quiet --host-port="127.0.0.1:$port" \
                </dev/null >"$FIRESTORE_DIR/firestore.log" 2>&1 9>&- &
        fi
        echo "$!" >"$FIRESTORE_DIR/firestore.pid"
        if wait_for firestore_answers "Firestore emulator" 60; then
            return 0
        fi
        log "the Firestore emulator did not start (attempt $attempt); log tail:"
        tail -n 5 "$FIRESTORE_DIR/firestore.log" >&2 || true
        stop_firestore
    done
    die "could not start the Firestore emulator (see $FIRESTORE_DIR/firestore.log)"
}

# optional: it answers when it was started here, and its absence is no failure
firestore_ok() {
    [ ! -f "$FIRESTORE_DIR/port" ] || firestore_answers
}

# ---------------------------------------------------------------------------------------------------

wait_for() { # check-function name [seconds]
    local check="$1" name="$2" seconds="${3:-$WAIT_SECONDS}" i
    for i in $(seq 1 $((seconds * 10))); do
        "$check" && return 0
        sleep 0.1
    done
    log "$name does not answer after ${seconds}s"
    return 1
}

write_env() {
    local tmp="$ENV_FILE.tmp"
    {
        echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$(cat "$PG_DIR/port")/postgres"
        echo "export TEST_REDIS_URL=redis://127.0.0.1:$(cat "$REDIS_DIR/port")/0"
        if [ -f "$FIRESTORE_DIR/port" ]; then
            echo "export TEST_FIRESTORE_EMULATOR_HOST=127.0.0.1:$(cat "$FIRESTORE_DIR/port")"
        fi
    } >"$tmp"
    chmod 644 "$tmp"
    mv -f "$tmp" "$ENV_FILE"
}

with_lock() { # serialise concurrent start/stop calls on the same dir
    if command -v flock >/dev/null 2>&1; then
        mkdir -p "$(dirname "$LOCK_FILE")"
        exec 9>"$LOCK_FILE"
        flock -w 120 9 || die "another services.sh holds $LOCK_FILE"
    fi
    "$@"
}

cmd_start() {
    mkdir -p "$SERVICES_DIR"
    chmod 755 "$SERVICES_DIR"
    start_postgres
    start_redis
    start_firestore
    write_env
    wait_for postgres_answers "PostgreSQL" || die "PostgreSQL does not answer"
    wait_for redis_answers "Redis" || die "Redis does not answer"
    wait_for firestore_ok "Firestore emulator" || die "the Firestore emulator does not answer"
    cat "$ENV_FILE"
}

cmd_status() {
    if [ -f "$ENV_FILE" ] && postgres_answers && redis_answers && firestore_ok; then
        cat "$ENV_FILE"
        return 0
    fi
    log "not running (dir: $SERVICES_DIR)"
    return 1
}

cmd_stop() {
    stop_postgres
    stop_redis
    stop_firestore
    rm -rf "$SERVICES_DIR"
    rm -f "$LOCK_FILE"
    log "stopped; removed $SERVICES_DIR"
}

usage() {
    echo "usage: $0 start|status|stop   (dir: \${MYSTAGE_SERVICES_DIR:-/tmp/mystage-services})" >&2
    exit 2
}

main() {
    [ "$#" -eq 1 ] || usage
    case "$1" in
        start) with_lock cmd_start ;;
        stop) with_lock cmd_stop ;;
        status) cmd_status ;;
        *) usage ;;
    esac
}

main "$@"
