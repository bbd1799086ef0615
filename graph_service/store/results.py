"""Query results of either backend as one value, and their standard serializations."""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from graph_service.store.base import Table

QueryResult = Table | bool | Graph

SELECT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json")
# The engine's own formats by media type (the embedded store serializes with these).
ENGINE_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
ENGINE_RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_RDFLIB_FORMAT = {"text/turtle": "turtle", "application/n-triples": "nt",
                  "application/ld+json": "json-ld"}


def _parts(term: object) -> tuple[str, str, str | None, str | None]:
    """(kind, value, language, datatype) of an rdflib term. (The embedded store's results
    never come here: its engine serializes them itself.)"""
    if isinstance(term, URIRef):
        return "uri", str(term), None, None
    if isinstance(term, BNode):
        return "bnode", str(term), None, None
    assert isinstance(term, Literal)
    return ("literal", str(term), term.language,
            None if term.language or term.datatype is None else str(term.datatype))


def _json_term(term: object) -> dict:
    kind, value, language, datatype = _parts(term)
    out = {"type": kind, "value": value}
    if language:
        out["xml:lang"] = language
    elif datatype and datatype != XSD_STRING:
        out["datatype"] = datatype
    return out


def _xml_term(term: object) -> str:
    kind, value, language, datatype = _parts(term)
    if kind != "literal":
        return f"<{kind}>{escape(value)}</{kind}>"
    attr = ""
    if language:
        attr = f" xml:lang={quoteattr(language)}"
    elif datatype and datatype != XSD_STRING:
        attr = f" datatype={quoteattr(datatype)}"
    return f"<literal{attr}>{escape(value)}</literal>"


def term_text(term: object) -> str:
    """The plain text of a term (IRI, literal value), empty when unbound."""
    return "" if term is None else _parts(term)[1]


def _tsv_term(term: object) -> str:
    if term is None:
        return ""
    kind, value, language, datatype = _parts(term)
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if language:
        return f'"{escaped}"@{language}'
    if datatype and datatype != XSD_STRING:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def serialize(result: QueryResult, media_type: str) -> bytes:
    """SPARQL 1.1 results (JSON, XML, CSV, TSV) or an RDF graph (Turtle, N-Triples, JSON-LD)."""
    if isinstance(result, Graph):
        return result.serialize(format=_RDFLIB_FORMAT[media_type], encoding="utf-8")
    if media_type == "application/sparql-results+json":
        if isinstance(result, bool):
            return json.dumps({"head": {}, "boolean": result}).encode()
        bindings = [{v: _json_term(t) for v, t in zip(result.variables, row, strict=True)
                     if t is not None} for row in result.rows]
        return json.dumps({"head": {"vars": result.variables},
                           "results": {"bindings": bindings}}, ensure_ascii=False).encode()
    if media_type == "application/sparql-results+xml":
        head = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        if isinstance(result, bool):
            return f"{head}<head/><boolean>{str(result).lower()}</boolean></sparql>".encode()
        parts = [head, "<head>"]
        parts += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
        parts.append("</head><results>")
        for row in result.rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                      for v, t in zip(result.variables, row, strict=True) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>")
        return "".join(parts).encode()
    if isinstance(result, bool):
        raise ValueError(f"an ASK result has no {media_type} form")
    if media_type == "text/csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        writer.writerows([term_text(t) for t in row] for row in result.rows)
        return buffer.getvalue().encode()
    if media_type == "text/tab-separated-values":
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unsupported media type {media_type}")
