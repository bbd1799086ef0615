"""Consent-based data products: one folder each, declared, served without new Python.

``definitions/<Domain>/<Name>_v<major>.<minor>/`` holds a product's SPARQL (``query.rq``),
its input and output JSON Schemas, its ODRL policy, its catalogue description and,
optionally, the JSON-LD context of its answer; :mod:`.definition` reads them and
:mod:`.contract` checks them whole. Serving one is the same for all:

- :mod:`.access`: the decision (the decision point on the caller, the product's policy on
  its party and purpose, then a legal basis, or the person's consent token and record);
- :mod:`.request`: the body against the input schema, and the person it names;
- :mod:`.executor`: the query over the product's sources' current extracts only (and the
  reference graphs for labels), the person put in place of ``?person``;
- :mod:`.shape`: rows to JSON by the output schema, the variables naming the places;
- :mod:`.openapi`: each product's own OpenAPI document.

Writing a query: put every required pattern before the OPTIONAL ones (the engine joins a
pattern that follows an OPTIONAL only after it, over every graph: seconds, not a
millisecond), and give each independent part its own UNION branch.
"""
