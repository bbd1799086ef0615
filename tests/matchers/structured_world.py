"""A tiny hand-built ESCO hierarchy and record makers for exact criterion semantics."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from matchers.esco_graph import EscoGraph
from matchers.records import PostingRecord, SeekerRecord

OCC = "http://data.europa.eu/esco/occupation/"
SK = "http://data.europa.eu/esco/skill/"
ISCO = "http://data.europa.eu/esco/isco/"
NURSE, CARER, COOK, DRIVER = (OCC + n for n in ("nurse", "carer", "cook", "driver"))
WOUNDS, HYGIENE, COOKING, BAKING, DRIVING = (
    SK + n for n in ("wounds", "hygiene", "cooking", "baking", "driving"))
CARE_GROUP, FOOD_GROUP = SK + "group-care", SK + "group-food"
TODAY = date(2026, 11, 1)
REGIONS = {"091": "01", "049": "01", "837": "06"}  # Helsinki, Espoo: Uusimaa; Tampere


def esco() -> EscoGraph:
    """nurse and carer share unit group 5321; cook is in 5120 (minor 512), driver in 8322.
    wounds and hygiene share a broader skill group; cooking and baking share another."""
    broader = [
        (NURSE, ISCO + "C5321", "5321", True), (CARER, ISCO + "C5321", "5321", True),
        (ISCO + "C5321", ISCO + "C532", "532", True), (COOK, ISCO + "C5120", "5120", True),
        (ISCO + "C5120", ISCO + "C512", "512", True), (DRIVER, ISCO + "C8322", "8322", True),
        (WOUNDS, CARE_GROUP, None, False), (HYGIENE, CARE_GROUP, None, False),
        (COOKING, FOOD_GROUP, None, False), (BAKING, FOOD_GROUP, None, False),
    ]
    relations = [(CARER, HYGIENE, True), (COOK, COOKING, True), (DRIVER, DRIVING, True)]
    labels = [(WOUNDS, "fi", "haavanhoito"), (WOUNDS, "en", "wound care"),
              (HYGIENE, "fi", "hygienia"), (HYGIENE, "en", "hygiene")]
    return EscoGraph.from_rows("test", broader, relations, labels)


def seeker(n: int = 1, **changes) -> SeekerRecord:
    base = SeekerRecord(profile=f"https://tyodata.fi/id/tyomarkkinatori/profile/P{n}",
                        person=f"https://tyodata.fi/id/person/{'a' * 25}{'abcdefgh'[n % 8]}",
                        municipality="091", search_areas=("091",))
    return replace(base, **changes)


def posting(n: int = 1, **changes) -> PostingRecord:
    base = PostingRecord(posting=f"https://tyodata.fi/id/tyomarkkinatori/posting/T{n}",
                         identifier=f"T{n}", valid_through=date(2026, 12, 31))
    return replace(base, **changes)
