"""The catalogue's IRIs: one scheme, so an item's IRI is also where the service serves it.

An item ``https://tyodata.fi/catalog/<kind>/<name>`` is served at ``/catalog/<kind>/<name>``
(a page, or RDF by content negotiation) and ``/catalog/<kind>/<name>.ttl`` / ``.jsonld``.

>>> dataset_iri("kela")
'https://tyodata.fi/catalog/dataset/kela'
>>> local_path(dataset_iri("kela"))
'/catalog/dataset/kela'
"""

from __future__ import annotations

from graph_service.products.definition import DATASET_NS, PRODUCT_NS
from graph_service.store.registry import GRAPH_NS

BASE = "https://tyodata.fi"
CATALOG = BASE + "/catalog"
"""The ``dcat:Catalog`` itself."""
# DATASET_NS (datasets): ``dataset/<source>`` is a source's ``dcat:DatasetSeries`` (ESCO:
# ``dataset/esco``), ``dataset/<source>/<extract id>`` one loaded extract in it.
assert DATASET_NS == CATALOG + "/dataset/"
SERVICE_NS = CATALOG + "/service/"
"""The service's own endpoints as ``dcat:DataService`` (``service/sparql``, ``service/api``)."""
MODEL_NS = CATALOG + "/model/"
"""Models (MLDCAT-AP ``MachineLearningModel``), written by training."""
THEME_NS = CATALOG + "/theme/"
AGENT_NS = CATALOG + "/agent/"
"""Publishers and contact points."""
PRODUCT_ITEM_NS = PRODUCT_NS
"""Data products (``dcat:DataService``; the dataset each serves is ``<product>#dataset``)."""
CATALOGUE_GRAPH = GRAPH_NS + "catalogue/main"
"""The named graph (kind catalogue) the whole catalogue lives in."""


def dataset_iri(source: str, extract: str | None = None) -> str:
    return DATASET_NS + source + (f"/{extract}" if extract else "")


def local_path(iri: str) -> str:
    """The service path of a catalogue IRI (ValueError for an IRI that is not one)."""
    if not iri.startswith(CATALOG):
        raise ValueError(f"not a catalogue IRI: {iri}")
    return iri.removeprefix(BASE).split("#", 1)[0]
