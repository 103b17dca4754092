"""Ground truth on a regtest litecoind: wallets, consolidations, peel chains, a mixing transaction,
an exchange hot wallet, listed addresses and deposits planted 1, 2 and 3 hops from them.

``build(node)`` runs it (about 40 blocks after 150 of maturity) and returns what was planted; the
on-chain tests (tests/test_chain_litecoind.py) and ``benchmarks/bench_chain.py`` follow the node with
the real adapter and check clustering and exposure against it. Deterministic given the seed, except
for what the node chooses itself (keys, coin selection, change position).

Who is who: ``miner`` mines and funds everybody; ``alice`` ... ``erin`` are honest and pay each other
through the wallet's own coin selection (so multi-input spends and change happen as they do in a real
wallet); four listed owners each hold one listed address (``sanctioned``, ``stolen``, ``mixer``,
``scam`` categories); ``mule1`` ... ``mule3`` relay; ``exchange`` takes every deposit on a fresh
address, sweeps them into its hot wallet and pays withdrawals. At the end every wallet consolidates
what it holds (one multi-input spend), as wallets and services do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.litecoind import Node
from vigil.chain import Outpoint
from vigil.model import Chain
from vigil.model.addresses import address_key
from vigil.screening.entries import AddressEntry, Category

FEE = Decimal("0.0002")
HONEST = ("alice", "bob", "carol", "dave", "erin")
# Wallets that send change back to their home address (old Blockchain.info and MultiBit did; many
# services' hot wallets do); the others take fresh change addresses (Bitcoin Core's default).
CHANGE_HOME = ("alice", "bob", "carol")
LISTED = {
    "sanctioned": Category.SANCTIONED,
    "thief": Category.STOLEN,
    "mixer": Category.MIXER,
    "scammer": Category.SCAM,
}
MULES = ("mule1", "mule2", "mule3")
WALLETS = ("miner", "exchange", *HONEST, *LISTED, *MULES)


@dataclass(frozen=True)
class Planted:
    """A deposit to the exchange whose value came from ``listed`` ``hops`` transactions back."""

    category: Category
    hops: int
    deposit: Outpoint
    path: tuple[str, ...]  # transaction hashes from the listed address's spend to the deposit
    listed: str
    via: str  # direct, mules, peel or mix


@dataclass
class Scenario:
    listed: dict[str, Category] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)
    clean: list[Outpoint] = field(default_factory=list)  # deposits with no listed source at all
    mixing: list[str] = field(default_factory=list)  # txids of the equal-output transactions
    owner: dict[str, str] = field(
        default_factory=dict
    )  # address -> wallet, for every wallet address on chain

    def entries(self) -> tuple[AddressEntry, ...]:
        return tuple(
            AddressEntry(
                source="scenario",
                entry_id=f"scenario:{i}",
                key=address_key(Chain.LTC, address),
                chain=Chain.LTC,
                category=category,
                label=f"planted {category.value}",
            )
            for i, (address, category) in enumerate(sorted(self.listed.items()))
        )


class _Builder:
    def __init__(self, node: Node, seed: int) -> None:
        self.node = node
        self.rng = random.Random(seed)
        self.miner_address = ""
        self.home: dict[str, str] = {}  # where a wallet consolidates to (address reuse, as services do)

    def call(self, wallet: str | None, method: str, *params: Any) -> Any:
        return self.node.call(method, *params, wallet=wallet)

    def address(self, wallet: str) -> str:
        return str(self.call(wallet, "getnewaddress", "", "bech32"))

    def mine(self, blocks: int = 1) -> None:
        self.call(None, "generatetoaddress", blocks, self.miner_address)

    def pay(self, wallet: str, outputs: dict[str, Decimal]) -> str:
        """A payment chosen by the wallet's own coin selection; change to a fresh address, or back to
        the wallet's home address for the wallets of ``CHANGE_HOME``."""
        if wallet not in CHANGE_HOME or wallet not in self.home:
            return str(self.call(wallet, "sendmany", "", {a: str(v) for a, v in outputs.items()}))
        raw = self.call(None, "createrawtransaction", [], [{a: str(v)} for a, v in outputs.items()])
        funded = self.call(wallet, "fundrawtransaction", raw, {"changeAddress": self.home[wallet]})
        signed = self.call(wallet, "signrawtransactionwithwallet", funded["hex"])
        assert signed["complete"], signed
        return str(self.call(None, "sendrawtransaction", signed["hex"]))

    def value(self, point: Outpoint) -> Decimal:
        out = self.call(None, "gettxout", point.txid, point.vout, True)
        return Decimal(out["value"])

    def spend(
        self, wallet: str, inputs: list[Outpoint], outputs: list[tuple[str, Decimal]], change: str
    ) -> str:
        """A transaction with exactly these inputs; what is left after ``FEE`` goes to ``change``."""
        left = sum((self.value(p) for p in inputs), Decimal(0)) - sum(v for _, v in outputs) - FEE
        assert left >= 0, f"inputs of {wallet} do not cover the outputs"
        outs = [{a: str(v)} for a, v in outputs] + ([{change: str(left)}] if left > 0 else [])
        raw = self.call(
            None, "createrawtransaction", [{"txid": p.txid, "vout": p.vout} for p in inputs], outs
        )
        signed = self.call(wallet, "signrawtransactionwithwallet", raw)
        assert signed["complete"], signed
        return str(self.call(None, "sendrawtransaction", signed["hex"]))

    def outpoint(self, txid: str, address: str) -> Outpoint:
        tx = self.call(None, "getrawtransaction", txid, True)
        for out in tx["vout"]:
            script = out["scriptPubKey"]
            if address in script.get("addresses", [script.get("address")]):
                return Outpoint(txid, int(out["n"]))
        raise AssertionError(f"{txid} pays nothing to {address}")

    def coinjoin(self, parts: list[tuple[str, Outpoint]], amount: Decimal) -> tuple[str, dict[str, Outpoint]]:
        """One transaction, an input from each wallet, an equal output ``amount`` back to each, and change."""
        outs: list[dict[str, str]] = []
        mixed: dict[str, str] = {}
        for wallet, point in parts:
            mixed[wallet] = self.address(wallet)
            outs.append({mixed[wallet]: str(amount)})
            outs.append({self.address(wallet): str(self.value(point) - amount - FEE)})
        self.rng.shuffle(outs)
        raw = self.call(
            None, "createrawtransaction", [{"txid": p.txid, "vout": p.vout} for _, p in parts], outs
        )
        for wallet, _ in parts:
            signed = self.call(wallet, "signrawtransactionwithwallet", raw)
            raw = signed["hex"]
        assert signed["complete"], signed
        txid = str(self.call(None, "sendrawtransaction", raw))
        return txid, {w: self.outpoint(txid, a) for w, a in mixed.items()}

    def big_utxo(self, wallet: str, at_least: Decimal) -> Outpoint:
        for utxo in self.call(wallet, "listunspent", 1):
            if Decimal(utxo["amount"]) >= at_least:
                return Outpoint(utxo["txid"], int(utxo["vout"]))
        raise AssertionError(f"{wallet} has no confirmed output of {at_least}")

    def sweep(self, wallet: str) -> None:
        """Consolidate every output the wallet holds into its home address (one multi-input spend)."""
        balance = Decimal(self.call(wallet, "getbalance"))
        if balance > FEE * 10:
            home = self.home.setdefault(wallet, self.address(wallet))
            self.call(wallet, "sendtoaddress", home, str(balance), "", "", True)


def build(node: Node, *, seed: int = 21, rounds: int = 6) -> Scenario:
    b = _Builder(node, seed)
    rng = b.rng
    out = Scenario()
    for wallet in WALLETS:
        b.call(None, "createwallet", wallet)
    b.miner_address = b.address("miner")
    b.mine(150)  # coinbase matures after 100 blocks

    # Funding: every honest wallet gets four payments on fresh addresses, every listed owner six
    # outputs on its one listed address (one spend each below, change back to it).
    listed_address = {w: b.address(w) for w in LISTED}
    out.listed = {listed_address[w]: c for w, c in LISTED.items()}
    funding: dict[str, list[Outpoint]] = {w: [] for w in LISTED}
    b.home.update(listed_address)
    for _ in range(6):
        payees = {b.address(w): Decimal(rng.randint(200, 1000)) / 100 for w in HONEST}
        for w in HONEST:
            b.home.setdefault(w, next(a for a in payees if a not in b.home.values() and _owned(b, w, a)))
        payees.update({listed_address[w]: Decimal(8) + Decimal(i) / 100 for i, w in enumerate(LISTED)})
        txid = b.pay("miner", payees)
        for w in LISTED:
            funding[w].append(b.outpoint(txid, listed_address[w]))
        b.mine()

    # Honest activity: payments chosen by each wallet's coin selection, with change.
    for _ in range(rounds):
        for payer in HONEST:  # 60 to 90 % of the balance: mostly more than one coin
            payee = rng.choice([w for w in HONEST if w != payer])
            balance = Decimal(b.call(payer, "getbalance"))
            b.pay(payer, {b.address(payee): (balance * rng.randint(60, 90) / 100).quantize(Decimal("0.01"))})
        b.mine()

    # Clean deposits: honest wallets that never touched a listed address.
    for payer in ("dave", "erin"):
        deposit = b.address("exchange")
        out.clean.append(b.outpoint(b.pay(payer, {deposit: Decimal("1.25")}), deposit))
    b.mine()

    # Planted paths: 1 hop (listed -> exchange), 2 hops (-> mule -> exchange), 3 hops (-> mule -> mule ->).
    for wallet, category in LISTED.items():
        listed, utxos = listed_address[wallet], funding[wallet]
        deposit = b.address("exchange")
        tx1 = b.spend(wallet, [utxos[0]], [(deposit, Decimal("1.0"))], listed)
        out.planted.append(Planted(category, 1, b.outpoint(tx1, deposit), (tx1,), listed, "direct"))

        hop = b.address("mule1")
        tx1 = b.spend(wallet, [utxos[1]], [(hop, Decimal("2.0"))], listed)
        deposit = b.address("exchange")
        tx2 = b.spend("mule1", [b.outpoint(tx1, hop)], [(deposit, Decimal("1.5"))], b.address("mule1"))
        out.planted.append(Planted(category, 2, b.outpoint(tx2, deposit), (tx1, tx2), listed, "mules"))

        first, second = b.address("mule2"), b.address("mule3")
        tx1 = b.spend(wallet, [utxos[2]], [(first, Decimal("3.0"))], listed)
        tx2 = b.spend("mule2", [b.outpoint(tx1, first)], [(second, Decimal("2.5"))], b.address("mule2"))
        deposit = b.address("exchange")
        tx3 = b.spend("mule3", [b.outpoint(tx2, second)], [(deposit, Decimal("2.0"))], b.address("mule3"))
        out.planted.append(Planted(category, 3, b.outpoint(tx3, deposit), (tx1, tx2, tx3), listed, "mules"))
    b.mine()

    # A peel chain from the stolen funds: each hop peels a small payment off, the rest moves on.
    thief = listed_address["thief"]
    peel1, peel2, peel3 = b.address("thief"), b.address("thief"), b.address("thief")
    tx1 = b.spend("thief", [funding["thief"][3]], [(b.address("carol"), Decimal("0.5"))], peel1)
    deposit2 = b.address("exchange")
    tx2 = b.spend("thief", [b.outpoint(tx1, peel1)], [(deposit2, Decimal("0.7"))], peel2)
    deposit3 = b.address("exchange")
    tx3 = b.spend("thief", [b.outpoint(tx2, peel2)], [(deposit3, Decimal("0.6"))], peel3)
    out.planted.append(Planted(Category.STOLEN, 2, b.outpoint(tx2, deposit2), (tx1, tx2), thief, "peel"))
    out.planted.append(Planted(Category.STOLEN, 3, b.outpoint(tx3, deposit3), (tx1, tx2, tx3), thief, "peel"))
    b.mine()

    # A mixing transaction: stolen funds join three honest wallets' coins in equal outputs of 1 LTC.
    joiners = {b.address(w): w for w in ("alice", "bob", "carol")}
    funded = b.pay("miner", {a: Decimal(2) for a in joiners})  # each joins with a fresh coin of 2 LTC
    b.mine()
    parts = [(w, b.outpoint(funded, a)) for a, w in joiners.items()]
    parts.append(("thief", funding["thief"][4]))
    mix, mixed = b.coinjoin(parts, Decimal(1))
    out.mixing.append(mix)
    deposit = b.address("exchange")
    tx = b.spend("thief", [mixed["thief"]], [(deposit, Decimal("0.9"))], b.address("thief"))
    out.planted.append(Planted(Category.STOLEN, 2, b.outpoint(tx, deposit), (mix, tx), thief, "mix"))
    b.mine()

    # The exchange sweeps its deposits into its hot address and pays withdrawals from it in one batch,
    # change back to the hot address; later deposits are swept with what is left.
    hot = b.home.setdefault("exchange", b.address("exchange"))
    b.sweep("exchange")
    b.mine()
    withdrawals = [(b.address(w), Decimal(rng.randint(100, 300)) / 100) for w in ("alice", "bob", "dave")]
    b.spend("exchange", [b.big_utxo("exchange", Decimal(10))], withdrawals, hot)
    for payer in ("dave", "erin"):
        deposit = b.address("exchange")
        out.clean.append(b.outpoint(b.pay(payer, {deposit: Decimal("0.75")}), deposit))
    b.mine()

    # Everyone consolidates what they hold.
    for wallet in ("miner", "exchange", *HONEST, *LISTED, *MULES):
        b.sweep(wallet)
    b.mine()
    out.owner = owners(node)
    return out


def _owned(b: _Builder, wallet: str, address: str) -> bool:
    return bool(b.call(wallet, "getaddressinfo", address)["ismine"])


def owners(node: Node) -> dict[str, str]:
    """Address -> the wallet that holds its key, for every address paid on the chain."""
    addresses: set[str] = set()
    height = int(node.call("getblockcount"))
    for h in range(height + 1):
        block = node.call("getblock", node.call("getblockhash", h), 2)
        for tx in block["tx"]:
            for vout in tx["vout"]:
                script = vout["scriptPubKey"]
                addresses.update(script.get("addresses", [script["address"]] if "address" in script else []))
    ordered = sorted(addresses)
    owner: dict[str, str] = {}
    for wallet in WALLETS:
        infos = node.rpc(wallet).batch("getaddressinfo", [[a] for a in ordered])
        for address, info in zip(ordered, infos, strict=True):
            if info.get("ismine"):
                owner[address] = wallet
    return owner
