"""Events as Parquet: one wide table, one column per event field (null where a type lacks it).

Integer amounts in base units exceed 64 bits (wei), so ``amount`` and ``quantity`` are
``decimal128(38, 0)``; fiat values and prices are ``decimal128(38, 8)``; timestamps are
``timestamp[us, UTC]``. ``geo`` and ``network`` are structs, as on the wire.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_STR = pa.string()
_BOOL = pa.bool_()
_INT = pa.decimal128(38, 0)
_MONEY = pa.decimal128(38, 8)

SCHEMA = pa.schema(
    [
        ("type", _STR),
        ("event_id", _STR),
        ("account_id", _STR),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("region", _STR),
        ("country", _STR),
        ("device_id", _STR),
        ("ip", _STR),
        ("geo", pa.struct([("lat", pa.float64()), ("lon", pa.float64())])),
        (
            "network",
            pa.struct([("country", _STR), ("is_tor", _BOOL), ("is_vpn", _BOOL), ("is_hosting", _BOOL)]),
        ),
        ("email_hash", _STR),
        ("phone_hash", _STR),
        ("referrer_account_id", _STR),
        ("level", pa.int32()),
        ("document_type", _STR),
        ("document_country", _STR),
        ("document_hash", _STR),
        ("face_hash", _STR),
        ("birth_year", pa.int32()),
        ("full_name", pa.string()),
        ("birth_date", pa.string()),
        ("nationality", _STR),
        ("occupation", _STR),
        ("declared_annual_income_fiat", _MONEY),
        ("expected_monthly_volume_fiat", _MONEY),
        ("status", _STR),
        ("document_valid", _BOOL),
        ("mrz_valid", _BOOL),
        ("face_match", _BOOL),
        ("liveness_passed", _BOOL),
        ("deepfake_suspected", _BOOL),
        ("rejection_reason", _STR),
        ("success", _BOOL),
        ("method", _STR),
        ("failure_reason", _STR),
        ("channel", _STR),
        ("action", _STR),
        ("chain", _STR),
        ("address", _STR),
        ("memo", _STR),
        ("label", _STR),
        ("rail", _STR),
        ("asset", _STR),
        ("amount", _INT),
        ("fiat_value", _MONEY),
        ("tx_hash", _STR),
        ("source_address", _STR),
        ("destination_address", _STR),
        ("payment_method", _STR),
        ("pair", _STR),
        ("side", _STR),
        ("price", _MONEY),
        ("quantity", _INT),
        ("counterparty_account_id", _STR),
        ("fiat_currency", _STR),
    ]
)

# Generator 2 also sends uncredited deposits (docs/recovery.md); generator 1's table keeps its columns.
SCHEMA_V2 = SCHEMA.append(pa.field("uncredited", _STR)).append(pa.field("deposit_address", _STR))
_DECIMAL = {f.name for f in SCHEMA if pa.types.is_decimal(f.type)}


def _column(name: str, events: list[dict[str, Any]]) -> list[Any]:
    values = [e.get(name) for e in events]
    if name in _DECIMAL:
        return [None if v is None else Decimal(v) for v in values]
    if name == "ts":
        return [datetime.fromisoformat(str(v)) for v in values]
    return values


class ParquetSink:
    """Appends each batch of events as a row group to one Parquet file (zstd)."""

    def __init__(self, path: Path, generator: int = 2) -> None:
        self._schema = SCHEMA if generator == 1 else SCHEMA_V2
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")

    def __call__(self, events: list[dict[str, Any]], labels: list[dict[str, Any]]) -> None:
        if events:
            arrays = [pa.array(_column(f.name, events), type=f.type) for f in self._schema]
            self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        self._writer.close()
