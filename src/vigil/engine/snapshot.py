"""Snapshots of the engine's state: start from one and replay only the journal's tail.

A snapshot holds what the engine learned from its journal (the catalog's windows, statistics and
first-seen maps per entity, the entity graph with its flags, the digests of the event ids held) and
the journal position it reflects. ``resume`` starts an engine from the newest snapshot that fits and
replays the records after its position; a snapshot that does not fit is refused with a log line
saying why, and when none fits the whole journal is replayed. Snapshot plus tail equals a full replay,
digest for digest (``tests/test_snapshot.py``). docs/operations.md, "Snapshots", is the operator's view.

Layout (format 3; format 1 kept one object per feature and entity and had no "sequence" and "flags",
the lagged flags of ``Engine``; format 2 was written by two lines of work, each with one of the two)::

    bytes 0-7       magic b"VIGILSNP"
    bytes 8-11      length of the header, big-endian
    bytes 12-4095   the header: JSON, padded with spaces
    bytes 4096-     the payload: a pickle (protocol 5) of
                    {"tables", "graph", "idle", "known", "sequence", "flags", "freezes"}

The header says what the payload is for: ``format``, ``vigil`` (the release that wrote it: state
layouts may change between releases), ``catalog`` (``Catalog.hash``), ``graph``, ``rules`` (the rule
version, for the record only: rules read state, they never change it), ``position`` and ``anchor``
(the journal position the state reflects and the event id of the record there; for a partitioned
worker, the stream sequence and its event id), ``cursor`` (a worker's position in its peers' feed of
decisions, 0 otherwise), ``events`` (event ids known), ``created_at``, ``payload_bytes`` and
``payload_sha256``.

Pickle, because the state is millions of small Python objects and pickle is the fastest way back to
them (the statistics and windows pickle as a restore function and a tuple, a third faster to load than
the default). A snapshot is a local file Vigil wrote itself, not an interchange format: never load one
from elsewhere. The checksum guards against corruption, not against whoever can write the file; the
loader also admits only the classes engine state is made of (``_StateUnpickler``), as defence in depth.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import logging
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from time import perf_counter
from typing import IO, Any, BinaryIO

import numpy as np

from vigil.engine.decide import Engine, EngineState, Replayed
from vigil.engine.known import KnownIds
from vigil.errors import SnapshotRefused, StorageError
from vigil.features import CatalogState
from vigil.features.idle import Idle
from vigil.graph import EntityGraph
from vigil.ports import EventStore, SnapshotStore
from vigil.version import __version__

log = logging.getLogger("vigil.engine")

FORMAT = 3  # bump when the layout or the payload's shape changes (3: compact rows, eviction, flags, freezes)
# Why an older format is refused (it is never read: the journal is replayed instead).
_OLDER = {
    1: "one object per feature and entity, no flag sequence",
    2: "compact feature rows without the workers' flag sequence, or the sequence without compact rows",
}
MAGIC = b"VIGILSNP"
HEADER_SPACE = 4096
PROTOCOL = 5


@dataclass(frozen=True, slots=True)
class Header:
    format: int
    vigil: str
    catalog: str
    graph: bool
    rules: str
    position: int
    anchor: str
    cursor: int
    events: int
    created_at: str
    payload_bytes: int
    payload_sha256: str


@dataclass(frozen=True, slots=True)
class Saved:
    """A snapshot written: its name in the store, the journal position it reflects, its size."""

    name: str
    position: int
    events: int
    size: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Resumed:
    """How an engine started: from which snapshot (None: a full replay), how many journal records it
    replayed after it, the position its state now reflects (and that record's event id), the snapshots
    refused and why, and how long it took."""

    snapshot: str | None
    replayed: int
    position: int
    anchor: str
    refused: tuple[str, ...]
    seconds: float

    def describe(self) -> str:
        """One line for people (the CLI, logs)."""
        if self.snapshot is None:
            how = f"full replay of {self.replayed:,} journal records"
        else:
            how = f"snapshot {self.snapshot} + a tail of {self.replayed:,} journal records"
        return f"{how} in {self.seconds:.2f} s (journal position {self.position:,})"


# -- writing ------------------------------------------------------------------------------------------


class _Hashing:
    """A write-only file that hashes and counts what goes through it (pickle writes in 64 KB frames, and
    hands over large buffers, a ``PickleBuffer``, as they are)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += memoryview(data).nbytes
        return self.out.write(data)


def event_at(journal: EventStore, position: int) -> str | None:
    """The event id of the journal's record at ``position`` (None when there is none)."""
    records = journal.tail(position - 1)
    try:
        record = next(records, None)
    finally:
        close = getattr(records, "close", None)
        if close is not None:  # a generator over a database cursor: release it now
            close()
    return record[1].event_id if record is not None and record[0] == position else None


def journal_end(journal: EventStore) -> tuple[int, str]:
    """The journal's last position and the event id recorded there (0, "" when empty)."""
    position = journal.position()
    if position == 0:
        return 0, ""
    event_id = event_at(journal, position)
    if event_id is None:
        raise StorageError(f"the journal reports position {position} but holds no record there")
    return position, event_id


def write(engine: Engine, out: BinaryIO, position: int, anchor: str, cursor: int = 0) -> Header:
    """Write the engine's state as a snapshot reflecting journal ``position`` (whose record is event
    ``anchor``) to ``out`` (seekable, empty). The caller makes sure the state is the journal's up to there:
    right after a successful commit, or ``resume``'s result."""
    state = engine.state()
    known = state.known.array()
    out.write(b"\0" * HEADER_SPACE)  # the header goes here once the payload's digest is known
    hashing = _Hashing(out)
    with _collector_paused():
        pickle.Pickler(hashing, protocol=PROTOCOL).dump(
            {
                "tables": state.catalog.tables,
                "graph": state.catalog.graph,
                "idle": state.catalog.idle,
                "known": known,
                "sequence": state.sequence,
                "flags": state.flags,
                "freezes": state.freezes,
            }
        )
    header = Header(
        format=FORMAT,
        vigil=__version__,
        catalog=engine.catalog.hash,
        graph=state.catalog.graph is not None,
        rules=engine.rules.version,
        position=position,
        anchor=anchor,
        cursor=cursor,
        events=len(known),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        payload_bytes=hashing.size,
        payload_sha256=hashing.sha.hexdigest(),
    )
    text = json.dumps(asdict(header), separators=(",", ":")).encode()
    if len(text) > HEADER_SPACE - 12:
        raise ValueError(f"snapshot header of {len(text)} bytes does not fit in {HEADER_SPACE}")
    out.seek(0)
    out.write(MAGIC + len(text).to_bytes(4, "big") + text.ljust(HEADER_SPACE - 12))
    return header


def save(engine: Engine, store: SnapshotStore, position: int, anchor: str, cursor: int = 0) -> Saved:
    """``write`` into a new snapshot of ``store`` (atomic: whole or not at all; the oldest pruned)."""
    start = perf_counter()
    written: list[Header] = []
    name = store.save(lambda out: written.append(write(engine, out, position, anchor, cursor)))
    header = written[0]
    return Saved(name, position, header.events, HEADER_SPACE + header.payload_bytes, perf_counter() - start)


# -- reading ------------------------------------------------------------------------------------------

_STATE_MODULES = ("vigil.features.", "vigil.graph.")
_OTHERS = {  # what else state is made of: the digests' array, the containers
    "numpy": frozenset({"dtype", "ndarray", "_frombuffer", "_reconstruct"}),
    "builtins": frozenset({"set", "frozenset", "dict", "list", "tuple", "int", "float", "str", "bytes"}),
    "collections": frozenset({"deque"}),
    "array": frozenset({"array", "_array_reconstructor"}),
}


class _StateUnpickler(pickle.Unpickler):
    """Admits only the classes engine state is made of: a payload naming anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith(_STATE_MODULES) or name in _OTHERS.get(module.partition(".")[0], ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"it names {module}.{name}, which is not engine state")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Millions of objects are made or walked at once: the cyclic collector would rescan them all."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_header(head: bytes) -> Header:
    """The header of a snapshot whose first ``HEADER_SPACE`` bytes are ``head``; ``SnapshotRefused``
    when they are not one."""
    if len(head) < HEADER_SPACE:
        raise SnapshotRefused(f"truncated: {len(head)} bytes, shorter than a snapshot's header")
    if head[:8] != MAGIC:
        raise SnapshotRefused("not a Vigil snapshot (no VIGILSNP magic)")
    length = int.from_bytes(head[8:12], "big")
    try:
        if length > HEADER_SPACE - 12:
            raise ValueError(f"header length {length}")
        values = json.loads(head[12 : 12 + length])
        if not isinstance(values, dict):
            raise TypeError("the header is not a JSON object")
        found = values.get("format")
        if found != FORMAT:
            older = _OLDER.get(found) if isinstance(found, int) else None
            raise SnapshotRefused(
                f"snapshot format {found!r}; this release reads format {FORMAT}"
                + (f" (format {found} held {older})" if older else "")
            )
        header = Header(**values)
        for field in fields(Header):
            if type(getattr(header, field.name)).__name__ != field.type:
                raise TypeError(f"{field.name} is not {field.type}")
        if header.position < 0 or header.payload_bytes < 0 or header.events < 0:
            raise ValueError("a negative position or size")
    except (ValueError, TypeError) as exc:
        raise SnapshotRefused(f"corrupt header ({exc})") from None
    return header


def _check(header: Header, engine: Engine) -> None:
    _check_versions(header, engine)
    _check_journal(header, engine)


def _check_versions(header: Header, engine: Engine) -> None:
    if header.vigil != __version__:
        raise SnapshotRefused(
            f"written by Vigil {header.vigil}, this is {__version__}"
            " (the state's layout may differ between releases)"
        )
    if header.catalog != engine.catalog.hash:
        raise SnapshotRefused(
            f"made for feature catalog {header.catalog}, the engine runs catalog {engine.catalog.hash}"
            " (features or graph settings changed)"
        )


def _check_journal(header: Header, engine: Engine) -> None:
    end = engine.journal.position()
    if header.position > end:
        raise SnapshotRefused(
            f"it reflects journal position {header.position:,}, past this journal's end ({end:,}):"
            " a database restored from before the snapshot, or another database"
        )
    if header.position > 0:
        found = event_at(engine.journal, header.position)
        if found != header.anchor:
            raise SnapshotRefused(
                f"the journal holds {'no record' if found is None else repr(found)} at position"
                f" {header.position:,} where the snapshot's state ends with event {header.anchor!r}:"
                " a snapshot of another database"
            )


def _payload(f: IO[bytes], header: Header) -> EngineState:
    payload = f.read(header.payload_bytes + 1)
    if len(payload) != header.payload_bytes:
        raise SnapshotRefused(
            f"{'truncated' if len(payload) < header.payload_bytes else 'corrupt'}: the payload has"
            f" {len(payload):,} bytes{'' if len(payload) <= header.payload_bytes else ' or more'}, the header"
            f" says {header.payload_bytes:,}"
        )
    if hashlib.sha256(payload).hexdigest() != header.payload_sha256:
        raise SnapshotRefused("corrupt: the payload's SHA-256 is not the header's")
    try:
        with _collector_paused():
            data = _StateUnpickler(io.BytesIO(payload)).load()
        del payload
        tables, graph, idle, known = data["tables"], data["graph"], data["idle"], data["known"]
        sequence, flags, freezes = data["sequence"], data["flags"], data["freezes"]
        if not isinstance(sequence, int) or not isinstance(flags, list) or not isinstance(freezes, dict):
            raise TypeError("the payload's sequence, flags or freezes are not an int, a list and a dict")
        if not isinstance(tables, dict) or not (graph is None or isinstance(graph, EntityGraph)):
            raise TypeError("the payload is not a catalog's state")
        if not isinstance(known, np.ndarray) or known.dtype != np.uint64 or known.ndim != 1:
            raise TypeError("the payload's event-id digests are not an array of uint64")
        if not (idle is None or isinstance(idle, Idle)):
            raise TypeError("the payload's eviction queue is not one")
        state = EngineState(CatalogState(tables, graph, idle), KnownIds(known), sequence, flags, freezes)
    except Exception as exc:  # noqa: BLE001 - a payload past its checksum that still fails: whatever pickle raises
        raise SnapshotRefused(f"unreadable payload ({type(exc).__name__}: {exc})") from None
    # The state lives as long as the process: keep the cyclic collector from scanning it (a full scan
    # costs about 2 µs per journalled event, and one would come soon after millions of new objects).
    # ``bootstrap.tune_gc`` does the same for the whole heap once the server has started.
    gc.freeze()
    return state


def load(engine: Engine, store: SnapshotStore, name: str) -> tuple[Header, Replayed]:
    """Start ``engine`` from snapshot ``name`` and replay the journal's tail after it. ``SnapshotRefused``
    says why it does not fit; the engine is then unchanged."""
    try:
        f = store.open(name)
    except StorageError as exc:
        raise SnapshotRefused(str(exc)) from None
    with f:
        header = read_header(f.read(HEADER_SPACE))
        _check(header, engine)
        state = _payload(f, header)
    try:
        engine.restore(state)
    except ValueError as exc:
        raise SnapshotRefused(f"its state does not fit this catalog ({exc})") from None
    return header, engine.replay(header.position)


def resume(engine: Engine, store: SnapshotStore | None) -> Resumed:
    """Start ``engine`` from the newest snapshot of ``store`` that fits, plus the journal's tail; when
    none does (or there is no store), replay the whole journal. Each refusal is logged with its reason."""
    start = perf_counter()
    refused: list[str] = []
    try:
        names = store.names() if store is not None else []
    except StorageError as exc:
        refused.append(str(exc))
        log.warning("snapshots not read: %s", exc)
        names = []
    for name in names:
        assert store is not None
        try:
            header, tail = load(engine, store, name)
        except SnapshotRefused as exc:
            refused.append(f"{name}: {exc}")
            log.warning(
                "snapshot %s refused: %s",
                name,
                exc,
                extra={"fields": {"snapshot": name, "where": store.where, "why": str(exc)}},
            )
            continue
        position, anchor = (
            (tail.position, tail.event_id) if tail.records else (header.position, header.anchor)
        )
        return Resumed(name, tail.records, position, anchor, tuple(refused), perf_counter() - start)
    if refused:
        log.warning("no snapshot fits: replaying the whole journal")
    replayed = engine.replay_all()
    return Resumed(
        None, replayed.records, replayed.position, replayed.event_id, tuple(refused), perf_counter() - start
    )


def restore_newest(engine: Engine, store: SnapshotStore) -> Header | None:
    """A partitioned worker's start: take over the newest snapshot of ``store`` of this release and
    catalog (its ``position`` is a stream sequence, not a journal position: the worker reads its log
    from there); None, the engine unchanged, when none fits (each refusal logged)."""
    try:
        names = store.names()
    except StorageError as exc:
        log.warning("snapshots not read: %s", exc)
        return None
    for name in names:
        try:
            with store.open(name) as f:
                header = read_header(f.read(HEADER_SPACE))
                _check_versions(header, engine)
                state = _payload(f, header)
            engine.restore(state)
        except (SnapshotRefused, StorageError, ValueError) as exc:
            log.warning("snapshot %s refused: %s", name, exc)
            continue
        return header
    return None
