"""Enrichment through the whole pipeline, on pages served from 127.0.0.1 and the fake APIs:

- held-out venue pages (schema.org events, a postal address, no coordinates, usually no country) come out
  with the right country, zone and UTC instant for each performance, placed by the offline gazetteer;
- with a Google key, the venue is queued for the Geocoding API and its rooftop point replaces the
  centroid when it arrives; Google failing leaves the venue resolved and the failure recorded;
- with a MusicBrainz contact, artists are looked up (by their own link, by name) and their MBID, type,
  genres and links join the canonical artist.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from core.stages import StageStatus
from entities.models import Artist, Enrichment, EnrichmentKind, EnrichmentOutcome, Performance, Venue
from entities.services.enrichment import enrichment_run
from mystage.pipeline.services import pipeline_sweep
from sourcing import services as sourcing
from tests.fake_apis import FakeApis

pytestmark = [pytest.mark.django_db(transaction=True)]

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "enrichment" / "pages"
UTC = dt.UTC


@pytest.fixture(scope="module")
def pages_web():
    from demo.webserver import start_server

    with start_server(PAGES, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def fake_apis():
    with FakeApis() as server:
        yield server


def _scrape(web, *slugs):
    for slug in slugs:
        source = sourcing.source_upsert(name=slug, kind="venue_site")
        sourcing.url_add(source=source, url=web.url(f"/{slug}/index.html"))
    sourcing.scrapes_request_due()


# page, venue, country, zone, precision, {performance name: UTC instant}
HELD_OUT = [
    (
        "denver-ogden",
        "Ogden Theatre",
        "US",
        "America/Denver",
        "postal_code",
        {
            "Manowar live": dt.datetime(2031, 3, 15, 2, 0, tzinfo=UTC),  # 20:00 MDT
            "Burzum tribute night live": dt.datetime(2031, 1, 11, 2, 30, tzinfo=UTC),  # 19:30 MST
        },
    ),
    (
        "berlin-so36",
        "SO36",
        "DE",
        "Europe/Berlin",
        "city",
        {"Within Temptation live": dt.datetime(2031, 7, 4, 19, 0, tzinfo=UTC)},
    ),
    (
        "melbourne-corner",
        "The Corner Hotel",
        "AU",
        "Australia/Melbourne",
        "postal_code",
        {"Amyl and the Sniffers live": dt.datetime(2031, 2, 7, 9, 30, tzinfo=UTC)},
    ),
    # Indiana's south-west keeps Central time: the state's zone alone would be an hour off
    (
        "evansville-victory",
        "Victory Theatre",
        "US",
        "America/Chicago",
        "postal_code",
        {"Evansville Philharmonic Pops live": dt.datetime(2031, 10, 4, 0, 0, tzinfo=UTC)},
    ),
    (
        "toronto-horseshoe",
        "Horseshoe Tavern",
        "CA",
        "America/Toronto",
        "postal_code",
        {"Sloan live": dt.datetime(2031, 11, 21, 2, 0, tzinfo=UTC)},
    ),
]


@pytest.mark.parametrize(
    ("page", "venue_name", "country", "zone", "precision", "instants"), HELD_OUT, ids=[h[0] for h in HELD_OUT]
)
def test_held_out_page_without_coordinates_gets_zone_and_utc_instants(
    pages_web, pipeline_settings, page, venue_name, country, zone, precision, instants
):
    _scrape(pages_web, page)
    venue = Venue.objects.get(name=venue_name)
    assert (venue.country, venue.timezone, venue.coord_precision) == (country, zone, precision)
    assert venue.coord_source.startswith("gazetteer:")
    assert venue.provenance["country"]["source"] in ("inferred", page)
    assert venue.provenance["latitude"]["reason"].startswith(f"geocoded ({precision})")
    shows = {p.name: p for p in Performance.objects.filter(venue=venue)}
    assert {name: shows[name].starts_at for name in instants} == instants
    assert all(shows[name].timezone == zone for name in instants)
    # The lookup is kept, once per venue, and not asked again while the address is unchanged
    (row,) = Enrichment.objects.filter(kind=EnrichmentKind.GEOCODE_OFFLINE, entity_id=venue.pk)
    assert (row.status, row.outcome) == (StageStatus.DONE, EnrichmentOutcome.FOUND)
    updated = row.updated_at
    _scrape(pages_web, page)
    row.refresh_from_db()
    assert row.updated_at == updated


def test_a_machine_without_the_gazetteer_builds_it_in_a_task_and_then_places_the_waiting_venues(
    pages_web, pipeline_settings, tmp_path, monkeypatch
):
    from entities.enrichment import gazetteer as gazetteer_module
    from entities.services import locate

    built = []
    machine_index = Path(pipeline_settings.GAZETTEER_DIR)

    def build_elsewhere(path):
        # The real build takes ~20 s: point at this machine's index instead, where a build leaves it
        built.append(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(machine_index / path.name)
        return path

    pipeline_settings.GAZETTEER_DIR = tmp_path / "fresh-machine"
    monkeypatch.setattr(gazetteer_module, "build_gazetteer", build_elsewhere)
    locate._gazetteer.cache_clear()
    _scrape(pages_web, "toronto-horseshoe")
    venue = Venue.objects.get(name="Horseshoe Tavern")
    assert len(built) == 1  # built once, by its task, after the resolving transaction committed
    assert (venue.coord_precision, venue.timezone) == ("postal_code", "America/Toronto")
    row = Enrichment.objects.get(kind=EnrichmentKind.GEOCODE_OFFLINE, entity_id=venue.pk)
    assert (row.status, row.outcome) == (StageStatus.DONE, EnrichmentOutcome.FOUND)


def test_synced_venue_has_geoloc(pages_web, pipeline_settings):
    from sync.services import sync_push

    _scrape(pages_web, "berlin-so36")
    sync_push(target="algolia")
    venue = Venue.objects.get(name="SO36")
    record = next((pipeline_settings.SYNC_LOCAL_DIR / "algolia").rglob(f"{venue.public_id}.json"))
    import json

    geoloc = json.loads(record.read_text())["_geoloc"]
    assert abs(geoloc["lat"] - 52.50) < 0.2
    assert abs(geoloc["lng"] - 13.42) < 0.3


def test_a_failing_gazetteer_records_why_and_never_blocks_resolution(pages_web, pipeline_settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the gazetteer directory should be")
    pipeline_settings.GAZETTEER_DIR = blocked / "gazetteer"
    _scrape(pages_web, "evansville-victory")
    venue = Venue.objects.get(name="Victory Theatre")
    assert venue.performances.count() == 1  # resolved all the same
    assert venue.latitude is None
    # without coordinates the zone comes from the region and country (inferred from the region)
    assert (venue.country, venue.timezone) == ("US", "America/Indiana/Indianapolis")
    # The gazetteer is never built inside a recompute: its build task ran after the commit, failed, and
    # said so on the venue that waited for it
    (row,) = Enrichment.objects.filter(kind=EnrichmentKind.GEOCODE_OFFLINE, entity_id=venue.pk)
    assert row.status == StageStatus.FAILED
    assert row.last_error.startswith("The offline gazetteer could not be built: NotADirectoryError")


# --- Google -----------------------------------------------------------------------------------


BEDFORD_PAGE = """<!doctype html><html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MusicEvent", "name": "Late show", "startDate": "2031-05-02T22:00",
 "location": {"@type": "MusicVenue", "name": "Bedford Hall", "telephone": "(718) 555-0142",
   "address": {"@type": "PostalAddress", "streetAddress": "277 Bedford Ave", "addressLocality": "Brooklyn",
               "addressRegion": "NY", "postalCode": "11211"}}}
</script></head><body>Bedford Hall</body></html>"""


@pytest.fixture
def bedford_web(tmp_path):
    from demo.webserver import start_server

    (tmp_path / "bedford").mkdir()
    (tmp_path / "bedford" / "index.html").write_text(BEDFORD_PAGE)
    with start_server(tmp_path, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def google(pipeline_settings, fake_apis):
    pipeline_settings.GOOGLE_GEOCODING_API_KEY = fake_apis.keys["google_geocoding"]
    pipeline_settings.GOOGLE_GEOCODING_BASE_URL = fake_apis.base_url
    return fake_apis


def test_google_geocoding_is_queued_and_its_rooftop_point_replaces_the_centroid(
    bedford_web, google, pipeline_settings
):
    _scrape(bedford_web, "bedford")
    venue = Venue.objects.get(name="Bedford Hall")
    (row,) = Enrichment.objects.filter(kind=EnrichmentKind.GEOCODE_GOOGLE, entity_id=venue.pk)
    assert (row.status, row.outcome) == (StageStatus.DONE, EnrichmentOutcome.FOUND)
    # only coordinates, precision and the place ID are kept
    assert set(row.result) == {"latitude", "longitude", "precision", "source", "label", "place_id"}
    assert (venue.latitude, venue.longitude) == (40.7142205, -73.9612903)
    assert (venue.coord_precision, venue.coord_source) == ("rooftop", "google_geocoding")
    assert venue.timezone == "America/New_York"
    show = venue.performances.get()
    assert show.starts_at == dt.datetime(2031, 5, 3, 2, 0, tzinfo=UTC)
    assert row.refresh_after is not None
    assert row.finished_at is not None
    assert abs(row.refresh_after - row.finished_at - dt.timedelta(days=30)) < dt.timedelta(seconds=1)
    (request,) = google.requests_to("/maps/api/geocode/json")
    assert request.param("address") == "277 Bedford Ave, Brooklyn, NY 11211, US"
    assert request.param("components") == "country:US|postal_code:11211"
    # Scraping again asks Google nothing: the question did not change
    _scrape(bedford_web, "bedford")
    assert len(google.requests_to("/maps/api/geocode/json")) == 1


def test_expired_google_coordinates_are_refreshed_by_place_id(bedford_web, google, pipeline_settings):
    _scrape(bedford_web, "bedford")
    venue = Venue.objects.get(name="Bedford Hall")
    row = Enrichment.objects.get(kind=EnrichmentKind.GEOCODE_GOOGLE, entity_id=venue.pk)
    Enrichment.objects.filter(pk=row.pk).update(refresh_after=timezone.now() - dt.timedelta(minutes=1))
    pipeline_sweep()
    refresh = google.requests_to("/maps/api/geocode/json")[-1]
    assert refresh.param("place_id") == "ChIJd8BlQ2BZwokRAFUEcm_qrcA"
    assert refresh.param("address") is None
    row.refresh_from_db()
    assert row.refresh_after is not None
    assert row.refresh_after > timezone.now() + dt.timedelta(days=29)


def test_google_failing_leaves_the_venue_resolved_and_records_why(bedford_web, google, pipeline_settings):
    pipeline_settings.GOOGLE_GEOCODING_API_KEY = "a-wrong-key-9999"
    _scrape(bedford_web, "bedford")
    venue = Venue.objects.get(name="Bedford Hall")
    assert venue.performances.count() == 1
    # the gazetteer placed it meanwhile
    assert (venue.coord_precision, venue.timezone) == ("postal_code", "America/New_York")
    row = Enrichment.objects.get(kind=EnrichmentKind.GEOCODE_GOOGLE, entity_id=venue.pk)
    assert row.status == StageStatus.FAILED
    assert "check GOOGLE_GEOCODING_API_KEY" in row.last_error
    assert "a-wrong-key-9999" not in row.last_error


def test_google_daily_budget_makes_the_row_wait_for_tomorrow(bedford_web, google, pipeline_settings):
    pipeline_settings.GOOGLE_GEOCODING_MAX_PER_DAY = 0
    _scrape(bedford_web, "bedford")
    venue = Venue.objects.get(name="Bedford Hall")
    row = Enrichment.objects.get(kind=EnrichmentKind.GEOCODE_GOOGLE, entity_id=venue.pk)
    assert row.status == StageStatus.PENDING
    assert "GOOGLE_GEOCODING_MAX_PER_DAY" in row.last_error
    assert row.retry_at is not None
    assert row.retry_at > timezone.now()
    assert row.attempts == 0
    assert google.requests_to("/maps/api/geocode/json") == []
    assert enrichment_run(enrichment_id=row.pk) is None  # run again the same day: still waiting


# --- MusicBrainz ------------------------------------------------------------------------------


@pytest.fixture
def musicbrainz(pipeline_settings, fake_apis):
    pipeline_settings.MUSICBRAINZ_CONTACT = "ops@mystage.example"
    pipeline_settings.MUSICBRAINZ_BASE_URL = fake_apis.base_url
    pipeline_settings.MUSICBRAINZ_MIN_INTERVAL_SECONDS = 0
    return fake_apis


def test_an_artist_is_matched_by_its_own_link_and_enriched(pages_web, musicbrainz, pipeline_settings):
    _scrape(pages_web, "berlin-so36")
    artist = Artist.objects.get(name="Within Temptation")
    row = Enrichment.objects.get(kind=EnrichmentKind.MUSICBRAINZ, entity_id=artist.pk)
    assert (row.status, row.outcome, row.result["rule"]) == (
        StageStatus.DONE,
        EnrichmentOutcome.FOUND,
        "link",
    )
    # the page's Spotify link was asked about (no name search needed), then the MBID looked up
    paths = [r.path for r in musicbrainz.requests if r.path.startswith("/ws/2/")]
    assert paths == ["/ws/2/url", "/ws/2/artist/eace2373-31c8-4aba-9a5c-7bce22dd140a"]
    assert artist.external_ids["musicbrainz"] == ["eace2373-31c8-4aba-9a5c-7bce22dd140a"]
    assert artist.external_ids["spotify"] == ["3hE8S8ohRErocpkY7uJW4a"]
    # (The page's Instagram link does not reach us: the extraction contract has no socials for artists
    # yet, and entities.resolution.links.record_links reads them once it does.)
    assert (artist.artist_type, artist.disambiguation) == ("group", "Dutch symphonic metal band")
    assert artist.genres == ["symphonic metal", "gothic metal", "metal"]
    assert artist.provenance["disambiguation"]["source"] == "musicbrainz"


def test_a_name_search_with_one_candidate_and_an_mbid_musicbrainz_lacks(
    pages_web, musicbrainz, pipeline_settings
):
    _scrape(pages_web, "denver-ogden")
    manowar = Artist.objects.get(name="Manowar")
    row = Enrichment.objects.get(kind=EnrichmentKind.MUSICBRAINZ, entity_id=manowar.pk)
    # The search found one exact candidate (score 100, US like the venue); the saved fake has no lookup
    # for its MBID, which is an answer ("not found"), not a failure to retry.
    search = musicbrainz.requests_to("/ws/2/artist")[0]
    assert search.param("query") == 'artist:"Manowar"'
    assert (row.status, row.outcome) == (StageStatus.DONE, EnrichmentOutcome.NOT_FOUND)
    assert row.result["reason"] == "MusicBrainz has no artist 00eeed6b-5897-4359-8347-b8cd28375331"
    assert "musicbrainz" not in manowar.external_ids
    tribute = Artist.objects.get(name="Burzum tribute night")
    other = Enrichment.objects.get(kind=EnrichmentKind.MUSICBRAINZ, entity_id=tribute.pk)
    assert other.outcome == EnrichmentOutcome.NOT_FOUND
    assert other.result["reason"].startswith("no candidate named 'Burzum tribute night' scored 100")


def test_musicbrainz_down_is_retried_later_and_resolution_goes_on(pages_web, musicbrainz, pipeline_settings):
    musicbrainz.fail("/ws/2/url", status=503, times=20)
    _scrape(pages_web, "berlin-so36")
    artist = Artist.objects.get(name="Within Temptation")
    assert artist.performances.count() == 1
    row = Enrichment.objects.get(kind=EnrichmentKind.MUSICBRAINZ, entity_id=artist.pk)
    assert row.status == StageStatus.PENDING  # retryable: back to the queue with backoff
    assert "HTTP 503" in row.last_error
    assert row.retry_at is not None
    assert row.retry_at > timezone.now()
    musicbrainz.reset()
    Enrichment.objects.filter(pk=row.pk).update(retry_at=None)
    assert enrichment_run(enrichment_id=row.pk) == EnrichmentOutcome.FOUND
    artist.refresh_from_db()
    assert artist.external_ids["musicbrainz"] == ["eace2373-31c8-4aba-9a5c-7bce22dd140a"]
