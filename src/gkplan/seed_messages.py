"""A seed's problems in words: pydantic-style problem kinds (seed_check.py, seed_values.py) as Chinese messages.

Separate from seed.py (reading a seed and the checks across its records) because only a seed with a problem
needs it: SeedSource imports it when it reports one.
"""

from __future__ import annotations

from gkplan.seed import MERGE_KEY, UNSEEN, TooLarge, show

MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "int_parsing": "应为整数",
    "int_parsing_size": "数字过大",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "date_parsing": "应为日期，如 2022-12-31",
    "date_type": "应为日期，如 2022-12-31",
    "date_from_datetime_parsing": "应为日期，如 2022-12-31",
    "date_from_datetime_inexact": "应为日期（不含时间）",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "list_type": "应为列表",
    "too_short": "至少需要一项",
    "too_long": "过长（最多 {max_length} 项）",
    "model_type": "应为映射（键: 值）",
    "dict_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "bool_type": "应为是或否（true 或 false）",
    "bool_parsing": "应为是或否（true 或 false）",
    "string_unicode": "不是有效的 UTF-8 文本",
    "invalid_key": "键应为文本",
}


def message(err: dict) -> str:
    kind, value = err["type"], err.get("input")
    if isinstance(value, TooLarge):
        return f"数字过大（{value.digits} 位）"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "literal_error":  # the choices as pydantic listed them: "'a', 'b' or 'c'"
        return "应为 " + err["ctx"]["expected"].replace("', '", "'、'").replace("' or '", "' 或 '") + " 之一"
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        from gkplan.seed_model import TEXT_PATTERN

        return unseen(value, "\t\n" if err["ctx"]["pattern"] == TEXT_PATTERN else "")
    template = MESSAGES.get(kind)
    if template is None:
        return err["msg"]
    return template.format(**err.get("ctx", {}))


def constructor(problem: str) -> str:
    """PyYAML's constructor problems in Chinese (ours, duplicate keys and bad dates, already are): a seed is plain
    text, numbers, dates, lists and mappings, so a merge key or any tag is refused, not run or guessed at."""
    import re

    tag = re.fullmatch(r"could not determine a constructor for the tag '(.*)'", problem, flags=re.S)
    if tag and tag.group(1) == "tag:yaml.org,2002:merge":
        return MERGE_KEY
    if tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return f"不支持标签 {show(name)}；种子只能用普通的文本、数字、日期、列表和映射"
    if re.search(r"[\u4e00-\u9fff]", problem):
        return problem
    if "unhashable key" in problem or "unacceptable key" in problem:
        return "键应为文本"
    if "expected a mapping node" in problem or "expected a sequence node" in problem:
        return "这里的值类型不对（应为映射或列表）"
    return f"无法读取的 YAML 值（{show(problem, 80)}）"


def unseen(text: str, allowed: str) -> str:
    """Which invisible character a text may not hold (seed_model.py's patterns), and where."""
    text = text.strip()
    for i, ch in enumerate(text):
        code = ord(ch)
        if ch in allowed:
            continue
        if ch == "\n":
            return f"不能含换行（第 {i + 1} 个字符），此字段只能写一行"
        if code in UNSEEN:
            kind = "双向文本控制字符" if code > 0xFF else "控制字符"
            return f"含{kind} U+{code:04X}（第 {i + 1} 个字符），会扰乱终端和表格的显示"
    return "含不允许的字符"
