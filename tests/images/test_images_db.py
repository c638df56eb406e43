"""Images through the real fetcher, served by a local web server, stored in a temporary MEDIA_ROOT."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.utils import timezone
from PIL import Image

from core.stages import StageStatus
from entities.models import Artist, Performance, Venue
from images.models import UrlImage
from images.selectors import image_variants_for
from images.services import image_request, images_request, variant_path
from images.tasks import image_fetch_task
from mystage.pipeline.services import pipeline_counts, pipeline_open_work, pipeline_sweep
from sourcing import services as sourcing
from sync.contract import RedirectDocument
from sync.models import SyncRecord, SyncStatus
from sync.services import entity_document, sync_mark_dirty, sync_push
from sync.targets.local import LocalDocumentStore
from tests.images import makers


def _document(entity_type, entity):
    doc = entity_document(entity_type, entity, updated_at=timezone.now())
    assert doc is not None
    assert not isinstance(doc, RedirectDocument)
    return doc


POSTER = makers.noisy_jpeg(1600, 900)


@pytest.fixture
def image_web(tmp_path):
    from demo.webserver import start_server

    root = tmp_path / "web"
    root.mkdir()
    (root / "poster.jpg").write_bytes(POSTER)
    (root / "same-poster-elsewhere.jpg").write_bytes(POSTER)
    (root / "bomb.png").write_bytes(makers.png_declaring(60_000, 60_000))
    (root / "login.jpg").write_bytes(b"<!DOCTYPE html><html><body>Please log in</body></html>")
    (root / "photo.png").write_bytes(makers.png(800, 800, makers.BLUE))
    with start_server(root, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def media(pipeline_settings, tmp_path):
    pipeline_settings.MEDIA_ROOT = tmp_path / "media"
    pipeline_settings.MEDIA_URL = "/media/"
    pipeline_settings.IMAGE_FETCH_ENABLED = True
    return tmp_path / "media"


def _request(captured, **kwargs):
    """image_request, with its on-commit task run inline (django-q2 sync mode)."""
    with captured(execute=True):
        image = image_request(**kwargs)
    image.refresh_from_db()
    return image


def _stored_files(media):
    return sorted((str(p.relative_to(media)), p.stat().st_mtime_ns) for p in media.rglob("*") if p.is_file())


def _row(image):
    image.refresh_from_db()
    return {f.name: getattr(image, f.name) for f in UrlImage._meta.concrete_fields if f.name != "updated_at"}


# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_image_is_downloaded_validated_and_stored_as_webp_variants(
    image_web, media, django_capture_on_commit_callbacks
):
    image = _request(
        django_capture_on_commit_callbacks,
        url=image_web.url("/poster.jpg"),
        license="CC BY 4.0",
        attribution="Photo: Jane Doe",
    )

    assert image.status == StageStatus.DONE, image.last_error
    digest = hashlib.sha256(POSTER).hexdigest()
    assert (image.format, image.width, image.height) == ("JPEG", 1600, 900)
    assert (image.byte_size, image.content_hash, image.attempts) == (len(POSTER), digest, 1)
    assert image.variants == {w: f"/media/{variant_path(digest, w)}" for w in ("160", "480", "1200")}
    for width in (160, 480, 1200):
        with Image.open(media / variant_path(digest, width)) as stored:
            assert (stored.format, stored.size) == ("WEBP", (width, round(900 * width / 1600)))
    assert (image.license, image.attribution) == ("CC BY 4.0", "Photo: Jane Doe")


@pytest.mark.django_db
def test_the_same_image_at_two_urls_is_stored_once(image_web, media, django_capture_on_commit_callbacks):
    first = _request(django_capture_on_commit_callbacks, url=image_web.url("/poster.jpg"))
    files = _stored_files(media)

    second = _request(django_capture_on_commit_callbacks, url=image_web.url("/same-poster-elsewhere.jpg"))

    assert first.pk != second.pk
    assert second.status == StageStatus.DONE
    assert second.content_hash == first.content_hash
    assert second.variants == first.variants
    assert (second.format, second.width, second.height) == ("JPEG", 1600, 900)
    assert _stored_files(media) == files
    assert len(files) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/bomb.png", "decompression bomb"),
        ("/login.jpg", "The response is an HTML page, not an image."),
        ("/missing.jpg", "HTTP 404: the page does not exist (any more)."),
    ],
)
def test_refused_and_missing_images_fail_with_their_reason_and_are_not_retried(
    image_web, media, django_capture_on_commit_callbacks, path, reason
):
    image = _request(django_capture_on_commit_callbacks, url=image_web.url(path))

    assert image.status == StageStatus.FAILED
    assert reason in image.last_error
    assert (image.attempts, image.retry_at, image.variants) == (1, None, {})
    assert not media.exists() or not any(media.rglob("*.webp"))


@pytest.mark.django_db
def test_an_image_over_the_byte_limit_is_refused_while_downloading(
    image_web, media, pipeline_settings, django_capture_on_commit_callbacks
):
    pipeline_settings.IMAGE_MAX_BYTES = 10_000
    image = _request(django_capture_on_commit_callbacks, url=image_web.url("/poster.jpg"))

    assert image.status == StageStatus.FAILED
    assert "over the limit of 10,000" in image.last_error


@pytest.mark.django_db
def test_a_timeout_is_retried_later(image_web, media, pipeline_settings, django_capture_on_commit_callbacks):
    pipeline_settings.SCRAPE_TIMEOUT_SECONDS = 0.5
    image = _request(django_capture_on_commit_callbacks, url=image_web.url("/_test/slow?seconds=2"))

    assert image.status == StageStatus.PENDING
    assert "Timed out" in image.last_error
    assert image.retry_at is not None
    assert image.retry_at > timezone.now()
    # The sweeper picks it up again once its retry time has come.
    assert pipeline_sweep(now=image.retry_at + dt.timedelta(seconds=1), grace_seconds=0)["url_images"] == 1
    # Images are a side branch: nothing downstream waits for them.
    assert pipeline_open_work() == 0
    assert pipeline_counts()["url_images"] == {"pending": 1}


@pytest.mark.django_db
def test_running_the_task_twice_changes_nothing(image_web, media, django_capture_on_commit_callbacks):
    image = _request(django_capture_on_commit_callbacks, url=image_web.url("/poster.jpg"))
    row, files = _row(image), _stored_files(media)

    image_fetch_task(image.pk)

    assert _row(image) == row
    assert _stored_files(media) == files

    # Even a second real run (a lease taken over) rewrites no file and ends with the same variants.
    UrlImage.objects.filter(pk=image.pk).update(status=StageStatus.PENDING)
    image_fetch_task(image.pk)
    image.refresh_from_db()
    assert (image.status, image.variants, image.attempts) == (StageStatus.DONE, row["variants"], 2)
    assert _stored_files(media) == files


@pytest.mark.django_db
def test_requesting_is_idempotent_and_keeps_licence_and_attribution(
    image_web, media, django_capture_on_commit_callbacks
):
    url = image_web.url("/photo.png")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = image_request(url=url)
        again = image_request(url=url + "#top", license="CC0")  # the same URL, normalised
        images_request([url, {"url": url, "attribution": "Venue press kit"}, "data:image/png;base64,AAAA"])
        images_request(["/relative.png", "ftp://example.org/x.png", "http://[broken"])

    assert again.pk == first.pk
    assert UrlImage.objects.count() == 1
    assert len(callbacks) == 1  # one fetch queued
    first.refresh_from_db()
    assert (first.url, first.license, first.attribution) == (url, "CC0", "Venue press kit")
    with pytest.raises(ValueError, match="Not an http"):
        image_request(url="data:image/png;base64,AAAA")


@pytest.mark.django_db
def test_variants_for_done_images_in_order_with_licence_and_attribution(
    image_web, media, django_capture_on_commit_callbacks
):
    photo = _request(django_capture_on_commit_callbacks, url=image_web.url("/photo.png"), license="CC0")
    poster = _request(django_capture_on_commit_callbacks, url=image_web.url("/poster.jpg"))
    _request(django_capture_on_commit_callbacks, url=image_web.url("/bomb.png"))

    found = image_variants_for(
        [
            {"url": poster.url, "license": "CC BY-SA 4.0", "attribution": "Jane Doe"},
            image_web.url("/bomb.png"),  # failed: left out
            "https://never.requested.example/x.jpg",  # unknown: left out
            photo.url,
            photo.url,  # once only
        ]
    )

    assert found == [
        {
            "url": poster.url,
            "width": 1600,
            "height": 900,
            "variants": poster.variants,
            "license": "CC BY-SA 4.0",
            "attribution": "Jane Doe",
        },
        {
            "url": photo.url,
            "width": 800,
            "height": 800,
            "variants": {
                "160": photo.variants["160"],
                "480": photo.variants["480"],
                "800": photo.variants["800"],
            },
            "license": "CC0",
            "attribution": None,
        },
    ]


@pytest.mark.django_db
def test_a_finished_image_makes_the_documents_showing_it_dirty_again(
    image_web, media, django_capture_on_commit_callbacks
):
    url = image_web.url("/poster.jpg")
    venue = Venue.objects.create(name="The Hall", image_urls=[url])
    artist = Artist.objects.create(name="Band", images=[{"url": url, "license": "CC BY 4.0"}])
    other = Venue.objects.create(name="Elsewhere", image_urls=[url + "-other.jpg"])
    for entity_type, entity in (("venue", venue), ("artist", artist), ("venue", other)):
        sync_mark_dirty(entity_type=entity_type, entity=entity)
    sync_push(target="firestore")
    assert not SyncRecord.objects.filter(target="firestore").exclude(status=SyncStatus.SYNCED).exists()
    assert _document("venue", venue).images[0].variants == []

    image = _request(django_capture_on_commit_callbacks, url=url)

    dirty = SyncRecord.objects.filter(target="firestore", status=SyncStatus.DIRTY)
    assert sorted(dirty.values_list("public_id", flat=True)) == sorted([venue.public_id, artist.public_id])
    sync_push(target="firestore")
    store = LocalDocumentStore(media.parent / "sync", "firestore")
    venue_doc = store.get("evt_venues", venue.public_id)
    assert venue_doc is not None
    # One image shape: the original, and its WebP variants narrowest first with their widths
    assert venue_doc["images"] == [
        {
            "url": url,
            "width": 1600,
            "height": 900,
            "variants": [{"url": image.variants[w], "width": int(w)} for w in ("160", "480", "1200")],
            "license": None,
            "attribution": None,
        }
    ]
    artist_doc = store.get("evt_artists", artist.public_id)
    assert artist_doc is not None
    assert artist_doc["images"][0]["license"] == "CC BY 4.0"
    assert [v["width"] for v in artist_doc["images"][0]["variants"]] == [160, 480, 1200]


@pytest.mark.django_db
def test_admin_lists_images_with_a_thumbnail_and_retries_failed_ones(
    image_web, media, django_capture_on_commit_callbacks, admin_client
):
    done = _request(django_capture_on_commit_callbacks, url=image_web.url("/poster.jpg"))
    failed = _request(django_capture_on_commit_callbacks, url=image_web.url("/missing.jpg"))

    page = admin_client.get("/admin/images/urlimage/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<img src="{done.variants["160"]}"' in html
    assert "HTTP 404" in html
    detail = admin_client.get(f"/admin/images/urlimage/{done.pk}/change/")
    assert detail.status_code == 200
    assert done.variants["1200"] in detail.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(
            "/admin/images/urlimage/",
            {"action": "retry", "_selected_action": [failed.pk, done.pk]},
        )
    failed.refresh_from_db()
    assert failed.status == StageStatus.PENDING
    assert len(callbacks) == 1


# ---------------------------------------------------------------------------------------------
# Through the pipeline


EVENT_PAGE = """<!DOCTYPE html><html><head><title>Shows</title>
<script type="application/ld+json">{event}</script></head><body><h1>Shows</h1></body></html>"""


@pytest.mark.django_db(transaction=True)
def test_an_event_image_found_on_a_page_ends_as_variants_of_the_performance(image_web, media):
    event = {
        "@context": "https://schema.org",
        "@type": "MusicEvent",
        "name": "Night Owls Live",
        "startDate": "2031-05-17T20:00:00-07:00",
        "image": [image_web.url("/poster.jpg"), "data:image/gif;base64,R0lGODlhAQABAAAAACw="],
        "location": {
            "@type": "MusicVenue",
            "name": "The Test Hall",
            "image": image_web.url("/photo.png"),
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "1 Main St",
                "addressLocality": "Seattle",
                "addressRegion": "WA",
                "addressCountry": "US",
            },
        },
        "performer": {"@type": "MusicGroup", "name": "Night Owls"},
    }
    (image_web.root / "shows.html").write_text(EVENT_PAGE.format(event=json.dumps(event)))
    source = sourcing.source_upsert(name="test-hall", kind="venue_site")
    url = sourcing.url_add(source=source, url=image_web.url("/shows.html"))

    sourcing.scrape_request(url=url, requested_by="test")

    performance = Performance.objects.get(name="Night Owls Live")
    assert performance.image_urls == [image_web.url("/poster.jpg")]  # a data: URI is never fetched
    poster = UrlImage.objects.get(url=image_web.url("/poster.jpg"))
    assert poster.status == StageStatus.DONE, poster.last_error
    assert {w: p.split("/")[-1] for w, p in poster.variants.items()} == {
        "160": "160.webp",
        "480": "480.webp",
        "1200": "1200.webp",
    }
    doc = _document("performance", performance)
    assert [(i.url, {str(v.width): v.url for v in i.variants}) for i in doc.images] == [
        (poster.url, poster.variants)
    ]
    venue = Venue.objects.get(name="The Test Hall")
    assert [(i.url, len(i.variants)) for i in _document("venue", venue).images] == [
        (image_web.url("/photo.png"), 3)
    ]
    assert UrlImage.objects.count() == 2

    # And the documents pushed carry the variants.
    sync_push(target="firestore")
    store = LocalDocumentStore(media.parent / "sync", "firestore")
    pushed = store.get("evt_performances", performance.public_id)
    assert pushed is not None
    assert {str(v["width"]): v["url"] for v in pushed["images"][0]["variants"]} == poster.variants
    for variant in poster.variants.values():
        with Image.open(io.BytesIO((media / variant.removeprefix("/media/")).read_bytes())) as stored:
            assert stored.format == "WEBP"
