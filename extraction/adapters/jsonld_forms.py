"""Any JSON-LD form -> the "schema shape" the mapper reads (pure Python, no Django).

The mapper (`schemaorg.py`) reads nodes whose keys are schema.org's bare property names and whose
@type values are schema.org's bare type names. Most pages already write that (a compacted document
with `"@context": "https://schema.org"`), and `needs_processing` tells them from the rest by a look at the
document's context and top keys. The rest goes through `to_schema_shape`, a JSON-LD 1.1 expansion restricted
to what pages use, followed by a compaction onto schema.org's terms:

- contexts: inline objects, arrays of them, `null`; `@vocab`, `@base`, prefixes (`"s":
  "http://schema.org/"`), terms (`"when": "s:startDate"`, `{"@id": ..., "@type": "@id"}`), scoped contexts
  on a term; a remote context on schema.org's host means schema.org's vocabulary (it is never fetched),
  any other remote context is not fetched and its terms are read as nothing (a warning says so);
- compact IRIs (`s:name`) and absolute IRIs as keys and types, the expanded form (`[{"http://schema.org/
  name": [{"@value": "..."}]}]`), value objects, `@list`/`@set`, `@graph`, `@included`, `@nest`;
- `@reverse` (a keyword or a term defined with `@reverse`): `{"@type": "MusicVenue", "@reverse":
  {"location": [events]}}` becomes those events with this venue as their `location`, handed back as
  nodes of their own (`SchemaShape.extra`).

After expansion, an IRI in schema.org's namespace (http or https) becomes its bare name; any other IRI
stays whole, so a FOAF `name` or a `foaf:Person` never reads as schema.org's. A document with no
@context at all is read as schema.org (as sloppy pages mean it), and the prefix `schema:` means
schema.org unless a context says otherwise (as in RDFa's initial context).

`tests/extraction/test_jsonld_forms.py` checks this against pyld, a complete JSON-LD processor, on
generated documents. Work is linear in the document and bounded by `MAX_DEPTH`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from extraction.adapters.links import absolute_url

type Node = dict[str, object]

SCHEMA = "http://schema.org/"
_SCHEMA_NAMESPACES = ("http://schema.org/", "https://schema.org/")
MAX_DEPTH = 64
MAX_TERMS = 2_000  # term definitions per context, beyond which the rest is ignored

_SCHEMA_HOST_RE = re.compile(r"^(?:https?:)?//(?:www\.)?schema\.org(?:/|$)|^(?:www\.)?schema\.org/?$", re.I)
_ABSOLUTE_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


_PLAIN_KEYWORDS = frozenset({"@context", "@type", "@id", "@graph"})
_MAX_CHECKED_NODES = 50


def needs_processing(document: object) -> bool:
    """Whether a parsed JSON-LD document may be in another form than plain schema.org terms.

    Looks where a document declares its form, at no cost worth measuring: its @context (anything but
    one schema.org string), and the keys of its top nodes and their @graph's (a compact or absolute IRI,
    or a keyword the mapper does not read itself: @reverse, @value, @list, @nest, @included...). A
    keyword used only deep inside an otherwise plain document goes unseen.
    """
    if isinstance(document, list):
        return any(needs_processing(item) for item in document[:_MAX_CHECKED_NODES])
    if not isinstance(document, dict):
        return False
    if "@context" in document:  # (an explicit null context says something too)
        context = document["@context"]
        if not (isinstance(context, str) and _SCHEMA_HOST_RE.match(context.strip())):
            return True
    graph = document.get("@graph")
    nodes = [document, *(graph[:_MAX_CHECKED_NODES] if isinstance(graph, list) else [])]
    for node in nodes:
        if isinstance(node, dict):
            for key in node:
                if ":" in key or (key[:1] == "@" and key not in _PLAIN_KEYWORDS):
                    return True
    return False


@dataclass(frozen=True, slots=True)
class _Term:
    iri: str | None  # None: the term is defined as null (explicitly nothing)
    reverse: bool = False
    coerce: str | None = None  # "@id" or "@vocab": string values are node references
    container: str | None = None
    scoped: object = None  # a scoped context applied to the term's values


@dataclass(frozen=True, slots=True)
class _Context:
    vocab: str | None = SCHEMA
    base: str | None = None
    terms: dict[str, _Term] = field(default_factory=dict)


@dataclass(slots=True)
class SchemaShape:
    """A document in schema shape, plus the nodes that `@reverse` detached from their parents."""

    document: object
    extra: list[Node] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def to_schema_shape(document: object, *, base_url: str | None) -> SchemaShape:
    """Expand any JSON-LD form of one document and compact it onto schema.org's bare terms."""
    state = _State(base_url=base_url)
    result = state.expand(document, _Context(base=base_url), depth=0)
    return SchemaShape(document=result, extra=state.extra, warnings=state.warnings)


def compact_iri(iri: str) -> str:
    """A schema.org IRI as its bare name; any other IRI as it is."""
    for namespace in _SCHEMA_NAMESPACES:
        if iri.startswith(namespace):
            return iri[len(namespace) :]
    return iri


@dataclass(slots=True)
class _State:
    base_url: str | None
    extra: list[Node] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings and len(self.warnings) < 20:
            self.warnings.append(message)

    # -- contexts ---------------------------------------------------------------------------------

    def process_context(self, active: _Context, local: object, depth: int = 0) -> _Context:
        if isinstance(local, list):
            for item in local[:50]:
                active = self.process_context(active, item, depth)
            return active
        if local is None:
            return _Context(vocab=None, base=active.base)  # a null context resets everything
        if isinstance(local, str):
            if _SCHEMA_HOST_RE.match(local.strip()):
                return replace(active, vocab=SCHEMA)
            self.warn(f"remote @context {local[:100]!r} is not fetched; its terms were not read")
            return replace(active, vocab=None)
        if not isinstance(local, dict):
            return active
        terms = dict(active.terms)
        vocab, base = active.vocab, active.base
        if "@base" in local:
            value = local["@base"]
            base = None if value is None else (absolute_url(value, base) if isinstance(value, str) else base)
        if "@vocab" in local:
            value = local["@vocab"]
            if value is None:
                vocab = None
            elif isinstance(value, str):
                expanded = _expand_with(value, terms, vocab, local, {}, vocab_relative=True)
                vocab = expanded if expanded is not None else value
        defined: dict[str, _Term | None] = {}
        names = [key for key in local if not key.startswith("@")][:MAX_TERMS]
        for name in names:
            term = _define(name, local, terms, vocab, defined, set())
            if term is not None:
                terms[name] = term
        return _Context(vocab=vocab, base=base, terms=terms)

    # -- expansion --------------------------------------------------------------------------------

    def expand(self, element: object, active: _Context, *, depth: int, term: _Term | None = None) -> object:
        if depth > MAX_DEPTH:
            self.warn("JSON-LD nested too deeply; the rest was not read")
            return None
        if isinstance(element, list):
            items = [self.expand(item, active, depth=depth + 1, term=term) for item in element]
            flat: list[object] = []
            for item in items:
                if isinstance(item, list):
                    flat.extend(item)
                elif item is not None:
                    flat.append(item)
            return flat
        if not isinstance(element, dict):
            if isinstance(element, str) and term is not None and term.coerce is not None:
                return {"@id": self.expand_id(element, active, vocab_relative=term.coerce == "@vocab")}
            return element
        if "@context" in element:
            active = self.process_context(active, element["@context"])
        if "@value" in element:
            return element["@value"]
        if "@list" in element or "@set" in element:
            inner = element.get("@list", element.get("@set"))
            expanded = self.expand(inner, active, depth=depth + 1, term=term)
            return expanded if isinstance(expanded, list) else [expanded]
        return self.expand_node(element, active, depth)

    def expand_node(self, element: Node, active: _Context, depth: int) -> Node:
        node: Node = {}
        reverse_edges: list[tuple[str, object]] = []
        self._expand_properties(element, active, depth, node, reverse_edges)
        for key, children in reverse_edges:
            for child in children if isinstance(children, list) else [children]:
                if isinstance(child, dict):
                    _add_value(child, key, node)  # the child points at this node
                    self.extra.append(child)
        return node

    def _expand_properties(
        self,
        element: Node,
        active: _Context,
        depth: int,
        node: Node,
        reverse_edges: list[tuple[str, object]],
    ) -> None:
        for key, value in element.items():
            if key == "@context":
                continue
            if key == "@id":
                if isinstance(value, str):
                    node["@id"] = self.expand_id(value, active, vocab_relative=False)
                continue
            if key == "@type":
                types = [self.expand_type(item, active) for item in _as_list(value) if isinstance(item, str)]
                types = [item for item in types if item]
                if types:
                    node["@type"] = types[0] if len(types) == 1 else types
                continue
            if key == "@graph":
                expanded = self.expand(value, active, depth=depth + 1)
                graph = node.setdefault("@graph", [])
                if isinstance(graph, list):
                    graph.extend(expanded if isinstance(expanded, list) else [expanded])
                continue
            if key == "@included":  # nodes of their own, beside this one
                expanded = self.expand(value, active, depth=depth + 1)
                for item in expanded if isinstance(expanded, list) else [expanded]:
                    if isinstance(item, dict):
                        self.extra.append(item)
                continue
            if key == "@reverse":
                if isinstance(value, dict):
                    for reverse_key, children in value.items():
                        iri = _expand_with(
                            reverse_key, active.terms, active.vocab, None, {}, vocab_relative=True
                        )
                        if iri is not None and not iri.startswith("@"):
                            expanded = self.expand(children, active, depth=depth + 1)
                            reverse_edges.append((compact_iri(iri), expanded))
                continue
            if key == "@nest":
                for nested in _as_list(value):
                    if isinstance(nested, dict):
                        self._expand_properties(nested, active, depth, node, reverse_edges)
                continue
            if key.startswith("@"):
                continue  # @index, @language, @direction: nothing the mapper reads
            term = active.terms.get(key)
            if term is not None and term.iri is None:
                continue  # defined as null: explicitly not part of the vocabulary
            iri = term.iri if term is not None else self.expand_key(key, active)
            if iri is None or iri.startswith("@"):
                continue
            child_context = active
            if term is not None and term.scoped is not None:
                child_context = self.process_context(active, term.scoped)
            expanded = self.expand(value, child_context, depth=depth + 1, term=term)
            if term is not None and term.reverse:
                reverse_edges.append((compact_iri(iri), expanded))
                continue
            if isinstance(expanded, list) and len(expanded) == 1:
                expanded = expanded[0]
            if expanded is None or expanded == []:
                continue
            _add_value(node, compact_iri(iri), expanded)

    def expand_key(self, key: str, active: _Context) -> str | None:
        return _expand_with(key, active.terms, active.vocab, None, {}, vocab_relative=True)

    def expand_type(self, value: str, active: _Context) -> str | None:
        iri = _expand_with(value, active.terms, active.vocab, None, {}, vocab_relative=True)
        if iri is None:
            return None
        return compact_iri(iri)

    def expand_id(self, value: str, active: _Context, *, vocab_relative: bool) -> str:
        """An @id as written unless it is a compact IRI with a known prefix (matching is by the
        mapper's normalised index, which resolves relative references against the page)."""
        if vocab_relative:
            expanded = _expand_with(value, active.terms, active.vocab, None, {}, vocab_relative=True)
            return compact_iri(expanded) if expanded else value
        prefix, colon, suffix = value.partition(":")
        if colon and not suffix.startswith("//") and prefix != "_":
            term = active.terms.get(prefix)
            if term is not None and term.iri is not None:
                return term.iri + suffix
        if active.base and active.base != self.base_url and not _ABSOLUTE_IRI_RE.match(value):
            return absolute_url(value, active.base) or value  # a document-level @base
        return value


def _define(
    name: str,
    local: Node,
    terms: dict[str, _Term],
    vocab: str | None,
    defined: dict[str, _Term | None],
    defining: set[str],
) -> _Term | None:
    """One term definition of a local context, resolving the terms it depends on first."""
    if name in defined:
        return defined[name]
    if name in defining:  # a cycle: the definition cannot be resolved
        return None
    defining.add(name)
    value = local.get(name)
    term: _Term | None
    if value is None:
        term = _Term(iri=None)
    elif isinstance(value, str):
        iri = _expand_with(value, terms, vocab, local, defined, vocab_relative=True, defining=defining)
        term = _Term(iri=iri)
    elif isinstance(value, dict):
        reverse = isinstance(value.get("@reverse"), str)
        raw = value.get("@reverse") if reverse else value.get("@id", name)
        if raw is None:
            term = _Term(iri=None)
        elif isinstance(raw, str):
            iri = _expand_with(raw, terms, vocab, local, defined, vocab_relative=True, defining=defining)
            coerce = value.get("@type")
            term = _Term(
                iri=iri,
                reverse=reverse,
                coerce=coerce if coerce in ("@id", "@vocab") else None,
                container=value.get("@container") if isinstance(value.get("@container"), str) else None,
                scoped=value.get("@context"),
            )
        else:
            term = None
    else:
        term = None
    defined[name] = term
    defining.discard(name)
    return term


def _expand_with(
    value: str,
    terms: dict[str, _Term],
    vocab: str | None,
    local: Node | None,
    defined: dict[str, _Term | None],
    *,
    vocab_relative: bool,
    defining: set[str] | None = None,
) -> str | None:
    """IRI expansion (JSON-LD 1.1 §5.2) of a key, a type or a term's IRI; None when it has none."""
    if value.startswith("@"):
        return value
    if local is not None and value in local and value not in defined:
        term = _define(value, local, terms, vocab, defined, defining if defining is not None else set())
        if term is not None:
            terms[value] = term
    if vocab_relative and value in terms:
        return terms[value].iri
    prefix, colon, suffix = value.partition(":")
    if colon:
        if prefix == "_" or suffix.startswith("//"):
            return value  # a blank node or an absolute IRI with authority
        if local is not None and prefix in local and prefix not in defined:
            term = _define(prefix, local, terms, vocab, defined, defining if defining is not None else set())
            if term is not None:
                terms[prefix] = term
        prefix_term = terms.get(prefix)
        if prefix_term is not None and prefix_term.iri is not None:
            return prefix_term.iri + suffix
        if prefix == "schema":
            return SCHEMA + suffix  # schema.org's usual prefix, as RDFa's initial context has it
        return value  # an absolute IRI (urn:..., mailto:...)
    if vocab_relative and vocab is not None:
        return vocab + value
    return None


def _add_value(node: Node, key: str, value: object) -> None:
    known = node.get(key)
    if known is None:
        node[key] = value
    elif isinstance(known, list):
        known.extend(value if isinstance(value, list) else [value])
    else:
        node[key] = [known, *(value if isinstance(value, list) else [value])]


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
