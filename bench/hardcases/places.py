"""Countries, cities, streets, postcodes and telephone numbers as sources write them.

Cities are real, with their coordinates, dialling areas and postcode ranges; street names are
typical of each city's country; numbers are drawn from the ranges each country allocates to fixed
lines. Everything is rendered the way listings render it: long or short street words in the
country's language and order, national or international phone formats, postcode variants, city
exonyms. Pure Python, seeded through the ``random.Random`` passed in.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass

# --- countries -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    names: tuple[str, ...]  # ways sources write it; the ISO code first
    calling: str  # country calling code
    trunk: str  # national prefix written before the area code ("" when none)


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("US", ("US", "USA", "United States", "U.S.A.", "United States of America"), "1", "1"),
        Country("CA", ("CA", "Canada", "CAN"), "1", "1"),
        Country("GB", ("GB", "UK", "United Kingdom", "Great Britain"), "44", "0"),
        Country("IE", ("IE", "Ireland", "Éire", "Republic of Ireland"), "353", "0"),
        Country("FR", ("FR", "France", "FRA"), "33", "0"),
        Country("BE", ("BE", "Belgium", "Belgique", "België"), "32", "0"),
        Country("CH", ("CH", "Switzerland", "Schweiz", "Suisse", "Svizzera"), "41", "0"),
        Country("AT", ("AT", "Austria", "Österreich"), "43", "0"),
        Country("DE", ("DE", "Germany", "Deutschland", "DEU"), "49", "0"),
        Country("ES", ("ES", "Spain", "España", "Espana"), "34", ""),
        Country("IT", ("IT", "Italy", "Italia"), "39", ""),
        Country("PT", ("PT", "Portugal", "PRT"), "351", ""),
        Country("BR", ("BR", "Brazil", "Brasil"), "55", "0"),
        Country("MX", ("MX", "Mexico", "México"), "52", ""),
        Country("AR", ("AR", "Argentina"), "54", "0"),
        Country("NL", ("NL", "Netherlands", "Nederland", "The Netherlands", "Holland"), "31", "0"),
    )
}


# --- cities --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Area:
    code: str  # dialling area as written after the trunk prefix ("20" London, "06" Rome)
    sub_len: int  # digits of a subscriber number in this area
    sub_first: str  # digits a fixed-line subscriber number may start with


@dataclass(frozen=True, slots=True)
class City:
    names: tuple[str, ...]  # the local name first, then exonyms and plain-ASCII spellings
    country: str
    region: str  # state or province abbreviation where sources add one ("WA", "QC")
    lang: str  # language of names, street words and room words (en fr es ca de it pt nl)
    style: str  # address style (see STREET_KINDS)
    lat: float
    lng: float
    areas: tuple[Area, ...]
    postcodes: tuple[str, ...]  # whole codes, or prefixes completed by ``postcode``
    districts: tuple[str, ...] = ()  # neighbourhoods some sources add to the street (BR, MX)

    @property
    def name(self) -> str:
        return self.names[0]


def _codes(lo: int, hi: int, width: int, step: int = 1) -> tuple[str, ...]:
    return tuple(f"{n:0{width}d}" for n in range(lo, hi + 1, step))


def _a(code: str, sub_len: int, first: str = "23456789") -> Area:
    return Area(code, sub_len, first)


# Weighted roughly by how many live-music listings each city has; order inside a country matters
# (the first cities are the big ones).
CITIES: tuple[City, ...] = (
    # United States
    City(("New York", "New York City", "NYC", "Manhattan"), "US", "NY", "en", "us", 40.7128, -74.0060, (_a("212", 7), _a("646", 7)), _codes(10001, 10040, 5)),
    City(("Brooklyn", "New York", "Brooklyn NY"), "US", "NY", "en", "us", 40.6782, -73.9442, (_a("718", 7), _a("347", 7)), _codes(11201, 11238, 5)),
    City(("Los Angeles", "LA", "L.A."), "US", "CA", "en", "us", 34.0522, -118.2437, (_a("213", 7), _a("323", 7)), _codes(90004, 90069, 5)),
    City(("Chicago",), "US", "IL", "en", "us", 41.8781, -87.6298, (_a("312", 7), _a("773", 7)), _codes(60601, 60661, 5)),
    City(("Seattle",), "US", "WA", "en", "us", 47.6062, -122.3321, (_a("206", 7),), _codes(98101, 98122, 5)),
    City(("Austin",), "US", "TX", "en", "us", 30.2672, -97.7431, (_a("512", 7), _a("737", 7)), _codes(78701, 78759, 5)),
    City(("Nashville",), "US", "TN", "en", "us", 36.1627, -86.7816, (_a("615", 7),), _codes(37201, 37240, 5)),
    City(("New Orleans", "NOLA"), "US", "LA", "en", "us", 29.9511, -90.0715, (_a("504", 7),), _codes(70112, 70131, 5)),
    City(("San Francisco", "SF"), "US", "CA", "en", "us", 37.7749, -122.4194, (_a("415", 7),), _codes(94102, 94134, 5)),
    City(("Portland",), "US", "OR", "en", "us", 45.5152, -122.6784, (_a("503", 7), _a("971", 7)), _codes(97201, 97232, 5)),
    City(("Denver",), "US", "CO", "en", "us", 39.7392, -104.9903, (_a("303", 7), _a("720", 7)), _codes(80202, 80220, 5)),
    City(("Saint Louis", "St. Louis", "St Louis"), "US", "MO", "en", "us", 38.6270, -90.1994, (_a("314", 7),), _codes(63101, 63139, 5)),
    City(("Philadelphia", "Philly"), "US", "PA", "en", "us", 39.9526, -75.1652, (_a("215", 7), _a("267", 7)), _codes(19102, 19147, 5)),
    City(("Minneapolis",), "US", "MN", "en", "us", 44.9778, -93.2650, (_a("612", 7),), _codes(55401, 55419, 5)),
    City(("Portland",), "US", "ME", "en", "us", 43.6591, -70.2568, (_a("207", 7),), _codes(4101, 4103, 5)),
    City(("Athens",), "US", "GA", "en", "us", 33.9519, -83.3576, (_a("706", 7),), _codes(30601, 30606, 5)),
    # Canada
    City(("Toronto",), "CA", "ON", "en", "ca", 43.6532, -79.3832, (_a("416", 7), _a("647", 7)), ("M5V", "M6J", "M6K", "M4M", "M5T", "M6G", "M5A")),
    City(("Montréal", "Montreal"), "CA", "QC", "fr", "fr_ca", 45.5019, -73.5674, (_a("514", 7),), ("H2X", "H2W", "H2T", "H2J", "H2L")),
    City(("Vancouver",), "CA", "BC", "en", "ca", 49.2827, -123.1207, (_a("604", 7),), ("V6B", "V5L", "V6A", "V5T")),
    City(("Québec", "Quebec City", "Québec City", "Ville de Québec"), "CA", "QC", "fr", "fr_ca", 46.8139, -71.2080, (_a("418", 7),), ("G1K", "G1R", "G1L")),
    City(("London",), "CA", "ON", "en", "ca", 42.9849, -81.2453, (_a("519", 7),), ("N6A", "N6B")),
    # United Kingdom and Ireland
    City(("London",), "GB", "", "en", "gb", 51.5072, -0.1276, (_a("20", 8, "378"),), ("E1", "E2", "E8", "N1", "N16", "NW1", "SE1", "SE15", "SW9", "W1D", "EC1V", "WC2H")),
    City(("Manchester",), "GB", "", "en", "gb", 53.4808, -2.2426, (_a("161", 7),), ("M1", "M4", "M15", "M20")),
    City(("Glasgow",), "GB", "", "en", "gb", 55.8642, -4.2518, (_a("141", 7),), ("G1", "G2", "G3", "G12")),
    City(("Bristol",), "GB", "", "en", "gb", 51.4545, -2.5879, (_a("117", 7, "923"),), ("BS1", "BS2", "BS6")),
    City(("Leeds",), "GB", "", "en", "gb", 53.8008, -1.5491, (_a("113", 7, "234"),), ("LS1", "LS2", "LS6")),
    City(("Brighton", "Brighton and Hove", "Brighton & Hove"), "GB", "", "en", "gb", 50.8225, -0.1372, (_a("1273", 6),), ("BN1", "BN2")),
    City(("Dublin", "Baile Átha Cliath"), "IE", "", "en", "gb", 53.3498, -6.2603, (_a("1", 7),), ("D01", "D02", "D07", "D08")),
    City(("Cork", "Corcaigh"), "IE", "", "en", "gb", 51.8985, -8.4756, (_a("21", 7, "2349"),), ("T12", "T23")),
    # France
    City(("Paris",), "FR", "", "fr", "fr", 48.8566, 2.3522, (_a("1", 8, "4"),), _codes(75001, 75020, 5)),
    City(("Lyon", "Lyons"), "FR", "", "fr", "fr", 45.7640, 4.8357, (_a("4", 8, "7"),), _codes(69001, 69009, 5)),
    City(("Marseille", "Marseilles"), "FR", "", "fr", "fr", 43.2965, 5.3698, (_a("4", 8, "9"),), _codes(13001, 13016, 5)),
    City(("Bordeaux",), "FR", "", "fr", "fr", 44.8378, -0.5792, (_a("5", 8, "5"),), ("33000", "33100", "33200", "33300", "33800")),
    City(("Lille",), "FR", "", "fr", "fr", 50.6292, 3.0573, (_a("3", 8, "2"),), ("59000", "59800")),
    City(("Nantes",), "FR", "", "fr", "fr", 47.2184, -1.5536, (_a("2", 8, "4"),), ("44000", "44100", "44200", "44300")),
    City(("Toulouse",), "FR", "", "fr", "fr", 43.6047, 1.4442, (_a("5", 8, "6"),), ("31000", "31200", "31300", "31400", "31500")),
    City(("Strasbourg", "Straßburg"), "FR", "", "fr", "fr", 48.5734, 7.7521, (_a("3", 8, "8"),), ("67000", "67100", "67200")),
    # Belgium, Switzerland, Austria
    City(("Bruxelles", "Brussel", "Brussels"), "BE", "", "fr", "be_fr", 50.8503, 4.3517, (_a("2", 7, "2345678"),), ("1000", "1050", "1060", "1080")),
    City(("Antwerpen", "Anvers", "Antwerp"), "BE", "", "nl", "nl", 51.2194, 4.4025, (_a("3", 7, "2345678"),), ("2000", "2018", "2060")),
    City(("Gent", "Gand", "Ghent"), "BE", "", "nl", "nl", 51.0543, 3.7174, (_a("9", 7, "234"),), ("9000",)),
    City(("Liège", "Luik", "Liege"), "BE", "", "fr", "be_fr", 50.6326, 5.5797, (_a("4", 7, "23"),), ("4000", "4020")),
    City(("Zürich", "Zurich", "Zuerich"), "CH", "", "de", "ch", 47.3769, 8.5417, (_a("44", 7),), ("8001", "8003", "8004", "8005", "8037", "8045")),
    City(("Genève", "Geneva", "Genf", "Geneve"), "CH", "", "fr", "be_fr", 46.2044, 6.1432, (_a("22", 7, "37"),), _codes(1201, 1207, 4)),
    City(("Basel", "Bâle", "Basle"), "CH", "", "de", "ch", 47.5596, 7.5886, (_a("61", 7),), _codes(4051, 4058, 4)),
    City(("Bern", "Berne"), "CH", "", "de", "ch", 46.9480, 7.4474, (_a("31", 7),), _codes(3011, 3014, 4)),
    City(("Lausanne",), "CH", "", "fr", "be_fr", 46.5197, 6.6323, (_a("21", 7, "36"),), _codes(1003, 1007, 4)),
    City(("Wien", "Vienna", "Vienne"), "AT", "", "de", "at", 48.2082, 16.3738, (_a("1", 7),), _codes(1010, 1230, 4, 10)),
    City(("Graz",), "AT", "", "de", "at", 47.0707, 15.4395, (_a("316", 6),), ("8010", "8020")),
    # Germany
    City(("Berlin",), "DE", "", "de", "de", 52.5200, 13.4050, (_a("30", 8),), _codes(10115, 10999, 5, 4) + _codes(12043, 12059, 5)),
    City(("Hamburg",), "DE", "", "de", "de", 53.5511, 9.9937, (_a("40", 8),), _codes(20095, 22769, 5, 17)),
    City(("München", "Munich", "Muenchen", "Munchen"), "DE", "", "de", "de", 48.1351, 11.5820, (_a("89", 8),), _codes(80331, 81929, 5, 13)),
    City(("Köln", "Cologne", "Koeln", "Koln"), "DE", "", "de", "de", 50.9375, 6.9603, (_a("221", 7),), _codes(50667, 51149, 5, 7)),
    City(("Leipzig",), "DE", "", "de", "de", 51.3397, 12.3731, (_a("341", 7),), _codes(4103, 4357, 5, 3)),
    City(("Frankfurt am Main", "Frankfurt", "Frankfurt a. M.", "Frankfurt/Main"), "DE", "", "de", "de", 50.1109, 8.6821, (_a("69", 8),), _codes(60306, 60599, 5, 7)),
    # Spain
    City(("Madrid",), "ES", "", "es", "es", 40.4168, -3.7038, (_a("91", 7, "1234567"),), _codes(28001, 28053, 5)),
    City(("Barcelona",), "ES", "", "ca", "cat", 41.3874, 2.1686, (_a("93", 7, "1234567"),), _codes(8001, 8042, 5)),
    City(("València", "Valencia"), "ES", "", "es", "es", 39.4699, -0.3763, (_a("96", 7, "1234567"),), _codes(46001, 46026, 5)),
    City(("Sevilla", "Seville"), "ES", "", "es", "es", 37.3891, -5.9845, (_a("954", 6),), _codes(41001, 41020, 5)),
    City(("Bilbao", "Bilbo"), "ES", "", "es", "es", 43.2630, -2.9350, (_a("94", 7, "4"),), _codes(48001, 48015, 5)),
    City(("Córdoba", "Cordoba"), "ES", "", "es", "es", 37.8882, -4.7794, (_a("957", 6, "2345"),), _codes(14001, 14014, 5)),
    # Italy (the leading 0 of the area belongs to the number, abroad too)
    City(("Roma", "Rome"), "IT", "", "it", "it", 41.9028, 12.4964, (_a("06", 8),), _codes(118, 199, 5)),
    City(("Milano", "Milan"), "IT", "", "it", "it", 45.4642, 9.1900, (_a("02", 8),), _codes(20121, 20162, 5)),
    City(("Bologna",), "IT", "", "it", "it", 44.4949, 11.3426, (_a("051", 7),), _codes(40121, 40141, 5)),
    City(("Napoli", "Naples"), "IT", "", "it", "it", 40.8518, 14.2681, (_a("081", 7),), _codes(80121, 80147, 5)),
    City(("Torino", "Turin"), "IT", "", "it", "it", 45.0703, 7.6869, (_a("011", 7),), _codes(10121, 10156, 5)),
    City(("Firenze", "Florence"), "IT", "", "it", "it", 43.7696, 11.2558, (_a("055", 7),), _codes(50121, 50145, 5)),
    # Portugal, Brazil
    City(("Lisboa", "Lisbon"), "PT", "", "pt", "pt", 38.7223, -9.1393, (_a("21", 7, "123456789"),), ("1100", "1150", "1200", "1250", "1300")),
    City(("Porto", "Oporto"), "PT", "", "pt", "pt", 41.1579, -8.6291, (_a("22", 7, "123456789"),), ("4000", "4050", "4100")),
    City(("São Paulo", "Sao Paulo", "Sampa"), "BR", "SP", "pt", "br", -23.5505, -46.6333, (_a("11", 8, "2345"),), ("01001", "01310", "01414", "05415", "05433", "01227"), ("Consolação", "Pinheiros", "Vila Madalena", "Bela Vista", "República", "Barra Funda")),
    City(("Rio de Janeiro", "Rio"), "BR", "RJ", "pt", "br", -22.9068, -43.1729, (_a("21", 8, "23"),), ("20230", "20231", "22290", "22070", "22410"), ("Lapa", "Botafogo", "Copacabana", "Ipanema", "Centro")),
    City(("Belo Horizonte", "BH"), "BR", "MG", "pt", "br", -19.9167, -43.9345, (_a("31", 8, "3"),), ("30130", "30140", "30112"), ("Savassi", "Funcionários", "Centro")),
    # Mexico, Argentina
    City(("Ciudad de México", "CDMX", "Mexico City", "México D.F.", "Ciudad de Mexico"), "MX", "", "es", "mx", 19.4326, -99.1332, (_a("55", 8, "5"),), ("06700", "06140", "06600", "06000", "03100", "11000"), ("Col. Roma Norte", "Col. Condesa", "Col. Juárez", "Centro", "Col. Del Valle")),
    City(("Guadalajara",), "MX", "", "es", "mx", 20.6597, -103.3496, (_a("33", 8, "3"),), ("44100", "44160", "44600", "44690"), ("Col. Americana", "Centro", "Col. Lafayette")),
    City(("Monterrey",), "MX", "", "es", "mx", 25.6866, -100.3161, (_a("81", 8, "8"),), ("64000", "64010", "64720"), ("Centro", "Barrio Antiguo")),
    City(("Buenos Aires", "CABA", "Ciudad de Buenos Aires", "Capital Federal"), "AR", "", "es", "ar", -34.6037, -58.3816, (_a("11", 8, "45"),), ("1414", "1425", "1043", "1181", "1406")),
    City(("Córdoba", "Cordoba"), "AR", "", "es", "ar", -31.4201, -64.1888, (_a("351", 7, "4"),), ("5000", "5001", "5016")),
    # Netherlands
    City(("Amsterdam",), "NL", "", "nl", "nl", 52.3676, 4.9041, (_a("20", 7),), _codes(1011, 1099, 4)),
    City(("Rotterdam",), "NL", "", "nl", "nl", 51.9244, 4.4777, (_a("10", 7),), _codes(3011, 3089, 4)),
    City(("Utrecht",), "NL", "", "nl", "nl", 52.0907, 5.1214, (_a("30", 7),), _codes(3511, 3585, 4)),
    City(("Den Haag", "'s-Gravenhage", "The Hague"), "NL", "", "nl", "nl", 52.0705, 4.3007, (_a("70", 7),), _codes(2511, 2597, 4)),
    City(("Eindhoven",), "NL", "", "nl", "nl", 51.4416, 5.4697, (_a("40", 7),), _codes(5611, 5658, 4)),
    City(("Groningen",), "NL", "", "nl", "nl", 53.2194, 6.5665, (_a("50", 7),), _codes(9711, 9747, 4)),
)  # fmt: skip

# Share of listings per country (then Zipf by order inside the country).
COUNTRY_WEIGHT: dict[str, float] = {
    "US": 30, "CA": 5, "GB": 9, "IE": 2, "FR": 9, "BE": 3, "CH": 2, "AT": 2, "DE": 10,
    "ES": 7, "IT": 5, "PT": 2, "BR": 4, "MX": 3, "AR": 2, "NL": 5,
}  # fmt: skip


def city_weights() -> list[float]:
    """One weight per city of CITIES: its country's share, split Zipf-like over its cities."""
    rank: dict[str, int] = {}
    per_country: dict[str, int] = {}
    for city in CITIES:
        per_country[city.country] = per_country.get(city.country, 0) + 1
    weights = []
    for city in CITIES:
        r = rank[city.country] = rank.get(city.country, 0) + 1
        norm = sum(1 / k for k in range(1, per_country[city.country] + 1))
        weights.append(COUNTRY_WEIGHT[city.country] / r / norm)
    return weights


# --- streets -------------------------------------------------------------------------------------

# Per address style: street words as (long form, short forms...). Where the word goes is the style's.
STREET_KINDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "us": (("Street", "St", "St."), ("Avenue", "Ave", "Ave.", "Av"), ("Boulevard", "Blvd", "Blvd."), ("Road", "Rd", "Rd."), ("Drive", "Dr", "Dr."), ("Place", "Pl"), ("Lane", "Ln")),
    "ca": (("Street", "St", "St."), ("Avenue", "Ave", "Ave."), ("Road", "Rd"), ("Drive", "Dr"), ("Boulevard", "Blvd")),
    "gb": (("Street", "St", "St."), ("Road", "Rd", "Rd."), ("Lane", "Ln"), ("Square", "Sq"), ("Place", "Pl"), ("Terrace", "Terr", "Tce"), ("Row",), ("Parade", "Pde"), ("Crescent", "Cres"), ("Gardens", "Gdns")),
    "fr": (("rue", "r.", "R."), ("boulevard", "bd", "Bd", "boul.", "bld"), ("avenue", "av.", "Av.", "ave"), ("place", "pl.", "Pl."), ("quai", "q.", "Q."), ("impasse", "imp."), ("passage", "pass."), ("cours", "crs"), ("allée", "all.")),
    "fr_ca": (("rue", "r."), ("boulevard", "boul.", "bd", "blvd"), ("avenue", "av."), ("chemin", "ch."), ("place", "pl.")),
    "be_fr": (("rue", "r.", "R."), ("boulevard", "bd", "Bd"), ("avenue", "av.", "Av."), ("place", "pl."), ("chaussée", "chée", "ch."), ("quai", "q.")),
    "es": (("calle", "C/", "c/", "C.", "c."), ("avenida", "Av.", "Avda.", "avda."), ("plaza", "Pl.", "Pza.", "pza.", "Plza."), ("paseo", "P.º", "Pº", "Po."), ("ronda", "Rda."), ("travesía", "Trav."), ("glorieta", "Gta.")),
    "cat": (("carrer", "C/", "c/", "c."), ("avinguda", "Av.", "Avda."), ("plaça", "Pl.", "Pça."), ("passeig", "Pg.", "Pº"), ("rambla", "Rbla."), ("ronda", "Rda."), ("travessera", "Trav.")),
    "mx": (("calle", "C."), ("avenida", "Av.", "Ave.", "Avda."), ("boulevard", "Blvd."), ("paseo", "P.º"), ("privada", "Priv.")),
    "ar": (("calle", "C."), ("avenida", "Av.", "Avda."), ("pasaje", "Pje."), ("boulevard", "Blvd.")),
    "de": (("Straße", "Str.", "Strasse", "str."), ("Allee",), ("Platz", "Pl.", "pl."), ("Weg",), ("Damm",), ("Ufer",), ("Ring",), ("Chaussee",)),
    "ch": (("Strasse", "Str.", "str."), ("Platz", "Pl."), ("Weg",), ("Gasse", "G.")),
    "at": (("Straße", "Str.", "Strasse"), ("Gasse", "G.", "g."), ("Platz", "Pl."), ("Gürtel",), ("Weg",)),
    "it": (("via", "V.", "v."), ("viale", "V.le", "v.le"), ("piazza", "P.za", "P.zza", "p.zza", "P."), ("corso", "C.so", "c.so"), ("vicolo", "Vic.", "v.lo"), ("largo", "L.go"), ("borgo", "B.go")),
    "pt": (("rua", "R.", "r."), ("avenida", "Av.", "Avda."), ("travessa", "Tv.", "Trav."), ("praça", "Pç.", "Pça."), ("largo", "Lgo.", "L."), ("calçada", "Cç.", "Calç."), ("beco", "Bc.")),
    "br": (("rua", "R.", "r."), ("avenida", "Av.", "Avda."), ("alameda", "Al."), ("travessa", "Tv."), ("praça", "Pç."), ("largo", "Lgo.")),
    "nl": (("straat", "str."), ("gracht", "gr."), ("plein", "pl."), ("kade", "kd."), ("weg",), ("laan", "ln."), ("singel",), ("dijk",), ("steeg",)),
}  # fmt: skip

# Street names per style. A leading "=" marks a name used without a street word ("Broadway");
# in compound styles (de, ch, at, nl) a trailing "-" joins with a hyphen ("Karl-Marx-Straße") and a
# trailing space keeps two words ("Warschauer Straße"); other names join the word ("Oranienstraße").
STREET_NAMES: dict[str, tuple[str, ...]] = {
    "us": tuple(
        "Main|Pike|Pine|Madison|Market|Elm|Oak|Maple|Union|Spring|Church|Water|Front|Grand|Washington|"
        "Jefferson|Lincoln|Mission|Valencia|Frenchmen|Decatur|Congress|Lamar|Colfax|Larimer|Belmont|"
        "Halsted|Sunset|Fairfax|Ludlow|Magazine|Cherokee|Delmar|Hennepin|Lake|Fillmore|Divisadero|"
        "1st|2nd|3rd|4th|5th|6th|7th|8th|9th|10th|12th|14th|21st|23rd|=Broadway|=Bowery".split("|")
    ),
    "ca": tuple(
        "Queen|King|Yonge|College|Dundas|Bloor|Spadina|Ossington|Granville|Main|Commercial|Hastings|"
        "Richmond|Adelaide|Gerrard|Danforth|=Kingsway|=The Esplanade".split("|")
    ),
    "gb": tuple(
        "High|Church|Station|Camden High|Kingsland High|Holloway|Essex|Pentonville|Upper|Oldham|"
        "Newton|Sauchiehall|Call|Kirkgate|Western|Dame|Camden|Wexford|Leeson|Park|Victoria|Albert|"
        "Brick|Hackney|Mare|Coldharbour|Denmark|Tib|Dale|Gloucester|Union|=Stokes Croft|=Kingsway".split("|")
    ),
    "fr": tuple(
        "de la Roquette|Oberkampf|Saint-Maur|de Belleville|des Martyrs|Voltaire|de la République|"
        "de Valmy|Jean-Jaurès|Victor-Hugo|Gambetta|des Lombards|de Rivoli|Montmartre|de Clichy|"
        "de la Gaîté|Sainte-Catherine|du Faubourg-Saint-Denis|de Charonne|Jean-Pierre-Timbaud|"
        "de Ménilmontant|Paul-Bert|des Capucins|Mercière|de la Barre|d'Alsace-Lorraine|Pasteur|"
        "du Président-Wilson|de Metz|Nationale|Saint-Sauveur|de la Croix-Rousse|des Trois-Frères".split("|")
    ),
    "fr_ca": tuple(
        "Sainte-Catherine|Saint-Laurent|Saint-Denis|Mont-Royal|Rachel|Beaubien|Ontario|Saint-Jean|"
        "Cartier|de Maisonneuve|Notre-Dame|Saint-Hubert|Masson|Bernard|Saint-Viateur|Saint-Joseph".split("|")
    ),
    "be_fr": tuple(
        "Haute|Blaes|du Marché au Charbon|Neuve|de Flandre|Antoine Dansaert|de la Montagne|Royale|"
        "Anspach|de Stalingrad|de la Servette|des Bains|de Carouge|Saint-Gilles|Féronstrée|"
        "de la Madeleine|du Midi|de l'Ecuyer|Saint-Laurent|de Genève".split("|")
    ),
    "es": tuple(
        "de Alcalá|de la Princesa|del Pez|de Fuencarral|de San Vicente Ferrer|de Atocha|de Argumosa|"
        "de Embajadores|de Hortaleza|Mayor|de Lavapiés|de la Palma|del Espíritu Santo|de Toledo|"
        "de Segovia|de la Cava Baja|de San Bernardo|de las Delicias|de Colón|de la Paz|"
        "del Doctor Fourquet|de Bailén|de Velázquez|de la Alameda|de Feria|=Gran Vía".split("|")
    ),
    "cat": tuple(
        "de Tallers|de la Marina|de Sant Pau|del Parlament|de Sepúlveda|de Girona|de Verdi|"
        "de l'Allada-Vermell|de Pujades|d'Almogàvers|del Carme|de Blai|de Gràcia|de Sant Antoni Abat|"
        "de la Riereta|de Ferlandina".split("|")
    ),
    "mx": tuple(
        "Insurgentes Sur|Álvaro Obregón|Madero|Juárez|de la Reforma|Amsterdam|Tamaulipas|Durango|"
        "Colima|Chapultepec|Vallarta|Morelos|Hidalgo|Orizaba|Mazatlán|Zacatecas|Venustiano Carranza".split(
            "|"
        )
    ),
    "ar": tuple(
        "Corrientes|Santa Fe|Niceto Vega|Thames|Honduras|Gorriti|Humboldt|Federico Lacroze|Rivadavia|"
        "Boedo|Defensa|Chacabuco|Armenia|Balcarce|Sarmiento|Bolívar|Belgrano|Jerónimo Salguero".split("|")
    ),
    "de": tuple(
        "Oranien|Friedrich|Kastanien|Tor|Warschauer |Revaler |Sonnen|Weser|Hamburger |Haupt|Bahnhof|"
        "Markt|Schiller|Goethe|Kant|Karl-Marx-|Rosa-Luxemburg-|Berg|Mühlen|Brunnen|Linden|Schanzen|"
        "Grindel|Zülpicher |Aachener |Venloer |Landsberger |Kottbusser |Hermann|Gerber|Feuerbach|"
        "Kurfürsten|Sophien|Schönhauser |Müller|=Große Freiheit|=Reeperbahn|=Zeil|=Am Flutgraben".split("|")
    ),
    "ch": tuple(
        "Lang|Hard|Josef|Pfingstweid|Bahnhof|Limmat|Bäcker|Hohl|Kaserne|Gerbergässlein|Spital|"
        "Feld|Zwingli|Neugasse|=Bollwerk|=Kasernenhof".split("|")
    ),
    "at": tuple(
        "Lerchenfelder |Mariahilfer |Neubau|Josefstädter |Burg|Kaiser|Schönbrunner |Wallenstein|"
        "Lange|Sieben|Schotten|Annen|Schmiede|Neubaugürtel|=Gürtel|=Naschmarkt".split("|")
    ),
    "it": tuple(
        "Roma|del Pigneto|Libetta|Ostiense|Giuseppe Garibaldi|Cavour|Giuseppe Mazzini|dei Volsci|"
        "Alessandro Volta|Paolo Sarpi|di Porta Ticinese|San Vitale|del Pratello|Zamboni|dei Mille|"
        "Santa Croce|Nazionale|Vittorio Emanuele II|Dante|Vincenzo Bellini|dei Tribunali|Po|"
        "Vanchiglia|Nizza|Ghibellina|dei Serragli|Pietrapiana|Aurelio Saffi|Tiburtina|"
        "del Governo Vecchio|dei Coronari|Sannio".split("|")
    ),
    "pt": tuple(
        "Augusta|da Rosa|do Norte|da Atalaia|de São Paulo|da Liberdade|de Santa Catarina|das Flores|"
        "de Cândido dos Reis|de Cedofeita|de Passos Manuel|do Almada|da Galeria de Paris|Dom Pedro IV|"
        "do Poço dos Negros|dos Fanqueiros|do Diário de Notícias|de São Bento|da Boavista|"
        "de Santa Justa|do Carmo|Almirante Reis|da Madalena|de Alcântara".split("|")
    ),
    "br": tuple(
        "Augusta|Paulista|da Consolação|Teodoro Sampaio|Fradique Coutinho|dos Pinheiros|Mem de Sá|"
        "do Lavradio|Joaquim Silva|Visconde de Pirajá|da Bahia|Rio Branco|Brigadeiro Luís Antônio|"
        "Cardeal Arcoverde|Treze de Maio|Barão de Itapetininga|São João|Ipiranga|Bela Cintra|"
        "Haddock Lobo|Ataulfo de Paiva|Farme de Amoedo|Cristiano Viana".split("|")
    ),
    "nl": tuple(
        "Prinsen|Keizers|Leidse|Nieuwe Binnen|Oude|Witte de With|Kruis|Zee|Prins Hendrik|Stations|"
        "Korte Leidsedwars|Haarlemmer|Utrechtse|Bilderdijk|Ferdinand Bol|Marnix|Voor|Hoog|"
        "Kammen|Vlaanderen|Overpoort|Nationale|Kloos|Vrijdag|Wilhelmina|Stratumseind|"
        "=Weteringschans|=Spui|=Westersingel|=Overtoom|=Vredenburg|=Meir|=Graslei".split("|")
    ),
}

COMPOUND_STYLES = frozenset({"de", "ch", "at", "nl"})
# Styles that write the number after the street.
NUMBER_AFTER = frozenset({"be_fr", "es", "cat", "mx", "ar", "de", "ch", "at", "it", "pt", "br", "nl"})

DIRECTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "us": (("North", "N", "N."), ("South", "S", "S."), ("East", "E", "E."), ("West", "W", "W.")),
    "ca": (("West", "W"), ("East", "E")),
    "fr_ca": (("Est", "E"), ("Ouest", "O")),
}


@dataclass(frozen=True, slots=True)
class Address:
    """One place: what every record of a venue there describes, however it is written."""

    city: City
    number: int
    suffix: str  # "", "a", "bis", "1/2"
    street: str  # an entry of STREET_NAMES[style]
    kind: int  # index into STREET_KINDS[style], -1 for none
    direction: int  # index into DIRECTIONS[style], -1 for none
    postcode: str
    district: str  # "" or one of the city's districts
    lat: float
    lng: float


def street_address(
    rng: random.Random, city: City, *, street: str | None = None, kind: int | None = None
) -> Address:
    """A new address in ``city`` (on ``street``/``kind`` when given: another number on one street)."""
    style = city.style
    if street is None:
        street = rng.choice(STREET_NAMES[style])
    if kind is None:
        kinds = STREET_KINDS[style]
        # The first street word of a style is by far the most common one.
        kind = -1 if street.startswith("=") else (0 if rng.random() < 0.55 else rng.randrange(len(kinds)))
    directions = DIRECTIONS.get(style, ())
    direction = rng.randrange(len(directions)) if directions and rng.random() < 0.3 else -1
    hi = {"us": 3999, "ca": 1999, "br": 2999, "ar": 5999, "mx": 999}.get(style, 199)
    number = 1 + int(rng.random() ** 1.6 * hi)
    suffix = ""
    if rng.random() < 0.06:
        suffix = {"fr": "bis", "fr_ca": "A", "be_fr": "b", "us": "1/2"}.get(style, "a")
    # Within a few kilometres of the centre, denser near it.
    radius = 0.045 * rng.random() ** 0.7
    bearing = rng.random() * 2 * math.pi
    lat = city.lat + radius * math.sin(bearing)
    lng = city.lng + radius * math.cos(bearing) / max(0.2, math.cos(math.radians(city.lat)))
    district = rng.choice(city.districts) if city.districts else ""
    return Address(city, number, suffix, street, kind, direction, postcode(rng, city), district, lat, lng)


def postcode(rng: random.Random, city: City) -> str:
    """A postcode of ``city`` in its country's canonical form."""
    base = rng.choice(city.postcodes)
    cc = city.country
    digit, upper = string.digits, "ABCEGHJKLMNPRSTVXY"
    if cc == "CA":
        return f"{base} {rng.choice(digit)}{rng.choice(upper)}{rng.choice(digit)}"
    if cc == "GB":
        return f"{base} {rng.choice(digit)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    if cc == "IE":
        return f"{base} {rng.choice('ACDEFHKNPRTVWXY')}{rng.randrange(100, 999)}"
    if cc == "PT":
        return f"{base}-{rng.randrange(1, 999):03d}"
    if cc == "BR":
        return f"{base}-{rng.randrange(0, 999):03d}"
    if cc == "NL":
        letters = "ABCDEGHJKLMNPRTVWXZ"
        return f"{base} {rng.choice(letters)}{rng.choice(letters)}"
    if cc == "AR":
        return f"C{base}{''.join(rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3))}"
    return base


def render_postcode(rng: random.Random, code: str, country: str, *, messy: bool = False) -> str:
    """``code`` as one source writes it: spaces dropped, ZIP+4, old country prefixes, CPA shortened."""
    r = rng.random()
    if country == "US":
        return f"{code}-{rng.randrange(10000):04d}" if r < 0.2 else code
    if country in {"CA", "NL", "GB", "IE"} and r < (0.4 if messy else 0.2):
        return code.replace(" ", "") if rng.random() < 0.7 else code.lower()
    if country == "AR" and r < 0.5:
        return code[1:5]
    if country == "BR" and r < 0.3:
        return code.replace("-", "")
    if country in {"FR", "DE", "BE", "CH", "AT", "IT", "ES"} and r < (0.06 if messy else 0.02):
        return f"{country[0] if country != 'CH' else 'CH'}-{code}"
    return code


def render_city(rng: random.Random, city: City, *, messy: bool = False) -> str:
    """The city as one source names it: the local name mostly, else an exonym or an ASCII spelling,
    sometimes with its state or a Paris arrondissement."""
    r = rng.random()
    name = city.names[0]
    if len(city.names) > 1 and r < (0.35 if messy else 0.18):
        name = rng.choice(city.names[1:])
    if city.region and rng.random() < 0.12:
        name = f"{name}, {city.region}"
    elif city.names[0] == "Paris" and rng.random() < 0.05:
        arr = rng.randrange(1, 21)
        name = f"Paris {arr}{'er' if arr == 1 else 'e'}"
    return name


def render_country(rng: random.Random, country: str) -> str:
    names = COUNTRIES[country].names
    return names[0] if rng.random() < 0.5 else rng.choice(names)


# --- telephone numbers ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phone:
    country: str
    area: str
    subscriber: str

    def nearby(self, step: int) -> Phone:
        """Another line of one switchboard: the last digit ``step`` off."""
        last = (int(self.subscriber[-1]) + step) % 10
        return Phone(self.country, self.area, self.subscriber[:-1] + str(last))


def new_phone(rng: random.Random, city: City) -> Phone:
    area = rng.choice(city.areas)
    first = rng.choice(area.sub_first)
    rest = "".join(rng.choice(string.digits) for _ in range(area.sub_len - 1))
    if city.country in {"US", "CA"}:
        while first + rest[:2] in {"555", "211", "311", "411", "511", "611", "711", "811", "911"}:
            rest = "".join(rng.choice(string.digits) for _ in range(area.sub_len - 1))
    return Phone(city.country, area.code, first + rest)


def _groups(s: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    out, k = [], 0
    for n in sizes:
        out.append(s[k : k + n])
        k += n
    if k < len(s):
        out.append(s[k:])
    return sep.join(p for p in out if p)


def _sub_groups(sub: str) -> tuple[int, ...]:
    return {8: (4, 4), 7: (3, 4), 6: (3, 3)}.get(len(sub), (len(sub),))


def render_phone(rng: random.Random, phone: Phone, *, extension: bool = False) -> str:
    """``phone`` in one of the ways listings of its country write it (national forms mostly)."""
    cc = COUNTRIES[phone.country]
    a, s = phone.area, phone.subscriber
    nsn = a + s
    trunk = cc.trunk if phone.country not in {"US", "CA"} else ""
    national = trunk + a
    plus = "+" + cc.calling
    if phone.country in {"US", "CA"}:
        forms = [
            f"({a}) {s[:3]}-{s[3:]}", f"{a}-{s[:3]}-{s[3:]}", f"{a}.{s[:3]}.{s[3:]}", f"{a} {s[:3]} {s[3:]}",
            f"+1 {a} {s[:3]} {s[3:]}", f"+1-{a}-{s[:3]}-{s[3:]}", f"1-{a}-{s[:3]}-{s[3:]}", f"+1{nsn}",
            f"{nsn}", f"1 ({a}) {s[:3]}-{s[3:]}",
        ]  # fmt: skip
        weights = [30, 20, 8, 6, 10, 4, 5, 6, 4, 2]
    elif phone.country == "FR":
        pairs = _groups("0" + nsn, (2, 2, 2, 2, 2))
        forms = [pairs, pairs.replace(" ", "."), "0" + nsn, f"+33 {a} {_groups(s, (2, 2, 2, 2))}",
                 f"+33 (0){a} {_groups(s, (2, 2, 2, 2))}", f"+33{nsn}", f"0033 {a} {_groups(s, (2, 2, 2, 2))}"]  # fmt: skip
        weights = [45, 12, 6, 20, 6, 8, 3]
    elif phone.country in {"ES", "PT"}:
        three = _groups(nsn, (3, 3, 3))
        forms = [_groups(nsn, (3, 2, 2, 2)), _groups(nsn, (2, 3, 2, 2)), three, nsn, f"{plus} {three}",
                 f"{plus} {_groups(nsn, (2, 3, 2, 2))}", f"({plus}) {three}", f"00{cc.calling} {nsn}"]  # fmt: skip
        weights = [25, 15, 20, 8, 18, 6, 4, 4]
    elif phone.country == "IT":
        forms = [f"{a} {_groups(s, _sub_groups(s))}", f"{a} {s}", f"{a}-{s}", f"{a}/{s}",
                 f"+39 {a} {_groups(s, _sub_groups(s))}", f"+39 {nsn}", f"0039 {a} {s}"]  # fmt: skip
        weights = [35, 20, 6, 5, 22, 8, 4]
    elif phone.country == "MX":
        forms = [f"{a} {_groups(s, (4, 4))}", f"({a}) {s[:4]}-{s[4:]}", f"+52 {a} {_groups(s, (4, 4))}",
                 f"+52 ({a}) {s[:4]} {s[4:]}", f"01 {a} {_groups(s, (4, 4))}", nsn]  # fmt: skip
        weights = [30, 25, 20, 8, 3, 10]
    elif phone.country in {"BR", "AR"}:
        dash = f"{s[:-4]}-{s[-4:]}"
        forms = [
            f"({a}) {dash}",
            f"{a} {dash}",
            f"{plus} {a} {dash}",
            f"({national}) {dash}",
            f"{national} {dash}",
            f"{plus}{nsn}",
        ]
        weights = [35, 12, 22, 12, 10, 9]
        if phone.country == "AR":
            forms.append(dash)  # local listings often leave the area out
            weights.append(6)
    else:  # GB IE DE AT CH NL BE
        grouped = _groups(
            s,
            _sub_groups(s)
            if phone.country in {"GB", "IE", "NL"}
            else (3, 2, 2)
            if len(s) == 7
            else _sub_groups(s),
        )
        forms = [
            f"{national} {grouped}",
            f"{national} {s}",
            f"{plus} {a} {grouped}",
            f"{plus} (0){a} {grouped}",
            f"{plus}{nsn}",
            f"00{cc.calling} {a} {s}",
        ]
        weights = [35, 12, 25, 8, 10, 3]
        if phone.country in {"DE", "AT", "BE"}:
            forms += [f"{national}/{s}", f"{national}-{s}"]
            weights += [8, 4]
        if phone.country == "IE":
            forms.append(f"({national}) {grouped}")
            weights.append(10)
        if phone.country in {"DE", "AT"}:
            forms.append(f"{national} {s[:-1]}-{s[-1]}")  # a switchboard written as base-extension
            weights.append(2)
    text = rng.choices(forms, weights=weights)[0]
    if extension:
        ext = str(rng.randrange(1, 400))
        text += rng.choice(
            {
                "FR": (f" poste {ext}",),
                "IT": (f" int. {ext}",),
                "ES": (f" ext. {ext}",),
                "MX": (f" ext. {ext}", f" Ext {ext}"),
            }.get(phone.country, (f" ext. {ext}", f" x{ext}", f" ext {ext}", f" (ext. {ext})"))
        )
    return text


def e164(phone: Phone) -> str:
    return "+" + COUNTRIES[phone.country].calling + phone.area + phone.subscriber


def _abbreviate_saints(s: str) -> str:
    return s.replace("Saint-", "St-").replace("Sainte-", "Ste-").replace("Sant ", "St. ")


def _number(rng: random.Random, addr: Address) -> str:
    n = str(addr.number)
    if not addr.suffix:
        return n
    style = addr.city.style
    if addr.suffix == "1/2":
        return rng.choice((f"{n} 1/2", f"{n}½", f"{n}-1/2"))
    if addr.suffix == "bis":
        return rng.choice((f"{n} bis", f"{n}bis", f"{n} B", f"{n}B"))
    if style == "nl":
        return rng.choice((f"{n}{addr.suffix.upper()}", f"{n}-{addr.suffix.upper()}", f"{n} {addr.suffix}"))
    return rng.choice((f"{n}{addr.suffix}", f"{n} {addr.suffix}", f"{n}{addr.suffix.upper()}"))


def render_street(rng: random.Random, addr: Address, *, short: bool | None = None) -> str:
    """The street line of ``addr`` the way one source writes it: long or short street word, the
    country's word order, number suffixes, directions, districts; no unit, no cross street."""
    style = addr.city.style
    if short is None:
        short = rng.random() < 0.45
    street = addr.street.lstrip("=")
    word = ""
    if addr.kind >= 0:
        forms = STREET_KINDS[style][addr.kind]
        word = rng.choice(forms[1:]) if short and len(forms) > 1 else forms[0]
    number = _number(rng, addr)
    direction = ""
    if addr.direction >= 0:
        forms = DIRECTIONS[style][addr.direction]
        direction = rng.choice(forms[1:]) if short else forms[0]
    if style == "us":
        return " ".join(p for p in (number, direction, street, word) if p)
    if style in {"ca", "gb"}:
        return " ".join(p for p in (number, street, word, direction) if p)
    if style == "fr" or style == "fr_ca":
        if short and rng.random() < 0.5:
            street = _abbreviate_saints(street)
        if word and not short and rng.random() < 0.35:
            word = word.capitalize()
        sep = ", " if rng.random() < (0.6 if style == "fr_ca" else 0.2) else " "
        line = f"{number}{sep}{word} {street}" if word else f"{number}{sep}{street}"
        return f"{line} {direction}" if direction else line
    if style in COMPOUND_STYLES:
        if not word:
            return f"{street} {number}"
        if style == "ch" and word == "Straße":
            word = "Strasse"
        if street.endswith(("-", " ")):
            name = street + word[:1].upper() + word[1:]
        elif style != "nl" and rng.random() < 0.06:
            name = f"{street} {word[:1].upper() + word[1:]}"  # "Oranien Straße": wrong, and common
        else:
            name = street + word.lower()
        if style in {"de", "at"} and "ß" in name and rng.random() < 0.2:
            name = name.replace("ß", "ss")
        return f"{name} {number}"
    # Romance styles that put the number after the street.
    if short and style in {"es", "cat", "pt", "br", "it", "mx", "ar"} and rng.random() < 0.5:
        for article in (
            "de la ",
            "de las ",
            "de los ",
            "del ",
            "de l'",
            "d'",
            "de ",
            "da ",
            "do ",
            "das ",
            "dos ",
            "dei ",
            "del ",
            "di ",
        ):
            if street.startswith(article):
                street = street[len(article) :]
                break
    if word and not short:
        word = word.capitalize() if rng.random() < 0.75 else word
    if style == "ar" and rng.random() < 0.35:
        word = ""  # "Corrientes 1234"
    head = f"{word} {street}" if word else street
    r = rng.random()
    if style == "mx" and r < 0.3:
        line = f"{head} {rng.choice(('#', 'No. ', 'núm. '))}{number}"
    elif style in {"es", "it", "pt", "br", "cat", "be_fr"} and r < 0.55:
        line = f"{head}, {number}"
    elif style in {"es", "pt"} and r < 0.65:
        line = f"{head}, {rng.choice(('nº', 'n.º', 'n°'))} {number}"
    else:
        line = f"{head} {number}"
    if addr.district and rng.random() < (0.35 if style == "br" else 0.2):
        line += f" - {addr.district}" if style == "br" else f", {addr.district}"
    return line


def full_address(rng: random.Random, addr: Address, street_line: str, city_text: str) -> str:
    """The whole address in the street field, as some feeds put it."""
    cc = addr.city.country
    if cc in {"US", "CA"}:
        region = f", {addr.city.region}" if addr.city.region and "," not in city_text else ""
        return f"{street_line}, {city_text}{region} {addr.postcode}"
    if cc in {"GB", "IE"}:
        return f"{street_line}, {city_text} {addr.postcode}"
    return f"{street_line}, {addr.postcode} {city_text}"


def street_label(addr: Address) -> str:
    """The street of ``addr`` without its number, in long form ("rue de la Roquette", "Oranienstraße")."""
    style = addr.city.style
    street = addr.street.lstrip("=")
    if addr.kind < 0:
        return street
    word = STREET_KINDS[style][addr.kind][0]
    if style in {"us", "ca", "gb"}:
        return f"{street} {word}"
    if style in COMPOUND_STYLES:
        return street + word[:1].upper() + word[1:] if street.endswith(("-", " ")) else street + word.lower()
    return f"{word} {street}"
