"""PostgreSQL label store and model registry, append-only as the SQLite ones are.

``learning_labels`` holds one row per label, ``learning_models`` one row per model (its LightGBM file
and JSON sidecar as text), ``learning_promotions`` one row per promotion; each is read in ``seq``
order (the order added). Current labels and serving models are folds over those rows, with the
functions the memory adapters use. Two processes adding the same model id at once cannot both
succeed: the second fails on the unique key (``Conflict``) and stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.memory_learning import check_promotion, check_version, latest_by_event, serving_of
from vigil.adapters.postgres.schema import (
    check_schema,
    connection,
    learning_labels,
    learning_models,
    learning_promotions,
    reason,
    where,
)
from vigil.errors import Conflict, StorageError
from vigil.model.learning import Label, ModelVersion, Promotion

_b = learning_labels.c
_ADD_LABELS = insert(learning_labels)
_LABELS = select(_b.event_id, _b.account_id, _b.illicit, _b.typology, _b.source, _b.at_us).order_by(_b.seq)
_LABELS_SINCE = _LABELS.where(_b.at_us >= bindparam("since_us"))
_COUNT_LABELS = select(func.count()).select_from(learning_labels)

_m = learning_models.c
_ADD_MODEL = insert(learning_models)
_MODELS = select(_m.model_id, _m.region, _m.created_us, _m.catalog_hash, _m.model_text, _m.sidecar)
_MODEL = _MODELS.where(_m.model_id == bindparam("model_id"))
_ALL_MODELS = _MODELS.order_by(_m.seq)
_MODELS_OF = _ALL_MODELS.where(_m.region == bindparam("region"))

_p = learning_promotions.c
_PROMOTE = insert(learning_promotions)
_PROMOTIONS = select(_p.region, _p.model_id, _p.at_us, _p.promoted_by, _p.reason, _p.previous).order_by(
    _p.seq
)
_PROMOTIONS_OF = _PROMOTIONS.where(_p.region == bindparam("region"))


def _label_row(label: Label) -> dict[str, Any]:
    return {
        "event_id": label.event_id,
        "account_id": label.account_id,
        "illicit": label.illicit,
        "typology": label.typology,
        "source": label.source,
        "at_us": label.at_us,
    }


class PostgresLabelStore:
    """Keeps every label added as one row (duplicates included: they are history)."""

    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

    def add(self, labels: Sequence[Label]) -> int:
        if not labels:
            return 0
        with connection(self.engine, f"add {len(labels)} labels", write=True) as conn:
            conn.execute(_ADD_LABELS, [_label_row(b) for b in labels])  # one transaction: all or nothing
        return len(labels)

    def labels(self, since_us: int | None = None) -> list[Label]:
        with connection(self.engine, "read labels") as conn:
            rows = (
                conn.execute(_LABELS).all()
                if since_us is None
                else conn.execute(_LABELS_SINCE, {"since_us": since_us}).all()
            )
        return [Label(*row) for row in rows]

    def current(self) -> dict[str, Label]:
        return latest_by_event(self.labels())

    def count(self) -> int:
        with connection(self.engine, "count labels") as conn:
            return int(conn.execute(_COUNT_LABELS).scalar_one())

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""


class PostgresModelRegistry:
    """Keeps each model version as a row of ``learning_models``, each promotion as a row of
    ``learning_promotions``."""

    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

    def add(self, version: ModelVersion) -> None:
        check_version(version)
        v = version
        row = {
            "model_id": v.model_id,
            "region": v.region,
            "created_us": v.created_us,
            "catalog_hash": v.catalog_hash,
            "model_text": v.model_text,
            "sidecar": v.sidecar,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(_ADD_MODEL, row)
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != "23505":  # not unique_violation: not a duplicate id
                raise StorageError(
                    f"cannot add model {v.model_id!r} (PostgreSQL {where(self.engine)}): {reason(exc)}"
                ) from exc
            raise Conflict(f"model {v.model_id!r} is already in the registry") from None
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot add model {v.model_id!r} (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc

    def get(self, model_id: str) -> ModelVersion | None:
        with connection(self.engine, f"read model {model_id!r}") as conn:
            row = conn.execute(_MODEL, {"model_id": model_id}).first()
        return None if row is None else ModelVersion(*row)

    def versions(self, region: str | None = None) -> list[ModelVersion]:
        with connection(self.engine, "read model versions") as conn:
            rows = (
                conn.execute(_ALL_MODELS).all()
                if region is None
                else conn.execute(_MODELS_OF, {"region": region}).all()
            )
        return [ModelVersion(*row) for row in rows]

    def promote(self, promotion: Promotion) -> None:
        p = promotion
        # Versions are never changed or removed, so the one checked here is the one promoted.
        check_promotion(p, self.get(p.model_id) if p.model_id else None)
        row = {
            "region": p.region,
            "model_id": p.model_id,
            "at_us": p.at_us,
            "promoted_by": p.by,
            "reason": p.reason,
            "previous": p.previous,
        }
        with connection(self.engine, f"record the promotion of {p.model_id!r}", write=True) as conn:
            conn.execute(_PROMOTE, row)

    def serving(self) -> dict[str, str]:
        return serving_of(self.promotions())

    def promotions(self, region: str | None = None) -> list[Promotion]:
        with connection(self.engine, "read promotions") as conn:
            rows = (
                conn.execute(_PROMOTIONS).all()
                if region is None
                else conn.execute(_PROMOTIONS_OF, {"region": region}).all()
            )
        return [Promotion(*row) for row in rows]

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
