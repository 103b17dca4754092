"""Screening core: the policy file, snapshot diffs, the address index and the screener's explanations."""

from __future__ import annotations

import pytest

from vigil.errors import InvalidAddress, InvalidRules
from vigil.model import Chain, Outcome, ReasonCode
from vigil.screening.chains import parse_address
from vigil.screening.entries import AddressEntry, Category
from vigil.screening.index import AddressIndex
from vigil.screening.policy import Direction, default_policy, load_policy
from vigil.screening.screener import SCAM_NOTICE, Screener
from vigil.screening.snapshot import changed_fields, diff_entries, duplicate_ids

OFAC_BTC = "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"
OFAC_ETH = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"  # EIP-55 checksummed, as OFAC publishes it


def entry(
    text: str,
    chain: Chain = Chain.BTC,
    category: Category = Category.SANCTIONED,
    *,
    source: str = "ofac_addresses",
    confidence: int = 100,
    label: str = "OFAC SDN",
) -> AddressEntry:
    key = parse_address(chain, text).key
    return AddressEntry(source, f"{source}:{key}", key, chain, category, label, None, confidence)


# -- policy ---------------------------------------------------------------------------------------


def test_default_policy_blocks_sanctioned_withdrawals_and_holds_deposits() -> None:
    p = default_policy()
    assert p.effect(Category.SANCTIONED).outcome(Direction.WITHDRAWAL) is Outcome.BLOCK
    assert p.effect(Category.SANCTIONED).outcome(Direction.DEPOSIT) is Outcome.HOLD
    assert p.effect(Category.SCAM).outcome(Direction.WITHDRAWAL) is Outcome.HOLD
    assert p.effect(Category.SCAM).warn_user
    assert all(p.effect(Category.EXCHANGE).outcome(d) is Outcome.ALLOW for d in Direction)


POLICY = """
policy: test
version: 2
categories:
{cats}
names: {{review: 80, hold: 90}}
"""


def _policy_text(override: str = "") -> str:
    lines = [f"  {c.value}: allow" for c in Category if not override.strip().startswith(c.value + ":")]
    return POLICY.format(cats="\n".join(lines + ([f"  {override}"] if override else [])))


def test_a_category_can_be_one_outcome_for_every_direction() -> None:
    p = load_policy(_policy_text("mixer: block"), file="p.yaml")
    assert all(p.effect(Category.MIXER).outcome(d) is Outcome.BLOCK for d in Direction)
    assert p.names.outcome(85) is Outcome.REVIEW and p.names.outcome(90) is Outcome.HOLD


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "policy: x\nversion: 1\ncategories: {}\nnames: {review: 1, hold: 2}\n",
            "categories without an effect",
        ),
        (_policy_text().replace("mixer: allow", "mixr: allow"), "unknown category 'mixr'"),
        (_policy_text("mixer: freeze"), "unknown outcome 'freeze'"),
        (_policy_text("mixer: {deposit: hold, withdrawal: hold}"), "address_book"),
        (_policy_text().replace("review: 80", "review: 95"), "review <= hold"),
        ("policy: [", "not valid YAML"),
    ],
)
def test_a_bad_policy_names_the_file_and_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidRules, match=message) as err:
        load_policy(text, file="mine.yaml")
    assert "mine.yaml" in str(err.value)


# -- snapshots ------------------------------------------------------------------------------------


def test_diff_sees_added_removed_and_changed_entries() -> None:
    a, b = entry(OFAC_BTC), entry(OFAC_ETH, Chain.ETH)
    b_changed = entry(OFAC_ETH, Chain.ETH, Category.STOLEN)
    diff = diff_entries("s", 1, [a, b], 2, [b_changed, entry("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")])
    assert [e.entry_id for e in diff.added] == [
        "ofac_addresses:BTC:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    ]
    assert diff.removed == (a,)
    assert diff.changed == ((b, b_changed),)
    assert changed_fields(b, b_changed) == ("category",)
    assert len(diff.touched) == 2 and not diff.is_empty
    assert "1 added, 1 removed, 1 changed" in diff.summary()
    assert diff_entries("s", 1, [a], 2, [a]).is_empty


def test_a_repeated_entry_id_is_a_row_error() -> None:
    a = entry(OFAC_BTC)
    kept, errors = duplicate_ids([a, a], file="f.txt")
    assert kept == [a]
    assert errors[0].line == 2 and "duplicate entry id" in errors[0].message


# -- index and screener ---------------------------------------------------------------------------


def screener(*entries: AddressEntry) -> Screener:
    return Screener(AddressIndex(entries), default_policy(), lists_version="test@1")


def test_equal_addresses_hit_whatever_their_spelling() -> None:
    s = screener(entry(OFAC_ETH, Chain.ETH))
    for spelling in (OFAC_ETH, OFAC_ETH.lower(), "0x" + OFAC_ETH[2:].upper()):
        # An EVM address listed on Ethereum is the same key on every EVM chain.
        for chain in (Chain.ETH, Chain.BSC, Chain.ARB):
            assert s.screen_address(chain, spelling, Direction.WITHDRAWAL).outcome is Outcome.BLOCK


def test_a_hit_names_the_list_the_entry_and_the_category() -> None:
    s = screener(
        entry(OFAC_BTC), entry(OFAC_BTC, category=Category.EXCHANGE, source="graphsense", label="Foo")
    )
    result = s.screen_address(Chain.BTC, OFAC_BTC, Direction.DEPOSIT)
    assert result.outcome is Outcome.HOLD
    assert [r.code for r in result.reasons] == [
        ReasonCode.SCREEN_ADDRESS_SANCTIONED,
        ReasonCode.SCREEN_ADDRESS_ATTRIBUTED,
    ]
    top = result.reasons[0]
    assert top.outcome is Outcome.HOLD and top.rule_id == "screening:ofac_addresses"
    assert f"ofac_addresses entry ofac_addresses:BTC:{OFAC_BTC}" in top.detail
    assert "category sanctioned" in top.detail
    assert result.reasons[1].outcome is None  # attribution is information


def test_scam_destination_holds_and_warns_but_a_scam_deposit_does_not_warn() -> None:
    s = screener(entry(OFAC_ETH, Chain.ETH, Category.SCAM, source="scamsniffer", label="ScamSniffer"))
    out = s.screen_address(Chain.ETH, OFAC_ETH, Direction.WITHDRAWAL)
    assert out.outcome is Outcome.HOLD and out.warn_user
    assert not s.screen_address(Chain.ETH, OFAC_ETH, Direction.DEPOSIT).warn_user


def test_low_confidence_entries_inform_but_do_not_act() -> None:
    s = screener(entry(OFAC_BTC, category=Category.STOLEN, confidence=10, source="graphsense"))
    out = s.screen_address(Chain.BTC, OFAC_BTC, Direction.WITHDRAWAL)
    assert out.outcome is Outcome.ALLOW
    assert "below the policy's minimum" in out.reasons[0].detail


def test_unlisted_address_is_clean_and_invalid_address_is_an_error() -> None:
    s = screener(entry(OFAC_BTC))
    clean = s.screen_address(Chain.BTC, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", Direction.WITHDRAWAL)
    assert clean.outcome is Outcome.ALLOW and clean.hits == () and clean.reasons == ()
    with pytest.raises(InvalidAddress, match="BTC"):
        s.screen_address(Chain.BTC, OFAC_BTC[:-1] + "j", Direction.WITHDRAWAL)


def test_index_counts_and_orders_by_severity() -> None:
    low = entry(OFAC_BTC, category=Category.GAMBLING, source="graphsense")
    high = entry(OFAC_BTC)
    index = AddressIndex([low, high, entry(OFAC_ETH, Chain.ETH)])
    assert index.lookup(high.key) == (high, low)
    assert len(index) == 3 and index.addresses == 2
    assert index.sources == {"graphsense", "ofac_addresses"}
    assert index.lookup("BTC:unknown") == ()


def test_scam_notice_is_for_the_customer() -> None:
    assert "scam" in SCAM_NOTICE and "Contact support" in SCAM_NOTICE
