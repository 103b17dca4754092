"""Access: who may call Vigil. API keys for services, people with passwords and expiring sessions.

``Access`` is the service over the ``AccessStore`` port; the API asks it for the ``Principal`` behind a
bearer token and checks the route's roles against it.
"""

from vigil.access.service import KEY_PREFIX, MIN_PASSWORD, Access, Issued
from vigil.access.tokens import digest

__all__ = ["KEY_PREFIX", "MIN_PASSWORD", "Access", "Issued", "digest"]
