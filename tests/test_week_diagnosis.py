"""Diagnoses when no week is found (week_diagnosis.py, meal_week.py): each names its cause and
a change that, applied as written, gives a plan."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.config import load_config
from planner.foods import load_foods
from planner.meal_checks import (
    check_fped_meals,
)
from planner.resources import default_foods
from planner.saved import _food_items
from planner.supplements import load_supplements

from .conftest import LIBRARY, SAVED, bare_plan

pytestmark = pytest.mark.plans   # every test here plans a week or a day


def test_a_vegetable_minimum_the_week_misses_is_named(week: tuple[Path, dict[str, Any]]
                                                      ) -> None:
    path, data = week
    plan = bare_plan(data, path, _food_items(data, load_foods(default_foods()), SAVED))
    cups = float(data["food_pattern"]["vegetables_cup_eq_per_day"])
    for least, missed in ((round(cups + 0.5, 1), True), (round(max(cups - 0.1, 0.05), 2),
                                                         False)):
        meals = dataclasses.replace(plan.config.meals, vegetables_cup_min=least)
        strict = dataclasses.replace(plan, config=dataclasses.replace(plan.config, meals=meals))
        problems = check_fped_meals(strict, strict.items())
        assert any(p.startswith("vegetables ") and "meals.vegetables_cup_min" in p
                   for p in problems) == missed, (least, problems)


def test_following_the_budget_diagnosis_gives_a_plan(tmp_path: Path) -> None:
    """Issue 29 item 4: the budget a diagnosis suggests, applied as written, plans (twice at
    most)."""
    budget = "5"
    for _step in range(2):
        result = CliRunner().invoke(cli, ["plan", "--days", "2", *LIBRARY, "--quiet", "--set",
                                          f"budget.max_per_week={budget}", "--format", "json",
                                          "-o", str(tmp_path / "week.json")])
        if result.exit_code == 0:
            break
        assert result.exit_code == 3, result.output
        advice = re.search(r"raise it to ([\d.]+) \(that week", result.output)
        assert advice, result.output
        budget = advice.group(1)
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "week.json").read_text(encoding="utf-8"))
    assert data["totals"]["cost"] * 7 / 2 <= float(budget) + 1e-6


def test_following_the_b12_target_diagnosis_gives_a_plan(tmp_path: Path) -> None:
    """Issue 29 item 4: the absorbed-B12 target a diagnosis suggests, applied as written,
    plans (twice at most)."""
    target = "8"
    for _step in range(2):
        result = CliRunner().invoke(cli, ["plan", "--days", "2", *LIBRARY, "--quiet", "--set",
                                          f"b12.target_absorbed_ug={target}", "--format",
                                          "json", "-o", str(tmp_path / "week.json")])
        if result.exit_code == 0:
            break
        assert result.exit_code == 3, result.output
        advice = re.search(r"lower b12.target_absorbed_ug to ([\d.]+) for a plan",
                           result.output)
        assert advice, result.output
        target = advice.group(1)
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "week.json").read_text(encoding="utf-8"))
    assert min(day["absorbed_b12_ug"] for day in data["days"]) >= float(target) - 1e-6


def _follow_diagnoses(tmp_path: Path, *args: str) -> tuple[Any, list[str]]:
    """Plan; while a diagnosis answers (exit 3), apply the first ``--set`` of each of its
    lines as written, twice at most. The last result and the settings applied."""
    applied: list[str] = []
    for _step in range(3):
        result = CliRunner().invoke(cli, ["plan", "--days", "2", *LIBRARY, "--quiet", *args,
                                          *applied, "--format", "json", "-o",
                                          str(tmp_path / "week.json")])
        if result.exit_code != 3 or len(applied) >= 4:
            break
        advice = [match.group(1).rstrip(",)") for line in result.output.splitlines()[1:]
                  if (match := re.search(r"--set (\S+)", line))]
        assert advice, result.output
        applied += [part for setting in advice for part in ("--set", setting)]
    return result, applied


@pytest.mark.parametrize(("case", "args"), [
    pytest.param("energy", ["--set", "nutrients.energy_kcal=[3800,4000]"],
                 marks=pytest.mark.slow),   # its diagnosis searches twice (about 40 s)
    ("exclusions", ["--set", 'diet.exclude_flags=["meat","fish","shellfish","egg","dairy"]',
                    "--set", 'b12.supplements="none"']),
    ("supplements off", ["vegan", "--set", "supplements.allowed=false"]),
    ("an included food the diet forbids", ["vegan", "--set",
                                           'diet.include=["milk-reduced-fat-2"]']),
])
def test_following_a_diagnosis_gives_a_plan(tmp_path: Path, case: str, args: list[str]) -> None:
    """Issue 29 item 4: energy out of reach, exclusions that empty a weekly count, and
    supplements off with a need food cannot meet: the change a diagnosis suggests, applied as
    written, plans (two diagnoses at most)."""
    result, applied = _follow_diagnoses(tmp_path, *args)
    assert result.exit_code == 0, (case, applied, result.output)
    assert 2 <= len(applied) <= 4, (case, applied)


def test_a_search_that_finds_no_week_names_the_keys_that_plan() -> None:
    """Issue 29 item 4: when the search's best week misses weekly counts, the diagnosis says
    which keys to set, each with its value, and whether the search then finds a week."""
    from planner.meal_week import diagnosis, meal_model, shortfall_keys

    config = load_config("omnivore", ["plan.days=2", "meals.seafood_meals_min=2"])
    short = (("group:fish", 1.0), ("fped:seafood_oz", 1.0), ("repeat:x", 1.0))
    assert shortfall_keys(config, short) == {
        "variety.group_uses_per_week.fish": "[0,21]", "meals.seafood_meals_min": "0"}
    foods, supplements = load_foods(), load_supplements()
    text, proven = diagnosis(meal_model(foods, supplements, config), foods, config,
                             "no week keeps ...", supplements, short)
    assert not proven and text.startswith("no week was found that keeps every rule")
    assert ("--set variety.group_uses_per_week.fish=[0,21] --set meals.seafood_meals_min=0 "
            "(a week was found with it)") in text
