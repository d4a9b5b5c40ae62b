"""json.dumps(..., ensure_ascii=False) without importing json: its C encoder (_json) called directly, as
json.JSONEncoder.encode calls it. `import json` costs a cold `gkplan load` some 10M instructions (json.decoder
and json.encoder compile their patterns), _json under half a million. A value the C encoder cannot write
whole (a type JSON has no word for, a loop) goes to json.dumps itself: the same text or the same error."""

from __future__ import annotations

from typing import Any


def _refuse(value: Any) -> Any:
    raise TypeError  # (json.dumps is then asked, and says what it says of `value`)


try:
    from _json import encode_basestring as _text
    from _json import make_encoder as _make
except ImportError:  # an interpreter without the C accelerator
    _make = None


def dumps(value: Any, *, sort_keys: bool = False, separators: tuple[str, str] = (", ", ": ")) -> str:
    """json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, separators=separators)."""
    item, key = separators
    if _make is not None:
        if type(value) is str:
            return _text(value)
        # as JSONEncoder.iterencode makes it: markers (json's check for loops), default, the string encoder, no
        # indent, the separators, sort_keys, skipkeys and allow_nan (json's defaults)
        encode = _make({}, _refuse, _text, None, key, item, sort_keys, False, True)
        try:
            return "".join(encode(value, 0))
        except (TypeError, ValueError, RecursionError):
            pass
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
