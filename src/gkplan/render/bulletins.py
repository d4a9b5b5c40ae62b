"""The period's bulletin (通报): a screen, Markdown, an Excel workbook, JSON, CSV; its red and yellow items come
lazily (bulletin._state) and are written as they come. Who has not reported and a leader's page: render.pages."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from gkplan.render.items import _esc
from gkplan.render.targets import TARGET_WORDS, _targets_table, goal
from gkplan.render.targets import markdown as target_markdown
from gkplan.render.output import _ascii_json, _emit, _writes
from gkplan.render.text import _table, visible

PACE_LABELS = {"ahead": "超序时进度", "on_track": "达序时进度", "behind": "欠序时进度"}
_LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "done": "已完成", "unreported": "未报送",
                "deferred": "暂缓", "review": "待销号"}  # fmt: skip


def _what(item: dict[str, Any]) -> str:
    return f"第 {item['id']} 项" if item["kind"] == "point" else f"任务 {item['id']}"


def _signed(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = round(value, 1)
        text = f"{value:g}"
    else:
        text = str(value)
    return ("+" if value > 0 else "") + text + unit if value else "0"


def _moved(d: dict[str, Any]) -> str:
    """A department's move in the ranking since the previous period: 升 2 / 降 1 / 持平."""
    delta = (d["change"] or {}).get("rank")
    if delta is None:
        return "—"
    return "持平" if delta == 0 else f"升 {-delta}" if delta < 0 else f"降 {delta}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


@_writes
def _dump(document: Any, compact: bool) -> None:
    from gkplan.render.jsonstream import dump

    dump(document, sys.stdout.write, _ascii_json(), compact)


# -- the bulletin ------------------------------------------------------------------------------------

DEPARTMENT_FIELDS = ("rank", "department", "points", "ahead", "on_track", "behind", "unreported", "overdue",
                     "extensions", "extended", "on_time_rate", "deviation")  # fmt: skip
_DEPARTMENT_HEADERS = ("名次", "部门", "要点", "超", "达", "欠", "未报送", "逾期", "延期", "按期办结率", "名次变化")
_SCREEN_HEADERS = (*_DEPARTMENT_HEADERS[:-2], "办结率", "升降")  # short enough for 80 columns


def bulletin(data: dict[str, Any], fmt: str) -> None:
    """The bulletin on stdout: a screen (table), Markdown (md), JSON, or CSV (one row per department). Its red and
    yellow items come lazily (bulletin._state): every format reads them as they come."""
    if fmt in ("md", "json"):
        _write_out(data, fmt)
    else:
        _emit(fmt, data["departments"], DEPARTMENT_FIELDS, lambda: _screen(data))


@_writes
def _write_out(data: dict[str, Any], kind: str) -> None:
    if kind == "json":
        _dump(data, False)
        return
    write = sys.stdout.write
    for line in _markdown(data):  # shown on a terminal: as render.output._print shows text
        write(visible(line, one_line=False) + "\n")


def bulletin_file(data: dict[str, Any], kind: str, write: Callable[[str], Any], ascii_only: bool = False) -> None:
    """The bulletin as the text of a file, written a piece at a time: Markdown, JSON (as `--format json` prints
    it) or CSV."""
    if kind == "json":
        from gkplan.render.jsonstream import dump

        dump(data, write, ascii_only)
    elif kind == "csv":
        import csv

        from gkplan.values import neutralise

        writer = csv.writer(_Writer(write))
        writer.writerow(DEPARTMENT_FIELDS)
        writer.writerows([neutralise(d[f]) for f in DEPARTMENT_FIELDS] for d in data["departments"])
    else:
        for line in _markdown(data):
            write(line + "\n")


class _Writer:
    def __init__(self, write: Callable[[str], Any]) -> None:
        self.write = write


def _title(data: dict[str, Any]) -> str:
    return f"{data['plan']['title']} 进展通报（{data['period']['key']}）"


def _headline(data: dict[str, Any]) -> list[str]:
    """The headline counts, each with its change since the previous period, in lines that fit 80 columns."""
    t, change = data["totals"], data["totals"]["change"] or {}

    def n(key: str, label: str, unit: str = "") -> str:
        delta = f"（{_signed(change[key])}）" if change.get(key) else ""
        return f"{label} {t[key]}{unit}{delta}"

    mean = f"{t['mean_progress']:g}%" + (f"（{_signed(change['mean_progress'])}）" if change.get("mean_progress") else "")
    rate = _percent(t["on_time_rate"]) + (f"（{_signed(change['on_time_rate'])}）" if change.get("on_time_rate") else "")
    return [
        f"要点 {t['points']} 项：" + "，".join([n("done", "已销号"), n("pending_review", "待销号"), n("deferred", "暂缓")])
        + f"；平均进度 {mean}",
        "灯色：" + "，".join([n("red", "红灯"), n("yellow", "黄灯"), n("green", "绿灯")]),
        "序时进度：" + "，".join([n("ahead", "超"), n("on_track", "达"), n("behind", "欠")]),
        "要点和任务：" + "，".join([n("unreported", "未报送", " 项"), n("overdue", "逾期", " 项"), n("extensions", "延期", " 次")])
        + f"；按期办结率 {rate}",
    ]  # fmt: skip


def _item_lines(item: dict[str, Any]) -> list[str]:
    """A red or yellow item: what and whose; where it stands; then its latest 进展 / 问题 / 下一步."""
    who = "、".join(item["departments"]) + (f"；{'、'.join(item['leaders'])}" if item["leaders"] else "")
    expected = f"（应有 {item['expected']:g}%）" if item["expected"] is not None else ""
    days = item["days_left"]
    when = f"，逾期 {-days} 天" if days is not None and days < 0 else f"，剩 {days} 天" if days is not None else ""
    extended = f"（原定 {item['due_original']}）" if item["due_original"] != item["due"] else ""
    reported = f"上次报送 {item['reported']}" if item["reported"] else "从未报送"
    lines = [f"{_what(item)} {item['title']}（{who}）",
             f"进度 {item['progress']}%{expected}，截止 {item['due']}{extended}{when}；{reported}"]  # fmt: skip
    return lines + [f"{label}：{item[key]}" for key, label in (("note", "进展"), ("problem", "问题"), ("next", "下一步")) if item[key]]


def _screen(data: dict[str, Any]) -> list[Any]:
    out: list[Any] = [f"{_title(data)}　截至 {data['as_of']}", *_headline(data), ""]
    t = _table(*_SCREEN_HEADERS, title="各部门情况（办结率为按期办结率；按它、再按进度与序时进度之差排名）")
    for d in data["departments"]:
        t.add_row(str(d["rank"] or "—"), _esc(d["department"]), *(str(d[k]) for k in DEPARTMENT_FIELDS[2:9]),
                  _percent(d["on_time_rate"]), _moved(d))  # fmt: skip
    out += [t, "", _Lines(lambda: _screen_items(data["items"]))]
    if data["targets"]:
        out += ["", _targets_table(data["targets"], title="量化指标")]
    return out


def _screen_items(items: Any) -> Iterator[str]:
    counts = getattr(items, "counts", None)  # (a Replay of bulletin._state counted them)
    reds = counts[0] if counts else sum(1 for i in items if i["light"] == "red")
    for light, count in (("red", reds), ("yellow", len(items) - reds)):
        yield f"{_LIGHT_WORDS[light]}事项（{count} 项）" + ("" if count else "：无")
        for item in _of_light(items, light):
            head, *parts = _item_lines(item)
            yield visible(f"  · {head}")
            yield from (visible(f"    {p}") for p in parts)


def _of_light(items: Any, light: str) -> Iterator[dict[str, Any]]:
    """The items of one light: red come first (bulletin._state), so reading stops at the first yellow for red;
    a Replay that counted its parts reads only that light's."""
    if getattr(items, "counts", None):
        yield from items.of(light != "red")
        return
    for item in items:
        if item["light"] == light:
            yield item
        elif light == "red":
            return


class _Lines:
    """Lines made as they are printed (render.output._print draws anything with `lines`)."""

    def __init__(self, make: Callable[[], Iterator[str]]) -> None:
        self.make = make

    def lines(self, **_: Any) -> Iterator[str]:
        return self.make()


def _markdown(data: dict[str, Any]) -> Iterator[str]:
    from gkplan.export import _md

    p = data["period"]
    lines = [f"# {_md(_title(data))}", "", f"填报期 {p['start']} 至 {p['end']}，截至 {data['as_of']}"
             + (f"（{_md(data['plan']['document'])}）" if data["plan"]["document"] else "") + "。", ""]  # fmt: skip
    lines += [f"- {_md(line)}" for line in _headline(data)]
    lines += ["", "## 各部门情况", "", "| " + " | ".join(_DEPARTMENT_HEADERS) + " |",
              "| ---: | --- | " + " | ".join(["---:"] * (len(_DEPARTMENT_HEADERS) - 2)) + " |"]  # fmt: skip
    for d in data["departments"]:
        cells = [str(d["rank"] or "—"), _md(d["department"]), *(str(d[k]) for k in DEPARTMENT_FIELDS[2:9]),
                 _percent(d["on_time_rate"]), _moved(d)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    yield from lines
    for light in ("red", "yellow"):
        yield from ("", f"## {_LIGHT_WORDS[light]}事项", "")
        empty = True
        for item in _of_light(data["items"], light):
            head, *parts = _item_lines(item)
            yield f"- {_md(head)}"
            yield from (f"  - {_md(part)}" for part in parts)
            empty = False
        if empty:
            yield "无。"
    if data["targets"]:
        yield from ("", *target_markdown(data["targets"]))


def bulletin_sheets(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The bulletin as workbook sheets: (title, headers, rows)."""
    t = data["totals"]
    change = t["change"] or {}
    labels = {"points": "要点", "done": "已销号", "pending_review": "待销号", "deferred": "暂缓", "red": "红灯",
              "yellow": "黄灯", "green": "绿灯", "unreported": "未报送事项", "overdue": "逾期事项", "extensions": "延期次数",
              "extended": "延期事项", "ahead": "超序时进度", "on_track": "达序时进度", "behind": "欠序时进度",
              "on_time_rate": "按期办结率（%）", "mean_progress": "平均进度（%）"}  # fmt: skip
    summary = [[label, t[key], change.get(key)] for key, label in labels.items()]
    depts = [[d["rank"], d["department"], *(d[k] for k in DEPARTMENT_FIELDS[2:]), (d["change"] or {}).get("rank")]
             for d in data["departments"]]  # fmt: skip
    items = _Rows(data["items"], lambda i: [
        _LIGHT_WORDS[i["light"]], i["id"], i["title"], "、".join(i["departments"]), "、".join(i["leaders"]),
        i["progress"], i["expected"], i["due"], i["due_original"], i["reported"], i["note"], i["problem"], i["next"]])  # fmt: skip
    goals = [[g["point"], g["point_title"], g["metric"], goal(g), g["actual"], g["actual_as_of"], g["attainment"],
              {True: "是", False: "否", None: "未填报"}[g["met"]], TARGET_WORDS.get(g["light"], g["light"])]
             for g in data["targets"]]  # fmt: skip
    return [
        (f"汇总 {data['period']['key']}", ["项目", "本期", "较上期"], summary),
        ("各部门", ["名次", "部门", "要点", "超", "达", "欠", "未报送", "逾期", "延期次数", "延期事项", "按期办结率（%）",
                  "进度偏差", "名次变化"], depts),
        ("红黄灯事项", ["灯色", "编号", "事项", "部门", "分管校领导", "进度", "应有进度", "截止日期", "原定截止日期", "上次报送",
                   "进展", "存在问题", "下一步"], items),
        ("量化指标", ["要点", "所属要点", "指标", "目标", "实际值", "统计日期", "完成率（%）", "是否达成", "灯色"],
         goals),
    ]  # fmt: skip


class _Rows:
    """A sheet's rows made from lazy items as the workbook writes them; sized, as a sheet asks."""

    def __init__(self, items: Any, row: Callable[[dict[str, Any]], list[Any]]) -> None:
        self.items, self.row = items, row

    def __iter__(self) -> Iterator[list[Any]]:
        return map(self.row, self.items)

    def __len__(self) -> int:
        return len(self.items)


def notice_reasons(item: dict[str, Any], within: int) -> str:
    """Why a reminder names an item, in words: 逾期 / 即将到期 / 黄灯 / 未报送. Only the words of its own reasons
    are made (a notice of a large plan has tens of thousands of items)."""
    reasons = item["reasons"]
    return "、".join(_REASON_WORDS[r](item) for r in reasons) if len(reasons) != 1 else _REASON_WORDS[reasons[0]](item)


def _overdue(item: dict[str, Any]) -> str:
    days = item["days_left"]
    return f"已逾期 {-days} 天" if days is not None and days < 0 else "逾期"


def _due_soon(item: dict[str, Any]) -> str:
    days = item["days_left"]
    return "今天到期" if days == 0 else f"即将到期（还剩 {days} 天）"


def _yellow(item: dict[str, Any]) -> str:
    return "黄灯（受阻）" if item["status"] == "blocked" else "黄灯（进度落后或临近截止）"


def _unreported(item: dict[str, Any]) -> str:
    return f"本期未报送（上次报送 {item['reported']}）" if item.get("reported") else "本期未报送（从未报送）"


_REASON_WORDS = {"overdue": _overdue, "due_soon": _due_soon, "yellow": _yellow, "unreported": _unreported}

