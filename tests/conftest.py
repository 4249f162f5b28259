"""Shared fixtures: paths of the project's files, the packaged tables, a toy table with its
constraint file (four foods, one lunch), the day model of some options, and the default
week of library meals saved as JSON (planned once per test process)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import settings

from planner.day import DayModel, MealRules
from planner.options import Options
from planner.schema import Config

# No timing-dependent test in the default run: hypothesis's 200 ms deadline per example
# fails on a busy 2-core machine although nothing is wrong.
settings.register_profile("planner", deadline=None)
settings.load_profile("planner")

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints"
SHARED_DATA = ROOT.parent / "shared" / "data"

TOY_HEADER = ("id,name,group,meat,fish,shellfish,egg,dairy,honey,gelatin,energy_kcal,protein_g,"
              "fat_g,carbohydrate_g,sugars_g,fiber_g,b12_ug,b12_added_ug,serving_g,"
              "serving_label,min_servings,max_servings,liquid,occasions,price_per_kg,package_g,"
              "aisle")
_OCC = "lunch;dinner;breakfast"
TOY_FOODS = [
    f"rice,Rice,grain,0,0,0,0,0,0,0,100,0,0,22,0,0,0,0,100,1 bowl,1,3,0,{_OCC},1,1000,grains",
    f"beans,Beans,legume,0,0,0,0,0,0,0,150,8,1,20,0,5,0,0,100,1 bowl,1,3,0,{_OCC},2,1000,"
    "grains",
    f"steak,Steak,meat,1,0,0,0,0,0,0,200,20,10,0,0,0,1,0,100,1 steak,1,3,0,{_OCC},10,500,meat",
    f"soy-drink,Soy drink,fortified,0,0,0,0,0,0,0,40,3,2,2,2,0,0.8,0.8,100,1 glass,1,3,1,"
    f"{_OCC};drink,3,1000,dairy",
]
TOY_CONFIG = """
[plan]
days = 1
mip_gap = 0.0001
[[occasions]]
name = "lunch"
time = "12:30"
[nutrients]
adequacy = false
energy_kcal = [400, 600]
protein_g_min = 10
[b12]
target_absorbed_ug = 0
supplements = "none"
"""


@pytest.fixture(scope="session")
def foods() -> pd.DataFrame:
    from planner.foods import load_foods

    return load_foods(ROOT / "foods.csv")


@pytest.fixture(scope="session")
def supplements() -> pd.DataFrame:
    from planner.supplements import load_supplements

    return load_supplements(None)


def day_model(foods: pd.DataFrame, supplements: pd.DataFrame, config: Config,
              options: Options, settings: MealRules | None = None) -> DayModel:
    """The day MILP of ``options`` under the configuration's needs (and ``settings``)."""
    from planner.day import build_day, day_rules
    from planner.needs import available_nutrients, targets

    return build_day(foods, supplements, options, config,
                     day_rules(config, targets(config, available_nutrients(foods)), settings))


@pytest.fixture
def good_foods_text() -> str:
    """The first rows of the shipped table, as CSV text, to break in tests."""
    lines = (ROOT / "foods.csv").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[:6]) + "\n"


LIBRARY = ["--set", "meals.search_rounds=2"]   # a shorter search for tests that need a week
SAVED = Path("week.json")   # where a test says a saved plan came from


@pytest.fixture(scope="session")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The default week of library meals (``LIBRARY``), saved: its path and its JSON."""
    from planner.cli import cli

    path = tmp_path_factory.mktemp("meals") / "week.json"
    result = CliRunner().invoke(cli, ["plan", *LIBRARY, "--quiet", "--format", "json", "-o",
                                      str(path)])
    assert result.exit_code == 0, result.output
    return path, json.loads(path.read_text(encoding="utf-8"))


def planned_json(out: Path, *args: str) -> dict[str, Any]:
    """A library plan of these arguments written to ``out``, as JSON."""
    from planner.cli import cli

    result = CliRunner().invoke(cli, ["plan", *args, *LIBRARY, "--quiet", "--format", "json",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def saved_plan(data: dict[str, Any], path: Path) -> Any:
    """A saved plan's data as a verified Plan of the packaged tables."""
    from planner.foods import load_foods
    from planner.resources import default_foods
    from planner.saved import plan_from_data
    from planner.supplements import load_supplements

    return plan_from_data(data, path, load_foods(default_foods()), load_supplements(None))


def bare_plan(data: dict[str, Any], path: Path, items: Any) -> Any:
    """The saved plan with other food items, not verified."""
    return dataclasses.replace(saved_plan(data, path), food_items=items)
