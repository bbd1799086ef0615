"""Job postings of the job marketplace, on real ESCO occupations and skills."""

from __future__ import annotations

import random

from .sectors import SECTOR_BY_KEY
from .texts import capitalize, employer_name, posting_description, posting_title
from .world import Ids, World, date_formatter, pick
from .writers import ChunkOut

SOURCE = "tyomarkkinatori"
USED_CODES = {
    "skill-relevance": ("olennainen", "valinnainen"),
    "language": ("fi", "sv", "en"),
    "education-level": ("2", "3", "6", "7"),
}
# Education level asked for, by whether the occupation needs a degree (ISCO major group 2).
EDUCATION_BY_MAJOR = {"2": ("6", "7"), "3": ("3", "6")}
OTHER_EDUCATION = ("2", "3", "3")


def check_job_codes(world: World) -> None:
    for codelist, codes in USED_CODES.items():
        world.contract.codelists.require(codelist, codes)


def generate_jobs(world: World, chunk: int, first: int, count: int) -> ChunkOut:
    """Postings ``first .. first+count-1``; ids are numbered within the chunk."""
    rng = random.Random(f"{world.seed}:jobs:{chunk}")
    r = rng.random
    ids = Ids(chunk)
    out = ChunkOut(world.contract)
    f = date_formatter(world.contract.sources[SOURCE].date_format)
    codes = world.contract.codelists
    muni_label = {m: codes.label("municipality", m) for m in world.municipalities}
    licence_label = {c: codes.label("licence", c) for c in codes.codes("licence")}
    today = world.today
    for _ in range(count):
        sector = world.sectors[pick(r, range(len(world.sectors)), world.posting_cum)]
        occs, cum = world.pool.by_sector[sector.key]
        occ = pick(r, occs, cum)
        municipality = pick(r, world.municipalities, world.municipality_cum)
        employer = employer_name(rng, sector.key)
        working_time = "OSA_AIKA" if r() < sector.part_time else "KOKOAIKA"
        contract = "VAKINAINEN" if r() < 0.65 else "MAARAAIKAINEN"
        published = today - int(r() * 60)
        deadline = published + rng.randint(14, 42) if r() < 0.85 else None
        education = (
            "" if r() < 0.3 else rng.choice(EDUCATION_BY_MAJOR.get(occ.isco[0], OTHER_EDUCATION))
        )

        essential = rng.sample(occ.essential, min(len(occ.essential), rng.randint(4, 10)))
        optional = rng.sample(occ.optional, min(len(occ.optional), rng.randint(0, 4)))
        rules = (*sector.licences, *sector.group_licences.get(occ.isco, ()))
        licences = list(dict.fromkeys(c for c, p in rules if r() < p))
        languages = []
        if not (sector.key == "ict" and r() < 0.15):
            languages.append(("fi", rng.choice(sector.finnish_level)))
        if sector.key in ("ict", "office") and r() < 0.5 or not languages:
            languages.append(("en", rng.choice(("B2", "C1"))))
        if r() < 0.08:
            languages.append(("sv", "B1"))

        label_fi = world.pool.skill_label_fi
        place = muni_label[municipality]
        job_id = ids("TP")
        out.add(
            SOURCE,
            "tyopaikat.csv",
            {
                "ilmoitus_id": job_id,
                "otsikko": posting_title(rng, occ.label_fi, place, employer, working_time),
                "kuvaus": posting_description(
                    rng,
                    label=occ.label_fi,
                    employer=employer,
                    municipality=place,
                    working_time=working_time,
                    contract=contract,
                    skills=[label_fi[s] for s in essential[:5] if s in label_fi],
                    extra_skills=[label_fi[s] for s in optional[:2] if s in label_fi],
                    licences=[
                        capitalize(licence_label[c]) if n == 0 else licence_label[c]
                        for n, c in enumerate(licences)
                    ],
                    languages=languages,
                    deadline=f(deadline) if deadline else None,
                ),
                "tyonantaja": employer,
                "ammatti": occ.uri,
                "koulutustaso": education,
                "kunta": municipality,
                "tyoaika": working_time,
                "tyosuhde": contract,
                "julkaistu": f(published),
                "haku_paattyy": f(deadline) if deadline else "",
            },
        )
        for skills, relevance in ((essential, "olennainen"), (optional, "valinnainen")):
            for skill in skills:
                out.add(
                    SOURCE,
                    "tyopaikan_taidot.csv",
                    {
                        "rivi_id": ids("TT"),
                        "ilmoitus_id": job_id,
                        "taito": skill,
                        "olennaisuus": relevance,
                    },
                )
        for language, level in languages:
            out.add(
                SOURCE,
                "tyopaikan_kielet.csv",
                {
                    "rivi_id": ids("TK"),
                    "ilmoitus_id": job_id,
                    "kieli": language,
                    "taso": level,
                },
            )
        for licence in licences:
            out.add(
                SOURCE,
                "tyopaikan_kortit.csv",
                {
                    "rivi_id": ids("TC"),
                    "ilmoitus_id": job_id,
                    "kortti": licence,
                },
            )
    return out


__all__ = ["SECTOR_BY_KEY", "check_job_codes", "generate_jobs"]
