"""Word lists for venue and artist names, room words and billing notes, per language.

Written for this benchmark (no outside list): the kinds of words venue and act names are made of in
English, French, Spanish, Catalan, German, Italian, Portuguese and Dutch, with their articles and
genders where a name needs them. ``venue_name`` and the artist helpers compose them.
"""

from __future__ import annotations

import random


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


LANGS = ("en", "fr", "es", "ca", "de", "it", "pt", "nl")

# --- people ---------------------------------------------------------------------------------------

FIRST: dict[str, tuple[str, ...]] = {
    "en": _w(
        "James Mary Robert Patricia Michael Jennifer William Linda David Elizabeth Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Donald Ashley Steven Dorothy Paul Kimberly Andrew Emily Joshua Donna Kenneth Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Ronald Stephanie Jimmy Sadie Maggie Nora Stella Ida Mae June Otis Etta Ray Lou"
    ),
    "fr": _w(
        "Jean Marie Pierre Camille Léa Chloé Hélène Zoé Théo Mathéo Raphaël Noémie Élodie François Jérôme Gaëlle Benoît Anaïs Loïc Céline Agnès Stéphane Josée Aurélien Maëlle Clément Inès Mathilde Étienne Sébastien Gérard Françoise Margaux Adèle"
    ),
    "es": _w(
        "José María Sofía Lucía Martín Iñaki Íñigo Ramón Inés Begoña Ángel Jesús Nuria Pilar Álvaro Rocío Andrés Concepción Joaquín Maite Raúl Verónica Sebastián Guillermo Adrián Mónica Héctor Ainhoa Julián Dolores"
    ),
    "ca": _w(
        "Jordi Montserrat Pau Núria Marc Laia Oriol Mireia Arnau Èric Gemma Xavier Roser Quim Anna Lluís Meritxell Sergi Queralt Joan"
    ),
    "de": _w(
        "Jürgen Jörg Björn Anja Katrin Lukas Jonas Lena Sören Günther Käthe Ute Dörte Max Hannah Felix Jan Lotte Matthias Sabine Uwe Heike Klaus Birgit Tobias Mareike Hauke Grete Fritz Ludwig"
    ),
    "it": _w(
        "Giuseppe Giovanni Francesca Chiara Niccolò Lucia Matteo Sara Davide Giulia Lorenzo Federica Andrea Alessandra Pietro Elisa Marco Ilaria Gianluca Simona Tommaso Valentina Salvatore Rosalba Nicolò"
    ),
    "pt": _w(
        "João José Maria Ana Antônio Conceição Gonçalo Inês Tomás Raquel Rui Filipa Duarte Leonor Tiago Margarida Caetano Joana Vinícius Luíza Rodrigo Beatriz Sebastião Glória Mário"
    ),
    "nl": _w(
        "Jan Pieter Sanne Anouk Daan Bram Femke Joost Maarten Lotte Sjoerd Roos Thijs Eline Wouter Marieke Niels Fleur Gijs Hanneke Koen Ilse Teun Noor Jeroen"
    ),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "en": _w(
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Reed Bailey Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sullivan Russell Fisher Coleman Hayes Gibson Ellis Murray Ford Marshall Owens Kennedy Wells O'Brien McCarthy"
    ),
    "fr": _w(
        "Dupont Lefèvre Moreau Girard Rousseau Fontaine Chevalier Mercier Lambert Bonnet François Gauthier Martin Bernard Dubois Durand Leroy Roux Fournier Morel Laurent Simon Michel Garnier Faure André Blanc Guérin Boyer Lemoine Barbier Dumas Brun Perrin Leclerc Marchand Noël Caron Hébert"
    ),
    "es": _w(
        "García Fernández López Martínez Sánchez Pérez Gómez Ruiz Díaz Muñoz Álvarez Jiménez Núñez Romero Navarro Torres Domínguez Vázquez Ramos Gil Serrano Molina Castillo Ortega Delgado Rubio Marín Sanz Iglesias Medina Cortés Garrido Castro Suárez Ibáñez Peña"
    ),
    "ca": _w(
        "Puig Vila Soler Ferrer Roca Serra Pujol Vidal Font Riera Bosch Casals Mas Sala Pons Camps Batlle Rovira Oliveras Vilaró"
    ),
    "de": _w(
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schäfer Koch Köhler Groß Hoffmann Schulz Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner Krause Lehmann Schmitz Maier Jäger Vogel Friedrich Günther Weiß Böhm Brandt"
    ),
    "it": _w(
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Mancini Lombardi Moretti Fabbri Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola Sanna D'Angelo"
    ),
    "pt": _w(
        "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Fernandes Gonçalves Gomes Lopes Marques Araújo Simões Conceição Ribeiro Carvalho Almeida Teixeira Moreira Cardoso Rocha Barbosa Pinto Correia Mendes Nascimento Monteiro Azevedo Vieira Brandão Magalhães"
    ),
    "nl": (
        "de Jong",
        "Jansen",
        "de Vries",
        "van den Berg",
        "van Dijk",
        "Bakker",
        "Janssen",
        "Visser",
        "Smit",
        "Meijer",
        "de Boer",
        "Mulder",
        "de Groot",
        "Bos",
        "Vos",
        "Peters",
        "Hendriks",
        "van Leeuwen",
        "Dekker",
        "Brouwer",
        "de Wit",
        "Dijkstra",
        "Smits",
        "de Graaf",
        "van der Meer",
        "van der Linden",
        "Kok",
        "Jacobs",
        "de Haan",
        "Vermeulen",
        "van den Heuvel",
        "van der Veen",
        "van Beek",
        "IJzerman",
    ),
}

# --- venue names ----------------------------------------------------------------------------------

EN_ADJ = _w(
    "blue red black white golden silver green velvet electric royal grand little lucky wild lonely hidden "
    "secret rusty broken dusty midnight neon crystal copper iron crooked twisted empty jolly brave proud "
    "gentle savage rolling flying howling burning frozen hollow lost lazy mighty noble quiet shady smoky "
    "sweet tiny wicked amber cosmic dark lunar magic mystic northern rebel scarlet solar southern stone "
    "strange wooden yellow drunken sleepy"
)
EN_NOUN = _w(
    "moon star sun river bridge tower garden owl fox wolf bear crow raven horse lion anchor barrel bottle "
    "chapel mill forge foundry depot station harbor wharf dock lantern mirror door key crown palace "
    "temple market alley canyon valley meadow island ocean wave tide storm thunder cloud ember spark "
    "arrow hammer wheel compass ship comet planet orbit phoenix dragon siren pirate cowboy bandit outlaw "
    "sheriff ghost shadow echo rhythm melody groove needle speaker drum banjo fiddle harp bell kettle "
    "pint tap brew hop barley whiskey heron badger otter stag swan magnet rocket"
)
EN_TYPES = (
    "Bar", "Tavern", "Lounge", "Club", "Hall", "Room", "Cafe", "Saloon", "Pub", "Theatre", "Music Hall",
    "Social Club", "Taproom", "Cabaret", "Ballroom", "Jazz Club", "Supper Club", "Roadhouse", "Playhouse",
    "Listening Room", "Beer Hall", "Hi-Fi", "Arms", "Inn", "Records", "Canteen",
)  # fmt: skip

# (noun, gender) with gender "m"/"f" (Romance), "de"/"het" (Dutch), "m"/"f"/"n" (German).
FR_NOUN = tuple((w[:-2], w[-1]) for w in _w(
    "chat:m loup:m renard:m moulin:m jardin:m phare:m comptoir:m tonneau:m zinc:m bocal:m caveau:m "
    "nuage:m soleil:m zèbre:m baladin:m perroquet:m sous-marin:m atelier:m oiseau:m ours:m lune:f "
    "cigale:f étoile:f flèche:f maison:f guinguette:f péniche:f boule:f chope:f chouette:f fourmi:f "
    "sirène:f lanterne:f gare:f marmite:f olive:f"
))  # fmt: skip
FR_ADJ = tuple(tuple(w.split("/")) for w in _w(
    "noir/noire rouge/rouge bleu/bleue vert/verte doré/dorée joyeux/joyeuse perdu/perdue sauvage/sauvage "
    "électrique/électrique enchanté/enchantée endormi/endormie fou/folle blanc/blanche ivre/ivre "
    "gourmand/gourmande"
))  # fmt: skip
FR_PRE_ADJ = (
    ("Petit", "Petite"),
    ("Vieux", "Vieille"),
    ("Grand", "Grande"),
    ("Beau", "Belle"),
    ("Nouveau", "Nouvelle"),
)

ES_NOUN = tuple((w[:-2], w[-1]) for w in _w(
    "gato:m lobo:m zorro:m búho:m molino:m jardín:m faro:m barril:m tablao:m patio:m pájaro:m sol:m "
    "duende:m ruiseñor:m tranvía:m loro:m toro:m corsario:m luna:f cigarra:f estrella:f flecha:f casa:f "
    "sirena:f linterna:f estación:f bodega:f taberna:f calavera:f paloma:f lechuza:f sombra:f palmera:f"
))  # fmt: skip
ES_ADJ = tuple(tuple(w.split("/")) for w in _w(
    "negro/negra rojo/roja azul/azul verde/verde dorado/dorada viejo/vieja loco/loca perdido/perdida "
    "eléctrico/eléctrica tropical/tropical salvaje/salvaje dormido/dormida alegre/alegre flaco/flaca"
))  # fmt: skip
CA_NOUN = tuple((w[:-2], w[-1]) for w in _w(
    "gat:m llop:m mussol:m molí:m jardí:m far:m barril:m pati:m drac:m ocell:m lluna:f cigala:f "
    "estrella:f fletxa:f casa:f sirena:f llanterna:f estació:f bodega:f taverna:f granota:f"
))  # fmt: skip
CA_ADJ = tuple(tuple(w.split("/")) for w in _w(
    "negre/negra vermell/vermella blau/blava verd/verda daurat/daurada vell/vella boig/boja alegre/alegre"
))  # fmt: skip
DE_NOUN = tuple((w[:-2], w[-1]) for w in _w(
    "Mond:m Stern:m Fuchs:m Wolf:m Eule:f Mühle:f Garten:m Leuchtturm:m Anker:m Fass:n Bahnhof:m "
    "Kantine:f Hafen:m Schlachthof:m Kessel:m Bunker:m Turm:m Zirkus:m Tresor:m Kiez:m Schlot:m "
    "Dampfer:m Lokschuppen:m Werk:n Speicher:m Kranich:m Hirsch:m Bär:m Krone:f Spatz:m Rabe:m Löwe:m"
))  # fmt: skip
DE_ADJ = _w(
    "schwarz rot blau grün golden klein alt wild lustig verloren elektrisch silbern müde schief krumm"
)
IT_NOUN = tuple((w[:-2], w[-1]) for w in _w(
    "gatto:m lupo:m gufo:m mulino:m giardino:m faro:m barile:m pozzo:m sottomarino:m pappagallo:m "
    "ponte:m fico:m orso:m luna:f cicala:f stella:f freccia:f casa:f sirena:f lanterna:f stazione:f "
    "cantina:f officina:f balena:f lucciola:f civetta:f ortica:f ape:f"
))  # fmt: skip
IT_ADJ = tuple(tuple(w.split("/")) for w in _w(
    "nero/nera rosso/rossa blu/blu verde/verde dorato/dorata piccolo/piccola vecchio/vecchia matto/matta "
    "elettrico/elettrica selvaggio/selvaggia ubriaco/ubriaca felice/felice"
))  # fmt: skip
PT_NOUN = tuple((w[:-2], w[-1]) for w in _w(
    "gato:m lobo:m mocho:m moinho:m jardim:m farol:m barril:m porão:m sol:m pássaro:m galo:m "
    "tamborim:m bonde:m lua:f cigarra:f estrela:f flecha:f casa:f sereia:f lanterna:f estação:f "
    "taberna:f tasca:f adega:f coruja:f viola:f"
))  # fmt: skip
PT_ADJ = tuple(tuple(w.split("/")) for w in _w(
    "preto/preta vermelho/vermelha azul/azul verde/verde dourado/dourada pequeno/pequena velho/velha "
    "louco/louca elétrico/elétrica feliz/feliz bêbado/bêbada"
))  # fmt: skip
NL_NOUN = tuple((w.split(":")[0], w.split(":")[1]) for w in _w(
    "maan:de ster:de vos:de wolf:de uil:de molen:de tuin:de vuurtoren:de anker:het vat:het "
    "kelder:de haven:de brug:de paard:het melkweg:de kroeg:de zolder:de schuur:de kikker:de "
    "walvis:de spiegel:de klok:de hert:het zwaan:de"
))  # fmt: skip
NL_ADJ = _w("zwarte rode blauwe groene gouden kleine oude wilde vrolijke dronken stille scheve")

_VOWELS = "aeiouéèêàâîôûAEIOUÉÈÊÀÂÎÔÛ"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _title(s: str) -> str:
    return " ".join(_cap(w) for w in s.split(" "))


def _fr_article(noun: str, gender: str) -> str:
    if noun[0] in _VOWELS:
        return "L'"
    return "Le " if gender == "m" else "La "


def _it_article(noun: str, gender: str) -> str:
    if noun[0] in _VOWELS:
        return "L'"
    return "Il " if gender == "m" else "La "


def _of(lang: str, name: str) -> str:
    """The phrase "of <name>" in ``lang``, contracting the article ("du Moulin", "della Luna", "do Galo")."""
    words = name.split(" ", 1)
    head, rest = words[0], words[1] if len(words) > 1 else ""
    contractions = {
        "fr": {"Le": "du ", "La": "de la ", "Les": "des "},
        "es": {"El": "del ", "La": "de la ", "Los": "de los "},
        "ca": {"El": "del ", "La": "de la "},
        "it": {"Il": "del ", "La": "della ", "Lo": "dello "},
        "pt": {"O": "do ", "A": "da ", "Os": "dos "},
    }.get(lang, {})
    if rest and head in contractions:
        return contractions[head] + rest
    if lang in {"fr", "it"} and name.startswith("L'"):
        return ("de l'" if lang == "fr" else "dell'") + name[2:]
    return {
        "fr": "de ",
        "es": "de ",
        "ca": "de ",
        "it": "di ",
        "pt": "de ",
        "de": "im ",
        "nl": "van ",
        "en": "at ",
    }[lang] + name


def venue_name(rng: random.Random, lang: str) -> str:
    """A venue name as venues of a city speaking ``lang`` are named."""
    r = rng.random()
    c = rng.choice
    if lang == "en":
        adj, noun, kind = _cap(c(EN_ADJ)), _cap(c(EN_NOUN)), c(EN_TYPES)
        if r < 0.22:
            return f"The {adj} {noun}"
        if r < 0.42:
            return f"{adj} {noun} {kind}"
        if r < 0.52:
            return f"The {noun} & {_cap(c(EN_NOUN))}"
        if r < 0.62:
            return f"{c(SURNAMES['en'])}'s" + ("" if rng.random() < 0.4 else f" {kind}")
        if r < 0.74:
            return f"The {noun} {kind}"
        if r < 0.84:
            return f"The {adj} {noun} {kind}"
        if r < 0.92:
            return f"{noun} {_cap(c(EN_NOUN))}"
        return f"{c(FIRST['en'])}'s {noun}"
    if lang == "fr":
        noun, g = c(FR_NOUN)
        adj = c(FR_ADJ)[0 if g == "m" else 1]
        if r < 0.3:
            return f"{_fr_article(noun, g)}{_cap(noun)} {_cap(adj)}"
        if r < 0.45:
            pre = c(FR_PRE_ADJ)[0 if g == "m" else 1]
            return f"{'Le' if g == 'm' else 'La'} {pre} {_cap(noun)}"
        if r < 0.55:
            return f"Chez {c(FIRST['fr'])}"
        if r < 0.68:
            return f"Café {_of('fr', _fr_article(noun, g) + _cap(noun))}"
        if r < 0.78:
            return f"Le Bar à {_cap(c(FR_NOUN)[0])}s"
        if r < 0.88:
            return f"{_fr_article(noun, g)}{_cap(noun)}"
        return f"Le Comptoir {_of('fr', _fr_article(noun, g) + _cap(noun))}"
    if lang in {"es", "ca"}:
        nouns, adjs = (ES_NOUN, ES_ADJ) if lang == "es" or rng.random() < 0.4 else (CA_NOUN, CA_ADJ)
        noun, g = c(nouns)
        adj = c(adjs)[0 if g == "m" else 1]
        art = "El " if g == "m" else "La "
        if lang == "ca" and noun[0] in _VOWELS:
            art = "L'"
        if r < 0.3:
            return f"{art}{_cap(noun)} {_cap(adj)}"
        if r < 0.42:
            return f"Sala {_cap(noun)}"
        if r < 0.52:
            return f"Bar {c(SURNAMES[lang])}"
        if r < 0.62:
            return f"Café {_cap(noun)}"
        if r < 0.72:
            return f"Casa {c(SURNAMES[lang])}"
        if r < 0.8:
            return f"Taberna {_of(lang, art + _cap(noun))}" if lang == "es" else f"Cal {c(FIRST['ca'])}"
        if r < 0.9:
            return f"El Rincón de {c(FIRST[lang])}" if lang == "es" else f"{art}{_cap(noun)}"
        return f"{_cap(noun)} Club"
    if lang == "de":
        noun, g = c(DE_NOUN)
        adj = c(DE_ADJ)
        stem = adj[:-1] if adj.endswith("e") else adj
        if r < 0.18:
            return f"{'Zur' if g == 'f' else 'Zum'} {stem}en {noun}"
        if r < 0.36:
            return f"{_cap(stem)}{ {'m': 'er', 'f': 'e', 'n': 'es'}[g] } {noun}"
        if r < 0.48:
            return f"Club {noun}"
        if r < 0.58:
            return f"{noun}bar"
        if r < 0.66:
            return f"Kulturhaus {noun}"
        if r < 0.74:
            return f"{noun}keller"
        if r < 0.82:
            return f"Café {noun}"
        if r < 0.9:
            return f"{c(SURNAMES['de'])}s Bierstube"
        return f"Musikclub {noun}"
    if lang == "it":
        noun, g = c(IT_NOUN)
        adj = c(IT_ADJ)[0 if g == "m" else 1]
        if r < 0.3:
            return f"{_it_article(noun, g)}{_cap(noun)} {_cap(adj)}"
        if r < 0.42:
            return f"Circolo {c(SURNAMES['it'])}"
        if r < 0.52:
            return f"Bar {c(SURNAMES['it'])}"
        if r < 0.6:
            return f"Teatro {c(SURNAMES['it'])}"
        if r < 0.72:
            return f"Osteria {_of('it', _it_article(noun, g) + _cap(noun))}"
        if r < 0.82:
            return f"Spazio {_cap(noun)}"
        if r < 0.9:
            return f"Caffè {c(SURNAMES['it'])}"
        return f"Arci {_cap(noun)}"
    if lang == "pt":
        noun, g = c(PT_NOUN)
        adj = c(PT_ADJ)[0 if g == "m" else 1]
        art = "O " if g == "m" else "A "
        if r < 0.3:
            return f"{art}{_cap(noun)} {_cap(adj)}"
        if r < 0.42:
            return f"Casa {_of('pt', art + _cap(noun))}"
        if r < 0.54:
            return f"Bar do {c(FIRST['pt'])}"
        if r < 0.64:
            return f"Café {_cap(noun)}"
        if r < 0.74:
            return f"Tasca do {c(FIRST['pt'])}"
        if r < 0.84:
            return f"Espaço {_cap(noun)}"
        if r < 0.92:
            return f"Galeria {c(SURNAMES['pt'])}"
        return f"Botequim do {c(FIRST['pt'])}"
    # nl
    noun, art = c(NL_NOUN)
    adj = c(NL_ADJ)
    article = "De" if art == "de" else rng.choice(("Het", "'t"))
    if r < 0.3:
        return f"{article} {_cap(adj)} {_cap(noun)}"
    if r < 0.45:
        return f"Café {article} {_cap(noun)}"
    if r < 0.57:
        return f"Club {_cap(noun)}"
    if r < 0.67:
        return f"Podium {_cap(noun)}"
    if r < 0.75:
        return f"Poppodium {_cap(noun)}"
    if r < 0.85:
        return f"{article} {_cap(noun)}"
    if r < 0.93:
        return f"Eetcafé {article} {_cap(noun)}"
    return f"Bar {c(SURNAMES['nl'])}"


# Leading articles per language (what sources add or drop).
ARTICLES: dict[str, tuple[str, ...]] = {
    "en": ("The",),
    "fr": ("Le", "La", "Les", "L'"),
    "es": ("El", "La", "Los", "Las"),
    "ca": ("El", "La", "L'", "Els"),
    "de": ("Der", "Die", "Das"),
    "it": ("Il", "La", "Lo", "L'", "I"),
    "pt": ("O", "A", "Os", "As"),
    "nl": ("De", "Het", "'t"),
}
# Words that say what a venue is, which sources drop or keep ("Crocodile" / "Crocodile Cafe").
TYPE_WORDS = frozenset(
    "bar club lounge tavern cafe café caffè pub saloon taproom hall sala salle saal zaal podium "
    "poppodium musikclub eetcafé".split()
)

# Common venue names: many venues of many cities are called this.
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("The Blue Room", "The Basement", "The Loft", "The Garage", "The Attic", "The Hideout", "The Underground", "The Local", "The Social", "The Cellar", "The Lounge", "The Studio", "Blue Moon", "The Anchor", "The Crown", "The Venue"),
    "fr": ("Le Bar", "La Cave", "Le Club", "Le Salon", "Le Comptoir", "Le Local", "La Scène", "Le Sous-sol", "Le Studio", "Le Zinc"),
    "es": ("El Sótano", "La Bodega", "El Patio", "La Sala", "El Local", "El Garaje", "La Taberna", "La Terraza"),
    "ca": ("La Sala", "El Pati", "La Bodega", "El Local", "La Cova"),
    "de": ("Der Keller", "Die Kantine", "Studio", "Club", "Kulturhaus", "Das Lokal", "Zum Anker", "Blue Moon"),
    "it": ("Il Circolo", "La Cantina", "Il Locale", "Lo Studio", "La Sala", "La Terrazza"),
    "pt": ("O Porão", "A Adega", "O Bar", "A Cave", "O Estúdio", "A Taberna"),
    "nl": ("De Kelder", "De Zolder", "Het Café", "De Bar", "De Studio", "De Kroeg"),
}  # fmt: skip

# Distinctive words: a name made of one is rare in any city ("Crocodile Cafe").
RARE_WORDS = _w(
    "Crocodile Zanzibar Marmalade Porcupine Kaleidoscope Sasquatch Armadillo Flamingo Mongoose Zeppelin "
    "Pelican Cassowary Tamarind Quasar Marzipan Okapi Narwhal Axolotl Bumblebee Pangolin Quetzal Ocelot "
    "Albatross Chameleon Mandolin Gramophone Periscope Trombone Juniper Saffron Cardamom Persimmon Kumquat "
    "Rhubarb Walrus Wombat Platypus Tortoise Lobster Octopus Jellyfish Starling Magpie Kingfisher Nightjar "
    "Tarantula Scorpion Basilisk Minotaur Cyclops Kraken Yeti Gargoyle Zodiac Nebula Aurora Monsoon "
    "Sirocco Mistral Avalanche Glacier Volcano Obsidian Quartz Cobalt Vermilion Indigo Magenta Turquoise "
    "Tangerine Apricot Pomegranate Zébulon Mirliton Tatou Ornitorrinco Colibrí Pingüino Guacamayo "
    "Eichhörnchen Maulwurf Igel Pinguin Walross Pipistrello Riccio Tucano Capivara Jabuti Tamanduá Egel "
    "Eekhoorn Stekelvarken Bazooka Calypso Dynamo Galápagos Hurricane Jukebox Kazoo Lollipop Manifesto "
    "Nautilus Oasis Pagoda Quixote Rodeo Samovar Tobogan Ukulele Vortex Wigwam Xylophone Yodel Zither "
    "Boomerang Catamaran Dirigible Escapade Fandango Gondola Harlequin Igloo Jamboree Kiosk Labyrinth "
    "Mosaic Odyssey Pantomime Rickshaw Sombrero Trampoline Umbrella Vaudeville Whirligig"
)

# --- rooms ----------------------------------------------------------------------------------------

ROOM_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("Ballroom", "Lounge", "Upstairs", "Downstairs", "Back Room", "Annex", "Rooftop", "Studio", "Stage", "Bar", "Hall", "Patio", "Main Stage", "Side Stage", "Loft", "Cellar", "Basement", "Garden", "Terrace", "Mezzanine", "Front Room", "Small Hall", "Big Room", "Showroom", "Balcony", "Courtyard"),
    "fr": ("Salle", "Petite Salle", "Grande Salle", "Cave", "Étage", "Terrasse", "Bar", "Club", "Studio", "Sous-sol", "Mezzanine", "Foyer", "Jardin", "Scène", "Salon", "Caveau", "Rooftop"),
    "es": ("Sala", "Sala Pequeña", "Sala Grande", "Sótano", "Terraza", "Azotea", "Escenario", "Bar", "Patio", "Estudio", "Planta Alta", "Club", "Anexo", "Salón"),
    "ca": ("Sala", "Sala Petita", "Sala Gran", "Soterrani", "Terrassa", "Escenari", "Bar", "Pati", "Estudi", "Club", "Altell"),
    "de": ("Saal", "Kleiner Saal", "Großer Saal", "Keller", "Dachterrasse", "Biergarten", "Bühne", "Bar", "Studio", "Foyer", "Lounge", "Hinterzimmer", "Obergeschoss", "Halle", "Kantine", "Hof"),
    "it": ("Sala", "Sala Piccola", "Sala Grande", "Cantina", "Terrazza", "Palco", "Bar", "Giardino", "Studio", "Soppalco", "Saletta", "Cortile", "Salone"),
    "pt": ("Sala", "Sala Pequena", "Sala Grande", "Cave", "Terraço", "Palco", "Bar", "Pátio", "Estúdio", "Salão", "Anexo", "Mezanino", "Porão"),
    "nl": ("Bovenzaal", "Grote Zaal", "Kleine Zaal", "Kelder", "Dakterras", "Podium", "Bar", "Studio", "Foyer", "Tuin", "Benedenzaal", "Zolder", "Achterzaal"),
}  # fmt: skip
# Numbered rooms: the word, then a number or letter.
ROOM_NUMBERED: dict[str, tuple[str, ...]] = {
    "en": ("Room", "Stage", "Studio", "Hall"),
    "fr": ("Salle", "Studio"),
    "es": ("Sala", "Estudio"),
    "ca": ("Sala",),
    "de": ("Saal", "Halle", "Studio"),
    "it": ("Sala", "Studio"),
    "pt": ("Sala", "Palco"),
    "nl": ("Zaal", "Studio"),
}
# Floors a room's address may carry.
FLOORS: dict[str, tuple[str, ...]] = {
    "en": ("2nd Floor", "Floor 2", "Upstairs", "Basement", "Rear", "Lower Level", "3rd Fl"),
    "fr": ("1er étage", "2e étage", "sous-sol", "RDC"),
    "es": ("planta 1", "1ª planta", "sótano", "bajo"),
    "ca": ("1a planta", "soterrani", "baixos"),
    "de": ("1. OG", "UG", "EG", "Hinterhaus", "2. Stock"),
    "it": ("1° piano", "piano terra", "seminterrato"),
    "pt": ("1º andar", "cave", "r/c"),
    "nl": ("1e verdieping", "souterrain", "bg"),
}
UNITS: dict[str, tuple[str, ...]] = {
    "en": ("Suite {n}", "Ste {n}", "Ste. {n}", "#{n}", "Unit {n}"),
    "fr": ("{n}e étage", "bât. B", "local {n}"),
    "es": ("local {n}", "bajo", "{n}º"),
    "ca": ("local {n}", "baixos"),
    "de": ("Hinterhof", "HH", "{n}. OG"),
    "it": ("int. {n}", "piano {n}"),
    "pt": ("loja {n}", "r/c", "{n}º andar"),
    "nl": ("hs", "{n}e verdieping"),
}
CROSS: dict[str, tuple[str, ...]] = {
    "en": ("at {x}", "& {x}", "(corner of {x})", "(at {x})", "btwn {x} & {y}"),
    "fr": ("angle {x}", "(à l'angle de {x})", "(angle {x})"),
    "es": ("esq. {x}", "esquina {x}", "(esquina con {x})"),
    "ca": ("cantonada {x}", "(cant. {x})"),
    "de": ("Ecke {x}", "(Ecke {x})"),
    "it": ("angolo {x}", "(ang. {x})"),
    "pt": ("esquina com {x}", "esq. {x}"),
    "nl": ("hoek {x}", "(hoek {x})"),
}
RENAMED_NOTES: dict[str, tuple[str, ...]] = {
    "en": ("{new} (formerly {old})", "{new} (fka {old})", "{new}, formerly {old}", "{new} (ex-{old})"),
    "fr": ("{new} (ex-{old})", "{new} (anciennement {old})"),
    "es": ("{new} (antes {old})", "{new} (ex {old})"),
    "ca": ("{new} (abans {old})", "{new} (antic {old})"),
    "de": ("{new} (ehemals {old})", "{new} (ex {old})", "{new} (vormals {old})"),
    "it": ("{new} (ex {old})", "{new} (già {old})"),
    "pt": ("{new} (antigo {old})", "{new} (ex-{old})"),
    "nl": ("{new} (voorheen {old})", "{new} (v/h {old})"),
}
WEB_PATHS: dict[str, tuple[str, ...]] = {
    "en": ("events", "calendar", "shows"),
    "fr": ("agenda", "programmation"),
    "es": ("agenda", "conciertos"),
    "ca": ("agenda", "concerts"),
    "de": ("programm", "veranstaltungen"),
    "it": ("eventi", "programma"),
    "pt": ("agenda", "programacao"),
    "nl": ("agenda", "programma"),
}
TLD: dict[str, str] = {
    "US": "com", "CA": "ca", "GB": "co.uk", "IE": "ie", "FR": "fr", "BE": "be", "CH": "ch", "AT": "at",
    "DE": "de", "ES": "es", "IT": "it", "PT": "pt", "BR": "com.br", "MX": "com.mx", "AR": "com.ar", "NL": "nl",
}  # fmt: skip

# Chains: (brand, domain). Fictional brands with a location in many cities.
CHAINS: tuple[tuple[str, str], ...] = (
    ("Rockhouse Live", "rockhouselive.com"), ("Blue Lizard Jazz Club", "bluelizardjazz.com"),
    ("Casa Bossa", "casabossa.com"), ("The Irish Rover", "irishrover.pub"), ("Hofbräu Bierhalle", "bierhalle-live.de"),
    ("The Vinyl Lounge", "vinyllounge.co"), ("Sala Clamor", "salaclamor.es"), ("Le Baiser Rouge", "baiserrouge.fr"),
    ("O'Malley's", "omalleys.ie"), ("Jazz Cat", "jazzcat.club"), ("Fado Vadio", "fadovadio.pt"),
    ("Milonga Central", "milongacentral.com"), ("Bowl & Bop", "bowlandbop.com"), ("Stereo Garden", "stereogarden.com"),
    ("Club Kamikaze", "kamikaze.club"), ("Tapas & Tunes", "tapasandtunes.com"), ("Cantina Sonora", "cantinasonora.com"),
    ("Kulturwerk", "kulturwerk.org"), ("Popcafé", "popcafe.nl"), ("The Night Owl", "nightowlvenues.com"),
    ("Mojo Club", "mojoclub.eu"), ("Pianobar Ivory", "ivorypianobar.com"),
)  # fmt: skip
