"""YAML for list files: libyaml's parser, plain containers, and the line each mapping starts on.

``yaml.load`` with ``CSafeLoader`` spends most of its time not in libyaml but in building Python
node objects and running constructors, and it drops the marks a row error wants. Here libyaml's
parser (``yaml.CSafeLoader``) produces the events and one loop builds dicts and lists from them:
about 3 s instead of 12 s over the 31 MB of GraphSense packs, with the 1-based line of every
mapping and list kept on it.

Scalars stay strings, as with ``yaml.BaseLoader``: an unquoted ``0x...`` address or a label
``no`` is never turned into an int or a bool. A plain empty, ``~`` or ``null`` scalar is ``None``.
Anchors and aliases work; merge keys (``<<``), non-scalar keys and several documents in one file
are refused as ``InvalidListFile``: no list format uses them, and guessing would be worse.
"""

from __future__ import annotations

import yaml

from vigil.errors import InvalidListFile

_BOM = "\ufeff"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class YamlMap(dict[str, object]):
    """A YAML mapping that remembers the 1-based line it starts on."""

    __slots__ = ("line",)
    line: int


class YamlSeq(list[object]):
    """A YAML list that remembers the 1-based line of its first item."""

    __slots__ = ("line",)
    line: int


def load_yaml(text: str, file: str) -> object:
    """The one YAML document of ``text`` as :class:`YamlMap`, :class:`YamlSeq`, strings and ``None``."""
    root: object = None
    stack: list[YamlMap | YamlSeq] = []
    keys: list[str | None] = []  # per open container: the key waiting for its value
    anchors: dict[str, object] = {}
    documents = 0

    def place(value: object, event: yaml.NodeEvent) -> None:
        nonlocal root
        if event.anchor is not None:
            anchors[event.anchor] = value
        if not stack:
            root = value
            return
        top = stack[-1]
        if isinstance(top, YamlSeq):
            top.append(value)
            return
        key = keys[-1]
        if key is None:
            raise InvalidListFile(f"line {_line(event)}: a mapping key must be a plain value", file=file)
        top[key] = value
        keys[-1] = None

    parser = yaml.CSafeLoader(text.removeprefix(_BOM))
    try:
        for event in iter(parser.get_event, None):  # not yaml.parse: its generator costs a second
            if isinstance(event, yaml.ScalarEvent):
                plain = event.implicit[0]
                if stack and keys[-1] is None and isinstance(stack[-1], YamlMap):
                    if plain and event.value == "<<":
                        raise InvalidListFile(
                            f"line {_line(event)}: YAML merge keys are not supported", file=file
                        )
                    keys[-1] = event.value
                else:
                    place(None if plain and event.value in _NULLS else event.value, event)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                container = YamlMap() if isinstance(event, yaml.MappingStartEvent) else YamlSeq()
                container.line = _line(event)
                place(container, event)
                stack.append(container)
                keys.append(None)
            elif isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
                keys.pop()
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise InvalidListFile(
                        f"line {_line(event)}: unknown YAML alias *{event.anchor}", file=file
                    )
                place(anchors[event.anchor], event)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise InvalidListFile("holds more than one YAML document", file=file)
    except yaml.YAMLError as error:
        raise InvalidListFile(f"not valid YAML: {' '.join(str(error).split())}", file=file) from None
    finally:
        parser.dispose()
    return root


def _line(event: yaml.Event) -> int:
    return 0 if event.start_mark is None else event.start_mark.line + 1
