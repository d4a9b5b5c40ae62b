"""What the user typed, turned into exact filters: department, leader and section names, lights and roles.
Unknown names fail here, before any query runs, with the closest known names."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from gkplan.errors import InvalidValue, NotFound
from gkplan.ledger import Ledger, PointQuery
from gkplan.reports import LIGHTS
from gkplan.values import ROLE_LABELS, parse_status

_CN_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_LIGHT_ALIASES = {v: k for k, v in LIGHTS.items()} | {"红灯": "red", "黄灯": "yellow", "绿灯": "green", "已完成": "done",
                                                       "未报": "unreported", "缓": "deferred", "待销": "review"}  # fmt: skip


def resolve_name(text: str, known: list[str], what: str) -> str:
    """Exact name, else the one known name that contains `text`, else the one its abbreviation (党办 → 党委办公室,
    教务处 → 教务部) or its pinyin (jwb, jiaowubu, lisong) names; otherwise an error naming the candidates or
    the closest names."""
    wanted = unicodedata.normalize("NFKC", text).strip()
    partial = candidates(wanted, known)
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise NotFound(f"“{text}”可指多个{what}：{'、'.join(partial)}；请写得更完整")
    import difflib  # only on the error path

    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.3)
    listing = {"部门": "gkplan depts", "校领导": "gkplan leaders", "部分": "gkplan report --by section"}.get(what)
    hint = f"；最接近的是：{'、'.join(close)}" if close else (f"；用 {listing} 查看全部" if listing else "")
    raise NotFound(f"没有名为“{text}”的{what}{hint}")


def candidates(wanted: str, known: list[str]) -> list[str]:
    """The known names `wanted` (normalised) may mean: itself, else those containing it, else by abbreviation or pinyin."""
    if wanted in known:
        return [wanted]
    return [name for name in known if wanted and wanted in name] or abbreviated(wanted, known) or spelled(wanted, known)


_SUFFIXES = ("办公室", "中心", "处", "部", "办", "室", "科", "院", "组")


def abbreviated(wanted: str, known: list[str]) -> list[str]:
    """The names a Chinese abbreviation means: another suffix (教务处 → 教务部, 信息中心 → 信息化部), else its
    characters in order (党办 → 党委办公室, 马院 → 马克思主义学院)."""
    if len(wanted) < 2 or wanted.isascii():
        return []
    stem = next((wanted[: -len(x)] for x in _SUFFIXES if wanted.endswith(x) and len(wanted) > len(x) + 1), None)
    found = [name for name in known if stem and stem in name]
    return found or [name for name in known if _in_order(wanted, name)]


def _in_order(chars: str, name: str) -> bool:
    rest = iter(name)
    return all(c in rest for c in chars)


def spelled(wanted: str, known: list[str]) -> list[str]:
    """The names `wanted` spells in pinyin: initials (jwb) or in full (jiaowubu, lisong), else their beginning
    (jiaowu). pypinyin loads here, only for letters that no name contains."""
    letters = "".join(wanted.lower().split()).replace("'", "")
    if not (letters.isascii() and letters.isalpha()):
        return []
    from pypinyin import Style, lazy_pinyin

    spellings = {name: ("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower(), "".join(lazy_pinyin(name)).lower())
                 for name in known}  # fmt: skip
    exact = [name for name, forms in spellings.items() if letters in forms]
    return exact or [name for name, forms in spellings.items() if len(letters) >= 2 and forms[1].startswith(letters)]


def resolve_department(ledger: Ledger, text: str) -> str:
    """A department as --dept names it: an exact name by index lookups; only a partial or wrong one reads
    the distinct departments the plan knows (leading, co-operating or owning a task), one index seek each."""
    return _resolve_known(ledger, "department", text, "部门")


def resolve_leader(ledger: Ledger, text: str) -> str:
    """A leader as --leader names it, as resolve_department does: never a listing of every point id."""
    return _resolve_known(ledger, "leader", text, "校领导")


def _resolve_known(ledger: Ledger, kind: str, text: str, what: str) -> str:
    from gkplan.ledger import lookup

    wanted = unicodedata.normalize("NFKC", text).strip()
    return wanted if lookup.knows(ledger, kind, wanted) else resolve_name(text, lookup.known(ledger, kind), what)


def resolve_section(text: str, sections: list[dict[str, Any]]) -> int:
    s = unicodedata.normalize("NFKC", text).strip().rstrip("、.")
    numbers = {sec["id"] for sec in sections}
    number = int(s) if s.isdigit() and len(s) < 9 else _CN_NUMERALS.get(s)
    if number is not None:
        if number in numbers:
            return number
        raise NotFound(f"没有第 {text} 部分；共有 {len(numbers)} 个部分")
    # today's titles; a title a reload replaced (a past day's) only when none of today's is meant
    today = {sec["title"]: sec["id"] for sec in sections if sec.get("current", True)}
    wanted = unicodedata.normalize("NFKC", text).strip()
    if not candidates(wanted, list(today)):
        before = {sec["title"]: sec["id"] for sec in sections if not sec.get("current", True)}
        meant = {before[name] for name in candidates(wanted, list(before))}
        if len(meant) == 1:  # (one section, by one or more of its earlier titles)
            return meant.pop()
    return today[resolve_name(text, list(today), "部分")]


def build_query(
    ledger: Ledger,
    *,
    depts: list[str] = (),
    leaders: list[str] = (),
    sections: list[str] = (),
    statuses: list[str] = (),
    overdue: bool = False,
    due_before: date | None = None,
    search: str | None = None,
    as_of: date,
    role: str | None = None,
) -> PointQuery:
    """Turn what the user typed into exact filters; unknown names fail here, before any query runs."""
    if role and not depts:
        raise InvalidValue("--role 须与 --dept 同用：先说是哪个部门，再说牵头还是协办")
    known_sections = ledger.sections() if sections else []
    return PointQuery(
        departments=tuple(resolve_department(ledger, d) for d in depts),
        leaders=tuple(resolve_leader(ledger, name) for name in leaders),
        sections=tuple(resolve_section(s, known_sections) for s in sections),
        statuses=tuple(parse_status(s) for s in statuses),
        due_before=due_before,
        overdue_as_of=as_of if overdue else None,  # (the red light: see state_filters)
        search=search.strip() if search and search.strip() else None,
        role=parse_role(role) if role else None,
    )


def parse_role(text: str) -> str:
    wanted = text.strip().lower()
    found = wanted if wanted in ROLE_LABELS else {v: k for k, v in ROLE_LABELS.items()}.get(wanted)
    if found is None:
        raise InvalidValue(f"未知角色：{text!r}；可用：lead（牵头）、co（协办）")
    return found


def parse_light(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip().lower()
    key = s if s in LIGHTS else _LIGHT_ALIASES.get(s)
    if key is None:
        raise InvalidValue(f"未知灯色：{text!r}；可用：" + " / ".join(f"{k}（{v}）" for k, v in LIGHTS.items()))
    return key
