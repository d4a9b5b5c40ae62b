"""JSON of a document whose long lists come lazily (a spool's Replay, an iterator): written a piece at a time,
byte for byte as `json.dump(document, indent=2)` would write it whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gkplan.render.jsontext import pretty


def _lazy(v: Any) -> bool:
    return not isinstance(v, (str, bytes, dict, list, tuple)) and hasattr(v, "__iter__")


def dump(document: Any, write: Callable[[str], Any], ascii_only: bool, compact: bool = False) -> None:
    """Write `document` and a final newline; lists and iterables stream, anything holding none is written whole.
    `compact`: as json.dumps(…, separators=(",", ":")) writes it (an ndjson line)."""
    import json
    from json import encoder

    if compact:
        value: Callable[[Any, str], str] = lambda v, pad: json.dumps(v, ensure_ascii=ascii_only, separators=(",", ":"))  # noqa: E731
    else:
        value = pretty(ascii_only)
    nl, colon = ("", ":") if compact else ("\n", ": ")

    key = encoder.encode_basestring_ascii if ascii_only else encoder.encode_basestring

    def holds_lazy(v: Any) -> bool:
        if _lazy(v):
            return True
        if isinstance(v, dict):
            return any(holds_lazy(x) for x in v.values())
        if isinstance(v, (list, tuple)):
            return any(holds_lazy(x) for x in v)
        return False

    def emit(v: Any, pad: str) -> None:
        if not holds_lazy(v):
            write(value(v, pad))
            return
        inner = "" if compact else pad + "  "
        if isinstance(v, dict):
            write("{")
            for n, (k, x) in enumerate(v.items()):
                write(("," if n else "") + nl + inner + key(k) + colon)
                emit(x, inner)
            write(nl + pad + "}")
            return
        first = True
        for x in v:
            write(("[" if first else ",") + nl + inner)
            emit(x, inner)
            first = False
        write("[]" if first else nl + pad + "]")

    emit(document, "")
    write("\n")
