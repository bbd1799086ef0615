"""kill -9 of `tyodata ingest` leaves no process behind.

Ingest validates and maps in a spawned worker process, and spawning starts the
multiprocessing resource tracker too. Both are the killed process's descendants; when it
dies, they must die with it (the worker by PR_SET_PDEATHSIG, the tracker when the last
holder of its pipe is gone), not live on polling as orphans.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from synthetic import generate
from tests.conftest import KEY, Loaded


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def is_worker(process: psutil.Process) -> bool:
    try:
        return "spawn_main" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def assert_all_gone(processes: list[psutil.Process], seconds: float = 5) -> None:
    """Every one of ``processes`` ends within ``seconds`` (a zombie counts as ended: it
    only waits for its new parent to reap it). Whatever is left is killed, then reported."""
    deadline = time.monotonic() + seconds
    left = processes
    while True:
        left = [p for p in left if _alive(p)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    report = []
    for process in left:
        with contextlib.suppress(psutil.Error):
            report.append((process.pid, " ".join(process.cmdline())[:120]))
            process.kill()  # ours: started by the ingest this test ran
    assert not report, f"left behind after kill -9 of ingest: {report}"


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def ingest_env(tmp_path: Path, esco_dir: Path) -> dict[str, str]:
    key_file = tmp_path / "key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o600)
    return {**os.environ, "TYODATA_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1",
            "TYODATA_PSEUDONYM_KEY_FILE": str(key_file), "TYODATA_ESCO_DIR": str(esco_dir),
            "COLUMNS": "200"}


def test_kill_9_of_ingest_leaves_no_worker_and_no_resource_tracker(
    loaded: Loaded, esco_dir: Path, tmp_path: Path
):
    store_path = tmp_path / "store"
    shutil.copytree(loaded.store_path, store_path)  # reference graphs current: the pool comes soon
    extracts = tmp_path / "extracts"
    generate(extracts, persons=300, jobs=30, seed=7, esco_dir=esco_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tyodata", "ingest", str(extracts), "--store", str(store_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ingest_env(tmp_path, esco_dir),
    )
    try:
        deadline = time.monotonic() + 300
        while not any(is_worker(p) for p in descendants(proc.pid)):
            assert proc.poll() is None, "ingest ended before it started its worker"
            assert time.monotonic() < deadline, "ingest never started its worker"
            time.sleep(0.05)
        time.sleep(0.5)  # let the worker get into its work
        before = descendants(proc.pid)
        assert any(is_worker(p) for p in before)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert_all_gone(before, seconds=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
