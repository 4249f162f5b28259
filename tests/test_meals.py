"""Meals a person would eat: NHANES templates, protein per meal, weekly food-group rhythm."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from planner.config import Occasion, load_config
from planner.foods import load_foods
from planner.meals import allowed, nhanes_templates, role_set
from planner.plan import Plan, verify
from planner.solve import make_plan
from planner.supplements import load_supplements

from .conftest import CONSTRAINTS, ROOT, SHARED_DATA

RECALLS = SHARED_DATA / "fndds" / "nhanes_2007_2012_items.csv.gz"
needs_recalls = pytest.mark.skipif(not RECALLS.exists(), reason="NHANES recalls not present")
PRESETS = ["omnivore", "vegan", "pescatarian", "lacto-ovo-vegetarian", "post-rygb"]


@functools.cache
def plan_for(preset: str) -> Plan:
    """The preset's week composed from single foods by role templates (the core this file
    tests; plans of library meals: test_meal_plans.py)."""
    return make_plan(load_foods(), load_supplements(),
                     load_config(CONSTRAINTS / f"{preset}.toml",
                                 ['meals.source="composed"', "plan.time_limit_s=120"]))


def meals_of(plan: Plan) -> pd.DataFrame:
    """One row per (day, occasion) with the role set of its foods."""
    items = plan.items().assign(role=lambda t: plan.foods.loc[t["food"], "role"].to_numpy())
    return items.groupby(["day", "occasion"])["role"].agg(
        lambda r: "+".join(role_set(list(r)))).reset_index()


def test_templates_file_is_what_the_build_script_makes(tmp_path: Path) -> None:
    if not RECALLS.exists():
        pytest.skip("NHANES recalls not present")
    out = tmp_path / "templates.csv"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_templates.py"),
                             "--data", str(SHARED_DATA), "--out", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    shipped = ROOT / "planner" / "data" / "meal_templates.csv"
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")


def test_allowed_templates_of_an_occasion() -> None:
    breakfast = {t.roles for t in allowed(Occasion("breakfast", "08:00"))}
    assert ("cereal", "dairy") in breakfast and ("beverage",) not in breakfast
    lunch = [t.roles for t in allowed(Occasion("lunch", "12:30"))]
    assert lunch[0] == ("main-dish",)
    assert all(set(r) & {"main-dish", "protein-food", "starch", "bread", "cereal"}
               for r in lunch)
    snack = {t.roles for t in allowed(Occasion("snack", "16:00", kind="snack"))}
    assert ("sweet",) in snack and ("fruit",) in snack
    own = allowed(Occasion("lunch", "12:30", templates=("dairy+main-dish",)))
    assert [t.roles for t in own] == [("dairy", "main-dish")]
    table = nhanes_templates()
    fats_alone = table["roles"].isin(["spread-fat", "condiment", "condiment+spread-fat"])
    assert not fats_alone.any()


@needs_recalls
@pytest.mark.parametrize("preset", PRESETS)
def test_every_meal_is_one_people_ate_there(preset: str) -> None:
    """Checked against the recalls themselves, not the shipped templates."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from build_templates import meals

    eaten = _recall_meals(meals)
    plan = plan_for(preset)
    assert verify(plan) == []
    by_name = {o.name: o for o in plan.config.occasions}
    for row in meals_of(plan).itertuples(index=False):
        if not row.role and by_name[str(row.occasion)].kind != "meal":
            continue  # water alone between meals
        tokens = by_name[str(row.occasion)].tokens()
        seen = sum(eaten.get((token, str(row.role)), 0) for token in tokens)
        assert seen >= 30, (preset, row.day, row.occasion, row.role)
        assert set(str(row.role).split("+")) - {"spread-fat", "condiment"}


@functools.cache
def _recall_meals(meals: object) -> dict[tuple[str, str], int]:
    sets = meals(SHARED_DATA)  # type: ignore[operator]
    counts = sets.groupby([sets.index.get_level_values("occasion_group"), sets]).size()
    return {(str(o), str(r)): int(n) for (o, r), n in counts.items()}


@pytest.mark.parametrize("preset", ["omnivore", "pescatarian", "lacto-ovo-vegetarian"])
def test_main_meals_carry_protein(preset: str) -> None:
    plan = plan_for(preset)
    items = plan.items()
    for occasion in plan.config.occasions:
        if occasion.min_protein_g:
            protein = items[items["occasion"] == occasion.name].groupby("day")["protein_g"].sum()
            assert len(protein) == plan.config.plan.days
            assert (protein >= occasion.min_protein_g - 1e-6).all()
    lunch = next(o for o in plan.config.occasions if o.name == "lunch")
    assert lunch.min_protein_g == 15


@pytest.mark.parametrize(("preset", "group", "least"), [
    ("omnivore", "fish", 2), ("omnivore", "meat", 2), ("pescatarian", "fish", 2),
    ("lacto-ovo-vegetarian", "egg", 2)])
def test_weeks_hold_the_foods_that_define_them(preset: str, group: str, least: int) -> None:
    items = plan_for(preset).items()
    assert int((items["group"] == group).sum()) >= least
    assert int((items["group"] == "organ").sum()) <= 1


def test_lunch_and_dinner_differ_and_families_count_once() -> None:
    plan = plan_for("omnivore")
    items = plan.items().assign(family=lambda t: plan.foods.loc[t["food"], "family"].to_numpy())
    for _day, part in items.groupby("day"):
        lunch = set(part.loc[part["occasion"] == "lunch", "food"])
        dinner = set(part.loc[part["occasion"] == "dinner", "food"])
        assert lunch != dinner
    assert items.groupby("family")["day"].nunique().max() <= 4
    milk = plan.foods[plan.foods["name"].str.startswith("Milk, ")]
    assert milk["family"].nunique() == 1


def test_typical_objective_prefers_popular_foods() -> None:
    plan = plan_for("omnivore")
    items = plan.items()
    popular = plan.foods.loc[items["food"], "nhanes_reports"]
    assert popular.median() >= 100
    assert plan.meta["objective"] is not None and plan.meta["status"] in ("optimal", "feasible")


REFERENCE = ROOT / "tests" / "data" / "reference_meals.csv"


def test_own_meals_are_kept_where_the_rules_allow_and_changes_are_listed(
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from planner.cli import cli

    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, [
        "plan", str(CONSTRAINTS / "lacto-ovo-vegetarian.toml"), "--quiet", "--set",
        f'diet.reference="{REFERENCE}"', "--set", 'meals.source="composed"', "--format",
        "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    own = pd.read_csv(REFERENCE)
    eaten = {(o["name"], i["id"]) for o in data["occasions"] for i in o["items"]}
    kept = [(o, f) for o, f in zip(own["occasion"], own["id"], strict=True) if (o, f) in eaten]
    assert len(kept) >= len(own) - 1
    kinds = {c["change"] for c in data["changes"]}
    assert kinds <= {"add", "drop", "swap", "more often", "less often", "larger portion",
                     "smaller portion"} and data["changes"]
    assert all(c["text"] for c in data["changes"])
    view = CliRunner().invoke(cli, ["show", str(out)])
    assert "Changes from your usual meals:" in view.stdout


def test_bad_reference_file_is_refused(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from planner.cli import cli

    bad = tmp_path / "mine.csv"
    bad.write_text("id,occasion,grams,times_per_week\nbread-white,brunch,52,7\n"
                   "no-such-food,lunch,10,3\nbread-white,breakfast,-1,9\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", "--quiet", "--set",
                                      f'diet.reference="{bad}"'])
    assert result.exit_code == 1 and "Traceback" not in result.output
    for text in ("occasion not in the plan at line 2", "food id not in the food table at line 3",
                 "'grams' must be between", "'times_per_week' must be between", str(bad)):
        assert text in result.stderr, text
