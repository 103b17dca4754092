"""Configuration, read once from the environment (``VIGIL_*``) and validated; see ``.env.example``.

Tests and the CLI build ``Settings(...)`` with explicit values; nothing reads the environment at
import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIGIL_", extra="forbid", frozen=True)

    db: str = Field(
        default=".vigil/vigil.db",
        description="SQLite journal path, or 'memory' for an in-process journal (gone when the process ends)",
    )
    rules_dir: Path | None = Field(default=None, description="rule files directory; unset = built-in packs")
    geoip_country_db: Path | None = Field(default=None, description="MaxMind-format country database")
    geoip_anonymous_db: Path | None = Field(default=None, description="MaxMind-format anonymous-IP database")
    batch_size: int = Field(default=1, ge=1, le=100_000, description="events per SQLite commit (1 = each)")
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(default="NORMAL")
    screening_policy: Path | None = Field(
        default=None, description="screening policy file (category -> effect); unset = the built-in default"
    )
