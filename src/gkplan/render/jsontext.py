"""JSON for a listing, written a record at a time as `json.dumps(records, indent=2)` would write the whole list.

json's indenting encoder is pure Python; its C encoder writes no line breaks. `pretty` has the C encoder write
a record's values in one call, separated by two control characters ("\\x1e" between items, "\\x1f" between a key
and its value) that no encoded string can hold (json escapes every character below U+0020), and then lays them
out: every raw "\\x1e" or "\\x1f" in its output is a separator, so each can be told apart from the text of a
string without reading the strings. What the fast paths do not cover is written value by value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class _Unknown(Exception):
    """A value json's encoder would hand to `default` (a date, a set): the slow path gives json's own error."""


def _unknown(value: Any) -> Any:
    raise _Unknown


_SCALARS = (str, int, float, bool, type(None))
_MEMO_TEXT, _MEMO_SIZE, _SHAPES = 256, 2048, 1024  # bounds: memory stays flat however long the listing


def pretty(ascii_only: bool) -> Callable[[Any, str], str]:
    """`json.dumps(value, ensure_ascii=ascii_only, indent=2)` with every line after the first indented by
    `pad`, byte for byte (tests/test_output.py proves it on random values), two to three times faster."""
    import json
    from json import encoder

    string = encoder.encode_basestring_ascii if ascii_only else encoder.encode_basestring
    floats = {float("inf"): "Infinity", float("-inf"): "-Infinity"}
    c_make = getattr(encoder, "c_make_encoder", None)
    compact = c_make and c_make(None, _unknown, string, None, "\x1f", "\x1e", False, False, True)
    shapes: dict[tuple[tuple[str, ...], str], tuple[list[str], tuple[int, ...], str]] = {}
    memo: dict[tuple[str, str], str] = {}

    def value(v: Any, pad: str) -> str:
        kind = v.__class__
        if kind is str:
            return string(v)
        if kind is int:
            return int.__repr__(v)
        if v is None:
            return "null"
        if kind is bool:
            return "true" if v else "false"
        if kind is float:
            return "NaN" if v != v else floats.get(v) or float.__repr__(v)
        if kind is list or kind is tuple:
            if not v:
                return "[]"
            inner = pad + "  "
            first = v[0].__class__
            if first is str:  # names (leaders, departments): json's C escaper over the list
                try:
                    return "[\n" + inner + (",\n" + inner).join(map(string, v)) + "\n" + pad + "]"
                except TypeError:  # not all strings
                    pass
            elif compact is not None and (len(v) > 4 or first is dict or first is list):
                return laid_out(v, pad)
            return "[\n" + inner + (",\n" + inner).join([value(x, inner) for x in v]) + "\n" + pad + "]"
        if kind is dict:
            return record(v, pad) if compact is not None else by_key(v, pad)
        return whole(v, pad)

    def whole(v: Any, pad: str) -> str:
        return json.dumps(v, ensure_ascii=ascii_only, indent=2).replace("\n", "\n" + pad)

    def by_key(v: dict[Any, Any], pad: str) -> str:
        if not all(k.__class__ is str for k in v):
            return whole(v, pad)
        if not v:
            return "{}"
        inner = pad + "  "
        return "{\n" + ",\n".join([f"{inner}{string(k)}: {value(x, inner)}" for k, x in v.items()]) + "\n" + pad + "}"

    def record(row: dict[Any, Any], pad: str) -> str:
        """A dict: its scalars in one call of the C encoder (lists and dicts in it stand in as 0 there and are
        written on their own); how its keys are written and where its containers are is kept per key order."""
        if len(row) < 6:
            return laid_out(row, pad) if row else "{}"
        key = (tuple(row), pad)
        shape = shapes.get(key)
        if shape is None:
            if not all(k.__class__ is str for k in row):
                return whole(row, pad)
            inner = pad + "  "
            heads = [f",\n{inner}{string(k)}: " for k in row for _ in (0, 1)]  # every other one a value's place
            heads[0] = "{\n" + heads[0][2:]
            heads.append("\n" + pad + "}")
            inside = tuple(i for i, x in enumerate(row.values()) if x.__class__ not in _SCALARS)
            if len(shapes) >= _SHAPES:
                shapes.clear()
            shape = shapes[key] = (heads, inside, inner)
        heads, inside, inner = shape
        values = list(row.values())
        held = [values[i] for i in inside]
        for i in inside:
            values[i] = 0
        try:
            text = compact(values, 0)[0]
        except _Unknown:
            return by_key(row, pad)
        if text[1] in "[{" or "\x1e[" in text or "\x1e{" in text:  # a list or dict where this key order had none
            shapes.pop(key, None)
            return by_key(row, pad)
        parts = text[1:-1].split("\x1e")
        for i, x in zip(inside, held):
            parts[i] = value(x, inner)
        heads[1:-1:2] = parts  # (written and joined at once: a record inside this one is done by now)
        return "".join(heads)

    def laid_out(v: Any, pad: str) -> str:
        """A small dict or a list of containers, from its compact encoding: laid out by replacing separators
        when it is one level deep (or a dict of lists one level deep); once per distinct value (the owners of
        many points are the same few)."""
        try:
            text = compact(v, 0)[0]
        except _Unknown:
            return whole(v, pad) if v.__class__ is not dict else by_key(v, pad)
        key = (text, pad)
        out = memo.get(key) if v.__class__ is not dict else None
        if out is not None:
            return out
        inner = pad + "  "
        if len(text) == 2:
            out = text
        elif text[0] == "[":
            if text[1] not in "[{" and "\x1e[" not in text and "\x1e{" not in text:
                out = "[\n" + inner + text[1:-1].replace("\x1e", ",\n" + inner) + "\n" + pad + "]"
        elif "\x1f{" not in text:
            lists = text.count("\x1f[")
            if not lists:
                out = "{\n" + inner + text[1:-1].replace("\x1e", ",\n" + inner).replace("\x1f", ": ") + "\n" + pad + "}"
            elif lists == text.count("\x1f") and not (
                "\x1f[]" in text or "\x1f[[" in text or "\x1f[{" in text or "\x1e[" in text or "\x1e{" in text
            ):
                # every value a non-empty list of scalars: "]\x1e" can only end a list (no scalar ends in "]")
                deeper = inner + "  "
                out = ("{\n" + inner + text[1:-2].replace("\x1f[", ": [\n" + deeper).replace("]\x1e", "\n" + inner + "],\n" + inner)
                       .replace("\x1e", ",\n" + deeper) + "\n" + inner + "]\n" + pad + "}")  # fmt: skip
        if out is None:
            if v.__class__ is dict:
                out = by_key(v, pad)
            else:
                out = "[\n" + inner + (",\n" + inner).join([value(x, inner) for x in v]) + "\n" + pad + "]"
        if len(text) <= _MEMO_TEXT and v.__class__ is not dict:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = out
        return out

    return value
