"""The vocabularies the catalogue speaks (DCAT 3, DCAT-AP, MLDCAT-AP, DQV, ELI, ...) and the
EU authority tables it takes values from, as rdflib namespaces.

rdflib's own ``DCAT`` lacks DCAT 3 terms (``dcat:DatasetSeries``, ``dcat:inSeries``), so the
namespaces here are plain (open) ones.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from catalog.iris import BASE

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
IT6 = Namespace("http://data.europa.eu/it6/")
"""MLDCAT-AP 3.1."""
DQV = Namespace("http://www.w3.org/ns/dqv#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DPV = Namespace("https://w3id.org/dpv#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
"""Hydra core: the harvest pages' ``hydra:PagedCollection`` links."""
DCT = DCTERMS

_EU = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHT = Namespace(_EU + "access-right/")
DATA_THEME = Namespace(_EU + "data-theme/")
FILE_TYPE = Namespace(_EU + "file-type/")
COUNTRY = Namespace(_EU + "country/")
LANGUAGE = Namespace(_EU + "language/")
LICENCE = Namespace(_EU + "licence/")
FREQUENCY = Namespace(_EU + "frequency/")
CORPORATE_BODY = Namespace(_EU + "corporate-body/")
PLANNED_AVAILABILITY = Namespace(_EU + "planned-availability/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
MEDIA_TYPE = Namespace("http://www.iana.org/assignments/media-types/")

FINLEX_ELI = "http://data.finlex.fi/eli/sd/"
"""Finnish acts as ELI IRIs: ``<FINLEX_ELI><year>/<number>`` (the policy graph's form)."""
GDPR = "http://data.europa.eu/eli/reg/2016/679/oj"

SPARQL_ENDPOINT = BASE + "/sparql"
API_BASE = BASE + "/api"
SHAPES_NS = BASE + "/shapes/"
"""A source's SHACL shapes file as a ``dct:Standard``: ``<SHAPES_NS><source>`` (the
namespace its shapes are named in, ``https://tyodata.fi/shapes/<source>#``)."""

TYO = Namespace("https://tyodata.fi/ontology#")
MODEL_CARD = Namespace("https://tyodata.fi/ns/model-card#")
"""The pilot's model card: the local extension of MLDCAT-AP (catalog/model_extension.ttl)."""
MODEL_CARD_STANDARD = "https://tyodata.fi/ns/model-card"
"""The extension itself, as the ``dct:Standard`` a described model conforms to."""

BINDINGS = {"dcat": DCAT, "dct": DCTERMS, "dcatap": DCATAP, "it6": IT6, "dqv": DQV,
            "eli": ELI, "vcard": VCARD, "adms": ADMS, "spdx": SPDX, "dpv": DPV,
            "foaf": FOAF, "tyo": TYO, "mc": MODEL_CARD, "prov": PROV, "skos": SKOS, "xsd": XSD,
            "rdfs": RDFS, "rdf": RDF}
