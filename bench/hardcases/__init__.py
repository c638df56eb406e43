"""Hard-case generators and their evaluation, for entity resolution on data it has never seen.

``venues.generate_venues`` and ``artists.generate_artists`` build seeded, sized sets in which every
record carries its true entity and the case family it was generated for (and, for venues, the
complex it is a room of); ``evaluate`` scores a clustering pairwise, overall and per family;
``splink_venues`` holds the Splink settings used as the reference. ``bench/er_hard.py`` runs it all.
Pure Python: no Django anywhere below.
"""
