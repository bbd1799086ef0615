"""The admin write path: audited like every other path, judged by the guard, and the
identity graph out of reach by construction (an admin token cannot read or copy it)."""

from __future__ import annotations

import pytest

from core.pseudonyms import Pseudonymizer
from graph_service.store.registry import IDENTITY_GRAPH
from synthetic import PERSONAS
from tests.conftest import KEY
from tests.graph_service.api.conftest import Api
from tests.leaks import identity_codes

TYO = "https://tyodata.fi/ontology#"
CODE = PERSONAS[0].hetu
UPDATE = {"Content-Type": "application/sparql-update"}
QUERY = {"Content-Type": "application/sparql-query",
         "Accept": "application/sparql-results+json"}


def audit(api: Api) -> list[dict]:
    return api.request("GET", "/api/audit", role="admin", params={"limit": 10_000}).json()


def identity_rows(api: Api, query: str, **params: str) -> list:
    r = api.request("POST", "/admin/query", role="admin", content=query, headers=QUERY,
                    params=params)
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_admin_queries_never_see_the_identity_graph(api: Api):
    any_code = f"SELECT ?p ?c WHERE {{ GRAPH ?g {{ ?p <{TYO}identityCode> ?c }} }}"
    assert identity_rows(api, any_code) == []
    assert identity_rows(api, any_code, **{"named-graph-uri": IDENTITY_GRAPH}) == []
    assert identity_rows(api, f"SELECT * FROM <{IDENTITY_GRAPH}> WHERE {{ ?s ?p ?o }}") == []
    # ...while the graph is there and full: it is hidden, not missing.
    assert len(identity_rows(api, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")) > 5


COPY_ATTACKS = [
    # the attack the auditor ran: copy every graph, the identity graph included, elsewhere
    "INSERT { GRAPH <urn:loot> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"INSERT {{ GRAPH <urn:loot> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{IDENTITY_GRAPH}> "
    "{ ?s ?p ?o } }",
    "PREFIX g: <https://tyodata.fi/graph/> ADD g:identity TO <urn:loot>",
    "COPY <https://tyodata.fi/graph/ident\\u0069ty> TO <urn:loot>",
    "INSERT { GRAPH <urn:loot> { ?s ?p ?o } } USING NAMED <https://tyodata.fi/graph/identity> "
    "WHERE { GRAPH <https://tyodata.fi/graph/identity> { ?s ?p ?o } }",
    "INSERT { GRAPH <urn:loot> { ?s ?p ?o } } WHERE { BIND(IRI(CONCAT(STR(<https://tyodata.fi/"
    "graph/>), \"identity\")) AS ?g) GRAPH ?g { ?s ?p ?o } }",
    "DROP ALL",
    "CLEAR NAMED",
    "DROP GRAPH <https://tyodata.fi/graph/identity>",
    "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:loot>",
    "INSERT { GRAPH <urn:loot> { ?s ?p ?o } } WHERE { SERVICE <http://127.0.0.1:9/> "
    "{ ?s ?p ?o } }",
]


@pytest.mark.parametrize("update", COPY_ATTACKS)
def test_updates_that_could_read_or_write_the_identity_graph_are_refused(api: Api, update: str):
    r = api.request("POST", "/admin/update", role="admin", content=update, headers=UPDATE)
    assert r.status_code == 403, r.text
    assert identity_rows(api, "SELECT * WHERE { GRAPH <urn:loot> { ?s ?p ?o } }") == []
    last = next(r for r in reversed(audit(api)) if r["action"] == "admin-update")
    assert last["decision"] == "deny" and last["reason"]
    assert last["statement"] == update  # the whole statement is kept


def test_every_admin_query_and_update_is_audited_with_its_statement(api: Api):
    before = len(audit(api))
    query = f'SELECT * WHERE {{ ?s ?p "{CODE}" }}'
    assert identity_rows(api, query) == []
    update = f'INSERT DATA {{ GRAPH <urn:admin-test> {{ <urn:a> <urn:b> "{CODE.lower()}x" }} }}'
    r = api.request("POST", "/admin/update", role="admin", content=update, headers=UPDATE)
    assert r.status_code == 204, r.text
    records = audit(api)[before:]
    kinds = [(r["action"], r["decision"]) for r in records]
    assert ("admin-query", "permit") in kinds and ("admin-update", "permit") in kinds
    for record in records:
        if record["action"].startswith("admin-"):
            assert record["statement"] and "[identity code removed]" in record["statement"]
            assert not identity_codes(record["statement"])


@pytest.mark.parametrize("role", ["steward", "case_worker", "developer", "service", "employer"])
def test_only_admins_reach_the_write_path(api: Api, role: str):
    for path, kwargs in (("/admin/query", {"content": "ASK {}", "headers": QUERY}),
                         ("/admin/update", {"content": "CLEAR SILENT GRAPH <urn:x>",
                                            "headers": UPDATE}),
                         ("/admin/identity/retire", {})):
        assert api.request("POST", path, role=role, **kwargs).status_code == 403


def test_erasure_through_the_service(api: Api):
    person = Pseudonymizer(KEY).iri(PERSONAS[1].hetu)
    query = f"SELECT ?c WHERE {{ GRAPH ?g {{ <{person}> <{TYO}identityCode> ?c }} }}"
    r = api.request("POST", "/admin/identity/erase", role="admin", json={"person": person})
    assert r.status_code == 200 and r.json()["identity_entries"] == 1, r.text
    again = api.request("POST", "/admin/identity/erase", role="admin", json={"person": person})
    assert again.json()["identity_entries"] == 0
    assert identity_rows(api, query) == []
    bad = api.request("POST", "/admin/identity/erase", role="admin", json={"person": CODE})
    assert bad.status_code == 400 and not identity_codes(bad.text)
    record = next(r for r in reversed(audit(api)) if r["action"] == "erase")
    assert record["person"] == person and record["decision"] == "permit"


def test_identity_entries_enter_only_checked_against_the_pseudonym_key(api: Api):
    person = Pseudonymizer(KEY).iri(PERSONAS[1].hetu)
    entry = f'<{person}> <{TYO}identityCode> "{PERSONAS[1].hetu}" .\n'
    nt = {"Content-Type": "application/n-triples"}
    direct = api.request("POST", "/admin/store", role="admin", content=entry, headers=nt,
                         params={"graph": IDENTITY_GRAPH})
    assert direct.status_code == 403  # not through the generic graph store
    other = Pseudonymizer(KEY).iri(PERSONAS[0].hetu)
    for bad in (entry.replace(person, other),            # someone else's code
                entry.replace(" .", " ; <urn:x> 1 ."),    # anything but one entry a line
                entry + f'<{person}> <urn:loot> "x" .\n'):
        r = api.request("POST", "/admin/identity/add", role="admin", content=bad, headers=nt)
        assert r.status_code == 400 and "nothing was added" in r.json()["detail"], r.text
        assert not identity_codes(r.text)
    ok = api.request("POST", "/admin/identity/add", role="admin", content=entry, headers=nt)
    assert ok.status_code == 200 and ok.json() == {"added": 1}
