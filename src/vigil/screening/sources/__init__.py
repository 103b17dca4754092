"""Importers: one module per real list format, each a pure ``parse(files) -> Parsed``."""
