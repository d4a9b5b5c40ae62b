"""--dept and --leader resolve a name by index (ledger/lookup.py), never by listing every point id: the names
they know, and their order in a candidates error, are those of `depts` and `leaders`."""

from __future__ import annotations

import re


def _candidates(stderr: str) -> list[str]:
    return re.search(r"可指多个\S+?：(\S+?)；", stderr).group(1).split("、")


def test_every_known_name_resolves_exactly_to_its_own_points(run, ledger):
    for kind, flag in (("depts", "--dept"), ("leaders", "--leader")):
        for row in run.json(kind):
            assert run.ids(flag, row["name"]) == sorted(row["points"]), row["name"]
    assert run.json("task", "list", "--dept", "jwb") == run.json("task", "list", "--dept", "教务部") != []


def test_a_partial_leader_lists_the_candidates_in_order_of_first_appearance(run, ledger):
    leaders = [row["name"] for row in run.json("leaders")]
    r = run("list", "--leader", "liu", code=3)
    named = _candidates(r.stderr)
    assert named == [n for n in leaders if n in named] and len(named) >= 2
    r = run("list", "--dept", "部", code=3)
    named = _candidates(r.stderr)
    assert named == sorted(named)  # departments: in code-point order, as before
