"""Search keys (entities/search.py): pure, and the migration that filled them for existing rows computes
the same keys as the live code."""

from __future__ import annotations

import importlib

import pytest

from entities.search import search_key, search_words

NAMES = [
    ["St. Mark's Cathedral"],
    ["Saint Mark’s Cathedral", "St Marks"],
    ["Café Racer", "CAFE RACER"],
    ["The Crocodile", "Crocodile Café"],
    ["Théâtre du Châtelet"],
    ["Neumos", None, ""],
    ["A&B Hall"],
    ["東京ドーム"],
    ["x" * 1500],
]


@pytest.mark.parametrize("names", NAMES)
def test_the_migrations_copy_gives_the_same_keys(names):
    migration = importlib.import_module("entities.migrations.0005_search_key")
    assert migration._search_key(names) == search_key(names)


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("st marks", "st marks cathedral"),
        ("SAINT MARK'S", "st marks cathedral"),
        ("cafe", "cafe racer"),
        ("theatre chatelet", "theater du chatelet"),
        ("a & b", "a and b hall"),
    ],
)
def test_every_word_of_a_query_is_in_the_key(query, key):
    assert all(word in key for word in search_words(query))


def test_keys_name_each_spelling_once_and_stay_bounded():
    assert search_key(["Café Racer", "CAFE RACER", "Cafe  Racer!"]) == "cafe racer"
    assert len(search_key(["x" * 1500])) == 1000
    assert search_words("'!?") == []
