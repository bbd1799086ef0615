"""YARRRML -> RML, for the subset of YARRRML our mapping files use.

The translation follows morph-kgc's own loader (``morph_kgc.mapping.yarrrml``)
so that both engines read a mapping file the same way: the RML it produces
uses the RML-Core namespace ``http://w3id.org/rml/``, a YARRRML value that is
exactly ``$(x)`` becomes ``rml:reference``, other values with ``$(...)``
become ``rml:template``, and a value without references is an IRI constant
when it starts with ``http``/``ftp`` and a literal constant otherwise.

Where morph-kgc would silently do something else than the author meant, we
refuse with a :class:`MappingError` instead (see ``_check_prefixes`` and
``_check_iri``), so that a file both engines accept means the same to both.

Example::

    >>> rml = yarrrml_to_rml({
    ...     "prefixes": {"ex": "http://example.org/"},
    ...     "mappings": {"person": {
    ...         "sources": [["people.csv~csv"]],
    ...         "s": "ex:person/$(id)",
    ...         "po": [["a", "ex:Person"], ["ex:name", "$(name)"]],
    ...     }},
    ... })
    >>> [str(t) for t in rml.objects(None, RML.template)]
    ['http://example.org/person/{id}']
    >>> sorted(str(r) for r in rml.objects(None, RML.reference))
    ['name']
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from mappings.rml.errors import MappingSyntaxError, UnsupportedConstructError

RML = Namespace("http://w3id.org/rml/")

REFERENCE_FORMULATIONS = {"csv": RML.CSV, "jsonpath": RML.JSONPath}

# morph-kgc adds these prefixes to every YARRRML document and lets them win
# over the document's own (`prefixes.update(defaults)`); copied from
# morph_kgc/mapping/yarrrml.py (2.10.0).
DEFAULT_PREFIXES: dict[str, str] = {
    "rml": "http://w3id.org/rml/",
    "fno": "https://w3id.org/function/ontology#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "as": "https://www.w3.org/ns/activitystreams#",
    "csvw": "http://www.w3.org/ns/csvw#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dqv": "http://www.w3.org/ns/dqv#",
    "duv": "https://www.w3.org/ns/duv#",
    "grddl": "http://www.w3.org/2003/g/data-view#",
    "jsonld": "http://www.w3.org/ns/json-ld#",
    "ldp": "http://www.w3.org/ns/ldp#",
    "ma": "http://www.w3.org/ns/ma-ont#",
    "oa": "http://www.w3.org/ns/oa#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfa": "http://www.w3.org/ns/rdfa#",
    "rif": "http://www.w3.org/2007/rif#",
    "rr": "http://www.w3.org/ns/r2rml#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "ssn": "http://www.w3.org/ns/ssn/",
    "sosa": "http://www.w3.org/ns/sosa/",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "wdr": "http://www.w3.org/2007/05/powder#",
    "wdrs": "http://www.w3.org/2007/05/powder-s#",
    "xhv": "http://www.w3.org/1999/xhtml/vocab#",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "cc": "http://creativecommons.org/ns#",
    "ctag": "http://commontag.org/ns#",
    "dc": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "dc11": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "gr": "http://purl.org/goodrelations/v1#",
    "ical": "http://www.w3.org/2002/12/cal/icaltzd#",
    "og": "http://ogp.me/ns#",
    "rev": "http://purl.org/stuff/rev#",
    "sioc": "http://rdfs.org/sioc/ns#",
    "v": "http://rdf.data-vocabulary.org/#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "schema": "http://schema.org/",
}

# YARRRML allows several spellings of each key (morph-kgc: _normalize_yarrrml_key_names).
_TOP_KEYS = {"prefixes": "prefixes", "mappings": "mappings", "mapping": "mappings",
             "m": "mappings", "sources": "sources", "authors": "authors"}
_MAPPING_KEYS = {"sources": "sources", "s": "subjects", "subject": "subjects",
                 "subjects": "subjects", "po": "po", "predicateobjects": "po",
                 "predicateobject": "po", "authors": "authors"}
_PO_KEYS = {"p": "predicates", "predicate": "predicates", "predicates": "predicates",
            "o": "objects", "object": "objects", "objects": "objects",
            "type": "type", "datatype": "datatype", "language": "language"}
_OBJECT_KEYS = {"value": "value", "v": "value", "type": "type", "datatype": "datatype",
                "language": "language"}
_UNSUPPORTED_HINTS = {
    "g": "graphs", "graph": "graphs", "graphs": "graphs", "i": "inverse predicates",
    "inversepredicate": "inverse predicates", "inversepredicates": "inverse predicates",
    "mapping": "referencing object maps (joins)", "mappings": "referencing object maps (joins)",
    "condition": "join conditions", "function": "functions (FnO)", "fn": "functions (FnO)",
    "f": "functions (FnO)", "quoted": "RDF-star", "quotedNonAsserted": "RDF-star",
    "targets": "targets", "external": "external references", "base": "base IRIs",
}
_SINGLE_REFERENCE = re.compile(r"^\$\(([^()]+)\)$")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Schemes an author may write out in full; anything else before a ':' is taken
# for a prefix the document forgot to declare.
_PLAIN_SCHEMES = frozenset({"http", "https", "ftp", "urn", "mailto", "tag", "file", "data"})


def load_yarrrml(path: Path) -> Graph:
    """Read a YARRRML file and return the equivalent RML graph.

    YAML scalars are read as written (no YAML 1.1 booleans, dates or
    sexagesimal numbers), since every YARRRML value is text.

    :raises MappingSyntaxError: if the file is not YAML or not YARRRML.
    :raises UnsupportedConstructError: if it uses YARRRML outside our subset.
    """
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise MappingSyntaxError(f"{path}: not valid YAML: {exc}") from exc
    return yarrrml_to_rml(doc, origin=str(path))


def yarrrml_to_rml(doc: Any, *, origin: str = "YARRRML document") -> Graph:
    """Translate a parsed YARRRML document (dicts, lists, strings) to RML."""
    if not isinstance(doc, dict):
        raise MappingSyntaxError(f"{origin}: a YARRRML document is a mapping with `mappings:`")
    return _Translator(doc, origin).translate()


class _Translator:
    def __init__(self, doc: dict[str, Any], origin: str) -> None:
        self.origin = origin
        self.doc = self._normalise_keys(doc, _TOP_KEYS, "the top level")
        user_prefixes = self.doc.get("prefixes") or {}
        if not isinstance(user_prefixes, dict):
            raise MappingSyntaxError(f"{origin}: `prefixes` must map names to IRIs")
        self._check_prefixes(user_prefixes)
        # Same order as morph-kgc: the document's prefixes, then the defaults.
        self.prefixes = {**user_prefixes, **DEFAULT_PREFIXES}
        self.graph = Graph()
        for name, iri in self.prefixes.items():
            self.graph.bind(name, URIRef(iri), override=True)

    # -- helpers ---------------------------------------------------------

    def _fail(self, where: str, message: str, *, unsupported: bool = False) -> None:
        cls = UnsupportedConstructError if unsupported else MappingSyntaxError
        raise cls(f"{self.origin}: {where}: {message}")

    def _normalise_keys(self, node: dict[str, Any], allowed: dict[str, str],
                        where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in allowed:
                out[allowed[key]] = value
            elif key in _UNSUPPORTED_HINTS:
                self._fail(where, f"`{key}` ({_UNSUPPORTED_HINTS[key]}) is not supported by "
                           "mappings.rml; express it without it or extend the executor",
                           unsupported=True)
            else:
                self._fail(where, f"unknown key `{key}`; expected one of "
                           f"{', '.join(sorted(set(allowed)))}")
        return out

    def _check_prefixes(self, user_prefixes: dict[str, Any]) -> None:
        for name, iri in user_prefixes.items():
            default = DEFAULT_PREFIXES.get(name)
            if default is not None and default != iri:
                # morph-kgc would silently use its default IRI instead of the
                # document's, so the two engines would disagree.
                self._fail(f"prefix `{name}`", f"`{name}` is a predefined YARRRML prefix for "
                           f"<{default}>, which morph-kgc uses instead of <{iri}>; "
                           "give your namespace another prefix name")

    def _expand(self, value: str) -> str:
        # Mirrors morph-kgc: a string that starts with `prefix:` gets every
        # occurrence of `prefix:` replaced, trying each prefix in turn.
        for name, iri in self.prefixes.items():
            if value.startswith(f"{name}:"):
                value = value.replace(f"{name}:", iri)
        return value

    def _check_iri(self, value: str, where: str) -> str:
        match = _ABSOLUTE_IRI.match(value)
        scheme = match.group(0)[:-1].lower() if match else ""
        if scheme not in _PLAIN_SCHEMES:
            hint = (f"unknown prefix `{scheme}:`; declare it under `prefixes`" if scheme
                    else "write an absolute IRI or a prefixed name")
            self._fail(where, f"`{value}` is not an IRI: {hint}")
        return value

    # -- translation -------------------------------------------------------

    def translate(self) -> Graph:
        mappings = self.doc.get("mappings")
        if not isinstance(mappings, dict) or not mappings:
            self._fail("the top level", "`mappings` must map names to triples maps")
        named_sources = self.doc.get("sources") or {}
        if not isinstance(named_sources, dict):
            self._fail("the top level", "`sources` must map names to sources")
        for name, body in mappings.items():
            if not isinstance(body, dict):
                self._fail(f"mapping `{name}`", "a mapping must be a dictionary")
            body = self._normalise_keys(body, _MAPPING_KEYS, f"mapping `{name}`")
            sources = self._sources(name, body.get("sources"), named_sources)
            for index, source in enumerate(sources):
                tm_name = name if len(sources) == 1 else f"{name}[{index}]"
                self._triples_map(URIRef(tm_name), name, source, body)
        return self.graph

    def _sources(self, name: str, value: Any, named: dict[str, Any]) -> list[dict[str, str]]:
        where = f"mapping `{name}`, sources"
        if value is None:
            self._fail(where, "every mapping needs `sources`, e.g. [[file.csv~csv]]")
        items = [value] if isinstance(value, (str, dict)) else value
        out = []
        for item in items:
            if isinstance(item, str):
                if item not in named:
                    self._fail(where, f"`{item}` is neither a named source nor "
                               "a [file~format] list")
                item = named[item]
            out.append(self._source(item, where))
        return out

    def _source(self, item: Any, where: str) -> dict[str, str]:
        if isinstance(item, list) and item and all(isinstance(x, str) for x in item):
            access, _, formulation = self._expand(item[0]).partition("~")
            source = {"access": access}
            if formulation:
                source["referenceFormulation"] = formulation
            if len(item) == 2:
                source["iterator"] = self._expand(item[1])
            elif len(item) > 2:
                self._fail(where, f"{item} has more than [file~format, iterator]")
            return source
        if isinstance(item, dict) and "access" in item:
            extra = set(item) - {"access", "referenceFormulation", "iterator"}
            if extra:
                self._fail(where, f"unsupported source keys {sorted(extra)}", unsupported=True)
            return {k: self._expand(v) for k, v in item.items()}
        self._fail(where, f"{item!r} is not a source; write [file.csv~csv] or "
                   "[file.json~jsonpath, '$[*]']")
        raise AssertionError  # unreachable, for type checkers

    def _triples_map(self, tm: URIRef, name: str, source: dict[str, str],
                     body: dict[str, Any]) -> None:
        g = self.graph
        ls = BNode()
        g.add((tm, RML.logicalSource, ls))
        g.add((ls, RML.source, Literal(source["access"])))
        if "referenceFormulation" in source:
            formulation = REFERENCE_FORMULATIONS.get(source["referenceFormulation"].lower())
            if formulation is None:
                self._fail(f"mapping `{name}`, sources",
                           f"reference formulation `{source['referenceFormulation']}` is not "
                           "supported; use csv or jsonpath", unsupported=True)
            g.add((ls, RML.referenceFormulation, formulation))
        if "iterator" in source:
            g.add((ls, RML.iterator, Literal(source["iterator"])))

        subject = body.get("subjects")
        if subject is None:
            self._fail(f"mapping `{name}`", "needs a subject `s:` (blank-node subjects are "
                       "not supported)", unsupported=True)
        sm = BNode()
        g.add((tm, RML.subjectMap, sm))
        self._subject(sm, subject, f"mapping `{name}`, subject")

        po = body.get("po") or []
        if not isinstance(po, list):
            self._fail(f"mapping `{name}`", "`po` must be a list")
        for index, entry in enumerate(po, start=1):
            where = f"mapping `{name}`, po entry {index}"
            predicates, objects = self._predicate_object(entry, where)
            pom = BNode()
            g.add((tm, RML.predicateObjectMap, pom))
            for predicate in predicates:
                pm = BNode()
                g.add((pom, RML.predicateMap, pm))
                if predicate == "a":
                    g.add((pm, RML.constant, RDF.type))
                else:
                    predicate = self._check_iri(self._expand(predicate), f"{where}, predicate")
                    self._term(pm, predicate, f"{where}, predicate", allow_references=False)
            for obj in objects:
                if "a" in predicates and "$(" not in obj["value"]:
                    # a class must be an IRI; morph-kgc would type with a literal
                    self._check_iri(self._expand(obj["value"]), f"{where}, class")
                om = BNode()
                g.add((pom, RML.objectMap, om))
                self._object(om, obj, f"{where}, object")

    def _subject(self, sm: BNode, subject: Any, where: str) -> None:
        if isinstance(subject, list):
            self._fail(where, "several subjects per mapping are not supported; "
                       "write one mapping per subject", unsupported=True)
        if isinstance(subject, dict):
            spec = self._normalise_keys(subject, {"value": "value", "v": "value",
                                                  "type": "type"}, where)
            value, term_type = spec.get("value"), spec.get("type", "iri")
        elif isinstance(subject, str):
            value, term_type = subject, "iri"
            if subject.endswith(("~iri", "~blanknode")):
                value, _, term_type = subject.rpartition("~")
        else:
            value, term_type = None, None
        if not isinstance(value, str) or not value:
            self._fail(where, "the subject must be a template such as ex:thing/$(id)")
        if term_type != "iri":
            self._fail(where, f"subject term type `{term_type}` is not supported; subjects "
                       "are IRIs", unsupported=True)
        self._term(sm, self._expand(value), where)

    def _predicate_object(self, entry: Any, where: str) -> tuple[list[str], list[dict[str, str]]]:
        if isinstance(entry, list):
            if len(entry) == 2:
                predicates, objects = entry
                return self._as_list(predicates, where), self._objects(objects, where)
            if len(entry) == 3:
                predicates, value, qualifier = entry
                if not isinstance(value, str) or not isinstance(qualifier, str):
                    self._fail(where, "write [predicate, object, datatype-or-lang~lang]")
                obj = {"value": value}
                if qualifier.endswith("~lang"):
                    obj["language"] = qualifier[: -len("~lang")]
                else:
                    obj["datatype"] = qualifier
                return self._as_list(predicates, where), [obj]
            self._fail(where, f"{entry!r} must have 2 or 3 items")
        if isinstance(entry, dict):
            spec = self._normalise_keys(entry, _PO_KEYS, where)
            if "predicates" not in spec or "objects" not in spec:
                self._fail(where, "needs both `p` and `o`")
            objects = self._objects(spec["objects"], where)
            # type/datatype/language at the po level apply to every object (YARRRML ex. 68)
            for key in ("type", "datatype", "language"):
                if key in spec:
                    for obj in objects:
                        obj[key] = spec[key]
            return self._as_list(spec["predicates"], where), objects
        self._fail(where, f"{entry!r} is neither [p, o] nor {{p: ..., o: ...}}")
        raise AssertionError  # unreachable

    def _as_list(self, value: Any, where: str) -> list[str]:
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(x, str) and x for x in items):
            self._fail(where, f"{value!r} must be a predicate or a list of predicates")
        return items

    def _objects(self, value: Any, where: str) -> list[dict[str, str]]:
        items = value if isinstance(value, list) else [value]
        out: list[dict[str, str]] = []
        for item in items:
            if isinstance(item, str):
                obj = {"value": item}
                if item.endswith(("~iri", "~literal", "~blanknode")):
                    obj["value"], _, obj["type"] = item.rpartition("~")
            elif isinstance(item, list) and len(item) == 2:
                # [[$(name), en~lang], [$(age), xsd:integer]] (YARRRML ex. 83)
                obj = {"value": item[0]}
                key = "language" if item[1].endswith("~lang") else "datatype"
                obj[key] = item[1].removesuffix("~lang")
            elif isinstance(item, dict):
                obj = self._normalise_keys(item, _OBJECT_KEYS, where)
            else:
                obj = {}
            if not isinstance(obj.get("value"), str) or obj["value"] == "":
                self._fail(where, f"{item!r} is not an object value")
            out.append(obj)
        return out

    def _object(self, om: BNode, obj: dict[str, str], where: str) -> None:
        g = self.graph
        term_type = obj.get("type")
        if term_type not in (None, "iri", "literal"):
            self._fail(where, f"term type `{term_type}` is not supported; use iri or literal",
                       unsupported=True)
        if "language" in obj and "datatype" in obj:
            self._fail(where, "an object has either a language or a datatype, not both")
        if term_type == "iri" and ("language" in obj or "datatype" in obj):
            self._fail(where, "an IRI object cannot have a language or a datatype")
        self._term(om, self._expand(obj["value"]), where)
        # Same precedence as morph-kgc: language, then datatype, then type.
        if "language" in obj:
            g.add((om, RML.language, Literal(obj["language"])))
        elif "datatype" in obj:
            datatype = self._check_iri(self._expand(obj["datatype"]), f"{where}, datatype")
            g.add((om, RML.datatype, URIRef(datatype)))
        elif term_type is not None:
            g.add((om, RML.termType, RML.IRI if term_type == "iri" else RML.Literal))

    def _term(self, node: BNode, value: str, where: str, *, allow_references: bool = True) -> None:
        g = self.graph
        single = _SINGLE_REFERENCE.match(value)
        if "$(" in value and not allow_references:
            self._fail(where, f"`{value}`: only constant predicates are supported",
                       unsupported=True)
        if single:
            g.add((node, RML.reference, Literal(single.group(1))))
        elif "$(" in value:
            g.add((node, RML.template, Literal(_template_to_rml(value, self._fail, where))))
        elif value.startswith(("http", "ftp")):
            g.add((node, RML.constant, URIRef(value)))
        else:
            g.add((node, RML.constant, Literal(value)))


def _template_to_rml(value: str, fail: Any, where: str) -> str:
    """``ex/$(a)-$(b)`` -> ``ex/{a}-{b}``, escaping braces that are text."""
    out: list[str] = []
    rest = value
    while (start := rest.find("$(")) != -1:
        end = rest.find(")", start)
        if end == -1 or end == start + 2:
            fail(where, f"`{value}` has an unterminated or empty $( ) reference")
        out.append(_escape_braces(rest[:start]))
        out.append("{" + _escape_braces(rest[start + 2 : end]) + "}")
        rest = rest[end + 1 :]
    out.append(_escape_braces(rest))
    return "".join(out)


def _escape_braces(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
