"""Write a synthetic plan of N work points, as a gkplan seed and as Taskwarrior import JSON.

    python bench/generate.py 100000 /tmp/bench

gives /tmp/bench/seed-100000.yaml, the same seed as JSON (seed-100000.json, which gkplan streams),
and /tmp/bench/taskwarrior-100000.json for `task import`, all with the same records:
realistic departments and leaders, Chinese titles, due dates across the 十四五 plan period, and a
third of them overdue at the fixed as-of date AS_OF (nothing is done, so overdue = due before it).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2023, 7, 1)
DEPARTMENTS = [
    "党委办公室", "校长办公室", "宣传部", "组织部", "人事部", "纪检监察部", "审计部", "教务部", "质量监控部", "学习资源部",
    "学生工作与教师发展部", "信息化部", "终身教育研究院", "改革发展部", "社会教育部", "学分银行", "实验学院", "国际部",
    "财务部", "资产管理部", "后勤保卫部", "马克思主义学院", "中职教学部", "老年大学",
] + [f"{city}分部" for city in (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西", "山东",
    "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
)]  # fmt: skip
LEADERS = ["曹国永", "荆德刚", "刘臣", "刘向虹", "李松", "鞠传进", "范贤睿"]
VERBS = ["推进", "完善", "加强", "落实", "优化", "深化", "建设", "开展", "健全", "提升"]
OBJECTS = ["课程资源建设", "教学质量评估", "学分银行服务", "招生管理", "数字化平台", "教师培训", "老年教育课程", "办学体系评估",
           "社区教育项目", "财务信息化", "网络安全监测", "学术委员会工作"]  # fmt: skip
SECTIONS = ["党的建设", "教育教学质量", "教育数字化", "老年大学", "科研与学科", "终身学习体系", "一体化体制机制", "国际化办学",
            "服务保障", "督查督办"]  # fmt: skip


def records(n: int, seed: int = 2022) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        overdue = i % 3 == 0  # a third of them
        due = AS_OF - timedelta(days=rng.randint(1, 540)) if overdue else AS_OF + timedelta(days=rng.randint(0, 900))
        title = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}（{i}）"
        out.append({
            "number": i, "section": (i % 10) + 1, "title": title, "department": rng.choice(DEPARTMENTS),
            "leader": rng.choice(LEADERS), "due": due,
        })  # fmt: skip
    return out


PLAN = {"title": "十四五规划任务分解（合成数据）", "issued": "2021-01-01", "year": 2025, "end": "2025-12-31"}


def write(n: int, folder: Path) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = records(n)
    seed = folder / f"seed-{n}.yaml"
    with seed.open("w", encoding="utf-8") as f:
        f.write("plan: " + json.dumps(PLAN, ensure_ascii=False) + "\n")
        f.write("sections:\n" + "".join(f"  - {{number: {i}, title: {t}}}\n" for i, t in enumerate(SECTIONS, 1)))
        f.write("points:\n")
        for r in rows:
            f.write(
                f"  - {{number: {r['number']}, section: {r['section']}, title: {r['title']}, text: {r['title']}。,"
                f" due: {r['due'].isoformat()}, leads: [{{leader: {r['leader']}, departments: [{r['department']}]}}]}}\n"
            )
    as_json = folder / f"seed-{n}.json"
    with as_json.open("w", encoding="utf-8") as f:
        head = {"plan": PLAN, "sections": [{"number": i, "title": t} for i, t in enumerate(SECTIONS, 1)]}
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "points": [\n')
        f.write(",\n".join(json.dumps({
            "number": r["number"], "section": r["section"], "title": r["title"], "text": r["title"] + "。",
            "due": r["due"].isoformat(), "leads": [{"leader": r["leader"], "departments": [r["department"]]}],
        }, ensure_ascii=False) for r in rows))  # fmt: skip
        f.write("\n]}\n")
    tw = folder / f"taskwarrior-{n}.json"
    with tw.open("w", encoding="utf-8") as f:
        for r in rows:  # one JSON object a line: what `task import` reads
            f.write(json.dumps({
                "description": r["title"], "project": r["department"], "due": r["due"].strftime("%Y%m%dT000000Z"),
                "status": "pending", "tags": [r["leader"]], "entry": "20210101T000000Z",
            }, ensure_ascii=False) + "\n")  # fmt: skip
    return seed, as_json, tw


if __name__ == "__main__":
    n = int(sys.argv[1])
    for path in write(n, Path(sys.argv[2] if len(sys.argv) > 2 else "bench-data")):
        print(path)
