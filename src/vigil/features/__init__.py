"""Streaming features: statistics, time windows and the one catalog (pure: no I/O)."""

from vigil.features.catalog import Catalog, CatalogState, FeatureVector, StaleFeatures
from vigil.features.context import EventContext, context_of, to_cents
from vigil.features.definitions import default_catalog
from vigil.features.specs import Key, Scope, Spec

__all__ = [
    "Catalog",
    "CatalogState",
    "EventContext",
    "FeatureVector",
    "Key",
    "Scope",
    "Spec",
    "StaleFeatures",
    "context_of",
    "default_catalog",
    "to_cents",
]
