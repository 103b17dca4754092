"""List files on disk: a list directory (or one file) read as ``{relative path: text}`` for an importer."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

from vigil.errors import InvalidListFile

_DATE = re.compile(r"^(?:commit_date|date|published):\s*(\S+)", re.MULTILINE)


class DiskListFiles:
    def read(self, path: str, patterns: tuple[str, ...]) -> dict[str, str]:
        root = Path(path)
        if not root.exists():
            raise InvalidListFile("no such file or directory", file=path)
        if root.is_file():
            names = [p.rsplit("/", 1)[-1] for p in patterns]
            if not any(fnmatch(root.name, n) for n in names):
                raise InvalidListFile(f"is not one of this source's files ({', '.join(patterns)})", file=path)
            files = {root.name: root}
        else:
            files = {
                str(p.relative_to(root)): p for pattern in patterns for p in root.glob(pattern) if p.is_file()
            }
            if not files:
                raise InvalidListFile(f"holds none of this source's files ({', '.join(patterns)})", file=path)
        out: dict[str, str] = {}
        for name in sorted(files):
            try:
                out[name] = files[name].read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidListFile(
                    f"is not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(files[name])
                ) from None
            except OSError as exc:
                raise InvalidListFile(f"cannot be read: {exc.strerror}", file=str(files[name])) from None
        return out

    def list_date(self, path: str) -> str:
        root = Path(path)
        for folder in (
            root if root.is_dir() else root.parent,
            (root if root.is_dir() else root.parent).parent,
        ):
            source = folder / "SOURCE.txt"
            if source.is_file():
                match = _DATE.search(source.read_text(encoding="utf-8", errors="replace"))
                if match:
                    return match.group(1)
        return ""
