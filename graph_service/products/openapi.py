"""Each product's own OpenAPI 3.1 document, generated from its folder alone.

The request body is its ``input.schema.json``, the answer its ``output.schema.json`` (as
JSON, and as JSON-LD with the product's ``@context``), the security the bearer token, the
headers ``X-Purpose`` (the purposes the policy names) and ``X-Consent-Token``; the errors
are RFC 9457 problem documents; ``x-tyodata-policy`` says who may call it, for what and
on which basis, as the policy does.
"""

from __future__ import annotations

import copy
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from graph_service.products.contract import CompiledProduct

PROBLEM = "application/problem+json"
OPENAPI_VERSION = "3.1.0"
_ERRORS = {
    400: "The body is not JSON, or the identity code fails its birth date or check "
         "character",
    401: "Missing, malformed, badly signed or expired bearer token",
    403: "Refused: role, purpose, the product's policy, or the consent token (withdrawn or "
         "expired consent, another person, product, purpose or recipient, a bad "
         "signature); the detail says which. Every refusal is audited",
    404: "No such product, or its sources hold no data on this person",
    413: "Request body over the limit",
    422: "The body breaks the input schema (the detail names the field, never its value)",
    500: "Internal error, or the product broke its own output schema (quote the instance)",
    503: "The store or the audit log is unavailable",
}
def _text(product: CompiledProduct, prop: URIRef, lang: str) -> str:
    values = [o for o in product.definition.description.objects(
        URIRef(product.definition.iri), prop) if isinstance(o, Literal)]
    chosen = next((v for v in values if v.language == lang), values[0] if values else "")
    return " ".join(str(chosen).split())


def _components_schema(schema: dict, name: str) -> tuple[dict, dict]:
    """The schema with its ``$defs`` moved to components (refs rewritten), and those."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (f"#/components/schemas/{name}.{v.removeprefix('#/$defs/')}"
                        if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                        else rewrite(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    return rewrite(schema), {f"{name}.{k}": rewrite(v) for k, v in defs.items()}


def policy_summary(product: CompiledProduct) -> list[dict[str, Any]]:
    """Who may call the product, for which purposes, on which basis, with which duties."""
    policy = product.policy
    return [{"party": r.party.key, "label": r.party.label, "purposes": sorted(r.purposes),
             "basis": "consent" if r.requires_consent else "legal basis",
             "legal_basis": list(r.legal_basis),
             "legal_basis_labels": [policy.label(b) for b in r.legal_basis],
             "duties": list(r.duties)} for r in policy.rules]


def product_openapi(product: CompiledProduct, problem_schema: dict[str, Any],
                    server: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 document of one product; ``problem_schema``: the service's schema of
    its problem documents (the API's, which every error of every route follows)."""
    definition = product.definition
    request, request_defs = _components_schema(definition.input_schema, "Input")
    answer, answer_defs = _components_schema(definition.output_schema, "Output")
    purposes = sorted({p for r in product.policy.rules for p in r.purposes})
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses: dict[str, Any] = {
        "200": {"description": "The product's answer about the person",
                "headers": {"X-Request-Id": {"schema": {"type": "string"}}},
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Output"}},
                    "application/ld+json": {"schema": {"allOf": [
                        {"$ref": "#/components/schemas/Output"},
                        {"type": "object", "required": ["@context"],
                         "properties": {"@context": {"type": "object"}}}]}}}}}
    responses.update({str(status): {"description": text, "content": problem}
                      for status, text in _ERRORS.items()})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": _text(product, DCTERMS.title, "en") or definition.key,
                 "version": f"{definition.major}.{definition.minor}",
                 "description": _text(product, DCTERMS.description, "en"),
                 "x-title-fi": _text(product, DCTERMS.title, "fi")},
        "servers": [{"url": server}],
        "externalDocs": {"url": definition.iri, "description": "The product in the "
                         "catalogue"},
        "paths": {definition.path: {"post": {
            "operationId": definition.key.replace("/", "_").replace(".", "_"),
            "summary": _text(product, DCTERMS.title, "en"),
            "description": "The caller names the person in the body (never in the URL) and "
                           "either acts under a legal basis the product's policy grants its "
                           "organisation kind and role for the declared purpose, or "
                           "presents the person's consent as X-Consent-Token. Every call, "
                           "permitted or refused, leaves one audit record, which the person "
                           "sees in their own access log.",
            "security": [{"bearer": []}],
            "parameters": [
                {"name": "X-Purpose", "in": "header", "required": True,
                 "description": "Why the data is read",
                 "schema": {"type": "string", "enum": purposes}},
                {"name": "X-Consent-Token", "in": "header", "required": False,
                 "description": "The person's consent: a token the person's case worker "
                                "(or the person) obtains for this product, purpose and "
                                "your organisation and role (POST /api/persons/{id}/"
                                "consents/{consent_id}/token). Only where the policy "
                                "takes consent",
                 "schema": {"type": "string"}},
                {"name": "Accept", "in": "header", "required": False,
                 "description": "application/json (default) or application/ld+json",
                 "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
            "responses": responses,
            "x-tyodata-policy": policy_summary(product),
            "x-tyodata-sources": list(definition.sources)}}},
        "components": {
            "schemas": {"Input": request, "Output": answer, "Problem": problem_schema,
                        **request_defs, **answer_defs},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "bearerFormat": "JWT"}}},
    }
