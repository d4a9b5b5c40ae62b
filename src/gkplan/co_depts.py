"""协办: the `--co-dept` edits of a point's or task's co-operating departments. `--co-dept 财务部` adds
one, `--co-dept -财务部` removes one; names resolve against the departments the ledger knows (lead,
co-operating or owning a task), as `--dept` does, so a typo is refused instead of creating a department."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gkplan.errors import InvalidValue

if TYPE_CHECKING:
    from gkplan.ledger import Ledger

SEPARATOR = "\x1f"  # ledger.points.KEY_SEPARATOR (not imported: this module is on the update path only)


def parse_co(ledger: Ledger, values: tuple[str, ...] | None) -> list[tuple[bool, str]]:
    """Each edit as (add?, department name), resolved; an empty list when none were given."""
    if not values:
        return []
    from gkplan.filters import resolve_department

    edits = []
    for value in values:
        remove = value.startswith("-")
        name = value[1:] if remove else value
        if not name.strip():
            raise InvalidValue("--co-dept 须写部门名（去掉一个协办部门写 -部门名）")
        edits.append((not remove, resolve_department(ledger, name)))
    return edits


def apply_co(current: str | None, edits: list[tuple[bool, str]], owners: list[str], what: str) -> str | None:
    """The co-operating departments after `edits`, stored joined; the owners (lead departments, or the
    task's department) cannot co-operate on their own item."""
    names = current.split(SEPARATOR) if current else []
    for add, name in edits:
        if add and name in owners:
            raise InvalidValue(f"{what}的牵头（负责）部门“{name}”不能同时是协办部门")
        if add and name not in names:
            names.append(name)
        elif not add:
            if name not in names:
                raise InvalidValue(f"“{name}”不是{what}的协办部门" + (f"（现有：{'、'.join(names)}）" if names else "（目前没有协办部门）"))
            names.remove(name)
    return SEPARATOR.join(names) or None


def owners_of(item: dict[str, Any]) -> list[str]:
    """An item's own departments from its stored row: a point's leads, or a task's department."""
    key = item.get("dept") or item.get("department_key")
    return key.split(SEPARATOR) if key else []
