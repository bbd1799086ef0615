"""The catalogue against the official DCAT-AP 3.0.1 and MLDCAT-AP 3.1.0 shapes (read in
place): the real catalogue conforms, and a broken one is caught, so the check is not empty."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from catalog.iris import CATALOG, dataset_iri
from catalog.terms import DCAT, DCATAP, DCT, DQV, FILE_TYPE, IT6
from catalog.validate import (
    ADVISORY_SHAPES,
    CONFORMANCE_SHAPES,
    EXTENSION_SHAPES,
    VocabularyMissingError,
    prepare_shapes,
    validate_catalogue,
)

R = "https://semiceu.github.io/DCAT-AP/releases/3.0.1#"
SH = Namespace("http://www.w3.org/ns/shacl#")
DANGLING = {  # named by the range file's node shapes, defined nowhere
    R + "dcat:DatasetShape/4918ff7a6c1c4b0eea6403dca4b992b87ee1f4ab",
    R + "dcat:DatasetShape/95c69c99a1e3ade043911b51b942f206dea0e68d",
    R + "dcat:DistributionShape/653804840386e33525b3d39d205c174780be414b",
    R + "dcat:DistributionShape/a07d6e7a0a1790b89a1ce7ff602cbbd9ea835282",
    R + "dcat:RelationshipShape/b7aa98e1befa5130659568aa62e7f38575dc17c1",
}


def test_the_catalogue_conforms_to_dcat_ap_and_mldcat_ap(assembled, validated, all_products):
    assert validated.conforms, "\n".join(map(str, validated.violations[:20]))
    assert validated.violations == []
    assert set(assembled.products) >= {URIRef(p.iri) for p in all_products.values()}
    assert len(assembled.products) >= 2  # the shipped products and the sample
    # Warnings (recommended properties, EU corporate bodies) are reported, not failures.
    assert validated.warnings and all(w.severity == "Warning" for w in validated.warnings)
    print(f"\ncatalogue: {len(assembled.graph)} triples, 0 violations, "
          f"{len(validated.warnings)} warnings, validated in {validated.seconds:.2f} s")


def test_the_dangling_property_shapes_are_dropped_and_reported(validated, vocab_dir):
    assert set(validated.dropped) >= DANGLING
    shapes = prepare_shapes(vocab_dir).shapes
    sh_property = URIRef("http://www.w3.org/ns/shacl#property")
    assert not [ref for ref in shapes.objects(None, sh_property)
                if (ref, URIRef("http://www.w3.org/ns/shacl#path"), None) not in shapes]
    # read in place, every file; the same prepared shapes serve every validation
    assert prepare_shapes(vocab_dir) is prepare_shapes(vocab_dir)
    assert {f for f in prepare_shapes(vocab_dir).file_of.values()} == {
        *CONFORMANCE_SHAPES, *ADVISORY_SHAPES, EXTENSION_SHAPES.name}


def test_without_the_fix_pyshacl_refuses_the_official_range_file(assembled, vocab_dir):
    shapes = Graph()
    for name in ("dcat-ap-3.0.1-SHACL.ttl", "dcat-ap-3.0.1-SHACL-ranges.ttl"):
        shapes.parse(vocab_dir / name)
    with pytest.raises(Exception, match="not a well-formed SHACL PropertyShape"):
        pyshacl.validate(assembled.graph, shacl_graph=shapes)


def test_the_range_checks_need_the_dcat_ontology_and_rdfs_inference(assembled, vocab_dir):
    prepared = prepare_shapes(vocab_dir)
    conforms, results, _ = pyshacl.validate(assembled.graph, shacl_graph=prepared.shapes,
                                            inference="none", allow_warnings=True)
    text = results.serialize(format="turtle")
    assert not conforms and "ClassConstraintComponent" in text  # e.g. a series is a dataset


def test_the_sub_property_rule_would_make_a_correct_catalogue_fail(assembled, vocab_dir):
    prepared = prepare_shapes(vocab_dir)
    full_ontology = Graph().parse(vocab_dir / "dcat3.ttl")
    _, results, _ = pyshacl.validate(assembled.graph, shacl_graph=prepared.shapes,
                                     ont_graph=full_ontology, inference="rdfs",
                                     allow_warnings=True)
    paths = {str(p) for p in results.objects(None, SH.resultPath)}
    assert {str(DCT.hasPart), str(DCT.format)} <= paths  # entailed from dcat:dataset, mediaType


def _broken(assembled) -> tuple[Graph, dict[str, tuple[URIRef, URIRef | None]]]:
    """The catalogue with one fault per case: name -> (focus, path) the validator must name."""
    g = Graph()
    g += assembled.graph
    kela = URIRef(dataset_iri("kela"))
    extract = next(g.subjects(DCAT.inSeries, kela))
    koski_extract = next(g.subjects(DCAT.inSeries, URIRef(dataset_iri("koski"))))
    migri = URIRef(dataset_iri("migri"))
    esco = URIRef(dataset_iri("esco"))
    product = URIRef(assembled.products[0])
    cases: dict[str, tuple[URIRef, URIRef | None]] = {}

    g.remove((extract, DCT.description, None))
    cases["dataset without a description"] = (extract, DCT.description)
    esco_sparql = URIRef(f"{next(g.subjects(DCAT.inSeries, esco))}#sparql")
    g.remove((esco_sparql, DCT.license, None))
    g.add((esco_sparql, DCT.license, URIRef("https://example.org/my-own-licence")))
    cases["licence that is no dct:LicenseDocument"] = (esco_sparql, DCT.license)
    g.remove((migri, DCT.accessRights, None))
    g.add((migri, DCT.accessRights, Literal("public")))
    cases["access rights as a text"] = (migri, DCT.accessRights)
    g.add((migri, DCAT.theme, URIRef("https://example.org/theme/work")))
    cases["theme that is no concept"] = (migri, DCAT.theme)
    g.add((kela, DCATAP.applicableLegislation, URIRef("https://example.org/some-act")))
    cases["legislation that is no ELI resource"] = (kela, DCATAP.applicableLegislation)
    files = URIRef(f"{koski_extract}#files")
    g.remove((files, DCAT.accessURL, None))
    cases["distribution without an access URL"] = (files, DCAT.accessURL)
    sparql = URIRef(f"{koski_extract}#sparql")
    g.remove((sparql, DCT.format, None))
    g.add((sparql, DCT.format, URIRef("https://example.org/formats/sparql")))
    g.add((URIRef("https://example.org/formats/sparql"), RDF.type, DCT.MediaTypeOrExtent))
    cases["format outside the EU file-type table"] = (sparql, DCT.format)
    g.add((sparql, DCT.format, FILE_TYPE.CSV))
    cases["two formats"] = (sparql, DCT.format)
    g.remove((product, DCAT.endpointURL, None))
    cases["data service without an endpoint"] = (product, DCAT.endpointURL)
    g.remove((URIRef(CATALOG), DCT.publisher, None))
    cases["catalogue without a publisher"] = (URIRef(CATALOG), DCT.publisher)
    # MLDCAT-AP's own demands
    ulosotto = URIRef(dataset_iri("ulosotto"))
    g.remove((ulosotto, IT6.collectionDate, None))
    cases["dataset without a collection date (MLDCAT-AP)"] = (ulosotto, IT6.collectionDate)
    measurement = URIRef(f"{extract}#rows-rejected")
    g.remove((measurement, DQV.value, None))
    cases["measurement without a value (MLDCAT-AP)"] = (measurement, DQV.value)
    return g, cases


def test_a_broken_catalogue_is_reported_fault_by_fault(assembled, vocab_dir):
    graph, cases = _broken(assembled)
    report = validate_catalogue(graph, vocab_dir)
    assert not report.conforms
    found = {(f.focus, f.path) for f in report.violations}
    missed = [name for name, (focus, path) in cases.items()
              if (str(focus), None if path is None else str(path)) not in found]
    assert not missed, f"not reported: {missed}"
    for finding in report.violations:
        assert finding.message and finding.shape and finding.source in CONFORMANCE_SHAPES
    # nothing but the faults: every violation is about one of the broken nodes
    broken = {str(focus) for focus, _ in cases.values()}
    assert {f.focus for f in report.violations} <= broken


def test_a_vocabulary_folder_without_the_shapes_is_a_clear_error(tmp_path: Path, assembled):
    with pytest.raises(VocabularyMissingError, match="dcat-ap-3.0.1-SHACL.ttl"):
        validate_catalogue(assembled.graph, tmp_path)
