"""`tyodata esco match`: free text -> ESCO occupations or skills, one JSON line per text.

Input: UTF-8 text, one text a line. Output: JSON Lines, exactly one object per input line
in the same order, ``{"text": ..., "matches": [{"uri", "label", "score"}, ...]}`` best
first. An empty or blank line is kept: it gives ``"matches": []`` (so line N of the output
always answers line N of the input). The first run builds the embeddings of the ESCO
labels into ``$TYODATA_HOME/cache/esco-text/`` (a few minutes, once per ESCO version).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.errors import TyodataError
from tyodata.common import EscoOpt, err, errors, settings_for

BATCH = 64
PROGRESS_FROM = 200
"""Inputs of at least this many lines get a progress bar."""
MAX_TOP = 100


class EscoInputError(TyodataError):
    """The input or output file of `tyodata esco match` cannot be used."""


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise EscoInputError(f"no input file {path}: give a text file with one text a line")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise EscoInputError(f"{path} is not UTF-8 text (byte {error.start})") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":  # the newline that ends the last line makes no text
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def esco_match(
    kind: Annotated[str, typer.Option("--kind", help="occupation or skill")],
    input_path: Annotated[Path, typer.Option("--in", help="Text file, one text a line "
                                             "(UTF-8; a blank line gives no matches).")],
    output: Annotated[Path, typer.Option("--out", help="JSON Lines file to write, one "
                                         "object per input line.")],
    lang: Annotated[str | None, typer.Option("--lang", help="fi or en (default: detected "
                                             "per line); the labels are in this language.")
                    ] = None,
    top: Annotated[int, typer.Option("--top", help=f"Matches per text (1-{MAX_TOP}).")] = 10,
    lexical: Annotated[bool, typer.Option("--lexical", help="Lexical scores only: no "
                                          "embeddings (fast, no cache to build).")] = False,
    esco_dir: EscoOpt = None,
) -> None:
    """Match each line of --in to ESCO occupations or skills, best first, into --out."""
    from matchers.esco_text.matcher import KINDS, matcher_for

    with errors():
        if kind not in KINDS:
            raise EscoInputError(f"--kind must be occupation or skill, not {kind!r}")
        if lang is not None and lang not in ("fi", "en"):
            raise EscoInputError(f"--lang must be fi or en, not {lang!r}")
        if not 1 <= top <= MAX_TOP:
            raise EscoInputError(f"--top must be between 1 and {MAX_TOP}")
        if not output.parent.is_dir():
            raise EscoInputError(f"no folder {output.parent} for --out")
        lines = _read_lines(input_path)
        matcher = matcher_for(settings_for(esco_dir=esco_dir), embeddings=not lexical)
        partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
        try:
            with partial.open("w", encoding="utf-8") as out, Progress(
                TextColumn("matching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=err, disable=len(lines) < PROGRESS_FROM,
            ) as bar:
                task = bar.add_task("texts", total=len(lines))
                for start in range(0, len(lines), BATCH):
                    chunk = lines[start:start + BATCH]
                    for text, found in zip(chunk, matcher.match(chunk, kind, lang, top),
                                           strict=True):
                        out.write(json.dumps({"text": text, "matches": [
                            {"uri": m.uri, "label": m.label, "score": m.score}
                            for m in found]}, ensure_ascii=False) + "\n")
                    bar.advance(task, len(chunk))
            os.replace(partial, output)  # whole or nothing: never half an answer
        finally:
            partial.unlink(missing_ok=True)
    err.print(f"{len(lines)} texts matched to ESCO {kind}s -> {output}")
