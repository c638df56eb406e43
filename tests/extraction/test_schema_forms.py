"""Every schema.org form: JSON-LD contexts, prefixes, expanded form, @reverse; RDFa 1.1; which events
are performances; superEvent/subEvent; eventSchedule; unnamed places. Pages written for these tests
(none copied from schema.org's or extruct's examples), a differential check of the JSON-LD expansion
against pyld on generated documents, and the per-syntax score on generated pages (tuning seeds)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pyld import jsonld as pyld

from bench.schema_pages import HORIZON_DAYS, REFERENCE_DATE, SYNTAXES, generate
from extraction.adapters.jsonld_forms import needs_processing, to_schema_shape
from extraction.adapters.schemaorg_values import is_performance_type, schema_term
from extraction.adapters.structured import extract_structured
from extraction.schemas import ExtractedPerformance, ExtractionResult

PAGE = "https://tinroom.example/shows/"
REFERENCE = dt.date(2026, 3, 1)


def _extract(page: str, **kwargs: Any) -> ExtractionResult:
    kwargs.setdefault("reference_date", REFERENCE)
    return extract_structured(page, url=PAGE, **kwargs)


def _ld(*documents: object) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(d)}</script>' for d in documents)


def _rows(result: ExtractionResult) -> list[tuple[object, ...]]:
    return [_row(p) for p in result.performances]


def _row(p: ExtractedPerformance) -> tuple[object, ...]:
    return (
        p.name,
        p.local_date.isoformat(),
        p.local_start_time.strftime("%H:%M") if p.local_start_time else None,
        p.venue.name if p.venue else None,
        sorted(x.artist.name for x in p.performers),
    )


# ---------------------------------------------------------------------------------------------
# JSON-LD forms


def test_compact_iris_with_a_custom_prefix_and_custom_terms() -> None:
    page = _ld(
        {
            "@context": {
                "sdo": "http://schema.org/",
                "gig": "sdo:MusicEvent",
                "when": "sdo:startDate",
                "where": {"@id": "sdo:location"},
                "band": {"@id": "sdo:performer", "@container": "@list"},
            },
            "@type": "gig",
            "sdo:name": "Prefix Night",
            "when": "2026-04-01T20:00:00-07:00",
            "where": {"@type": "sdo:MusicVenue", "sdo:name": "The Tin Room"},
            "band": [
                {"@type": "sdo:MusicGroup", "sdo:name": "Second"},
                {"@type": "sdo:MusicGroup", "sdo:name": "First"},
            ],
        }
    )
    [show] = _extract(page).performances
    assert _row(show) == ("Prefix Night", "2026-04-01", "20:00", "The Tin Room", ["First", "Second"])
    assert show.utc_offset_minutes == -420
    assert [p.artist.name for p in show.performers] == ["Second", "First"]  # the list's order is the billing


def test_expanded_form_with_value_objects_and_blank_node_references() -> None:
    page = _ld(
        [
            {
                "@id": "_:venue",
                "@type": ["https://schema.org/MusicVenue"],
                "https://schema.org/name": [{"@value": "Expanded Hall"}],
            },
            {
                "@type": ["http://schema.org/MusicEvent"],
                "http://schema.org/name": [{"@value": "Expanded Night", "@language": "en"}],
                "http://schema.org/startDate": [
                    {"@value": "2026-04-02T21:30", "@type": "http://schema.org/DateTime"}
                ],
                "http://schema.org/location": [{"@id": "_:venue"}],
                "http://schema.org/performer": [
                    {
                        "@type": ["http://schema.org/MusicGroup"],
                        "http://schema.org/name": [{"@value": "Value Band"}],
                    }
                ],
            },
        ]
    )
    assert _rows(_extract(page)) == [
        ("Expanded Night", "2026-04-02", "21:30", "Expanded Hall", ["Value Band"])
    ]


def test_reverse_keyword_lists_a_venues_events_and_a_reverse_term_their_acts() -> None:
    page = _ld(
        {
            "@context": "https://schema.org",
            "@type": "MusicVenue",
            "@id": "#tin",
            "name": "The Tin Room",
            "@reverse": {
                "location": [
                    {
                        "@type": "MusicEvent",
                        "@id": "#one",
                        "name": "Reverse One",
                        "startDate": "2026-04-03T19:00",
                    },
                    {"@type": "MusicEvent", "name": "Reverse Two", "startDate": "2026-04-04"},
                ]
            },
        },
        {
            "@context": ["https://schema.org", {"plays": {"@reverse": "performer"}}],
            "@type": "MusicGroup",
            "name": "Backwards Band",
            "plays": {"@id": "#one"},
        },
    )
    result = _extract(page)
    assert sorted(_rows(result)) == [
        ("Reverse One", "2026-04-03", "19:00", "The Tin Room", ["Backwards Band"]),
        ("Reverse Two", "2026-04-04", None, "The Tin Room", []),
    ]


def test_ids_are_shared_across_blocks_and_relative_references_meet_absolute_ones() -> None:
    page = _ld(
        {"@context": "https://schema.org", "@type": "MusicVenue", "@id": f"{PAGE}#hall", "name": "Shared Hall"},
        {"@context": "https://schema.org", "@type": "MusicEvent", "name": "Shared", "startDate": "2026-05-01",
         "location": {"@id": "#hall"}},
    )  # fmt: skip
    assert _rows(_extract(page)) == [("Shared", "2026-05-01", None, "Shared Hall", [])]


def test_scoped_context_nest_included_and_vocab_https() -> None:
    page = _ld(
        {
            "@context": {
                "@vocab": "https://schema.org/",
                "lineup": {"@id": "performer", "@context": {"who": "name"}},
            },
            "@type": "Event",
            "name": "Scoped",
            "@nest": {"startDate": "2026-06-01T18:15"},
            "lineup": [{"@type": "Person", "who": "Solo Act"}],
            "@included": [{"@type": "MusicEvent", "name": "Included", "startDate": "2026-06-02"}],
        }
    )
    assert sorted(_rows(_extract(page))) == [
        ("Included", "2026-06-02", None, None, []),
        ("Scoped", "2026-06-01", "18:15", None, ["Solo Act"]),
    ]


@pytest.mark.parametrize(
    "document",
    [
        {
            "@context": {"@vocab": "http://xmlns.com/foaf/0.1/"},
            "@type": "Event",
            "name": "FOAF",
            "startDate": "2026-01-01",
        },
        {"@context": {"foaf": "http://xmlns.com/foaf/0.1/"}, "@type": "foaf:Person", "foaf:name": "Alice"},
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Event",
            "name": "AS",
            "startTime": "2026-01-01",
        },
        {"@context": None, "@type": "MusicEvent", "name": "Null context", "startDate": "2026-01-01"},
    ],
    ids=["foaf-vocab", "foaf-prefix", "remote-context", "null-context"],
)
def test_other_vocabularies_give_nothing(document: dict[str, object]) -> None:
    result = _extract(_ld(document))
    assert result.is_empty


def test_a_remote_context_is_never_fetched_and_says_so() -> None:
    result = _extract(_ld({"@context": "https://example.org/ctx.jsonld", "@type": "Event", "name": "X"}))
    assert result.is_empty
    assert any(
        "remote @context 'https://example.org/ctx.jsonld' is not fetched" in w for w in result.warnings
    )


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ('{"@context": "https://schema.org", "@type": "Event", "startDate": "2026-01-01T20:00:00"}', False),
        ('{"@context":"http://schema.org/","url":"https://a.b/c"}', False),
        ('{"@type": "Event", "name": "no context at all"}', False),
        ('{"@context": "https://schema.org", "@graph": [{"@type": "Event", "@id": "#e"}]}', False),
        ('{"@context": {"s": "http://schema.org/"}, "s:name": "x"}', True),
        ('[{"http://schema.org/name": [{"@value": "x"}]}]', True),
        ('{"@context": "https://schema.org", "@reverse": {}}', True),
        ('{"@context": ["https://schema.org", {"a": "b"}]}', True),
        ('{"@context": "https://schema.org", "@graph": [{"@type": "Place", "@included": []}]}', True),
    ],
)
def test_plain_documents_skip_the_expansion_and_the_others_take_it(text: str, needs: bool) -> None:
    assert needs_processing(json.loads(text)) is needs


# ---------------------------------------------------------------------------------------------
# The JSON-LD expansion against pyld (a complete JSON-LD 1.1 processor), on generated documents


def _pyld_loader(url: str, options: object = None) -> dict[str, object]:
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": "http://schema.org/"}},
    }


def _facts_from_nodes(
    nodes: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]
) -> set[tuple[str, str, str]]:
    """(subject's name, property, literal or object's name) for every named subject."""

    def label(node: dict[str, Any]) -> str | None:
        node = by_id.get(node.get("@id", ""), node) if isinstance(node.get("@id"), str) else node
        name = node.get("name")
        name = name[0] if isinstance(name, list) else name
        return name if isinstance(name, str) else None

    facts = set()
    for node in nodes:
        subject = label(node)
        if subject is None:
            continue
        for key, values in node.items():
            if key.startswith("@"):
                continue
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict):
                    target = label(value)
                    if target is not None:
                        facts.add((subject, key, target))
                else:
                    facts.add((subject, key, str(value)))
    return facts


def _our_facts(document: object) -> set[tuple[str, str, str]]:
    shape = to_schema_shape(document, base_url=PAGE)
    nodes: list[dict[str, Any]] = []

    def walk(value: object, depth: int = 0) -> None:
        if depth > 50:
            return
        if isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, dict):
            if any(node is value for node in nodes):
                return
            nodes.append(value)
            for item in value.values():
                walk(item, depth + 1)

    walk(shape.document)
    walk(shape.extra)
    by_id: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if isinstance(node.get("@id"), str) and len(node) > 1:
            by_id.setdefault(node["@id"], {}).update(dict(node.items()))
    merged = [by_id.get(n["@id"], n) if isinstance(n.get("@id"), str) else n for n in nodes]
    return _facts_from_nodes(merged, by_id)


def _pyld_facts(document: object) -> set[tuple[str, str, str]]:
    flat = pyld.flatten(
        document, {"@vocab": "http://schema.org/"}, {"documentLoader": _pyld_loader, "base": PAGE}
    )
    graph = flat.get("@graph", [flat]) if isinstance(flat, dict) else flat
    nodes = [dict(node.items()) for node in graph]
    for node in nodes:  # the ids pyld made absolute are compared by name, like ours
        for key, value in list(node.items()):
            if key == "@type":
                continue
            if isinstance(value, dict) and "@list" in value:
                value = node[key] = value["@list"]
            if isinstance(value, dict) and "@value" in value:
                node[key] = value["@value"]
            elif isinstance(value, list):
                node[key] = [v["@value"] if isinstance(v, dict) and "@value" in v else v for v in value]
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    return _facts_from_nodes(nodes, by_id)


def _jsonld_documents(seed: int) -> list[object]:
    documents: list[object] = []
    for page in generate(seed, 3):
        if not page.syntax.startswith("jsonld"):
            continue
        html = page.html
        start = 0
        while (start := html.find('<script type="application/ld+json">', start)) >= 0:
            end = html.find("</script>", start)
            documents.append(json.loads(html[start + len('<script type="application/ld+json">') : end]))
            start = end
    return documents


@pytest.mark.parametrize("seed", [11, 12])
def test_expansion_states_what_pyld_states(seed: int) -> None:
    documents = _jsonld_documents(seed)
    assert len(documents) > 20
    for document in documents:
        ours, theirs = _our_facts(document), _pyld_facts(document)
        # Only schema.org's facts: pyld keeps other vocabularies' IRIs whole, as we do.
        assert {f for f in ours if ":" not in f[1]} == {f for f in theirs if ":" not in f[1]}, document


# ---------------------------------------------------------------------------------------------
# Which events are performances


@pytest.mark.parametrize(
    ("types", "performance"),
    [
        ("MusicEvent", True),
        ("Event", True),
        ("Festival", True),
        ("ComedyEvent", True),
        ("TheaterEvent", True),
        ("DanceEvent", True),
        ("LiteraryEvent", True),
        ("SocialEvent", True),
        ("ChildrensEvent", True),
        ("BroadcastEvent", False),
        ("PublicationEvent", False),
        ("OnDemandEvent", False),
        ("ScreeningEvent", False),
        ("ExhibitionEvent", False),
        ("SportsEvent", False),
        ("CourseInstance", False),
        ("EducationEvent", False),
        ("Hackathon", False),
        ("BirthEvent", False),
        ("DeathEvent", False),
        ("EventSeries", False),
        (["MusicEvent", "BroadcastEvent"], False),
        ("http://data-vocabulary.org/Event", False),
        ("foaf:Event", False),
        ("https://schema.org/MusicEvent", True),
    ],
)
def test_performance_types(types: str | list[str], performance: bool) -> None:
    names = frozenset(schema_term(t) for t in (types if isinstance(types, list) else [types]))
    assert is_performance_type(names) is performance


def test_a_broadcast_of_an_episode_and_a_publication_give_no_show() -> None:
    page = _ld(
        {
            "@context": "https://schema.org",
            "@type": "TVEpisode",
            "name": "Episode 4",
            "publication": {"@type": "BroadcastEvent", "name": "Airing", "startDate": "2026-04-01T20:00",
                            "location": {"@type": "Place", "name": "Studio"}},
        },
        {"@context": "https://schema.org", "@type": "PublicationEvent", "name": "Release", "startDate": "2026-04-02"},
        {"@context": "https://schema.org", "@type": "ScreeningEvent", "name": "Film", "startDate": "2026-04-03"},
        {"@context": "https://schema.org", "@type": "MusicEvent", "name": "Real Show", "startDate": "2026-04-04"},
    )  # fmt: skip
    assert [p.name for p in _extract(page).performances] == ["Real Show"]


# ---------------------------------------------------------------------------------------------
# Festivals and series


def test_a_set_names_its_dated_festival_which_is_an_event_too_and_lends_its_venue() -> None:
    page = _ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "Festival", "@id": "#fest", "name": "Riverside Fest", "startDate": "2026-07-10",
                 "endDate": "2026-07-12", "location": {"@type": "Place", "name": "River Park"}},
                {"@type": "MusicEvent", "name": "Main Stage: Band A", "startDate": "2026-07-10T18:00",
                 "performer": {"@type": "MusicGroup", "name": "Band A"}, "superEvent": {"@id": "#fest"}},
                {"@type": "MusicEvent", "name": "Tent: Band B", "startDate": "2026-07-11T20:00",
                 "location": {"@type": "Place", "name": "The Tent"}, "superEvent": {"@id": "#fest"}},
            ],
        }
    )  # fmt: skip
    assert sorted(_rows(_extract(page))) == [
        ("Main Stage: Band A", "2026-07-10", "18:00", "River Park", ["Band A"]),
        ("Riverside Fest", "2026-07-10", None, "River Park", []),
        ("Tent: Band B", "2026-07-11", "20:00", "The Tent", []),
    ]


def test_a_series_is_no_show_but_its_sub_events_are() -> None:
    page = _ld(
        {
            "@context": "https://schema.org",
            "@type": "EventSeries",
            "name": "Winter Sessions",
            "startDate": "2026-01-01",
            "location": {"@type": "MusicVenue", "name": "The Tin Room"},
            "subEvent": [
                {"@type": "MusicEvent", "name": "Session 1", "startDate": "2026-01-08T20:00"},
                {"@type": "MusicEvent", "name": "Session 2", "startDate": "2026-01-15T20:00"},
            ],
        }
    )
    assert _rows(_extract(page)) == [
        ("Session 1", "2026-01-08", "20:00", "The Tin Room", []),
        ("Session 2", "2026-01-15", "20:00", "The Tin Room", []),
    ]


# ---------------------------------------------------------------------------------------------
# eventSchedule


def _scheduled(schedule: dict[str, object], **kwargs: Any) -> ExtractionResult:
    event = {
        "@context": "https://schema.org",
        "@type": "MusicEvent",
        "@id": "#jam",
        "name": "Jazz Jam",
        "location": {"@type": "MusicVenue", "name": "The Tin Room"},
        "eventSchedule": {"@type": "Schedule", **schedule},
    }
    return _extract(_ld(event), **kwargs)


def test_weekly_schedule_within_the_horizon_with_exceptions_and_each_dates_offset() -> None:
    result = _scheduled(
        {
            "startDate": "2025-11-04",
            "repeatFrequency": "P1W",
            "byDay": "https://schema.org/Tuesday",
            "startTime": "20:00:00",
            "scheduleTimezone": "America/Los_Angeles",
            "exceptDate": "2026-03-17",
        },
        horizon_days=30,
    )
    shows = result.performances
    assert [(p.local_date.isoformat(), p.utc_offset_minutes) for p in shows] == [
        ("2026-03-03", -480),  # before the change to summer time
        ("2026-03-10", -420),
        ("2026-03-24", -420),
        ("2026-03-31", -420),
    ]
    assert {p.local_start_time for p in shows} == {dt.time(20, 0)}
    assert [p.source_key for p in shows][0] == f"{PAGE}#jam#2026-03-03"  # each date its own listing
    assert result.warnings == []


def test_monthly_schedule_by_week_of_month_and_repeat_count() -> None:
    result = _scheduled(
        {"startDate": "2026-03-01", "repeatFrequency": "P1M", "byDay": "FR", "byMonthWeek": -1,
         "startTime": "21:00", "repeatCount": 3},
        horizon_days=365,
    )  # fmt: skip
    assert [p.local_date.isoformat() for p in result.performances] == [
        "2026-03-27",
        "2026-04-24",
        "2026-05-29",
    ]
    assert {p.utc_offset_minutes for p in result.performances} == {None}  # no zone given, none claimed


def test_schedule_without_frequency_is_one_date_and_bad_values_warn() -> None:
    one = _scheduled({"startDate": "2026-04-10T19:30"})
    assert _rows(one) == [("Jazz Jam", "2026-04-10", "19:30", "The Tin Room", [])]
    odd = _scheduled({"startDate": "2026-04-10", "repeatFrequency": "PT12H", "scheduleTimezone": "Mars/Base"})
    assert [p.local_date.isoformat() for p in odd.performances] == ["2026-04-10"]
    assert any("unsupported repeatFrequency 'PT12H'" in w for w in odd.warnings)
    assert any("unknown scheduleTimezone 'Mars/Base'" in w for w in odd.warnings)


def test_a_daily_schedule_since_year_one_is_bounded_by_the_horizon_and_the_budget() -> None:
    result = _scheduled(
        {"startDate": "0001-01-01", "repeatFrequency": "P1D", "startTime": "12:00"}, horizon_days=3650
    )
    assert len(result.performances) == 400  # the budget's occurrences per event
    assert result.performances[0].local_date == REFERENCE
    assert any("more than 400 occurrences" in w for w in result.warnings)


# ---------------------------------------------------------------------------------------------
# RDFa


def test_rdfa_references_name_the_venue_by_the_referenced_node_never_by_the_reference() -> None:
    page = """<div vocab="http://schema.org/">
      <div typeof="MusicVenue" resource="#hidive"><span property="name">Hi-Dive</span></div>
      <div typeof="MusicEvent"><span property="name">By resource</span>
        <meta property="startDate" content="2026-04-05T21:00"><link property="location" href="#hidive"></div>
      <div typeof="MusicEvent"><span property="name">By rel</span><meta property="startDate" content="2026-04-06">
        <a rel="location" href="#hidive">our room</a></div>
      <div typeof="MusicEvent"><span property="name">Unknown ref</span><meta property="startDate" content="2026-04-07">
        <a rel="location" href="#nowhere">somewhere</a></div>
    </div>"""
    assert _rows(_extract(page)) == [
        ("By resource", "2026-04-05", "21:00", "Hi-Dive", []),
        ("By rel", "2026-04-06", None, "Hi-Dive", []),
        ("Unknown ref", "2026-04-07", None, None, []),  # never "#nowhere"
    ]


def test_rdfa_prefix_hanging_rel_rev_and_an_unnamed_place() -> None:
    page = """<section prefix="ev: http://schema.org/">
      <div typeof="ev:MusicEvent" about="#night"><span property="ev:name">Prefixed Night</span>
        <time property="ev:startDate" datetime="2026-05-01T20:30">May 1</time>
        <div rel="ev:location"><div typeof="ev:Place"><span property="ev:name">Hanging Hall</span></div></div>
        <span rel="ev:performer"><span typeof="ev:MusicGroup"><span property="ev:name">Inside Band</span></span></span>
      </div>
      <div typeof="ev:MusicGroup"><span property="ev:name">Outside Band</span><a rev="ev:performer" href="#night">plays</a></div>
      <div typeof="ev:Event"><span property="ev:name">Nameless Place Night</span><meta property="ev:startDate" content="2026-05-02">
        <div property="ev:location" typeof="ev:Place"><a property="ev:url" href="/about">About Missoula, MT</a></div></div>
    </section>"""
    result = _extract(page)
    assert _rows(result) == [
        ("Prefixed Night", "2026-05-01", "20:30", "Hanging Hall", ["Inside Band", "Outside Band"]),
        ("Nameless Place Night", "2026-05-02", None, None, []),
    ]
    assert result.venues == []


def test_rdfa_in_another_vocabulary_and_html_link_types_read_as_nothing() -> None:
    page = """<div vocab="http://xmlns.com/foaf/0.1/"><div typeof="Person"><span property="name">Bob</span></div>
      <div typeof="Event"><span property="name">FOAF event</span><meta property="startDate" content="2026-01-01"></div></div>
      <div vocab="http://schema.org/"><div typeof="TouristAttraction"><span property="name">Giant Rock</span></div>
      <div typeof="MusicEvent"><a rel="nofollow noopener" href="/e/1"><span property="name">Link Types</span></a>
      <meta property="startDate" content="2026-02-02"></div></div>"""
    result = _extract(page)
    assert _rows(result) == [("Link Types", "2026-02-02", None, None, [])]
    assert result.venues == []
    assert result.artists == []


def test_microdata_of_another_vocabulary_and_foreign_property_urls_read_as_nothing() -> None:
    page = """<div itemscope itemtype="http://data-vocabulary.org/Event"><span itemprop="summary">DV</span>
      <span itemprop="name">Data vocabulary</span><meta itemprop="startDate" content="2026-01-01"></div>
      <div itemscope itemtype="https://schema.org/MusicEvent"><span itemprop="http://xmlns.com/foaf/0.1/name">Wrong</span>
      <span itemprop="https://schema.org/name">Right</span><meta itemprop="startDate" content="2026-01-02"></div>"""
    assert _rows(_extract(page)) == [("Right", "2026-01-02", None, None, [])]


def test_microdata_itemref_shares_one_description_among_many_items() -> None:
    page = """<div id="hall"><div itemprop="location" itemscope itemtype="https://schema.org/MusicVenue">
      <span itemprop="name">Shared Hall</span></div></div>
      <span id="act" itemprop="performer" itemscope itemtype="https://schema.org/MusicGroup"><span itemprop="name">House Band</span></span>
      <p itemscope itemtype="https://schema.org/MusicEvent" itemref="hall act"><span itemprop="name">One</span>
        <meta itemprop="startDate" content="2026-03-03"></p>
      <p itemscope itemtype="https://schema.org/MusicEvent" itemref="hall"><span itemprop="name">Two</span>
        <meta itemprop="startDate" content="2026-03-04"></p>"""
    assert _rows(_extract(page)) == [
        ("One", "2026-03-03", None, "Shared Hall", ["House Band"]),
        ("Two", "2026-03-04", None, "Shared Hall", []),
    ]


# ---------------------------------------------------------------------------------------------
# Generated pages of every syntax (tuning seeds; bench/extract.py --forms reports a held-out seed)


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_pages_every_syntax_finds_its_events_and_no_distractor(seed: int) -> None:
    found: dict[str, list[int]] = {syntax: [0, 0] for syntax in SYNTAXES}
    false_shows = []
    for page in generate(seed, 4):
        result = extract_structured(
            page.html,
            url=page.url,
            default_timezone=page.default_timezone,
            reference_date=REFERENCE_DATE,
            horizon_days=HORIZON_DAYS,
        )
        got = {_row(p)[:3] for p in result.performances}
        want = [(t["name"], t["local_date"], t["local_start_time"]) for t in page.truth]
        found[page.syntax][0] += sum(1 for w in want if w in got)
        found[page.syntax][1] += len(want)
        false_shows += [p.name for p in result.performances if p.name in page.distractors]
    assert false_shows == []
    for syntax, (hits, total) in found.items():
        assert total > 0
        assert hits / total >= 0.98, (syntax, hits, total)
