"""The API's routes, one module per capability; each route declares its roles with ``guard``."""
