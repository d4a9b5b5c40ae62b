"""What `gkplan admin init` says of the departments' roles: made on the server, or an existing role used again."""

from __future__ import annotations

from test_pg_admin import CLASH


def test_init_says_which_roles_it_made_and_which_it_used_again(run, pgdb, pg_server, tmp_path):
    seed = tmp_path / "clash.yaml"
    seed.write_text(CLASH.format(a="教务部", b="计务部", c="技物部"), encoding="utf-8")
    first = run("admin", "init", pgdb, "--seed", str(seed)).stdout
    assert "部门角色 4 个（新建 4 个）" in first and "沿用" not in first, first
    pg_server.sql("CREATE DATABASE t_words_second", "CREATE DATABASE t_words_third")
    same = run("admin", "init", pg_server.dsn("t_words_second"), "--seed", str(seed)).stdout
    assert "部门角色 4 个（沿用服务器上已有的同一部门的角色 4 个，未新建）" in same, same
    assert "新增" not in same and "新建 4" not in same
    seed.write_text(CLASH.format(a="技物部", b="新务部", c="教务部"), encoding="utf-8")
    mixed = run("admin", "init", pg_server.dsn("t_words_third"), "--seed", str(seed)).stdout
    assert "部门角色 4 个（新建 1 个，沿用服务器上已有的同一部门的角色 3 个）" in mixed, mixed
