"""PyYAML, imported for the seed readers without the one cost of its import they never use.

`import yaml` compiles, in the class body of its pure-Python Reader, a character class spanning every
printable code point (NON_PRINTABLE): Python's regex compiler walks its 65,000 code points one by one,
some 57 M instructions, a tenth of a cold `gkplan load`. The seed readers parse with libyaml
(CSafeLoader, CParser), which checks printable characters itself and never touches that Reader. So the
pattern is compiled on first use instead: whoever uses the pure-Python Reader still gets the same pattern.
"""

from __future__ import annotations

import re
import sys
from typing import Any

_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"  # yaml/reader.py's
_compile = re.compile


class LazyPattern:
    """A regular expression compiled when it is first used."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern, self.flags, self._compiled = pattern, flags, None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = _compile(self.pattern, self.flags)
        return getattr(self._compiled, name)


def _lazily(pattern: Any, flags: int = 0) -> Any:
    return LazyPattern(pattern, flags) if pattern == _NON_PRINTABLE and flags == 0 else _compile(pattern, flags)


def import_yaml() -> Any:
    """The `yaml` module; its first import made with NON_PRINTABLE left to compile on first use."""
    yaml = sys.modules.get("yaml")
    if yaml is not None:
        return yaml
    re.compile = _lazily  # (for the length of the import: a CLI process runs no other thread meanwhile)
    try:
        import yaml
    finally:
        re.compile = _compile
    return yaml
