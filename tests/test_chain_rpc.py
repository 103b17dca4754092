"""The JSON-RPC adapter on bad input: a node that is down, slow, refuses the credentials, or answers
what Bitcoin Core's protocol does not say. A scripted HTTP server on loopback plays the node; the
real node's answers are covered by test_chain_litecoind.py and the contract suite."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.chain_kit import h
from tests.serving import free_port
from vigil.adapters.utxo_rpc import UtxoRpc
from vigil.errors import ChainAuthFailed, ChainUnavailable, MalformedChainAnswer, UnknownBlock

Reply = tuple[int, bytes]
Script = Callable[[Any], Reply]


def ok(result: Any, request: Any) -> Reply:
    return 200, json.dumps({"result": result, "error": None, "id": request["id"]}, default=float).encode()


def rpc_error(code: int, message: str, request: Any) -> Reply:
    return 500, json.dumps(
        {"result": None, "error": {"code": code, "message": message}, "id": request["id"]}
    ).encode()


@pytest.fixture
def node() -> Iterator[Callable[[Script], UtxoRpc]]:
    servers: list[ThreadingHTTPServer] = []

    def start(script: Script) -> UtxoRpc:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, data = script(body)
                self.send_response(status)
                declared = len(data) + 100 if data.startswith(b"TRUNCATED") else len(data)
                self.send_header("Content-Length", str(declared))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass  # quiet: the tests assert on what the client raises

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        return UtxoRpc(
            f"http://127.0.0.1:{server.server_port}", user="u", password="p", timeout=0.5, name="test node"
        )

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _tx(txid: str, vin: list[Any], values: list[Any]) -> dict[str, Any]:
    vout = [{"value": v, "n": n, "scriptPubKey": {"address": f"addr{n}"}} for n, v in enumerate(values)]
    return {"txid": txid, "vin": vin, "vout": vout}


def _block(txs: Any, **extra: Any) -> dict[str, Any]:
    return {"hash": h("block"), "height": 7, "previousblockhash": h("parent"), "tx": txs, **extra}


def test_a_node_that_is_down_is_named() -> None:
    rpc = UtxoRpc(f"http://127.0.0.1:{free_port()}", user="u", password="p", timeout=1, name="litecoind")
    with pytest.raises(ChainUnavailable, match=r"litecoind at http://127.0.0.1:\d+ is down or unreachable"):
        rpc.tip()


def test_a_slow_node_times_out(node: Callable[[Script], UtxoRpc]) -> None:
    def slow(request: Any) -> Reply:
        time.sleep(1.5)
        return ok(1, request)

    rpc = node(slow)
    started = time.monotonic()
    with pytest.raises(ChainUnavailable, match=r"did not answer getblockhash within 0.5 s"):
        rpc.block_hash(1)
    assert time.monotonic() - started < 1.4


def test_refused_credentials(node: Callable[[Script], UtxoRpc]) -> None:
    rpc = node(lambda request: (401, b""))
    with pytest.raises(ChainAuthFailed, match=r"test node at .* refused the RPC credentials"):
        rpc.tip()


def test_unknown_blocks(node: Callable[[Script], UtxoRpc]) -> None:
    rpc = node(
        lambda r: (
            rpc_error(-8, "Block height out of range", r)
            if r["method"] == "getblockhash"
            else rpc_error(-5, "Block not found", r)
        )
    )
    with pytest.raises(UnknownBlock, match="no block 99: Block height out of range"):
        rpc.block_hash(99)
    with pytest.raises(UnknownBlock, match="Block not found"):
        rpc.block(h("missing"))
    with pytest.raises(UnknownBlock, match="not a block hash"):
        rpc.block("nonsense")
    with pytest.raises(UnknownBlock, match="height -1"):
        rpc.block_hash(-1)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (lambda r: (200, b"<html>proxy error</html>"), "not JSON"),
        (lambda r: (200, b'{"id": 1}'), "not a JSON-RPC reply"),
        (lambda r: (502, b"bad gateway"), "answered HTTP 502"),
        (lambda r: ok(["not", "a", "hash"], r), "not a block hash"),
        (lambda r: rpc_error(-28, "Loading block index", r), "starting up: Loading block index"),
    ],
)
def test_malformed_or_unusable_answers_to_getblockhash(
    node: Callable[[Script], UtxoRpc], reply: Script, message: str
) -> None:
    with pytest.raises(ChainUnavailable, match=message):
        node(reply).block_hash(1)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (_block("many"), "no transaction list"),
        (_block([{"txid": h("t"), "vin": []}]), "no vin or vout list"),
        (_block([_tx(h("t"), [{"coinbase": "00"}], ["12.5"])]), r"'12.5' is not an amount"),
        (_block([_tx(h("t"), [{"coinbase": "00"}], [Decimal("0.000000001")])]), "is not an amount"),
        (_block([_tx(h("t"), [{"coinbase": "00"}], [Decimal(-1)])]), "is not an amount"),
        (_block([_tx("xyz", [{"coinbase": "00"}], [1])]), "txid is 'xyz', not a 64-digit hex hash"),
        (_block([_tx(h("t"), [{"txid": h("p")}], [1])]), "vout is None"),
        (_block([], previousblockhash=12), "previousblockhash is 12"),
        (_block([], height="7"), "height is '7'"),
        (_block([], hash=h("other")), "answered block"),
    ],
)
def test_malformed_blocks_are_refused_with_what_is_wrong(
    node: Callable[[Script], UtxoRpc], block: Any, message: str
) -> None:
    rpc = node(lambda r: ok(block, r))
    with pytest.raises(MalformedChainAnswer, match=message):
        rpc.block(h("block"))


def test_inputs_are_resolved_in_one_batch_and_a_missing_previous_output_is_refused(
    node: Callable[[Script], UtxoRpc],
) -> None:
    previous = _tx(h("prev"), [{"coinbase": "00"}], [Decimal("1.5"), Decimal("0.25")])
    spend = _tx(
        h("spend"), [{"txid": h("prev"), "vout": 1}, {"txid": h("prev"), "vout": 5}], [Decimal("0.2")]
    )
    batches: list[int] = []

    def script(request: Any) -> Reply:
        if isinstance(request, list):
            batches.append(len(request))
            return 200, json.dumps([json.loads(ok(previous, r)[1]) for r in request], default=float).encode()
        return ok(_block([spend]), request)

    with pytest.raises(MalformedChainAnswer, match=r"input .*:5 spends an output the node did not give"):
        node(script).block(h("block"))
    assert batches == [1]

    spend["vin"] = spend["vin"][:1]
    block = node(script).block(h("block"))
    (tx,) = block.transactions
    assert (tx.inputs[0].address, tx.inputs[0].value, tx.outputs[0].value) == (
        "addr1",
        25_000_000,
        20_000_000,
    )
    assert (block.height, block.prev_hash) == (7, h("parent"))


def test_a_batch_answer_that_does_not_match_is_refused(node: Callable[[Script], UtxoRpc]) -> None:
    rpc = node(lambda r: (200, b"[]") if isinstance(r, list) else ok(None, r))
    with pytest.raises(MalformedChainAnswer, match="a batch of 2 getrawtransaction calls got list back"):
        rpc.batch("getrawtransaction", [[h("a"), True], [h("b"), True]])


def test_a_malformed_tip_names_the_node(node: Callable[[Script], UtxoRpc]) -> None:
    rpc = node(lambda r: ok({"blocks": -3, "bestblockhash": h("tip")}, r))
    with pytest.raises(MalformedChainAnswer, match=r"test node at .*: getblockchaininfo: blocks is -3"):
        rpc.tip()


def test_an_answer_cut_short_is_a_dropped_connection(node: Callable[[Script], UtxoRpc]) -> None:
    rpc = node(lambda r: (200, b"TRUNCATED {"))
    with pytest.raises(ChainUnavailable, match="dropped the connection during getblockhash: IncompleteRead"):
        rpc.block_hash(1)
