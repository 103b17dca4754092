"""Vigil: real-time risk control for cryptocurrency exchanges.

Start at ``vigil.bootstrap.build_engine`` to get a wired engine, or read ARCHITECTURE.md.
"""

from vigil.version import __version__

__all__ = ["__version__"]
