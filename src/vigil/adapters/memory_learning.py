"""In-memory label store and model registry: the reference implementations of their contracts.

``check_version`` and ``check_promotion`` are the checks every backend makes before it stores anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vigil.errors import Conflict, InvalidInput, NotFound
from vigil.model.learning import GLOBAL, Label, ModelVersion, Promotion


def check_version(version: ModelVersion) -> None:
    """Refuse a model version without an id or a region (``InvalidInput`` naming the field)."""
    if not version.model_id:
        raise InvalidInput("a model version needs an id", field="model_id")
    if not version.region:
        raise InvalidInput(f"model {version.model_id!r} needs a region (or {GLOBAL!r})", field="region")


def check_promotion(promotion: Promotion, version: ModelVersion | None) -> None:
    """Refuse a promotion without a region or model id, of an unknown model (``NotFound``), or of a
    model trained for another region (``InvalidInput``); a GLOBAL model may serve any region."""
    if not promotion.region:
        raise InvalidInput("a promotion needs a region", field="region")
    if not promotion.model_id:
        raise InvalidInput("a promotion needs a model id", field="model_id")
    if version is None:
        raise NotFound(f"no model {promotion.model_id!r} in the registry")
    if version.region not in (GLOBAL, promotion.region):
        raise InvalidInput(
            f"model {version.model_id!r} was trained for region {version.region!r},"
            f" it cannot serve {promotion.region!r}",
            field="region",
        )


def latest_by_event(labels: Iterable[Label]) -> dict[str, Label]:
    """Each event id's last label, in the order given (the fold behind ``LabelStore.current``)."""
    return {label.event_id: label for label in labels}


def serving_of(promotions: Iterable[Promotion]) -> dict[str, str]:
    """Each region's model in the last of its promotions, in the order given."""
    return {p.region: p.model_id for p in promotions}


class MemoryLabelStore:
    """Keeps every label added, in a list in the order added (duplicates included: they are history)."""

    def __init__(self) -> None:
        self._labels: list[Label] = []

    def add(self, labels: Sequence[Label]) -> int:
        self._labels.extend(labels)
        return len(labels)

    def labels(self, since_us: int | None = None) -> list[Label]:
        if since_us is None:
            return list(self._labels)
        return [label for label in self._labels if label.at_us >= since_us]

    def current(self) -> dict[str, Label]:
        return latest_by_event(self._labels)

    def count(self) -> int:
        return len(self._labels)

    def close(self) -> None:
        """Nothing to release."""


class MemoryModelRegistry:
    """Keeps model versions by id in the order added, and every promotion in a list in the order made."""

    def __init__(self) -> None:
        self._versions: dict[str, ModelVersion] = {}
        self._promotions: list[Promotion] = []

    def add(self, version: ModelVersion) -> None:
        check_version(version)
        if version.model_id in self._versions:
            raise Conflict(f"model {version.model_id!r} is already in the registry")
        self._versions[version.model_id] = version

    def get(self, model_id: str) -> ModelVersion | None:
        return self._versions.get(model_id)

    def versions(self, region: str | None = None) -> list[ModelVersion]:
        return [v for v in self._versions.values() if region is None or v.region == region]

    def promote(self, promotion: Promotion) -> None:
        check_promotion(promotion, self._versions.get(promotion.model_id))
        self._promotions.append(promotion)

    def serving(self) -> dict[str, str]:
        return serving_of(self._promotions)

    def promotions(self, region: str | None = None) -> list[Promotion]:
        return [p for p in self._promotions if region is None or p.region == region]

    def close(self) -> None:
        """Nothing to release."""
