"""Alembic migrations of the PostgreSQL schema; run them with ``vigil.adapters.postgres.migrate``."""
