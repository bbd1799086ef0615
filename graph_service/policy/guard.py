"""The SPARQL query guard: judge a query or update by its tokens, never by regexes over raw text.

Why. The store (pyoxigraph, or ``oxigraph serve`` behind a remote store) makes real HTTP
requests for ``SERVICE`` in queries and for ``LOAD`` in updates, to any host. A check that
searches the raw text for ``SERVICE`` can be fooled: a ``#`` inside an IRI looks like a
comment, a quote inside an IRI looks like the start of a string, an escape such as
``\\u0053ERVICE`` spells the keyword only after the engine decodes it. This module reads the
text the way the SPARQL 1.1 grammar does (Query §19.8, the terminals IRIREF, PNAME_NS,
PNAME_LN, BLANK_NODE_LABEL, VAR1/VAR2, LANGTAG, the numbers, the four string forms, NIL,
ANON, comments, keywords and punctuation) and decides on the resulting tokens.

What it guarantees.

* Codepoint escapes (``\\uXXXX``, ``\\UXXXXXXXX``) are decoded over the whole text first, as
  §19.2 says; a bad one is malformed, and so is any text that still holds a backslash followed
  by ``u`` or ``U`` afterwards. The caller hands the engine :attr:`CheckedQuery.text` (the
  decoded text), so the engine and the guard read exactly the same characters.
* Anything that does not lex is malformed (fail closed): unterminated strings, stray
  backslashes, bad string escapes, unknown characters or bare words, undeclared prefixes,
  unbalanced brackets.
* :func:`check_query` accepts only SELECT, CONSTRUCT, DESCRIBE and ASK; it refuses the
  ``SERVICE`` keyword wherever it occurs (kind ``"service"``) and any update keyword (kind
  ``"update"``), and returns the query's FROM / FROM NAMED graphs as absolute IRIs.
* :func:`check_update` (the admin write path) refuses LOAD, SERVICE, ``GRAPH ?var``,
  CLEAR/DROP of ALL or NAMED, and any IRI that resolves to a protected graph.

Where the engine reads differently. The engine's parser is a scannerless PEG grammar, and
in four places it does not tokenise the way the grammar's longest-match rule says. Each one
would let SERVICE through a lexer that follows the specification alone, and each is closed
here:

1. In an expression, after an operand, ``<`` is always the less-than operator, even where an
   IRIREF would match (``FILTER(1<'> ') SERVICE <…> {} } #'``); and ``<<`` always opens a
   SPARQL 1.2 triple term (``BIND(<<(?s?p'>)')>> AS ?t) SERVICE <…> {} #'``). Such an
   IRIREF is refused when reading it the engine's way could open a string or a comment, or
   change the brackets.
2. A local name ends after its first run of dots (``ex:a.b.SERVICE`` is ``ex:a.b``, ``.``,
   ``SERVICE``). A local name with two runs of dots is refused.
3. Keywords are matched without a word boundary, so ``SERVICE:x {`` can be SERVICE ``:x``
   and ``GRAPH:identity`` can be GRAPH ``:identity``. A prefixed name that starts with the
   letters SERVICE and is followed by ``{`` is refused as SERVICE. In updates every prefixed
   name is also read as keyword + prefixed name, and both readings are checked against the
   protected graphs.
4. Relative IRIs resolve the way the engine's IRI library (oxiri 0.2) does: an absolute IRI
   keeps its dot segments, and a reference against a base without a slash keeps the base's
   scheme only (``urn:a:b`` and ``c`` give ``urn:c``). Plain ``urllib.parse.urljoin`` gives
   other answers there.

Error messages give the position (line:column) and what to do. They never repeat the query
text or any part of it, because a query can hold a person's identity code.

>>> checked = check_query(
...     "PREFIX g: <https://example.org/graph/> "
...     "SELECT * FROM g:a FROM NAMED <https://example.org/graph/b> { ?s ?p ?o }")
>>> checked.form, checked.from_default, checked.from_named
('SELECT', ('https://example.org/graph/a',), ('https://example.org/graph/b',))
>>> check_query("ASK { ?s <http://example.org/p#SERVICE> 'SERVICE' }").form
'ASK'
>>> try:
...     check_query("PREFIX a: <http://x#> SELECT * { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
... except QueryRefusedError as refused:
...     print(refused.kind, refused.line, refused.column)
service 1 34
>>> try:
...     check_query("SELECT * { \\\\u0053ERVICE <http://127.0.0.1/> {} }")
... except QueryRefusedError as refused:
...     print(refused)
SERVICE at 1:12 is not allowed; the graph service never queries other endpoints; remove the \
SERVICE clause
>>> check_update("DROP SILENT GRAPH <https://example.org/graph/old>",
...              protected={"https://example.org/graph/identity"}).operations
('DROP',)
>>> try:
...     check_update("PREFIX g: <https://example.org/graph/> DROP GRAPH g:identity",
...                  protected={"https://example.org/graph/identity"})
... except QueryRefusedError as refused:
...     print(refused.kind)
protected-graph
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from graph_service.policy.errors import PolicyError

__all__ = [
    "CheckedQuery",
    "CheckedUpdate",
    "GuardError",
    "MalformedQueryError",
    "QueryRefusedError",
    "check_query",
    "check_update",
]


# --------------------------------------------------------------------------------------
# Errors and results
# --------------------------------------------------------------------------------------


class GuardError(PolicyError):
    """A query or update was not let through; the message says what, where and what to do.

    ``line`` and ``column`` (1-based, in the text as sent) say where, when known.
    """

    def __init__(self, message: str, *, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class MalformedQueryError(GuardError):
    """The text is not SPARQL the guard can read unambiguously (callers answer 400)."""


class QueryRefusedError(GuardError):
    """Well-formed, but not allowed (callers answer 403); ``kind`` names the rule.

    Kinds: ``service``, ``update``, ``load``, ``variable-graph``, ``all-graphs``,
    ``protected-graph``, ``not-an-update``.
    """

    def __init__(self, message: str, *, kind: str, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message, line=line, column=column)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class CheckedQuery:
    """A query the guard let through. Hand ``text`` (escapes decoded) to the engine."""

    text: str
    form: str
    from_default: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckedUpdate:
    """An update the guard let through. Hand ``text`` (escapes decoded) to the engine."""

    text: str
    operations: tuple[str, ...]


# --------------------------------------------------------------------------------------
# Terminals (SPARQL 1.1 Query §19.8)
# --------------------------------------------------------------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+"
# "Dots inside, never at the end" is written as: runs of dots only where a name char follows.
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}]++|\\.++(?=[{_PN_CHARS}]))*+"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
    f"(?:[{_PN_CHARS}:]++|{_PLX}|\\.++(?=[{_PN_CHARS}:]|{_PLX}))*+"
)
_ECHAR = r"""\\[tbnrf"'\\]"""

# The four string forms. Long: runs of at most two quotes, each followed by another character.
_LONG_STRING = r"{q}{q}{q}(?:[^{q}\\]++|ECHAR|{q}{q}?+(?=[^{q}]))*+{q}{q}{q}".replace(
    "ECHAR", _ECHAR)
_SHORT_STRING = r"{q}(?:[^{q}\\\n\r]++|ECHAR)*+{q}".replace("ECHAR", _ECHAR)

_TOKEN = re.compile(
    r"(?:[ \t\r\n]++|#[^\r\n]*+)*+"  # whitespace and comments (WS and '#' to end of line)
    r"(?:"
    f"(?P<var>[?$]{_VARNAME})"
    # a bare word, unless it is the prefix of a prefixed name
    f"|(?P<w>[A-Za-z][A-Za-z0-9_]*+(?!(?:[{_PN_CHARS}]|\\.++(?=[{_PN_CHARS}]))*+:))"
    f"|(?P<pn>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)"
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*+>)"""
    r"|(?P<lb>\{)|(?P<rb>\})"
    r"|(?P<nil>\([ \t\r\n]*+\))|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<anon>\[[ \t\r\n]*+\])|(?P<ls>\[)|(?P<rs>\])"
    r"|(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+"
    r"|[0-9]*\.[0-9]+|[0-9]+))"
    r"|(?P<str>"
    + _LONG_STRING.format(q='"') + "|" + _LONG_STRING.format(q="'") + "|"
    + _SHORT_STRING.format(q='"') + "|" + _SHORT_STRING.format(q="'")
    + r")"
    r"|(?P<semi>;)"
    r"|(?P<op>\^\^|&&|\|\||!=|<=|>=|[.,*/+\-!=<^|?])"
    r"|(?P<gt>>)"
    f"|(?P<bn>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}]++|\\.++(?=[{_PN_CHARS}]))*+)"
    r"|(?P<lang>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+)"
    r"|(?P<end>\Z)"
    r"|(?P<err>[\s\S])"
    r")"
)

# SPARQL 1.1 Query and Update keywords, plus the few SPARQL 1.2 / Oxigraph function and
# pattern keywords the engine also knows (none of them reaches the network).
_KEYWORDS = frozenset([
    "ABS", "ADD", "ADJUST", "ALL", "AS", "ASC", "ASK", "AVG", "BASE", "BIND", "BNODE", "BOUND",
    "BY", "CEIL", "CLEAR", "COALESCE", "CONCAT", "CONSTRUCT", "CONTAINS", "COPY", "COUNT",
    "CREATE", "DATA", "DATATYPE", "DAY", "DEFAULT", "DELETE", "DESC", "DESCRIBE", "DISTINCT",
    "DROP", "ENCODE_FOR_URI", "EXISTS", "FALSE", "FILTER", "FLOOR", "FROM", "GRAPH", "GROUP",
    "GROUP_CONCAT", "HASLANG", "HASLANGDIR", "HAVING", "HOURS", "IF", "IN", "INSERT", "INTO",
    "IRI", "ISBLANK", "ISIRI", "ISLITERAL", "ISNUMERIC", "ISTRIPLE", "ISURI", "LANG", "LANGDIR",
    "LANGMATCHES", "LATERAL", "LCASE", "LIMIT", "LOAD", "MAX", "MD5", "MIN", "MINUS", "MINUTES",
    "MONTH", "MOVE", "NAMED", "NOT", "NOW", "OBJECT", "OFFSET", "OPTIONAL", "ORDER", "PREDICATE",
    "PREFIX", "RAND", "REDUCED", "REGEX", "REPLACE", "ROUND", "SAMETERM", "SAMPLE", "SECONDS",
    "SELECT", "SEPARATOR", "SERVICE", "SHA1", "SHA256", "SHA384", "SHA512", "SILENT", "STR",
    "STRAFTER", "STRBEFORE", "STRDT", "STRENDS", "STRLANG", "STRLANGDIR", "STRLEN", "STRSTARTS",
    "STRUUID", "SUBJECT", "SUBSTR", "SUM", "TIMEZONE", "TO", "TRIPLE", "TRUE", "TZ", "UCASE",
    "UNDEF", "UNION", "URI", "USING", "UUID", "VALUES", "VERSION", "WHERE", "WITH", "YEAR",
])
_QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
# Keywords of the update grammar only: a query holding one of them is not a plain query.
_UPDATE_ONLY = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
     "USING", "DATA", "INTO", "TO", "DEFAULT", "ALL"}
)
_DECLARATIONS = frozenset({"BASE", "PREFIX", "VERSION"})
# Tokens that can end an operand: after one of them, inside an expression, the engine reads
# '<' as less-than. ('gt' is '>', which ends a '<<( ... )>>' triple term.)
_OPERAND_END = frozenset({"var", "iri", "pn", "str", "num", "lang", "nil", "bn", "anon", "rp",
                          "rb", "rs", "gt", "TRUE", "FALSE"})
# Tokens that, inside an IRIREF read as '<' and more tokens, would change the reading after it.
_SHIFTING = frozenset({"str", "lp", "rp", "lb", "rb", "ls", "rs", "nil", "anon"})
_SPECIAL_WORDS = _UPDATE_ONLY | _QUERY_FORMS | _DECLARATIONS | {"SERVICE", "VALUES", "FROM"}
# Bracket frames: '{' group, 's' group that holds a subquery's SELECT, '[' property list,
# 'e' expression parentheses, 'c' collection parentheses, 'v' VALUES data.
_CLOSES = {"rp": "ecv", "rb": "{sv", "rs": "["}

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_ESCAPE_START = re.compile(r"\\[uU]")
_TWO_DOT_RUNS = re.compile(r"\.[^.]+\.")
_PLX_ESCAPE = re.compile(r"\\.")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


# --------------------------------------------------------------------------------------
# Positions and messages
# --------------------------------------------------------------------------------------


class _Source:
    """The text as sent and the decoded text, to turn decoded offsets into line:column."""

    __slots__ = ("decoded", "original", "_at", "_extra")

    def __init__(self, original: str, decoded: str, at: list[int], extra: list[int]) -> None:
        self.original = original
        self.decoded = decoded
        self._at = at  # decoded offsets of the characters that escapes produced
        self._extra = extra  # characters removed by the escapes up to and including each

    def line_col(self, pos: int) -> tuple[int, int]:
        if self._at:
            k = bisect_left(self._at, pos)
            pos += self._extra[k - 1] if k else 0
        text = self.original
        line = text.count("\n", 0, pos) + 1
        return line, pos - (text.rfind("\n", 0, pos) + 1) + 1

    def malformed(self, pos: int, what: str, todo: str) -> MalformedQueryError:
        line, col = self.line_col(pos)
        return MalformedQueryError(f"malformed SPARQL at {line}:{col}: {what}; {todo}",
                                   line=line, column=col)

    def refused(self, pos: int, kind: str, what: str, todo: str) -> QueryRefusedError:
        line, col = self.line_col(pos)
        return QueryRefusedError(f"{what.format(at=f'{line}:{col}')}; {todo}", kind=kind,
                                 line=line, column=col)


def _decode(text: str) -> _Source:
    """Decode \\uXXXX and \\UXXXXXXXX over the whole text (§19.2); a bad escape is malformed."""
    if "\\" not in text or _ESCAPE_START.search(text) is None:
        return _Source(text, text, [], [])
    parts: list[str] = []
    at: list[int] = []
    extra: list[int] = []
    removed = 0
    last = 0
    length = 0
    for start in _ESCAPE_START.finditer(text):
        s = start.start()
        m = _ESCAPE.match(text, s)
        cp = int(m.group(1) or m.group(2), 16) if m else -1
        if m is None or 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF:
            probe = _Source(text, text, [], [])
            raise probe.malformed(s, "an invalid \\u or \\U escape (it needs 4 or 8 hex digits "
                                  "naming a Unicode scalar value)",
                                  "write the character itself, or a valid escape")
        parts.append(text[last:s])
        length += s - last
        at.append(length)
        parts.append(chr(cp))
        length += 1
        removed += m.end() - s - 1
        extra.append(removed)
        last = m.end()
    parts.append(text[last:])
    decoded = "".join(parts)
    source = _Source(text, decoded, at, extra)
    again = _ESCAPE_START.search(decoded)
    if again is not None:
        raise source.malformed(again.start(), "an escape sequence that decodes to another "
                               "backslash-u escape", "write the intended character directly")
    return source


# --------------------------------------------------------------------------------------
# IRI resolution, as the engine's IRI library (oxiri 0.2) does it
# --------------------------------------------------------------------------------------


def _positions(iri: str) -> tuple[int, int, int, int]:
    """(scheme end, authority end, path end, query end) of an absolute IRI."""
    scheme_end = iri.find(":") + 1
    n = len(iri)
    if iri.startswith("//", scheme_end):
        authority_end = n
        for ch in "/?#":
            i = iri.find(ch, scheme_end + 2)
            if 0 <= i < authority_end:
                authority_end = i
    else:
        authority_end = scheme_end
    path_end = n
    for ch in "?#":
        i = iri.find(ch, authority_end)
        if 0 <= i < path_end:
            path_end = i
    query_end = iri.find("#", path_end)
    return scheme_end, authority_end, path_end, (n if query_end < 0 else query_end)


def _remove_last_segment(out: str, authority_end: int, scheme_end: int) -> str:
    i = out.rfind("/", authority_end)
    if i >= 0:
        return out[:i] + "/"
    out = out[:authority_end]
    return out + "/" if authority_end > scheme_end else out


def _path_removing_dots(out: str, authority_end: int, scheme_end: int, rest: str) -> str:
    """Append ``rest`` to ``out``, removing dot segments segment by segment (oxiri's way)."""
    i = 0
    n = len(rest)
    while True:
        c = rest[i] if i < n else ""
        i += 1
        if c in ("", "/", "?", "#"):
            path = out[authority_end:]
            if path.endswith("/.."):
                out = _remove_last_segment(out[:-3], authority_end, scheme_end)
            elif path.endswith("/.") or path == ".":
                out = out[:-1]
            elif path == "..":
                out = out[:-2]
            elif c == "/":
                out += "/"
                continue
            if c in ("?", "#"):
                return out + c + rest[i:]
            if not c:
                return out
        else:
            out += c


def _resolve(base: str | None, ref: str) -> str:
    """The absolute IRI the engine makes of IRIREF content ``ref`` under ``base``."""
    if base is None or _SCHEME.match(ref):
        return ref
    scheme_end, authority_end, path_end, query_end = _positions(base)
    if not ref:
        return base[:query_end]
    first = ref[0]
    if first == "/":
        if ref.startswith("//"):
            return base[:scheme_end] + ref
        return _path_removing_dots(base[:authority_end] + "/", authority_end, scheme_end,
                                   ref[1:])
    if first == "?":
        return base[:path_end] + ref
    if first == "#":
        return base[:query_end] + ref
    out = _remove_last_segment(base[:path_end], authority_end, scheme_end)
    return _path_removing_dots(out, authority_end, scheme_end, ref)


# --------------------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------------------

_WHAT_UNKNOWN_WORD = ("a bare word that is not a SPARQL keyword",
                      "write IRIs as <...> or prefix:name and variables as ?name")
_WHAT_PREFIX = ("a prefixed name whose prefix is not declared",
                "declare it with PREFIX at the start of the query")


def _lex_error(src: _Source, m: re.Match[str]) -> MalformedQueryError:
    pos = m.start("err")
    ch = src.decoded[pos]
    if ch in "'\"":
        return src.malformed(pos, "a string that is not closed on its line, or that holds a "
                             "backslash escape other than \\t \\b \\n \\r \\f \\\" \\' \\\\",
                             "close the string with the quote it opened with, or use a long "
                             "string (''' or \"\"\") for text with line breaks")
    if ch == "\\":
        return src.malformed(pos, "a backslash outside a string",
                             "backslashes may appear only in strings and in prefixed names "
                             "(\\ before one of _~.-!$&'()*+,;=/?#@%)")
    return src.malformed(pos, "a character that SPARQL does not allow here",
                         "check for stray characters; IRIs go inside <...> and text inside "
                         "quotes")


class _Scan:
    """One pass over the tokens of the decoded text.

    For a query it checks everything itself. For an update it also keeps every token, as
    (kind, value, start, depth), for the operation-level reading in :func:`_operations`.
    """

    __slots__ = ("src", "update", "protected", "prefixes", "base", "form", "from_default",
                 "from_named", "tokens", "problems")

    def __init__(self, src: _Source, *, update: bool, protected: frozenset[str]) -> None:
        self.src = src
        self.update = update
        self.protected = protected
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self.form = ""
        self.from_default: list[str] = []
        self.from_named: list[str] = []
        self.tokens: list[tuple[str, str, int, int]] = []
        self.problems: list[tuple[int, GuardError]] = []

    # ---- decisions off the hot path --------------------------------------------------

    def fail(self, pos: int, error: GuardError) -> None:
        """A refusal: raised at once for a query; for an update collected, so that the first
        one in the text is raised when the reading is over."""
        if not self.update:
            raise error
        self.problems.append((pos, error))

    def stop(self, error: GuardError, pos: int) -> GuardError:
        """The error to raise now: the earliest of ``error`` and those collected."""
        self.problems.append((pos, error))
        return min(self.problems, key=lambda p: p[0])[1]

    def ambiguous_less_than(self, start: int, end: int) -> bool:
        """Could the engine read text[start:end] as '<' followed by tokens that open a string
        or a comment, or change the brackets? (See the module docstring.)"""
        text = self.src.decoded
        pos = start + 1
        if text.startswith("=", pos):
            pos += 1  # '<='
        slash = False
        match = _TOKEN.match
        while pos < end:
            m = match(text, pos)
            kind = m.lastgroup
            token_start = m.start(kind)
            if token_start > pos:  # an IRIREF holds no white space: a comment starts here
                return True
            if kind in _SHIFTING:
                return True
            if kind == "err" or kind == "end":
                return False  # no token starts here, for the engine either
            if kind == "op" and text[token_start] == "/":
                if slash:
                    return False  # '//' is never valid in an expression: that reading fails
                slash = True
            else:
                slash = False
            pos = m.end()
        return False

    def prefixed_iri(self, token: str, start: int) -> str:
        """The IRI of a prefixed name; malformed if the prefix is not declared, or if the
        engine would end the name early (more than one run of dots in the local part)."""
        colon = token.find(":")
        namespace = self.prefixes.get(token[:colon])
        if namespace is None:
            raise self.stop(self.src.malformed(start, *_WHAT_PREFIX), start)
        local = token[colon + 1:]
        if "." in local and _TWO_DOT_RUNS.search(_PLX_ESCAPE.sub("x", local)):
            raise self.stop(self.src.malformed(
                start, "a prefixed name with more than one run of dots in its local part, "
                "which the engine splits into several tokens", "escape the dots as \\."), start)
        return namespace + local.replace("\\", "") if "\\" in local else namespace + local

    def keyword_split_iris(self, token: str) -> list[str]:
        """The IRIs the engine could read in ``token`` after a keyword glued to its front,
        e.g. ``GRAPH:identity`` as GRAPH ``:identity``."""
        colon = token.find(":")
        prefix, local = token[:colon], token[colon + 1:].replace("\\", "")
        found = []
        for i in range(1, colon + 1):
            letter = prefix[i - 1]
            if not (letter.isascii() and letter.isalpha()):
                break
            namespace = self.prefixes.get(prefix[i:])
            if namespace is not None:
                found.append(namespace + local)
        return found

    def check_protected(self, iri: str, start: int) -> None:
        if iri in self.protected:
            self.fail(start, self.src.refused(
                start, "protected-graph", "an IRI at {at} names a protected graph",
                "updates may not read or write it (prefixes, BASE and escapes are resolved "
                "before this check)"))

    def declaration(self, pending: str, kind: str, token: str, start: int) -> str:
        """Read the token a BASE, PREFIX or VERSION declaration needs next; the new state."""
        if pending == "prefix":
            if kind != "pn" or not token.endswith(":"):
                raise self.bad_declaration("PREFIX must be followed by a prefix name ending "
                                           "in ':'", start)
            return "prefix-iri " + token[:-1]
        if pending == "version":
            if kind != "str":
                raise self.bad_declaration("VERSION must be followed by a string", start)
            return ""
        if kind != "iri":
            raise self.bad_declaration(
                f"{'BASE' if pending == 'base' else 'PREFIX'} must be followed by an <IRI>",
                start)
        iri = _resolve(self.base, token[1:-1])
        if pending == "base":
            self.base = iri
        else:
            self.prefixes[pending.split(" ", 1)[1]] = iri
        if self.update:
            self.check_protected(iri, start)
        return ""

    def bad_declaration(self, what: str, start: int) -> GuardError:
        return self.stop(self.src.malformed(start, what, "write e.g. PREFIX ex: "
                                            "<http://example.org/> or BASE <http://...>"),
                         start)

    def no_form(self, start: int) -> MalformedQueryError:
        return self.src.malformed(start, "the query does not start with SELECT, CONSTRUCT, "
                                  "DESCRIBE or ASK (after any PREFIX and BASE)",
                                  "start it with the query form")

    def update_refused(self, keyword: str, start: int) -> QueryRefusedError:
        return self.src.refused(
            start, "update", f"{keyword} at {{at}} makes this an update",
            "this endpoint answers queries only; data enters the graph through `tyodata "
            "ingest`")

    def no_from_iri(self, start: int) -> MalformedQueryError:
        return self.src.malformed(start, "FROM without a graph IRI",
                                  "write FROM <iri> or FROM NAMED <iri>")

    # ---- the pass --------------------------------------------------------------------

    def run(self) -> None:  # noqa: C901 - one loop on purpose: it runs on every request
        src = self.src
        text = src.decoded
        update = self.update
        prefixes = self.prefixes
        keep = self.tokens.append
        stack: list[str] = []
        top = ""  # the innermost open frame ('' at top level)
        # The previous token and the one before it: the kind, or for a keyword the keyword.
        prev = before = ""
        pending = ""  # a declaration being read: base, prefix, "prefix-iri NAME", version
        from_state = 0  # query: 1 after FROM, 2 after FROM NAMED
        service_pn = -1  # start of the previous token, if it was a prefixed name SERVICE...
        values = False  # VALUES seen, its data block not yet opened
        body = update  # query: past the prologue (the form keyword seen)
        braces = False  # the query pattern started (a query's dataset clauses are over)
        template = False  # CONSTRUCT seen: its first top-level group is the template
        special = not body  # one of the states above needs to see the next token
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup
            if special:
                if service_pn >= 0:
                    if kind == "lb":
                        self.fail(service_pn, src.refused(
                            service_pn, "service", "SERVICE at {at} is not allowed (a "
                            "prefixed name spelled SERVICE... before '{{' is the SERVICE "
                            "keyword to the engine)", "rename the prefix"))
                    service_pn = -1
                if pending:
                    token = m.group(kind)
                    start = m.start(kind)
                    pending = self.declaration(pending, kind, token, start)
                    if update:
                        keep((kind, token, start, 0))
                    before, prev = prev, kind
                    special = bool(pending) or not body
                    continue
                if from_state:
                    if kind == "w" and from_state == 1 and m.group(kind).upper() == "NAMED":
                        from_state = 2
                        before, prev = prev, "NAMED"
                        continue
                    start = m.start(kind)
                    if kind == "iri":
                        iri = _resolve(self.base, m.group(kind)[1:-1])
                    elif kind == "pn":
                        token = m.group(kind)
                        if from_state == 1 and token[:5].lower() == "named":
                            raise src.malformed(start, "a prefixed name after FROM that starts "
                                                "with the letters NAMED, which the engine "
                                                "reads as the keyword", "rename the prefix")
                        iri = self.prefixed_iri(token, start)
                    else:
                        raise self.no_from_iri(start)
                    (self.from_named if from_state == 2 else self.from_default).append(iri)
                    from_state = 0
                if not body and kind != "w" and kind != "end":
                    raise self.no_form(m.start(kind))
                special = not body
            if kind == "var":
                if update:
                    start = m.start(kind)
                    if prev == "GRAPH":
                        self.fail(start, src.refused(
                            start, "variable-graph", "GRAPH with a variable at {at} is not "
                            "allowed in updates", "name the graph with an IRI, so that "
                            "protected graphs can be checked"))
                    keep((kind, "", start, len(stack)))
            elif kind == "w":
                word = m.group(kind)
                if word == "a":
                    kind = "a"
                else:
                    kind = word.upper()
                    if kind not in _KEYWORDS:
                        start = m.start("w")
                        raise self.stop(src.malformed(start, *_WHAT_UNKNOWN_WORD), start)
                    if kind in _SPECIAL_WORDS:
                        special = True
                        if kind == "SERVICE":
                            start = m.start("w")
                            self.fail(start, src.refused(
                                start, "service", "SERVICE at {at} is not allowed",
                                "the graph service never queries other endpoints; remove the "
                                "SERVICE clause"))
                        elif kind in _DECLARATIONS:
                            if body and not update:
                                raise src.malformed(m.start("w"), f"{kind} after the query "
                                                    "form", "declarations belong at the start "
                                                    "of the query")
                            pending = kind.lower()
                        elif kind == "VALUES":
                            values = True
                        elif kind == "SELECT" and top == "{":
                            stack[-1] = top = "s"  # a subquery: its clauses hold expressions
                        elif update:
                            if kind == "LOAD":
                                start = m.start("w")
                                self.fail(start, src.refused(
                                    start, "load", "LOAD at {at} is not allowed",
                                    "the store never fetches data from URLs; load files with "
                                    "`tyodata ingest`"))
                        elif kind in _UPDATE_ONLY:
                            raise self.update_refused(kind, m.start("w"))
                        elif kind == "FROM":
                            if stack or braces:
                                raise src.malformed(m.start("w"), "FROM after the query "
                                                    "pattern started", "put FROM and FROM "
                                                    "NAMED before WHERE")
                            from_state = 1
                        if not body and not pending:
                            if kind not in _QUERY_FORMS:
                                raise self.no_form(m.start("w"))
                            self.form = kind
                            body = True
                            template = kind == "CONSTRUCT"
                    elif not body:
                        raise self.no_form(m.start("w"))
                    elif kind == "WHERE":
                        template = False
                if update:
                    keep(("w", kind, m.start("w"), len(stack)))
            elif kind == "pn":
                token = m.group(kind)
                colon = token.find(":")
                if token[:colon] not in prefixes or "." in token:
                    iri = self.prefixed_iri(token, m.start(kind))  # raises if it must
                first = token[0]
                if (first == "s" or first == "S") and token[:7].lower() == "service":
                    service_pn = m.start(kind)
                    special = True
                if update:
                    start = m.start(kind)
                    iri = self.prefixed_iri(token, start)
                    self.check_protected(iri, start)
                    for alternative in self.keyword_split_iris(token):
                        self.check_protected(alternative, start)
                    keep((kind, iri, start, len(stack)))
                elif (first == "f" or first == "F") and not braces and not stack \
                        and token[:4].lower() == "from":
                    raise src.malformed(m.start(kind), "a prefixed name before the query "
                                        "pattern that starts with the letters FROM, which the "
                                        "engine reads as the keyword", "rename the prefix")
            elif kind == "iri":
                start = m.start(kind)
                # After an operand in an expression the engine reads '<' as less-than, and
                # right after '<' it reads '<<' (a SPARQL 1.2 triple term): either way it may
                # not read this IRIREF as one.
                if ((top == "e" and prev in _OPERAND_END) or (start and text[start - 1] == "<")) \
                        and self.ambiguous_less_than(start, m.end()):
                    raise self.stop(src.malformed(
                        start, "a '<' that the engine reads as less-than or as part of '<<', "
                        "but the grammar reads as the start of an IRI", "put a space after "
                        "'<' (or write the IRI as prefix:name)"), start)
                if update:
                    start = m.start(kind)
                    iri = _resolve(self.base, m.group(kind)[1:-1])
                    self.check_protected(iri, start)
                    keep((kind, iri, start, len(stack)))
            elif kind == "lb":
                if update:
                    keep((kind, "{", m.start(kind), len(stack)))
                if template and not stack:
                    template = False
                else:
                    braces = True
                top = "v" if values else "{"
                values = False
                stack.append(top)
            elif kind == "lp":
                if values or top == "v":
                    top = "v"
                elif top == "e" or top == "s" or not top:
                    top = "e"
                elif prev in _KEYWORDS or (before == "FILTER" and prev in ("iri", "pn")):
                    top = "e"  # FILTER(, BIND(, a built-in call, FILTER <fn>(
                else:
                    top = "c"  # a collection in a triple pattern
                if update:
                    keep((kind, "(", m.start(kind), len(stack)))
                stack.append(top)
            elif kind == "rb" or kind == "rp" or kind == "rs":
                if not stack or top not in _CLOSES[kind]:
                    start = m.start(kind)
                    raise self.stop(src.malformed(start, "a closing bracket that does not "
                                                  "match the open one",
                                                  "balance (), {} and []"), start)
                stack.pop()
                top = stack[-1] if stack else ""
                if update:
                    keep((kind, "", m.start(kind), len(stack)))
            elif kind == "ls":
                if update:
                    keep((kind, "[", m.start(kind), len(stack)))
                stack.append("[")
                top = "["
            elif kind == "end":
                start = m.start(kind)
                if pending:
                    raise self.bad_declaration("a declaration is not complete", start)
                if stack:
                    raise self.stop(src.malformed(start, "a bracket that is never closed",
                                                  "balance (), {} and []"), start)
                if not body:
                    raise self.no_form(start)
                if update:
                    keep((kind, "", start, 0))
                break
            elif kind == "err":
                start = m.start(kind)
                raise self.stop(_lex_error(src, m), start)
            elif update:  # str, num, lang, bn, nil, anon, semi, op, gt
                keep((kind, "", m.start(kind), len(stack)))
            before = prev
            prev = kind
        # An update's collected refusals are raised after its operations are read.
        if self.problems and not update:
            raise min(self.problems, key=lambda p: p[0])[1]


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def check_query(text: str) -> CheckedQuery:
    """Check a SPARQL query; return what the engine must run and the query's FROM graphs.

    Raises :class:`MalformedQueryError` if the text does not read as one SPARQL query, and
    :class:`QueryRefusedError` (kind ``service`` or ``update``) if it is not allowed.

    >>> check_query("SELECT ?service { ?service a <http://example.org/Service> }").form
    'SELECT'
    >>> check_query('BASE <https://example.org/g/> DESCRIBE ?x FROM <a> FROM <../b> FROM <a> '
    ...             'WHERE { ?x ?p "x" }').from_default
    ('https://example.org/g/a', 'https://example.org/b')
    >>> try:
    ...     check_query("SELECT * {} ; INSERT DATA { <http://a> <http://b> <http://c> }")
    ... except QueryRefusedError as refused:
    ...     print(refused.kind)
    update
    """
    source = _decode(text)
    scan = _Scan(source, update=False, protected=frozenset())
    scan.run()
    return CheckedQuery(text=source.decoded, form=scan.form,
                        from_default=tuple(dict.fromkeys(scan.from_default)),
                        from_named=tuple(dict.fromkeys(scan.from_named)))


def check_update(text: str, *, protected: Iterable[str]) -> CheckedUpdate:
    """Check a SPARQL update for the admin write path.

    Refuses (:class:`QueryRefusedError`, ``kind`` in parentheses) LOAD (``load``), SERVICE
    (``service``), GRAPH followed by a variable (``variable-graph``), CLEAR/DROP of ALL or
    NAMED (``all-graphs``), any IRI that resolves to one of ``protected`` (exact string after
    resolving prefixes, BASE and escapes; ``protected-graph``) and a query (``not-an-update``).

    >>> check_update('INSERT DATA { GRAPH <https://example.org/g> { <http://a> <http://b> 1 } }'
    ...              ' ; DELETE WHERE { ?s ?p ?o }', protected=()).operations
    ('INSERT DATA', 'DELETE WHERE')
    >>> try:
    ...     check_update("CLEAR NAMED", protected=())
    ... except QueryRefusedError as refused:
    ...     print(refused.kind)
    all-graphs
    """
    source = _decode(text)
    scan = _Scan(source, update=True, protected=frozenset(protected))
    scan.run()
    return CheckedUpdate(text=source.decoded, operations=_operations(scan))


_UPDATE_STARTS = frozenset({"LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                            "INSERT", "DELETE", "WITH"})


def _operations(scan: _Scan) -> tuple[str, ...]:  # noqa: C901 - one reading per operation
    """Read the update operation by operation (split on ';' outside brackets)."""
    tokens = scan.tokens
    src = scan.src
    ops: list[str] = []
    i = 0

    def malformed(j: int, what: str, todo: str) -> GuardError:
        return scan.stop(src.malformed(tokens[j][2], what, todo), tokens[j][2])

    def word(j: int) -> str:
        return tokens[j][1] if tokens[j][0] == "w" else ""

    def iri(j: int) -> int:
        if tokens[j][0] not in ("iri", "pn"):
            raise malformed(j, "a graph IRI is missing here", "write <iri> or prefix:name")
        return j + 1

    def graph_or_default(j: int) -> int:
        if word(j) == "DEFAULT":
            return j + 1
        return iri(j + 1 if word(j) == "GRAPH" else j)

    def group(j: int) -> int:
        if tokens[j][0] != "lb":
            raise malformed(j, "a '{' is missing here", "write the data or pattern in {...}")
        depth = tokens[j][3]
        j += 1
        while not (tokens[j][0] == "rb" and tokens[j][3] == depth):
            j += 1
        return j + 1

    def silent(j: int) -> int:
        return j + 1 if word(j) == "SILENT" else j

    while True:
        while word(i) in _DECLARATIONS:
            i += 3 if word(i) == "PREFIX" else 2
        if tokens[i][0] == "end":
            break
        op = word(i)
        if op in _QUERY_FORMS:
            raise scan.stop(src.refused(tokens[i][2], "not-an-update", f"{op} at {{at}} is a "
                                        "query, not an update", "send queries to the query "
                                        "endpoint"), tokens[i][2])
        if op not in _UPDATE_STARTS:
            raise malformed(i, "an update operation must start with INSERT, DELETE, WITH, "
                            "DROP, CLEAR, CREATE, ADD, MOVE or COPY", "check the operation")
        if op == "LOAD":  # refused by the scan already; read on to find later problems
            i = iri(silent(i + 1))
            if word(i) == "INTO":
                i = iri(i + 2 if word(i + 1) == "GRAPH" else i + 1)
        elif op in ("CLEAR", "DROP"):
            i = silent(i + 1)
            target = word(i)
            if target in ("ALL", "NAMED"):
                scan.fail(tokens[i][2], src.refused(
                    tokens[i][2], "all-graphs", f"{op} {target} at {{at}} is not allowed",
                    "it would touch every graph, protected ones included; name the graph "
                    "with GRAPH <iri>"))
                i += 1
            elif target == "DEFAULT":
                i += 1
            elif target == "GRAPH":
                i = iri(i + 1)
            else:
                raise malformed(i, f"{op} needs GRAPH <iri>, DEFAULT, NAMED or ALL",
                                "write e.g. DROP SILENT GRAPH <iri>")
        elif op == "CREATE":
            i = silent(i + 1)
            if word(i) != "GRAPH":
                raise malformed(i, "CREATE needs GRAPH <iri>", "write CREATE GRAPH <iri>")
            i = iri(i + 1)
        elif op in ("ADD", "MOVE", "COPY"):
            i = graph_or_default(silent(i + 1))
            if word(i) != "TO":
                raise malformed(i, f"{op} needs TO", f"write {op} <from> TO <to>")
            i = graph_or_default(i + 1)
        elif op == "INSERT" and word(i + 1) == "DATA":
            op = "INSERT DATA"
            i = group(i + 2)
        elif op == "DELETE" and word(i + 1) in ("DATA", "WHERE"):
            op = f"DELETE {word(i + 1)}"
            i = group(i + 2)
        else:
            if op == "WITH":
                i = iri(i + 1)
            if word(i) == "DELETE":
                i = group(i + 1)
                if word(i) == "INSERT":
                    i = group(i + 1)
            elif word(i) == "INSERT":
                i = group(i + 1)
            else:
                raise malformed(i, "WITH must be followed by DELETE or INSERT",
                                "write WITH <iri> DELETE {...} INSERT {...} WHERE {...}")
            while word(i) == "USING":
                i = iri(i + 2 if word(i + 1) == "NAMED" else i + 1)
            if word(i) != "WHERE":
                raise malformed(i, "DELETE/INSERT templates need a WHERE clause",
                                "add WHERE {...}")
            i = group(i + 1)
            op = "MODIFY"
        ops.append(op)
        if tokens[i][0] == "semi":
            i += 1
        elif tokens[i][0] != "end":
            raise malformed(i, "unexpected text after the operation",
                            "separate operations with ';'")
    if scan.problems:
        raise min(scan.problems, key=lambda p: p[0])[1]
    return tuple(ops)
