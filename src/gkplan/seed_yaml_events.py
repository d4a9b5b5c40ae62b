"""A hand-written seed's values built straight from libyaml's events, when the seed is plain YAML.

The whole-file reader (seed_yaml.py) composes a node tree and has PyYAML's SafeConstructor build the values
from it: for the bundled 39-point plan some 40M instructions (and the Resolver's and Constructor's patterns
compiled), a tenth of a cold `gkplan load`. A seed written as a clerk writes it holds mappings, lists, text,
whole numbers and dates, with no tag, anchor or alias: `plain(yaml, text)` builds exactly those values from
the events and returns None as soon as it meets anything else — a tag, an anchor, an alias, a key that is
not text or is repeated, a plain scalar it does not read as the Resolver would for certain, a nesting too
deep, a syntax error, more or fewer than one document, a top level that is not a mapping. The seed is then
read by seed_yaml._parse as ever, which says what is wrong where. So what it returns is what _parse returns
(tests/test_seed_yaml_events.py checks them against each other), and any text it does not take is read as
before. Positions, needed only for a problem, come from _parse's nodes (YamlSource._locate).

How a plain scalar is read (PyYAML 6's Resolver, resolver.py): by the patterns listed under its first
character; a character no pattern starts with, or any character outside ASCII (every pattern is ASCII,
without wildcards), makes it text. Under a letter and ~ < = ! & * the patterns are whole words (null, the
booleans, <<, =, …): anything else is text. Of the numeric ones (a digit, -, + or . first) only digits and
YYYY-MM-DD are read here; a float, a signed, octal, hex or sexagesimal number, a timestamp: _parse.
"""

from __future__ import annotations

from typing import Any

from gkplan.seed import MAX_DEPTH, MAX_DIGITS, TooLarge


class _Other(Exception):
    """Something plain() does not read: the seed goes to seed_yaml._parse."""


_WORDS = {"~": None, "null": None, "Null": None, "NULL": None,
          **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
          **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False)}  # fmt: skip


_NUMERIC = frozenset("-+.0123456789")  # (floats, ints, timestamps: only digits and YYYY-MM-DD are read here)
_FIRSTS = frozenset(["", *"yYnNtTfFoO~<=!&*", *_NUMERIC])  # the first characters PyYAML 6's Resolver has patterns for


def plain(yaml: Any, text: str) -> dict[str, Any] | None:
    """The seed's top mapping as SafeConstructor would build it, or None: read it with _parse."""
    loader = getattr(yaml, "CSafeLoader", None)
    resolver = getattr(getattr(yaml, "resolver", None), "Resolver", None)
    if loader is None or resolver is None or not getattr(yaml, "__version__", "").startswith("6."):
        return None  # (no libyaml, or a PyYAML whose Resolver this module was not written against)
    firsts = frozenset(resolver.yaml_implicit_resolvers)
    if firsts != _FIRSTS:
        return None
    parser = loader(text)
    try:
        return _document(yaml, parser.get_event, firsts)
    except (_Other, yaml.YAMLError):
        return None
    finally:
        parser.dispose()


def _document(yaml: Any, get: Any, firsts: frozenset) -> dict[str, Any]:
    """One document whose top level is a mapping, then the stream's end."""
    events = yaml.events
    stream_end, mapping = events.StreamEndEvent, events.MappingStartEvent
    scalar, sequence, sequence_end, mapping_end = events.ScalarEvent, events.SequenceStartEvent, events.SequenceEndEvent, events.MappingEndEvent

    def value(event: Any, depth: int) -> Any:
        kind = type(event)
        if event.anchor is not None or event.tag is not None:  # (an AliasEvent has no tag: its anchor is set)
            raise _Other
        if kind is scalar:
            return event.value if not event.implicit[0] else _scalar(event.value, firsts)
        if depth > MAX_DEPTH:
            raise _Other
        if kind is sequence:
            items = []
            while type(event := get()) is not sequence_end:
                items.append(value(event, depth + 1))
            return items
        if kind is not mapping:
            raise _Other
        found: dict[Any, Any] = {}
        while type(event := get()) is not mapping_end:
            if type(event) is not scalar or event.anchor is not None or event.tag is not None:
                raise _Other
            key = event.value if not event.implicit[0] else _scalar(event.value, firsts)
            if key in found:  # (_parse says which key, and where it was first)
                raise _Other
            found[key] = value(get(), depth + 1)
        return found

    if type(get()) is not events.StreamStartEvent or type(get()) is not events.DocumentStartEvent:
        raise _Other
    start = get()
    if type(start) is not mapping:
        raise _Other
    data = value(start, 1)
    if type(get()) is not events.DocumentEndEvent or type(get()) is not stream_end:
        raise _Other
    return data


def _scalar(text: str, firsts: frozenset) -> Any:
    """A plain scalar as the Resolver and SafeConstructor read it (with seed_yaml's TooLarge), or _Other."""
    if not text:
        return None
    if text[0] not in firsts or not text.isascii():
        return text
    if text.isdigit() and (text[0] != "0" or len(text) == 1):
        return TooLarge(text) if len(text) > MAX_DIGITS else int(text)
    if len(text) == 10 and text[4] == "-" == text[7] and text[:4].isdigit() and text[5:7].isdigit() and text[8:].isdigit():
        from datetime import date

        try:
            return date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:  # (_parse says 无效的日期, where)
            raise _Other from None
    if text in _WORDS:
        return _WORDS[text]
    if text[0] in _NUMERIC or text in ("<<", "=", "!", "&", "*"):  # (merge and value keys: _parse's own)
        raise _Other
    return text  # (a letter, ~, <, =, !, & or * first: their only patterns are those words)
