"""The plan shipped with gkplan (2022's 39 work points). `data/workpoints_2022.yaml` is the one people read: the
README points to it, and a clerk copies it to write next year's plan. gkplan reads its JSON twin, made from it
by `python -m gkplan.bundled > data/workpoints_2022.json` and checked equal to it by tests/test_bundled.py:
the same plan without PyYAML's import and parse, a tenth of a cold `gkplan load` (and of the first command
that makes a ledger)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gkplan.errors import Problem, SeedError

if TYPE_CHECKING:
    from gkplan.seed import SeedSource

NAME = "workpoints_2022.yaml"
TWIN = "workpoints_2022.json"


def bundled_path(name: str = NAME) -> Path:
    """The bundled plan's file: inside the installed package, or data/ in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data" / name, here.parents[1] / "data" / name):
        if candidate.is_file():
            return candidate
    raise SeedError([Problem(None, None, None, None, None, f"找不到内置种子文件 {name}：安装不完整，请重新安装 gkplan")])


def open_plan(file: Path | None) -> SeedSource:
    """`file` read as a seed, or (None) the bundled plan, from its twin."""
    from gkplan.seed import open_seed

    return open_seed(file or bundled_path(TWIN))


def twin(yaml_text: str) -> str:
    """The JSON twin of the bundled plan's YAML: its values as the YAML reader gives them (a date as its ISO text,
    which a seed reads as the same date), one key a line, as committed."""
    import json

    import yaml

    def iso(value: object) -> str:
        return value.isoformat()  # type: ignore[attr-defined]  # (dates: the only values JSON has no type for)

    return json.dumps(yaml.safe_load(yaml_text), ensure_ascii=False, indent=1, default=iso) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    sys.stdout.write(twin(bundled_path().read_text(encoding="utf-8")))
