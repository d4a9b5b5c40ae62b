"""json.loads without importing json: its C scanner (_json) called directly. `import json` costs a command's start
some 20M instructions (json.decoder compiles its patterns), _json under half a million; the views that decode the
owners and checkpoints of a few points (remind, missing, brief, bulletin) need no more. Text the scanner does not
read whole, or refuses, goes to json.loads itself: the same value or the same error."""

from __future__ import annotations

from typing import Any


class _Decoder:
    """What the scanner reads of json.JSONDecoder(): its defaults (NaN, Infinity, -Infinity as float() reads them)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float


try:
    from _json import make_scanner

    _scan = make_scanner(_Decoder())
except ImportError:  # an interpreter without the C accelerator
    _scan = None


def loads(text: Any) -> Any:
    if _scan is not None and isinstance(text, str):
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            end = -1
        if end == len(text):
            return value
    import json  # whitespace around it, extra data, not JSON: json's own reading and error

    return json.loads(text)
