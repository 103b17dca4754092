"""Synthetic exchange traffic. For now: a small seeded example stream (the full simulator comes later)."""

from vigil.sim.example import example_stream

__all__ = ["example_stream"]
