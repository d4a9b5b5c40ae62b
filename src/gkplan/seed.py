"""Seed files: YAML text → validated `Seed`, with every problem reported as file:line:column.

Stages as in beancount: parse (YAML, keeping node positions) → validate (pydantic, then the
cross-record rules) → hand a trusted `Seed` to the ledger.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gkplan.errors import SeedError

if TYPE_CHECKING:
    from gkplan.models import Seed

BUNDLED_NAME = "workpoints_2022.yaml"


def bundled_path() -> Path:
    """The 2022 plan shipped with gkplan: inside the installed package, or data/ in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data" / BUNDLED_NAME, here.parents[1] / "data" / BUNDLED_NAME):
        if candidate.is_file():
            return candidate
    raise SeedError([f"找不到内置种子文件 {BUNDLED_NAME}：安装不完整，请重新安装 gkplan"])


def read_seed(path: Path) -> Seed:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SeedError([f"{path}: 种子文件不存在"]) from None
    except IsADirectoryError:
        raise SeedError([f"{path}: 是一个目录，不是种子文件"]) from None
    except PermissionError:
        raise SeedError([f"{path}: 没有读取权限"]) from None
    except OSError as exc:
        raise SeedError([f"{path}: 无法读取种子文件：{exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SeedError([f"{path}:{line}: 文件不是 UTF-8 编码"]) from None
    data, root = _parse_yaml(path, text)
    return _validate(path, data, root)


def _parse_yaml(path: Path, text: str) -> tuple[Any, Any]:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe loader that refuses duplicate keys and reports bad dates at their position."""

        def construct_mapping(self, node, deep=False):  # noqa: ANN001
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, str | int) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"重复的键 {key!r}（第一次出现在第 {seen[key].line + 1} 行）", key_node.start_mark
                    )
                if isinstance(key, str | int):
                    seen[key] = key_node.start_mark
            return super().construct_mapping(node, deep)

        def construct_yaml_timestamp(self, node):  # noqa: ANN001
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:
                raise yaml.constructor.ConstructorError(
                    None, None, f"无效的日期 {node.value!r}", node.start_mark
                ) from None

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        what = exc.problem or exc.context or "格式错误"
        kind = "" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML 语法错误："
        raise SeedError([f"{where}: {kind}{what}"]) from None
    except yaml.YAMLError as exc:
        raise SeedError([f"{path}: YAML 语法错误：{exc}"]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = "文件是空的" if data is None else f"顶层却是{_kind(data)}"
        raise SeedError([f"{path}:1:1: 种子文件的顶层应为映射（plan / sections / points），{kind}"])
    return data, root


def _validate(path: Path, data: dict, root: Any) -> Seed:
    from pydantic import ValidationError

    from gkplan.models import Seed

    problems: list[tuple[tuple, str]] = []
    try:
        seed = Seed.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.append((tuple(err["loc"]), _message(err)))
        seed = None
    problems.extend(_cross_check(data))
    if problems:
        located = sorted((*_where(root, data, loc), msg) for loc, msg in problems)
        raise SeedError([f"{path}:{line}:{column}: {what}{msg}" for line, column, what, msg in located])
    assert seed is not None
    return seed


def _cross_check(data: dict) -> list[tuple[tuple, str]]:
    """Rules that span records: unique numbers, points in known sections. Works on raw data so it
    runs even when some records failed field validation (every problem in one report)."""
    out: list[tuple[tuple, str]] = []
    sections = data.get("sections") if isinstance(data.get("sections"), list) else []
    points = data.get("points") if isinstance(data.get("points"), list) else []
    sec_numbers = [s.get("number") for s in sections if isinstance(s, dict)]
    for i, s in enumerate(sections):
        if isinstance(s, dict) and sec_numbers.count(s.get("number")) > 1 and s.get("number") is not None:
            out.append((("sections", i, "number"), f"部分编号 {s.get('number')} 重复"))
    counts = Counter(p.get("number") for p in points if isinstance(p, dict))
    known = set(sec_numbers)
    for i, p in enumerate(points):
        if not isinstance(p, dict):
            continue
        if p.get("number") is not None and counts[p.get("number")] > 1:
            out.append((("points", i, "number"), f"要点编号 {p.get('number')} 重复"))
        if isinstance(p.get("section"), int) and known and p["section"] not in known:
            out.append((("points", i, "section"), f"部分 {p['section']} 不在 sections 中"))
    return out


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "date_parsing": "应为日期，如 2022-12-31",
    "date_type": "应为日期，如 2022-12-31",
    "date_from_datetime_parsing": "应为日期，如 2022-12-31",
    "date_from_datetime_inexact": "应为日期（不含时间）",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_pattern_mismatch": "含控制字符或换行",
    "list_type": "应为列表",
    "too_short": "至少需要一项",
    "model_type": "应为映射（键: 值）",
    "dict_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
}


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "value_error":
        return str(err["ctx"]["error"])
    template = _MESSAGES.get(kind)
    if template is None:
        return err["msg"]
    return template.format(**err.get("ctx", {}))


def _where(root: Any, data: Any, loc: tuple) -> tuple[int, int, str]:
    """The line and column of the deepest YAML node on `loc`'s path, and the field described."""
    node = root
    for key in loc:
        child = _child(node, key)
        if child is None:
            break
        node = child
    mark = getattr(node, "start_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return line, column, _describe(data, loc)


def _child(node: Any, key: Any) -> Any:
    value = getattr(node, "value", None)
    if isinstance(key, int) and isinstance(value, list) and key < len(value) and not isinstance(value[key], tuple):
        return value[key]
    if isinstance(key, str) and isinstance(value, list):
        for k, v in value:
            if isinstance(k, tuple) or getattr(k, "value", None) != key:
                continue
            return v
    return None


def _describe(data: Any, loc: tuple) -> str:
    """'要点 7 的 leads[0].departments：' — name the record by its number when it has one."""
    head = ""
    rest = list(loc)
    if len(rest) >= 2 and rest[0] in ("points", "sections") and isinstance(rest[1], int):
        kind = "要点" if rest[0] == "points" else "部分"
        try:
            number = data[rest[0]][rest[1]].get("number")
        except (AttributeError, IndexError, KeyError, TypeError):
            number = None
        head = f"{kind} {number}" if number is not None else f"{rest[0]} 第 {rest[1] + 1} 项"
        rest = rest[2:]
    field = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in rest).lstrip(".")
    if head and field:
        return f"{head} 的字段 {field}："
    return f"{head or '字段 ' + field}："


def _kind(value: Any) -> str:
    return {list: "列表", str: "文本", int: "数字", float: "数字", bool: "布尔值"}.get(type(value), type(value).__name__)
