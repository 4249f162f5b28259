"""Plans for many people: one row of a people CSV per person, planned on a process pool or a
Dask cluster, one verified plan JSON (and views) per person, a summary CSV, resumable."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import resources
from .errors import ConfigError, DataError, PlannerError
from .inputs import InputRefused, read_bounded

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
RESERVED = ("id", "constraints")
SUMMARY_COLUMNS = ("id", "status", "cost", "absorbed_b12_ug_per_day", "nutrients_met",
                   "nutrients_total", "supplement_units", "seconds", "error")
VIEW_SUFFIX = {"table": "txt", "markdown": "md", "html": "html", "csv": "csv", "ics": "ics",
               "json": "json"}
MAX_PEOPLE = 100_000
MAX_PEOPLE_BYTES = 100_000_000
MAX_CELL = 16_384         # characters in one cell of a people CSV (a value or a file name)
OWN_NAMES = ("summary",)   # ids that would name batch's own files
WATCH_SECONDS = 0.2       # how often a pool worker looks whether its batch is still there


@dataclass(frozen=True)
class Job:
    """Everything one person's plan depends on (picklable, for any engine)."""

    person: str
    row: int
    constraints: str | None
    overrides: tuple[str, ...]
    foods: str | None
    supplements: str | None
    outdir: str
    formats: tuple[str, ...] = ()
    shopping: bool = False
    extra: tuple[str, ...] = field(default=())     # the command's own --set, after the row's
    start: str = "2000-01-03"                       # first calendar day of ICS views

    def inputs_sha256(self) -> str:
        """Hash of the inputs: constraint chain texts, overrides, tables, planner version."""
        from . import __version__
        from .config import preset_path, resolve_chain

        digest = hashlib.sha256()
        path = preset_path(self.constraints) if self.constraints else \
            resources.default_constraints()
        for file, _ in resolve_chain(path):
            digest.update(Path(file).read_bytes())
        for part in (*self.overrides, "|", *self.extra, "|", *self.formats,
                     str(self.shopping), self.start if "ics" in self.formats else "",
                     __version__):
            digest.update(part.encode("utf-8") + b"\0")
        for table, default in ((self.foods, resources.default_foods()),
                               (self.supplements, resources.default_supplements())):
            digest.update(_file_sha256(str(table or default)).encode())
        return digest.hexdigest()


@cache
def _file_sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_people(path: Path, foods: Path | None, supplements: Path | None, outdir: Path,
                formats: tuple[str, ...] = (), shopping: bool = False,
                extra: tuple[str, ...] = (), start: str = "2000-01-03",
                anywhere: bool = False) -> tuple[list[Job], list[dict[str, Any]]]:
    """The jobs of a people CSV, and a summary row with the error for each bad row.

    Columns: ``id`` (required; letters, digits, ``_.-``), ``constraints`` (a preset name or a
    file relative to the CSV's folder; empty: the default), and any ``section.key`` whose
    cell is a `--set` value (TOML, a bare word is text; empty: not set). A constraint file
    must lie inside the CSV's folder (links followed) unless ``anywhere``."""
    try:
        text = read_bounded(path, MAX_PEOPLE_BYTES).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError, InputRefused) as exc:
        raise DataError(f"{path}: cannot be read as UTF-8 text ({exc})",
                        "give a CSV file of people, one row each") from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if "id" not in header:
        raise DataError(f"{path}: the header has no 'id' column (found: "
                        f"{', '.join(header) or 'nothing'})",
                        "first line e.g. id,constraints,person.weight_kg")
    twice = sorted({h for h in header if header.count(h) > 1})
    odd = [h for h in header if h not in RESERVED and "." not in h]
    if twice or odd:
        raise DataError(f"{path}: columns {', '.join(twice + odd)} are repeated or are not "
                        "section.key names", "use id, constraints and keys like person.age")
    jobs: list[Job] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(jobs) + len(errors) >= MAX_PEOPLE:
            raise DataError(f"{path}: more than {MAX_PEOPLE} people", "split the file")
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        person = row.get("id", "")
        problem = _row_problem(person, cells, header, seen)
        if problem:
            errors.append(_summary(f"line-{number}", "error",
                                   error=f"{path} line {number}: {problem}"))
            continue
        constraints = row.get("constraints") or None
        if constraints and not _is_preset_name(constraints):
            constraints = str(path.parent / constraints)
            if not anywhere and not _inside(Path(constraints), path.parent):
                errors.append(_summary(person, "error", error=(
                    f"{path} line {number}: constraints {row['constraints']!r} lies outside "
                    f"the folder of {path.name} (move it there, or pass "
                    "--constraints-anywhere)")))
                seen.add(person.lower())
                continue
        seen.add(person.lower())
        overrides = tuple(f"{k}={v}" for k, v in row.items() if k not in RESERVED and v)
        jobs.append(Job(person, number, constraints, overrides,
                        str(foods) if foods else None,
                        str(supplements) if supplements else None, str(outdir), formats,
                        shopping, extra, start))
    return jobs, errors


def _row_problem(person: str, cells: list[str], header: list[str], seen: set[str]) -> str:
    """What is wrong with a row, else ''. ``seen``: the ids before it, in lower case (on a
    disk that ignores case, 'Ann' and 'ann' name the same files)."""
    if len(cells) > len(header):
        return f"{len(cells)} cells for {len(header)} columns"
    for column, cell in zip(header, cells, strict=False):
        if len(cell) > MAX_CELL:
            return (f"column {column}: {len(cell):,} characters; the limit is {MAX_CELL:,} "
                    "(a value, a preset name or a file name)")
    if not SAFE_ID.match(person):
        return (f"id {person[:40]!r} must be 1-64 letters, digits, '_', '.' or '-' and start "
                "with a letter or digit (it names the output files)")
    if person.lower() in seen:
        return f"id {person!r} is used twice (ids that differ only in case count as one)"
    if person.lower() in OWN_NAMES or person.lower().endswith(".shopping"):
        return (f"id {person!r} would name batch's own files (summary.csv, ID.shopping.md); "
                "choose another")
    return ""


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _is_preset_name(text: str) -> bool:
    from .config import presets

    return text.removesuffix(".toml") in {name for name, _ in presets()} and "/" not in text


def _summary(person: str, status: str, **values: Any) -> dict[str, Any]:
    row = {column: "" for column in SUMMARY_COLUMNS}
    row.update(id=person, status=status, **{k: v for k, v in values.items()
                                             if k in SUMMARY_COLUMNS})
    return row


def plan_person(job: Job) -> dict[str, Any]:
    """Plan one person and write their files atomically; a summary row either way.

    Runs in a worker (process or Dask): imports and tables are loaded once per worker."""
    started = time.perf_counter()
    try:
        return _plan_person(job, started)
    except OSError as exc:   # e.g. a file name too long for the disk
        return _summary(job.person, "error", error=f"line {job.row}: {exc.strerror}: "
                        f"{str(exc.filename)[:200]}",
                        seconds=round(time.perf_counter() - started, 3))
    except PlannerError as exc:
        message = f"line {job.row}: {exc.message}" + (f" (fix: {exc.hint})" if exc.hint
                                                      else "")
        status = "infeasible" if exc.exit_code == 3 else "error"
        return _summary(job.person, status, error=" ".join(message.split()),
                        seconds=round(time.perf_counter() - started, 3))


def _plan_person(job: Job, started: float) -> dict[str, Any]:
    from .config import check_ids, load_config
    from .meal_week import make_plan
    from .output import Outputs
    from .supplements import check_daily_fits

    foods, supplements = _tables(job.foods, job.supplements)
    try:
        config = load_config(job.constraints, job.overrides)
    except ConfigError as exc:  # name the row's column, not an option never given
        raise ConfigError(exc.message.replace("--set ", "column "), exc.hint) from None
    if job.extra:
        config = load_config(job.constraints, (*job.overrides, *job.extra))
    check_ids(config, foods.index, supplements.index)
    check_daily_fits(config, supplements, str(job.constraints or "constraints"))
    digest = job.inputs_sha256()
    meta = {"person": job.person, "inputs_sha256": digest,   # its tables, as `plan` says
            "foods_sha256": _file_sha256(str(job.foods or resources.default_foods())),
            "supplements_sha256": _file_sha256(str(job.supplements
                                                   or resources.default_supplements()))}
    plan = make_plan(foods, supplements, config, meta=meta)
    data = plan.to_dict()
    if parent_gone():   # a killed batch writes nothing more
        raise PlannerError("the batch that started this plan has ended; nothing was written")
    outputs = Outputs()
    for target, text in person_files(job, data, foods, supplements).items():
        outputs.add(target, text)
    outputs.commit()
    return summary_of(job.person, data, time.perf_counter() - started)


def person_files(job: Job, data: dict[str, Any], foods: Any, supplements: Any
                 ) -> dict[Path, str]:
    """Each file batch writes for a person (the plan JSON, views, shopping list): its text."""
    from .shopping import shopping_list
    from .views import plan_currency, render_plan, render_shopping

    base = Path(job.outdir) / job.person
    stamp = job.start.replace("-", "") + "T000000Z"     # same inputs, same bytes
    files = {Path(f"{base}.json"): render_plan(data, "json", job.start, stamp)}
    for fmt in job.formats:
        if fmt != "json":
            files[Path(f"{base}.{VIEW_SUFFIX[fmt]}")] = render_plan(data, fmt, job.start, stamp)
    if job.shopping:
        items = shopping_list(data, foods, supplements)
        files[Path(f"{base}.shopping.md")] = render_shopping(
            items, "markdown", plan_currency(data), data["totals"]["cost"])
    return files


def person_paths(job: Job) -> list[Path]:
    """The paths of the files batch writes for a person."""
    base = Path(job.outdir) / job.person
    paths = [Path(f"{base}.json")]
    paths += [Path(f"{base}.{VIEW_SUFFIX[f]}") for f in job.formats if f != "json"]
    return paths + ([Path(f"{base}.shopping.md")] if job.shopping else [])


def not_plain(job: Job) -> str:
    """Why one of a person's files may be neither read nor replaced (a link, FIFO, folder or
    device where batch writes a plain file), else ''."""
    for path in person_paths(job):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"{path} cannot be examined ({exc.strerror})"
        if not stat.S_ISREG(mode):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "a FIFO" if \
                stat.S_ISFIFO(mode) else "a folder" if stat.S_ISDIR(mode) else "not a plain file"
            return (f"{path} is {kind}: batch neither reads nor replaces it (remove it, and "
                    "run again)")
    return ""


def summary_of(person: str, data: dict[str, Any], seconds: float | str = "") -> dict[str, Any]:
    """The summary row of a written plan."""
    nutrients = data.get("nutrients", [])
    return _summary(person, str(data["meta"].get("status", "")),
                    cost=round(float(data["totals"]["cost"]), 2),
                    absorbed_b12_ug_per_day=round(
                        float(data["totals"]["absorbed_b12_ug_per_day_mean"]), 3),
                    nutrients_met=sum(1 for n in nutrients if n["met"]),
                    nutrients_total=len(nutrients),
                    supplement_units=sum(int(s["units"]) for s in data.get("supplements", [])),
                    seconds=round(seconds, 3) if isinstance(seconds, float) else seconds)


@cache
def _tables(foods: str | None, supplements: str | None) -> tuple[Any, Any]:
    from .foods import load_foods
    from .supplements import load_supplements

    return load_foods(foods), load_supplements(supplements)


def done_before(job: Job) -> dict[str, Any] | None:
    """The summary row of a plan already written for the same inputs, else None. Nothing is
    trusted: the plan JSON (a plain file, bounded) must be for these inputs and pass the
    checks ``planner show`` makes (re-derived from its items and the tables, verified); its
    views and shopping list are then written again wherever they differ from the plan's."""
    from .output import Outputs
    from .saved import checked, load_plan_json

    path = Path(job.outdir) / f"{job.person}.json"
    try:
        data = load_plan_json(path)
        if data["meta"].get("inputs_sha256") != job.inputs_sha256():
            return None
        foods, supplements = _tables(job.foods, job.supplements)
        checked(data, path, foods, supplements)
        outputs = Outputs()
        for target, text in person_files(job, data, foods, supplements).items():
            if target != path and not _holds(target, text):
                outputs.add(target, text)
        outputs.commit()
    except (OSError, ValueError, KeyError, TypeError, PlannerError):
        return None
    return summary_of(job.person, data, "skipped")


def _holds(path: Path, text: str) -> bool:
    """Whether the plain file ``path`` holds exactly ``text``."""
    try:
        return read_bounded(path, MAX_PEOPLE_BYTES) == text.encode("utf-8")
    except (OSError, InputRefused):
        return False


def run_local(jobs: list[Job], workers: int) -> Iterator[dict[str, Any]]:
    """Summary rows as plans finish, on a pool of ``workers`` processes (1: in this one)."""
    if workers <= 1:
        for job in jobs:
            yield plan_person(job)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=watch_parent,
                             initargs=(os.getpid(),)) as pool:
        futures: list[Future[dict[str, Any]]] = [pool.submit(plan_person, j) for j in jobs]
        for future in as_completed(futures):
            yield future.result()


_PARENT: list[int] = []


def watch_parent(parent: int) -> None:
    """In a pool worker: end this process as soon as the batch that started it is gone (a
    ``kill -9`` of the parent leaves no worker planning or writing)."""
    _PARENT[:] = [parent]

    def watch() -> None:
        while not parent_gone():
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def parent_gone() -> bool:
    """In a pool worker: whether its batch has ended (the worker was handed to another
    parent); False elsewhere."""
    return bool(_PARENT) and os.getppid() != _PARENT[0]


def run_dask(jobs: list[Job], scheduler: str) -> Iterator[dict[str, Any]]:
    """Summary rows as plans finish, on the Dask cluster at ``scheduler``."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise PlannerError("--engine dask needs dask.distributed",
                           "pip install 'b12-planner[dask]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise PlannerError(f"--scheduler {scheduler}: no Dask scheduler answers ({exc})",
                           "start one (dask scheduler) or give its address") from None
    with client:
        futures = [client.submit(plan_person, job, key=f"plan-{job.person}-{job.row}",
                                 pure=False) for job in jobs]
        for future in dask_completed(futures):
            yield future.result()


def run_batch(jobs: list[Job], errors: list[dict[str, Any]], engine: str, workers: int,
              scheduler: str | None,
              progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Plan every job not already done for the same inputs; summary rows in input order."""
    rows: dict[str, dict[str, Any]] = {row["id"]: row for row in errors}
    todo = []
    for job in jobs:
        refused = not_plain(job)
        if refused:
            rows[job.person] = _summary(job.person, "error", error=refused)
            continue
        earlier = done_before(job)
        if earlier is not None:
            rows[job.person] = earlier
        else:
            todo.append(job)
    total, finished = len(jobs), len(jobs) - len(todo) - sum(
        1 for job in jobs if rows.get(job.person, {}).get("status") == "error")
    if progress:
        progress(f"{finished} of {total} already planned for the same inputs; "
                 f"{len(todo)} to plan, {len(errors)} bad row(s)")
    results = run_dask(todo, scheduler) if engine == "dask" and scheduler is not None \
        else run_local(todo, workers)
    for row in results:
        rows[row["id"]] = row
        finished += 1
        if progress:
            progress(f"[{finished}/{total}] {row['id']}: {row['status']}")
    order = [e["id"] for e in errors] + [j.person for j in jobs]
    return [rows[person] for person in sorted(order, key=_row_order(jobs, errors))]


def _row_order(jobs: list[Job], errors: list[dict[str, Any]]) -> Callable[[str], int]:
    lines = {job.person: job.row for job in jobs}
    for row in errors:
        match = re.search(r" line (\d+):", str(row["error"]))
        lines[row["id"]] = int(match.group(1)) if match else 0
    return lambda person: lines.get(person, 0)


def summary_csv(rows: list[dict[str, Any]]) -> str:
    """The summary as CSV text (cells that could start a formula are quoted inert)."""
    from .text import safe_cell

    out = io.StringIO()
    writer = csv.DictWriter(out, SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(str(v)) for k, v in row.items()})
    return out.getvalue()
