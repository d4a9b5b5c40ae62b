"""PyYAML, imported for the seed readers without the one cost of its import they never use.

`import yaml` compiles, in its class bodies and module tops, some 40 regular expressions: the pure-Python
Reader's NON_PRINTABLE, a character class spanning every printable code point (Python's regex compiler walks
its 65,000 code points one by one, some 57 M instructions), the Resolver's implicit types, the Constructor's
timestamp, the Emitter's and Representer's. The seed readers parse with libyaml (CParser) and build the
common plan from its events (seed_yaml_events.py): none of those patterns is used then. So every pattern
PyYAML compiles while it is imported is compiled on its first use instead (~10 M instructions of a cold
`gkplan load`): whoever uses the pure-Python Reader, the Resolver or the Constructor gets the same pattern.
"""

from __future__ import annotations

import re
import sys
from typing import Any

_compile = re.compile


class LazyPattern:
    """A regular expression compiled when it is first used; each attribute then held as the pattern's own
    (a method looked up once: the Resolver calls `match` once per plain scalar)."""

    def __init__(self, pattern: Any, flags: int) -> None:
        self.pattern, self.flags, self._compiled = pattern, flags, None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # (copy, pickle and the like probe dunders: they are not the pattern's)
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = _compile(self.pattern, self.flags)
        value = getattr(self._compiled, name)
        setattr(self, name, value)
        return value


def _lazily(pattern: Any, flags: int = 0) -> Any:
    """re.compile while yaml is imported: lazy for PyYAML's own modules, as ever for any other it imports."""
    caller = sys._getframe(1).f_globals.get("__name__") or ""
    if isinstance(pattern, str | bytes) and (caller == "yaml" or caller.startswith("yaml.")):
        return LazyPattern(pattern, flags)
    return _compile(pattern, flags)


def import_yaml() -> Any:
    """The `yaml` module; its first import made with its patterns left to compile on first use."""
    yaml = sys.modules.get("yaml")
    if yaml is not None:
        return yaml
    re.compile = _lazily  # (for the length of the import: a CLI process runs no other thread meanwhile)
    try:
        import yaml
    finally:
        re.compile = _compile
    return yaml
