#!/usr/bin/env bash
# Makes docs/img/进展公开.png, the README's picture of the published page: a ledger with a quarter's
# reports (as of 2022-09-30), `gkplan publish --serve`, and headless Chromium on the 逾期事项 page.
# Needs gkplan with the publish extra and a `chromium` on PATH (Debian: apt-get install chromium fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")"
out="$PWD/进展公开.png"
work=$(mktemp -d)
export GKPLAN_DB="$work/ledger.db" GKPLAN_TODAY=2022-09-30 GKPLAN_USER=督查办 NO_COLOR=1
gk() { "${PYTHON:-python3}" -m gkplan "$@" >/dev/null 2>"$work/gk.err" || { cat "$work/gk.err" >&2; return 1; }; }
gk depts
gk update 17 --progress 45 --done 国家老年大学建设方案已报教育部 --problem 总部立项尚待批复 --next 推进机构申请 --by 张三 --date 2022-09-20
gk task add 17 老年教育公共服务平台上线 --due 2022-09-15 --owner 李四 --deliverable 里程碑 --date 2022-06-01
gk update 18 --progress 100 --evidence 国开发〔2022〕9号 --by 张三 --date 2022-08-30
gk review 18 --accept --override 经核实已办结 --by 王五 --date 2022-09-05
gk update 7 --status 受阻 --progress 30 --note 等待招生计划批复 --by 张三 --date 2022-09-22
gk update 29 --due 2022-08-31 --date 2022-06-01
gk update 29 --progress 60 --note 海外学习中心申报材料已提交 --date 2022-09-10
gk update 22 --progress 70 --note 规划实施工作方案已印发 --date 2022-09-25
gk update 13 --progress 50 --note "已修订 16 个专业的人才培养方案" --date 2022-09-24
gk target set 7 总招生数 --actual 158万 --as-of 2022-09-20 --date 2022-09-20
port=${PORT:-8123}
"${PYTHON:-python3}" -m gkplan publish --serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/-/versions.json" >/dev/null && break; sleep 0.2; done
# Datasette's URLs spell non-ASCII names with ~XX escapes (进展公开/逾期事项)
page="http://127.0.0.1:$port/~E8~BF~9B~E5~B1~95~E5~85~AC~E5~BC~80/~E9~80~BE~E6~9C~9F~E4~BA~8B~E9~A1~B9"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,880 --screenshot="$out" "$page" 2>/dev/null
if command -v pngquant >/dev/null; then pngquant --force --skip-if-larger --output "$out" 32 "$out"; fi
echo "$out"
