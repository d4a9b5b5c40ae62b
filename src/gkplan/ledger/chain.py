"""The history's hash chain: what makes the entries tamper-evident.

Separate because only what writes an entry, `check`, copies between servers and migrations hash: a read
never needs it (nor the SHA-256 module it loads).
"""

from __future__ import annotations

from typing import Any

GENESIS = "0" * 64


def entry_hash(previous: str, entry: dict[str, Any]) -> str:
    """The chain: each entry's hash covers the one before it and everything it records.

    That includes `source` (the file an import read), which is provenance as much as the author is; it is
    covered only where set, so that every entry recorded before version 7 keeps the hash it was chained with."""
    fields = [entry[k] for k in ("id", "plan", "point", "entity", "ref", "action", "effective", "at", "by", "changes",
                                 "note", "cause", "undoes")]  # fmt: skip
    if entry.get("source") is not None:
        fields.append(entry["source"])
    from gkplan.ledger.jsonwrite import dumps  # (json's C encoder: `import json` costs a write ~10M instructions)

    text = dumps(fields, separators=(",", ":"), sort_keys=True)
    return _sha256()((previous + text).encode("utf-8")).hexdigest()


def _sha256() -> Any:
    """SHA-256 from CPython's own module where there is one: `hashlib` first loads OpenSSL, ~2.5 ms of every
    write's start. The digest is the same; hashlib stays the fallback (another interpreter, a FIPS build)."""
    try:
        from _sha256 import sha256  # CPython 3.11

        return sha256
    except ImportError:
        pass
    try:
        from _sha2 import sha256  # CPython 3.12 and later

        return sha256
    except ImportError:
        from hashlib import sha256

        return sha256
