"""The absorption model reproduces the published cases, through the library and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from planner.absorption import (
    AbsorptionParams,
    absorbed_ug,
    calculate,
    chord_value,
    if_absorbed_ug,
    injection_per_day_ug,
    injection_retained_ug,
    parse_window,
    windows_of,
)
from planner.cli import cli
from planner.config import load_config
from planner.schema import Config, Occasion

from .conftest import CONSTRAINTS

CASES_FILE = Path(__file__).parent / "data" / "absorption_cases.csv"
SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "science" / "absorption_cases.csv"
CASES = list(csv.DictReader(CASES_FILE.open(encoding="utf-8")))


def params_for(profile: str) -> AbsorptionParams:
    return AbsorptionParams.from_config(load_config(CONSTRAINTS / "absorption.toml"), profile)


def check(case: dict[str, str], per_day: float) -> None:
    expected, tol = float(case["expected_ug_per_day"]), float(case["rel_tol"])
    if case["check"] == "approx":
        assert per_day == pytest.approx(expected, rel=tol, abs=1e-9), case["case_id"]
    elif case["check"] == "ge":
        assert per_day >= expected, case["case_id"]
    else:
        assert per_day < expected, case["case_id"]


@pytest.mark.skipif(not SHARED_CASES.exists(), reason="../shared is not present")
def test_cases_copy_is_current() -> None:
    assert CASES_FILE.read_bytes() == SHARED_CASES.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[c["case_id"] for c in CASES])
def test_case_through_library(case: dict[str, str]) -> None:
    windows = [parse_window(w) for w in case["windows"].split("|")]
    results = calculate(windows, params_for(case["profile"]), case["passive"] == "fasting")
    check(case, sum(r.absorbed_ug for r in results) / int(case["per_days"]))


@pytest.mark.parametrize("case", CASES, ids=[c["case_id"] for c in CASES])
def test_case_through_cli(case: dict[str, str]) -> None:
    args = ["absorb", "--profile", case["profile"], "--per-days", case["per_days"],
            "--format", "json"]
    if case["passive"] == "fasting":
        args.append("--fasting")
    for window in case["windows"].split("|"):
        args += ["--window", window]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    check(case, json.loads(result.stdout)["absorbed_ug_per_day"])


def test_spreading_beats_one_meal() -> None:
    p = params_for("healthy")
    one = absorbed_ug(2.4, p)
    three = 3 * absorbed_ug(0.8, p)
    assert three > one and three == pytest.approx(1.298, abs=1e-3)


def test_food_bound_and_crystalline_in_rygb() -> None:
    p = params_for("rygb")
    food = calculate([[("meat", 10.0)]], p)[0]
    tablet = calculate([[("crystalline", 10.0)]], p)[0]
    assert food.x_ug == pytest.approx(2.0)       # r_food 0.2
    assert tablet.x_ug == pytest.approx(10.0)    # crystalline is not multiplied by r_food
    assert food.if_cap_ug == pytest.approx(0.375)


def test_analogue_counts_zero() -> None:
    assert calculate([[("analogue", 1000.0)]], params_for("healthy"))[0].absorbed_ug == 0.0


@given(st.floats(0, 1e5, allow_nan=False))
def test_chords_never_overestimate(x: float) -> None:
    p = params_for("healthy")
    assert chord_value(x, p) <= if_absorbed_ug(x, p) + 1e-9


@pytest.mark.parametrize("x", [0.25, 0.5, 1.0, 2.0, 5.0, 100.0, 1000.0])
def test_chords_exact_at_breakpoints(x: float) -> None:
    p = params_for("healthy")
    assert chord_value(x, p) == pytest.approx(if_absorbed_ug(x, p), abs=1e-9)


def test_chord_table_matches_science_notes() -> None:
    from planner.absorption import chords

    alphas = [round(a, 4) for a, _ in chords(params_for("healthy"))]
    betas = [round(b, 4) for _, b in chords(params_for("healthy"))]
    assert alphas[:6] == [0.0, 0.0333, 0.1, 0.2143, 0.3214, 0.45]
    assert betas[:6] == [0.6667, 0.5333, 0.4, 0.2857, 0.2143, 0.15]


def test_windows_join_within_tau() -> None:
    occasions = [Occasion(name=n, time=t) for n, t in
                 [("b", "08:00"), ("s", "10:00"), ("l", "12:30"), ("t", "16:00"),
                  ("d", "19:00")]]
    assert windows_of(occasions, 4.0) == [1, 1, 2, 2, 3]
    assert windows_of(occasions, 24.0) == [1, 1, 1, 1, 1]


def test_injection_retention() -> None:
    points = Config().absorption.injection_retention
    assert injection_retained_ug(1000, points) == pytest.approx(150)
    assert injection_retained_ug(100, points) == pytest.approx(55)
    assert injection_retained_ug(550, points) == pytest.approx(102.5)
    config = load_config(CONSTRAINTS / "base.toml", ["b12.injection_ug=1000"])
    assert injection_per_day_ug(config) == pytest.approx(5.0)


@pytest.mark.parametrize(("text", "message"), [
    ("beef:1", "KIND one of crystalline"),
    ("meat:lots", "'lots' is not a number"),
    ("meat", "items are KIND:UG"),
    ("meat:-1", "between 0 and 1000000"),
])
def test_bad_window(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_window(text)
    result = CliRunner().invoke(cli, ["absorb", "--window", text])
    assert result.exit_code == 2 and message in result.stderr


def test_absorb_table_and_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "curve.png"
    result = CliRunner().invoke(cli, ["absorb", "--window", "crystalline:1", "--fasting",
                                      "--plot", str(png)])
    assert result.exit_code == 0 and "0.512" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
