"""Consent-based data products: one folder each, declared, served without new Python.

``definitions/<Domain>/<Name>_v<major>.<minor>/`` holds a product's SPARQL (``query.rq``),
its input and output JSON Schemas, its ODRL policy and its catalogue description;
:mod:`graph_service.products.definition` reads them.
"""
