"""``ChainSource`` over Bitcoin Core's JSON-RPC, which litecoind (and other forks) speak.

Reads the best chain with ``getblockchaininfo``, ``getblockhash`` and ``getblock <hash> 2``; inputs
are resolved to the address and value they spend with ``getrawtransaction <txid> true`` (the node
needs ``-txindex``), batched in one request per block and remembered in a bounded cache of recent
transactions' outputs. Plain HTTP with the standard library: no dependency for one POST.

Every failure names the node and what is wrong (errors.py): ``ChainUnavailable`` when it is down or
slower than ``timeout``, ``ChainAuthFailed`` when it refuses the credentials, ``UnknownBlock`` for a
height or hash it does not have, ``MalformedChainAnswer`` for anything its protocol does not say.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.request
from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from vigil.chain.blocks import Block, BlockRef, Outpoint, Transaction, TxInput, TxOutput
from vigil.errors import ChainAuthFailed, ChainUnavailable, MalformedChainAnswer, UnknownBlock

# Bitcoin Core's RPC error codes that mean "no such block" (rpc/protocol.h).
_INVALID_ADDRESS_OR_KEY = -5  # "Block not found"
_INVALID_PARAMETER = -8  # "Block height out of range"
_Outputs = tuple[tuple[str | None, int], ...]


class UtxoRpc:
    """A node's JSON-RPC at ``url`` (``http://host:port``), with a per-request ``timeout`` in seconds."""

    def __init__(
        self,
        url: str,
        *,
        user: str,
        password: str,
        timeout: float = 10.0,
        decimals: int = 8,
        cache_size: int = 200_000,
        name: str = "chain node",
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the RPC url must be http(s)://host:port, not {url!r}")
        self.url = url
        self.name = f"{name} at {parts.scheme}://{parts.hostname}:{parts.port or 80}"
        self.timeout = timeout
        self._unit = Decimal(10) ** decimals
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self._cache: OrderedDict[str, _Outputs] = OrderedDict()
        self._cache_size = cache_size
        self._ids = 0

    # -- ChainSource ------------------------------------------------------------------------------

    def tip(self) -> BlockRef:
        where = f"{self.name}: getblockchaininfo"
        info = _dict(self.call("getblockchaininfo"), where)
        return BlockRef(_int(info, "blocks", where), _hash(info, "bestblockhash", where))

    def block_hash(self, height: int) -> str:
        if height < 0:
            raise UnknownBlock(f"{self.name} has no block at height {height}")
        answer = self.call("getblockhash", height)
        if not isinstance(answer, str) or not _is_hash(answer):
            raise MalformedChainAnswer(
                f"{self.name}: getblockhash {height} answered {answer!r}, not a block hash"
            )
        return answer

    def block(self, block_hash: str) -> Block:
        if not _is_hash(block_hash):
            raise UnknownBlock(f"{block_hash!r} is not a block hash")
        method = f"{self.name}: getblock {block_hash}"
        raw = _dict(self.call("getblock", block_hash, 2), method)
        txs = raw.get("tx")
        if not isinstance(txs, list):
            raise MalformedChainAnswer(f"{method} has no transaction list")
        parsed = [self._transaction(_dict(t, method), method) for t in txs]
        outputs = {txid: outs for txid, _, outs in parsed}
        self._resolve(
            {p.txid for _, ins, _ in parsed for p in ins if p is not None and p.txid not in outputs}
        )
        transactions = []
        for txid, ins, outs in parsed:
            inputs = []
            for prevout in ins:
                if prevout is None:
                    inputs.append(TxInput(None, None, 0))
                    continue
                spent = outputs.get(prevout.txid) or self._cache.get(prevout.txid)
                if spent is None or not 0 <= prevout.vout < len(spent):
                    raise MalformedChainAnswer(
                        f"{method}: input {prevout} spends an output the node did not give"
                    )
                address, value = spent[prevout.vout]
                inputs.append(TxInput(prevout, address, value))
            transactions.append(
                Transaction(txid, tuple(inputs), tuple(TxOutput(n, a, v) for n, (a, v) in enumerate(outs)))
            )
        for txid, _, outs in parsed:
            self._remember(txid, outs)
        previous = raw.get("previousblockhash")
        if previous is not None and (not isinstance(previous, str) or not _is_hash(previous)):
            raise MalformedChainAnswer(f"{method}: previousblockhash is {previous!r}")
        answered = _hash(raw, "hash", method)
        if answered != block_hash.lower():
            raise MalformedChainAnswer(f"{method} answered block {answered}")
        return Block(_int(raw, "height", method), answered, previous, tuple(transactions))

    # -- JSON-RPC ---------------------------------------------------------------------------------

    def call(self, method: str, *params: Any) -> Any:
        """One RPC call; its ``result``, or the error mapped into Vigil's tree."""
        self._ids += 1
        return self._result(
            self._post({"jsonrpc": "1.0", "id": self._ids, "method": method, "params": list(params)}),
            method,
            params,
        )

    def batch(self, method: str, params: list[list[Any]]) -> list[Any]:
        """The same method with each parameter list, in one HTTP request; results in order."""
        if not params:
            return []
        first = self._ids + 1
        self._ids += len(params)
        body = [
            {"jsonrpc": "1.0", "id": first + i, "method": method, "params": p} for i, p in enumerate(params)
        ]
        answer = self._post(body)
        if not isinstance(answer, list) or len(answer) != len(params):
            raise MalformedChainAnswer(
                f"{self.name}: a batch of {len(params)} {method} calls got {type(answer).__name__} back"
            )
        by_id = {item.get("id"): item for item in answer if isinstance(item, dict)}
        results = []
        for i, p in enumerate(params):
            item = by_id.get(first + i)
            if item is None:
                raise MalformedChainAnswer(f"{self.name}: the batch answer misses {method} {p}")
            results.append(self._result(item, method, tuple(p)))
        return results

    def _post(self, body: object) -> Any:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": self._auth},
            method="POST",
        )
        what = _describe(body)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read()
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise ChainAuthFailed(
                    f"{self.name} refused the RPC credentials (HTTP {error.code})"
                ) from None
            data = error.read()
            try:  # Bitcoin Core answers RPC errors with HTTP 500 (404: no such method) and a JSON body
                return json.loads(data, parse_float=Decimal)
            except ValueError:
                raise ChainUnavailable(f"{self.name} answered HTTP {error.code} to {what}") from None
        except TimeoutError:
            raise ChainUnavailable(
                f"{self.name} did not answer {what} within {self.timeout:g} s (slow or stuck)"
            ) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise ChainUnavailable(
                    f"{self.name} did not answer {what} within {self.timeout:g} s (slow or stuck)"
                ) from None
            raise ChainUnavailable(f"{self.name} is down or unreachable: {reason}") from None
        except (OSError, http.client.HTTPException) as error:  # reset, or closed mid-answer (IncompleteRead)
            raise ChainUnavailable(
                f"{self.name} dropped the connection during {what}: {type(error).__name__} {error}"
            ) from None
        try:
            return json.loads(data, parse_float=Decimal)
        except ValueError:
            raise MalformedChainAnswer(
                f"{self.name} answered {what} with something that is not JSON: {data[:80]!r}"
            ) from None

    def _result(self, answer: Any, method: str, params: tuple[Any, ...]) -> Any:
        if not isinstance(answer, dict) or ("result" not in answer and "error" not in answer):
            raise MalformedChainAnswer(
                f"{self.name}: {method} answered {str(answer)[:80]!r}, not a JSON-RPC reply"
            )
        error = answer.get("error")
        if error is None:
            return answer.get("result")
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
        if method in ("getblockhash", "getblock") and code in (_INVALID_ADDRESS_OR_KEY, _INVALID_PARAMETER):
            raise UnknownBlock(f"{self.name} has no block {params[0]}: {message}")
        if code == -28:  # RPC_IN_WARMUP
            raise ChainUnavailable(f"{self.name} is starting up: {message}")
        raise MalformedChainAnswer(f"{self.name}: {method} failed with error {code}: {message}")

    # -- parsing and the output cache -------------------------------------------------------------

    def _transaction(self, raw: dict[str, Any], method: str) -> tuple[str, list[Outpoint | None], _Outputs]:
        txid = _hash(raw, "txid", method)
        where = f"{method} tx {txid}"
        vin, vout = raw.get("vin"), raw.get("vout")
        if not isinstance(vin, list) or not isinstance(vout, list):
            raise MalformedChainAnswer(f"{where} has no vin or vout list")
        inputs: list[Outpoint | None] = []
        for item in vin:
            item = _dict(item, where)
            if "coinbase" in item:
                inputs.append(None)
            else:
                inputs.append(Outpoint(_hash(item, "txid", where), _int(item, "vout", where)))
        outputs = []
        for n, item in enumerate(vout):
            item = _dict(item, where)
            if _int(item, "n", where) != n:
                raise MalformedChainAnswer(f"{where}: outputs are not numbered in order")
            outputs.append((_address(item), self._amount(item.get("value"), where)))
        return txid, inputs, tuple(outputs)

    def _amount(self, value: object, where: str) -> int:
        try:
            if isinstance(value, bool) or not isinstance(value, Decimal | int):
                raise InvalidOperation
            units = Decimal(value) * self._unit
            if units != units.to_integral_value() or units < 0:
                raise InvalidOperation
        except InvalidOperation:
            raise MalformedChainAnswer(f"{where}: {value!r} is not an amount") from None
        return int(units)

    def _resolve(self, txids: set[str]) -> None:
        missing = sorted(t for t in txids if t not in self._cache)
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            for txid, raw in zip(
                chunk, self.batch("getrawtransaction", [[t, True] for t in chunk]), strict=True
            ):
                parsed_txid, _, outputs = self._transaction(
                    _dict(raw, f"{self.name}: getrawtransaction {txid}"), f"{self.name}: getrawtransaction"
                )
                if parsed_txid != txid:
                    raise MalformedChainAnswer(
                        f"{self.name}: getrawtransaction {txid} answered {parsed_txid}"
                    )
                self._remember(txid, outputs)

    def _remember(self, txid: str, outputs: _Outputs) -> None:
        self._cache[txid] = outputs
        self._cache.move_to_end(txid)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _describe(body: object) -> str:
    """The method a request calls, for messages: ``getblock``, or ``a batch of 3 getrawtransaction``."""
    if isinstance(body, dict):
        return str(body.get("method"))
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return f"a batch of {len(body)} {body[0].get('method')}"
    return "a request"


def _is_hash(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text)


def _dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedChainAnswer(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def _int(raw: dict[str, Any], key: str, where: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedChainAnswer(f"{where}: {key} is {value!r}, not a non-negative integer")
    return value


def _hash(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not _is_hash(value):
        raise MalformedChainAnswer(f"{where}: {key} is {value!r}, not a 64-digit hex hash")
    return value.lower()


def _address(output: dict[str, Any]) -> str | None:
    """The output's single address (``address``, or the older one-element ``addresses``), else None."""
    script = output.get("scriptPubKey")
    if not isinstance(script, dict):
        return None
    address = script.get("address")
    if isinstance(address, str):
        return address
    addresses = script.get("addresses")
    if isinstance(addresses, list) and len(addresses) == 1 and isinstance(addresses[0], str):
        return addresses[0]
    return None
