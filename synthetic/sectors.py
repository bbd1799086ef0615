"""Domain knowledge: the job-market sectors of the synthetic population.

Each sector names the ISCO-08 unit groups whose ESCO occupations it draws on,
the qualifications and licences typical of it, and a full-time annual wage.
Codes here are notations of ontology/codelists.ttl; ``check_codes`` verifies
them against the loaded code lists so a renamed code fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import CodeLists


@dataclass(frozen=True)
class Sector:
    key: str
    isco_groups: tuple[str, ...]
    posting_weight: float
    seeker_weight: float
    foreign_weight: float
    vocational: tuple[str, ...]  # qualification codes of upper-secondary vocational studies
    higher: tuple[str, ...]  # qualification codes of higher education in the field
    licences: tuple[tuple[str, float], ...]  # (licence, probability) for the whole sector
    group_licences: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    wage: float = 32000.0
    part_time: float = 0.2  # share of part-time postings
    finnish_level: tuple[str, ...] = ("B1", "B2")  # Finnish required in postings
    headline: tuple[str, ...] = ()  # English ESCO labels posted most often
    low_weight_groups: tuple[str, ...] = ()  # groups with many niche occupations


SECTORS: tuple[Sector, ...] = (
    Sector(
        "care",
        ("5321", "5322", "2221", "5311", "5312", "5329", "3412"),
        0.20,
        0.15,
        0.16,
        ("371101",),
        ("671201",),
        (("ENSIAPU_EA1", 0.45), ("HYGIENIAPASSI", 0.35), ("AJOKORTTI_B", 0.3)),
        {"5322": (("AJOKORTTI_B", 0.8),)},
        wage=33500,
        part_time=0.3,
        finnish_level=("B1", "B2"),
        headline=(
            "healthcare assistant",
            "home care aide",
            "nurse responsible for general care",
            "child day care worker",
            "nurse assistant",
            "social work assistant",
        ),
    ),
    Sector(
        "cleaning",
        ("9112", "9111", "5151", "9122", "9129", "5153"),
        0.10,
        0.11,
        0.22,
        ("384202",),
        (),
        (("TYOTURVALLISUUSKORTTI", 0.15), ("AJOKORTTI_B", 0.2)),
        {"5153": (("TYOTURVALLISUUSKORTTI", 0.5), ("AJOKORTTI_B", 0.6))},
        wage=27500,
        part_time=0.45,
        finnish_level=("A2", "B1"),
        headline=("building cleaner", "domestic cleaner", "room attendant", "building caretaker"),
    ),
    Sector(
        "logistics",
        ("4321", "9333", "8344", "9321", "4323"),
        0.10,
        0.11,
        0.14,
        ("351101",),
        (),
        (("TRUKKIKORTTI", 0.65), ("TYOTURVALLISUUSKORTTI", 0.2), ("AJOKORTTI_B", 0.35)),
        {"8344": (("TRUKKIKORTTI", 1.0),)},
        wage=32000,
        part_time=0.2,
        finnish_level=("A2", "B1"),
        headline=(
            "warehouse worker",
            "forklift operator",
            "materials handler",
            "hand packer",
            "mover",
        ),
        low_weight_groups=("4323",),
    ),
    Sector(
        "construction",
        ("7111", "7112", "7115", "7119", "7121", "7123", "7124", "7126", "7131", "9313", "7411"),
        0.12,
        0.10,
        0.08,
        ("351502",),
        ("671101",),
        (
            ("TYOTURVALLISUUSKORTTI", 0.9),
            ("TULITYOKORTTI", 0.45),
            ("AJOKORTTI_B", 0.6),
            ("TIETURVA1", 0.12),
        ),
        {"7411": (("SAHKOTURVALLISUUS", 0.9),), "7126": (("TULITYOKORTTI", 0.8),)},
        wage=40500,
        part_time=0.05,
        finnish_level=("A2", "B1"),
        headline=(
            "carpenter",
            "building construction worker",
            "construction painter",
            "electrician",
            "bricklayer",
            "plumber",
        ),
    ),
    Sector(
        "restaurant",
        ("5120", "5131", "5132", "9412", "3434", "5246", "9411"),
        0.10,
        0.11,
        0.16,
        ("381408",),
        (),
        (("HYGIENIAPASSI", 0.95), ("ALKOHOLIPASSI", 0.2)),
        {"5131": (("ALKOHOLIPASSI", 0.75),), "5132": (("ALKOHOLIPASSI", 0.8),)},
        wage=28500,
        part_time=0.45,
        finnish_level=("A2", "B1"),
        headline=(
            "cook",
            "kitchen assistant",
            "kitchen porter",
            "waiter/waitress",
            "barista",
            "bartender",
            "quick service restaurant crew member",
            "food service worker",
        ),
    ),
    Sector(
        "retail",
        ("5223", "5230", "5222", "9334", "5221"),
        0.10,
        0.11,
        0.07,
        ("331101",),
        ("621101",),
        (("HYGIENIAPASSI", 0.4), ("ALKOHOLIPASSI", 0.3)),
        wage=29000,
        part_time=0.5,
        finnish_level=("B1", "B2"),
        headline=(
            "shop assistant",
            "cashier",
            "shelf filler",
            "shop supervisor",
            "sales assistant",
        ),
    ),
    Sector(
        "ict",
        ("2511", "2512", "2513", "2514", "3512", "2522", "3513"),
        0.08,
        0.06,
        0.05,
        ("341101",),
        ("671101", "751101"),
        (),
        wage=52000,
        part_time=0.05,
        finnish_level=("B2", "C1"),
        headline=(
            "software developer",
            "ICT help desk agent",
            "web developer",
            "ICT technician",
            "ICT system administrator",
            "mobile application developer",
        ),
    ),
    Sector(
        "transport",
        ("8322", "8331", "8332"),
        0.08,
        0.08,
        0.09,
        ("351101",),
        (),
        (("AJOKORTTI_B", 1.0),),
        {
            "8331": (("AJOKORTTI_D", 1.0), ("AMMATTIPATEVYYS", 0.95)),
            "8332": (("AJOKORTTI_C", 1.0), ("AJOKORTTI_CE", 0.5), ("AMMATTIPATEVYYS", 0.95)),
        },
        wage=38000,
        part_time=0.15,
        finnish_level=("A2", "B1"),
        headline=(
            "bus driver",
            "cargo vehicle driver",
            "taxi driver",
            "car and van delivery driver",
        ),
    ),
    Sector(
        "office",
        ("4222", "4110", "4311", "4226"),
        0.06,
        0.08,
        0.04,
        ("331101",),
        ("621101", "751101"),
        (),
        wage=35000,
        part_time=0.2,
        finnish_level=("B2", "C1"),
        headline=(
            "office clerk",
            "customer contact centre information clerk",
            "receptionist",
            "billing clerk",
        ),
    ),
    Sector(
        "industry",
        ("8211", "7212", "7231", "9329", "8160"),
        0.05,
        0.07,
        0.07,
        ("361201",),
        ("671101",),
        (("TRUKKIKORTTI", 0.3), ("TYOTURVALLISUUSKORTTI", 0.3), ("AJOKORTTI_B", 0.5)),
        {"7212": (("TULITYOKORTTI", 0.7),)},
        wage=39000,
        part_time=0.05,
        finnish_level=("A2", "B1"),
        headline=(
            "welder",
            "vehicle technician",
            "factory hand",
            "food production operator",
            "motor vehicle parts assembler",
        ),
        low_weight_groups=("8160",),
    ),
    Sector(
        "security",
        ("5414",),
        0.02,
        0.02,
        0.02,
        (),
        (),
        (("VARTIJAKORTTI", 0.9), ("ENSIAPU_EA1", 0.5), ("JARJESTYKSENVALVOJA", 0.3)),
        {},
        wage=31000,
        part_time=0.3,
        finnish_level=("B1", "B2"),
        headline=("security guard", "door supervisor"),
    ),
)

SECTOR_BY_KEY = {s.key: s for s in SECTORS}

# General upper-secondary qualifications (lukio) and the study-right types of each level.
GENERAL_UPPER_SECONDARY = ("309902",)
MATRICULATION = "301101"
STUDY_RIGHT_TYPE = {
    "vocational": "ammatillinenkoulutus",
    "general": "lukiokoulutus",
    "higher": "korkeakoulutus",
}
# Education level (Statistics Finland 1-digit) reached by a graduated qualification,
# read from the qualification code's first digit.
EDUCATION_LEVEL_OF_DIGIT = {"3": "3", "6": "6", "7": "7"}
BASIC_EDUCATION_LEVEL = "2"

# Municipality weights: rough populations in thousands; other code-list members get 20.
MUNICIPALITY_WEIGHT = {
    "091": 670,
    "049": 310,
    "092": 250,
    "837": 260,
    "853": 205,
    "564": 215,
    "179": 150,
    "398": 122,
    "297": 125,
    "609": 84,
    "167": 78,
    "405": 73,
    "286": 79,
    "109": 68,
    "905": 68,
    "743": 65,
    "698": 65,
    "491": 52,
    "272": 48,
    "245": 38,
    "106": 47,
    "638": 51,
    "444": 45,
    "186": 45,
    "858": 40,
    "543": 44,
    "211": 33,
    "536": 35,
    "980": 34,
    "202": 36,
    "680": 25,
    "684": 38,
    "285": 51,
    "740": 31,
    "235": 10,
}
DEFAULT_MUNICIPALITY_WEIGHT = 20

# Mother tongues of foreign-born persons and whether they need a residence permit
# (EU/EEA citizens register their right of residence instead).
FOREIGN_LANGUAGES: tuple[tuple[str, float, bool], ...] = (
    ("ar", 0.15, True),
    ("so", 0.08, True),
    ("ru", 0.12, True),
    ("uk", 0.14, True),
    ("et", 0.10, False),
    ("fa", 0.07, True),
    ("ku", 0.05, True),
    ("en", 0.05, True),
    ("vi", 0.04, True),
    ("th", 0.04, True),
    ("tl", 0.03, True),
    ("zh", 0.04, True),
    ("tr", 0.03, True),
    ("sq", 0.03, True),
    ("pl", 0.03, False),
    ("es", 0.02, False),
    ("fr", 0.02, False),
    ("de", 0.02, False),
)
NATIVE_LANGUAGES = (("fi", 0.93), ("sv", 0.07))
PROTECTION_LANGUAGES = frozenset({"ar", "so", "fa", "ku"})
TEMPORARY_PROTECTION_LANGUAGES = frozenset({"uk"})


def check_codes(codes: CodeLists) -> None:
    """Every code the tables above name exists in the code lists."""
    quals: set[str] = set(GENERAL_UPPER_SECONDARY) | {MATRICULATION}
    licences: set[str] = set()
    groups: set[str] = set()
    for s in SECTORS:
        quals |= set(s.vocational) | set(s.higher)
        licences |= {code for code, _ in s.licences}
        licences |= {code for rules in s.group_licences.values() for code, _ in rules}
        groups |= set(s.isco_groups)
    codes.require("qualification", quals)
    codes.require("licence", licences)
    codes.require("study-right-type", STUDY_RIGHT_TYPE.values())
    codes.require("education-level", [*EDUCATION_LEVEL_OF_DIGIT.values(), BASIC_EDUCATION_LEVEL])
    codes.require("language", [code for code, _, _ in FOREIGN_LANGUAGES])
    codes.require("language", [code for code, _ in NATIVE_LANGUAGES])
    if len(groups) != sum(len(s.isco_groups) for s in SECTORS):
        raise ValueError("an ISCO group belongs to two sectors")
