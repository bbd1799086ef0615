"""Run a compiled mapping over its sources and stream N-Triples / N-Quads.

Speed comes from doing per triples map, once, everything that does not
depend on the row: every output line is pre-rendered into one ``str.format``
template whose fields are *slots*, a slot being one column in one form
(percent-encoded for an IRI template, escaped for a literal, ...). Per CSV
row we then

1. pull all slot values at once with ``operator.itemgetter``,
2. escape / percent-encode only when one regex over the joined values says
   some value needs it (rarely, for ids and codes), and
3. format all the map's lines with one ``str.format`` call. An empty value
   is NULL and yields no triple (as in morph-kgc), so a row with empty
   columns uses a format string of only the lines it completes, built once
   per pattern of empty columns.

JSON items are rarer and nested: a line whose references are top-level
scalars is formatted directly; otherwise the item is expanded into records
(one per combination of array elements, see :func:`_records`).
"""

from __future__ import annotations

import csv
import json
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

from mappings.rml.errors import (
    DataError,
    MappingError,
    MissingColumnError,
    SourceError,
)

if TYPE_CHECKING:
    from mappings.rml.plan import SourceSpec, TermSpec, TriplesMapSpec

Append = Callable[[str], None]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_BATCH = 2048  # buffered chunks (one per row and map) before a write to `out`
_MAX_NULL_PATTERNS = 4096  # cached format strings per triples map for rows with NULLs

# -- term rendering ---------------------------------------------------------

_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_ESCAPE_TABLE = str.maketrans(
    {**{chr(c): f"\\u{c:04X}" for c in range(0x20)},
     "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"})
# R2RML "IRI-safe", as morph-kgc does it: keep RFC 3986 unreserved characters,
# percent-encode everything else as UTF-8 (so 'ä' -> %C3%A4, '/' -> %2F).
_IRI_UNSAFE = re.compile(r"[^A-Za-z0-9_.~-]")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def escape_literal(value: str) -> str:
    r"""Escape a lexical form for a quoted N-Triples literal.

    >>> escape_literal('say "hi"\n\tbye\\')
    'say \\"hi\\"\\n\\tbye\\\\'
    """
    return value.translate(_ESCAPE_TABLE) if _NEEDS_ESCAPE.search(value) else value


def encode_iri_value(value: str) -> str:
    """Percent-encode a value for insertion into an IRI template.

    >>> encode_iri_value("Åbo Akademi/2:a~b")
    '%C3%85bo%20Akademi%2F2%3Aa~b'
    """
    return quote(value, safe="") if _IRI_UNSAFE.search(value) else value


class _ValueProblem(Exception):
    """A row value that cannot become a term; the caller adds file and line."""


def _reference_iri(where: str) -> Callable[[str], str]:
    # R2RML: a reference-valued IRI is used as-is (not percent-encoded).
    def convert(value: str) -> str:
        if not value:
            return value
        if not _ABSOLUTE_IRI.match(value):
            raise _ValueProblem(f"{where}: value {value!r} is not an absolute IRI; use a "
                                "template such as http://example.org/{column} instead")
        if _IRI_FORBIDDEN.search(value):
            # morph-kgc writes these raw, which no N-Triples parser accepts
            value = _IRI_FORBIDDEN.sub(lambda m: quote(m.group(0), safe=""), value)
        return value
    return convert


def _integer(value: str) -> str:
    # morph-kgc writes int(float(v)) for xsd:integer ("007" -> "7"); we do the
    # same for integral values but keep "1.9" rather than truncating it to 1.
    try:
        return str(int(value))
    except ValueError:
        try:
            number = float(value)
        except ValueError:
            return value
        return str(int(number)) if number.is_integer() else value


# R2RML natural mapping as morph-kgc applies it to referenced values.
_LEXICAL: dict[str, Callable[[str], str]] = {
    _XSD + "boolean": str.lower,
    _XSD + "dateTime": lambda v: v.replace(" ", "T"),
    _XSD + "integer": _integer,
}

# A slot is (reference, form); form is "lit" (escaped), "iri" (percent-encoded),
# "lit:<datatype>" (natural mapping, then escaped) or "ref-iri".
Slot = tuple[str, str]


def _slot_function(form: str, where: str) -> Callable[[str], str]:
    if form == "lit":
        return escape_literal
    if form == "iri":
        return encode_iri_value
    if form == "ref-iri":
        return _reference_iri(where)
    lexical = _LEXICAL[form[len("lit:"):]]
    return lambda v: escape_literal(lexical(v))


def _term_pieces(spec: TermSpec) -> list[str | Slot]:
    """Rendered N-Triples text with slots where the row's values go."""
    suffix = ""
    if spec.term_type == "literal":
        if spec.language:
            suffix = "@" + spec.language
        elif spec.datatype:
            suffix = f"^^<{spec.datatype}>"
    if spec.is_constant:
        text = spec.parts[0]
        return [f"<{text}>" if spec.term_type == "iri" else f'"{escape_literal(text)}"{suffix}']
    if spec.term_type == "iri":
        form = "iri" if spec.encode else "ref-iri"
        open_, close, render = "<", ">", str
    else:
        form = "lit:" + spec.datatype if spec.datatype in _LEXICAL else "lit"
        open_, close, render = '"', '"' + suffix, escape_literal
    pieces: list[str | Slot] = [open_]
    for index, part in enumerate(spec.parts):
        pieces.append((part, form) if index % 2 else render(part))
    pieces.append(close)
    return pieces


def _format_string(pieces: Sequence[str | Slot], index: dict[Slot, int]) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, tuple):
            out.append(f"{{{index[piece]}}}")
        else:
            out.append(piece.replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def _line_pieces(tm: TriplesMapSpec, predicate: str, obj: TermSpec,
                 end: str) -> list[str | Slot]:
    return [*_term_pieces(tm.subject), f" <{predicate}> ", *_term_pieces(obj), end]


def _getter(indices: Sequence[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """itemgetter that always returns a tuple (even for 0 or 1 index)."""
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    return operator.itemgetter(*indices)


# -- CSV ----------------------------------------------------------------------

Emitter = Callable[[list[str], Append], int]


def _compile_csv(tm: TriplesMapSpec, columns: dict[str, int], end: str) -> Emitter:
    """One closure that writes every line a CSV row yields for ``tm``."""
    lines = [_line_pieces(tm, p, o, end) for p, o in tm.lines]
    slots = list(dict.fromkeys(piece for line in lines for piece in line
                               if isinstance(piece, tuple)))
    # Order slots by how they are prepared: plain literals, IRI values, the rest.
    lit = [s for s in slots if s[1] == "lit"]
    iri = [s for s in slots if s[1] == "iri"]
    other = [s for s in slots if s[1] not in ("lit", "iri")]
    index = {slot: i for i, slot in enumerate(lit + iri + other)}
    lit_get = _getter([columns[s[0]] for s in lit])
    iri_get = _getter([columns[s[0]] for s in iri])
    other_fns = [(columns[s[0]], _slot_function(s[1], f"triples map {tm.name!r}"))
                 for s in other]

    all_columns = sorted({columns[s[0]] for s in slots})
    all_get = _getter(all_columns)
    position = {column: i for i, column in enumerate(all_columns)}
    # per line: its format string and the positions (in all_columns) it needs
    per_line = [(_format_string(line, index),
                 {position[columns[p[0]]] for p in line if isinstance(p, tuple)})
                for line in lines]
    all_lines = "".join(fmt for fmt, _ in per_line)
    n_lines = len(lines)
    # Rows with NULLs: one combined format string per pattern of empty columns.
    partial: dict[tuple[bool, ...], tuple[str, int]] = {}

    def for_pattern(empty: tuple[bool, ...]) -> tuple[str, int]:
        kept = [fmt for fmt, needs in per_line if not any(empty[i] for i in needs)]
        entry = ("".join(kept), len(kept))
        if len(partial) < _MAX_NULL_PATTERNS:
            partial[empty] = entry
        return entry

    search_escape, search_unsafe, is_empty = _NEEDS_ESCAPE.search, _IRI_UNSAFE.search, operator.not_

    def emit(row: list[str], append: Append) -> int:
        lits = lit_get(row)
        if search_escape("".join(lits)):
            lits = tuple(map(escape_literal, lits))
        iris = iri_get(row)
        if search_unsafe("".join(iris)):
            iris = tuple(map(encode_iri_value, iris))
        values = (lits + iris if not other_fns
                  else (*lits, *iris, *[fn(row[i]) for i, fn in other_fns]))
        used = all_get(row)
        if "" not in used:
            append(all_lines.format(*values))
            return n_lines
        empty = tuple(map(is_empty, used))  # some value is NULL: only complete lines
        fmt, count = partial.get(empty) or for_pattern(empty)
        append(fmt.format(*values))
        return count

    return emit


def _read_header(source: SourceSpec) -> list[str]:
    try:
        with source.path.open(newline="", encoding="utf-8-sig") as f:
            return next(csv.reader(f), [])
    except FileNotFoundError:
        raise SourceError(f"source file {source.name!r} not found at {source.path}; check "
                          "rml:source / sources: and the base_dir") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"cannot read the header of {source.path}: {exc}") from exc


def _column_index(source: SourceSpec,
                  tms: Sequence[TriplesMapSpec]) -> tuple[dict[str, int], int]:
    """Column positions by name, and the header's width; checks every reference."""
    header = _read_header(source)
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        columns.setdefault(name, i)
    for tm in tms:
        for term in (tm.subject, *(o for _, o in tm.lines)):
            for ref in term.references:
                if ref not in columns:
                    raise MissingColumnError(
                        f"{source.name}: column {ref!r} used by triples map {tm.name!r} "
                        f"({term.where}) is not in the CSV header "
                        f"[{', '.join(header)}]; fix the mapping or the extract",
                        column=ref, file=source.name)
    return columns, len(header)


def _run_csv(source: SourceSpec, tms: Sequence[TriplesMapSpec], end: str,
             writer: _Writer, tallies: dict[str, int]) -> int:
    columns, width = _column_index(source, tms)
    emitters = [_compile_csv(tm, columns, end) for tm in tms]
    counts = [0] * len(tms)
    pairs = list(enumerate(emitters))
    buf = writer.buffer
    append = buf.append
    rows = 0
    with source.path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        next(reader, None)
        try:
            for row in reader:
                if len(row) != width:
                    if not row:
                        continue  # blank line, skipped like pandas does
                    if len(row) > width:
                        raise SourceError(f"{source.name} line {reader.line_num}: {len(row)} "
                                          f"fields, but the header has {width}")
                    row += [""] * (width - len(row))  # short row: missing values are NULL
                rows += 1
                for i, emit in pairs:
                    counts[i] += emit(row, append)
                if len(buf) >= _BATCH:
                    writer.flush()
        except _ValueProblem as exc:
            raise DataError(f"{source.name} line {reader.line_num}: {exc}") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SourceError(f"{source.name} line {reader.line_num}: {exc}") from exc
    for tm, count in zip(tms, counts, strict=True):
        tallies[tm.name] += count
    return rows


# -- JSON ---------------------------------------------------------------------

_JSON_ITERATOR = re.compile(r"^\$((?:\.[^.\[\]]+)*)\[\*\]$")
_LEAF = ""  # key of a path tree node that marks a referenced value


def parse_json_iterator(iterator: str) -> tuple[str, ...] | None:
    """``$[*]`` -> ``()``, ``$.data.items[*]`` -> ``("data", "items")``, else None.

    >>> parse_json_iterator("$.data.items[*]"), parse_json_iterator("$..x")
    (('data', 'items'), None)
    """
    match = _JSON_ITERATOR.match(iterator.strip())
    return tuple(match.group(1).split(".")[1:]) if match else None


def _scalar(value: Any) -> str | None:
    # JSON lexical forms; "" and null are NULL as in morph-kgc.
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None  # null, objects


def _records(node: Any, tree: dict[str, Any]) -> list[dict[str, str]]:
    """Every combination of values for the referenced paths in ``tree``.

    Arrays multiply: values from different arrays combine, values from the
    same array element stay together. This is what morph-kgc gets from
    expanding the item's arrays and flattening it with pandas.

    >>> tree = {"id": {_LEAF: "id"}, "lang": {"code": {_LEAF: "lang.code"},
    ...                                         "level": {_LEAF: "lang.level"}}}
    >>> for record in _records({"id": 1, "lang": [{"code": "fi", "level": "C2"},
    ...                                           {"code": "sv", "level": "B1"}]}, tree):
    ...     print(record)
    {'id': '1', 'lang.code': 'fi', 'lang.level': 'C2'}
    {'id': '1', 'lang.code': 'sv', 'lang.level': 'B1'}
    """
    if isinstance(node, list):
        return [record for element in node for record in _records(element, tree)]
    records: list[dict[str, str]] = [{}]
    for key, sub in tree.items():
        if key == _LEAF:
            value = _scalar(node)
            if value is None:
                return []
            records = [{**r, sub: value} for r in records]
            continue
        if not isinstance(node, dict) or node.get(key) is None:
            return []
        found = _records(node[key], sub)
        if not found:
            return []
        records = [{**r, **f} for r in records for f in found]
    return records


def _path_tree(references: Sequence[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for ref in references:
        node = tree
        for segment in ref.split("."):
            node = node.setdefault(segment, {})
        node[_LEAF] = ref
    return tree


JsonEmitter = Callable[[Any, Append], int]


def _compile_json_line(tm: TriplesMapSpec, predicate: str, obj: TermSpec,
                       end: str) -> JsonEmitter:
    pieces = _line_pieces(tm, predicate, obj, end)
    slots = list(dict.fromkeys(p for p in pieces if isinstance(p, tuple)))
    index = {slot: i for i, slot in enumerate(slots)}
    fmt = _format_string(pieces, index)
    fns = [(ref, _slot_function(form, f"triples map {tm.name!r}")) for ref, form in slots]
    tree = _path_tree([ref for ref, _ in slots])
    # Fast path: only top-level keys holding non-empty strings or numbers.
    flat = all("." not in ref for ref, _ in slots)
    scalar_types = (str, int, float)

    def emit(item: Any, append: Append) -> int:
        if flat and type(item) is dict:
            raw = [item.get(ref) for ref, _ in fns]
            if all(type(v) in scalar_types for v in raw) and "" not in raw:
                append(fmt.format(*[fn(str(v)) for (_, fn), v in zip(fns, raw, strict=True)]))
                return 1
        records = _records(item, tree)
        for record in records:
            append(fmt.format(*[fn(record[ref]) for ref, fn in fns]))
        return len(records)

    return emit


def _run_json(source: SourceSpec, tms: Sequence[TriplesMapSpec], end: str,
              writer: _Writer, tallies: dict[str, int]) -> int:
    keys = parse_json_iterator(source.iterator or "")
    assert keys is not None, "compile_mapping checks the iterator"
    try:
        with source.path.open(encoding="utf-8-sig") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise SourceError(f"source file {source.name!r} not found at {source.path}; check "
                          "rml:source / sources: and the base_dir") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"cannot read JSON source {source.path}: {exc}") from exc
    node = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if node is None:
        items: list[Any] = []
    elif isinstance(node, list):
        items = node
    else:
        raise SourceError(f"{source.name}: {source.iterator} does not select an array")
    emitters = [(tm.name, [_compile_json_line(tm, p, o, end) for p, o in tm.lines])
                for tm in tms]
    buf = writer.buffer
    append = buf.append
    for number, item in enumerate(items):
        try:
            for name, lines in emitters:
                tallies[name] += sum(emit(item, append) for emit in lines)
        except _ValueProblem as exc:
            raise DataError(f"{source.name} item {number} of {source.iterator}: {exc}") from None
        if len(buf) >= _BATCH:
            writer.flush()
    return len(items)


# -- driver -----------------------------------------------------------------


@dataclass
class RunCounts:
    """What a run wrote. ``rows`` is per source name; ``per_map`` per triples map.

    Triples are counted as written lines: duplicates are not removed (a
    store keeps one), unlike morph-kgc which deduplicates in memory.
    """

    triples: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    per_map: dict[str, int] = field(default_factory=dict)


class _Writer:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.buffer: list[str] = []

    def flush(self) -> None:
        if self.buffer:
            self.out.write("".join(self.buffer).encode("utf-8"))
            self.buffer.clear()


def _graph_suffix(graph: str | None) -> str:
    if graph is None:
        return " .\n"
    if not _ABSOLUTE_IRI.match(graph) or _IRI_FORBIDDEN.search(graph):
        raise MappingError(f"graph {graph!r} is not an absolute IRI")
    return f" <{graph}> .\n"


def execute(triples_maps: Sequence[TriplesMapSpec], out: IO[bytes], *,
            graph: str | None = None) -> RunCounts:
    """Run every triples map, reading each source file once."""
    end = _graph_suffix(graph)
    groups: dict[SourceSpec, list[TriplesMapSpec]] = {}
    for tm in triples_maps:
        groups.setdefault(tm.source, []).append(tm)
    # Check every source before writing anything, so a bad one costs no output.
    for source, tms in groups.items():
        if not source.path.is_file():
            raise SourceError(f"source file {source.name!r} (triples map {tms[0].name!r}) "
                              f"not found at {source.path}; check the mapping's source and "
                              "the base_dir")
        if source.format == "csv":
            _column_index(source, tms)
    counts = RunCounts(per_map={tm.name: 0 for tm in triples_maps})
    writer = _Writer(out)
    for source, tms in groups.items():
        run = _run_csv if source.format == "csv" else _run_json
        rows = run(source, tms, end, writer, counts.per_map)
        counts.rows[source.name] = counts.rows.get(source.name, 0) + rows
        writer.flush()
    counts.triples = sum(counts.per_map.values())
    return counts
