"""Which commands the benchmark runs: found from the CLI itself, so that a new command is not forgotten.

`discover` reads `gkplan --help` and each group's help (task, target, …) for every command path and, from
each command's help, the output formats it offers. `startup` gives the arguments each command is started
with on the bundled 39-point plan; `at_size` every question of the memory/time tables at N records.
A command the catalogue does not know is still measured, as `COMMAND --help`, and named in the table.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

FORMATS = ("json", "csv", "ndjson")


@dataclass
class Command:
    path: tuple[str, ...]
    formats: tuple[str, ...] = ()  # of FORMATS, those its --format offers
    output: bool = False  # has -o FILE


def _help(gk: str, env: dict[str, str], *path: str) -> str:
    return subprocess.run([gk, *path, "--help"], env=env, capture_output=True, text=True).stdout


def _names(text: str) -> list[str]:
    """Command names of a help text's 命令： (or Commands:) block."""
    block = re.split(r"^(?:命令|Commands)[：:]\s*$", text, maxsplit=1, flags=re.M)
    if len(block) < 2:
        return []
    return re.findall(r"^  ([a-z][a-z0-9-]*)\b", block[1], flags=re.M)


def discover(gk: str, env: dict[str, str]) -> list[Command]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:  # some forty helps, two at a time on each core
        names = _names(_help(gk, env))
        helps = dict(zip(names, pool.map(lambda name: _help(gk, env, name), names)))
        paths = [(n, sub) for n in names for sub in _names(helps[n])] or []
        helps |= dict(zip(paths, pool.map(lambda path: _help(gk, env, *path), paths)))
    out = []
    for name in names:
        subs = [p for p in paths if p[0] == name]
        for path in subs or [name]:
            text = helps[path]
            option = re.search(r"--format[^\n]*(?:\n {20,}[^\n]*)*", text)
            formats = tuple(f for f in FORMATS if option and re.search(rf"\b{f}\b", option.group(0)))
            out.append(Command(path if subs else (name,), formats, bool(re.search(r"-o, --output", text))))
    return out


@dataclass
class Q:
    """One question: a label, gkplan's arguments, and whether it writes (then it runs on a copy)."""

    label: str
    args: list[str]
    writes: str = ""  # "" | "copy" (a scratch copy of the ledger) | "fresh" (no ledger: load makes one)
    tags: set[str] = field(default_factory=set)
    before: list[list[str]] = field(default_factory=list)  # gkplan commands run on the copy first, not timed


def startup(commands: list[Command], out: str, sheet: str) -> tuple[list[Q], list[str]]:
    """Cold-start questions on the bundled plan (GKPLAN_TODAY inside the plan's year), and the command
    paths measured only as --help because the catalogue has no arguments for them."""
    update = ["update", "17", "--progress", "42"]
    known: dict[tuple[str, ...], list[Q]] = {
        ("list",): [Q("list --dept 教务部", ["list", "--dept", "教务部"]), Q("list", ["list"])],
        ("show",): [Q("show 17", ["show", "17"])],
        ("update",): [Q("update 17 --progress N (copy)", ["update", "17", "--progress", "1{i}", "--note", "第 {i} 次"], "copy")],
        ("report",): [Q("report", ["report"]), Q("report --overdue", ["report", "--overdue"]),
                      Q("report --overview", ["report", "--overview"])],
        ("log",): [Q("log", ["log"])],
        ("diff",): [Q("diff 2022-03-01 2022-07-01", ["diff", "2022-03-01", "2022-07-01"])],
        ("load",): [Q("load (the bundled plan, fresh ledger)", ["load"], "fresh")],
        ("task", "add"): [Q("task add 17 … (copy)", ["task", "add", "17", "任务 {i}", "--due", "2022-09-30"], "copy")],
        ("task", "list"): [Q("task list", ["task", "list"])],
        ("target", "list"): [Q("target list", ["target", "list"])],
        ("target", "set"): [Q("target set 7 总招生数 (copy)", ["target", "set", "7", "总招生数", "--actual", "15{i}万"], "copy")],
        ("checkpoint", "add"): [Q("checkpoint add 17 … (copy)", ["checkpoint", "add", "17", "2022-09-30", "60"], "copy")],
        ("undo",): [Q("undo (copy, after one update)", ["undo", "--force"], "copy", before=[update])],
        ("task", "update"): [Q("task update 17.1 --progress N (copy)", ["task", "update", "17.1", "--progress", "3{i}"], "copy")],
        ("task", "complete"): [Q("task complete 17 (copy)", ["task", "complete", "17"], "copy")],
        ("task", "rm"): [Q("task rm 17.1 (copy)", ["task", "rm", "17.1"], "copy")],
        ("checkpoint", "rm"): [Q("checkpoint rm 17 … (copy, after checkpoint add)", ["checkpoint", "rm", "17", "2022-09-30"],
                                 "copy", before=[["checkpoint", "add", "17", "2022-09-30", "60"]])],
        ("review",): [Q("review 17.2 --accept (copy, after its 办结 report)", ["review", "17.2", "--accept"], "copy",
                        before=[["task", "update", "17.2", "--progress", "100", "--evidence", "文号"]])],
        ("export",): [Q(f"export --format {f}", ["export", "--format", f, "-o", f"{out}/export.{f}", "--force"])
                      for f in ("md", "csv", "json", "xlsx")],
        ("publish",): [Q("publish -o FILE", ["publish", "-o", f"{out}/publish.db", "--force"])],
        ("backup",): [Q("backup FILE", ["backup", f"{out}/backup.db", "--force"])],
        ("brief",): [Q("brief --leader 李松", ["brief", "--leader", "李松"])],
        ("sheet",): [Q("sheet --dept 教务部 -o FILE.xlsx", ["sheet", "--dept", "教务部", "-o", f"{out}/sheet.xlsx", "--force"])],
        ("import",): [Q("import FILE.xlsx (preview)", ["import", sheet])],
        ("check",): [Q("check", ["check"])],
    }  # fmt: skip
    questions = [Q("--help", ["--help"])]
    unknown = []
    for c in commands:
        if c.path in known:
            questions += known[c.path]
        elif c.path[0] == "admin":
            questions.append(Q(f"{' '.join(c.path)} --help (needs a server)", [*c.path, "--help"]))
        elif len(c.path) == 1 and c.path[0] in ("depts", "leaders", "plans", "remind", "stale", "missing", "bulletin"):
            questions.append(Q(c.path[0], [c.path[0]]))
        else:
            unknown.append(" ".join(c.path))
            questions.append(Q(f"{' '.join(c.path)} --help (no arguments known to the benchmark)", [*c.path, "--help"]))
    return questions, unknown


def at_size(commands: list[Command], n: int, dept: str, leader: str, out: str, seeds: tuple[str, str]) -> tuple[list[Q], list[str]]:
    """Every question of the memory and growth tables at N records: each command as a table and in each of its
    output formats, every export format, the loads. Returns them and the command paths not measured."""
    by_path = {c.path: c for c in commands}
    middle = str(max(1, n // 2))

    def formats(label: str, args: list[str], path: tuple[str, ...], tags: set[str] | None = None) -> list[Q]:
        c = by_path.get(path)
        if c is None:
            return []
        return [Q(label, args, tags=set(tags or ())), *(Q(f"{label} --format {f}", [*args, "--format", f]) for f in c.formats)]

    qs = [
        *formats("list", ["list"], ("list",)),
        *formats(f"list --dept {dept}", ["list", "--dept", dept], ("list",), {"growth"}),
        Q("list -o FILE.xlsx", ["list", "-o", f"{out}/list.xlsx", "--force"]),
        *formats("report", ["report"], ("report",), {"growth"}),
        *formats("report --overdue", ["report", "--overdue"], ("report",), {"growth"}),
        Q("report --overview", ["report", "--overview"]), Q("report --by leader", ["report", "--by", "leader"]),
        *formats(f"show {middle}", ["show", middle], ("show",), {"growth"}),
        Q(f"update {middle} --progress N (copy)", ["update", middle, "--progress", "1{i}", "--note", "第 {i} 次"], "copy",
          {"growth"}),
        *formats("log", ["log"], ("log",)),
        *formats("diff 2022-07-01 2023-07-01", ["diff", "2022-07-01", "2023-07-01"], ("diff",)),
        *(formats(name, [name], (name,)) for name in ("depts", "leaders", "plans", "remind", "stale", "missing")),
        *formats(f"brief --leader {leader}", ["brief", "--leader", leader], ("brief",)),
        *formats("task list", ["task", "list"], ("task", "list")), *formats("target list", ["target", "list"], ("target", "list")),
        Q("bulletin", ["bulletin"]), Q("check", ["check"]),
        *(Q(f"export --format {f} -o FILE", ["export", "--format", f, "-o", f"{out}/export.{f}", "--force"])
          for f in ("md", "csv", "json", "xlsx")),
        Q(f"sheet --dept {dept} -o FILE.xlsx", ["sheet", "--dept", dept, "-o", f"{out}/sheet.xlsx", "--force"]),
        Q("backup FILE", ["backup", f"{out}/backup.db", "--force"]),
        Q("publish -o FILE", ["publish", "-o", f"{out}/publish.db", "--force"]),
        Q(f"load {n:,} records (JSON, fresh ledger)", ["load", seeds[0]], "fresh", {"load"}),
        Q(f"load {n:,} records (YAML, fresh ledger)", ["load", seeds[1]], "fresh", {"load"}),
    ]  # fmt: skip
    flat: list[Q] = []
    for q in qs:
        flat += q if isinstance(q, list) else [q]
    measured = {tuple(q.args[:2]) for q in flat} | {tuple(q.args[:1]) for q in flat}
    missing = [" ".join(c.path) for c in commands if c.path not in measured]
    return flat, missing
