"""The hostile-input corpus: every broken file exits 1, names the file and the place, prints
no traceback and leaves no output file behind (tests/data/bad/EXPECTED.csv lists them)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import cli

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
CORPUS = list(csv.DictReader((BAD / "EXPECTED.csv").open(encoding="utf-8")))


def command(kind: str, path: Path, out: Path) -> list[str]:
    if kind == "foods":
        return ["plan", "--foods", str(path), "--days", "1", "-o", str(out)]
    if kind == "supplements":
        return ["plan", "--supplements", str(path), "--days", "1", "-o", str(out)]
    if kind == "constraints":
        return ["plan", str(path), "-o", str(out)]
    if kind == "pantry":
        return ["shop", str(DATA / "plan_small.json"), "--pantry", str(path), "-o", str(out)]
    return ["shop", str(path), "-o", str(out)]


def test_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) >= 40
    assert {row["kind"] for row in CORPUS} == {"foods", "supplements", "constraints", "pantry",
                                               "plan"}
    listed = {row["file"] for row in CORPUS}
    assert listed <= {p.name for p in BAD.iterdir()}


@pytest.mark.parametrize("case", CORPUS, ids=[c["file"] for c in CORPUS])
def test_bad_input(case: dict[str, str], tmp_path: Path) -> None:
    path = BAD / case["file"]
    out = tmp_path / "out.md"
    result = CliRunner().invoke(cli, command(case["kind"], path, out))
    assert result.exit_code == 1, result.output
    assert case["message"] in result.stderr
    assert path.name in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []


def test_million_row_table_is_refused(tmp_path: Path) -> None:
    header = (DATA.parent.parent / "foods.csv").read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header[0] + "\n")
        for i in range(250_000):
            handle.write(f"f{i}," + header[1].split(",", 1)[1] + "\n")
    result = CliRunner().invoke(cli, ["foods", "check", str(path)])
    assert result.exit_code == 1 and "the limit is" in result.stderr
    assert str(path) in result.stderr


def test_outputs_never_replace_devices_fifos_or_inputs(tmp_path: Path) -> None:
    """Issue 15, classes 1 and 5: `-o` to a FIFO (or device) is refused, not replaced; an
    output may not overwrite an input or another output of the same run; long names work."""
    import os
    import stat

    plan = DATA / "plan_small.json"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["show", str(plan), "-o", str(fifo)])
    assert result.exit_code == 1 and "not a regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    result = CliRunner().invoke(cli, ["show", str(plan), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "is a folder" in result.stderr
    copy = tmp_path / "plan.json"
    copy.write_bytes(plan.read_bytes())
    result = CliRunner().invoke(cli, ["shop", str(copy), "-o", str(copy)])
    assert result.exit_code == 1 and "would overwrite PLAN" in result.stderr
    assert copy.read_bytes() == plan.read_bytes()
    same = tmp_path / "same.md"
    result = CliRunner().invoke(cli, ["plan", "--days", "1", "--quiet", "-o", str(same),
                                      "--shopping-list", str(same)])
    assert result.exit_code == 1 and "would overwrite -o/--output" in result.stderr
    assert not same.exists()
    long_name = tmp_path / ("x" * 250 + ".md")
    result = CliRunner().invoke(cli, ["show", str(plan), "--format", "markdown", "-o",
                                      str(long_name)])
    assert result.exit_code == 0 and long_name.read_text(encoding="utf-8").startswith("# B12")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["pipe", "plan.json", long_name.name])


def test_no_output_is_left_when_a_later_step_fails(tmp_path: Path) -> None:
    """Issue 15, class 5: the plan's -o file is not written when --plot cannot be."""
    out = tmp_path / "week.md"
    result = CliRunner().invoke(cli, ["show", str(DATA / "plan_small.json"), "--format",
                                      "markdown", "-o", str(out), "--plot",
                                      str(tmp_path / "missing" / "p.png")])
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("delay", [0.1, 1.0, 3.0])
@pytest.mark.parametrize(("name", "code", "words"), [
    ("SIGTERM", 143, "Stopped (SIGTERM): nothing was written."),
    ("SIGINT", 130, "Interrupted: nothing was written.")])
def test_a_signal_ends_a_run_without_output_or_temporary_files(
        tmp_path: Path, name: str, code: int, words: str, delay: float) -> None:
    """Issue 15, class 5 and issue 30 item 8: SIGTERM or SIGINT during a plan ends it within a
    second (143, 130) with one line, without output or temp files; also while Python starts
    or imports the solver (0.1 s: was a silent -15; about 1 s: an ImportError traceback)."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "week.json"
    child = subprocess.Popen([sys.executable, "-m", "planner", "plan", "--quiet", "--format",
                              "json", "-o", str(out)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay)
    sent = time.monotonic()
    child.send_signal(getattr(signal, name))
    _, err = child.communicate(timeout=60)
    if child.returncode == 0:  # the plan was done before the signal came
        assert out.exists() and list(tmp_path.iterdir()) == [out]
        return
    assert time.monotonic() - sent < 5      # a second here; room for a loaded machine
    assert child.returncode == code and "Traceback" not in err
    assert err.strip().splitlines() == [words]
    assert list(tmp_path.iterdir()) == []


SLOW_WRITER = """
import os, sys, time
from planner import output
def stall(fd):
    print("writing", flush=True)
    time.sleep(60)
os.fsync = stall
outputs = output.Outputs()
for target in sys.argv[1:]:
    outputs.add(target, "new content " * 100_000)
outputs.commit()
"""


@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("targets", [1, 2])
def test_a_kill_during_write_leaves_only_the_targets_intact(tmp_path: Path, sig: str,
                                                              targets: int) -> None:
    """Issue 15, class 5: a process killed while it writes (even by SIGKILL, which no
    handler sees) leaves no temporary file, and the files it was replacing unchanged."""
    import signal
    import subprocess
    import sys

    paths = [tmp_path / f"out{n}.txt" for n in range(targets)]
    paths[0].write_text("old content")
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, *map(str, paths)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parent.parent)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(getattr(signal, sig))
    child.communicate(timeout=30)
    assert child.returncode == -getattr(signal, sig)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out0.txt"]
    assert paths[0].read_text() == "old content"


PAYLOADS = ["=HYPERLINK(\"http://x\")", " \r=1+2", "\t+cmd", "\uff1dSUM(A1)", "@SUM(1)",
            "a\r\nEND:VEVENT\r\nBEGIN:VEVENT", "<script>alert(1)</script>",
            "[click](javascript:alert(1))", "x\n# Forged heading\n- [x] done",
            "\x1b[31mred\x1b]0;title\x07", "\u202eevil\u200b", "**bold** `code` | cell"]


def test_every_writer_defuses_the_payloads(tmp_path: Path) -> None:
    """Issue 15, classes 2-4: one payload corpus through every plan and shopping format."""
    import json

    from planner.shopping import ShoppingItem
    from planner.views import render_plan, render_shopping

    data = json.loads((DATA / "plan_small.json").read_text(encoding="utf-8"))
    count = 0
    for occasion in data["occasions"]:
        occasion["name"] = PAYLOADS[count % len(PAYLOADS)] + occasion["name"]
        for item in occasion["items"]:
            count += 1
            item["name"] = PAYLOADS[count % len(PAYLOADS)]
            if "household" in item:
                item["household"] = PAYLOADS[(count + 3) % len(PAYLOADS)]
    for fmt in ("table", "markdown", "html", "csv", "ics", "json"):
        text = render_plan(data, fmt, "2026-12-07", "20261124T120000Z")
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text, fmt
        if fmt != "ics":
            assert "\r" not in text, fmt
        if fmt in ("markdown", "html"):  # markup stays text: escaped, never raw
            import re

            assert not re.search(r"(?<!\\)<script", text), fmt
            if fmt == "markdown":
                assert not re.search(r"(?<!\\)\]\(javascript:", text)
            else:
                assert "href" not in text and "<a " not in text
            assert "\n# Forged" not in text and "\n- [x] done" not in text, fmt
        if fmt == "ics":
            lines = text.split("\r\n")
            assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == \
                sum(1 for o in data["occasions"] if o["items"])
            assert "\r\n" in text and "\r" not in text.replace("\r\n", "")
        if fmt == "csv":
            import csv
            import io

            for row in csv.reader(io.StringIO(text)):
                for cell in row:
                    assert not cell.lstrip().startswith(("=", "+", "-", "@", "\uff1d")) \
                        or cell.startswith("'") or cell.lstrip("-").replace(".", "").isdigit()
    items = [ShoppingItem(id=f"x{i}", name=p, kind="food", aisle=p, unit="g", need=1.0,
                          pantry=0.0, to_buy=1.0, package_size=1.0, package_label=p,
                          packages=1, leftover=0.0, cost=1.0) for i, p in enumerate(PAYLOADS)]
    for fmt in ("markdown", "csv"):
        text = render_shopping(items, fmt)
        assert "\x1b" not in text and "\r" not in text and "\n- [x] done" not in text
        if fmt == "markdown":
            import re

            assert not re.search(r"(?<!\\)(<script|\]\(javascript:)", text)


def test_control_characters_are_refused_at_load_time(tmp_path: Path) -> None:
    """Issue 15, classes 2 and 4: names with control characters never reach a writer."""
    from planner.config import load_config
    from planner.errors import ConfigError, DataError
    from planner.foods import load_foods

    lines = (DATA.parent.parent / "foods.csv").read_text(encoding="utf-8").splitlines()[:3]
    first = lines[1].split(",", 2)
    lines[1] = f'{first[0]},"Milk\x1b[31m, red",{first[2].split(",", 1)[1]}'
    table = tmp_path / "foods.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="control, bidirectional or zero-width character at "
                                        "line 2"):
        load_foods(table)
    with pytest.raises(ConfigError, match="must not hold control characters"):
        load_config(None, ['occasions.breakfast.name="break\\nfast"'])


@pytest.mark.parametrize(("args", "message"), [
    (["show", str(DATA / "plan_small.json"), "--format", "ics", "--start", "9999-12-31"],
     "the plan would end after 9999-12-31"),
    (["sweep", "vegan", "--days", "1", "--vary", "b12.target_absorbed_ug=nan:1:0.5"],
     "must be finite numbers"),
    (["check", "--set", "plan.days=" + "9" * 5000], "too long or nested too deeply"),
    (["check", "--set", "plan.days=" + "[" * 3000 + "]" * 3000],
     "too long or nested too deeply"),
])
def test_class_8_inputs_get_a_message_not_a_traceback(args: list[str], message: str) -> None:
    """Issue 15, class 8: these used to end in OverflowError, ValueError, RecursionError."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_nul_in_extends_is_refused(tmp_path: Path) -> None:
    """Issue 15, class 8: NUL in `extends` used to end in a ValueError traceback."""
    path = tmp_path / "nul.toml"
    path.write_text('extends = "a\\u0000b"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1 and "holds a control character" in result.stderr


@pytest.mark.parametrize("option", ["--foods", "--supplements"])
def test_device_or_fifo_as_input_is_refused_without_reading(tmp_path: Path,
                                                          option: str) -> None:
    """Issue 15, class 6: /dev/zero and a FIFO as inputs are refused at once."""
    fifo = tmp_path / "table.csv"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        result = subprocess.run([sys.executable, "-m", "planner", "plan", option, path],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 1 and "not a regular file" in result.stderr
    for command in (["check", "/dev/zero"], ["show", "/dev/zero"]):
        result = subprocess.run([sys.executable, "-m", "planner", *command],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 1 and "not a regular file" in result.stderr


def test_ascii_terminal_and_bad_matplotlib_backend_are_no_tracebacks(tmp_path: Path) -> None:
    """Issue 15, class 8: PYTHONIOENCODING=ascii and MPLBACKEND=bad gave tracebacks."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "MPLBACKEND": "bad"}
    result = subprocess.run([sys.executable, "-m", "planner", "absorb", "--window",
                             "crystalline:500", "--plot", str(tmp_path / "a.png"), "--format",
                             "json"], capture_output=True, text=True, env=env, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.png").exists()
    shown = subprocess.run([sys.executable, "-m", "planner", "show",
                            str(Path(__file__).parent / "data" / "golden" / "plan_small.json"),
                            "--format", "markdown"], capture_output=True, env=env,
                           timeout=120, check=False)
    assert shown.returncode == 0 and b"Traceback" not in shown.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_one_core_or_two_give_the_same_plan(tmp_path: Path) -> None:
    """Issue 15, class 9: HiGHS runs single-threaded in every solve and the search is
    limited by work, not time, so the cores a run may use do not change its plan. Slow."""
    for days in (["--days", "1"], []):
        plans = []
        for prefix in ([], ["taskset", "-c", "0"]):
            out = tmp_path / f"plan{len(plans)}.json"
            subprocess.run([*prefix, sys.executable, "-m", "planner", "plan", *days,
                            "--quiet", "--format", "json", "-o", str(out)], check=True,
                           capture_output=True)
            data = json.loads(out.read_text())
            plans.append([(o["name"], i["id"], i.get("servings", i.get("units")))
                          for o in data["occasions"] for i in o["items"]])
        assert plans[0] == plans[1] and plans[0]


def test_no_output_replaces_an_input_of_the_same_run(tmp_path: Path) -> None:
    """Issue 30 item 1: an `extends` parent, a derived --alternatives path, the table being
    imported or listed, and a folder an import reads are never written over."""
    root = Path(__file__).parents[1]
    (tmp_path / "base.toml").write_text((root / "constraints" / "base.toml").read_text("utf-8"),
                                        encoding="utf-8")
    (tmp_path / "absorption.toml").write_text(
        (root / "constraints" / "absorption.toml").read_text("utf-8"), encoding="utf-8")
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n[plan]\ndays = 1\n',
                                         encoding="utf-8")
    table = tmp_path / "table.csv"
    table.write_text((root / "foods.csv").read_text("utf-8"), encoding="utf-8")
    sr28 = tmp_path / "sr28.csv"
    sr28.write_text((DATA / "sr28_excerpt.csv").read_text("utf-8"), encoding="utf-8")
    folder = tmp_path / "fndds"
    folder.mkdir()
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    cases = [
        (["plan", str(tmp_path / "child.toml"), "--format", "json", "-o",
          str(tmp_path / "base.toml")], "the constraint file"),
        (["plan", "--days", "2", "--alternatives", "1", "--foods", str(tmp_path / "w-2.csv"),
          "-o", str(tmp_path / "w.csv")], "--alternatives week 2 would overwrite --foods"),
        (["foods", "import", "--from", "usda-sr28", str(sr28), "-o", str(sr28)],
         "would overwrite PATH"),
        (["foods", "list", "--foods", str(table), "-o", str(table)],
         "would overwrite --foods"),
        (["foods", "import", "--from", "fndds", str(folder), "-o", str(folder / "x.csv")],
         "a folder the same run reads"),
    ]
    (tmp_path / "w-2.csv").write_text(table.read_text("utf-8"), encoding="utf-8")
    before[tmp_path / "w-2.csv"] = (tmp_path / "w-2.csv").read_bytes()
    for args, words in cases:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1 and words in result.stderr, (args, result.output)
        assert "Traceback" not in result.output
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_missing_tables_and_a_full_stdout_are_messages(tmp_path: Path) -> None:
    """Issue 30 item 5: `show --foods nope.csv` and a full disk behind stdout end in one
    message, exit 1, no traceback."""
    import subprocess
    import sys

    plan = DATA / "plan_small.json"
    result = CliRunner().invoke(cli, ["show", str(plan), "--foods", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and "nope.csv: cannot be read" in result.stderr
    assert "Traceback" not in result.output
    with open("/dev/full", "w") as full:
        child = subprocess.run([sys.executable, "-m", "planner", "foods", "list"], stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=120)
    assert child.returncode == 1 and "Traceback" not in child.stderr
    assert "standard output cannot be written" in child.stderr


@pytest.mark.parametrize("command", [["meals", "list"], ["presets"], ["foods", "list"]])
def test_a_closed_stdout_is_a_message_not_a_traceback(command: list[str]) -> None:
    """Issue 30 item 5: started with standard output closed (``>&-``), a command that shows
    something says that it could not (exit 1); `meals list` ended in a traceback and
    `presets` exited 0 having shown nothing."""
    child = subprocess.run([sys.executable, "-m", "planner", *command], stdout=None,
                           stderr=subprocess.PIPE, text=True, timeout=120,
                           preexec_fn=lambda: os.close(1))
    assert child.returncode == 1 and "Traceback" not in child.stderr, child.stderr
    assert "standard output is closed" in child.stderr


def test_explain_out_of_time_is_not_called_infeasible() -> None:
    """Issue 30 item 5: a time limit that stops explain's LP says so (exit 1), never that no
    plan exists."""
    result = CliRunner().invoke(cli, ["explain", "--days", "2", "--time-limit", "0.5", "--set",
                                      'meals.source="composed"'])
    assert "No plan satisfies" not in result.output and "Traceback" not in result.output
    assert result.exit_code == 0 or (result.exit_code == 1 and "not solved within the time "
                                     "limit of 0.5 s" in result.stderr), result.output


def test_a_currency_must_be_an_iso_code(tmp_path: Path) -> None:
    """Issue 30 item 3: a currency is printed in every view; markup or control characters in
    it are refused at load, naming the row."""
    import pandas as pd

    table = pd.read_csv(Path(__file__).parents[1] / "foods.csv", dtype=str,
                        keep_default_na=False)
    table["currency"] = "USD"
    table.loc[3, "currency"] = "<script>alert(1)</script>"
    path = tmp_path / "foods.csv"
    table.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["foods", "check", str(path)])
    assert result.exit_code == 1 and "currency is not an ISO 4217 code at line 5" in result.stderr
    table["currency"] = "EUR"
    table.to_csv(path, index=False)
    assert CliRunner().invoke(cli, ["foods", "check", str(path)]).exit_code == 0


def test_deeply_nested_json_is_refused_with_a_message(tmp_path: Path) -> None:
    """Issue 30 item 2: JSON depth is bounded with a clear message (was a RecursionError)."""
    path = tmp_path / "deep.json"
    path.write_text('{"schema_version": 1, "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["show", str(path)])
    assert result.exit_code == 1 and "nested 100001 levels deep" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["plan", "no\x1b[31mred.toml"],
    ["plan", "--set", "plan.da\x1b]0;owned\x07ys=3"],
    ["plan", "--format", "x\x1b[2Jy"],
    ["foods", "show", "be\x1b[5mef"],
])
def test_error_messages_show_control_characters_escaped(args: list[str]) -> None:
    """Issue 30 item 3: a message that echoes what the user typed writes its control
    characters as escapes (\\x1b), never raw, so it cannot drive the terminal."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (1, 2), result.output
    assert "\\x1b" in result.output
    assert not any(ord(c) < 32 and c not in "\n\t" for c in result.output)


@pytest.mark.slow
def test_a_60_mb_food_table_is_checked_in_well_under_a_gigabyte(tmp_path: Path) -> None:
    """Issue 30 item 4: the shipped table repeated to 60 MB (115,752 foods) is read and
    checked with a peak of about 0.55 GB (it was 1.07 GB: every record was kept as a list)."""
    import pandas as pd

    table = pd.read_csv(DATA.parent.parent / "foods.csv", dtype=str, keep_default_na=False)
    copies = [table.assign(id=table["id"] + f"-r{r}") for r in range(56)]
    big = tmp_path / "big.csv"
    pd.concat(copies, ignore_index=True).to_csv(big, index=False)
    assert big.stat().st_size > 60e6
    measured = ("import atexit, resource, sys\n"
                "atexit.register(lambda: sys.stderr.write('peak_kb %d\\n' % "
                "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
                f"sys.argv = ['planner', 'foods', 'check', {str(big)!r}]\n"
                "from planner.cli import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", measured], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    peak_kb = int(done.stderr.split("peak_kb")[-1])
    assert peak_kb < 1_000_000
