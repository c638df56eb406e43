import datetime as dt

import pytest

from entities.resolution.keys import artist_fingerprint, performance_fingerprint, venue_fingerprint
from entities.resolution.normalize import (
    is_generic_host,
    name_tokens,
    normalize_artist_name,
    normalize_city,
    normalize_country,
    normalize_name,
    normalize_phone,
    normalize_postcode,
    normalize_street,
    normalize_text,
    split_artist_credit,
    venue_name_key,
    website_host,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Café Nine", "cafe nine"),
        ("  NEUMOS  ", "neumos"),
        ("Neumo's", "neumos"),
        ("Neumo’s", "neumos"),
        ("Rock & Roll Hotel", "rock and roll hotel"),
        ("Rock&Roll", "rock and roll"),
        ("Bar—Club / Lounge", "bar club lounge"),
        ("Straße", "strasse"),
        ("Ñandú", "nandu"),
        ("snake_case-name", "snake case name"),
        ("", ""),
        (None, ""),
        ("!!!", ""),
    ],
)
def test_normalize_text(raw, expected):
    # when
    result = normalize_text(raw)

    # then
    assert result == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Showbox", "showbox"),
        ("Showbox", "showbox"),
        ("the crocodile", "crocodile"),
        ("The Moore Theatre", "moore theater"),
        ("Paramount Theater", "paramount theater"),
        ("Barbican Centre", "barbican center"),
        ("The The", "the"),
        ("The", "the"),
        ("Theatre of the Clouds", "theater of the clouds"),
        ("Bar Sinister", "bar sinister"),
    ],
)
def test_normalize_name_drops_leading_the_and_unifies_spelling(raw, expected):
    # when
    result = normalize_name(raw)

    # then
    assert result == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Showbox", "Showbox"),
        ("Show Box", "Showbox"),
        ("Neumo's", "NEUMOS"),
        ("A.C.E. Hall", "ACE Hall"),
        ("Moore Theatre", "The Moore Theater"),
    ],
)
def test_venue_name_key_equal(a, b):
    # when / then
    assert venue_name_key(a) == venue_name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hall Music", "Music Hall"),  # order is kept on purpose
        ("Showbox SoDo", "Showbox"),
        ("Neumos", "Barboza"),
    ],
)
def test_venue_name_key_different(a, b):
    # when / then
    assert venue_name_key(a) != venue_name_key(b)


def test_name_tokens():
    # when
    tokens = name_tokens("The Showbox at the Market")

    # then
    assert tokens == frozenset({"showbox", "at", "the", "market"})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Seattle", "seattle"),
        ("St. Louis", "saint louis"),
        ("Saint Louis", "saint louis"),
        ("Ft Worth", "fort worth"),
        ("Mt. Vernon", "mount vernon"),
        ("Montréal", "montreal"),
        (None, ""),
    ],
)
def test_normalize_city(raw, expected):
    # when / then
    assert normalize_city(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("UK", "GB"),
        ("de", "DE"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_country(raw, expected):
    # when / then
    assert normalize_country(raw) == expected


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("98122", "US", "98122"),
        ("98122-1234", "US", "98122"),
        ("981221234", "US", "98122"),
        ("2134", "US", "02134"),  # leading zero lost in a spreadsheet
        ("98122-1234", None, "98122"),
        ("sw1a 1aa", "GB", "SW1A1AA"),
        ("SW1A1AA", "GB", "SW1A1AA"),
        ("h2x 1y4", "CA", "H2X1Y4"),
        ("1012 AB", "NL", "1012AB"),
        ("00-950", "PL", "00950"),
        ("  ", "US", None),
        (None, None, None),
    ],
)
def test_normalize_postcode(raw, country, expected):
    # when / then
    assert normalize_postcode(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("925 E Pike St", "925 e pike st"),
        ("925 East Pike Street", "925 e pike st"),
        ("925 E. Pike St.", "925 e pike st"),
        ("1426 1st Avenue", "1426 1st ave"),
        ("1426 First Ave", "1426 1st ave"),
        ("1426 1st Av.", "1426 1st ave"),
        ("100 Sunset Boulevard", "100 sunset blvd"),
        ("100 Sunset Blvd", "100 sunset blvd"),
        ("5 Old Mill Road", "5 old mill rd"),
        ("5 Lakeshore Drive", "5 lakeshore dr"),
        ("1 N.E. 5th Avenue", "1 ne 5th ave"),
        ("1 Northeast 5th Ave", "1 ne 5th ave"),
        ("200 Southwest Main", "200 sw main"),
        ("123 North Main Street, Suite 4", "123 n main st"),
        ("123 N Main St #4", "123 n main st"),
        ("123 N Main St, Unit B", "123 n main st"),
        ("200 W 2nd St, 2nd Floor", "200 w 2nd st"),
        ("1234 Rue Ste-Catherine O", "1234 r ste catherine o"),  # Ste = Sainte, not a suite
        # every order and language to "<number> <street>", types to one token, compounds split
        ("Hauptstraße 5", "5 haupt st"),
        ("Gerber Strasse 36, 2. OG", "36 gerber st"),
        ("Gerberstraße 36 Ecke Bahnhofstraße", "36 gerber st"),
        ("Via Vittorio Emanuele II, 122", "122 via vittorio emanuele ii"),
        ("V. Vittorio Emanuele II 122", "122 via vittorio emanuele ii"),
        ("171, r. Nationale", "171 r nationale"),
        ("3 bis rue Oberkampf", "3b r oberkampf"),
        ("Calle Álvaro Obregón núm. 778", "778 c alvaro obregon"),
        ("c. Segovia, 187A, local 15, 48005 Bilbao", "187a c segovia"),
        ("Rua Ataulfo de Paiva, 2577a - Centro, 20230-912 Rio de Janeiro", "2577a r ataulfo paiva"),
        ("79½ Larimer Street", "79h larimer st"),
        ("79 1/2 Larimer St.", "79h larimer st"),
        ("Vrijdagstraat 31, 9e verdieping, 2560 CB Den Haag", "31 vrijdag st"),
        ("P.zza Santa Croce 12", "12 pl santa croce"),
        ("2450 Broadway between 90th and 91st Sts", "2450 broadway"),
        ("Insurgentes Sur #123", "123 insurgentes sur"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_street(raw, expected):
    # when / then
    assert normalize_street(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("206-709-9442", "US", "+12067099442"),
        ("(206) 709-9442", "US", "+12067099442"),
        ("+1 206 709 9442", "US", "+12067099442"),
        ("1-206-709-9442", "US", "+12067099442"),
        ("206.709.9442 ext. 12", "US", "+12067099442"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "US", None),  # a UK number without a country code is not a US number
        ("12", "US", None),
        ("call us!", "US", None),
        ("", "US", None),
        (None, "US", None),
    ],
)
def test_normalize_phone(raw, region, expected):
    # when / then
    assert normalize_phone(raw, default_region=region) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.neumos.com/events", "neumos.com"),
        ("http://Neumos.com", "neumos.com"),
        ("neumos.com/calendar?x=1", "neumos.com"),
        ("www.neumos.com", "neumos.com"),
        ("//www2.neumos.com", "neumos.com"),
        ("https://tickets.neumos.com:8443/", "tickets.neumos.com"),
        ("https://www.facebook.com/neumos", "facebook.com"),
        ("https://münchen.de", "xn--mnchen-3ya.de"),
        ("mailto:info@neumos.com", None),
        ("ftp://neumos.com", None),
        ("http://", None),
        ("not a url", None),
        ("localhost", None),
        ("", None),
        (None, None),
    ],
)
def test_website_host(url, expected):
    # when / then
    assert website_host(url) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("facebook.com", True),
        ("m.facebook.com", True),
        ("instagram.com", True),
        ("ticketmaster.com", True),
        ("eventbrite.com", True),
        ("songkick.com", True),
        ("bandsintown.com", True),
        ("linktr.ee", True),
        ("neumos.com", False),
        ("facebook.com.evil.example", False),
        ("notfacebook.com", False),
        ("", False),
        (None, False),
    ],
)
def test_is_generic_host(host, expected):
    # when / then
    assert is_generic_host(host) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Beyoncé feat. Jay-Z", "beyonce"),
        ("Beyonce ft. Jay-Z", "beyonce"),
        ("Beyonce featuring Jay-Z", "beyonce"),
        ("Beyonce (feat. Jay-Z)", "beyonce"),
        ("Beyoncé", "beyonce"),
        ("The Beatles", "beatles"),
        ("Beatles", "beatles"),
        ("Bonobo (DJ Set)", "bonobo"),
        ("Bonobo (Live)", "bonobo"),
        ("Bonobo [live]", "bonobo"),
        ("Bonobo (18+)", "bonobo"),
        ("Bonobo (Album Release Show)", "bonobo"),
        ("Bonobo (Migration World Tour)", "bonobo"),
        ("A (feat. B) (Live)", "a"),
        ("Nirvana (UK)", "nirvana uk"),  # disambiguation, not a show note
        ("Little Feat", "little feat"),  # "feat" at the end is part of the name
        ("Little Feat feat. Bonnie Raitt", "little feat"),
        ("Daft Punk", "daft punk"),
        ("!!!", "!!!"),  # normalises to nothing: keep a usable key
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_artist_name(raw, expected):
    # when / then
    assert normalize_artist_name(raw) == expected


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Beyoncé feat. Jay-Z", ["Beyoncé", "Jay-Z"]),
        ("A ft. B", ["A", "B"]),
        ("A featuring B", ["A", "B"]),
        ("A (feat. B)", ["A", "B"]),
        ("A with B", ["A", "B"]),
        ("A w/ B", ["A", "B"]),
        ("A + B", ["A", "B"]),
        ("A with B feat. C", ["A", "B", "C"]),
        ("Simon & Garfunkel", ["Simon & Garfunkel"]),
        ("Earth, Wind & Fire", ["Earth, Wind & Fire"]),
        ("Tom Petty and the Heartbreakers", ["Tom Petty and the Heartbreakers"]),
        ("A, B and C", ["A, B and C"]),  # not split: commas and "and" occur inside names
        ("Little Feat", ["Little Feat"]),
        ("A with a", ["A"]),  # duplicates removed
        ("", []),
        (None, []),
    ],
)
def test_split_artist_credit(credit, expected):
    # when / then
    assert split_artist_credit(credit) == expected


def test_split_artist_credit_keeps_protected_names_whole():
    # given
    credit = "Florence + the Machine w/ Sam Fender"

    # when
    plain = split_artist_credit(credit)
    protected = split_artist_credit(credit, keep=("Florence + The Machine",))

    # then
    assert plain == ["Florence", "the Machine", "Sam Fender"]
    assert protected == ["Florence + the Machine", "Sam Fender"]


# --- keys.py ----------------------------------------------------------------------------------------


def test_venue_fingerprint_is_stable_short_hex():
    # when
    fp = venue_fingerprint("The Showbox", "Seattle", "98101")

    # then
    assert len(fp) == 16
    assert int(fp, 16) >= 0
    assert fp == venue_fingerprint("Showbox", "SEATTLE", "98101-1234")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("The Crocodile", "Seattle", None), ("The Crocodile", "Portland", None)),
        (("Showbox", "Seattle", None), ("Showbox SoDo", "Seattle", None)),
        (("Showbox", "Seattle", "98101"), ("Showbox", "Seattle", None)),
    ],
)
def test_venue_fingerprint_differs(a, b):
    # when / then
    assert venue_fingerprint(*a) != venue_fingerprint(*b)


def test_venue_fingerprint_requires_name():
    # when / then
    with pytest.raises(ValueError, match="name"):
        venue_fingerprint("  ", "Seattle")


def test_artist_fingerprint_ignores_feat_and_the():
    # when / then
    assert artist_fingerprint("Beyoncé feat. Jay-Z") == artist_fingerprint("Beyonce")
    assert artist_fingerprint("The Beatles") == artist_fingerprint("Beatles")
    assert artist_fingerprint("Beatles") != venue_fingerprint("Beatles", None)  # kinds never collide


def test_performance_fingerprint():
    # given
    day = dt.date(2025, 5, 17)

    # when
    fp = performance_fingerprint("venue-1", day, "Bonobo (DJ Set)")

    # then
    assert fp == performance_fingerprint("venue-1", "2025-05-17", "bonobo")
    assert fp != performance_fingerprint("venue-1", dt.date(2025, 5, 18), "Bonobo")
    assert fp != performance_fingerprint("venue-2", day, "Bonobo")


def test_performance_fingerprint_rejects_datetime():
    # when / then
    with pytest.raises(TypeError):
        performance_fingerprint("venue-1", dt.datetime(2025, 5, 17, 20, 0), "Bonobo")
