"""`-o FILE` of any listing: the records a command would print, written to a file for Excel, WPS or a script.

The file's suffix chooses: `.csv` (UTF-8 with a BOM, Chinese headers, values in words, text that a
spreadsheet would run as a formula prefixed with an apostrophe), `.xlsx` (a meeting-ready sheet, xlsx.py),
`.json` (exactly what `--format json` prints). Like every file gkplan writes it appears whole or not at all
and an existing file is only replaced with --force (files.replace_atomically).

CSV on stdout (`--format csv`) is for scripts and stays as it was: the field keys as headers, no BOM; it
gets the formula guard too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gkplan.values import neutralise

SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}

# a field's header in a file for people; a field not named here keeps its key
LABELS = {
    "plan": "计划", "id": "编号", "section": "部分编号", "section_title": "部分", "title": "事项", "leaders": "校领导",
    "departments": "部门", "status": "状态", "progress": "进度", "light": "灯色", "due": "截止日期", "days_left": "剩余天数",
    "overdue": "逾期", "tasks": "任务数", "note": "进展情况", "problem": "存在问题", "next": "下一步计划",
    "evidence": "办结佐证", "updated_at": "更新时间", "text": "全文", "role": "角色", "task_progress": "任务汇总进度",
    "co": "协办部门", "reported": "最近报送", "kind": "类型", "days_overdue": "逾期天数", "point": "要点编号",
    "seq": "任务序号", "point_title": "所属要点", "owner": "责任人", "deliverable": "成果形式", "weight": "权重",
    "effective_due": "截止日期", "origin": "来源", "group": "分组", "points": "要点数", "done": "已完成",
    "in_progress": "进行中", "not_started": "未启动", "blocked": "受阻", "deferred": "暂缓", "red": "红灯", "yellow": "黄灯",
    "green": "绿灯", "mean_progress": "平均进度", "pending_review": "待销号", "unreported": "未报送", "extended": "延期事项",
    "extensions": "延期次数", "entity": "对象类型", "ref": "对象", "effective": "生效日期", "at": "记录时间", "by": "记录人",
    "action": "操作", "changes": "变更", "cause": "起因记录", "undoes": "撤销记录", "undone_by": "被撤销于", "source": "来源",
    "document": "文号", "year": "年份", "current": "默认计划", "notes": "期间进展", "name": "名称", "count": "要点数",
    "metric": "指标", "unit": "单位", "target_min": "目标下限", "target_max": "目标上限", "approx": "约数", "low": "达成下限",
    "high": "达成上限", "actual": "实际值", "actual_as_of": "统计日期", "attainment": "完成率（%）", "met": "是否达成",
    "department": "部门", "reasons": "原因", "last_update": "上次更新", "days_since": "未更新天数", "expected": "应有进度",
    "check": "检查项", "ok": "结果", "detail": "说明",
}  # fmt: skip
_WORDS: dict[str, dict[Any, str]] = {
    "kind": {"point": "要点", "task": "任务", "target": "指标", "document": "文件", "milestone": "里程碑"}, "entity": {"point": "要点", "task": "任务", "target": "指标"},
    "action": {"update": "修改", "add": "新增", "remove": "删除", "undo": "撤销", "load": "载入"},
    "reasons": {"overdue": "逾期", "due_soon": "即将到期", "yellow": "黄灯", "unreported": "本期未报送"},
}  # fmt: skip


def kind_of(path: Path) -> str | None:
    return SUFFIXES.get(path.suffix.lower())


def save(target: dict[str, Any], fmt: str, data: Any, fields: tuple[str, ...] | list[str]) -> None:
    """Write `data` (a record, or any iterable of them: written as they come, never held) to the file
    `target` names, in `fmt`."""
    from gkplan.files import replace_atomically, text_writer
    from gkplan.render.output import message

    path: Path = target["path"]
    one = isinstance(data, dict)
    counted = _Counted([data] if one else data)
    with replace_atomically(path, force=target["force"], protect=target.get("protect")) as f:
        if fmt == "json":
            with text_writer(f) as out:
                _json(out, data if one else counted)
        elif fmt == "csv":
            import csv

            keys = columns(fields)
            with text_writer(f, "utf-8-sig") as out:  # the BOM: Excel and WPS then read the Chinese correctly
                writer = csv.writer(out)
                writer.writerow([header(k, keys) for k in keys])
                writer.writerows([neutralise(text(k, r.get(k))) for k in keys] for r in counted)
        else:
            _xlsx(f, path, counted, fields)
    message(f"已写出 {path}（{1 if one else counted.n} 行）")


class _Counted:
    """The records, counted as they pass (the message says how many were written)."""

    def __init__(self, rows: Any) -> None:
        self.rows, self.n = rows, 0

    def __iter__(self) -> Any:
        for row in self.rows:
            self.n += 1
            yield row


def _json(out: Any, data: Any) -> None:
    """What json.dump(data, indent=2) writes, a list of records one record at a time."""
    if isinstance(data, dict):  # a document whose long lists may come lazily (a 通报's, a 未报送 list's)
        from gkplan.render.jsonstream import dump

        dump(data, out.write, False)
        return
    out.write("[")
    empty = True
    for row in data:
        out.write(("\n  " if empty else ",\n  ") + dumps(row, "\n  "))
        empty = False
    out.write("]\n" if empty else "\n]\n")


def dumps(value: Any, newline: str) -> str:
    """json.dumps(value, indent=2, ensure_ascii=False), each line break followed by `newline`'s indent: one
    record of a list written record by record."""
    global _indented
    if _indented is None:  # json's own indenting encoder is pure Python: 14 s for a 100k ledger's export
        from gkplan.render.jsontext import pretty

        _indented = pretty(False)
    return _indented(value, newline[1:])


_indented: Any = None


def columns(fields: tuple[str, ...] | list[str]) -> list[str]:
    """The fields a person reads: a status once (its label), not twice."""
    return [k for k in fields if not (k == "status_label" and "status" in fields)]


def header(key: str, keys: list[str]) -> str:
    if key == "points" and "count" in keys:  # depts / leaders: the count, then the points' numbers
        return "要点编号"
    if key == "due" and "effective_due" in keys:  # a target: its own date beside the one it is held to
        return "本身截止日期"
    return LABELS.get(key, key)


def text(key: str, value: Any) -> Any:
    """A value as a person reads it: a status, light, kind or action in words, yes and no, a list joined."""
    from gkplan.values import ROLE_LABELS, STATUS_LABELS
    from gkplan.kinds import LIGHT_WORDS

    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "status":
        return STATUS_LABELS.get(value, value)
    if key == "light":
        return LIGHT_WORDS.get(value, value)
    if key == "role":
        return ROLE_LABELS.get(value, value)
    if key == "changes" and isinstance(value, dict):
        from gkplan.render.records import describe_changes

        return describe_changes(value)
    words = _WORDS.get(key)
    if isinstance(value, list):
        return "、".join(str(words.get(v, v) if words else v) for v in value)
    if words:
        return words.get(value, value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value





def _tables() -> dict[str, dict[str, str]]:
    from gkplan.kinds import LIGHT_WORDS
    from gkplan.values import ROLE_LABELS, STATUS_LABELS

    return {"status": STATUS_LABELS, "light": LIGHT_WORDS, "role": ROLE_LABELS}


# fields for scripts that a printed sheet leaves out: the plan's key, numbers other columns repeat, the clock
_NOT_PRINTED = {"plan", "section", "seq", "origin", "updated_at"}


def _xlsx(f: Any, path: Path, rows: Any, fields: tuple[str, ...] | list[str]) -> None:
    from gkplan.kinds import kind_of
    from gkplan.xlsx import Column, Sheet, write

    keys = [k for k in columns(fields) if k not in _NOT_PRINTED]
    cols = [Column(header(k, keys), kind_of(k), printed=k != "text") for k in keys]
    keys = [k for k in keys if k != "text"] + (["text"] if "text" in keys else [])  # the whole text last: not printed
    cols = sorted(cols, key=lambda c: not c.printed)
    kinds = [kind_of(k) for k in keys]
    tables = _tables()
    amounts = [i for i, kind in enumerate(kinds) if kind == "amount"]
    # the columns whose values are words to look up (text): (index, key, its words when they are one table)
    said = [(i, k, tables.get(k) or ({} if k != "changes" and k not in _WORDS else None)) for i, (k, kind) in
            enumerate(zip(keys, kinds)) if kind not in ("amount", "date", "time", "percent")]  # fmt: skip

    def cells(row: dict[str, Any]) -> list[Any]:  # (a row of 100,000: the usual values decided inline)
        out = list(map(row.get, keys))
        for i, k, words in said:
            value = out[i]
            if value is None or type(value) is int or type(value) is float:
                continue
            if words is not None and type(value) is str:
                out[i] = words.get(value, value)  # what text(k, value) says of it
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                out[i] = text(k, value)
        for i in amounts:
            value = out[i]
            if value is not None:
                out[i] = (value, row.get("unit") or "", value >= 10_000 and value % 10_000 == 0)
        return out

    write(f, [Sheet(path.stem, cols, map(cells, rows))], title=path.stem)
