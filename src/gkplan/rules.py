"""The ledger's business rules, each stated once: the warning light (in Python, and mirrored in SQL
for speed — tests/test_rules.py proves the two agree), the task roll-up, and a quantitative target's
band and light (Python only: a plan has a few dozen targets). Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

LIGHTS = ("done", "red", "yellow", "green", "unreported", "deferred", "review")


def expected_progress(due: date, as_of: date, start: date, checkpoints: Sequence[tuple[date, int]] = ()) -> float:
    """Progress due by `as_of`: along the point's checkpoints (节点: a day and the progress due by it), from
    0 on its start to 100 on its due date, linearly between them; without checkpoints, the straight line."""
    if not checkpoints:
        if due <= start:
            return 100.0
        return min(100.0, max(0.0, (as_of - start).days * 100.0 / (due - start).days))
    nodes = [(start, 0), *checkpoints, (due, 100)]
    before = [n for n in nodes if n[0] <= as_of]
    after = [n for n in nodes if n[0] > as_of]
    if not before:
        return 0.0
    d0, v0 = max(before)
    if not after:
        return float(v0)
    d1, v1 = min(after)
    return v0 + (v1 - v0) * ((as_of - d0).days / (d1 - d0).days)


def light(due: date, progress: int, status: str, *, as_of: date, start: date, behind_by: int, due_soon_days: int,
          due_soon_progress: int, reported: date | None = None, closed: date | None = None,
          checkpoints: Sequence[tuple[date, int]] = (), late: date | None = None, period_start: date | None = None,
          report_due: bool = False) -> str:  # fmt: skip
    """The light of a point or task on `as_of`, first rule that holds:
    done: 已完成 (销号). review: 待销号, reported done on or before its due date (later: red).
    deferred: 暂缓 — not overdue, not red. red: past due and not done.
    unreported: the period's report day has passed (`report_due`) and it has not reported since
    `period_start` — nobody has said anything, so neither green nor yellow is honest.
    yellow: 受阻; a task of it past its due date (`late`); due within `due_soon_days` and below
    `due_soon_progress`; or more than `behind_by` points below its expected progress. green: otherwise."""
    if status == "done":
        return "done"
    if status == "pending_review":
        return "review" if closed is None or closed <= due else "red"
    if status == "deferred":
        return "deferred"
    if due < as_of:
        return "red"
    if report_due and start <= as_of and (reported is None or period_start is None or reported < period_start):
        return "unreported"
    if status == "blocked" or (late is not None and late < as_of):
        return "yellow"
    if ((due - as_of).days <= due_soon_days and progress < due_soon_progress) or (
        progress < expected_progress(due, as_of, start, checkpoints) - behind_by
    ):
        return "yellow"
    return "green"


# the columns light_sql reads, and what an item without such a column gives
LIGHT_INPUTS = {"due": None, "progress": None, "status": None, "reported": "NULL", "closed": "NULL", "start": "NULL",
                "checkpoints": "NULL", "late": "NULL"}  # fmt: skip


def light_sql(columns: dict[str, str], d, labels: tuple[str, ...] = tuple(f"'{x}'" for x in LIGHTS)) -> str:  # noqa: ANN001
    """`light` as an SQL expression over the named columns (see LIGHT_INPUTS; a point's `start` NULL is the
    plan's, `checkpoints` is JSON [[day, progress], …] in day order), so that filters and per-group counts
    run inside the database. Parameters: :as_of, :start, :start_jd (julianday of the plan's start),
    :elapsed (days from it to as-of), :soon (as-of + due_soon_days), :behind_by, :due_soon_progress,
    :period_start and :report_due (0/1). `d`: the engine's dialect (ledger/dialect.py)."""
    c = {k: columns.get(k) or default for k, default in LIGHT_INPUTS.items()}
    done, red, yellow, green, unreported, deferred, review = labels
    due, progress, status, start = c["due"], c["progress"], c["status"], c["start"]
    jd = d.jd

    def share(part: str, whole: str) -> str:
        return d.least("100.0", d.greatest("0.0", f"{part} * 100.0 / ({whole})"))

    as_of, due_jd, start_jd = jd(":as_of"), jd(due), jd(start)
    straight = (
        f"(CASE WHEN {start} IS NULL THEN (CASE WHEN {due} <= :start THEN 100.0"
        f" ELSE {share(':elapsed', f'{due_jd} - :start_jd')} END)"
        f" WHEN {due} <= {start} THEN 100.0"
        f" ELSE {share(f'({as_of} - {start_jd})', f'{due_jd} - {start_jd}')}"
        " END)"
    )  # fmt: skip
    nodes = (f"SELECT coalesce({start}, :start) AS d, 0 AS v UNION ALL {d.pairs(c['checkpoints'])}"
             f" UNION ALL SELECT {due}, 100")  # fmt: skip
    along = (
        f"(SELECT CASE WHEN a.d IS NULL THEN 0.0 WHEN b.d IS NULL THEN a.v * 1.0"
        f" ELSE a.v + (b.v - a.v) * (({as_of} - {jd('a.d')}) / ({jd('b.d')} - {jd('a.d')})) END"
        f" FROM (SELECT 1 AS one) o LEFT JOIN (SELECT n.d, n.v FROM ({nodes}) n WHERE n.d <= :as_of ORDER BY n.d DESC, n.v DESC LIMIT 1) a ON TRUE"
        f" LEFT JOIN (SELECT n.d, n.v FROM ({nodes}) n WHERE n.d > :as_of ORDER BY n.d, n.v LIMIT 1) b ON TRUE)"
    )  # fmt: skip
    expected = f"(CASE WHEN {c['checkpoints']} IS NULL THEN {straight} ELSE {along} END)"
    return (
        f"(CASE WHEN {status} = 'done' THEN {done}"
        f" WHEN {status} = 'pending_review' THEN (CASE WHEN {c['closed']} IS NULL OR {c['closed']} <= {due} THEN {review} ELSE {red} END)"
        f" WHEN {status} = 'deferred' THEN {deferred} WHEN {due} < :as_of THEN {red}"
        f" WHEN :report_due = 1 AND coalesce({start}, :start) <= :as_of AND coalesce({c['reported']}, '') < :period_start THEN {unreported}"
        f" WHEN {status} = 'blocked' OR {c['late']} < :as_of THEN {yellow}"
        f" WHEN ({due} <= :soon AND {progress} < :due_soon_progress) OR {progress} < {expected} - :behind_by"
        f" THEN {yellow} ELSE {green} END)"
    )  # fmt: skip


# rollup's progress over rows of tasks (weight, progress) in SQL: NULL without tasks; integer division
# is exact half-up rounding as in rollup (tests/test_rules.py proves they agree)
def rollup_sql(d) -> str:  # noqa: ANN001 - the engine's dialect (ledger/dialect.py)
    return d.int_div("2 * sum(weight * progress) + sum(weight)", "2 * sum(weight)")


def task_mean(tasks: Iterable[tuple[int, int, str]]) -> int | None:
    """The tasks' (weight, progress, status) weighted mean progress, rounded half up; None: no tasks."""
    weighted = weights = 0
    for weight, progress, _ in tasks:
        weighted += weight * progress
        weights += weight
    return (2 * weighted + weights) // (2 * weights) if weights else None  # half up, in integers: no float surprises


def rollup(tasks: Iterable[tuple[int, int, str]], status: str) -> tuple[int, str] | None:
    """A point with tasks takes its progress from them (task_mean) and its status with it: 100 is a 办结 report
    (待销号) until the office accepts it, nothing started is 未启动, anything else 进行中; a point someone marked
    受阻 or 暂缓 keeps that until they change it, and one the office 销号'd (已完成) keeps it until the office
    reopens it. None: no tasks, or 销号'd (nothing follows from its tasks)."""
    tasks = list(tasks)
    progress = task_mean(tasks)
    if progress is None or status == "done":
        return None
    if progress == 100:
        return 100, "pending_review"
    if status in ("blocked", "deferred"):
        return progress, status
    return progress, "in_progress" if progress or any(state != "not_started" for _, _, state in tasks) else "not_started"


PACES = ("ahead", "on_track", "behind")  # 超 / 达 / 欠序时进度


def pace(progress: int, expected: float, on_track: int) -> str:
    """超 / 达 / 欠序时进度: within `on_track` points of the expected progress is on track (达)."""
    if progress > expected + on_track:
        return "ahead"
    return "behind" if progress < expected - on_track else "on_track"


def approximate(source: str | None) -> bool:
    """Whether a target whose seed does not say (`approx` left out) is a 约数: its words say 左右."""
    return source is not None and "左右" in source


def target_band(low: float, high: float | None, approx: bool, band: int) -> tuple[float, float | None]:
    """A target's effective bounds. A 约数 (160万人左右) is met within `band` per cent either side of its
    values (band 5: 152万–168万); 以上 (high None) has no upper bound; any other target is met at its
    lower bound (3—5个: from 3). Integer arithmetic first, so that 1600000 × 95 / 100 is exactly 1520000."""
    if not approx:
        return low, high
    return low * (100 - band) / 100, None if high is None else high * (100 + band) / 100


def target_light(actual: float | None, low: float, due: date | None, *, as_of: date, start: date, status: str,
                 behind_by: int, due_soon_days: int, due_soon_progress: int) -> str:  # fmt: skip
    """The light of a target on `as_of` (`low`: its effective lower bound, see target_band; `due`: its own
    due date, else its point's; `status`: its point's), first rule that holds:
    done: met — the actual reaches the lower bound (above the upper bound is still met: the band says
    where the number should land, not a ceiling to be punished). deferred: its point is 暂缓.
    red: past due and not met — no actual counts as below the lower bound. unreported: no actual yet.
    yellow, as a point's light with the actual's share of the lower bound as its progress: more than
    `behind_by` points below the straight line from its point's start to its due date, or due within
    `due_soon_days` and below `due_soon_progress`. green: otherwise. Without a readable due date
    (a ledger edited by hand) the rules that need one are skipped."""
    if actual is not None and actual >= low:
        return "done"
    if status == "deferred":
        return "deferred"
    if due is not None and due < as_of:
        return "red"
    if actual is None:
        return "unreported"
    if due is None:
        return "yellow"
    share = actual * 100 / low  # low > 0 here: any actual reaches a lower bound of 0
    if ((due - as_of).days <= due_soon_days and share < due_soon_progress) or (
        share < expected_progress(due, as_of, start) - behind_by
    ):
        return "yellow"
    return "green"
