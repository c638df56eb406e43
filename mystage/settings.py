"""Settings, read from the environment only (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from core.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("MYSTAGE_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", False)
# SECRET_KEY (or SECRET_KEY_FILE) is required whenever DEBUG is off. `make setup` writes a random key of
# this checkout's own to LOCAL_SECRET_KEY_FILE (never committed), which the local commands use when
# nothing is set; a deployment sets its own. No key is ever public: DEBUG alone gets a fixed one.
LOCAL_SECRET_KEY_FILE = Path(env_str("LOCAL_SECRET_KEY_FILE", str(BASE_DIR / ".local" / "secret_key")))
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and LOCAL_SECRET_KEY_FILE.is_file():
    SECRET_KEY = LOCAL_SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off: set SECRET_KEY or SECRET_KEY_FILE "
            f"(or run `make setup`, which writes a random local key to {LOCAL_SECRET_KEY_FILE})."
        )
    SECRET_KEY = "insecure-debug-only-secret-key"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --- HTTPS and cookies (production behind TLS; see README "Production") ----------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
# Behind a load balancer that ends TLS: trust its X-Forwarded-Proto (only set this behind one).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves static files under runserver too, exactly as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    # django-ninja's own static files: the API docs load Swagger UI from here, never from a CDN.
    "ninja",
    # Bottom to top, the order imports run in (docs/architecture.md).
    "core",
    "sourcing",
    "extraction",
    "images",
    "entities",
    "sync",
    "mystage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's CSS, the API docs' Swagger UI) in every mode, DEBUG or not.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mystage.urls"
WSGI_APPLICATION = "mystage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'mystage.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", "") or DEFAULT_DATABASE_URL
# Connections are kept (DB_CONN_MAX_AGE seconds, checked before reuse): django-q2 closes old
# connections around every task, so with 0 every task and every broker poll opened a new one.
_db: dict[str, Any] = dict(
    dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 300), conn_health_checks=True)
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a qcluster worker writes; IMMEDIATE transactions take the
    # write lock up front, so two workers wait on busy_timeout instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# "workers": where the qcluster processes leave their heartbeats (django-q2's Stat) for the web
# process, the dashboard and `stats` to read, so it must be shared by every process: Redis when there
# is one; else a folder beside the SQLite file (SQLite means one machine); else a database table
# (created by `migrate`, see mystage/apps.py).
if REDIS_URL:
    _workers_cache: dict[str, Any] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _workers_cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "workers"),
    }
else:
    _workers_cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "mystage_cache"}
# "default" holds the API's rate-limit counters: shared through Redis when there is one, else per process.
CACHES: dict[str, Any] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "workers": _workers_cache,
}

# --- Task queue (django-q2) -----------------------------------------------------------------
TASK_TIMEOUT_SECONDS = env_int("TASK_TIMEOUT_SECONDS", 300)
Q_WORKERS = env_int("Q_WORKERS", 2)
Q_CLUSTER: dict[str, Any] = {
    "name": env_str("Q_CLUSTER_NAME", "mystage"),
    "workers": Q_WORKERS,
    # q2 requires timeout < retry: a task that outlives its timeout is killed before it is redelivered.
    "timeout": TASK_TIMEOUT_SECONDS,
    "retry": TASK_TIMEOUT_SECONDS + 60,
    "max_attempts": env_int("Q_MAX_ATTEMPTS", 5),
    # Successful tasks are not stored (-1): with a limit, q2's monitor reloads every stored result to
    # prune one after each task. Failures are always stored (ack_failures), with their tracebacks; every
    # stage row records its own outcome anyway.
    "save_limit": env_int("Q_SAVE_LIMIT", -1),
    "ack_failures": True,
    "catch_up": False,
    # How many tasks the cluster takes from the broker ahead of its workers: one each, so a tick queued
    # in its lane waits behind at most that many (core.brokers).
    "queue_limit": env_int("Q_QUEUE_LIMIT", Q_WORKERS),
    "poll": env_float("Q_POLL_SECONDS", 0.2),
    "sync": env_bool("Q_SYNC", False),
    "label": "Task queue",
    # The cluster's heartbeats (and nothing else we use) go to the shared cache above.
    "cache": "workers",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    Q_CLUSTER["broker_class"] = "core.brokers.LaneRedis"
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["broker_class"] = "core.brokers.LaneORM"

# --- REST API rate limits (django-ninja throttling): requests per period, per API key or staff
# member, and per client address for anonymous callers ("N/s", "N/min", "N/hour", "N/day").
API_RATE_ANONYMOUS = env_str("API_RATE_ANONYMOUS", "120/min")
API_RATE_AUTHENTICATED = env_str("API_RATE_AUTHENTICATED", "1200/min")
# How many proxies in front of the web server append to X-Forwarded-For (0: use the peer address).
NINJA_NUM_PROXIES = env_int("API_NUM_PROXIES", 0) or None

# How long a claimed row may stay "running" before the sweeper assumes its worker died.
PIPELINE_LEASE_SECONDS = env_int("PIPELINE_LEASE_SECONDS", TASK_TIMEOUT_SECONDS + 30)
PIPELINE_MAX_ATTEMPTS = env_int("PIPELINE_MAX_ATTEMPTS", 5)
# A pending row whose task was queued longer ago than this is taken to have lost it (a broker restarted
# without its data) and is queued again by the sweeper; rows in a backlog are not touched before.
PIPELINE_QUEUED_PATIENCE_SECONDS = env_int("PIPELINE_QUEUED_PATIENCE_SECONDS", 30 * 60)
# The most rows the sweeper queues per stage and run.
PIPELINE_SWEEP_BATCH = env_int("PIPELINE_SWEEP_BATCH", 500)

# --- Scraping -------------------------------------------------------------------------------
SCRAPE_USER_AGENT = env_str("SCRAPE_USER_AGENT", "MyStageBot/0.1 (+https://mystage.example/bot)")
SCRAPE_TIMEOUT_SECONDS = env_float("SCRAPE_TIMEOUT_SECONDS", 20.0)
SCRAPE_MAX_BYTES = env_int("SCRAPE_MAX_BYTES", 10 * 1024 * 1024)
SCRAPE_MAX_REDIRECTS = env_int("SCRAPE_MAX_REDIRECTS", 5)
# Hosts or networks that the private-address guard lets through (the demo and tests use 127.0.0.1).
SCRAPE_ALLOWED_PRIVATE_HOSTS = env_list("SCRAPE_ALLOWED_PRIVATE_HOSTS", "")
# Where hosts are, instead of asking DNS: "host=address" or "*.suffix=address", comma-separated (the
# pipeline benchmark maps "*.venues.test=127.0.0.1"). The private-address guard still applies.
SCRAPE_HOST_OVERRIDES = env_list("SCRAPE_HOST_OVERRIDES", "")
# Politeness: the minimum gap between two requests to one host (a source may set its own; robots.txt's
# Crawl-delay raises it, a day at most), requests in flight per host, how long robots.txt is cached.
SCRAPE_DEFAULT_HOST_DELAY_SECONDS = env_float("SCRAPE_DEFAULT_HOST_DELAY_SECONDS", 1.0)
SCRAPE_HOST_CONCURRENCY = env_int("SCRAPE_HOST_CONCURRENCY", 1)
SCRAPE_ROBOTS_TTL_SECONDS = env_int("SCRAPE_ROBOTS_TTL_SECONDS", 24 * 3600)
# A worker that asks one request at a time (MusicBrainz enrichment, sourcing.politeness.reserve_slot)
# waits at most this long for its host's slot; a later slot puts the row back in the queue.
SCRAPE_MAX_SLOT_WAIT_SECONDS = env_float("SCRAPE_MAX_SLOT_WAIT_SECONDS", 10.0)
# The fetch stage (sourcing/fetch_stage.py): each batch task takes up to SCRAPE_BATCH_SIZE due scrapes
# (at most SCRAPE_BATCH_PER_HOST of one host), fetches them with SCRAPE_CONCURRENCY requests in flight,
# and hands back a page whose host is not free within SCRAPE_BATCH_WINDOW_SECONDS; SCRAPE_FETCH_TASKS
# batch tasks run at a time (in the fetch lane, ahead of the other stages).
SCRAPE_BATCH_SIZE = env_int("SCRAPE_BATCH_SIZE", 500)
SCRAPE_BATCH_PER_HOST = env_int("SCRAPE_BATCH_PER_HOST", 10)
SCRAPE_BATCH_WINDOW_SECONDS = env_float("SCRAPE_BATCH_WINDOW_SECONDS", 10.0)
SCRAPE_CONCURRENCY = env_int("SCRAPE_CONCURRENCY", 64)
SCRAPE_FETCH_TASKS = env_int("SCRAPE_FETCH_TASKS", 1)
# URLs a tick turns into scrapes per task; a full batch queues the next one at once.
SCRAPE_DUE_BATCH = env_int("SCRAPE_DUE_BATCH", 1000)

# --- Source API keys ------------------------------------------------------------------------
# Keys of the source APIs (sourcing/clients/); a client whose key is unset refuses to start and says
# which variable to set. The *_BASE_URL overrides point a client elsewhere (a proxy, a local fake).
GOOGLE_PLACES_API_KEY = env_str("GOOGLE_PLACES_API_KEY", "")
YELP_API_KEY = env_str("YELP_API_KEY", "")
BANDSINTOWN_APP_ID = env_str("BANDSINTOWN_APP_ID", "")
TICKETMASTER_API_KEY = env_str("TICKETMASTER_API_KEY", "")
GOOGLE_PLACES_BASE_URL = env_str("GOOGLE_PLACES_BASE_URL", "")
YELP_BASE_URL = env_str("YELP_BASE_URL", "")
BANDSINTOWN_BASE_URL = env_str("BANDSINTOWN_BASE_URL", "")
TICKETMASTER_BASE_URL = env_str("TICKETMASTER_BASE_URL", "")

# --- Extraction / LLM -----------------------------------------------------------------------
# A pydantic-ai model string such as "openai:gpt-4o-mini"; empty means pages without markup wait.
LLM_MODEL = env_str("LLM_MODEL", "")
# Recurring events (iCalendar RRULEs, schema.org eventSchedule) are expanded this many days ahead.
EXTRACTION_HORIZON_DAYS = env_int("EXTRACTION_HORIZON_DAYS", 180)

# --- Resolution -----------------------------------------------------------------------------
RESOLUTION_AUTO_MERGE_THRESHOLD = env_float("RESOLUTION_AUTO_MERGE_THRESHOLD", 0.97)
RESOLUTION_REVIEW_THRESHOLD = env_float("RESOLUTION_REVIEW_THRESHOLD", 0.3)
# The admin's bulk merge of duplicate candidates takes only pairs scoring at least this.
REVIEW_BULK_MERGE_MIN_SCORE = env_float("REVIEW_BULK_MERGE_MIN_SCORE", 0.9)
# A reviewer's claim on the pair or group open in front of them lapses after this many minutes without
# a page load or a decision; other reviewers are given the next unclaimed one meanwhile.
REVIEW_CLAIM_MINUTES = env_int("REVIEW_CLAIM_MINUTES", 15)
DEFAULT_PHONE_REGION = env_str("DEFAULT_PHONE_REGION", "US")

# --- Enrichment -------------------------------------------------------------------------------
# Geocoding: the offline gazetteer (built once per machine into GAZETTEER_DIR, ~100 MB) places a venue
# without coordinates at its postal code or city; off, nothing is geocoded offline. With a Google key,
# each such venue is also queued for the Geocoding API (rooftop or street precision), at most
# GOOGLE_GEOCODING_MAX_PER_DAY calls a day, its coordinates refreshed after GOOGLE_GEOCODING_CACHE_DAYS
# (the Maps terms allow caching coordinates for 30 days; the place ID is kept for good).
GEOCODING_OFFLINE_ENABLED = env_bool("GEOCODING_OFFLINE_ENABLED", True)
GAZETTEER_DIR = Path(env_str("GAZETTEER_DIR", str(DATA_DIR / "gazetteer")))
GOOGLE_GEOCODING_API_KEY = env_str("GOOGLE_GEOCODING_API_KEY", "")
GOOGLE_GEOCODING_BASE_URL = env_str("GOOGLE_GEOCODING_BASE_URL", "")
GOOGLE_GEOCODING_MAX_PER_DAY = env_int("GOOGLE_GEOCODING_MAX_PER_DAY", 2000)
GOOGLE_GEOCODING_CACHE_DAYS = env_int("GOOGLE_GEOCODING_CACHE_DAYS", 30)
# MusicBrainz: artists are looked up only when a contact is set (MusicBrainz asks every client to name
# itself and a way to reach its operator in the User-Agent, and throttles anonymous ones). One request
# per MUSICBRAINZ_MIN_INTERVAL_SECONDS across all workers (MusicBrainz's rule is one a second).
MUSICBRAINZ_CONTACT = env_str("MUSICBRAINZ_CONTACT", "")
MUSICBRAINZ_BASE_URL = env_str("MUSICBRAINZ_BASE_URL", "")
MUSICBRAINZ_MIN_INTERVAL_SECONDS = env_float("MUSICBRAINZ_MIN_INTERVAL_SECONDS", 1.0)
MUSICBRAINZ_REFRESH_DAYS = env_int("MUSICBRAINZ_REFRESH_DAYS", 90)

# --- Sync -----------------------------------------------------------------------------------
SYNC_LOCAL_DIR = Path(env_str("SYNC_LOCAL_DIR", str(DATA_DIR / "sync")))
# A transient error (outage, timeout, HTTP 429/5xx) is retried within the call this many times in all,
# waiting SYNC_RETRY_BASE_SECONDS, then twice that, ...; after that the records wait as "failed" with
# a growing retry_at (30 s doubling, at most an hour) and nothing is lost.
SYNC_RETRY_ATTEMPTS = env_int("SYNC_RETRY_ATTEMPTS", 4)
SYNC_RETRY_BASE_SECONDS = env_float("SYNC_RETRY_BASE_SECONDS", 1.0)
# A push claims each batch of records for this long: no other push sends them meanwhile. It must
# exceed the longest a batch can take to send (every in-call retry with its timeout), so a slow push
# never has its records taken over while its request is still in flight.
SYNC_CLAIM_LEASE_SECONDS = env_int("SYNC_CLAIM_LEASE_SECONDS", 900)
FIRESTORE_PROJECT = env_str("FIRESTORE_PROJECT", "")
FIRESTORE_DATABASE = env_str("FIRESTORE_DATABASE", "")
FIRESTORE_EMULATOR_HOST = env_str("FIRESTORE_EMULATOR_HOST", "")
GOOGLE_APPLICATION_CREDENTIALS = env_str("GOOGLE_APPLICATION_CREDENTIALS", "")
# BulkWriter's ramp-up (Firestore's 500/50/5 rule): writes a second at first, and the most it reaches.
FIRESTORE_BULK_INITIAL_OPS = env_int("FIRESTORE_BULK_INITIAL_OPS", 500)
FIRESTORE_BULK_MAX_OPS = env_int("FIRESTORE_BULK_MAX_OPS", 10_000)
ALGOLIA_APP_ID = env_str("ALGOLIA_APP_ID", "")
ALGOLIA_API_KEY = env_str("ALGOLIA_API_KEY", "")
ALGOLIA_INDEX_PREFIX = env_str("ALGOLIA_INDEX_PREFIX", "")
ALGOLIA_HOSTS = env_list("ALGOLIA_HOSTS", "")
# The plan's record size limit (10 KB on most plans, up to 100 KB): bigger records are rejected before
# sending, once, with the reason.
ALGOLIA_MAX_RECORD_BYTES = env_int("ALGOLIA_MAX_RECORD_BYTES", 10_000)

# --- Files ----------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
STATIC_URL = "static/"
# Filled by `manage.py collectstatic` (make setup, make demo and make run do it); never committed.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
GS_BUCKET_NAME = env_str("GS_BUCKET_NAME", "")
STORAGES: dict[str, Any] = {
    "default": {
        "BACKEND": env_str("DEFAULT_FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    },
    # Compressed copies (gzip, brotli when installed) beside each file; no manifest, so a page renders
    # even before collectstatic has run (tests, a fresh checkout), it only lacks its styles then.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Images ---------------------------------------------------------------------------------
# Images found in extractions are fetched (same fetcher and policy as scrapes, with their own byte
# limit), validated, stripped of metadata and stored as WebP variants through the default storage:
# MEDIA_ROOT on local disk, or Google Cloud Storage with
#   DEFAULT_FILE_STORAGE_BACKEND=storages.backends.gcloud.GoogleCloudStorage  GS_BUCKET_NAME=<bucket>
# (needs django-storages[google]). Variant URLs are stored, so media must have stable public URLs:
# an absolute MEDIA_URL in production, and unsigned GCS URLs (GS_QUERYSTRING_AUTH off, a public bucket).
# Off: the pipeline requests no images (the tests of saved real pages, whose images live on the internet).
IMAGE_FETCH_ENABLED = env_bool("IMAGE_FETCH_ENABLED", True)
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 15 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
IMAGE_VARIANT_WIDTHS = [int(w) for w in env_list("IMAGE_VARIANT_WIDTHS", "160,480,1200")]
GS_QUERYSTRING_AUTH = env_bool("GS_QUERYSTRING_AUTH", False)

# --- Misc -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
        for name in ("core", "mystage", "sourcing", "extraction", "images", "entities", "sync")
    }
    | {"django-q": {"handlers": ["console"], "level": env_str("Q_LOG_LEVEL", "WARNING"), "propagate": False}},
}
