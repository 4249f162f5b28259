"""Plans for many people: the people CSV, the local and Dask engines, resuming."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import TOY_CONFIG as TOY
from .conftest import TOY_FOODS
from .conftest import TOY_HEADER as HEADER

pytestmark = pytest.mark.plans   # every test here plans a week or a day

PLANNED = ("optimal", "feasible")   # a toy day's bound is its LP: a plan may be "feasible"


def setup(tmp_path: Path, count: int = 20, extra_rows: tuple[str, ...] = ()) -> Path:
    (tmp_path / "foods.csv").write_text(HEADER + "\n" + "\n".join(TOY_FOODS) + "\n",
                                        encoding="utf-8")
    (tmp_path / "toy.toml").write_text(TOY, encoding="utf-8")
    rows = ["id,constraints,nutrients.protein_g_min,nutrients.energy_kcal"]
    rows += [f"p{n:02d},toy.toml,{5 + n % 10},\"[{400 + 10 * (n % 20)}, 700]\""
             for n in range(count)]
    rows += list(extra_rows)
    people = tmp_path / "people.csv"
    people.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return people


def batch(people: Path, outdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", "batch", str(people), "-o",
                           str(outdir), "--foods", str(people.parent / "foods.csv"), *args],
                          capture_output=True, text=True, check=False)


def summary(outdir: Path) -> list[dict[str, str]]:
    with open(outdir / "summary.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def plans(outdir: Path) -> dict[str, dict[str, object]]:
    out = {}
    for path in sorted(outdir.glob("p*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["meta"].pop("solve_seconds")
        out[path.stem] = data
    return out


def test_local_engine_plans_twenty_people_and_resumes(tmp_path: Path) -> None:
    people = setup(tmp_path)
    out = tmp_path / "out"
    result = batch(people, out, "--workers", "2", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    rows = summary(out)
    assert [r["id"] for r in rows] == [f"p{n:02d}" for n in range(20)]
    assert all(r["status"] in PLANNED for r in rows)
    assert len(list(out.glob("p*.json"))) == 20 and len(list(out.glob("p*.md"))) == 20
    first = plans(out)
    assert first["p03"]["meta"]["person"] == "p03"
    stamp = (out / "p00.json").stat().st_mtime_ns
    again = batch(people, out, "--workers", "2", "--format", "markdown")
    assert again.returncode == 0
    assert "20 of 20 already planned" in again.stderr
    assert [r["seconds"] for r in summary(out)] == ["skipped"] * 20
    assert (out / "p00.json").stat().st_mtime_ns == stamp


def test_one_worker_and_two_give_the_same_plans(tmp_path: Path) -> None:
    people = setup(tmp_path, 6)
    assert batch(people, tmp_path / "one", "--workers", "1").returncode == 0
    assert batch(people, tmp_path / "two", "--workers", "2").returncode == 0
    assert plans(tmp_path / "one") == plans(tmp_path / "two")


def test_changed_input_is_planned_again(tmp_path: Path) -> None:
    people = setup(tmp_path, 3)
    out = tmp_path / "out"
    assert batch(people, out, "--workers", "1").returncode == 0
    people.write_text(people.read_text().replace("p01,toy.toml,6,", "p01,toy.toml,7,"))
    result = batch(people, out, "--workers", "1")
    assert "2 of 3 already planned" in result.stderr
    assert [r["seconds"] == "skipped" for r in summary(out)] == [True, False, True]


def test_a_batch_plan_is_shown_with_its_tables(tmp_path: Path) -> None:
    """A person's plan names its tables' SHA-256 as `plan` does: `show` with the table it
    was made with re-verifies it; with the packaged table it is refused, naming --foods."""
    people = setup(tmp_path, 1)
    out = tmp_path / "out"
    assert batch(people, out, "--workers", "1").returncode == 0
    shown = subprocess.run([sys.executable, "-m", "planner", "show", str(out / "p00.json"),
                            "--foods", str(tmp_path / "foods.csv")],
                           capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    other = subprocess.run([sys.executable, "-m", "planner", "show", str(out / "p00.json")],
                           capture_output=True, text=True, check=False)
    assert other.returncode == 1 and "--foods" in other.stderr


def test_bad_rows_get_their_own_error_line(tmp_path: Path) -> None:
    people = setup(tmp_path, 3, ('../evil,toy.toml,5,"[400, 700]"',
                                 'p01,toy.toml,5,"[400, 700]"',
                                 'p98,toy.toml,lots,"[400, 700]"',
                                 'p99,missing.toml,5,"[400, 700]"'))
    out = tmp_path / "out"
    result = batch(people, out, "--workers", "1")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    rows = {r["id"]: r for r in summary(out)}
    assert rows["line-5"]["status"] == "error"
    assert "must be 1-64 letters" in rows["line-5"]["error"]
    assert "used twice" in rows["line-6"]["error"]
    assert "column nutrients.protein_g_min" in rows["p98"]["error"]
    assert "missing.toml" in rows["p99"]["error"]
    assert all(rows[f"p0{n}"]["status"] in PLANNED for n in range(3))
    assert not list(tmp_path.glob("evil*")) and not (out / "p98.json").exists()


def test_people_file_without_id_column_is_refused(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("name,person.age\nann,40\n", encoding="utf-8")
    result = batch(people, tmp_path / "out")
    assert result.returncode == 1 and "no 'id' column" in result.stderr


def running_batch(tmp_path: Path, workers: int, written: int
                  ) -> tuple[Path, Path, subprocess.Popen[bytes]]:
    """A batch of 40 people on ``workers`` processes, once it has written ``written`` plans
    (or ended): the people CSV, the output folder and the process."""
    people = setup(tmp_path, 40)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "planner", "batch", str(people), "-o", str(out),
               "--foods", str(tmp_path / "foods.csv"), "--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None \
            and len(list(out.glob("p*.json"))) < written:
        time.sleep(0.02)
    return people, out, process


def test_a_killed_run_resumes(tmp_path: Path) -> None:
    people, out, process = running_batch(tmp_path, 1, 3)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
    process.communicate(timeout=60)
    done = len(list(out.glob("p*.json")))
    assert done >= 3 and not list(out.glob(".b12-*"))
    result = batch(people, out, "--workers", "1")
    assert result.returncode == 0
    assert f"{done} of 40 already planned" in result.stderr
    assert len(summary(out)) == 40


def test_dask_engine_on_a_local_cluster_gives_the_same_plans(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    people = setup(tmp_path, 6)
    assert batch(people, tmp_path / "local", "--workers", "1").returncode == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        result = batch(people, tmp_path / "dask", "--engine", "dask", "--scheduler",
                       cluster.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert plans(tmp_path / "dask") == plans(tmp_path / "local")


def test_dask_engine_without_a_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    people = setup(tmp_path, 1)
    result = batch(people, tmp_path / "out", "--engine", "dask", "--scheduler",
                   "tcp://127.0.0.1:9")
    assert result.returncode == 1 and "no Dask scheduler answers" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_tampered_plan_is_planned_again_and_edited_views_are_rewritten(
        tmp_path: Path) -> None:
    """Issue 30 item 6: a rerun trusts nothing it finds: a plan JSON edited after it was made
    (its inputs hash kept) is planned again; a view that no longer matches its plan is
    written again from the verified plan; an untouched person is skipped."""
    people = setup(tmp_path, 3)
    out = tmp_path / "out"
    assert batch(people, out, "--workers", "1", "--format", "markdown").returncode == 0
    made = (out / "p00.json").read_text(encoding="utf-8")
    data = json.loads(made)
    item = data["occasions"][0]["items"][0]
    item["grams"], item["servings"] = item["grams"] * 2, item["servings"] * 2
    (out / "p00.json").write_text(json.dumps(data), encoding="utf-8")
    view = (out / "p01.md").read_text(encoding="utf-8")
    (out / "p01.md").write_text(view.replace("Day 1", "Day 9"), encoding="utf-8")
    result = batch(people, out, "--workers", "1", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert "2 of 3 already planned" in result.stderr
    assert [r["seconds"] == "skipped" for r in summary(out)] == [False, True, True]
    assert json.loads((out / "p00.json").read_text())["days"] == json.loads(made)["days"]
    assert (out / "p01.md").read_text(encoding="utf-8") == view


def test_links_and_fifos_in_place_of_a_plan_are_refused_not_read(tmp_path: Path) -> None:
    """Issue 30 item 6: where batch writes a plain file, a symbolic link or a FIFO is neither
    read (a FIFO would hang the rerun) nor replaced: the person gets an error naming it."""
    people = setup(tmp_path, 3)
    out = tmp_path / "out"
    out.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("keep me", encoding="utf-8")
    (out / "p00.json").symlink_to(secret)
    os.mkfifo(out / "p01.json")
    result = subprocess.run([sys.executable, "-m", "planner", "batch", str(people), "-o",
                             str(out), "--foods", str(tmp_path / "foods.csv"), "--workers",
                             "1"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    rows = {r["id"]: r for r in summary(out)}
    assert "is a symbolic link" in rows["p00"]["error"]
    assert "is a FIFO" in rows["p01"]["error"]
    assert rows["p02"]["status"] in PLANNED
    assert (out / "p00.json").is_symlink() and secret.read_text() == "keep me"


def test_constraint_files_stay_in_the_people_folder_and_ids_never_collide(
        tmp_path: Path) -> None:
    """Issue 30 item 6: a constraint file outside the CSV's folder is refused unless
    --constraints-anywhere; ids equal but for case, 'summary' and 'X.shopping' are refused."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "toy.toml").write_text(TOY, encoding="utf-8")
    folder = tmp_path / "clinic"
    folder.mkdir()
    people = setup(folder, 1, ('p01,../elsewhere/toy.toml,5,"[400, 700]"',
                               'P00,toy.toml,5,"[400, 700]"',
                               'summary,toy.toml,5,"[400, 700]"',
                               'p00.shopping,toy.toml,5,"[400, 700]"'))
    out = tmp_path / "out"
    result = batch(people, out, "--workers", "1", "--shopping-list")
    assert result.returncode == 3, result.stderr
    rows = {r["id"]: r for r in summary(out)}
    assert "lies outside the folder" in rows["p01"]["error"]
    assert "used twice" in rows["line-4"]["error"]
    assert "batch's own files" in rows["line-5"]["error"]
    assert "batch's own files" in rows["line-6"]["error"]
    assert rows["p00"]["status"] in PLANNED
    allowed = batch(people, out, "--workers", "1", "--shopping-list", "--constraints-anywhere")
    assert {r["id"]: r for r in summary(out)}["p01"]["status"] in PLANNED, allowed.stderr


def test_workers_end_with_a_killed_batch_and_write_nothing_after(tmp_path: Path) -> None:
    """Issue 30 item 6: a `kill -9` of the batch leaves no pool worker planning: each ends
    within a second, and no plan is written after the kill."""
    _, out, process = running_batch(tmp_path, 2, 2)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    killed = time.monotonic()
    time.sleep(0.3)   # a plan being renamed into place at the kill may still land
    written = {p.name for p in out.glob("p*.json")}
    while time.monotonic() < killed + 5 and any(Path(f"/proc/{w}").exists() and
                                                "zombie" not in _state(w) for w in workers):
        time.sleep(0.05)
    assert all(not Path(f"/proc/{w}").exists() or "zombie" in _state(w) for w in workers)
    time.sleep(1.0)
    assert workers and {p.name for p in out.glob("p*.json")} == written


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


def test_huge_cells_are_row_errors_not_tracebacks(tmp_path: Path) -> None:
    """Issue 30 item 4: a 128 KiB cell is refused with the column and the limit; a file name
    too long for the disk (5,000 characters) is that row's error; the others are planned."""
    people = setup(tmp_path, 1, (f'p01,toy.toml,{"9" * 131072},"[400, 700]"',
                                 f'p02,{"a" * 5000}.toml,5,"[400, 700]"'))
    out = tmp_path / "out"
    result = batch(people, out, "--workers", "1")
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
    rows = {r["id"]: r for r in summary(out)}
    assert "131,072 characters; the limit is 16,384" in rows["line-3"]["error"]
    assert "name too long" in rows["p02"]["error"].lower()
    assert rows["p00"]["status"] in PLANNED
