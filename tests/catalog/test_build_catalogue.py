"""The catalogue assembled from the real store (the `loaded` fixture): every source, extract,
product, service, with what the service knows about each, and no personal data."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDFS, SKOS

from catalog.build import assemble
from catalog.iris import BASE, CATALOG, dataset_iri
from catalog.metadata import metadata
from catalog.sources_described import acts_in, agent_iri
from catalog.terms import (
    ACCESS_RIGHT,
    DATA_THEME,
    DCAT,
    DCATAP,
    DCT,
    DQV,
    ELI,
    GDPR,
    IT6,
    LICENCE,
    PROV,
    SHAPES_NS,
)
from core.pseudonyms import PERSON_NS
from graph_service.products.definition import load_products
from graph_service.store.base import Dataset
from graph_service.store.registry import REFERENCE_SOURCES, GraphKind, read_directory
from mappings.sources import load_sources
from ontology.files import shape_sources
from tests.catalog.conftest import SAMPLE_KEY, write_sample_product
from tests.leaks import assert_no_identity_code

LANGS = ("fi", "en")
ITEM_TYPES = (DCAT.Dataset, DCAT.DatasetSeries, DCAT.DataService)


def langs(graph: Graph, node, prop) -> set[str | None]:
    return {o.language for o in graph.objects(node, prop) if isinstance(o, Literal)}


def one_value(graph: Graph, node: URIRef) -> Literal:
    values = list(graph.objects(node, DQV.value))
    assert len(values) == 1, node
    return values[0]


def test_every_source_is_a_series_and_its_current_extract_a_dataset_in_it(assembled, loaded):
    g = assembled.graph
    sources = [*load_sources(), *REFERENCE_SOURCES]
    assert {str(s) for s in g.subjects(RDF.type, DCAT.DatasetSeries)} == {
        dataset_iri(s) for s in sources}
    current = [r for r in loaded.report.sources if r.graph]
    assert {r.source for r in current} == set(sources)  # the fixture loads every source
    catalog = URIRef(CATALOG)
    for report in current:
        dataset = URIRef(dataset_iri(report.source, report.graph.rsplit("/", 1)[-1]))
        series = URIRef(dataset_iri(report.source))
        assert (dataset, RDF.type, DCAT.Dataset) in g
        assert (dataset, DCAT.inSeries, series) in g
        assert (series, DCAT.last, dataset) in g
        assert str(g.value(dataset, DCT.identifier)) == report.graph
        assert {(catalog, DCAT.dataset, dataset), (catalog, DCAT.dataset, series)} <= set(g)
        # the named graph through the SPARQL endpoint, restricted like the data
        sparql = URIRef(f"{dataset}#sparql")
        assert (dataset, DCAT.distribution, sparql) in g
        assert g.value(sparql, DCAT.accessURL) == URIRef(BASE + "/sparql")
        assert report.graph in str(g.value(sparql, DCT.description))
    datasets = set(g.subjects(DCAT.inSeries, None))
    assert len(datasets) == len(current)  # superseded extracts are not described


def test_the_extract_files_are_a_distribution_of_the_registry_extracts(assembled, loaded):
    g = assembled.graph
    for report in loaded.report.sources:
        if report.source in REFERENCE_SOURCES:
            continue
        files = URIRef(dataset_iri(report.source, report.graph.rsplit("/", 1)[-1]) + "#files")
        for lang in LANGS:  # the files as delivered, listed
            text = next(str(d) for d in g.objects(files, DCT.description) if d.language == lang)
            assert report.files and all(name in text for name in report.files)
        expected = "JSON" if report.source == "koski" else "CSV"
        assert str(g.value(files, DCT.format)).endswith("/file-type/" + expected)


def test_quality_measurements_are_what_ingest_counted(assembled, loaded, build_time):
    g = assembled.graph
    for report in loaded.report.sources:
        dataset = dataset_iri(report.source, report.graph.rsplit("/", 1)[-1])
        assert int(one_value(g, URIRef(f"{dataset}#triples"))) == report.triples
        assert (URIRef(f"{dataset}#sparql"), DQV.hasQualityMeasurement,
                URIRef(f"{dataset}#triples")) in g
        loaded_at = g.value(URIRef(dataset), DCT.modified).toPython()
        days = Decimal(str(one_value(g, URIRef(f"{dataset}#days-since-loaded"))))
        expected = Decimal((build_time - loaded_at).total_seconds() / 86400)
        assert abs(days - expected) < Decimal("0.01")
        assert Decimal("1.49") <= days <= Decimal("1.51")
        if report.source in REFERENCE_SOURCES:
            assert (URIRef(f"{dataset}#rows-rejected"), None, None) not in g
            continue
        assert report.rows_rejected > 0  # the fixture's extracts are dirty
        assert int(one_value(g, URIRef(f"{dataset}#rows-rejected"))) == report.rows_rejected
        assert int(one_value(g, URIRef(f"{dataset}#rows-read"))) == report.rows_read
        share = Decimal(str(one_value(g, URIRef(f"{dataset}#shape-conformance"))))
        assert abs(share - Decimal(report.rows_loaded) / report.rows_read) < Decimal("0.0001")
        assert Decimal(str(one_value(g, URIRef(f"{dataset}#days-since-extracted")))) > days
    for measurement in g.subjects(RDF.type, DQV.QualityMeasurement):
        metric = g.value(measurement, DQV.isMeasurementOf)
        assert g.value(metric, DQV.inDimension) is not None, metric
        assert langs(g, metric, SKOS.prefLabel) >= {"fi", "en"}
        target = g.value(measurement, DQV.computedOn)
        assert (target, DQV.hasQualityMeasurement, measurement) in g


def test_registries_are_non_public_under_their_acts_and_reference_data_public(assembled):
    g = assembled.graph
    for source, spec in load_sources().items():
        series = URIRef(dataset_iri(source))
        assert list(g.objects(series, DCT.accessRights)) == [ACCESS_RIGHT.NON_PUBLIC]
        acts = set(g.objects(series, DCATAP.applicableLegislation))
        assert set(acts_in(spec.law)) | {URIRef(GDPR)} <= acts
        assert acts_in(spec.law), f"{source}: its law text names no act by number"
        assert g.value(series, DCT.license) is None
        assert g.value(series, DCT.publisher) == agent_iri(spec.organisation_id)
    assert URIRef("http://data.finlex.fi/eli/sd/2001/731") in set(
        g.objects(URIRef(dataset_iri("kela")), DCATAP.applicableLegislation))
    for source in REFERENCE_SOURCES:
        series = URIRef(dataset_iri(source))
        assert list(g.objects(series, DCT.accessRights)) == [ACCESS_RIGHT.PUBLIC]
        assert list(g.objects(series, DCT.license)) == [LICENCE.CC_BY_4_0]
        assert URIRef(GDPR) not in set(g.objects(series, DCATAP.applicableLegislation))
    esco = URIRef(dataset_iri("esco"))
    rights = g.value(esco, DCT.rights)
    assert (rights, RDF.type, DCT.RightsStatement) in g
    assert all("2011/833/EU" in str(label) for label in g.objects(rights, RDFS.label))
    assert langs(g, rights, RDFS.label) == {"fi", "en"}


def test_every_act_cited_is_an_eli_resource_titled_in_both_languages(assembled):
    g = assembled.graph
    acts = set(g.objects(None, DCATAP.applicableLegislation))
    assert URIRef("http://data.finlex.fi/eli/sd/2023/380") in acts
    for act in acts:
        assert (act, RDF.type, ELI.LegalResource) in g
        assert langs(g, act, ELI.title) >= {"fi", "en"}, act
        assert str(act).startswith(("http://data.finlex.fi/eli/sd/", "http://data.europa.eu/eli/"))


def test_each_source_conforms_to_its_shapes_as_a_standard(assembled):
    g = assembled.graph
    for source in shape_sources():
        standard = URIRef(SHAPES_NS + source)
        assert (URIRef(dataset_iri(source)), DCT.conformsTo, standard) in g
        assert (standard, RDF.type, DCT.Standard) in g
        assert langs(g, standard, DCT.title) >= {"fi", "en"}


def test_every_item_has_titles_descriptions_and_keywords_in_finnish_and_english(assembled):
    g = assembled.graph
    items = {s for t in ITEM_TYPES for s in g.subjects(RDF.type, t)}
    assert len(items) > 25
    for item in items:
        for prop in (DCT.title, DCT.description, DCAT.keyword):
            assert langs(g, item, prop) >= {"fi", "en"}, (item, prop)


def test_publishers_contacts_themes_and_places_are_described(assembled):
    g = assembled.graph
    items = {s for t in ITEM_TYPES for s in g.subjects(RDF.type, t)}
    for item in items:
        publishers = list(g.objects(item, DCT.publisher))
        assert len(publishers) == 1, item
        assert (publishers[0], RDF.type, FOAF.Agent) in g
        assert langs(g, publishers[0], FOAF.name) >= {"fi", "en"}
        assert g.value(publishers[0], DCT.type) is not None
        contact = g.value(item, DCAT.contactPoint)
        assert contact is not None and g.value(contact, RDF.type) is not None, item
        assert g.value(item, DCAT.theme) is not None, item
    # every EU concept used is typed and labelled in both languages, in its scheme
    for prop in (DCAT.theme, DCT.accessRights, DCT.language, DCT.spatial, DCT.format,
                 DCT.license, DCT.accrualPeriodicity):
        for concept in set(g.objects(None, prop)):
            if str(concept).startswith("http://publications.europa.eu/resource/authority/"):
                assert (concept, RDF.type, SKOS.Concept) in g, concept
                assert g.value(concept, SKOS.inScheme) is not None, concept
                assert langs(g, concept, SKOS.prefLabel) >= {"fi", "en"}, concept
    assert DATA_THEME.HEAL in set(g.objects(URIRef(dataset_iri("hyvinvointialue")),
                                            DCAT.theme))


def test_lineage_links_extracts_products_and_services(assembled, loaded):
    g = assembled.graph
    product = URIRef(assembled.products[0])
    for report in loaded.report.sources:
        dataset = URIRef(dataset_iri(report.source, report.graph.rsplit("/", 1)[-1]))
        activity = g.value(dataset, PROV.wasGeneratedBy)
        assert (activity, RDF.type, PROV.Activity) in g
        assert g.value(activity, PROV.endedAtTime) is not None
        assert (URIRef(CATALOG + "/service/sparql"), DCAT.servesDataset, dataset) in g
        assert (dataset, PROV.wasAttributedTo, g.value(dataset, DCT.publisher)) in g
    assert (URIRef(CATALOG + "/service/sparql"), DCAT.servesDataset, URIRef(CATALOG)) in g
    served = g.value(product, DCAT.servesDataset)
    for series in g.objects(served, PROV.wasDerivedFrom):
        assert (series, RDF.type, DCAT.DatasetSeries) in g


def test_a_product_description_is_completed_with_what_the_service_knows(assembled):
    g = assembled.graph
    service = URIRef(f"{CATALOG}/product/{SAMPLE_KEY}")
    dataset = URIRef(f"{service}#dataset")
    assert service in assembled.products
    assert g.value(service, DCAT.endpointURL) == URIRef(f"{BASE}/products/{SAMPLE_KEY}")
    assert g.value(service, DCAT.endpointDescription) == URIRef(
        f"{BASE}/products/{SAMPLE_KEY}/openapi.json")
    assert (service, DCAT.servesDataset, dataset) in g
    assert (URIRef(CATALOG), DCAT.service, service) in g
    assert (URIRef(CATALOG), DCAT.dataset, dataset) in g
    for node in (service, dataset):
        assert list(g.objects(node, DCT.accessRights)) == [ACCESS_RIGHT.NON_PUBLIC]
        schema = g.value(node, DCT.conformsTo)
        assert (schema, RDF.type, DCT.Standard) in g
        assert set(g.objects(node, DCATAP.applicableLegislation)) == {
            URIRef("http://data.finlex.fi/eli/sd/2023/381"), URIRef(GDPR)}  # its policy's
    assert (dataset, PROV.wasDerivedFrom, URIRef(dataset_iri("vtj"))) in g
    assert str(g.value(dataset, DCAT.version)) == "1.2"
    assert langs(g, dataset, DCT.title) == {"fi", "en"}  # from the service's
    assert g.value(dataset, IT6.collectionDate) is not None


def test_what_a_product_description_says_wins(read_store, tmp_path, build_time):
    write_sample_product(tmp_path, more_description=(
        "<> dct:accessRights <http://publications.europa.eu/resource/authority/access-right/"
        "RESTRICTED> ; dcat:endpointURL <https://api.example.fi/home> .\n"))
    products = load_products(root=tmp_path)
    g = assemble(read_store, products=products, now=build_time).graph
    service = URIRef(f"{CATALOG}/product/{SAMPLE_KEY}")
    assert list(g.objects(service, DCT.accessRights)) == [ACCESS_RIGHT.RESTRICTED]
    assert list(g.objects(service, DCAT.endpointURL)) == [URIRef("https://api.example.fi/home")]


def test_the_metadata_file_describes_every_source_and_act(assembled):
    meta = metadata()
    for source in [*load_sources(), *REFERENCE_SOURCES]:
        series = URIRef(dataset_iri(source))
        for prop in (DCT.title, DCT.description, DCAT.keyword):
            assert langs(meta, series, prop) >= {"fi", "en"}, (source, prop)
        assert meta.value(series, DCAT.theme) is not None, source
    for source, spec in load_sources().items():
        agent = agent_iri(spec.organisation_id)
        assert langs(meta, agent, FOAF.name) >= {"fi", "en"}, agent
        for act in acts_in(spec.law):
            assert langs(meta, act, ELI.title) >= {"fi", "en"}, (source, act)


def test_the_catalogue_holds_no_personal_data(assembled, read_store):
    text = assembled.graph.serialize(format="nt")
    assert PERSON_NS not in text
    assert_no_identity_code(text, "in the catalogue")
    extracts = tuple(read_directory(read_store).of_kind(GraphKind.EXTRACT))
    persons = read_store.select(
        "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?f <https://tyodata.fi/ontology#concernsPerson> "
        "?p } }", dataset=Dataset(named=extracts))
    pseudonyms = {str(p).removeprefix(PERSON_NS) for (p,) in persons.rows}
    assert len(pseudonyms) > 100
    tokens = set(re.findall(r"[a-z2-7]{26}", text))
    assert not tokens & pseudonyms


@pytest.mark.parametrize("lang", LANGS)
def test_extract_titles_say_when_it_was_extracted(assembled, lang):
    g = assembled.graph
    kela = next(g.subjects(DCAT.inSeries, URIRef(dataset_iri("kela"))))
    title = next(str(t) for t in g.objects(kela, DCT.title) if t.language == lang)
    assert re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4}", title), title
