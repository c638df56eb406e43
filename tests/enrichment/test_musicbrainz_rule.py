"""The MusicBrainz matching rule (entities/enrichment/musicbrainz.py) on the real saved searches, and on
the cases the rule exists for: two artists of one name, tributes, a link that settles it."""

from __future__ import annotations

import json
from dataclasses import replace

from entities.enrichment.musicbrainz import choose_artist
from sourcing.clients.musicbrainz import MbArtist, parse_search
from tests.fake_apis import FIXTURES

MANOWAR = parse_search(json.loads((FIXTURES / "musicbrainz_ws2_artist_search_manowar.json").read_text()))
BURZUM = parse_search(json.loads((FIXTURES / "musicbrainz_ws2_artist_search_burzum.json").read_text()))


def test_one_exact_candidate_scored_100_is_the_artist():
    match = choose_artist("MANOWAR", MANOWAR)
    assert (match.mbid, match.rule) == ("00eeed6b-5897-4359-8347-b8cd28375331", "single")
    # ... and the same artist counts as local when the venue is in its country
    assert choose_artist("Manowar", MANOWAR, venue_countries={"US"}).rule == "area"


def test_names_that_merely_contain_the_query_never_match():
    # "Womanowar" and tributes scored below 100: not the artist of the page
    for name in ("Womanowar", "Hanowar", "Burzumennuz"):
        match = choose_artist(name, MANOWAR + BURZUM)
        assert match.mbid is None
        assert "scored 100" in match.reason


def test_an_alias_is_the_name_too():
    assert choose_artist("Man o' War", MANOWAR).mbid == "00eeed6b-5897-4359-8347-b8cd28375331"


def _twin(artist: MbArtist, *, mbid: str, country: str, disambiguation: str) -> MbArtist:
    return replace(
        artist, mbid=mbid, country=country, area="", area_countries=(), disambiguation=disambiguation
    )


def test_two_artists_of_one_name_need_a_country_or_a_link():
    # Two bands called Burzum, as MusicBrainz has for many names: the real one and a namesake
    real = BURZUM[0]
    namesake = _twin(
        real, mbid="11111111-2222-4333-8444-555555555555", country="US", disambiguation="Texas punk"
    )
    candidates = [real, namesake, *BURZUM[1:]]
    ambiguous = choose_artist("Burzum", candidates)
    assert ambiguous.mbid is None
    assert ambiguous.reason.startswith("2 exact candidates of 2 scored 100")
    # A venue in the US makes the American one the only local candidate
    assert choose_artist("Burzum", candidates, venue_countries={"US"}).mbid == namesake.mbid
    # A venue in Norway does not help: the real Burzum's area is a city, which names no country
    assert choose_artist("Burzum", candidates, venue_countries={"NO"}).mbid is None
    # One of the artist's own links settles it, whatever the venue
    linked = choose_artist("Burzum", candidates, linked_mbids={real.mbid}, venue_countries={"US"})
    assert (linked.mbid, linked.rule) == (real.mbid, "link")


def test_no_candidates_and_no_name():
    assert choose_artist("Anything", []).reason == "no candidate named 'Anything' scored 100"
    assert choose_artist("  ", MANOWAR).mbid is None
