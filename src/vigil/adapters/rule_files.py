"""Rule sources: a directory of YAML/JSON rule files, or the packs built into Vigil."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from vigil.errors import ConfigError
from vigil.rules import Source

SUFFIXES = (".yaml", ".yml", ".json")


class DirectoryRules:
    """Every ``*.yaml``, ``*.yml`` and ``*.json`` file of a directory (not recursive)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise ConfigError(f"rules directory {self.path} does not exist or is not a directory")

    def _files(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir() if p.suffix in SUFFIXES and p.is_file())

    def read(self) -> list[Source]:
        out = []
        for p in self._files():
            try:
                out.append(Source(p.name, p.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read rule file {p}: {exc}") from None
        return out

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for p in self._files():
            st = p.stat()
            digest.update(f"{p.name}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
        return digest.hexdigest()


class BuiltinRules:
    """The packs shipped in ``vigil/rules/packs``: FATF red flags, withdrawal protections, thresholds."""

    def read(self) -> list[Source]:
        packs = resources.files("vigil.rules") / "packs"
        return sorted(
            (
                Source(entry.name, entry.read_text(encoding="utf-8"))
                for entry in packs.iterdir()
                if entry.name.endswith(SUFFIXES)
            ),
            key=lambda s: s.name,
        )

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for source in self.read():
            digest.update(source.name.encode() + b"\0" + source.text.encode() + b"\0")
        return digest.hexdigest()
