"""The inputs allowed to separate a typology by themselves, each with its source.

A YAML file (``justified.yaml`` beside this module by default)::

    justified:
      - typology: wash_trading
        input: device.any.distinct_account_30d
        source: "where the real-world evidence says this signal is this strong"

An entry excuses one input for one typology; every field is required and non-empty, and an entry may
appear once. A malformed file is ``InvalidInput`` naming the entry and the field.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from vigil.errors import InvalidInput

DEFAULT_JUSTIFIED = Path(__file__).with_name("justified.yaml")
_FIELDS = ("typology", "input", "source")


def parse_justified(
    text: str, *, known_typologies: frozenset[str] | None = None
) -> dict[tuple[str, str], str]:
    """(typology, input) -> source, from the YAML text of a justified list."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the justified list is not YAML ({exc})", field="justified") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) != {"justified"}:
        raise InvalidInput(
            "the justified list must be a mapping with one key, 'justified'", field="justified"
        )
    entries = data["justified"] or []
    if not isinstance(entries, list):
        raise InvalidInput("'justified' must be a list of entries", field="justified")
    out: dict[tuple[str, str], str] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InvalidInput(f"entry {n} is not a mapping", field="justified")
        unknown = set(entry) - set(_FIELDS)
        if unknown:
            raise InvalidInput(
                f"entry {n} has unknown keys: {', '.join(sorted(map(str, unknown)))}", field="justified"
            )
        for name in _FIELDS:
            value = entry.get(name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"entry {n} needs a non-empty '{name}'", field=f"justified[{n}].{name}")
        typology, name, source = entry["typology"], entry["input"], entry["source"]
        if known_typologies is not None and typology not in known_typologies:
            raise InvalidInput(
                f"entry {n} names an unknown typology {typology!r}", field=f"justified[{n}].typology"
            )
        if (typology, name) in out:
            raise InvalidInput(f"entry {n} repeats {typology} / {name}", field=f"justified[{n}]")
        out[(typology, name)] = source.strip()
    return out


def load_justified(
    path: Path = DEFAULT_JUSTIFIED, *, known_typologies: frozenset[str] | None = None
) -> dict[tuple[str, str], str]:
    """The justified list at ``path`` (a missing or unreadable file is ``InvalidInput``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(
            f"cannot read the justified list {path}: {exc.strerror}", field="justified"
        ) from None
    return parse_justified(text, known_typologies=known_typologies)
