"""Each region's reporting line (src/vigil/features/reporting_lines.yaml): data with its sources."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
import yaml

from vigil.features.lines import LINES, parse_lines


def _data() -> Any:
    return yaml.safe_load(resources.files("vigil.features").joinpath("reporting_lines.yaml").read_text())


def test_every_line_has_its_regulation_and_converts_its_legal_amount() -> None:
    data = _data()
    assert data["reporting_currency"] == "USD"
    for region, entry in data["lines"].items():
        assert entry["regulation"].strip() and entry["source"].startswith("http"), region
        legal = entry["legal"]
        # the line in cents is the legal amount at the stated rate, to the cent (rounded half up or down)
        usd = Decimal(legal["amount"]) / Decimal(str(entry["rate"]))
        assert abs(Decimal(entry["cents"]) - usd * 100) <= 1, region
    assert LINES.of("NA") == 1_000_000
    assert LINES.of("SA") == 1_194_743  # INR 10 lakh at 83.7
    assert LINES.of("ID") == 3_154_574  # IDR 500 million at 15,850
    assert LINES.of("nowhere") == LINES.default == 1_000_000


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["lines"]["NA"].update(cents=0), "positive integer"),
        (lambda d: d["lines"]["NA"].update(cents=10000.5), "positive integer"),
        (lambda d: d["lines"]["SA"].pop("source"), "regulation"),
        (lambda d: d.pop("default_cents"), "default_cents"),
        (lambda d: d.pop("lines"), "lines"),
    ],
)
def test_a_bad_table_is_refused(change: Any, message: str) -> None:
    data = _data()
    change(data)
    with pytest.raises(ValueError, match=message):
        parse_lines(data)


def test_the_catalog_hash_follows_the_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.features import catalog as catalog_module
    from vigil.features import default_catalog

    before = default_catalog().hash
    other = parse_lines({**_data(), "default_cents": 1_500_000})
    monkeypatch.setattr(catalog_module, "LINES", other)
    assert default_catalog().hash != before
