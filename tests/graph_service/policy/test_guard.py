"""The SPARQL query guard, judged against the real engine.

Every evasion in the corpus is refused by the guard. The tests also run the corpus,
unguarded, in a plain in-memory pyoxigraph store against a loopback listener. That proves
the evasions are real (the engine does contact the listener) and that the test could fail.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.policy.errors import PolicyError
from graph_service.policy.guard import (
    CheckedQuery,
    CheckedUpdate,
    GuardError,
    MalformedQueryError,
    QueryRefusedError,
    check_query,
    check_update,
)
from graph_service.store import registry
from graph_service.store.remote_store import Endpoints, RemoteSparqlStore
from synthetic import PERSONAS
from tests.leaks import identity_codes

IDENTITY = "https://tyodata.fi/graph/identity"
PROTECTED = frozenset({IDENTITY})
SECRET = "the identity graph's secret"


# --------------------------------------------------------------------------------------
# The loopback listener and the engine
# --------------------------------------------------------------------------------------


class Listener:
    """A TCP listener on 127.0.0.1 whose thread accepts and counts every connection."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._socket.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()  # the engine gets an error at once instead of waiting

    def connected_during(self, action: Callable[[], object], wait: float = 0.2) -> int:
        """How many connections arrived while ``action`` ran or within ``wait`` after it."""
        before = self.connections
        action()
        deadline = time.monotonic() + wait
        while self.connections == before and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.connections - before

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def quiet_listener() -> Iterator[Listener]:
    """For the property tests only: nothing may ever connect to it."""
    server = Listener()
    yield server
    server.close()


def engine_store() -> ox.Store:
    """A plain in-memory store (no sandbox) with a little data, including a protected graph."""
    store = ox.Store()
    e = "http://e/"
    store.add(ox.Quad(ox.NamedNode(e + "s"), ox.NamedNode(e + "p"), ox.NamedNode(e + "a.b")))
    store.add(ox.Quad(ox.NamedNode(e + "s"), ox.NamedNode(e + "p"), ox.Literal("x"),
                      ox.NamedNode(e + "g")))
    store.add(ox.Quad(ox.NamedNode("urn:person:1"), ox.NamedNode(e + "p"), ox.Literal(SECRET),
                      ox.NamedNode(IDENTITY)))
    return store


def run_query(text: str, store: ox.Store | None = None) -> object:
    """Run ``text`` in the engine and consume the result; the result or the exception."""
    store = store or engine_store()
    try:
        result = store.query(text)
        if isinstance(result, ox.QueryBoolean):
            return result
        return result, list(result)
    except Exception as error:  # noqa: BLE001 - the tests look at what happened
        return error


def run_update(text: str, store: ox.Store | None = None) -> object:
    store = store or engine_store()
    try:
        store.update(text)
    except Exception as error:  # noqa: BLE001 - the tests look at what happened
        return error
    return None


def at(listener: Listener, text: str) -> str:
    return text.replace("ENDPOINT", listener.url)


# --------------------------------------------------------------------------------------
# The evasion corpus: (id, expected refusal, reaches the network when run unguarded, text)
# ENDPOINT is the listener's URL (http://127.0.0.1:PORT/).
# --------------------------------------------------------------------------------------

SERVICE, UPDATE, MALFORMED = "service", "update", "malformed"

EVASIONS: list[tuple[str, str, bool, str]] = [
    ("plain", SERVICE, True, "SELECT * { SERVICE <ENDPOINT> { ?s ?p ?o } }"),
    ("lower-case", SERVICE, True, "select * { service <ENDPOINT> { ?s ?p ?o } }"),
    ("mixed-case", SERVICE, True, "SeLeCt * { sErViCe <ENDPOINT> { ?s ?p ?o } }"),
    ("hash-in-prefix-iri-one-line", SERVICE, True,
     "PREFIX a: <http://x#> SELECT * { SERVICE <ENDPOINT> { ?s ?p ?o } }"),
    ("hash-in-iri-before", SERVICE, True,
     "SELECT * { BIND(<http://x/#p> AS ?p) SERVICE <ENDPOINT> { } }"),
    ("hash-in-iri-then-brace", SERVICE, True,
     "SELECT * { BIND(<http://x/a#> AS ?x) # }\n SERVICE <ENDPOINT> { } }"),
    ("hash-in-string", SERVICE, True, 'SELECT * { BIND("a#b" AS ?x) SERVICE <ENDPOINT> { } }'),
    ("escaped-quote-in-string", SERVICE, True,
     r'SELECT * { BIND("a\"#" AS ?x) SERVICE <ENDPOINT> { } }'),
    ("double-quote-in-single", SERVICE, True,
     "SELECT * { BIND('a\"b' AS ?x) SERVICE <ENDPOINT> { } }"),
    ("single-quote-in-double", SERVICE, True,
     "SELECT * { BIND(\"it's\" AS ?x) SERVICE <ENDPOINT> { } }"),
    ("triple-double-in-single", SERVICE, True,
     "SELECT * { BIND('\"\"\"' AS ?x) SERVICE <ENDPOINT> { } }"),
    ("triple-single-in-double", SERVICE, True,
     "SELECT * { BIND(\"'''\" AS ?x) SERVICE <ENDPOINT> { } }"),
    ("backslash-at-string-end", SERVICE, True,
     r'SELECT * { BIND("a\\" AS ?x) SERVICE <ENDPOINT> { } }'),
    ("long-string-ends-early", SERVICE, True,
     'SELECT * { BIND("""a""" AS ?x) SERVICE <ENDPOINT> { } BIND("""b""" AS ?y) }'),
    ("long-single-with-inner-quotes", SERVICE, True,
     "SELECT * { BIND('''it''s''' AS ?x) SERVICE <ENDPOINT> { } }"),
    ("long-double-two-quotes-inside", SERVICE, True,
     'SELECT * { BIND("""a""b""" AS ?x) SERVICE <ENDPOINT> { } }'),
    ("escape-S", SERVICE, False, r"SELECT * { \u0053ERVICE <ENDPOINT> { } }"),
    ("escape-I", SERVICE, False, r"SELECT * { SERV\u0049CE <ENDPOINT> { } }"),
    ("escape-long-form", SERVICE, False, r"SELECT * { \U00000053ERVICE <ENDPOINT> { } }"),
    ("escape-lower-case-hex", SERVICE, False, r"SELECT * { \u0073ervice <ENDPOINT> { } }"),
    ("escape-makes-less-than", SERVICE, False, r"SELECT * { SERVICE \u003CENDPOINT> { } }"),
    ("escape-makes-brace", SERVICE, False, r"SELECT * \u007B SERVICE <ENDPOINT> { } }"),
    ("escape-closes-string", SERVICE, False,
     r'SELECT * { BIND("a\u0022 AS ?x) SERVICE <ENDPOINT> { } }'),
    ("in-optional", SERVICE, True, "SELECT * { OPTIONAL { SERVICE <ENDPOINT> { } } }"),
    ("in-union", SERVICE, True, "SELECT * { { } UNION { SERVICE <ENDPOINT> { } } }"),
    ("in-minus", SERVICE, True,
     "SELECT * { BIND(1 AS ?x) MINUS { SERVICE <ENDPOINT> { ?x ?p ?o } } }"),
    ("in-filter-exists", SERVICE, True,
     "SELECT * { BIND(1 AS ?x) FILTER EXISTS { SERVICE <ENDPOINT> { } } }"),
    ("in-filter-not-exists", SERVICE, True,
     "SELECT * { BIND(1 AS ?x) FILTER NOT EXISTS { SERVICE <ENDPOINT> { } } }"),
    ("in-bind-exists", SERVICE, True,
     "SELECT * { BIND(EXISTS { SERVICE <ENDPOINT> { } } AS ?b) }"),
    ("in-subquery", SERVICE, True, "SELECT * { { SELECT * { SERVICE <ENDPOINT> { } } } }"),
    ("in-graph", SERVICE, True, "SELECT * { GRAPH <http://e/g> { SERVICE <ENDPOINT> { } } }"),
    ("nested-groups", SERVICE, True,
     "SELECT * { { { OPTIONAL { { SERVICE <ENDPOINT> { } } } } } }"),
    ("silent", SERVICE, True, "SELECT * { SERVICE SILENT <ENDPOINT> { ?s ?p ?o } }"),
    ("variable-endpoint", SERVICE, False,
     "SELECT * { VALUES ?e { <ENDPOINT> } SERVICE ?e { } }"),
    ("dollar-variable-endpoint", SERVICE, False,
     "SELECT * { VALUES $e { <ENDPOINT> } SERVICE $e { } }"),
    ("prefixed-endpoint", SERVICE, True,
     "PREFIX e: <ENDPOINT> SELECT * { SERVICE e:sparql { } }"),
    ("no-white-space", SERVICE, True, "SELECT*{SERVICE<ENDPOINT>{}}"),
    ("tabs-and-newlines", SERVICE, True, "SELECT\t*\n{\r\nSERVICE\n<ENDPOINT>\t{\n}\n}"),
    ("comment-ends-with-cr-only", SERVICE, True,
     "SELECT * { # a comment\rSERVICE <ENDPOINT> { } }"),
    ("pname-escaped-hash", SERVICE, True,
     r"PREFIX e: <http://e/> SELECT * { BIND(e:a\#b AS ?x) SERVICE <ENDPOINT> { } }"),
    ("ask", SERVICE, True, "ASK { SERVICE <ENDPOINT> { } }"),
    ("construct", SERVICE, True,
     "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <ENDPOINT> { ?s ?p ?o } }"),
    ("describe", SERVICE, True, "DESCRIBE ?s WHERE { SERVICE <ENDPOINT> { ?s ?p ?o } }"),
    # Where the engine does not tokenise the way the grammar says (see the guard's docstring).
    ("less-than-opens-string", MALFORMED, True,
     "SELECT * { FILTER(1<'> ') SERVICE <ENDPOINT> { } } #'"),
    ("less-equal-opens-string", MALFORMED, True,
     "SELECT * { FILTER(1<='> ') SERVICE <ENDPOINT> { } } #'"),
    ("less-than-opens-comment", MALFORMED, True,
     "PREFIX : <ENDPOINT> SELECT * { BIND(1 AS ?o) FILTER(?o<?x).SERVICE:x#>\n{} }"),
    ("less-than-in-subquery-select", MALFORMED, True,
     "SELECT * { { SELECT (1<'> ' AS ?y) { } } SERVICE <ENDPOINT> { } } #'"),
    ("less-than-and-glued-keywords", MALFORMED, True,
     "SELECT * { VALUES ?b { 2 } FILTER((1<?b)||trueIN('>, '))SERVICE <ENDPOINT>{} #'\n}"),
    ("triple-term-opens-string", MALFORMED, True,
     "SELECT * { BIND(<<(?s?p'>)')>> AS ?t) SERVICE <ENDPOINT> {} #'\n}"),
    ("triple-term-in-filter", MALFORMED, True,
     "SELECT * { VALUES ?x {1} FILTER(?x = <<(?s?p'>)')>>) SERVICE <ENDPOINT> {} #'\n}"),
    ("reified-triple-opens-string", MALFORMED, True,
     "SELECT * { <<?s?p'>'>> ?q ?r . SERVICE <ENDPOINT> {} #'\n}"),
    ("local-name-dots", MALFORMED, True,
     "PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a.b.SERVICE <ENDPOINT> { } }"),
    ("keyword-glued-to-prefix", SERVICE, True,
     "PREFIX SERVICE: <http://x/> PREFIX : <ENDPOINT> SELECT * { SERVICE:x { } }"),
    ("keyword-glued-lower-case", SERVICE, True,
     "PREFIX service: <http://x/> PREFIX : <ENDPOINT> SELECT * { service:x { } }"),
    ("keyword-glued-to-longer-prefix", SERVICE, True,
     "PREFIX s: <ENDPOINT> PREFIX SERVICEs: <http://x/> SELECT * { SERVICEs:x { } }"),
    ("keyword-glued-silent", SERVICE, True,
     "PREFIX : <ENDPOINT> PREFIX SERVICESILENT: <http://x/> SELECT * { SERVICESILENT:x { } }"),
    ("keyword-glued-undeclared", MALFORMED, False,
     "PREFIX : <ENDPOINT> SELECT * { SERVICEx:y { } }"),
    # Updates smuggled into a query, and each update form sent as a query.
    ("update-after-semicolon", UPDATE, False,
     "SELECT * { } ; INSERT DATA { <http://a> <http://b> <http://c> }"),
    ("load-after-semicolon", UPDATE, False, "SELECT * { } ; LOAD <ENDPOINT>"),
    ("insert-data", UPDATE, False, "INSERT DATA { <http://a> <http://b> <http://c> }"),
    ("delete-data", UPDATE, False, "DELETE DATA { <http://a> <http://b> <http://c> }"),
    ("delete-where", UPDATE, False, "DELETE WHERE { ?s ?p ?o }"),
    ("insert-where", UPDATE, False, "INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    ("with", UPDATE, False, "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    ("load", UPDATE, False, "LOAD <ENDPOINT>"),
    ("clear", UPDATE, False, "CLEAR ALL"),
    ("drop", UPDATE, False, "DROP GRAPH <http://g>"),
    ("create", UPDATE, False, "CREATE GRAPH <http://g>"),
    ("add", UPDATE, False, "ADD <http://a> TO <http://b>"),
    ("move", UPDATE, False, "MOVE DEFAULT TO <http://b>"),
    ("copy", UPDATE, False, "COPY <http://a> TO DEFAULT"),
    ("prefixed-lower-case-insert", UPDATE, False,
     "PREFIX e: <http://e/> insert data { e:a e:b e:c }"),
    ("escaped-insert", UPDATE, False, r"\u0049NSERT DATA { <http://a> <http://b> <http://c> }"),
]
LIVE = [case for case in EVASIONS if case[2]]


def expect_refusal(expected: str, action: Callable[[], object]) -> GuardError:
    if expected == MALFORMED:
        with pytest.raises(MalformedQueryError) as caught:
            action()
    else:
        with pytest.raises(QueryRefusedError) as caught:
            action()
        assert caught.value.kind == expected
    return caught.value


@pytest.mark.parametrize(("expected", "text"), [(c[1], c[3]) for c in EVASIONS],
                         ids=[c[0] for c in EVASIONS])
def test_evasion_is_refused(expected: str, text: str):
    error = expect_refusal(expected, lambda: check_query(text.replace("ENDPOINT",
                                                                      "http://127.0.0.1:9/")))
    assert isinstance(error, PolicyError)
    assert error.line is not None and error.column is not None


@pytest.mark.parametrize("text", [c[3] for c in EVASIONS], ids=[c[0] for c in EVASIONS])
def test_evasion_never_reaches_the_network(listener: Listener, text: str):
    """Either the guard refuses, or what it lets through does not contact the listener."""
    text = at(listener, text)
    try:
        checked = check_query(text)
    except GuardError:
        return
    assert listener.connected_during(lambda: run_query(checked.text)) == 0


@pytest.mark.parametrize("text", [c[3] for c in LIVE], ids=[c[0] for c in LIVE])
def test_evasion_is_live_without_the_guard(listener: Listener, text: str):
    """The corpus is real: run unguarded, the engine makes the HTTP connection."""
    assert listener.connected_during(lambda: run_query(at(listener, text))) >= 1


def test_the_listener_sees_an_unguarded_service_query(listener: Listener):
    text = at(listener, "SELECT * { SERVICE <ENDPOINT> { ?s ?p ?o } }")
    assert listener.connected_during(lambda: run_query(text)) == 1
    with pytest.raises(QueryRefusedError):
        check_query(text)


def test_the_corpus_is_large():
    assert len(EVASIONS) >= 40 and len(LIVE) >= 30


# --------------------------------------------------------------------------------------
# What must pass, unchanged
# --------------------------------------------------------------------------------------

PASSING = [
    ("service-variable", "SELECT ?service ?SERVICE WHERE { ?service ?p ?SERVICE }"),
    ("service-prefix", "PREFIX service: <http://example.org/service#> "
                       "SELECT * { ?s a service:Endpoint ; service:SERVICE ?o }"),
    ("service-in-string", 'SELECT * { ?s ?p "SERVICE <http://127.0.0.1/> { }" }'),
    ("insert-in-string", "SELECT * { ?s ?p 'INSERT DATA { <a> <b> <c> } ; LOAD <x>' }"),
    ("service-in-iri", "SELECT * { ?s <http://example.org/SERVICE> <http://x/#SERVICE> }"),
    ("service-in-comment", "SELECT * { ?s ?p ?o # SERVICE <http://127.0.0.1/> { }\n}"),
    ("insert-in-comment", "# INSERT DATA { <a> <b> <c> }\nSELECT * { ?s ?p ?o }"),
    ("less-than-comparisons", "SELECT * { ?a ?b ?c FILTER(?a<?b) FILTER(?a < 3) "
                              "FILTER(?a<3) FILTER(?a<=?b) FILTER(?a<'x') FILTER(1<2&&2>1) }"),
    ("less-than-before-iri", "SELECT * { ?a ?b ?c FILTER(?a < <http://e/x#y>) "
                             "FILTER(?a<<http://e/x#y>) }"),
    ("hash-in-iris", "PREFIX a: <http://x#> SELECT * { ?s a:p <http://y#z> , <http://y/#> }"),
    ("long-strings-with-quotes", "SELECT * { ?s ?p \"\"\"a \"quoted\" \"\"word\"\" \"\"\" , "
                                 "'''it's ''quoted'' ''' , \"\"\"\"\"\" , '''''' }"),
    ("short-strings-with-escapes", r'SELECT * { ?s ?p "a\"b\\c\td\n" , ' + r"'it\'s' }"),
    ("numbers", "SELECT * { VALUES ?n { 1 1.5 .5 1e5 1.E3 -3 +4 -.5e-2 0.0 } ?s ?p 1. }"),
    ("blank-nodes-and-collections", "SELECT * { _:b1 ?p [] . ?s ?p () . "
                                    "[ ?p ?o ] ?q (1 2 [ ?r ?t ] (<http://e/a#b> ?u)) }"),
    ("property-paths", "SELECT * { ?s ^<http://e/p>|<http://e/q>/<http://e/r>* ?o . "
                       "?s <http://e/p>+ ?x . ?x <http://e/p>? ?y . "
                       "?y !(<http://e/a>|^<http://e/b>) ?z . ?z a/a* ?w }"),
    ("values", "SELECT * { VALUES (?a ?b) { (<http://e/a#1> <http://e/b#2>) (UNDEF \"x\") } }"),
    ("values-after", "SELECT * { ?s ?p ?o } VALUES ?s { <http://e/s> <http://e/t#1> }"),
    ("bind-and-functions", "SELECT * { ?s ?p ?o BIND(STR(?o) AS ?x) "
                           "BIND(IRI(CONCAT('http://e/', ?x)) AS ?i) "
                           "BIND(IF(?x = 'a', 1, 2) AS ?n) FILTER(?x IN (<http://e/a#b>, 'c')) "
                           "FILTER(regex(?x, '^a.*#', 'i')) FILTER(!BOUND(?q)) }"),
    ("aggregates", "SELECT ?s (COUNT(*) AS ?n) (GROUP_CONCAT(?o; SEPARATOR=', ') AS ?all) "
                   "(SUM(?v) AS ?t) WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?v } } GROUP BY ?s "
                   "HAVING (COUNT(*) > 1) ORDER BY DESC(?n) ?s LIMIT 10 OFFSET 5"),
    ("subquery", "SELECT * { { SELECT ?s (MAX(?o) AS ?m) WHERE { ?s ?p ?o } GROUP BY ?s } "
                 "FILTER(?m < 3) }"),
    ("exists-and-minus", "SELECT * { ?s ?p ?o FILTER NOT EXISTS { ?o ?q <http://x#y> } "
                         "MINUS { ?s a <http://e/T> } FILTER(EXISTS { ?s ?p 1 } < true) }"),
    ("union-optional-graph", "SELECT * { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
                             "OPTIONAL { ?o ?p ?s } }"),
    ("function-call-iri", "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT * { ?s ?p ?o "
                          "FILTER(<http://www.w3.org/2001/XMLSchema#integer>(?o) > 1) "
                          "FILTER(xsd:integer(?o) = \"1\"^^xsd:integer) "
                          "FILTER(?o != \"kissa\"@fi) }"),
    ("order-by-function", "SELECT * { ?s ?p ?o } ORDER BY ?s <http://www.w3.org/2001/XMLSchema#string>(?o)"),
    ("construct", "CONSTRUCT { ?s <http://e/p#x> ?o } WHERE { ?s ?p ?o }"),
    ("construct-where", "CONSTRUCT WHERE { ?s ?p ?o }"),
    ("describe", "DESCRIBE <http://e/s> ?x WHERE { ?x ?p ?o }"),
    ("describe-star", "DESCRIBE *"),
    ("ask", "ASK { ?s ?p ?o }"),
    ("ask-without-pattern-spaces", "ASK{?s?p?o}"),
    ("from", "SELECT * FROM <http://e/g> FROM NAMED <http://e/h> WHERE { ?s ?p ?o }"),
    ("base-and-relative-iris", "BASE <http://e/> SELECT * { <s> <p> ?o }"),
    ("prefix-from-inside-pattern", "PREFIX from: <http://e/> SELECT * { ?s from:x ?o }"),
    ("comments-with-quotes-and-brackets",
     "SELECT * { # it's <not an IRI \" { \n ?s ?p ?o # ' \r}"),
    ("keywords-in-other-case", "select distinct ?s where { ?s ?p ?o filter(isIRI(?s)) } "
                               "order by asc(?s) limit 1"),
    ("escaped-local-names", r"PREFIX e: <http://e/> SELECT * { e:a\.b e:c%20d e:x\#y }"),
    ("single-dot-run-local-name", "PREFIX e: <http://e/> SELECT * { ?s e:a.b ?o . ?s e:a..b ?o }"),
    ("unicode-names", "PREFIX ä: <http://e/ä#> SELECT ?työ { ?työ ä:öljy 'Työdata' }"),
    ("sparql-1.2-triple-terms", "SELECT * { BIND(<<( <http://a> <http://b> 'c' )>> AS ?t) "
                                "<< ?s ?p ?o >> ?q ?r . FILTER(?t != <<( ?s ?p ?o )>>) }"),
]


@pytest.mark.parametrize("text", [c[1] for c in PASSING], ids=[c[0] for c in PASSING])
def test_real_queries_pass_unchanged(text: str):
    checked = check_query(text)
    assert isinstance(checked, CheckedQuery)
    assert checked.text == text
    outcome = run_query(checked.text)
    assert not isinstance(outcome, Exception), outcome  # the engine reads them all
    assert type(outcome if checked.form == "ASK" else outcome[0]) is FORMS[checked.form]


FORMS = {"SELECT": ox.QuerySolutions, "ASK": ox.QueryBoolean, "CONSTRUCT": ox.QueryTriples,
         "DESCRIBE": ox.QueryTriples}


def test_the_passing_corpus_is_large():
    assert len(PASSING) >= 30


# --------------------------------------------------------------------------------------
# FROM and FROM NAMED
# --------------------------------------------------------------------------------------

G = "https://tyodata.fi/graph/"


@pytest.mark.parametrize(("text", "default", "named"), [
    (f"SELECT * FROM <{G}a> FROM NAMED <{G}b> {{ }}", (G + "a",), (G + "b",)),
    (f"PREFIX g: <{G}> SELECT * FROM g:a FROM NAMED g:b FROM g:a FROM g:c {{ }}",
     (G + "a", G + "c"), (G + "b",)),
    (f"PREFIX g: <{G}> SELECT * FROM NAMED g:b FROM NAMED <{G}a> FROM NAMED g:b {{ }}",
     (), (G + "b", G + "a")),
    (f"BASE <{G}x> SELECT * FROM <a> FROM <../graph/c> FROM NAMED <#f> FROM NAMED <?q> {{ }}",
     (G + "a", G + "c"), (G + "x#f", G + "x?q")),
    ("BASE <https://tyodata.fi/> PREFIX g: <graph/> SELECT * FROM g:a { }", (G + "a",), ()),
    ("BASE <https://tyodata.fi/x/> BASE <../graph/> SELECT * FROM <a> { }", (G + "a",), ()),
    (r"SELECT * FROM <https://tyodata.fi/graph/\u0061> {}", (G + "a",), ()),
    (r"SELECT * \u0046ROM <https://tyodata.fi/graph/a> fRoM nAmEd <https://tyodata.fi/graph/b> {}",
     (G + "a",), (G + "b",)),
    (r"SELECT * FROM\u0020\u003Chttps://tyodata.fi/graph/a> {}", (G + "a",), ()),
    (f"SELECT * FROM <{G}a> WHERE {{ }}", (G + "a",), ()),
    (f"ASK FROM <{G}a> {{ }}", (G + "a",), ()),
    (f"CONSTRUCT {{ ?s ?p ?o }} FROM <{G}a> WHERE {{ ?s ?p ?o }}", (G + "a",), ()),
    (f"DESCRIBE ?s FROM NAMED <{G}b> WHERE {{ ?s ?p ?o }}", (), (G + "b",)),
    (f"SELECT * # FROM <{G}hidden>\n {{ ?s ?p '<{G}x> FROM' }}", (), ()),
    (f"SELECT (1 AS ?from) FROM <{G}a> {{ }}", (G + "a",), ()),
])
def test_from_clauses_resolve_to_absolute_iris(text: str, default: tuple, named: tuple):
    checked = check_query(text)
    assert (checked.from_default, checked.from_named) == (default, named)


@pytest.mark.parametrize("text", [
    "SELECT * { } FROM <http://e/g>",
    "SELECT * { { SELECT * FROM <http://e/g> { } } }",
    "SELECT * FROM { }",
    "SELECT * FROM NAMED { }",
    "SELECT * FROM ?g { }",
    "SELECT * FROM 'g' { }",
    "SELECT * FROM",
    "PREFIX : <http://e/> PREFIX NAMED: <http://x/> SELECT * FROM NAMED:g { }",
    "PREFIX : <http://e/> PREFIX from: <http://x/> SELECT * from:g { }",
    "SELECT * FROM <http://e/a> PREFIX e: <http://e/> { }",
])
def test_malformed_from_clauses(text: str):
    with pytest.raises(MalformedQueryError):
        check_query(text)


def test_from_graphs_are_the_ones_the_engine_uses():
    """The engine, given the same text, reads exactly the graphs the guard reported."""
    text = (f"BASE <{G}x/y> PREFIX g: <{G}> PREFIX r: <../> SELECT ?o ?g "
            r"FROM <a> FROM g:b FROM r:c FROM <https://tyodata.fi/graph/\u0064> "
            "FROM NAMED <#n> FROM NAMED g:m WHERE { { ?s ?p ?o } UNION { GRAPH ?g { } } }")
    checked = check_query(text)
    everything = set(checked.from_default + checked.from_named)
    assert len(everything) == 6
    store = ox.Store()
    for graph in everything:
        store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
                          ox.Literal(graph), ox.NamedNode(graph)))
    rows = list(store.query(checked.text))
    default = {row["o"].value for row in rows if row["o"] is not None}
    named = {row["g"].value for row in rows if row["g"] is not None}
    assert default == set(checked.from_default)
    assert named == set(checked.from_named)


# --------------------------------------------------------------------------------------
# Escapes, positions, messages
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    r"SELECT * { ?s ?p '\u005Cu0053ERVICE' }",  # decodes to another escape
    r"SELECT * { ?s ?p '\\u0041' }",  # decodes to \A: an invalid string escape
    r"SELECT * { ?s ?p '\u12' }",
    r"SELECT * { ?s ?p '\u00G1' }",
    r"SELECT * { ?s ?p '\uD800' }",
    r"SELECT * { ?s ?p '\U00110000' }",
    r"SELECT * { ?s ?p '\U0000005' }",
    "SELECT * { ?s ?p ?o }\\u",
])
def test_bad_escapes_are_malformed(text: str):
    with pytest.raises(MalformedQueryError):
        check_query(text)


def test_escapes_are_decoded_once_and_the_decoded_text_is_returned():
    checked = check_query(r'SELECT ("\u00e4\U0001F600" AS ?x) { }')
    assert checked.text == 'SELECT ("ä\U0001f600" AS ?x) { }'
    outcome = run_query(checked.text)
    assert [row["x"].value for row in outcome[1]] == ["ä\U0001f600"]  # type: ignore[index]


def test_a_text_without_backslashes_is_returned_as_is():
    text = "SELECT * { ?s ?p 'no escapes here' }"
    assert check_query(text).text is text


def test_positions_are_in_the_text_as_sent():
    with pytest.raises(QueryRefusedError) as caught:
        check_query("SELECT *\n  {\\u0020\\u0020SERVICE <http://127.0.0.1/> { } }")
    assert (caught.value.line, caught.value.column) == (2, 16)
    with pytest.raises(MalformedQueryError) as caught:
        check_query("SELECT * {\n ?s ?p 'open\n}")
    assert (caught.value.line, caught.value.column) == (2, 8)
    assert "2:8" in str(caught.value)


HETU = PERSONAS[0].hetu


@pytest.mark.parametrize("text", [
    f"SELECT * {{ ?s ?p '{HETU}' . SERVICE <http://127.0.0.1/> {{ }} }}",
    f"SELECT * {{ ?s ?p <urn:hetu:{HETU}> }} ; INSERT DATA {{ }}",
    f"SELECT * {{ ?s ?p '{HETU}",
    f"SELECT * {{ ?s ?p {HETU} FOO }}",
    f"SELECT * {{ ?s ?p x:{HETU} }}",
    f"SELECT * {{ ?s ?p ?o }} # {HETU}\n garbage",
    f"SELECT * {{ ?s ?p '{HETU}' FILTER(1<'{HETU}> ') }}",
    f"PREFIX e: <http://e/> SELECT * {{ ?s ?p e:a.{HETU}.b }}",
    f"DROP GRAPH <{IDENTITY}> ; INSERT DATA {{ <urn:{HETU}> <urn:p> '{HETU}' }}",
])
def test_messages_never_repeat_the_text(text: str):
    with pytest.raises(GuardError) as caught:
        if text.startswith("DROP"):
            check_update(text, protected=PROTECTED)
        else:
            check_query(text)
    message = str(caught.value)
    assert not identity_codes(message), message
    assert HETU[:6] not in message
    assert re.search(r"\b\d+:\d+\b", message), message


@pytest.mark.parametrize("text", [
    "",
    "   # only a comment",
    "{ ?s ?p ?o }",
    "'SELECT' * { }",
    "FILTER SELECT * { }",
    "SELECT * { ?s ?p ?o",
    "SELECT * { ?s ?p ?o } }",
    "SELECT * { ?s ?p (1 2] }",
    "SELECT * { ?s ?p 'unterminated }",
    "SELECT * { ?s ?p '''unterminated }",
    'SELECT * { ?s ?p "bad \\q escape" }',
    "SELECT * { ?s ?p ?o } \\",
    "SELECT * { ?s ?p <http://a\x01b> }",
    "SELECT * { ?s ?p <http://a b> }",
    "SELECT * { ?s ?p € }",
    "SELECT * { ?s ?p $ }",
    "SELECT * { ?s ?p ?o FOO }",
    "SELECT * { ?s ?p ?o } garbage",
    "SELECT * { ?s undeclared:p ?o }",
    "SELECT * { ?s ?p ?o } PREFIX e: <http://e/>",
    "PREFIX e <http://e/> SELECT * { }",
    "PREFIX e: 'x' SELECT * { }",
    "BASE e: SELECT * { }",
    "PREFIX e: <http://e/>",
    "SELECT * { ?s ?p ?o \x00 }",
    "SELECT * { ?s A ?o }",
])
def test_malformed_queries(text: str):
    with pytest.raises(MalformedQueryError):
        check_query(text)


# --------------------------------------------------------------------------------------
# check_update
# --------------------------------------------------------------------------------------

GI = f"<{IDENTITY}>"
PG = f"PREFIX g: <{G}> "

UPDATE_REFUSALS: list[tuple[str, str, str]] = [
    ("load", "load", "LOAD <http://127.0.0.1:9/x.ttl>"),
    ("load-into", "load", "LOAD SILENT <http://127.0.0.1:9/x.ttl> INTO GRAPH <http://e/g>"),
    ("load-second", "load", "CLEAR DEFAULT ; LOAD <http://127.0.0.1:9/x.ttl>"),
    ("service", "service", "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> "
                           "{ ?s ?p ?o } }"),
    ("service-glued", "service", "PREFIX SERVICE: <http://x/> PREFIX : <http://127.0.0.1:9/> "
                                 "INSERT { ?s ?p ?o } WHERE { SERVICE:x { ?s ?p ?o } }"),
    ("graph-var-template", "variable-graph",
     "INSERT { GRAPH ?g { <http://a> <http://b> 1 } } WHERE { ?g ?p ?o }"),
    ("graph-var-where", "variable-graph",
     "INSERT { <http://a> <http://b> ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("graph-dollar-var", "variable-graph", "DELETE WHERE { GRAPH $g { ?s ?p ?o } }"),
    ("graph-var-computed", "variable-graph",
     "INSERT { GRAPH ?g { <http://a> <http://b> 1 } } WHERE { "
     f"BIND(IRI(CONCAT('{G}', 'ident', 'ity')) AS ?g) }}"),
    ("graph-var-filter-not-exists", "variable-graph",
     f"DELETE {{ GRAPH <{G}x> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{G}x> {{ ?s ?p ?o }} "
     "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"),
    ("drop-all", "all-graphs", "DROP ALL"),
    ("drop-silent-all", "all-graphs", "DROP SILENT ALL"),
    ("drop-named", "all-graphs", "drop named"),
    ("clear-all", "all-graphs", "CLEAR ALL"),
    ("clear-named", "all-graphs", "CLEAR NAMED"),
    ("clear-silent-named-later", "all-graphs", "CLEAR DEFAULT ; ClEaR SiLeNt NaMeD ;"),
    ("protected-insert-data", "protected-graph",
     f"INSERT DATA {{ GRAPH {GI} {{ <http://a> <http://b> 1 }} }}"),
    ("protected-delete-data", "protected-graph",
     f"DELETE DATA {{ GRAPH {GI} {{ <http://a> <http://b> 1 }} }}"),
    ("protected-delete-where", "protected-graph", f"DELETE WHERE {{ GRAPH {GI} {{ ?s ?p ?o }} }}"),
    ("protected-template", "protected-graph",
     f"INSERT {{ GRAPH {GI} {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"),
    ("protected-where", "protected-graph",
     f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {GI} {{ ?s ?p ?o }} }}"),
    ("protected-using", "protected-graph",
     f"INSERT {{ ?s ?p ?o }} USING {GI} WHERE {{ ?s ?p ?o }}"),
    ("protected-using-named", "protected-graph",
     f"INSERT {{ ?s ?p ?o }} USING NAMED {GI} WHERE {{ ?s ?p ?o }}"),
    ("protected-with", "protected-graph", f"WITH {GI} DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"),
    ("protected-copy-from", "protected-graph", f"COPY {GI} TO <http://e/x>"),
    ("protected-copy-to", "protected-graph", f"COPY <http://e/x> TO {GI}"),
    ("protected-move", "protected-graph", f"MOVE SILENT DEFAULT TO GRAPH {GI}"),
    ("protected-add", "protected-graph", f"ADD GRAPH {GI} TO DEFAULT"),
    ("protected-create", "protected-graph", f"CREATE GRAPH {GI}"),
    ("protected-drop", "protected-graph", f"DROP SILENT GRAPH {GI}"),
    ("protected-clear", "protected-graph", f"CLEAR GRAPH {GI}"),
    ("protected-in-filter", "protected-graph",
     f"DELETE WHERE {{ ?s ?p ?o FILTER(?o = {GI}) }}".replace("DELETE WHERE",
                                                              "DELETE { ?s ?p ?o } WHERE")),
    ("protected-prefixed", "protected-graph", PG + "DROP GRAPH g:identity"),
    ("protected-prefix-split", "protected-graph",
     f"PREFIX g: <{G}iden> DROP GRAPH g:tity"),
    ("protected-base", "protected-graph", f"BASE <{G}> DROP GRAPH <identity>"),
    ("protected-base-dots", "protected-graph",
     "BASE <https://tyodata.fi/x/y/z> DROP GRAPH <../../graph/identity>"),
    ("protected-base-then-prefix", "protected-graph",
     "BASE <https://tyodata.fi/> PREFIX g: <graph/> DROP GRAPH g:identity"),
    ("protected-escaped", "protected-graph", r"DROP GRAPH <https://tyodata.fi/graph/\u0069dentity>"),
    ("protected-escaped-brackets", "protected-graph",
     r"DROP GRAPH \u003Chttps://tyodata.fi/graph/identity\u003E"),
    ("protected-escaped-pname", "protected-graph", PG + r"DROP GRAPH g:\u0069dentity"),
    ("protected-keyword-glued-graph", "protected-graph",
     f"PREFIX GRAPH: <http://x/> PREFIX : <{G}> "
     "INSERT DATA { GRAPH:identity { <http://a> <http://b> 1 } }"),
    ("protected-keyword-glued-to", "protected-graph",
     f"PREFIX TO: <http://x/> PREFIX : <{G}> COPY <http://e/g> TO:identity"),
    ("protected-keyword-glued-using-named", "protected-graph",
     f"PREFIX USINGNAMED: <http://x/> PREFIX : <{G}> "
     "INSERT { ?s ?p ?o } USINGNAMED:identity WHERE { GRAPH :identity { ?s ?p ?o } }"),
    ("protected-in-prefix-declaration", "protected-graph",
     f"PREFIX g: {GI} CLEAR DEFAULT"),
    ("protected-second-operation", "protected-graph",
     f"CLEAR DEFAULT ; INSERT DATA {{ GRAPH <{G}x> {{ <http://a> <http://b> 1 }} }} ; "
     f"DROP GRAPH {GI}"),
    ("select", "not-an-update", "SELECT * { ?s ?p ?o }"),
    ("ask", "not-an-update", "ASK { }"),
    ("construct", "not-an-update", "PREFIX e: <http://e/> CONSTRUCT WHERE { ?s ?p ?o }"),
    ("describe", "not-an-update", "DESCRIBE <http://e/s>"),
    ("query-after-update", "not-an-update", "CLEAR DEFAULT ; SELECT * { }"),
]


@pytest.mark.parametrize(("kind", "text"), [(c[1], c[2]) for c in UPDATE_REFUSALS],
                         ids=[c[0] for c in UPDATE_REFUSALS])
def test_update_refusals(kind: str, text: str):
    with pytest.raises(QueryRefusedError) as caught:
        check_update(text, protected=PROTECTED)
    assert caught.value.kind == kind, str(caught.value)


@pytest.mark.parametrize("name", ["protected-keyword-glued-graph",
                                  "protected-keyword-glued-to",
                                  "protected-keyword-glued-using-named"])
def test_keyword_glued_spellings_really_reach_the_protected_graph(name: str):
    """The engine reads GRAPH:identity as GRAPH :identity: unguarded, these write or read
    the protected graph."""
    text = dict((c[0], c[2]) for c in UPDATE_REFUSALS)[name]
    store = engine_store()
    store.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.Literal("c"),
                      ox.NamedNode("http://e/g")))
    assert run_update(text, store) is None
    after = list(store.quads_for_pattern(None, None, None, ox.NamedNode(IDENTITY)))
    if "USING" in text:  # reads: the identity graph's triple is copied to the default graph
        assert any(q.object == ox.Literal(SECRET) for q in
                   store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    else:
        assert [q.object for q in after] != [ox.Literal(SECRET)]


@pytest.mark.parametrize("text", [
    f"DROP SILENT GRAPH <{G}identit%79>",
    "DROP SILENT GRAPH <https://TYODATA.fi/graph/identity>",
    f"DROP SILENT GRAPH <{G}identity/>",
    f"DROP SILENT GRAPH <{G}identity#>",
    f"DROP SILENT GRAPH <{G}./identity>",
    f"DROP SILENT GRAPH <{G}x/../identity>",
    f"BASE <http://e/> DROP SILENT GRAPH <{G}x/../identity>",
    f"PREFIX g: <{G}> DROP SILENT GRAPH g:identit%79",
    f"INSERT DATA {{ <{IDENTITY}x> <http://b> 1 }}",
])
def test_near_misses_of_the_protected_graph_pass_and_leave_it_alone(text: str):
    """Exact strings: spellings that differ are other graphs, for the engine too."""
    checked = check_update(text, protected=PROTECTED)
    store = engine_store()
    assert run_update(checked.text, store) is None
    assert [q.object for q in store.quads_for_pattern(None, None, None,
                                                       ox.NamedNode(IDENTITY))] \
        == [ox.Literal(SECRET)]


@pytest.mark.parametrize(("text", "operations"), [
    ("", ()),
    ("PREFIX e: <http://e/>", ()),
    ("CLEAR DEFAULT ;", ("CLEAR",)),
    ("CLEAR DEFAULT ; CREATE SILENT GRAPH <http://e/g> ; ADD <http://e/a> TO <http://e/b> ; "
     "MOVE SILENT DEFAULT TO GRAPH <http://e/c> ; COPY GRAPH <http://e/c> TO DEFAULT ; "
     "DROP GRAPH <http://e/g>",
     ("CLEAR", "CREATE", "ADD", "MOVE", "COPY", "DROP")),
    ("PREFIX e: <http://e/> INSERT DATA { e:a e:b 'x ; y' } ; DELETE DATA { e:a e:b 'x' } ; "
     "DELETE WHERE { <http://e/a> ?p ?o } ; "
     "WITH <http://e/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } USING <http://e/h> "
     "USING NAMED <http://e/i> WHERE { ?s ?p ?o ; ?q ?r } ; "
     "INSERT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } } ; "
     "delete { ?s ?p ?o } where { ?s ?p ?o FILTER(?o < 3) }",
     ("INSERT DATA", "DELETE DATA", "DELETE WHERE", "MODIFY", "MODIFY", "MODIFY")),
])
def test_update_operations(text: str, operations: tuple[str, ...]):
    checked = check_update(text, protected=PROTECTED)
    assert isinstance(checked, CheckedUpdate)
    assert checked.operations == operations
    assert checked.text == text
    assert run_update(checked.text) is None


@pytest.mark.parametrize("text", [
    "DROP",
    "DROP SILENT",
    "CLEAR GRAPH",
    "DROP <http://e/g>",
    "CREATE <http://e/g>",
    "COPY <http://e/a> <http://e/b>",
    "INSERT DATA",
    "INSERT { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { } ",
    "WITH <http://e/g> SELECT * { }",
    "WITH <http://e/g> INSERT { } USING WHERE { }",
    "; CLEAR DEFAULT",
    "CLEAR DEFAULT ; ;",
    "CLEAR DEFAULT CLEAR DEFAULT",
    "FOO",
    "PREFIX LOAD: <http://x/> PREFIX : <http://127.0.0.1:9/> LOAD:x.ttl",
    "PREFIX DROPALL: <http://x/> DROPALL:x",
    "PREFIX e: <http://e/> CLEAR e:all",
    "INSERT DATA { <http://a> <http://b> 'open }",
    "INSERT DATA { <http://a> <http://b> <http://c> ",
])
def test_malformed_updates(text: str):
    with pytest.raises(MalformedQueryError):
        check_update(text, protected=PROTECTED)


def test_update_errors_report_the_first_problem_in_the_text():
    with pytest.raises(QueryRefusedError) as caught:
        check_update(f"DROP GRAPH {GI} ; LOAD <http://x/>", protected=PROTECTED)
    assert caught.value.kind == "protected-graph"
    with pytest.raises(QueryRefusedError) as caught:
        check_update(f"LOAD <http://x/> ; DROP GRAPH {GI}", protected=PROTECTED)
    assert caught.value.kind == "load"
    with pytest.raises(QueryRefusedError) as caught:
        check_update(f"DROP ALL ; DROP GRAPH {GI}", protected=PROTECTED)
    assert caught.value.kind == "all-graphs"


def test_protected_may_be_any_iterable_and_empty():
    assert check_update(f"DROP GRAPH {GI}", protected=()).operations == ("DROP",)
    with pytest.raises(QueryRefusedError):
        check_update(f"DROP GRAPH {GI}", protected=iter([IDENTITY]))


# ---- the updates the ingest really sends ---------------------------------------------


class _Recorder:
    """Stands in for a store: keeps the SPARQL updates the registry would send."""

    def __init__(self) -> None:
        self.updates: list[str] = []

    def update(self, text: str) -> None:
        self.updates.append(text)


def _description(graph: str) -> Graph:
    g = Graph()
    s = URIRef(graph)
    tyo = "https://tyodata.fi/ontology#"
    g.add((s, URIRef(tyo + "extractStatus"), URIRef(tyo + "Current")))
    g.add((s, URIRef(tyo + "source"), URIRef(registry.source_iri("kela"))))
    g.add((s, URIRef(tyo + "organisation"),
           Literal('Kansaneläkelaitos "Kela" \\ rivi\ntoinen rivi # { SERVICE }', lang="fi")))
    g.add((s, URIRef(tyo + "rowsRead"), Literal(1234)))
    g.add((s, URIRef(tyo + "extractedAt"),
           Literal("2026-01-02T03:04:05Z", datatype=XSD.dateTime)))
    g.add((s, URIRef(tyo + "file"), Literal("henkilöt_2026.csv")))
    activity = BNode()
    g.add((s, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), activity))
    g.add((activity, URIRef("http://www.w3.org/ns/prov#startedAtTime"),
           Literal("2026-01-02T03:04:05Z", datatype=XSD.dateTime)))
    return g


def _ingest_updates() -> list[tuple[str, str]]:
    recorder = _Recorder()
    extract = registry.extract_graph("kela", "3f2a9c0d")
    reference = registry.extract_graph("esco", "v1-2-0")
    registry.begin_extract(recorder, "kela", extract)  # type: ignore[arg-type]
    registry.commit_extract(recorder, "kela", extract, _description(extract))  # type: ignore
    registry.commit_extract(recorder, "esco", reference, _description(reference))  # type: ignore
    registry.register_graph(recorder, registry.GraphKind.CONSENT,  # type: ignore[arg-type]
                            person="https://tyodata.fi/id/person/p-0001",
                            data='<urn:a> <urn:b> "consent ; given" .')
    registry.drop_registered_graph(recorder, f"{G}consent/abc")  # type: ignore[arg-type]
    remote = RemoteSparqlStore(Endpoints.under("http://127.0.0.1:9/admin"))
    try:
        remote.update = recorder.update  # type: ignore[method-assign]
        remote.drop_graph(extract)  # what collect_garbage sends through the admin path
    finally:
        remote.close()
    names = ["begin_extract", "commit_extract", "commit_extract-reference", "register_graph",
             "drop_registered_graph", "drop_graph"]
    assert len(recorder.updates) == len(names)
    return list(zip(names, recorder.updates, strict=True))


INGEST_UPDATES = _ingest_updates()


@pytest.mark.parametrize("text", [u for _, u in INGEST_UPDATES],
                         ids=[n for n, _ in INGEST_UPDATES])
def test_the_updates_the_ingest_sends_pass(text: str):
    checked = check_update(text, protected=PROTECTED)
    assert checked.text == text
    assert checked.operations
    assert run_update(checked.text) is None  # and the engine runs them


def test_the_ingest_update_shapes():
    operations = {name: check_update(text, protected=PROTECTED).operations
                  for name, text in INGEST_UPDATES}
    assert operations["commit_extract"] == ("MODIFY", "DELETE WHERE", "INSERT DATA")
    assert operations["drop_graph"] == ("DROP",)
    assert dict(INGEST_UPDATES)["drop_graph"].startswith("DROP SILENT GRAPH <")


# ---- LOAD against the loopback listener ------------------------------------------------

LOADS: list[tuple[str, str, bool, str]] = [
    ("plain", "load", True, "LOAD <ENDPOINTx.ttl>"),
    ("lower-case-silent-into", "load", True,
     "load silent <ENDPOINTx.ttl> into graph <http://e/g>"),
    ("prefixed", "load", True, "PREFIX e: <ENDPOINT> LOAD e:x.ttl"),
    ("relative-to-base", "load", True, "BASE <ENDPOINT> LOAD <x.ttl>"),
    ("after-insert", "load", True,
     "INSERT DATA { <http://a> <http://b> <http://c> } ; LOAD <ENDPOINTx.ttl>"),
    ("after-comment-ending-in-cr", "load", True, "# c\rLOAD SILENT <ENDPOINTx.ttl>"),
    ("escaped-keyword", "load", False, r"\u004cOAD <ENDPOINTx.ttl>"),
    ("escaped-space", "load", False, r"LOAD\u0020<ENDPOINTx.ttl>"),
    ("keyword-glued", "malformed", True, "PREFIX LOAD: <http://x/> PREFIX : <ENDPOINT> LOAD:x.ttl"),
    ("keyword-glued-silent", "malformed", True,
     "PREFIX LOADSILENT: <http://x/> PREFIX : <ENDPOINT> LOADSILENT:x.ttl"),
    ("service-in-where", "service", True,
     "INSERT { ?s ?p ?o } WHERE { SERVICE <ENDPOINT> { ?s ?p ?o } }"),
    ("service-silent-in-delete-where", "service", False,
     "DELETE WHERE { SERVICE SILENT <ENDPOINT> { ?s ?p ?o } }"),
]


@pytest.mark.parametrize(("expected", "text"), [(c[1], c[3]) for c in LOADS],
                         ids=[c[0] for c in LOADS])
def test_load_is_refused(listener: Listener, expected: str, text: str):
    text = at(listener, text)
    expect_refusal(expected, lambda: check_update(text, protected=PROTECTED))


@pytest.mark.parametrize("text", [c[3] for c in LOADS], ids=[c[0] for c in LOADS])
def test_load_never_reaches_the_network(listener: Listener, text: str):
    text = at(listener, text)
    try:
        checked = check_update(text, protected=PROTECTED)
    except GuardError:
        return
    assert listener.connected_during(lambda: run_update(checked.text)) == 0


@pytest.mark.parametrize("text", [c[3] for c in LOADS if c[2]], ids=[c[0] for c in LOADS if c[2]])
def test_load_is_live_without_the_guard(listener: Listener, text: str):
    assert listener.connected_during(lambda: run_update(at(listener, text))) >= 1


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SPARQL_CHARS = list("<>{}()[]'\"#\\?$:._-@^|!=&*/+;, \t\r\nuUaSsEeRrVvIiCc0123456789")
FRAGMENTS = ["SERVICE", "SELECT", "PREFIX", "BASE", "FROM", "NAMED", "LOAD", "GRAPH", "a",
             "\\u0053", "\\u003C", "\\u", "\\U0000007B", "'''", '"""', "#", "\r", "\n", "<'>",
             "ex:a.b.c", ":x", "SERVICE:x", "?x", "1.", ".5", "-3", "_:b", "@fi", "^^",
             "<http://e/a#b>", "{", "}", "(", ")", "[", "]"]


@FUZZ
@given(st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from(
        ["\t", "\n", "\r", "ä", "\u2028", "\U0001F600"]), max_size=200),
    st.lists(st.sampled_from(SPARQL_CHARS) | st.sampled_from(FRAGMENTS), max_size=60)
    .map("".join),
))
def test_random_text_raises_nothing_but_guard_errors(text: str):
    for check in (check_query, lambda t: check_update(t, protected=PROTECTED)):
        with contextlib.suppress(GuardError):
            check(text)


def _quoted(content: str, quote: str) -> str:
    escaped = content.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0])
    if len(quote) == 1:
        escaped = escaped.replace("\n", "\\n").replace("\r", "\\r")
    return quote + escaped + quote


DECOY_TEXT = st.text(alphabet=st.sampled_from(list("SERVICE service{}<>#'\"\\ \n;:?.INSERT")),
                     max_size=30)
DECOY_LITERAL = st.builds(_quoted, DECOY_TEXT, st.sampled_from(["'", '"', "'''", '"""']))
DECOY_IRI = st.one_of(
    st.sampled_from(["<http://x/SERVICE>", "<http://x/#SERVICE>", "<http://x/a#>",
                     "<http://x/it's>", "<urn:x:SERVICE>", "<http://x/SERVICE?SERVICE#LOAD>"]),
    st.text(alphabet=st.sampled_from(list("SERVICEservice#'/?=:.&;INSERT")), max_size=20)
    .map(lambda s: "<http://x/" + s + ">"),
)
# A comment starts after white space: right after '<' (as in "?a <#x>") it would make an
# IRIREF that the engine reads as less-than and a comment, which the guard refuses by design.
DECOY_COMMENT = st.text(alphabet=st.sampled_from(list("SERVICE {}<>'\"#;")), max_size=30) \
    .map(lambda s: " #" + s + "\n")
SAFE_TERM = st.one_of(
    st.sampled_from(["?s", "?o", "?service", "?SERVICE", "$x", "<http://e/a>", "ex:a",
                     "service:x", "ex:SERVICE", "1", "-3", "1.5", ".5", "1e5", "true", "_:b"]),
    DECOY_LITERAL, DECOY_IRI)
SEPARATOR = st.one_of(st.sampled_from([" ", "\n", "\t", "\r\n"]), DECOY_COMMENT)


@st.composite
def safe_queries(draw: st.DrawFn) -> str:
    parts = ["PREFIX ex: <http://e/> PREFIX service: <http://s/>", "SELECT", "*", "WHERE", "{"]
    for i in range(draw(st.integers(0, 5))):
        element = draw(st.sampled_from(["triple", "filter", "bind", "optional", "union",
                                        "values"]))
        t = [draw(SAFE_TERM) for _ in range(3)]
        if element == "triple":
            parts += [t[0], "?p", t[2], "."]
        elif element == "filter":
            op = draw(st.sampled_from(["=", "!=", "<", ">", "<=", ">=", "&&", "||"]))
            parts += ["FILTER", "(", t[0], op, t[1], ")"]
        elif element == "bind":
            parts += ["BIND", "(", t[0], "AS", f"?b{i}", ")"]
        elif element == "optional":
            parts += ["OPTIONAL", "{", t[0], "?p", t[1], "}"]
        elif element == "union":
            parts += ["{", t[0], "?p", t[1], "}", "UNION", "{", "}"]
        else:
            value = draw(st.one_of(DECOY_LITERAL, DECOY_IRI))
            parts += ["VALUES", f"?v{i}", "{", value, "}"]
    parts.append("}")
    return "".join(part + draw(SEPARATOR) for part in parts)


@FUZZ
@given(safe_queries())
def test_service_in_strings_iris_and_comments_is_never_refused(text: str):
    try:
        check_query(text)
    except QueryRefusedError as refused:
        pytest.fail(f"refused as {refused.kind}: {text!r}")
    except MalformedQueryError:
        # Allowed only where the engine cannot read the query either.
        assert isinstance(run_query(text), SyntaxError), text


SOUP = [
    "SERVICE", "service", "SILENT", "<ENDPOINT>", ":x", "SERVICE:x", "service:x",
    r"\u0053ERVICE", "{", "}", "(", ")", "[", "]", ".", ";", ",", "<", ">", "<=", "=", "'",
    '"', "'''", '"""', "#", "\n", "\r", "?x", "?o", "1", "2.", "ex:a.b.c", "ex:a.b", "<'>",
    "<?x>", "<http://e/a#b>", "<http://e/s>", "FILTER", "BIND", "AS", "true", "IN", "EXISTS",
    "NOT", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES", "SELECT", "WHERE", "*", "&&",
    "||", "'x'", '"y"', "'> '", "#'", "#>", "FROM", "NAMED", "a", "?s ?p ?o", "1<'> '",
    "trueIN", "SERVICE<ENDPOINT>{}", "'>", "<?o)", "SERVICE?x", "VALUES ?e { <ENDPOINT> }",
    "BIND(<ENDPOINT> AS ?e)", "ex:a.b.SERVICE", "ex:SERVICE", "SERVICEex:a", "<#>", "<'#'>",
    "<)>", "<{>", "(1<", "?x<'", "'.", "LIMIT", "ORDER BY", "GROUP BY", "HAVING", "DESC(",
    "<<", "<<(", ")>>", ">>", "<(", "<?s?p'>", "~", "{|", "|}",
]
SOUP_STARTS = [("SELECT * WHERE {", "}"), ("SELECT * { FILTER(", ") }"),
               ("SELECT ?x (", " AS ?y) { }"), ("ASK { BIND(", " AS ?b) }"),
               ("SELECT * { { SELECT (1", " AS ?z) { } } }"), ("CONSTRUCT { ", " } WHERE { }")]


@FUZZ
@given(st.sampled_from(SOUP_STARTS),
       st.lists(st.tuples(st.sampled_from(SOUP), st.sampled_from(["", " ", "\n"])),
                max_size=25))
def test_what_the_guard_accepts_the_engine_reads_the_same_way(
        quiet_listener: Listener, start: tuple[str, str], soup: list[tuple[str, str]]):
    """Whatever check_query lets through, the engine either runs as a query of the same form
    without contacting anyone, or rejects as a syntax error. Nothing else."""
    text = at(quiet_listener, "PREFIX ex: <http://e/> PREFIX : <ENDPOINT> "
              "PREFIX SERVICE: <http://x/> PREFIX SERVICEex: <http://x/> "
              + start[0] + "".join(a + b for a, b in soup) + start[1])
    try:
        checked = check_query(text)
    except GuardError:
        return
    outcome: list[object] = []
    assert quiet_listener.connected_during(lambda: outcome.append(run_query(checked.text)),
                                           wait=0.01) == 0, text
    result = outcome[0]
    if isinstance(result, Exception):
        assert isinstance(result, SyntaxError), (text, result)
    else:
        assert type(result if checked.form == "ASK" else result[0]) is FORMS[checked.form]


BASES = ["http://a/b/c/d;p?q", "http://a/b/", "http://a", "https://tyodata.fi/graph/x",
         "urn:a:b", "urn:a/b/c", "file:///x/y/z", "http://a/b/c/?q#f", "http://u@a:8080/b/c"]
SEGMENTS = ["", ".", "..", "g", "g;x", "?q", "#f", "/", "//h", "a.b", "%20", "g?y/./x",
            "http:g", "..g", "g..", "./g:h"]


@FUZZ
@given(st.sampled_from(BASES), st.lists(st.sampled_from(SEGMENTS), max_size=5).map("/".join))
def test_relative_iris_resolve_as_the_engine_resolves_them(base: str, ref: str):
    probe = f"BASE <{base}> SELECT (STR(<{ref}>) AS ?x) {{ }}"
    outcome = run_query(probe)
    assume(not isinstance(outcome, Exception))
    engine = outcome[1][0]["x"].value  # type: ignore[index]
    guard = check_query(f"BASE <{base}> SELECT * FROM <{ref}> {{ }}").from_default
    assert guard == (engine,)


SPELLINGS = [
    GI, "g:identity", "<identity>", "<../graph/identity>", r"<https://tyodata.fi/graph/\u0069dentity>",
    "gid:", "<https://tyodata.fi/graph/other>", "g:other", "<other>", "<identity/>", "g:identit%79",
    "<./identity>", "<https://tyodata.fi/graph/./identity>",
]
OPERATIONS = [
    "INSERT DATA {{ GRAPH {g} {{ <http://a> <http://b> 1 }} }}",
    "DELETE DATA {{ GRAPH {g} {{ <urn:person:1> <http://e/p> '" + SECRET + "' }} }}",
    "DELETE WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}",
    "DROP SILENT GRAPH {g}",
    "CLEAR SILENT GRAPH {g}",
    "CREATE SILENT GRAPH {g}",
    "COPY SILENT {g} TO {h}",
    "MOVE SILENT {g} TO {h}",
    "ADD SILENT {g} TO GRAPH {h}",
    "INSERT {{ GRAPH {h} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}",
    "WITH {g} DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "INSERT {{ GRAPH {h} {{ ?s ?p ?o }} }} USING {g} WHERE {{ ?s ?p ?o }}",
    "DELETE {{ ?s ?p ?o }} USING NAMED {g} WHERE {{ GRAPH {h} {{ ?s ?p ?o }} }}",
]


@FUZZ
@given(st.sampled_from([f"BASE <{G}> ", "BASE <https://tyodata.fi/x/> ", ""]),
       st.lists(st.tuples(st.sampled_from(OPERATIONS), st.sampled_from(SPELLINGS),
                          st.sampled_from(SPELLINGS)), min_size=1, max_size=3))
def test_what_check_update_accepts_never_touches_the_protected_graph(
        quiet_listener: Listener, base: str, operations: list[tuple[str, str, str]]):
    text = (base + f"PREFIX g: <{G}> PREFIX gid: <{IDENTITY}> "
            + " ; ".join(op.format(g=g, h=h) for op, g, h in operations))
    try:
        checked = check_update(text, protected=PROTECTED)
    except GuardError:
        return
    store = engine_store()
    outcome: list[object] = []
    assert quiet_listener.connected_during(
        lambda: outcome.append(run_update(checked.text, store)), wait=0.01) == 0
    assert outcome[0] is None or isinstance(outcome[0], SyntaxError), (text, outcome[0])
    identity = list(store.quads_for_pattern(None, None, None, ox.NamedNode(IDENTITY)))
    assert [q.object for q in identity] == [ox.Literal(SECRET)], text
    leaked = [q for q in store
              if q.object == ox.Literal(SECRET) and q.graph_name != ox.NamedNode(IDENTITY)]
    assert not leaked, text


UPDATE_SOUP = [
    "LOAD", "load", "SILENT", "<ENDPOINTx.ttl>", ":x.ttl", "LOAD:x.ttl", "INTO", "GRAPH",
    "<http://e/g>", ";", "INSERT", "DELETE", "DATA", "WHERE", "{", "}", "(", ")", "?s ?p ?o",
    "<http://e/a> <http://e/b> 1", ".", "SERVICE", "SERVICE:x", "<ENDPOINT>", r"\u004cOAD",
    "'", "'''", "#", "\n", "\r", "<'>", "FILTER", "1<", "'> '", "#'", "WITH", "USING", "TO",
    "COPY", "ADD", "MOVE", "DEFAULT", "CLEAR", "DROP", "CREATE", "BIND(<ENDPOINT> AS ?e)",
]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(UPDATE_SOUP), st.sampled_from(["", " ", "\n"])),
                max_size=20))
def test_what_check_update_accepts_never_reaches_the_network(
        quiet_listener: Listener, soup: list[tuple[str, str]]):
    text = at(quiet_listener, "PREFIX : <ENDPOINT> PREFIX LOAD: <http://x/> "
              "PREFIX SERVICE: <http://x/> " + "".join(a + b for a, b in soup))
    try:
        checked = check_update(text, protected=PROTECTED)
    except GuardError:
        return
    assert quiet_listener.connected_during(lambda: run_update(checked.text), wait=0.01) == 0, \
        text


def test_the_property_tests_made_no_connection(quiet_listener: Listener):
    """They wait only briefly per example: a late connection would show here."""
    time.sleep(0.3)
    assert quiet_listener.connections == 0
