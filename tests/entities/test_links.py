"""The link classifier (entities/resolution/links.py): URL forms as people and pages write them ->
one typed, normalised ID per identity; pages about something else -> no ID."""

from __future__ import annotations

import pytest

from entities.resolution.links import (
    TypedLink,
    classify_link,
    is_identifying,
    normalize_id,
    typed_external_ids,
)

SPOTIFY_ID = "4Z8W4fKeB5YxbusRsdQVPb"
MBID = "a74b1b7f-71a5-4011-9441-d0b5e4122711"
YT_CHANNEL = "UCmBA_wu8xGg1OfOkfW13Q0Q"


@pytest.mark.parametrize(
    ("url", "scheme", "value"),
    [
        # Spotify: locale prefixes, embeds, query strings, the URI form, the old player host
        (f"https://open.spotify.com/artist/{SPOTIFY_ID}", "spotify", SPOTIFY_ID),
        (f"https://open.spotify.com/artist/{SPOTIFY_ID}?si=abc123&nd=1", "spotify", SPOTIFY_ID),
        (f"https://open.spotify.com/intl-de/artist/{SPOTIFY_ID}", "spotify", SPOTIFY_ID),
        (f"https://open.spotify.com/embed/artist/{SPOTIFY_ID}/", "spotify", SPOTIFY_ID),
        (f"http://play.spotify.com/artist/{SPOTIFY_ID}", "spotify", SPOTIFY_ID),
        (f"spotify:artist:{SPOTIFY_ID}", "spotify", SPOTIFY_ID),
        (f"open.spotify.com/artist/{SPOTIFY_ID}", "spotify", SPOTIFY_ID),
        # Apple Music and the iTunes store it replaced
        ("https://music.apple.com/us/artist/radiohead/657515", "apple_music", "657515"),
        ("https://music.apple.com/gb/artist/657515?l=en", "apple_music", "657515"),
        ("https://itunes.apple.com/us/artist/radiohead/id657515?mt=1&app=music", "apple_music", "657515"),
        ("https://geo.music.apple.com/de/artist/radiohead/657515", "apple_music", "657515"),
        # Bandcamp: the subdomain is the artist, whatever the page below it
        ("https://thebeatles.bandcamp.com/", "bandcamp", "thebeatles"),
        ("https://Sleaford-Mods.bandcamp.com/album/spare-ribs?from=discover", "bandcamp", "sleaford-mods"),
        ("http://mdou-moctar.bandcamp.com/music", "bandcamp", "mdou-moctar"),
        ("https://mo.bandcamp.com/", "bandcamp", "mo"),  # a two-letter name is not a locale
        # SoundCloud, mobile host included
        ("https://soundcloud.com/flume", "soundcloud", "flume"),
        ("https://m.soundcloud.com/Flume/sets/palaces", "soundcloud", "flume"),
        ("https://soundcloud.com/flume?utm_source=clipboard", "soundcloud", "flume"),
        # YouTube channels, handles, legacy user and custom URLs; music.youtube.com; mobile
        (f"https://www.youtube.com/channel/{YT_CHANNEL}", "youtube", YT_CHANNEL),
        (f"https://music.youtube.com/channel/{YT_CHANNEL}?feature=share", "youtube", YT_CHANNEL),
        ("https://m.youtube.com/@BadBunny/videos", "youtube", "@badbunny"),
        ("https://www.youtube.com/user/radiohead", "youtube", "user/radiohead"),
        ("https://youtube.com/c/Radiohead/featured", "youtube", "c/radiohead"),
        # Instagram: case, trailing slash, query, mobile host, "@"
        ("https://www.instagram.com/badbunnypr/", "instagram", "badbunnypr"),
        ("https://instagram.com/BadBunnyPR?igshid=xyz", "instagram", "badbunnypr"),
        ("http://m.instagram.com/badbunnypr", "instagram", "badbunnypr"),
        ("instagram.com/@neumos", "instagram", "neumos"),
        # Facebook: vanity names, locale hosts, numeric pages, profile.php, pages/, people/
        ("https://www.facebook.com/BadBunnyPR", "facebook", "badbunnypr"),
        ("https://de-de.facebook.com/BadBunnyPR/", "facebook", "badbunnypr"),
        ("https://m.facebook.com/neumos?ref=page_internal", "facebook", "neumos"),
        ("https://web.facebook.com/neumos/events", "facebook", "neumos"),
        ("https://www.facebook.com/profile.php?id=100063531541234", "facebook", "100063531541234"),
        ("https://www.facebook.com/pages/The-Crocodile/118210628192836", "facebook", "118210628192836"),
        ("https://www.facebook.com/people/Some-Band/100089012345678/", "facebook", "100089012345678"),
        ("https://fb.com/neumos", "facebook", "neumos"),
        # TikTok (a video URL still names its account)
        ("https://www.tiktok.com/@badbunny", "tiktok", "badbunny"),
        ("https://www.tiktok.com/@BadBunny/video/7312345678901234567?lang=en", "tiktok", "badbunny"),
        # X / Twitter
        ("https://twitter.com/Radiohead", "twitter", "radiohead"),
        ("https://x.com/radiohead/status/123", "twitter", "radiohead"),
        ("https://mobile.twitter.com/radiohead", "twitter", "radiohead"),
        # MusicBrainz (beta host, upper-case MBID, a sub-page)
        (f"https://musicbrainz.org/artist/{MBID}", "musicbrainz", MBID),
        (f"https://beta.musicbrainz.org/artist/{MBID.upper()}/relationships", "musicbrainz", MBID),
        # Wikidata: wiki, entity, Special:EntityPage, mobile host
        ("https://www.wikidata.org/wiki/Q44190", "wikidata", "Q44190"),
        ("http://www.wikidata.org/entity/Q44190", "wikidata", "Q44190"),
        ("https://m.wikidata.org/wiki/Special:EntityPage/Q44190", "wikidata", "Q44190"),
        # Registries
        ("https://www.deezer.com/fr/artist/399", "deezer", "399"),
        ("https://tidal.com/browse/artist/3529", "tidal", "3529"),
        ("https://www.discogs.com/artist/3840-Radiohead", "discogs", "3840"),
        ("https://www.last.fm/music/Radiohead", "lastfm", "radiohead"),
        ("https://www.last.fm/de/music/Sigur+R%C3%B3s", "lastfm", "sigur rós"),
        ("https://www.songkick.com/artists/253846-radiohead", "songkick", "253846"),
        ("https://www.bandsintown.com/a/1170?came_from=257", "bandsintown", "1170"),
        ("https://en.wikipedia.org/wiki/Radiohead", "wikipedia", "en:Radiohead"),
        ("https://de.m.wikipedia.org/wiki/Sigur_R%C3%B3s", "wikipedia", "de:Sigur_Rós"),
        ("https://www.threads.net/@radiohead", "threads", "radiohead"),
        ("https://bsky.app/profile/radiohead.bsky.social", "bluesky", "radiohead.bsky.social"),
        # Anything else is a website: scheme, www, query and trailing slashes dropped
        ("https://www.Radiohead.com/?utm_source=x", "website", "radiohead.com"),
        ("http://radiohead.com/tour/", "website", "radiohead.com/tour"),
        ("https://linktr.ee/somebandname", "website", "linktr.ee/somebandname"),
    ],
)
def test_classify_link(url: str, scheme: str, value: str) -> None:
    typed = classify_link(url)
    assert typed is not None, url
    assert (typed.scheme, typed.value) == (scheme, value)


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "not a url",
        "mailto:band@example.com",
        "javascript:void(0)",
        f"https://open.spotify.com/album/{SPOTIFY_ID}",  # an album, not the artist
        f"https://open.spotify.com/track/{SPOTIFY_ID}",
        "https://open.spotify.com/artist/short",  # not a Spotify ID
        "https://music.apple.com/us/album/ok-computer/1097861387",
        "https://www.instagram.com/p/Cx1aBcDeF/",  # a post
        "https://www.instagram.com/reel/Cx1aBcDeF/",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",  # a video
        "https://youtu.be/dQw4w9WgXcQ",
        "https://www.facebook.com/events/123456789/",  # an event
        "https://www.facebook.com/sharer/sharer.php?u=https://x",
        "https://twitter.com/intent/tweet?text=hi",
        "https://soundcloud.com/discover",
        "https://bandcamp.com/somefan",  # a fan's collection
        "https://daily.bandcamp.com/features/x",
        "https://www.tiktok.com/tag/live",
        "https://www.ticketmaster.com/event/0F005F3C9C1A2B3C",  # ticket pages name no artist
        "https://www.eventbrite.com/e/show-tickets-123",
        "https://link.dice.fm/abc",
        "https://www.songkick.com/concerts/41234567-radiohead-at-o2",
        "https://maps.google.com/?cid=123",
        f"https://musicbrainz.org/release/{MBID}",
        "https://www.wikidata.org/wiki/Property:P434",
    ],
)
def test_pages_about_something_else_are_no_identity(url: str | None) -> None:
    assert classify_link(url) is None


def test_kinds_say_what_a_page_names() -> None:
    assert classify_link(f"https://musicbrainz.org/place/{MBID}") == TypedLink("musicbrainz", MBID, "place")
    assert classify_link("https://www.songkick.com/venues/1234-neumos") == TypedLink(
        "songkick", "1234", "place"
    )
    assert classify_link("https://www.bandsintown.com/v/10001") == TypedLink("bandsintown", "10001", "place")


def test_typed_external_ids_from_an_artist_source() -> None:
    """What the adapters put in the contract: IDs by scheme (some URL-valued) and the artist's URL."""
    external_ids = {
        "bandsintown_artist": "1170",
        "musicbrainz": MBID.upper(),
        "spotify": SPOTIFY_ID,
        "bandcamp": "https://radiohead.bandcamp.com/",
        "wikipedia": "https://en.wikipedia.org/wiki/Radiohead",
        "jambase": "https://www.jambase.com/band/radiohead",
        "ticketmaster": "K8vZ917G-e7",
    }
    links = ["https://www.radiohead.com/", f"https://open.spotify.com/artist/{SPOTIFY_ID}?si=1"]
    assert typed_external_ids(entity_type="artist", external_ids=external_ids, links=links) == [
        ("bandsintown", "1170"),
        ("musicbrainz", MBID),
        ("spotify", SPOTIFY_ID),
        ("bandcamp", "radiohead"),
        ("wikipedia", "en:Radiohead"),
        ("jambase", "jambase.com/band/radiohead"),
        ("ticketmaster", "K8vZ917G-e7"),
        ("website", "radiohead.com"),
    ]


def test_typed_external_ids_keep_only_what_can_name_the_entity() -> None:
    # A venue's sameAs to a MusicBrainz *place* counts; an artist page on the venue's record does not.
    ids = typed_external_ids(
        entity_type="venue",
        links=[
            f"https://musicbrainz.org/place/{MBID}",
            f"https://open.spotify.com/artist/{SPOTIFY_ID}",
            "https://www.instagram.com/neumos/",
            "https://www.facebook.com/events/1/",
        ],
    )
    assert ids == [("musicbrainz", MBID), ("instagram", "neumos")]
    # An artist's record never takes a place's ID.
    assert typed_external_ids(entity_type="artist", links=[f"https://musicbrainz.org/place/{MBID}"]) == []


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        ("musicbrainz", MBID.upper(), ("musicbrainz", MBID)),
        ("musicbrainz", "not-an-mbid", None),
        ("wikidata", "q42", ("wikidata", "Q42")),
        ("spotify", "nope", None),
        ("instagram", "@BadBunnyPR", ("instagram", "badbunnypr")),
        ("bandsintown_artist", " 1170 ", ("bandsintown", "1170")),
        ("dice_artist", "abc", ("dice_artist", "abc")),
        ("ticketmaster", "", None),
    ],
)
def test_normalize_id(scheme: str, value: str, expected: tuple[str, str] | None) -> None:
    assert normalize_id(scheme, value) == expected


def test_only_exact_schemes_resolve_alone() -> None:
    assert is_identifying("spotify")
    assert is_identifying("source:neumos")
    assert is_identifying("ticketmaster")  # a source API's own ID
    assert not is_identifying("website")
    assert not is_identifying("wikipedia")
    assert not is_identifying("lastfm")  # one Last.fm page per name, shared by namesakes
    # A venue's social account may be its complex's or its promoter's: it names no one room
    assert is_identifying("instagram", "artist")
    assert not is_identifying("instagram", "venue")
    assert is_identifying("musicbrainz", "venue")
