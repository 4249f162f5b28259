"""The command line: outputs, exit codes and messages without tracebacks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from planner.cli import cli

from .conftest import CONSTRAINTS, ROOT


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("planner, version ")


def test_foods_list_vegan_has_no_animal_food() -> None:
    code, out, _ = run("foods", "list", "--diet", "vegan", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) > 80
    assert not any(r[f] for r in rows for f in ("meat", "fish", "egg", "dairy", "honey"))


def test_foods_list_sort_and_csv() -> None:
    code, out, _ = run("foods", "list", "--sort", "b12_ug", "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and lines[1].startswith("beef-liver-fried,")
    code, out, _ = run("foods", "list", "--group", "organ")
    assert "beef-liver-fried" in out and "chicken-liver-fried" in out and "7 foods" in out


def test_foods_list_bad_sort_is_usage_error() -> None:
    code, _, err = run("foods", "list", "--sort", "vitamin")
    assert code == 2 and "no column 'vitamin'" in err


def test_foods_show() -> None:
    code, out, _ = run("foods", "show", "soy-milk")
    assert code == 0 and "b12_added_ug" in out and "vegan" in out
    code, _, err = run("foods", "show", "soy-milks")
    assert code == 1 and "did you mean" in err


def test_foods_check_good_and_bad(tmp_path: Path) -> None:
    code, out, _ = run("foods", "check", str(ROOT / "foods.csv"))
    assert code == 0 and "all checks passed" in out and "vegan" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nx,y\n")
    code, out, err = run("foods", "check", str(bad))
    assert code == 1 and str(bad) in err and "missing column" in err
    assert "Traceback" not in err + out


def test_check_prints_resolved_configuration() -> None:
    code, out, _ = run("check", str(CONSTRAINTS / "post-rygb.toml"))
    assert code == 0 and 'profile = "rygb"' in out and "drink-morning" in out
    assert "does not replace" in out


def test_check_bad_override_exits_1() -> None:
    code, _, err = run("check", str(CONSTRAINTS / "vegan.toml"), "--set", "plan.days=0")
    assert code == 1 and "--set plan.days=0" in err and "between 1 and 28" in err
    assert "Traceback" not in err


def test_verbose_shows_traceback() -> None:
    code, _, err = run("--verbose", "check", "nonexistent.toml")
    assert code == 1 and "Traceback" in err


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", [(), *_commands(cli)])
def test_every_command_has_help_with_example(path: tuple[str, ...]) -> None:
    code, out, _ = run(*path, "--help")
    assert code == 0 and "Example:" in out


def test_presets_are_listed_and_used_by_bare_name() -> None:
    code, out, _ = run("presets")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(list(CONSTRAINTS.glob("*.toml")))
    assert any(line.startswith("vegan ") and "Vegan" in line for line in lines)
    assert all(len(line) <= 100 for line in lines)
    code, out, _ = run("check", "vegan")
    assert code == 0 and 'pattern = "vegan"' in out


def test_a_set_typo_is_reported_against_the_set_option() -> None:
    code, _, err = run("check", "--set", "b12.suplements=none")
    assert code == 1 and err.startswith("Error: --set b12.suplements=none:")
    assert "did you mean 'supplements'" in err and "base.toml" not in err


def test_verbose_may_follow_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    from planner.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["planner", "check", "--set", "plan.days=99", "--verbose"])
        with pytest.raises(SystemExit) as stop:
            main()
    assert stop.value.code == 1 and "Traceback" in capsys.readouterr().err


def test_help_does_not_load_the_data_or_solver_stack() -> None:
    """Start-up: `planner --help` imports neither pandas nor PuLP nor HiGHS (issue 14)."""
    import subprocess

    code = ("import sys; from planner.cli import cli; "
            "from click.testing import CliRunner; CliRunner().invoke(cli, ['--help']); "
            "print(sorted(m for m in ('pandas', 'numpy', 'pulp', 'highspy') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_explain_states_the_diagnosis_once() -> None:
    result = CliRunner().invoke(cli, ["explain", "vegan", "--days", "1", "--set",
                                      "b12.supplements=none", "--set", "diet.fortified=false"])
    assert result.exit_code == 3
    assert result.output.lower().count("no plan satisfies every rule") == 1


SUFFIX_VIEWS = {".json": '{\n  "schema_version"', ".md": "# B12 plan", ".html": "<!DOCTYPE html>",
                ".ics": "BEGIN:VCALENDAR", ".csv": "day,occasion,", ".txt": "b12-planner "}


@pytest.mark.parametrize("suffix", list(SUFFIX_VIEWS))
def test_output_suffix_picks_the_view(tmp_path: Path, suffix: str) -> None:
    plan = ROOT / "tests" / "data" / "plan_small.json"
    out = tmp_path / f"week{suffix}"
    code, _, err = run("show", str(plan), "-o", str(out), "--start", "2026-01-05")
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith(SUFFIX_VIEWS[suffix])


def test_explicit_format_beats_the_suffix_and_unknown_suffixes_are_refused(
        tmp_path: Path) -> None:
    plan = ROOT / "tests" / "data" / "plan_small.json"
    code, _, _ = run("show", str(plan), "--format", "json", "-o", str(tmp_path / "w.md"))
    assert code == 0 and (tmp_path / "w.md").read_text("utf-8").startswith("{")
    code, _, err = run("show", str(plan), "-o", str(tmp_path / "w.xyz"))
    assert code == 1 and ".xyz names no format" in err and ".json" in err
    assert not (tmp_path / "w.xyz").exists()
    code, _, err = run("shop", str(plan), "-o", str(tmp_path / "list.txt"))
    assert code == 1 and "`planner shop` does not write" in err and ".md" in err
    code, _, _ = run("shop", str(plan), "-o", str(tmp_path / "list.csv"))
    assert code == 0 and (tmp_path / "list.csv").read_text("utf-8").startswith("id,name,kind,")
    code, _, _ = run("foods", "list", "--diet", "vegan", "-o", str(tmp_path / "f.json"))
    assert code == 0 and json.loads((tmp_path / "f.json").read_text("utf-8"))[0]["id"]


@pytest.mark.plans
def test_alternatives_follow_the_suffix(tmp_path: Path) -> None:
    out = tmp_path / "week.md"
    code, _, err = run("plan", "--days", "3", "--quiet", "--alternatives", "1", "-o", str(out))
    assert code == 0, err
    assert out.read_text("utf-8").startswith("# B12 plan")
    assert (tmp_path / "week-2.md").read_text("utf-8").startswith("# B12 plan")


@pytest.mark.parametrize(("args", "expected"), [
    (["plan", "vegann"], "did you mean the preset 'vegan'?"),
    (["check", "lacto-vegetarin"], "'lacto-vegetarian'"),
    (["foods", "show", "special-k"], "'cereal-kelloggs-special-k'"),
    (["check", "--set", 'nutrients.skip=["sodum_mg"]'], "did you mean 'sodium_mg'"),
    (["check", "--set", "nutrients.calcum_mg_min=900"], "did you mean 'calcium_mg_min'"),
    (["check", "--set", 'b12.supplement_products=["b12-25o"]'], "did you mean 'b12-25'"),
    (["plan", "--days", "1", "--set", 'diet.exclude=["salmon-caned"]'],
     "did you mean 'salmon-canned'"),
])
def test_did_you_mean(args: list[str], expected: str) -> None:
    code, _, err = run(*args)
    assert code == 1 and expected in err, err


@pytest.mark.plans
def test_did_you_mean_occasions_and_foods_of_a_saved_week(tmp_path: Path) -> None:
    week = tmp_path / "week.json"
    assert run("plan", "--days", "1", "--quiet", "-o", str(week))[0] == 0
    code, _, err = run("swap", str(week), "--day", "1", "--occasion", "diner")
    assert code == 2 and "did you mean 'dinner'?" in err
    code, _, err = run("replan", str(week), "--lock", "1:lunh", "-o", str(tmp_path / "x.json"))
    assert code == 2 and "did you mean 'lunch'?" in err
    code, _, err = run("swap", str(week), "--day", "1", "--occasion", "dinner", "--avoid",
                       "special-k")
    assert code == 2 and "'cereal-kelloggs-special-k'" in err


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


@pytest.mark.plans
def test_every_terminal_view_fits_100_columns(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    week = tmp_path / "week.json"
    assert run("plan", "--days", "2", "--quiet", "-o", str(week))[0] == 0
    longest = "chicken-or-turkey-noodles-and-vegetables-including-carrots-27343470"
    views = [["foods", "list"], ["foods", "show", longest], ["meals", "list"],
             ["meals", "show", "D0001"], ["presets"], ["check"], ["check", "pregnancy"],
             ["check", "post-rygb"], ["show", str(week)], ["shop", str(week)],
             ["swap", str(week), "--day", "2", "--occasion", "dinner"]]
    for args in views:
        code, out, err = run(*args)
        assert code == 0, (args, err)
        assert _widest(out) <= 100, (args, [x for x in out.splitlines() if len(x) > 100][:2])
    code, out, _ = run("foods", "list", "--wide")
    assert code == 0 and _widest(out) > 100 and "serving_label" in out.splitlines()[0]
    monkeypatch.setenv("COLUMNS", "60")
    code, out, _ = run("foods", "list")
    assert code == 0 and _widest(out) <= 60


def test_readme_extras_match_setup_cfg_and_the_makefile() -> None:
    """Issue 29 item 10: every extra the README or the Makefile names exists in setup.cfg,
    and the README names every one."""
    import configparser
    import re

    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg", encoding="utf-8")
    extras = set(setup["options.extras_require"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"b12-planner\[([a-z]+)\]", readme))
    made = set(re.search(r"install --quiet -e '\.\[([a-z,]+)\]'",
                         (ROOT / "Makefile").read_text(encoding="utf-8")).group(1).split(","))
    assert named <= extras and made <= extras and made == extras
    assert all(f"`{extra}`" in readme for extra in extras)


@pytest.mark.plans
def test_readme_documents_every_meta_field(tmp_path: Path) -> None:
    week = tmp_path / "week.json"
    assert run("plan", "--days", "1", "--quiet", "-o", str(week))[0] == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("The plan JSON's `meta`, field by field"):]
    for key in json.loads(week.read_text("utf-8"))["meta"]:
        assert f"`{key}`" in table, key
