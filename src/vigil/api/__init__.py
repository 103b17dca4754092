"""The HTTP API (``vigil serve``): an ASGI app over the engine, access and screening services.

An entry point: nothing else of Vigil imports it. See ``app.create_app``.
"""

from vigil.api.app import create_app

__all__ = ["create_app"]
