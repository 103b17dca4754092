"""Services that orchestrate the pure core through ports: the decision engine and replay."""

from vigil.engine.decide import Engine
from vigil.engine.replay import ReplaySummary, replay

__all__ = ["Engine", "ReplaySummary", "replay"]
