"""A batch of a listing's records written as `json.dumps` with indent=2 writes each, joined by ",\\n" + pad.

An export writes 400,000 records of a few key orders (points, history entries). jsontext.pretty lays out
one record per call; here a batch of records of one key order goes through json's C encoder in one call
(as lists of their values, "\\x1e" between items, as in jsontext) and is laid out by interleaving the
encoded values with the key heads, at C speed: no Python code runs per scalar, nor per record for one
without containers. A record's containers (a history entry's `changes`, a point's owners) are written by
pretty, and so is every batch the fast path cannot prove it reads right (differing key orders, a container
where the batch's first record had a scalar, a value json cannot write)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gkplan.render.jsontext import _SCALARS, _Unknown, _unknown, pretty


def pretty_rows(ascii_only: bool) -> Callable[[list[Any], str], str]:
    """rows(batch, pad) == (",\\n" + pad).join(json.dumps(r, ensure_ascii=ascii_only, indent=2) with every line
    after the first indented by pad, for r in batch), byte for byte (tests/test_jsonrows.py)."""
    from json import encoder

    value = pretty(ascii_only)
    string = encoder.encode_basestring_ascii if ascii_only else encoder.encode_basestring
    c_make = getattr(encoder, "c_make_encoder", None)
    compact = c_make and c_make(None, _unknown, string, None, "\x1f", "\x1e", False, False, True)
    shapes: dict[tuple[tuple[Any, ...], str], tuple[list[str], list[str], str]] = {}

    def one_by_one(batch: list[Any], pad: str) -> str:
        return (",\n" + pad).join([value(r, pad) for r in batch])

    def rows(batch: list[Any], pad: str) -> str:
        first = batch[0] if batch else None
        if compact is None or first.__class__ is not dict or len(first) < 2:
            return one_by_one(batch, pad)
        keys = tuple(first)
        if any(r.__class__ is not dict or tuple(r) != keys for r in batch):
            return one_by_one(batch, pad)
        shape = shapes.get((keys, pad))
        if shape is None:
            if not all(k.__class__ is str for k in keys):
                return one_by_one(batch, pad)
            inner = pad + "  "
            heads = [f",\n{inner}{string(k)}: " for k in keys]
            later = heads[:]  # the heads of every record after the first: the one before closes it
            heads[0] = "{\n" + heads[0][2:]
            later[0] = "\n" + pad + "},\n" + pad + heads[0]
            if len(shapes) >= 64:
                shapes.clear()
            shape = shapes[(keys, pad)] = (heads, later, inner)
        heads, later, inner = shape
        width, n = len(keys), len(batch)
        inside = [i for i, x in enumerate(first.values()) if x.__class__ not in _SCALARS]
        values = [list(r.values()) for r in batch]
        held = [[v[i] for v in values] for i in inside]
        for i in inside:
            for v in values:
                v[i] = 0
        try:
            text = compact(values, 0)[0]
        except _Unknown:
            return one_by_one(batch, pad)
        # every "\x1e[" must be a boundary between two records ("]\x1e[") and no value a container: a string
        # holds no raw "\x1e", and no scalar's text begins with "[" or "{" or ends with "]"
        if text[2] in "[{" or text.count("\x1e[") != n - 1 or "\x1e{" in text or "\x1e[[" in text or "\x1e[{" in text:
            return one_by_one(batch, pad)
        parts = text[2:-2].replace("]\x1e[", "\x1e").split("\x1e")
        if len(parts) != width * n:  # (cannot happen: a record of `width` scalars has width - 1 separators)
            return one_by_one(batch, pad)
        for i, kept in zip(inside, held):
            parts[i::width] = many(kept, inner) or [value(x, inner) for x in kept]
        out = [""] * (2 * width * n)
        out[0::2] = heads + later * (n - 1)
        out[1::2] = parts
        out.append("\n" + pad + "}")
        return "".join(out)

    def many(kept: list[Any], pad: str) -> list[str] | None:
        """The texts of several dicts whose every value is a non-empty list of scalars (a history entry's
        changes), or of several non-empty lists of scalars, from one compact encoding of them all; None
        when they are not all such (checked on the encoding, where every raw separator is structural)."""
        kind = kept[0].__class__
        if (kind is not dict and kind is not list) or not all(x.__class__ is kind for x in kept):
            return None
        try:
            text = compact(kept, 0)[0]
        except _Unknown:
            return None
        n, inner = len(kept), pad + "  "
        if kind is list:  # "[[a\x1eb]\x1e[c]]": each "\x1e[" a boundary, no list empty or holding a container
            if (text[2] in "[{]" or text.count("\x1e[") != n - 1 or "\x1e{" in text or "\x1e[[" in text
                    or "\x1e[{" in text or "\x1e[]" in text or "\x1f" in text):  # fmt: skip
                return None
            end = "\n" + pad + "]"
            body = text[2:-2].replace("]\x1e[", end + "\x1d[\n" + inner).replace("\x1e", ",\n" + inner)
            texts = ("[\n" + inner + body + end).split("\x1d")
            return texts if len(texts) == n else None
        # "[{k\x1f[a\x1eb]\x1ek\x1f[c\x1ed]}\x1e{…}]": every key's value a list, every "\x1e{" a boundary
        keys = text.count("\x1f")
        if (not text.startswith("[{\"") or text.count("\x1f[") != keys or text.count("\x1e{") != n - 1
                or text.count("}\x1e{") != n - 1 or "\x1e[" in text or "\x1f[]" in text or "\x1f[[" in text
                or "\x1f[{" in text or "\x1e{}" in text):  # fmt: skip
            return None
        deeper = inner + "  "
        end = "\n" + inner + "]\n" + pad + "}"
        body = (text[2:-3].replace("]}\x1e{", end + "\x1d{\n" + inner).replace("\x1f[", ": [\n" + deeper)
                .replace("]\x1e", "\n" + inner + "],\n" + inner).replace("\x1e", ",\n" + deeper))  # fmt: skip
        texts = ("{\n" + inner + body + end).split("\x1d")
        return texts if len(texts) == n else None

    return rows
