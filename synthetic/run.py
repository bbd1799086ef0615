"""generate(): split the work into chunks, run them (in up to two processes), write in order."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from time import perf_counter

from .cohort_measure import Window, measure_chunk
from .cohort_outcome import settle, truth_header_bytes
from .cohort_persons import CohortChunk, slot_span
from .dirty import Injector
from .errors import GeneratorError
from .jobs import check_job_codes, generate_jobs
from .personas import PERSONAS, check_persona_codes, write_personas
from .population import PopulationChunk, check_population_codes
from .world import JOBS_PER_CHUNK, PERSONS_PER_CHUNK, World, build_world, date_formatter
from .writers import ChunkOut, FileKey, OutputFiles, csv_bytes, koski_bytes, write_json

DEFAULT_AS_OF = date(2026, 11, 1)
PERSONAS_DATED_UNTIL = date(2026, 10, 12)  # the personas' latest fact
PARALLEL_FROM = 20_000  # below this many persons a second process costs more than it saves
DEFAULT_COHORT_SHARE = 0.3  # of the persons other than the personas: the forecast cohort's
TRUTH_FILE = Path("_evaluation") / "forecast_truth.csv"  # beside the extracts, never ingested

Task = tuple[str, int, int, int]  # (kind, chunk, first person or identity slot, count)


@dataclass(frozen=True)
class GenerationResult:
    """What one ``generate`` call wrote."""

    out_dir: Path
    persons: int
    jobs: int
    rows: dict[str, dict[str, int]]  # source -> file -> rows written
    faults: dict[str, dict[str, dict[str, int]]]  # source -> file -> kind -> count
    seconds: float
    cohort: int = 0  # rows of the forecast cohort's truth file (its members)

    @property
    def total_rows(self) -> int:
        return sum(n for files in self.rows.values() for n in files.values())

    @property
    def total_faults(self) -> int:
        return sum(
            n for files in self.faults.values() for kinds in files.values() for n in kinds.values()
        )


@dataclass
class _ChunkResult:
    persons: int
    parts: dict[FileKey, bytes]
    rows: dict[FileKey, int]
    faults: dict[FileKey, Counter] = field(default_factory=dict)
    truth: bytes = b""  # the chunk's rows of the forecast cohort's truth file
    members: int = 0


_WORLD: World | None = None


def _init_worker(world: World) -> None:
    global _WORLD
    _WORLD = world


def _run_task(task: Task) -> _ChunkResult:
    world = _WORLD
    assert world is not None, "worker not initialised"
    kind, chunk, first, count = task
    writer: PopulationChunk | None = None
    if kind == "personas":
        out = ChunkOut(world.contract)
        write_personas(world, out)
    elif kind == "persons":
        writer = PopulationChunk(world, chunk, first, count)
        out = writer.run()
    elif kind == "cohort":
        writer = CohortChunk(world, chunk, first, count)
        out = writer.run()
    else:
        out = generate_jobs(world, chunk, first, count)
    truth, members = b"", 0
    if kind != "jobs":  # the cohort's members, measured from the clean rows, get outcomes
        found = measure_chunk(out, world, Window.of(world.as_of))
        truth = settle(
            out,
            found,
            rng=random.Random(f"{world.seed}:outcome:{kind}:{chunk}"),
            ids=writer.ids if writer is not None else None,
            kela_date=date_formatter(world.contract.sources["kela"].date_format),
            today=world.today,
        )
        members = len(found)
    encodings: dict[FileKey, set[int]] = {}
    faults: dict[FileKey, Counter] = {}
    if world.dirty_rate > 0 and kind != "personas":  # the personas stay clean
        rng = random.Random(f"{world.seed}:dirty:{kind}:{chunk}")
        injector = Injector(world.dirty_rate, rng, chunk, world.contract.codelists.notations)
        encodings, faults = injector.inject(out)
    parts = {key: csv_bytes(rows, encodings.get(key, ())) for key, rows in out.rows.items() if rows}
    if out.koski_key and out.koski:
        parts[out.koski_key] = koski_bytes(out.koski)
    persons = count if kind in ("persons", "personas", "cohort") else 0
    return _ChunkResult(persons, parts, out.row_counts(), faults, truth, members)


def _tasks(persons: int, jobs: int, cohort: int = 0) -> list[Task]:
    """Personas, the population (persons 0..), the cohort (identity slots after the
    population's, a disjoint span per chunk; chunk numbers go on from the population's, so
    record ids never meet), then the jobs."""
    tasks: list[Task] = [("personas", 0, 0, len(PERSONAS))]
    population = persons - len(PERSONAS) - cohort
    n = 0
    for n, first in enumerate(range(0, population, PERSONS_PER_CHUNK), start=1):
        tasks.append(("persons", n, first, min(PERSONS_PER_CHUNK, population - first)))
    slot = population
    for first in range(0, cohort, PERSONS_PER_CHUNK):
        n += 1
        count = min(PERSONS_PER_CHUNK, cohort - first)
        tasks.append(("cohort", n, slot, count))
        slot += slot_span(count)
    for n, first in enumerate(range(0, jobs, JOBS_PER_CHUNK), start=1):
        tasks.append(("jobs", n, first, min(JOBS_PER_CHUNK, jobs - first)))
    return tasks


def _results(tasks: list[Task], world: World, workers: int) -> Iterator[_ChunkResult]:
    """Chunk results in task order; at most two chunks per worker in flight (bounded memory)."""
    if workers <= 1:
        _init_worker(world)
        for task in tasks:
            yield _run_task(task)
        return
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with mp.get_context(method).Pool(workers, initializer=_init_worker, initargs=(world,)) as pool:
        queue = iter(tasks)
        pending = deque(pool.apply_async(_run_task, (t,)) for t in islice(queue, 2 * workers))
        while pending:
            result = pending.popleft().get()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.apply_async(_run_task, (following,)))
            yield result


def generate(
    out_dir: Path,
    *,
    persons: int,
    jobs: int,
    seed: int,
    esco_dir: Path,
    dirty_rate: float = 0.0,
    as_of: date = DEFAULT_AS_OF,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    cohort_share: float = DEFAULT_COHORT_SHARE,
) -> GenerationResult:
    """Write synthetic extracts of every source in sources.yaml into ``out_dir``.

    Same arguments give byte-identical files, whatever ``workers`` is.

    :param persons: population size, the two fixed personas included (at least 2).
    :param jobs: number of job postings.
    :param esco_dir: folder of the ESCO v1.1.1 CSV files (``en/``, ``fi/``).
    :param dirty_rate: share of each file's rows given exactly one fault (0..1).
    :param as_of: extract date; every fact is dated on or before it (plans, permits
        and decisions may run past it).
    :param progress: called as ``progress(done_persons, persons)`` after each chunk.
    :param workers: processes; default two on large runs, else one.
    :param cohort_share: share (0..1) of the persons other than the personas who are written
        as the work-ability forecast's cohort: entering employment services in the cohort
        window with the histories the pilot names. Every person the cohort definition
        selects (these and any others) gets a drawn outcome and a row of
        ``_evaluation/forecast_truth.csv`` (evaluation only: not a source folder).
    :raises EscoFileMissingError: when an ESCO file is missing.
    :raises ValueError: on impossible sizes or rates.
    """
    started = perf_counter()
    if persons < len(PERSONAS):
        raise ValueError(f"persons must be at least {len(PERSONAS)} (the fixed personas)")
    if jobs < 0:
        raise ValueError("jobs must not be negative")
    if not 0.0 <= dirty_rate <= 1.0:
        raise ValueError("dirty_rate must be between 0 and 1")
    if not 0.0 <= cohort_share <= 1.0:
        raise ValueError("cohort_share must be between 0 and 1")
    if as_of <= PERSONAS_DATED_UNTIL:
        raise ValueError(f"as_of must be after {PERSONAS_DATED_UNTIL}, the personas' latest fact")
    world = build_world(seed=seed, as_of=as_of, dirty_rate=dirty_rate, esco_dir=Path(esco_dir))
    check_population_codes(world)
    check_job_codes(world)
    check_persona_codes(world)
    cohort = round(cohort_share * (persons - len(PERSONAS)))
    tasks = _tasks(persons, jobs, cohort)
    slots_used = persons - len(PERSONAS) - cohort + sum(
        slot_span(count) for kind, _, _, count in tasks if kind == "cohort"
    )
    if slots_used > world.slots:
        raise GeneratorError(f"at most {world.slots} persons fit the identity-code space")
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if persons >= PARALLEL_FROM else 1

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = OutputFiles(out_dir, world.contract)
    truth_path = out_dir / TRUTH_FILE
    truth_path.parent.mkdir(exist_ok=True)
    truth = truth_path.open("wb")
    truth.write(truth_header_bytes())
    faults: dict[FileKey, Counter] = {}
    done = members = 0
    try:
        for result in _results(tasks, world, workers):
            truth.write(result.truth)
            members += result.members
            for key, n in result.rows.items():
                files.append(key, result.parts.get(key, b""), n)
            for key, counts in result.faults.items():
                faults.setdefault(key, Counter()).update(counts)
            if result.persons:
                done += result.persons
                if progress:
                    progress(done, persons)
        files.close(as_of)
    except BaseException:
        files.abort()
        raise
    finally:
        truth.close()

    nested_faults = {
        s.name: {f: dict(sorted(faults.get((s.name, f), Counter()).items())) for f in s.files}
        for s in world.contract.sources.values()
    }
    # faults.json: {source: {file: {kind: count}}} at the top, beside a few scalar facts
    # (readers walk the dict-valued keys); no identity code is ever in it.
    total = sum(sum(c.values()) for c in faults.values())
    write_json(
        out_dir / "faults.json",
        {
            "dirty_rate": dirty_rate,
            "seed": seed,
            "as_of": as_of.isoformat(),
            "total": total,
            **nested_faults,
        },
    )
    rows = {
        s.name: {f: files.rows[(s.name, f)] for f in s.files}
        for s in world.contract.sources.values()
    }
    return GenerationResult(
        out_dir, persons, jobs, rows, nested_faults, perf_counter() - started, members
    )
