"""The benchmark's data for one size, made once and kept in the work directory.

    python bench/data.py WORKDIR N [--gkplan PATH]      # make (or reuse) the data for N records
    python bench/data.py WORKDIR N --adopt DIR          # take a seed and loaded ledger made elsewhere

WORKDIR/nN/ holds the seeds (JSON, YAML), Taskwarrior's import file, the loaded ledger with its history,
and `key`: a hash of the generator, the history writer, N and gkplan's version. A later run whose key
matches reuses everything (a 1,000,000-record ledger takes minutes to make); a changed generator or
gkplan makes it again. Commands that write work on a copy (`scratch`), never on the cached ledger.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402
from measure import progress  # noqa: E402


def history_size(n: int) -> int:
    """Progress reports the ledger gets: three a record at every size, so that a question's growth from size to
    size is the program's, not the data's (until the eleventh stop 1M records had one each, and `remind`, which
    names the points without a recent report, named 11.6 times as many at 1M as at 100k)."""
    return 3 * n


@dataclass
class Dataset:
    n: int
    dir: Path
    gkplan: str
    python: str

    @property
    def db(self) -> Path:
        return self.dir / "ledger.db"

    @property
    def seed_json(self) -> Path:
        return self.dir / f"seed-{self.n}.json"

    @property
    def seed_yaml(self) -> Path:
        return self.dir / f"seed-{self.n}.yaml"

    def env(self, base: dict[str, str], db: Path | str | None = None) -> dict[str, str]:
        return base | {"GKPLAN_DB": str(db or self.db), "GKPLAN_TODAY": generate.AS_OF.isoformat()}

    def scratch(self, name: str = "scratch.db") -> Path:
        """A copy of the ledger for commands that write (made once per call)."""
        return copy_ledger(self.db, self.dir / name)


def key(n: int, gkplan: str) -> str:
    version = subprocess.run([gkplan, "--version"], capture_output=True, text=True).stdout.strip()
    digest = hashlib.sha256()
    for name in ("generate.py", "history.py"):
        digest.update((HERE / name).read_bytes())
    digest.update(f"{n} {history_size(n)} {version}".encode())
    return digest.hexdigest()[:16]


def copy_ledger(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup (the source may have a WAL beside it)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    return target


def dataset(work: Path, n: int, gkplan: str, python: str, base_env: dict[str, str]) -> Dataset:
    ds = Dataset(n, work / f"n{n}", gkplan, python)
    wanted = key(n, gkplan)
    stamp = ds.dir / "key"
    if stamp.exists() and stamp.read_text().strip() == wanted and ds.db.exists():
        progress(f"N = {n:,}: cached data in {ds.dir} (key {wanted})")
        return ds
    progress(f"N = {n:,}: making the data in {ds.dir} (key {wanted}); at 1,000,000 this takes ~10 min")
    shutil.rmtree(ds.dir, ignore_errors=True)
    ds.dir.mkdir(parents=True)
    # in a child: the generator holds every record, and a parent's size would show in its children's max RSS
    subprocess.run([python, str(HERE / "generate.py"), str(n), str(ds.dir)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([gkplan, "load", str(ds.seed_json)], env=ds.env(base_env), check=True, capture_output=True)
    progress(f"N = {n:,}: loaded; writing {history_size(n):,} history entries")
    subprocess.run([python, str(HERE / "history.py"), str(ds.db), str(history_size(n))], check=True, cwd=HERE,
                   env=ds.env(base_env))  # fmt: skip
    stamp.write_text(wanted + "\n")
    return ds


def adopt(work: Path, n: int, source: Path, gkplan: str) -> Path:
    """Take data made elsewhere (seed-N.json/.yaml, taskwarrior-N.json, ledger.db) as this size's cache."""
    target = work / f"n{n}"
    target.mkdir(parents=True, exist_ok=True)
    for name in (f"seed-{n}.json", f"seed-{n}.yaml", f"taskwarrior-{n}.json"):
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)
    copy_ledger(source / "ledger.db", target / "ledger.db")
    (target / "key").write_text(key(n, gkplan) + "\n")
    return target


def taskwarrior(ds: Dataset, base_env: dict[str, str]) -> dict[str, str] | None:
    """Taskwarrior's data for this size, imported once a day (its due dates are shifted so that its today
    is our as-of day; Taskwarrior has no as-of date). None without `task`."""
    task = shutil.which("task")
    if task is None:
        return None
    data, rc = ds.dir / "task", ds.dir / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\nrecurrence=off\n", encoding="utf-8")
    env = base_env | {"TASKRC": str(rc), "TASKDATA": str(data)}
    marker = data / f".imported-{date.today().isoformat()}"
    if not marker.exists():
        progress(f"N = {ds.n:,}: importing into Taskwarrior")
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir()
        subprocess.run([task, "import", str(shifted(ds))], env=env, check=True, capture_output=True)
        marker.touch()
    return env


def shifted(ds: Dataset) -> Path:
    """Taskwarrior's import file with due dates moved so that today is the as-of day."""
    source, out = ds.dir / f"taskwarrior-{ds.n}.json", ds.dir / f"taskwarrior-{ds.n}-today.json"
    shift = date.today() - generate.AS_OF
    with source.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            rec = json.loads(line)
            due = date(int(rec["due"][:4]), int(rec["due"][4:6]), int(rec["due"][6:8])) + shift
            rec["due"] = due.strftime("%Y%m%dT000000Z")
            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--gkplan", default=str(Path(sys.executable).parent / "gkplan"))
    parser.add_argument("--adopt", type=Path, default=None)
    args = parser.parse_args()
    if args.adopt:
        print(adopt(args.workdir, args.n, args.adopt, args.gkplan))
    else:
        import os

        print(dataset(args.workdir, args.n, args.gkplan, sys.executable, dict(os.environ)).dir)


if __name__ == "__main__":
    main()
