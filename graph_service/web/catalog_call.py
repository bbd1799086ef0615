"""How to call a data product, as its page shows it: who may call it for which purposes on
which basis (read from the product's ODRL policy), and a ready ``curl`` command for each
way in: under a legal basis the policy grants the caller's organisation, or with the
person's consent token. And a ready SPARQL query of the catalogue, for its page.

The commands read the caller's secrets and the person from shell variables (``$TOKEN``,
``$CONSENT_TOKEN``, ``$PERSON``), so they run as shown once those are set, and no page
ever holds a token or names a person.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from graph_service.products.contract import CompiledProduct
from graph_service.products.definition import PRODUCT_NS
from graph_service.web.catalog_present import Text, choose, literals

PERSON_VARIABLE = "PERSON"
PERSON_FIELD = "person"
SERVICE_ROLE = "service"


@dataclass(frozen=True)
class Permission:
    """One party of the policy: who, for which purposes, on which basis."""

    party: Text
    organisation_kind: str | None
    role: str | None
    purposes: tuple[str, ...]
    bases: tuple[Text, ...]
    consent: bool
    """Only with the person's consent (the caller presents X-Consent-Token)."""


@dataclass(frozen=True)
class ProductCall:
    key: str
    url: str
    openapi: str
    body: str
    permissions: tuple[Permission, ...]
    with_basis: str | None
    """The command under a legal basis (None: the policy grants none without consent)."""
    with_consent: str | None
    """The command with the person's consent token (None: no party calls on consent)."""


def _permissions(product: CompiledProduct, lang: str) -> tuple[Permission, ...]:
    """The product's rules as the decision point reads them (its compiled ODRL policy),
    labelled in the page's language from the policy graph."""
    graph = product.definition.policy
    return tuple(
        Permission(party=_label(graph, URIRef(rule.party.iri), lang),
                   organisation_kind=rule.party.organisation_kind, role=rule.party.role,
                   purposes=tuple(sorted(rule.purposes)),
                   bases=tuple(_label(graph, URIRef(b), lang) for b in rule.legal_basis),
                   consent=rule.requires_consent)
        for rule in sorted(product.policy.rules, key=lambda r: r.iri))


def _label(policy: Graph, node: Node, lang: str) -> Text:
    texts = literals(policy, node, RDFS.label)
    tail = str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return choose(texts, lang) or Text(tail)


def example_body(schema: dict) -> dict:
    """A request body the product's input schema takes, the person as ``$PERSON``; other
    required fields from their examples, defaults or first allowed value."""
    properties = schema.get("properties", {})
    body: dict = {}
    if PERSON_FIELD in properties:
        body[PERSON_FIELD] = "$" + PERSON_VARIABLE
    for name in schema.get("required", []):
        if name in body:
            continue
        spec = properties.get(name, {})
        for source in ("examples", "enum"):
            if spec.get(source):
                body[name] = spec[source][0]
                break
        else:
            body[name] = spec.get("default", spec.get("const", ""))
    return body


def _shell_body(body: dict) -> str:
    """The JSON body as one shell word in double quotes: ``$PERSON`` is expanded, every other
    character is literal."""
    text = json.dumps(body, ensure_ascii=False)
    placeholder = "$" + PERSON_VARIABLE
    parts = text.split(placeholder)
    escaped = [p.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
               .replace("`", "\\`") for p in parts]
    return '"' + placeholder.join(escaped) + '"'


def _curl(url: str, purpose: str, body: str, consent: bool) -> str:
    lines = [f"curl -X POST {shlex.quote(url)}",
             '-H "Authorization: Bearer $TOKEN"',
             f"-H {shlex.quote('X-Purpose: ' + purpose)}"]
    if consent:
        lines.append('-H "X-Consent-Token: $CONSENT_TOKEN"')
    lines += ["-H 'Content-Type: application/json'", f"-d {body}"]
    return " \\\n  ".join(lines)


def _preferred(permissions: list[Permission]) -> Permission | None:
    """The example's caller: another service's system (role ``service``) when the policy
    names one, as the product is meant for services; else the first party."""
    return next((p for p in permissions if p.role == SERVICE_ROLE),
                permissions[0] if permissions else None)


def product_call(iri: str, base_url: str, served: Mapping[str, CompiledProduct],
                 lang: str = "fi") -> ProductCall | None:
    """How to call the product with this catalogue IRI at ``base_url`` (the address the
    reader reached this service at); None when no product of ``served`` has the IRI."""
    compiled = served.get(iri.removeprefix(PRODUCT_NS)) if iri.startswith(PRODUCT_NS) else None
    if compiled is None:
        return None
    product = compiled.definition
    permissions = _permissions(compiled, lang)
    url = base_url + product.path
    body = _shell_body(example_body(product.input_schema))
    on_basis = _preferred([p for p in permissions if not p.consent and p.purposes])
    on_consent = _preferred([p for p in permissions if p.consent and p.purposes])
    return ProductCall(
        key=product.key, url=url, openapi=product.path + "/openapi.json", body=body,
        permissions=permissions,
        with_basis=_curl(url, on_basis.purposes[0], body, False) if on_basis else None,
        with_consent=_curl(url, on_consent.purposes[0], body, True) if on_consent else None)


SPARQL_EXAMPLE = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?series ?title WHERE {{
  ?series a dcat:DatasetSeries ; dct:title ?title .
  FILTER(lang(?title) = "{lang}")
}} ORDER BY ?title"""


def sparql_call(base_url: str, lang: str = "fi") -> str:
    """A ready command that asks the SPARQL endpoint for the catalogue's dataset series
    (every role may read the catalogue's graph; the token is ``$TOKEN``)."""
    query = SPARQL_EXAMPLE.format(lang=lang if lang in ("fi", "en") else "fi")
    lines = [f"curl -G {shlex.quote(base_url + '/sparql')}",
             '-H "Authorization: Bearer $TOKEN"', "-H 'Accept: text/csv'",
             f"--data-urlencode {shlex.quote('query=' + query)}"]
    return " \\\n  ".join(lines)
