"""The generator writes exactly what sources.yaml describes, deterministically."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

import synthetic.run as run_module
from mappings.sources import load_sources
from synthetic import EscoFileMissingError, generate
from tests.leaks import identity_codes

from .conftest import JOBS, PERSONS, SEED, Extract
from .rules import all_files, read_file

# Anchored: ESCO IRIs hold UUIDs such as ...bc250150-3372-42c9... that look like codes.


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_writes_every_file_with_the_header_of_sources_yaml(clean: Extract):
    for source_id, source in load_sources().items():
        for name, spec in source.files.items():
            path = clean.dir / source_id / name
            assert path.is_file(), path
            if spec.format == "csv":
                first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
                assert first == ";".join(spec.column_names), path
        assert (clean.dir / source_id / "manifest.json").is_file()
    assert (clean.dir / "faults.json").is_file()


def test_manifests_count_rows_and_hash_bytes(clean: Extract):
    for source_id, source in load_sources().items():
        manifest = json.loads((clean.dir / source_id / "manifest.json").read_text())
        assert manifest["source"] == source_id
        assert manifest["organisation"] == source.organisation
        assert manifest["extracted_at"] == "2026-11-01T02:00:00+02:00"
        assert set(manifest["files"]) == set(source.files)
        for name, entry in manifest["files"].items():
            data = (clean.dir / source_id / name).read_bytes()
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["rows"] == _count(clean, source_id, name)
            assert entry["rows"] == clean.result.rows[source_id][name]
            assert entry["rows"] > 0, (source_id, name)


def _count(extract: Extract, source_id: str, name: str) -> int:
    path = extract.dir / source_id / name
    if name.endswith(".json"):
        return sum(len(p["opiskeluoikeudet"]) for p in json.loads(path.read_text("utf-8")))
    return path.read_bytes().count(b"\n") - 1  # no generated field spans lines


@pytest.mark.parametrize(("source_id", "name"), all_files())
def test_every_clean_row_passes_the_rules(
    clean: Extract, esco_dir: Path, source_id: str, name: str
):
    rows = read_file(clean.dir, source_id, name, esco_dir)
    bad = [(r.line, r.problems) for r in rows if r.problems]
    assert not bad, f"{source_id}/{name}: {bad[:5]}"


def test_refs_point_to_parent_rows(clean: Extract):
    for source_id, source in load_sources().items():
        for name, spec in source.files.items():
            if not spec.parent:
                continue
            parent_file, column = spec.parent
            keys = {r[column] for r in clean.csv_rows(source_id, parent_file)}
            refs = {r[column] for r in clean.csv_rows(source_id, name)}
            assert refs <= keys, (source_id, name)


def test_koski_has_the_data_transfer_shape(clean: Extract):
    people = json.loads((clean.dir / "koski" / "opiskeluoikeudet.json").read_text("utf-8"))
    assert people and isinstance(people, list)
    for person in people:
        assert set(person) == {"henkilö", "opiskeluoikeudet"}
        assert set(person["henkilö"]) == {"hetu", "syntymäaika", "etunimet", "sukunimi"}
        for right in person["opiskeluoikeudet"]:
            assert re.fullmatch(r"1\.2\.246\.562\.15\.\d+", right["oid"])
            assert re.fullmatch(r"1\.2\.246\.562\.10\.\d+", right["oppilaitos"]["oid"])
            assert right["oppilaitos"]["nimi"]["fi"]
            assert right["tyyppi"]["koodistoUri"] == "opiskeluoikeudentyyppi"
            periods = right["tila"]["opiskeluoikeusjaksot"]
            assert periods[0]["alku"] == right["alkamispäivä"]
            assert [p["alku"] for p in periods] == sorted(p["alku"] for p in periods)
            assert all(p["tila"]["koodistoUri"] == "koskiopiskeluoikeudentila" for p in periods)
            status = periods[-1]["tila"]["koodiarvo"]
            suoritus = right["suoritukset"][0]
            assert suoritus["koulutusmoduuli"]["tunniste"]["koodistoUri"] == "koulutus"
            assert suoritus["koulutusmoduuli"]["tunniste"]["nimi"]["fi"]
            assert ("vahvistus" in suoritus) == (status == "valmistunut")
            if status in ("valmistunut", "eronnut", "katsotaaneronneeksi"):
                assert right["päättymispäivä"] == periods[-1]["alku"]
            else:
                assert "päättymispäivä" not in right


def test_identity_codes_valid_unique_and_not_in_ids(clean: Extract):
    people = clean.csv_rows("vtj", "henkilot.csv")
    codes = [p["hetu"] for p in people]
    assert len(codes) == PERSONS == len(set(codes))
    everyone = set(codes)
    id_columns = {
        (s, n): [c.name for c in spec.columns if c.type == "id"]
        for s, src in load_sources().items()
        for n, spec in src.files.items()
        if spec.format == "csv"
    }
    for (source_id, name), columns in id_columns.items():
        for row in clean.csv_rows(source_id, name):
            if "hetu" in row:
                assert row["hetu"] in everyone, (source_id, name)
            for column in columns:
                assert not identity_codes(row[column])
                assert row[column][:6] != row.get("hetu", "")[:6]


def test_no_identity_code_in_result_manifests_or_fault_log(dirty: Extract):
    text = repr(dirty.result) + (dirty.dir / "faults.json").read_text()
    text += "".join(p.read_text() for p in dirty.dir.glob("*/manifest.json"))
    assert not identity_codes(text)


def test_same_seed_same_bytes_other_seed_other_bytes(
    tmp_path: Path, esco_dir: Path, clean: Extract
):
    again = tmp_path / "again"
    generate(again, persons=PERSONS, jobs=JOBS, seed=SEED, esco_dir=esco_dir)
    assert _digest(again) == _digest(clean.dir)
    other = tmp_path / "other"
    generate(other, persons=PERSONS, jobs=JOBS, seed=SEED + 1, esco_dir=esco_dir)
    a, b = _digest(other), _digest(clean.dir)
    differing = [k for k in a if a[k] != b[k] and not k.endswith("faults.json")]
    assert len(differing) > 20


def test_processes_and_chunks_do_not_change_the_bytes(
    tmp_path: Path, esco_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(run_module, "PERSONS_PER_CHUNK", 150)
    monkeypatch.setattr(run_module, "JOBS_PER_CHUNK", 40)
    one, two = tmp_path / "one", tmp_path / "two"
    calls: list[tuple[int, int]] = []
    generate(
        one,
        persons=500,
        jobs=90,
        seed=3,
        esco_dir=esco_dir,
        dirty_rate=0.05,
        workers=1,
        progress=lambda done, total: calls.append((done, total)),
    )
    generate(two, persons=500, jobs=90, seed=3, esco_dir=esco_dir, dirty_rate=0.05, workers=2)
    assert _digest(one) == _digest(two)
    # personas, the population in chunks of 150 (349 persons), then the cohort (149 = 30 %
    # of 498, one chunk); the truth file is among the files compared
    assert calls == [(2, 500), (152, 500), (302, 500), (351, 500), (500, 500)]
    assert "_evaluation/forecast_truth.csv" in _digest(one)


def test_missing_esco_file_says_what_to_do(tmp_path: Path, esco_dir: Path):
    with pytest.raises(EscoFileMissingError) as err:
        generate(tmp_path / "out", persons=10, jobs=1, seed=1, esco_dir=tmp_path)
    message = str(err.value)
    assert "occupations_en.csv" in message and "ESCO v1.1.1" in message
    assert "TYODATA_ESCO_DIR" in message


def test_bad_arguments_are_refused(tmp_path: Path, esco_dir: Path):
    too_early = {"as_of": date(2026, 1, 1)}  # before the personas' facts
    for kwargs in ({"persons": 1}, {"dirty_rate": 1.5}, {"jobs": -1}, too_early):
        args = {"persons": 10, "jobs": 1, "seed": 1, "esco_dir": esco_dir} | kwargs
        with pytest.raises(ValueError):
            generate(tmp_path / "out", **args)
