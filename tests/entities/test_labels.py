"""Staff decisions teach: labelled pairs fix their responsibilities in the EM (semi-supervised), in
both directions, and reach the estimated model from the batch resolver and the duplicate pass."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.hardcases.evaluate import Truth
from bench.hardcases.venues import generate_venues
from entities.resolution.batch import resolve_csv
from entities.resolution.estimate import M_PRIOR, estimate_u, expectation_maximisation
from entities.resolution.model import VENUE_FIELDS


def pattern(**levels: str) -> tuple[str, ...]:
    return tuple(levels.get(f, "missing") for f in VENUE_FIELDS)


SAME = pattern(name="exact", city="exact", street="exact")
ROOMS = pattern(name="different", city="exact", street="exact")  # another name at one address
APART = pattern(name="different", city="different", street="different")
TRAINING = Counter({SAME: 200, ROOMS: 200, APART: 2000})


def _em(labels=()):
    u, _, _ = estimate_u(1000, {}, lambda pairs: [APART] * len(pairs), max_pairs=200)
    return expectation_maximisation(
        TRAINING,
        u=u,
        m_start=M_PRIOR,
        train=["name", "city", "street"],
        labels=labels,
        label_weight=20.0,
    )


def test_labels_move_m_the_way_staff_answered():
    # given: unsupervised EM, which cannot tell whether another name at one address is a match
    free = _em().m["name"]["different"]

    # when: staff say such pairs are two venues / one venue
    apart = _em(labels=[(ROOMS, False)] * 10).m["name"]["different"]
    same = _em(labels=[(ROOMS, True)] * 10).m["name"]["different"]

    # then: m(name different | match) falls when they are not matches, and rises when they are
    assert apart < free < same


def test_labels_leave_the_match_share_to_the_unlabelled_pairs():
    # a label informs m, not how many matches the blocked pairs hold (which sets the prior)
    free, labelled = _em(), _em(labels=[(SAME, True)] * 50)
    assert labelled.pairs == free.pairs
    assert abs(labelled.lam - free.lam) < 0.05


@pytest.fixture(scope="module")
def hard_set(tmp_path_factory):
    path = tmp_path_factory.mktemp("labels") / "venues.csv"
    venues = generate_venues(500, seed=44)
    venues.write(path)
    return path, Truth.from_rows(venues.truth)


def test_the_batch_resolver_learns_from_labels(hard_set):
    # given: 40 decided pairs of the table (room pairs and copies of one venue)
    path, truth = hard_set
    ids = sorted(truth.entity)
    by_complex: dict[str, list[str]] = {}
    by_entity: dict[str, list[str]] = {}
    for rid in ids:
        if truth.complex[rid]:
            by_complex.setdefault(truth.complex[rid], []).append(rid)
        by_entity.setdefault(truth.entity[rid], []).append(rid)
    labels = []
    for members in by_complex.values():
        rooms = [(a, b) for a in members for b in members if a < b and truth.entity[a] != truth.entity[b]]
        labels += [(a, b, False) for a, b in rooms[:2]]
    for members in by_entity.values():
        if len(members) > 1:
            labels.append((members[0], members[1], True))
    labels = labels[:40]

    # when
    free = resolve_csv(path)
    taught = resolve_csv(path, labels=labels)

    # then: the model says what it learnt from, and its weights moved
    assert taught.model.details["labels"] == {
        "matches": sum(1 for *_, y in labels if y),
        "non_matches": sum(1 for *_, y in labels if not y),
    }
    assert free.model.details["labels"] == {"matches": 0, "non_matches": 0}
    assert taught.model.m != free.model.m
