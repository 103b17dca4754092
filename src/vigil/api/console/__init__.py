"""The desk's web console, served by ``vigil serve`` under ``/console`` (docs/desk.md)."""

from vigil.api.console.pages import router

__all__ = ["router"]
