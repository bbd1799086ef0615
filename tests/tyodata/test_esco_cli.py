"""`tyodata esco match`: one JSON object per input line, in order, best first; blank lines
kept; clear errors (exit 2) for a missing or non-UTF-8 file, a bad kind, language or top.
Runs the lexical path (--lexical): the embedding cache is tested in tests/matchers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.matchers.esco_support import SOCIAL_WORKER
from tyodata.cli import app

runner = CliRunner()


def run(tmp_path: Path, *args: str):
    return runner.invoke(app, ["esco", "match", "--lexical", *args],
                         env={"TYODATA_HOME": str(tmp_path / "home"), "COLUMNS": "200"})


def test_every_line_gives_one_object_in_order(tmp_path, esco_dir):
    lines = ["työskentelen sosiaalityöntekijänä", "", "olen sosiaalinen luonne", "   ",
             "I worked as a social worker", "työskentelen sosiaalityöntekijänä"]
    source = tmp_path / "texts.txt"
    source.write_text("\r\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "matches.jsonl"
    result = run(tmp_path, "--kind", "occupation", "--top", "3", "--in", str(source),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows] == lines
    assert rows[1]["matches"] == rows[2]["matches"] == rows[3]["matches"] == []
    assert rows[0]["matches"][0] == rows[5]["matches"][0]
    assert rows[0]["matches"][0]["uri"] == SOCIAL_WORKER
    assert rows[0]["matches"][0]["label"] == "sosiaalityöntekijä"
    assert rows[4]["matches"][0]["label"] == "social worker"
    for row in rows:
        scores = [m["score"] for m in row["matches"]]
        assert scores == sorted(scores, reverse=True) and len(scores) <= 3
        assert all(set(m) == {"uri", "label", "score"} for m in row["matches"])


def test_language_option_sets_the_labels(tmp_path, esco_dir):
    source = tmp_path / "texts.txt"
    source.write_text("social worker\n", encoding="utf-8")
    out = tmp_path / "m.jsonl"
    assert run(tmp_path, "--kind", "occupation", "--lang", "fi", "--in", str(source),
               "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["matches"][0]["label"] == "sosiaalityöntekijä"


@pytest.mark.parametrize(("args", "message"), [
    (("--kind", "job"), "--kind must be occupation or skill"),
    (("--kind", "skill", "--lang", "sv"), "--lang must be fi or en"),
    (("--kind", "skill", "--top", "0"), "--top must be between"),
])
def test_bad_options_are_refused(tmp_path, args, message):
    source = tmp_path / "texts.txt"
    source.write_text("kokki\n", encoding="utf-8")
    result = run(tmp_path, *args, "--in", str(source), "--out", str(tmp_path / "m.jsonl"))
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "m.jsonl").exists()


def test_missing_and_unreadable_input(tmp_path, esco_dir):
    out = tmp_path / "m.jsonl"
    result = run(tmp_path, "--kind", "skill", "--in", str(tmp_path / "none.txt"),
                 "--out", str(out))
    assert result.exit_code == 2 and "no input file" in result.output
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("sähköasentaja\n".encode("latin-1"))
    result = run(tmp_path, "--kind", "skill", "--in", str(latin), "--out", str(out))
    assert result.exit_code == 2 and "not UTF-8" in result.output
    result = run(tmp_path, "--kind", "skill", "--in", str(latin),
                 "--out", str(tmp_path / "no" / "m.jsonl"))
    assert result.exit_code == 2 and "no folder" in result.output
    assert not out.exists()
