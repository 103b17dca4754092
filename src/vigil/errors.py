"""One error tree for Vigil.

::

    VigilError                      base of everything Vigil raises on purpose
    ├── InvalidInput (ValueError)   data from outside is wrong; names the field (and line, when known)
    │   ├── InvalidEvent            an event that cannot be decided (bad JSON, unknown type, bad field)
    │   ├── InvalidRules            a rule file that does not load (names the file, rule and field)
    │   ├── InvalidRecord           a row of a data file (evaluation inputs) is wrong (names file and line)
    │   ├── InvalidAddress          a crypto address that does not parse or fails its checksum (names chain)
    │   ├── InvalidProof            a claim's proof that proves nothing: forged, replayed or malformed
    │   ├── UnsupportedProof        a proof Vigil cannot check (a chain without message signing, BIP-322)
    │   ├── InvalidListFile         a list file that cannot be read at all: the snapshot is refused
    │   ├── WeakPassword            a password that does not meet the policy
    │   ├── TooLarge                a request or file over a stated limit
    │   └── UnsupportedMediaType    a body in a format other than the one expected (JSON)
    ├── AccessDenied                a caller who may not do this
    │   ├── NotAuthenticated        no credentials, or credentials that are wrong, expired or revoked
    │   ├── Forbidden               valid credentials without a role the action admits
    │   └── TooManyAttempts         sign-in refused for now (rate limit, backoff, lockout): retry_after
    ├── NotFound                    a named thing (decision, key, user) does not exist
    │   └── UnknownBlock            a block height or hash the chain node does not have
    ├── Conflict                    the request contradicts what is stored
    │   ├── EventIdReused           an event id already decided for a different event
    │   └── NotVerified             an authority's request not verified yet: nothing leaves or is frozen
    ├── NotReady                    what the request needs is not set up yet (no list imported)
    ├── ConfigError                 settings or wiring that cannot work (missing file, bad path)
    │   ├── ClusterMismatch         a worker whose catalog, rules, partitions or lag differ from its peers'
    │   └── ChainAuthFailed         a chain node refused the RPC credentials
    └── StorageError                a port adapter failed to read or write durably
        ├── BusUnavailable          the event bus (NATS) is unreachable: nothing was accepted
        ├── DecisionTimeout         the event is in the log but no worker answered in time
        ├── NotifyError             a notification channel failed (webhook refused, SMTP down)
        ├── ChainUnavailable        a chain node is down, slower than its timeout, or keeps reorganising
        │   └── MalformedChainAnswer    a chain node answered something its protocol does not say
        └── SnapshotRefused         a snapshot the engine cannot start from (another catalog, corrupt,
                                    past the journal's end): it is logged and the journal replayed in full

The domain never speaks HTTP: the API layer maps these to statuses in one table.
"""

from __future__ import annotations


class VigilError(Exception):
    """Base class of every error Vigil raises on purpose."""


class InvalidInput(VigilError, ValueError):
    """Input from outside Vigil is malformed; ``field`` names what is wrong."""

    def __init__(self, message: str, *, field: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.field = field
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def at_line(self, line: int) -> InvalidInput:
        """A copy of this error that also names the input line."""
        return type(self)(self.message, field=self.field, line=line)


class ArtifactMismatch(InvalidInput):
    """A model artifact that cannot serve this engine: another feature catalog, format or input columns."""


class InvalidEvent(InvalidInput):
    """An event that cannot be decided: bad JSON, unknown type, a missing or mistyped field."""


class InvalidRules(InvalidInput):
    """A rule file that does not load; the message names the file, the rule and the field."""

    def __init__(self, message: str, *, file: str, rule: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.rule = rule
        super().__init__(message, field=field)

    def _render(self) -> str:
        where = [self.file]
        if self.rule is not None:
            where.append(f"rule {self.rule!r}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"

    def at_line(self, line: int) -> InvalidInput:
        return InvalidInput(str(self), field=self.field, line=line)


class InvalidRecord(InvalidInput):
    """A row of a data file is wrong, or two files disagree; names the file and the line."""

    def __init__(self, message: str, *, file: str, line: int | None = None, field: str | None = None) -> None:
        self.file = file
        super().__init__(message, field=field, line=line)

    def _render(self) -> str:
        where = self.file if self.line is None else f"{self.file} line {self.line}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"

    def at_line(self, line: int) -> InvalidInput:
        return InvalidRecord(self.message, file=self.file, line=line, field=self.field)


class InvalidProof(InvalidInput):
    """A recovery claim's proof that does not prove it: a forged, replayed or malformed signature, or
    withdrawal evidence that disagrees with the deposit (docs/recovery.md)."""


class UnsupportedProof(InvalidInput):
    """A proof Vigil cannot check: a chain without a message-signing scheme here, or BIP-322."""


class InvalidAddress(InvalidInput):
    """A crypto address that is not valid on its chain: wrong alphabet, length, prefix or checksum."""

    def __init__(self, message: str, *, chain: str, address: str, field: str | None = None) -> None:
        self.chain = chain
        self.address = address
        super().__init__(message, field=field)

    def _render(self) -> str:
        where = f"field {self.field!r}: " if self.field is not None else ""
        return f"{where}{self.chain} address {self.address!r}: {self.message}"

    def at_line(self, line: int) -> InvalidInput:
        return InvalidRecord(str(self), file="-", line=line, field=self.field)


class InvalidListFile(InvalidInput):
    """A list file as a whole is unreadable (not CSV/JSON/YAML/XML, a required file or column missing).

    The import refuses the snapshot and the previous one stays in force. A single broken row is not
    this error: it is reported as a ``RowError`` and skipped.
    """

    def __init__(self, message: str, *, file: str) -> None:
        self.file = file
        super().__init__(message)

    def _render(self) -> str:
        return f"{self.file}: {self.message}"


class WeakPassword(InvalidInput):
    """A password that does not meet the policy (length); the message says what is required."""


class TooLarge(InvalidInput):
    """A request or file over a stated limit (bytes, items); the message gives the limit."""


class UnsupportedMediaType(InvalidInput):
    """A body in another format than the one expected (a form where JSON is read); names the format."""


class AccessDenied(VigilError):
    """The caller may not do this."""


class NotAuthenticated(AccessDenied):
    """No credentials, or credentials that are wrong, expired or revoked (never says which)."""


class Forbidden(AccessDenied):
    """Valid credentials, but none of the roles the action admits."""


class TooManyAttempts(AccessDenied):
    """Sign-in refused without checking the password: too many failures (backoff or lockout), or too
    many sign-ins at once; or an appeal filed too soon after the last. ``retry_after`` is the whole
    seconds to wait."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class NotFound(VigilError):
    """A thing the request names does not exist."""


class UnknownBlock(NotFound):
    """A block height above the tip (or below 0) or a block hash the chain node does not know."""


class Conflict(VigilError):
    """The request contradicts what is stored, for example an event id reused for another event."""


class EventIdReused(Conflict):
    """An event id already decided for a different event (another account, type or any field): a
    retry must send the same event, a new event needs a new id."""


class NotVerified(Conflict):
    """A request from an authority that a person has not verified: no data leaves and no freeze runs
    for it until one does (docs/ler.md)."""


class NotReady(VigilError):
    """What the request needs is not set up yet, for example no screening list has been imported."""


class ConfigError(VigilError):
    """Settings or wiring that cannot work (a missing file, an unreadable database)."""


class ClusterMismatch(ConfigError):
    """A worker (or server) whose feature catalog, rules, partitions or flag lag are not those its
    cluster recorded when it was formed: it is refused, since its decisions would differ from its
    peers'. The message names each difference."""


class ChainAuthFailed(ConfigError):
    """A chain node refused the RPC credentials (HTTP 401/403): the message names the node."""


class StorageError(VigilError):
    """A storage adapter failed to read or write durably."""


class BusUnavailable(StorageError):
    """The event bus (NATS JetStream) could not be reached or did not accept the event in time:
    nothing was acknowledged, retry later (with the same event id)."""


class DecisionTimeout(StorageError):
    """The event bus accepted the event but no worker answered in time (its partition may have no
    owner right now). The event will be decided; a retry with the same event id gets its decision."""


class NotifyError(StorageError):
    """A notification channel failed to deliver a notice (webhook refused or silent, SMTP down).

    The message names the channel and why (status, reason, timeout). Callers that must not stop on a
    broken channel (the desk escalating a case) catch this one type and record it.
    """


class SnapshotRefused(StorageError):
    """A snapshot of the engine's state that cannot be used: written for another feature catalog or
    release, corrupt or truncated, or reflecting a journal position this journal does not hold.

    The message says why. Start-up logs it and replays the journal in full instead (never crashes,
    never serves state the journal does not back).
    """


class ChainUnavailable(StorageError):
    """A chain node could not answer: down (connection refused), slower than the timeout, or its chain
    kept reorganising while it was read. The message names the node and what happened; exposure is
    then unknown, never assumed clean."""


class MalformedChainAnswer(ChainUnavailable):
    """A chain node answered something the protocol does not say (not JSON, a missing field, a value
    that is not an amount): the message names the method and what is wrong."""
