"""Watch lists as a service: importing snapshots, re-screening what a change affects, loading the screener.

Orchestrates the pure ``screening`` package through the ``ListStore``, ``ListFiles`` and
``ScreeningStore`` ports; the CLI and bootstrap call it.
"""

from vigil.watchlists.importer import ImportReport, import_list
from vigil.watchlists.loading import load_screener
from vigil.watchlists.rescreen import rescreen_addresses, rescreen_names

__all__ = ["ImportReport", "import_list", "load_screener", "rescreen_addresses", "rescreen_names"]
