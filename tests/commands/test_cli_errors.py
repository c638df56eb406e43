"""Every command of ours speaks one way when the user got something wrong: a clear message on stderr (one
line, or one line per bad input line where a file is checked), a non-zero exit, never a traceback, and
nothing written. Commands run as from a shell (`manage.py NAME ...`: Django's ManagementUtility in this
process, so they see the test database); tests/commands/test_cli_process.py runs a few as real processes.
"""

from __future__ import annotations

import io
import json
import socket
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, get_commands
from django.db import connections

from entities.models import Artist, Performance, Venue
from sourcing.models import Scrape, Source, SourceKind, Url
from tests.factories import SourceFactory, VenueFactory, build_review_world

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "sourcing", "extraction", "images", "entities", "sync", "mystage"}


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch, settings):
    """A command run from the command line closes every database connection when it ends; inside the
    test's transaction that would end the test's database too (PostgreSQL). It also runs the system
    checks, which want a real secret key on PostgreSQL."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    settings.SECRET_KEY = "test-secret-key-for-the-command-line-tests-0123456789"


def cli(*argv: str, stdin: str | None = None, monkeypatch=None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def user_error(run: Run, *fragments: str, code: int = 1) -> None:
    """One line on stderr holding each fragment, the exit code, no traceback."""
    assert run.code == code, (run.code, run.err)
    assert "Traceback" not in run.err
    assert len(run.err_lines) == 1, run.err
    for fragment in fragments:
        assert fragment in run.err, (fragment, run.err)


# --- every command is covered -------------------------------------------------------------------

COVERED = {
    "build_gazetteer",
    "create_api_key",
    "dedupe_artists",
    "dedupe_venues",
    "demo",
    "eval_llm",
    "export_entities",
    "extract_file",
    "import_entities",
    "import_sources",
    "import_sources_csv",
    "list_due",
    "merge_venues",
    "reextract",
    "resolve",
    "resume_llm",
    "run_source",
    "scrape_due",
    "scrape_now",
    "serve",
    "setup_schedules",
    "stats",
    "sweep",
    "sync_push",
    "sync_reconcile",
    "sync_reindex",
    "sync_schemas",
    "unmerge",
}


def test_every_command_of_ours_has_its_error_tests():
    ours = {name for name, app in get_commands().items() if app in OUR_APPS}
    assert ours == COVERED


# --- argument errors: one line, exit 2, for every command ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["build_gazetteer", "now"], "unrecognized arguments: now"),
        (["create_api_key"], "the following arguments are required: name"),
        (["dedupe_artists", "--out", "o.csv"], "--csv"),
        (
            ["dedupe_artists", "--csv", "x.csv", "--out", "o.csv", "--threshold", "high"],
            "invalid float value",
        ),
        (["dedupe_venues", "--csv", "x.csv"], "--out"),
        (["dedupe_venues", "--csv", "x.csv", "--out", "o.csv", "--threshold", "abc"], "invalid float value"),
        (["demo", "--port", "eighty"], "invalid int value"),
        (["eval_llm"], "the following arguments are required: --model"),
        (["export_entities", "--type", "band", "--out", "x"], "invalid choice: 'band'"),
        (["extract_file", "page.html", "--source-kind", "myspace"], "invalid choice: 'myspace'"),
        (["import_entities"], "the following arguments are required: file"),
        (["import_sources"], "the following arguments are required: path"),
        (["import_sources_csv"], "the following arguments are required: path"),
        (["list_due", "--limit", "many"], "invalid int value"),
        (["merge_venues", "A", "B"], "--reason"),
        (["reextract", "--since", "yesterday"], "'yesterday' is not a date (YYYY-MM-DD)"),
        (["resolve", "--type", "band"], "invalid choice: 'band'"),
        (["resume_llm", "now"], "unrecognized arguments: now"),
        (["run_source"], "the following arguments are required: name"),
        (["scrape_due", "now"], "unrecognized arguments: now"),
        (["serve", "--port", "http"], "invalid int value"),
        (["setup_schedules", "again"], "unrecognized arguments: again"),
        (["stats", "--yaml"], "unrecognized arguments: --yaml"),
        (["sweep", "--grace", "soon"], "invalid int value"),
        (["sync_push", "--target", "bigquery"], "invalid choice: 'bigquery'"),
        (["sync_reconcile", "--target", "bigquery"], "invalid choice: 'bigquery'"),
        (["sync_reindex", "--target", "firestore"], "invalid choice: 'firestore'"),
        (["sync_schemas", "--dir"], "expected one argument"),
        (["unmerge", "abc"], "invalid int value: 'abc'"),
    ],
)
def test_argument_errors_are_one_line_with_a_pointer_to_help(argv, fragment):
    run = cli(*argv)
    user_error(run, fragment, "(see --help)", code=2)
    assert "usage:" not in run.err


# --- create_api_key, merge_venues, unmerge, resolve ---------------------------------------------


def test_build_gazetteer_refuses_a_folder_it_cannot_write(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the gazetteer's folder should be")
    settings.GAZETTEER_DIR = blocker / "gazetteer"
    user_error(cli("build_gazetteer"), "Cannot build the gazetteer in", str(blocker))


def test_create_api_key_refuses_an_empty_name_and_an_unknown_user():
    user_error(cli("create_api_key", "  "), "Give the key a name")
    user_error(cli("create_api_key", "bot", "--by", "nobody"), "No user 'nobody'")
    user_error(cli("create_api_key", "x" * 101), "longer than 100")


def test_merge_and_unmerge_refuse_unknown_ids():
    world = build_review_world()
    user_error(cli("merge_venues", "01NOPE", world.hall.public_id, "--reason", "x"), "No venue '01NOPE'")
    user_error(cli("merge_venues", world.hall.public_id, "#99999", "--reason", "x"), "No venue '#99999'")
    user_error(cli("merge_venues", world.hall.public_id, world.hall.public_id, "--reason", "x"))
    user_error(cli("unmerge", "4242"), "No merge record 4242")
    assert Venue.objects.filter(status="merged").count() == 0


def test_resolve_refuses_an_unknown_source():
    user_error(cli("resolve", "--source", "nowhere"), "No source 'nowhere'")


# --- export_entities: no silent mkdir ---------------------------------------------------------


def test_export_into_a_missing_folder_fails_and_creates_nothing(tmp_path):
    VenueFactory.create()
    target = tmp_path / "no" / "such" / "venues.jsonl"
    user_error(cli("export_entities", "--type", "venue", "--out", str(target)), "does not exist")
    assert not (tmp_path / "no").exists()
    user_error(cli("export_entities", "--type", "venue", "--out", str(tmp_path)), "is a folder")


# --- import_entities: every value checked, all lines or none ------------------------------------


def _jsonl(tmp_path: Path, *records) -> str:
    path = tmp_path / "curated.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"phone": "not a phone"}, "is not a valid phone number"),
        ({"latitude": 999}, "outside -90..90"),
        ({"longitude": "east"}, "longitude: 'east' is not valid"),
        ({"capacity": -5}, "capacity: -5 must be a whole number from 0 up"),
        ({"capacity": 12.5}, "is not a whole number"),
        ({"capacity": True}, "is not a"),
        ({"country": "Narnia"}, "longer than 2"),
        ({"country": "ZZ"}, "is not a country"),
        ({"timezone": "Mars/Olympus"}, "is not an IANA time zone"),
        ({"website": "javascript:alert(1)"}, "is not an http(s) URL"),
        ({"name": ""}, "name may not be empty"),
        ({"kind": "castle"}, "kind: 'castle' is not one of"),
        ({"public_id": "X"}, "Cannot lock public_id"),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_import_entities_checks_every_value_like_the_pipeline(tmp_path, fields, reason, dry_run):
    world = build_review_world()
    before = Venue.objects.get(pk=world.hall.pk)
    good = {"type": "venue", "id": world.hall.public_id, "fields": {"capacity": 420}}
    bad = {"type": "venue", "id": world.hall.public_id, "fields": fields}
    run = cli(
        "import_entities", _jsonl(tmp_path, good, bad), "--no-progress", *(["--dry-run"] if dry_run else [])
    )
    user_error(
        run, "CommandError: line 2: ", reason, "; nothing was imported (1 of 2 line(s) are not valid)."
    )
    after = Venue.objects.get(pk=world.hall.pk)
    assert (after.capacity, after.phone, after.latitude, after.locked_fields) == (
        before.capacity,
        before.phone,
        before.latitude,
        before.locked_fields,
    )  # the good line was not imported either


def test_import_entities_reports_every_bad_line_and_normalises_good_values(tmp_path):
    world = build_review_world()
    path = _jsonl(
        tmp_path,
        {"type": "venue", "id": "01NOPE", "fields": {"name": "x"}},
        "not json",
        {"type": "band", "fields": {"name": "x"}},
        {"type": "venue", "id": world.hall.public_id, "fields": {"name": "Hall"}, "colour": "red"},
    )
    run = cli("import_entities", path, "--no-progress")
    assert run.code == 1
    assert [line.split(":")[0] for line in run.err_lines[:-1]] == ["line 1", "line 2", "line 3", "line 4"]
    assert (
        run.err_lines[-1] == "CommandError: 4 problems; nothing was imported (4 of 4 line(s) are not valid)."
    )
    assert "No venue with ID '01NOPE'" in run.err_lines[0]
    assert "not JSON" in run.err_lines[1]
    assert "Unknown type 'band'" in run.err_lines[2]
    assert "unknown key(s) colour" in run.err_lines[3]

    fine = _jsonl(
        tmp_path, {"type": "venue", "id": world.hall.public_id, "fields": {"phone": "(206) 555-0142"}}
    )
    dry = cli("import_entities", fine, "--dry-run", "--no-progress")
    assert (dry.code, dry.err) == (0, "")
    assert "all 1 line(s) are valid (0 to create, 1 to update); nothing was changed" in dry.out
    assert Venue.objects.get(pk=world.hall.pk).phone != "+12065550142"
    assert cli("import_entities", fine, "--no-progress").code == 0
    assert Venue.objects.get(pk=world.hall.pk).phone == "+12065550142"  # stored as the pipeline stores it


def test_import_entities_refuses_missing_and_unreadable_files(tmp_path):
    user_error(cli("import_entities", str(tmp_path / "nope.jsonl")), "No such file")
    binary = tmp_path / "latin1.jsonl"
    binary.write_bytes(b'{"type": "venue", "fields": {"name": "Caf\xe9"}}\n')
    user_error(cli("import_entities", str(binary)), "is not UTF-8 text")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    user_error(cli("import_entities", str(empty)), "no lines to import")
    user_error(cli("import_entities", str(empty), "--by", "nobody"), "No user 'nobody'")


# --- import_sources and import_sources_csv: the one URL check, all or nothing -----------------------


def test_import_sources_refuses_bad_files(tmp_path):
    missing = tmp_path / "nope.json"
    user_error(cli("import_sources", str(missing)), "No such JSON file")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    user_error(cli("import_sources", str(bad)), "is not JSON", "line 1, column 2")
    bad.write_text('["a list"]')
    user_error(cli("import_sources", str(bad)), 'a list "sources"', f"nothing was imported from {bad}")


def test_import_sources_checks_every_url_and_writes_nothing_on_a_problem(tmp_path):
    spec = {
        "sources": [
            {"name": "good-site", "urls": ["https://good.example/events"]},
            {
                "name": "bad site",
                "kind": "myspace",
                "urls": ["http://10.0.0.1/x", "/relative", "http://[::1]/"],
            },
        ]
    }
    path = tmp_path / "sources.json"
    path.write_text(json.dumps(spec))
    run = cli("import_sources", str(path))
    assert run.code == 1
    assert "Traceback" not in run.err
    problems = run.err_lines[:-1]
    assert problems == [
        "sources[1]: source name 'bad site' may hold only letters, digits, - and _",
        f"sources[1]: unknown kind 'myspace' (one of {', '.join(SourceKind.values)})",
        "sources[1].urls[0]: URL 'http://10.0.0.1/x': The address 10.0.0.1 is private, loopback, link-local or reserved: it cannot be scraped (SCRAPE_ALLOWED_PRIVATE_HOSTS lists the private hosts that may be).",
        "sources[1].urls[1]: URL '/relative' is a path: give --base-url, or write the whole URL",
        "sources[1].urls[2]: URL 'http://[::1]/': The address ::1 is private, loopback, link-local or reserved (or leads to such an IPv4 address): it cannot be scraped (SCRAPE_ALLOWED_PRIVATE_HOSTS lists the private hosts that may be).",
    ]
    assert run.err_lines[-1] == f"CommandError: 5 problems; nothing was imported from {path}."
    assert (Source.objects.count(), Url.objects.count()) == (0, 0)


def test_import_sources_csv_reports_bad_rows_by_line_and_writes_nothing(tmp_path):
    path = tmp_path / "sources.csv"
    path.write_text(
        "source,url,priority\n"
        "good,https://good.example/events,10\n"
        "good,http://user:pw@good.example/,10\n"
        "other,https://other.example/,high\n"
        "third,ftp://third.example/,1\n"
    )
    run = cli("import_sources_csv", str(path))
    assert run.code == 1
    assert run.err_lines[:-1] == [
        "line 3: URL 'http://user:pw@good.example/': A URL with a user name or password (user@host) cannot be scraped.",
        "line 4: priority 'high' is not a whole number",
        "line 5: URL 'ftp://third.example/': Only http and https URLs can be scraped, not ftp:.",
    ]
    assert run.err_lines[-1] == f"CommandError: 3 problems; nothing was imported from {path}."
    assert (Source.objects.count(), Url.objects.count()) == (0, 0)


def test_import_sources_csv_refuses_bad_files(tmp_path):
    user_error(cli("import_sources_csv", str(tmp_path / "nope.csv")), "No such CSV file")
    no_url = tmp_path / "cols.csv"
    no_url.write_text("name,link\nx,https://x.example/\n")
    user_error(cli("import_sources_csv", str(no_url)), "lacks the column(s): source, url")
    quotes = tmp_path / "quotes.csv"
    quotes.write_text('source,url\nx,"https://x.example/\n')
    user_error(cli("import_sources_csv", str(quotes)), "malformed CSV")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(b"source,url\ncaf\xe9,https://x.example/\n")
    user_error(cli("import_sources_csv", str(latin)), "is not UTF-8 text")
    empty = tmp_path / "empty.csv"
    empty.write_text("source,url\n")
    user_error(cli("import_sources_csv", str(empty)), "has no rows")


# --- scrape_now, list_due, run_source, reextract, sweep, resume_llm, extract_file, demo -----------


def test_scrape_now_refuses_unknown_and_unacceptable_urls_and_queues_nothing():
    source = SourceFactory.create(name="known")
    Url.objects.create(source=source, url="https://known.example/", url_hash="h" * 64)
    user_error(cli("scrape_now"), "Give URLs or --source NAME")
    run = cli("scrape_now", "https://unknown.example/", "http://169.254.169.254/latest")
    assert run.code == 1
    assert run.err_lines == [
        "https://unknown.example/: not a known URL (add it with import_sources first)",
        "http://169.254.169.254/latest: The address 169.254.169.254 is private, loopback, link-local or reserved: it cannot be scraped (SCRAPE_ALLOWED_PRIVATE_HOSTS lists the private hosts that may be).",
        "CommandError: 2 problems; nothing was queued.",
    ]
    user_error(
        cli("scrape_now", "--source", "nowhere"), "no source 'nowhere' (known: known); nothing was queued."
    )
    assert not Scrape.objects.exists()


def test_list_due_run_source_sweep_and_reextract_refuse_bad_values():
    user_error(cli("list_due", "--limit", "0"), "--limit must be at least 1")
    user_error(cli("run_source", "nowhere"), "No source 'nowhere'")
    SourceFactory.create(name="empty-source")
    user_error(cli("run_source", "empty-source"), "has no active URLs")
    user_error(cli("run_source", "empty-source", "--timeout", "0"), "--timeout must be more than 0")
    user_error(cli("sweep", "--grace", "-5"), "--grace must be 0 or more")
    user_error(cli("reextract", "--source", "nowhere"), "No source 'nowhere'")
    user_error(cli("reextract", "--extractor", "magic"), "Unknown extractor 'magic'")
    user_error(cli("reextract", "--batch-size", "0"), "--batch-size must be at least 1")
    user_error(
        cli("reextract", "--since", "2026-02-01", "--until", "2026-01-01"), "--since must be before --until"
    )


def test_resume_llm_without_a_model_says_what_to_set(settings):
    settings.LLM_MODEL = ""
    user_error(cli("resume_llm"), "LLM_MODEL is not set")


def test_extract_file_refuses_missing_files_and_folders(tmp_path):
    user_error(cli("extract_file", str(tmp_path / "nope.html")), "Cannot read")
    user_error(cli("extract_file", str(tmp_path)), "Cannot read")


def test_eval_llm_refuses_unknown_pages_models_recordings_and_record_folders(tmp_path):
    answers = "replay:tests/fixtures/llm_answers"
    user_error(cli("eval_llm", "--model", answers, "--pages", "no-such-page"), "'no-such-page'")
    user_error(
        cli("eval_llm", "--model", "replay:" + str(tmp_path / "nope")), "No directory of recorded answers"
    )
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    user_error(cli("eval_llm", "--model", f"replay:{tmp_path}"), "Cannot read the recorded answers")
    user_error(cli("eval_llm", "--model", "nosuchprovider:model"), "cannot be used")
    missing = tmp_path / "typo" / "answers"
    user_error(cli("eval_llm", "--model", answers, "--record", str(missing)), "does not exist")
    assert not missing.parent.exists()  # checked before the model ran: nothing created
    user_error(cli("eval_llm", "--model", answers, "--record", str(tmp_path / "broken.json")), "is a file")


def test_serve_refuses_a_port_in_use_and_an_impossible_one():
    user_error(cli("serve", "--port", "0"), "is not a port")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        user_error(
            cli("serve", "--port", str(port)), f"Cannot serve on 127.0.0.1:{port}", "WEB_PORT=8001 make run"
        )


def test_demo_refuses_a_port_in_use_and_an_impossible_one():
    user_error(cli("demo", "--port", "70000"), "is not a port")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        user_error(cli("demo", "--port", str(port)), f"Cannot serve the demo web on 127.0.0.1:{port}")


# --- dedupe_venues: a malformed CSV is explained, outputs go only where folders exist ------------


def test_dedupe_venues_explains_malformed_csv_files(tmp_path):
    out = tmp_path / "clusters.csv"
    cases = {
        "quotes.csv": (
            'id,name\n1,"Neumos\n2,Barboza\n',
            "line 3: malformed CSV: unexpected end of data (a quote is opened and never closed).",
        ),
        "semicolons.csv": (
            "id;name\n1;Neumos\n",
            "the header row must name at least the columns id and name (it reads 'id;name'; the separator is a comma).",
        ),
        "latin1.csv": (
            "id,name\n1,Caf\xe9\n".encode("latin-1"),
            "it is not UTF-8 text (save it as UTF-8 CSV).",
        ),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        run = cli("dedupe_venues", "--csv", str(path), "--out", str(out), "--no-progress")
        user_error(run, f"CommandError: Cannot read {path}: {message}")
        assert "infer_schema_length" not in run.err
    assert not out.exists()


def test_dedupe_venues_writes_only_into_folders_that_exist(tmp_path):
    source = tmp_path / "venues.csv"
    source.write_text(
        "id,name,addr,city,phone\n1,Neumos,925 E Pike St,Seattle,\n2,Neumo's,925 E Pike,Seattle,\n"
    )
    user_error(
        cli("dedupe_venues", "--csv", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")),
        "No such CSV file",
    )
    user_error(
        cli("dedupe_venues", "--csv", str(source), "--out", str(tmp_path / "new" / "o.csv")), "does not exist"
    )
    user_error(
        cli(
            "dedupe_venues",
            "--csv",
            str(source),
            "--out",
            str(tmp_path / "o.csv"),
            "--model-out",
            str(tmp_path / "new" / "m.json"),
        ),
        "does not exist",
    )
    user_error(
        cli("dedupe_venues", "--csv", str(source), "--out", str(tmp_path / "o.csv"), "--threshold", "2"),
        "between 0 and 1",
    )
    assert not (tmp_path / "new").exists()
    assert not (tmp_path / "o.csv").exists()
    ok = cli("dedupe_venues", "--csv", str(source), "--out", str(tmp_path / "o.csv"), "--no-progress")
    assert ok.code == 0, ok.err
    assert (tmp_path / "o.csv").read_text().splitlines()[0] == "id,cluster_id"


# --- dedupe_artists: the same words as dedupe_venues for the same mistakes ------------------------


def test_dedupe_artists_explains_malformed_csv_files(tmp_path):
    out = tmp_path / "clusters.csv"
    cases = {
        "quotes.csv": (
            'id,name\n1,"Neko Case\n2,Barboza\n',
            "line 3: malformed CSV: unexpected end of data (a quote is opened and never closed).",
        ),
        "semicolons.csv": (
            "id;name\n1;Neko Case\n",
            "the header row must name at least the columns id and name (it reads 'id;name'; the separator is a comma).",
        ),
        "latin1.csv": (
            "id,name\n1,Caf\xe9 Tacvba\n".encode("latin-1"),
            "it is not UTF-8 text (save it as UTF-8 CSV).",
        ),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        run = cli("dedupe_artists", "--csv", str(path), "--out", str(out), "--no-progress")
        user_error(run, f"CommandError: Cannot read {path}: {message}")
    assert not out.exists()


def test_dedupe_artists_writes_only_into_folders_that_exist(tmp_path):
    source = tmp_path / "artists.csv"
    source.write_text("id,name\n1,Neko Case\n2,NEKO CASE (live)\n")
    user_error(
        cli("dedupe_artists", "--csv", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")),
        "No such CSV file",
    )
    user_error(
        cli("dedupe_artists", "--csv", str(source), "--out", str(tmp_path / "new" / "o.csv")),
        "does not exist",
    )
    user_error(
        cli(
            "dedupe_artists",
            "--csv",
            str(source),
            "--out",
            str(tmp_path / "o.csv"),
            "--weights-out",
            str(tmp_path / "new" / "w.json"),
        ),
        "does not exist",
    )
    user_error(
        cli("dedupe_artists", "--csv", str(source), "--out", str(tmp_path / "o.csv"), "--threshold", "0"),
        "between 0 and 1",
    )
    assert not (tmp_path / "new").exists()
    assert not (tmp_path / "o.csv").exists()
    ok = cli("dedupe_artists", "--csv", str(source), "--out", str(tmp_path / "o.csv"), "--no-progress")
    assert ok.code == 0, ok.err
    assert (tmp_path / "o.csv").read_text().splitlines() == ["id,cluster_id", "1,1", "2,1"]


# --- stats, setup_schedules, scrape_due, sync_*: they work, and say so in words -------------------


def test_stats_speaks_in_words_and_says_when_no_worker_runs():
    build_review_world()
    run = cli("stats", "--failures")
    assert (run.code, run.err) == (0, "")
    assert not set("{}'") & set(run.out)  # no Python dict
    counts = (Venue.objects.count(), Artist.objects.count(), Performance.objects.count())
    assert "  entities         {} venues, {} artists, {} performances".format(*counts) in run.out
    assert "  venue duplicates 1 pending" in run.out
    assert "No worker has been seen: queued work waits until one runs; start one with `make run`" in run.out
    data = json.loads(cli("stats", "--json").out)
    assert data["workers"]["running"] is False


def test_commands_without_user_input_succeed_quietly():
    for argv in (
        ["setup_schedules"],
        ["scrape_due"],
        ["sync_push", "--no-progress"],
        ["sync_reconcile", "--no-progress"],
    ):
        run = cli(*argv)
        assert run.code == 0, (argv, run.err)
        assert "Traceback" not in run.err
    # Algolia is not configured here: reindexing says so in one line.
    user_error(cli("sync_reindex", "--no-progress"), "Algolia")


# --- sync_schemas: writes only into a folder that exists, --check says what is stale -------------------


def test_sync_schemas_writes_into_an_existing_folder_and_checks_in_one_line(tmp_path):
    a_file = tmp_path / "schemas.json"
    a_file.write_text("{}")
    user_error(cli("sync_schemas", "--dir", str(a_file)), "is not a folder")
    user_error(cli("sync_schemas", "--dir", str(tmp_path / "typo")), "does not exist")
    assert not (tmp_path / "typo").exists()
    user_error(cli("sync_schemas", "--check", "--dir", str(tmp_path)), "out of date", "make schemas")
    run = cli("sync_schemas", "--dir", str(tmp_path))
    assert (run.code, run.err) == (0, "")
    assert len(list(tmp_path.glob("*/*.schema.json"))) == 6
    run = cli("sync_schemas", "--check", "--dir", str(tmp_path))
    assert (run.code, run.err) == (0, "")
    assert "6 schemas up to date" in run.out
