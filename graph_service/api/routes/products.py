"""Data products, served like the Virtual Finland testbed: ``POST /products/{Domain}/
{Name}_v{major}.{minor}``, e.g. ``/products/Person/JobApplicantProfile_v1.0``.

Every product is a folder (``graph_service.products``): a new folder is a new product, with
no code here. The caller names the person in the body (pseudonymous id or identity code,
never the URL) and declares its purpose (``X-Purpose``); the decision point rules on the
caller, then the product's ODRL policy on its party and purpose, then, for a call on the
person's consent, on the consent token (``X-Consent-Token``) and the consent record read
fresh from the store. Every call leaves exactly one audit record, permit or deny, naming
the product, the person (when the call named one validly), the purpose and the legal basis
or the consent record. The answer is JSON by the product's output schema, JSON-LD on
request (``Accept: application/ld+json``).

``GET /products`` lists the products and ``GET /products/{key}/openapi.json`` gives each
one's own OpenAPI document; both are public (no personal data).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS

from graph_service.api.deps import CurrentPrincipal, Purpose, Services, ServicesDep, record
from graph_service.api.openapi import PROBLEM_SCHEMA, problem_responses
from graph_service.api.problems import Problem
from graph_service.policy.consent import consents_of
from graph_service.policy.decision import Action
from graph_service.policy.tokens import Principal, load_or_create_consent_token_key
from graph_service.products.access import (
    CallDecision,
    caller_decision,
    on_consent,
    on_legal_basis,
    product_rule,
)
from graph_service.products.contract import CompiledProduct
from graph_service.products.definition import DEFINITIONS_DIR
from graph_service.products.executor import answer, served_products
from graph_service.products.openapi import policy_summary, product_openapi
from graph_service.products.request import (
    BodyInvalid,
    BodyNotJson,
    InvalidIdentityCode,
    check_body,
    parse_body,
    person_of,
)
from graph_service.products.shape import ProductContractError

log = logging.getLogger("tyodata.products")
router = APIRouter(tags=["data products"])
TEMPLATE = "/products/{domain}/{product}"
JSON_LD = "application/ld+json"
CONSENT_TOKEN_HEADER = "X-Consent-Token"
PERSON_BODY: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "description": "The person, by pseudonymous id or by identity code (exactly one); the "
                   "product's own document (GET /products/{key}/openapi.json) has its "
                   "exact schema",
    "properties": {
        "person": {"type": "string", "pattern": "^(https://tyodata\\.fi/id/person/)?"
                   "[a-z2-7]{26}$", "description": "Pseudonymous id or person IRI"},
        "identity_code": {"type": "string", "minLength": 11, "maxLength": 11,
                          "pattern": "^[0-9]{6}[-+A-FU-Ya-fu-y][0-9]{3}[0-9A-Ya-y]$",
                          "description": "Henkilötunnus (body only, never a URL); its "
                                         "birth date and check character are checked too"}},
    "oneOf": [{"required": ["person"]}, {"required": ["identity_code"]}],
}
def products_of(services: Services) -> dict[str, CompiledProduct]:
    """The products this service serves (``settings.products_dir``, else the shipped ones)."""
    return served_products(services.settings.products_dir or DEFINITIONS_DIR)


@lru_cache(maxsize=8)
def _token_key(path: Path) -> bytes:
    return load_or_create_consent_token_key(path)


def consent_token_key(services: Services) -> bytes:
    """The key consent tokens are signed with (created on first use, owner-only)."""
    return _token_key(services.settings.consent_token_key_path)


def _unknown(products: dict[str, CompiledProduct]) -> Problem:
    return Problem(404, "Unknown data product", "no data product at this path; the service "
                   f"offers {', '.join(sorted(products)) or 'none'} (GET /products lists "
                   "them)", "unknown-product")


def _wants_json_ld(accept: str | None) -> bool:
    """Whether ``Accept`` prefers JSON-LD to plain JSON (q-values honoured)."""
    best: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            best[media.lower()] = max(best.get(media.lower(), 0.0), float(q))
        except ValueError:
            continue
    return best.get(JSON_LD, 0.0) > max(best.get("application/json", 0.0), 0.0)


def call_product(services: Services, principal: Principal, purpose: str | None, key: str,
                 raw: bytes, consent_token: str | None, accept: str | None = None) -> Response:
    """One call of a product, decided, audited (exactly once) and answered."""
    started = time.perf_counter()
    products = products_of(services)
    product = products.get(key)
    resource = product.definition.path if product else TEMPLATE
    timings: dict[str, float] = {}

    def audit(decision: CallDecision, person: str | None = None) -> None:
        at = time.perf_counter()
        record(services, principal, purpose, person=person, action=Action.CALL_PRODUCT.value,
               resource=resource, decision=decision.decision(),
               sections=[decision.audit_line(key if product else "(unknown product)")])
        timings["audit"] = (time.perf_counter() - at) * 1000

    if product is None:
        audit(CallDecision(False, "no such data product"))
        raise _unknown(products)
    try:
        body = check_body(product, parse_body(raw))
    except BodyNotJson as error:
        audit(CallDecision(False, str(error)))
        raise Problem(400, "Body is not JSON", str(error), "malformed-body") from None
    except BodyInvalid as error:
        audit(CallDecision(False, f"invalid body: {', '.join(error.fields)}"))
        raise Problem(422, "Invalid request body", str(error), "invalid-body",
                      fields=error.fields) from None
    caller = caller_decision(principal, purpose)
    if not caller.permit:
        audit(CallDecision(False, caller.reason))
        raise Problem(403, "Forbidden", caller.reason, "forbidden")
    assert purpose is not None
    rule = product_rule(product, principal, purpose, on_consent=consent_token is not None)
    if isinstance(rule, CallDecision):
        audit(rule)
        raise Problem(403, "Forbidden", rule.reason, "forbidden")
    try:
        person = person_of(body, services.pseudonymize)
    except InvalidIdentityCode as error:
        audit(CallDecision(False, "invalid identity code"))
        raise Problem(400, "Invalid identity code", str(error), "invalid-identity-code",
                      fields=("identity_code",)) from None
    decided = time.perf_counter()
    if consent_token is None:
        decision = on_legal_basis(rule, purpose)
    else:
        decision = on_consent(product, rule, principal, purpose, consent_token,
                              consent_token_key(services),
                              lambda: consents_of(services.store, person), datetime.now(UTC))
    timings["policy"] = (time.perf_counter() - decided) * 1000
    audit(decision, person)
    if not decision.permit:
        raise Problem(403, "Forbidden", decision.reason, "forbidden")
    try:
        result = answer(services.store, services.directory.get(), product, person)
    except ProductContractError as error:
        log.error("data product %s broke its contract: %s", key, error)
        raise Problem(500, "Data product broke its contract", str(error),
                      "product-contract") from None
    if result is None:
        sources = ", ".join(product.definition.sources)
        raise Problem(404, "No data", f"the sources of {key} ({sources}) hold no data on "
                      "this person", "no-data")
    timings["query"] = result.query_ms
    timings["total"] = (time.perf_counter() - started) * 1000
    headers = {"Cache-Control": "no-store", "Server-Timing": ", ".join(
        f"{name};dur={value:.3f}" for name, value in timings.items())}
    if _wants_json_ld(accept):
        return JSONResponse({"@context": product.context, **result.data}, media_type=JSON_LD,
                            headers=headers)
    return JSONResponse(result.data, headers=headers)


@router.post(
    TEMPLATE, summary="Call a data product about one person (legal basis or consent token)",
    response_class=JSONResponse,
    responses={200: {"description": "The product's answer (its own document gives the exact "
                                    "schema)", "content": {
        "application/json": {"schema": {"type": "object"}},
        JSON_LD: {"schema": {"type": "object", "required": ["@context"]}}}},
        **problem_responses(400, 403, 404, 422, 502, 503, meaning={
            400: "The body is not JSON, or the identity code fails its birth date or check "
                 "character",
            403: "Refused by role, purpose, the product's policy or the consent token (the "
                 "detail says which); audited",
            404: "No such product (the detail lists them), or its sources hold no data on "
                 "this person",
            422: "The body breaks the product's input schema (the detail names the field)",
            500: "Internal error, or the product broke its own output schema"})},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": PERSON_BODY}}}})
async def post_product(
    domain: str, product: str, request: Request, services: ServicesDep,
    principal: CurrentPrincipal, purpose: Purpose,
    x_consent_token: Annotated[str | None, Header(
        description="The person's consent: a consent token for this product, purpose and "
                    "your organisation and role")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    raw = await request.body()  # read here: every call is audited, even a malformed one
    return await run_in_threadpool(call_product, services, principal, purpose,
                                   f"{domain}/{product}", raw, x_consent_token, accept)


def _texts(product: CompiledProduct, prop: URIRef) -> dict[str, str]:
    graph, iri = product.definition.description, URIRef(product.definition.iri)
    return {str(o.language): " ".join(str(o).split()) for o in graph.objects(iri, prop)
            if getattr(o, "language", None)}


def product_summary(product: CompiledProduct) -> dict[str, Any]:
    definition = product.definition
    keywords: dict[str, list[str]] = {}
    for word in definition.description.objects(URIRef(definition.iri), DCAT.keyword):
        keywords.setdefault(str(getattr(word, "language", "") or ""), []).append(str(word))
    return {"key": definition.key, "iri": definition.iri, "path": definition.path,
            "version": f"{definition.major}.{definition.minor}",
            "title": _texts(product, DCTERMS.title),
            "description": _texts(product, DCTERMS.description),
            "keywords": {lang: sorted(words) for lang, words in keywords.items()},
            "sources": list(definition.sources), "policy": policy_summary(product),
            "openapi": definition.path + "/openapi.json"}


@router.get("/products", summary="The data products this service offers (public)",
            responses=problem_responses(public=True))
async def list_products(services: ServicesDep) -> list[dict[str, Any]]:
    return [product_summary(p) for _, p in sorted(products_of(services).items())]


@router.get(TEMPLATE + "/openapi.json",
            summary="A data product's own OpenAPI 3.1 document, from its folder (public)",
            responses=problem_responses(404, 422, public=True, meaning={
                404: "No such product (the detail lists them)"}))
async def product_document(domain: str, product: str, services: ServicesDep
                           ) -> dict[str, Any]:
    products = products_of(services)
    found = products.get(f"{domain}/{product}")
    if found is None:
        raise _unknown(products)
    return product_openapi(found, PROBLEM_SCHEMA)
