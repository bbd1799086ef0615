"""Anchors of the audit log, kept in the store's meta graph, outside the log's folder.

Whoever can rewrite the audit folder can delete the log and its head together, or cut the
log and put back an older head: nothing left in the folder shows it. An anchor ("record
``seq`` has MAC ``mac``", signed with the audit key) kept in the store does: ``verify``
fails when the log no longer holds the anchored record. Anchors are not personal data
(a sequence number, two keyed digests and a time), so the meta graph may hold them.
"""

from __future__ import annotations

import re
from datetime import datetime

from graph_service.policy.audit import Anchor, AuditLog, time_text
from graph_service.policy.errors import AuditChainError, PolicyError
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import META_GRAPH

TYO = "https://tyodata.fi/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ANCHOR_CLASS = TYO + "AuditAnchor"
ANCHOR_NS = "https://tyodata.fi/id/audit-anchor/"
_DIGEST = re.compile(r"[cbdefghijklnrtuv]{64}")

_LATEST = """
SELECT ?seq ?mac ?time ?signature WHERE {
  GRAPH <%(meta)s> {
    ?anchor a <%(cls)s> ; <%(tyo)sauditSeq> ?seq ; <%(tyo)sauditMac> ?mac ;
            <%(tyo)sanchoredAt> ?time ; <%(tyo)sanchorSignature> ?signature
  }
} ORDER BY DESC(?seq) DESC(?time) LIMIT 1
"""


def record_anchor(store: GraphStore, anchor: Anchor) -> str:
    """Insert ``anchor`` into the meta graph (one transaction); returns its IRI."""
    if not (isinstance(anchor.seq, int) and anchor.seq >= 0
            and _DIGEST.fullmatch(anchor.mac) and _DIGEST.fullmatch(anchor.signature)):
        raise PolicyError("not an audit anchor: seq must be a count, mac and signature "
                          "64 modhex characters")  # also keeps the update free of injection
    iri = ANCHOR_NS + anchor.signature[:32]
    store.update(
        """INSERT DATA { GRAPH <%(meta)s> {
  <%(iri)s> a <%(cls)s> ;
    <%(tyo)sauditSeq> "%(seq)d"^^<%(xsd)sinteger> ;
    <%(tyo)sauditMac> "%(mac)s" ;
    <%(tyo)sanchoredAt> "%(time)s"^^<%(xsd)sdateTime> ;
    <%(tyo)sanchorSignature> "%(signature)s" .
} }""" % {"meta": META_GRAPH, "iri": iri, "cls": ANCHOR_CLASS, "tyo": TYO, "xsd": XSD,
          "seq": anchor.seq, "mac": anchor.mac, "time": time_text(anchor.time),
          "signature": anchor.signature})
    return iri


def latest_anchor(store: GraphStore) -> Anchor | None:
    """The anchor with the highest seq in the meta graph, or None. Its signature is not
    checked here (that needs the key): ``AuditLog.verify(anchor)`` does, and fails on a
    forged one."""
    table = store.select(_LATEST % {"meta": META_GRAPH, "cls": ANCHOR_CLASS, "tyo": TYO},
                         dataset=Dataset(named=(META_GRAPH,)))
    if not table.rows:
        return None
    seq, mac, when, signature = table.rows[0]
    try:
        # Stores rewrite xsd:dateTime (e.g. +00:00 as Z): the signature covers the instant.
        return Anchor(int(str(seq)), str(mac), datetime.fromisoformat(str(when)),
                      str(signature))
    except (TypeError, ValueError):
        raise AuditChainError("the latest audit anchor in the store is malformed") from None


def anchor_log(store: GraphStore, log: AuditLog) -> Anchor:
    """Sign the log's current head and keep the anchor in the store (e.g. every minute
    while records come in, and at shutdown)."""
    anchor = log.anchor()
    record_anchor(store, anchor)
    return anchor
