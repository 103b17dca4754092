"""Adapters: memory and real implementations of the ports (SQLite, rule files, IP databases)."""
