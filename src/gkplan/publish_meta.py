"""The Datasette metadata of the published progress page: titles, descriptions, facets, canned queries,
and arbitrary SQL turned off (`allow_sql`; `serve` turns off the download and the default as well)."""

from __future__ import annotations

from typing import Any

LIGHTS_HELP = "红：已过截止日期未办结；黄：受阻、落后于应有进度或临近截止；绿：正常；待销号：已报办结待审核；未报送：本期未报送"

BY_DEPARTMENT = """select d.部门, d.角色, p.编号, p.工作要点, p.状态, p.进度, p.灯色, p.截止日期, p.进展情况
from 要点部门 d join 工作要点 p on p.编号 = d.编号
where d.部门 like '%' || :部门 || '%'
order by d.部门, d.角色 = '协办', p.编号"""


def _tables(as_of: str) -> dict[str, Any]:
    days = f"截至 {as_of}"
    return {
        "工作要点": {
            "title": "工作要点进展",
            "description": f"每项工作要点的牵头校领导和部门、状态、进度、灯色和最新进展（{days}）。点击部分、状态或灯色可筛选。",
            "facets": ["部分", "状态", "灯色"],
            "label_column": "工作要点",
            "columns": {
                "进度": "0–100，牵头部门填报（有完整任务清单的要点为任务的加权平均）",
                "灯色": LIGHTS_HELP,
                "剩余天数": f"{days}距截止日期的天数，负数为已逾期；已完成和暂缓的不计",
            },
        },
        "任务": {
            "title": "任务进展",
            "description": f"各要点分解的任务（原文承诺的文件和里程碑等）：负责部门、成果形式、进度和灯色（{days}）。",
            "facets": ["成果形式", "状态", "灯色"],
            "label_column": "任务",
            "columns": {"灯色": LIGHTS_HELP, "剩余天数": f"{days}距截止日期的天数，负数为已逾期"},
        },
        "逾期事项": {
            "title": "逾期事项",
            "description": f"{days}已过截止日期仍未办结的要点和任务，逾期最久的在前；任务列在所属要点之下。",
            "facets": ["类别", "部门"],
            "columns": {"部门": "要点的牵头部门，任务的负责部门", "逾期天数": "要点本身未逾期、只因其任务逾期而列出时为空"},
        },
        "各部门汇总": {
            "title": "各部门汇总",
            "description": f"按牵头部门统计要点的状态、灯色、逾期、平均进度和延期（{days}）；两个部门共同牵头的要点在两个部门下都计入。",
            "columns": {"延期要点数": "截止日期推后过的要点数", "延期次数": "这些要点推后截止日期的次数"},
        },
        "量化指标": {
            "title": "量化指标",
            "description": f"工作要点中的量化指标：目标、实际值和完成率（{days}）。",
            "facets": ["是否达成"],
            "columns": {
                "目标下限": "以基本单位计（如万人折算为人）",
                "完成率": "实际值 ÷ 目标下限（%）；有范围的指标达到下限即算达成",
                "统计日期": "实际值所统计的日期",
            },
        },
        "要点部门": {"title": "要点部门", "description": "每项要点的牵头和协办部门（供按部门查看）", "hidden": True},
        "公开说明": {"title": "公开说明", "description": "本页数据的来源和截至日期"},
    }


def metadata(name: str, plan: dict[str, Any], as_of: str) -> dict[str, Any]:
    """Datasette's metadata for the database `name` (the published file's stem), as of `as_of`."""
    title = f"{plan['title']} · 进展公开"
    document = f"（{plan['document']}）" if plan.get("document") else ""
    about = f"《{plan['title']}》{document}各项任务的进展情况和成效，数据截至 {as_of}。本页只读，由督查台账按截至日期重算生成。"
    return {
        "title": title,
        "description": about,
        "source": plan.get("document") or plan["title"],
        "allow_sql": False,  # arbitrary SQL is off for everyone; the canned queries below still run
        "databases": {
            name: {
                "title": title,
                "description": about,
                "allow_sql": False,
                "tables": _tables(as_of),
                "queries": {
                    "按部门查看": {
                        "title": "按部门查看",
                        "description": "输入部门名称（或其中一部分，如“教务”），列出它牵头和协办的工作要点；留空列出全部。",
                        "sql": BY_DEPARTMENT,
                        "hide_sql": True,  # readers want the list, not the query
                    },
                },
            },
        },
    }
