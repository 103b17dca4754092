"""Adapters: memory and real implementations of the ports.

SQLite, PostgreSQL, rule files, list files, IP databases.
"""
