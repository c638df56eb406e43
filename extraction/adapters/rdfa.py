"""RDFa 1.1 in an HTML page -> schema.org items in JSON-LD shape (pure Python, no Django).

The processing sequence of RDFa Core 1.1 (§7.5) and HTML+RDFa, run over the elements that carry
RDFa attributes (one CSS query; other elements change no evaluation context, so skipping them changes
no triple), in document order, each with the context its nearest RDFa ancestor left:

- `vocab` sets the vocabulary of bare terms; `prefix` (and `xmlns:p`) map prefixes, over RDFa's initial
  context (`schema:`, `foaf:`, `dc:`, `og:`...); only schema.org's IRIs are read: a page in FOAF
  (`vocab="http://xmlns.com/foaf/0.1/"`) yields typed nodes the mapper does not know;
- `typeof` types a new resource (`about`, `resource`, `href` or `src`, else a blank node); `about` names
  the subject; `property` gives a value: `content`, `datetime`, a reference (`resource`/`href`/`src`),
  the new typed resource, else the element's text;
- `rel`/`rev` link the subject to the object resource (`resource`/`href`/`src`, or the typed resource),
  forward or backward; a `rel` without an object ("hanging") links to the subjects found inside it.
  HTML's own link types (`nofollow`, `stylesheet`...) are HTML's, not the vocabulary's, and are ignored;
  a `rel` left with no usable term is treated as absent;
- a reference is a node: `rel="location" resource="#hidive"` points at the node `about="#hidive"`
  describes (the mapper resolves relative references against the page), and never becomes a name.

Nodes come out as dicts: `@id` (the resource, or `_:rdfaN` for a blank node), `@type` (bare schema.org
names; other vocabularies' types as full IRIs), properties by bare schema.org name with literal strings
or node dicts (shared, so references and cycles are the same object) as values. Only the nodes that
are not the value of another come out at the top, in document order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from selectolax.lexbor import LexborHTMLParser, LexborNode

from extraction.adapters.jsonld_forms import compact_iri

type Node = dict[str, object]
type Attributes = dict[str, str | None]

SELECTOR = "[vocab],[prefix],[typeof],[property],[about],[resource],[rel],[rev]"
MAX_ELEMENTS = 50_000
MAX_ANCESTORS = 600
DOCUMENT = ""  # the key of the page itself as a subject

# RDFa 1.1's initial context (the prefixes pages rely on without declaring them).
INITIAL_PREFIXES = {
    "schema": "http://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dc": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "og": "http://ogp.me/ns#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "gr": "http://purl.org/goodrelations/v1#",
    "sioc": "http://rdfs.org/sioc/ns#",
    "dbp": "http://dbpedia.org/property/",
    "cc": "http://creativecommons.org/ns#",
}
# HTML's link types: a rel written with them speaks HTML, not the page's vocabulary.
_HTML_LINK_TYPES = frozenset(
    "alternate author bookmark canonical dns-prefetch external help icon license manifest me modulepreload "
    "next nofollow noopener noreferrer opener pingback preconnect prefetch preload prev search shortlink "
    "sponsored stylesheet tag ugc apple-touch-icon shortcut edit edituri wlwmanifest profile home "
    "amphtml import".split()
)
_ROOT_TAGS = frozenset({"html", "head", "body"})


@dataclass(frozen=True, slots=True)
class _Eval:
    vocab: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    parent_subject: str | None = DOCUMENT
    parent_object: str | None = DOCUMENT
    incomplete: tuple[tuple[str, bool], ...] = ()  # (property, forward)


class _Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.objects: set[str] = set()
        self.triples: set[tuple[str, str, object]] = set()
        self.blank = 0

    def new_blank(self) -> str:
        self.blank += 1
        return f"_:rdfa{self.blank}"

    def node(self, key: str) -> Node:
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = {"@id": key} if key != DOCUMENT else {}
        return node

    def add_type(self, key: str, types: list[str]) -> None:
        node = self.node(key)
        known = node.get("@type")
        names = [compact_iri(t) for t in types]
        if known is None:
            node["@type"] = names[0] if len(names) == 1 else names
        else:
            merged = [*(known if isinstance(known, list) else [known]), *names]
            node["@type"] = list(dict.fromkeys(str(t) for t in merged))

    def link(self, subject: str, prop: str, target: str) -> None:
        key = (subject, prop, ("node", target))
        if key in self.triples or subject == target:
            return
        self.triples.add(key)
        self.objects.add(target)
        _add_value(self.node(subject), compact_iri(prop), self.node(target))

    def literal(self, subject: str, prop: str, value: str) -> None:
        key = (subject, prop, value)
        if key in self.triples:
            return
        self.triples.add(key)
        _add_value(self.node(subject), compact_iri(prop), value)


def read_rdfa(tree: LexborHTMLParser) -> tuple[list[Node], list[str]]:
    """The page's RDFa as top-level nodes in JSON-LD shape, and warnings."""
    warnings: list[str] = []
    elements = tree.css(SELECTOR)
    graph = _Graph()
    contexts: dict[int, _Eval] = {}  # element mem_id -> the context its children get
    owner_cache: dict[int, int | None] = {}  # non-RDFa ancestor mem_id -> nearest RDFa element (or None)
    root = _Eval(prefixes=dict(INITIAL_PREFIXES))
    read = 0
    previous = 0
    for element in elements:
        key = element.mem_id
        if key == previous:  # lexbor lists an element once per selector it matches, consecutively
            continue
        previous = key
        read += 1
        if read > MAX_ELEMENTS:
            warnings.append(f"more than {MAX_ELEMENTS} RDFa elements; the rest was not read")
            break
        parent = _nearest(element, contexts, owner_cache)
        context = root if parent is None else contexts[parent]
        contexts[key] = _process(element, context, graph)
    top = [node for key, node in graph.nodes.items() if key not in graph.objects and len(node) > 1]
    document = graph.nodes.get(DOCUMENT)
    if document and DOCUMENT not in graph.objects and document not in top:
        top.insert(0, document)
    return top, warnings


def _nearest(element: LexborNode, contexts: dict[int, _Eval], cache: dict[int, int | None]) -> int | None:
    """The mem_id of the nearest ancestor that is an RDFa element (None: the document)."""
    path: list[int] = []
    found: int | None = None
    node = element.parent
    while node is not None and len(path) < MAX_ANCESTORS:
        key = node.mem_id
        if key in contexts:
            found = key
            break
        if key in cache:
            found = cache[key]
            break
        path.append(key)
        node = node.parent
    for key in path:
        cache[key] = found
    return found


def _process(element: LexborNode, context: _Eval, graph: _Graph) -> _Eval:
    attributes: Attributes = element.attributes
    tag = element.tag or ""
    vocab, prefixes = context.vocab, context.prefixes
    if "vocab" in attributes:
        vocab = (attributes.get("vocab") or "").strip() or None
    declared = _prefixes(attributes)
    if declared:
        prefixes = {**prefixes, **declared}
    ctx = replace(context, vocab=vocab, prefixes=prefixes)

    properties = _iris(attributes.get("property"), ctx, terms=True) if "property" in attributes else []
    has_property = bool(properties)
    rels = _link_iris(attributes.get("rel"), ctx, has_property) if "rel" in attributes else []
    revs = _link_iris(attributes.get("rev"), ctx, has_property) if "rev" in attributes else []
    types = _iris(attributes.get("typeof"), ctx, terms=True) if "typeof" in attributes else []
    has_typeof = "typeof" in attributes
    about = _resource(attributes.get("about"), ctx) if "about" in attributes else None
    reference = None
    for name in ("resource", "href", "src"):
        if name in attributes:
            reference = _resource(attributes.get(name), ctx)
            if reference is not None:
                break
    if not (
        properties or rels or revs or "typeof" in attributes or about is not None or "resource" in attributes
    ):
        # A plain link (or one whose rel is only HTML's link types) says nothing in RDFa Lite:
        # it changes no subject, as the links without RDFa attributes that are never read here.
        return replace(context, vocab=vocab, prefixes=prefixes)
    has_content = "content" in attributes
    has_datatype = bool((attributes.get("datatype") or "").strip())
    is_root = tag in _ROOT_TAGS

    new_subject: str | None = None
    current_object: str | None = None
    typed_resource: str | None = None
    skip = False
    if not rels and not revs:
        if has_property and not has_content and not has_datatype:
            if about is not None:
                new_subject = about
            elif is_root:
                new_subject = DOCUMENT
            else:
                new_subject = ctx.parent_object
            if has_typeof:
                if about is not None:
                    typed_resource = about
                else:
                    typed_resource = reference if reference is not None else graph.new_blank()
                current_object = typed_resource
        else:
            new_subject = about if about is not None else reference
            if new_subject is None:
                if is_root:
                    new_subject = DOCUMENT
                elif has_typeof:
                    new_subject = graph.new_blank()
                else:
                    new_subject = ctx.parent_object
                    skip = not has_property
            if has_typeof:
                typed_resource = new_subject
    else:
        if about is not None:
            new_subject = about
            if has_typeof:
                typed_resource = about
        else:
            new_subject = DOCUMENT if is_root else ctx.parent_object
        current_object = reference
        if has_typeof and about is None:
            if current_object is None:
                current_object = graph.new_blank()
            typed_resource = current_object

    if typed_resource is not None and types:
        graph.add_type(typed_resource, types)
    local_incomplete: tuple[tuple[str, bool], ...] = ()
    if new_subject is not None and current_object is not None and (rels or revs):
        for prop in rels:
            graph.link(new_subject, prop, current_object)
        for prop in revs:
            graph.link(current_object, prop, new_subject)
    elif rels or revs:
        local_incomplete = tuple((prop, True) for prop in rels) + tuple((prop, False) for prop in revs)
        current_object = graph.new_blank()

    if has_property and new_subject is not None:
        if has_datatype or has_content:
            content = attributes.get("content")
            literal = content if content is not None else element.text(deep=True)
            for prop in properties:
                graph.literal(new_subject, prop, literal)
        elif tag == "time" and attributes.get("datetime"):
            for prop in properties:
                graph.literal(new_subject, prop, attributes.get("datetime") or "")
        elif not rels and not revs and reference is not None and not has_typeof:
            for prop in properties:
                graph.link(new_subject, prop, reference)
        elif has_typeof and about is None and typed_resource is not None:
            for prop in properties:
                graph.link(new_subject, prop, typed_resource)
        else:
            text = element.text(deep=True)
            for prop in properties:
                graph.literal(new_subject, prop, text)

    if not skip and new_subject is not None:
        for prop, forward in context.incomplete:
            if context.parent_subject is None:
                continue
            if forward:
                graph.link(context.parent_subject, prop, new_subject)
            else:
                graph.link(new_subject, prop, context.parent_subject)

    if skip:
        return ctx
    return _Eval(
        vocab=vocab,
        prefixes=prefixes,
        parent_subject=new_subject if new_subject is not None else ctx.parent_subject,
        parent_object=current_object
        if current_object is not None
        else new_subject
        if new_subject is not None
        else ctx.parent_subject,
        incomplete=local_incomplete,
    )


def _prefixes(attributes: Attributes) -> dict[str, str]:
    declared: dict[str, str] = {}
    value = attributes.get("prefix")
    if value:
        words = value.split()
        for name, iri in zip(words[::2], words[1::2], strict=False):
            if name.endswith(":") and len(name) > 1:
                declared[name[:-1].lower()] = iri
    for attribute, namespace in attributes.items():
        if attribute.startswith("xmlns:") and namespace:
            declared[attribute[len("xmlns:") :].lower()] = namespace
    return declared


def _expand(value: str, ctx: _Eval, *, terms: bool) -> str | None:
    """A term, CURIE or IRI as a full IRI (RDFa's TERMorCURIEorAbsIRI); None when it has none."""
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    prefix, colon, reference = value.partition(":")
    if colon:
        if prefix == "_":
            return value
        if reference.startswith("//"):
            return value  # an absolute IRI
        mapped = ctx.prefixes.get(prefix.lower())
        if mapped is not None:
            return mapped + reference
        return value  # an IRI of another scheme (urn:, mailto:)
    if terms and ctx.vocab and value:
        return ctx.vocab + value
    return None


def _iris(value: str | None, ctx: _Eval, *, terms: bool) -> list[str]:
    iris = (_expand(word, ctx, terms=terms) for word in (value or "").split())
    return [iri for iri in iris if iri]


def _link_iris(value: str | None, ctx: _Eval, has_property: bool) -> list[str]:
    """@rel/@rev values: HTML's link types and, beside @property, any bare term, are not the vocabulary's."""
    words = []
    for word in (value or "").split():
        bare = ":" not in word
        if bare and (word.lower() in _HTML_LINK_TYPES or has_property):
            continue
        words.append(word)
    return _iris(" ".join(words), ctx, terms=True)


def _resource(value: str | None, ctx: _Eval) -> str | None:
    """@about/@resource (SafeCURIEorCURIEorIRI) or @href/@src (IRI): kept as written when relative."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        return _expand(value, ctx, terms=False)
    prefix, colon, reference = value.partition(":")
    if colon and prefix == "_":
        return value
    if colon and not reference.startswith("//") and prefix.lower() in ctx.prefixes:
        return ctx.prefixes[prefix.lower()] + reference
    return value  # an IRI, absolute or relative to the page ("" is the page itself)


def _add_value(node: Node, name: str, value: object) -> None:
    """Add a value (the graph's set of triples has already refused a repeat)."""
    known = node.get(name)
    if known is None:
        node[name] = value
    elif isinstance(known, list):
        known.append(value)
    else:
        node[name] = [known, value]
