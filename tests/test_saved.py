"""Saved plans are re-verified against the tables they were made with (issue 15, class 9):
`show`, `shop`, `swap` and `replan` refuse a plan edited since, naming the first edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planner.cli import cli

pytestmark = pytest.mark.plans   # every test here plans a week or a day


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A one-day plan of the packaged tables, of meals composed by role sets, as JSON (edits
    of library-meal plans: tests/test_meal_plans.py)."""
    out = tmp_path_factory.mktemp("saved") / "day.json"
    result = CliRunner().invoke(cli, ["plan", "vegan", "--days", "1",
                                      "--set", 'meals.source="composed"',
                                      "--quiet", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _first(data: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = next(o for o in data["occasions"] if o["items"])["items"][0]
    return item


def _servings(data: dict[str, Any]) -> None:
    _first(data)["servings"] = 100


def _grams(data: dict[str, Any]) -> None:
    _first(data)["grams"] = 5000.0


def _name(data: dict[str, Any]) -> None:
    _first(data)["name"] = "=HYPERLINK(\"http://x\")"


def _cost(data: dict[str, Any]) -> None:
    data["totals"]["cost"] = -1.0


def _huge(data: dict[str, Any]) -> None:
    data["days"][0]["cost"] = 1e300


def _unknown(data: dict[str, Any]) -> None:
    _first(data)["id"] = "caviar"


def _day(data: dict[str, Any]) -> None:
    next(o for o in data["occasions"] if o["items"])["day"] = -5


def _window(data: dict[str, Any]) -> None:
    data["windows"][0]["window"] = 100000     # made `--plot` draw for minutes


def _absorbed(data: dict[str, Any]) -> None:
    data["windows"][0]["absorbed_ug"] = 5.0


def _long_name(data: dict[str, Any]) -> None:
    _first(data)["name"] = "x" * 20_000


def _disclaimer(data: dict[str, Any]) -> None:
    data["meta"]["disclaimer"] = "Medically approved."


def _status(data: dict[str, Any]) -> None:
    data["meta"]["status"] = "feasible" if data["meta"]["status"] == "optimal" else "optimal"


def _gap(data: dict[str, Any]) -> None:
    data["meta"]["mip_gap"] = float(data["meta"]["mip_gap"] or 0) + 0.2


def _objective(data: dict[str, Any]) -> None:
    data["meta"]["objective"] = float(data["meta"]["objective"]) / 2


def _note(data: dict[str, Any]) -> None:
    data["notes"] = [*data["notes"], "Approved by your doctor."]


def _nutrient(data: dict[str, Any]) -> None:
    data["nutrients"][0]["mean"] = float(data["nutrients"][0]["mean"]) * 2


def _currency(data: dict[str, Any]) -> None:
    data["totals"]["currency"] = "<b>USD</b>"


def _meal_seen(data: dict[str, Any]) -> None:
    next(o for o in data["occasions"] if o.get("meal"))["meal"]["seen"] = 9999


def _time(data: dict[str, Any]) -> None:
    data["occasions"][0]["time"] = "03:00"


def _version(data: dict[str, Any]) -> None:
    data["meta"]["planner_version"] = "99.0"


def _solver(data: dict[str, Any]) -> None:
    data["meta"]["solver"] = "an oracle"


def _extra(data: dict[str, Any]) -> None:
    data["meta"]["approved"] = True


def _stopped(data: dict[str, Any]) -> None:
    data["meta"]["search"]["stopped"] = "deadline"   # no time limit was given


def _pattern(data: dict[str, Any]) -> None:
    data["food_pattern"]["fruit_cup_eq_per_day"] = 4.0


@pytest.mark.parametrize(("edit", "words"), [
    (_disclaimer, "the disclaimer is not the planner's"), (_status, "meta: status"),
    (_gap, "meta: mip_gap"), (_objective, "meta: objective"),
    (_servings, "servings 100"), (_grams, "fails its own rules"), (_name, "name '=HYPERLINK"),
    (_cost, "totals: cost -1.0"), (_huge, "cost 1e+300"), (_unknown, "'caviar' is not in"),
    (_day, "day must be a whole number from 1 to 28"),
    (_window, "window must be a whole number from 1 to 12"),
    (_absorbed, "window 1: absorbed_ug 5.0"), (_long_name, "20000 characters long"),
    (_note, "notes: 4 entries, the plan gives 3"), (_nutrient, "nutrients[1].mean"),
    (_currency, "totals.currency: '<b>USD</b>'"), (_meal_seen, "meal.seen: 9999"),
    (_time, "occasions[1].time: '03:00'"), (_version, "meta.planner_version: '99.0'"),
    (_solver, "meta.solver: 'an oracle'"), (_extra, "meta.'approved': not a field"),
    (_pattern, "food_pattern.fruit_cup_eq_per_day: 4.0"),
    (_stopped, "meta.search: "),
])
@pytest.mark.parametrize("command", ["show", "shop"])
def test_an_edited_plan_is_refused(tmp_path: Path, saved: dict[str, Any],
                                   edit: Callable[[dict[str, Any]], None], words: str,
                                   command: str) -> None:
    data = json.loads(json.dumps(saved))
    edit(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out.md"
    result = CliRunner().invoke(cli, [command, str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert words in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_the_plan_as_written_is_shown(tmp_path: Path, saved: dict[str, Any]) -> None:
    path = tmp_path / "day.json"
    path.write_text(json.dumps(saved), encoding="utf-8")
    for command in (["show", str(path)], ["shop", str(path)]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, result.output
        assert "not re-verified" not in result.stderr


@pytest.mark.parametrize("command", ["show", "shop", "swap", "replan"])
def test_a_plan_of_other_tables_is_refused(tmp_path: Path, saved: dict[str, Any],
                                           command: str) -> None:
    """A plan whose table hashes are not those of the tables given is not shown as saved:
    nothing it states could be checked (its grams edited with the hash zeroed)."""
    data = json.loads(json.dumps(saved))
    data["meta"]["foods_sha256"] = "0" * 64
    _first(data)["grams"] = 1.0
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    extra = {"swap": ["--day", "1", "--occasion", "lunch"], "replan": ["--lock", "1"]}
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, [command, str(path), *extra.get(command, []),
                                      *(["-o", str(out)] if command != "shop" else [])])
    assert result.exit_code == 1, result.output
    assert "made with another table" in result.stderr and "--foods" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_prices_keep_the_currency_of_their_table(tmp_path: Path) -> None:
    """A table that states its currency (column `currency`) gets it in the plan, the views
    and the shopping list; the shipped table's is USD."""
    from .conftest import TOY_CONFIG as CONFIG
    from .conftest import TOY_FOODS
    from .conftest import TOY_HEADER as HEADER

    foods = tmp_path / "foods.csv"
    foods.write_text(HEADER + ",currency\n" + "\n".join(r + ",EUR" for r in TOY_FOODS) + "\n")
    config = tmp_path / "toy.toml"
    config.write_text(CONFIG)
    plan = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["plan", str(config), "--foods", str(foods), "--quiet",
                                      "--format", "json", "-o", str(plan)])
    assert result.exit_code == 0, result.output
    assert json.loads(plan.read_text())["totals"]["currency"] == "EUR"
    shop = CliRunner().invoke(cli, ["shop", str(plan), "--foods", str(foods)])
    assert shop.exit_code == 0, shop.output
    assert "EUR" in shop.stdout and "USD" not in shop.stdout
    shown = CliRunner().invoke(cli, ["show", str(plan), "--foods", str(foods)])
    assert "EUR" in shown.stdout and "not re-verified" not in shown.stderr
