"""A product call's body: checked against the product's input schema, and the person it
names, by pseudonymous id or by identity code (exactly one).

An identity code is checked (shape, birth date, check character) and turned into the
person's IRI by the keyed pseudonym, the way the lookup does; it is never kept, logged,
echoed or put into a query. Problems name the field and the rule, never the value.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from core.errors import TyodataError
from core.hetu import problem as hetu_problem
from core.pseudonyms import PERSON_NS, person_iri
from graph_service.products.contract import CompiledProduct

MAX_PROBLEMS = 5


class BodyNotJson(TyodataError):
    """The body is not one JSON document."""


class BodyInvalid(TyodataError):
    """The body breaks the input schema; ``fields`` names the fields at fault."""

    def __init__(self, message: str, fields: tuple[str, ...]) -> None:
        super().__init__(message)
        self.fields = fields


class InvalidIdentityCode(TyodataError):
    """An identity code that fails its birth date or check character."""


def parse_body(raw: bytes) -> object:
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BodyNotJson("the body is not JSON: send an object naming the person, e.g. "
                          '{"person": "<pseudonymous id>"}') from None


def check_body(product: CompiledProduct, body: object) -> dict:
    """``body`` if it meets the product's input schema; BodyInvalid naming the fields."""
    errors = sorted(product.input_validator.iter_errors(body), key=lambda e: list(e.path))
    if not errors:
        assert isinstance(body, dict)
        return body
    fields, said = [], []
    for error in errors[:MAX_PROBLEMS]:
        where = "/".join(map(str, error.path))
        if error.validator == "additionalProperties" and isinstance(body, dict):
            allowed = set(product.definition.input_schema.get("properties") or {})
            extra = sorted(str(k) for k in body if k not in allowed)
            said.append(f"unknown field(s) {', '.join(extra)[:200]}: the body names only "
                        + " or ".join(sorted(allowed)))
            fields += extra
        elif error.validator == "oneOf" and not where:
            said.append("name the person by exactly one of person (pseudonymous id) or "
                        "identity_code")
            fields += ["person", "identity_code"]
        else:
            # The rule that failed, never the value (it may be an identity code).
            said.append(f"{where or 'the body'}: fails {error.validator!r}"
                        + (f" ({_rule(error.validator_value)})"
                           if error.validator in ("type", "pattern", "minLength",
                                                  "maxLength", "required") else ""))
            fields.append(where or "body")
    raise BodyInvalid("; ".join(said), tuple(dict.fromkeys(fields)))


def _rule(value: object) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def person_of(body: dict, pseudonymize: Callable[[str], str]) -> str:
    """The person IRI a valid body names; InvalidIdentityCode for a code that fails its
    date or check character."""
    if "person" in body:
        return person_iri(str(body["person"]))
    code = str(body["identity_code"]).strip().upper()
    why = hetu_problem(code)
    if why:
        raise InvalidIdentityCode(f"identity_code: {why}")
    return PERSON_NS + pseudonymize(code)
