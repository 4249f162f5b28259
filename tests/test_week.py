"""The week by column generation: toy weeks whose optimum is known by enumeration."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pytest

from planner.config import load_config
from planner.foods import load_foods
from planner.model import build_model
from planner.plan import verify
from planner.solve import (
    DayPlan,
    DaySearch,
    SolverError,
    Speculation,
    day_config,
    make_plan,
    menu_days,
    menu_waves,
)
from planner.supplements import load_supplements
from planner.week import (
    Menu,
    master_program,
    menu_of,
    prices_of,
    reduced_cost,
    rotation,
    search_week,
)

from .test_model import CONFIG, toy

WEEK = CONFIG.replace("days = 1\n", 'days = 3\nday_menus = 0\nweek_search = "columns"\n') \
    .replace("max_foods_per_occasion = 4\n",
             "max_foods_per_occasion = 4\nmax_days_per_food_per_week = 4\n")
PROTEIN = {"rice": 0.0, "beans": 8.0, "steak": 20.0, "soy-drink": 3.0}
ENERGY = {"rice": 100.0, "beans": 150.0, "steak": 200.0, "soy-drink": 40.0}
PRICE = {"rice": 0.1, "beans": 0.2, "steak": 1.0, "soy-drink": 0.3}   # per serving


def day_menus() -> list[dict[str, int]]:
    """Every lunch of the toy table (0-3 servings of each food) that meets the day's rules."""
    out = []
    for counts in itertools.product(range(4), repeat=len(PROTEIN)):
        menu = {f: n for f, n in zip(PROTEIN, counts, strict=True) if n}
        energy = sum(ENERGY[f] * n for f, n in menu.items())
        if menu and 400 <= energy <= 600 and sum(PROTEIN[f] * n for f, n in menu.items()) >= 10:
            out.append(menu)
    return out


def best_week_by_enumeration(days: int, max_days: int, weight: float) -> float:
    """The cheapest week, each food on at most max_days days, weight per pair of days that
    share a food: every week, by dynamic programming over the days each food is used."""
    foods = list(PROTEIN)
    menus = [(tuple(int(f in m) for f in foods), sum(PRICE[f] * n for f, n in m.items()))
             for m in day_menus()]
    cheapest = {tuple(0 for _ in foods): 0.0}
    for _day in range(days):
        following: dict[tuple[int, ...], float] = {}
        for uses, cost in cheapest.items():
            for used, price in menus:
                after = tuple(u + v for u, v in zip(uses, used, strict=True))
                if max(after) <= max_days and cost + price < following.get(after, np.inf):
                    following[after] = cost + price
        cheapest = following
    return min(cost + weight * sum(u * (u - 1) / 2 for u in uses)
               for uses, cost in cheapest.items())


def as_menu(tmp_path: Path, menu: dict[str, int]) -> Menu:
    foods, supplements, config = toy(tmp_path, WEEK)
    items = pd.DataFrame({"occasion": "lunch", "food": list(menu),
                          "servings": list(menu.values())})
    tabs = pd.DataFrame(columns=["window", "supplement", "units"])
    found = menu_of(foods, supplements, config, items, tabs)
    assert found is not None
    return found


def test_enumerated_menus_pass_the_planners_rules(tmp_path: Path) -> None:
    """The enumeration and the planner agree on what a valid day is and what it costs."""
    for menu in day_menus()[:12]:
        found = as_menu(tmp_path, menu)
        assert found.objective == pytest.approx(sum(PRICE[f] * n for f, n in menu.items()))


@pytest.mark.parametrize(("days", "max_days"), [(3, 4), (7, 4), (7, 6)])
def test_column_generation_finds_the_enumerated_optimum(tmp_path: Path, days: int,
                                                        max_days: int) -> None:
    """From no menu at all, the search reaches the best week, and its bound is below it."""
    foods, supplements, config = toy(tmp_path, WEEK, overrides=(
        f"plan.days={days}", f"variety.max_days_per_food_per_week={max_days}"))
    limit = int(np.ceil(max_days * days / 7))
    optimum = best_week_by_enumeration(days, limit, 0.05)
    found = search_week(foods, supplements, config)
    assert found is not None
    assert found.objective == pytest.approx(optimum, abs=1e-6)
    assert found.bound <= optimum + 1e-6
    assert found.bound_method == "dantzig-wolfe"
    assert found.bound >= 0.9 * optimum


def test_plan_reports_the_optimum_and_its_bound(tmp_path: Path) -> None:
    foods, supplements, config = toy(tmp_path, WEEK, overrides=(
        "plan.days=7", "variety.max_days_per_food_per_week=4"))
    plan = make_plan(foods, supplements, config)
    optimum = best_week_by_enumeration(7, 4, 0.05)
    assert plan.meta["objective"] == pytest.approx(optimum, abs=1e-5)
    assert plan.meta["bound"] <= optimum + 1e-6
    assert plan.meta["status"] in ("optimal", "feasible")
    assert plan.meta["status"] != "time_limit"
    assert plan.meta["week_search"] == "column generation over day menus"


def test_reduced_costs_of_the_master_basis_are_zero(tmp_path: Path) -> None:
    """The duals read as prices give each menu the LP uses a reduced cost of zero (the
    sign convention every bound and every priced menu depends on)."""
    foods, _supplements, config = toy(tmp_path, WEEK, overrides=(
        "plan.days=7", "variety.max_days_per_food_per_week=4"))
    menus = [as_menu(tmp_path, m) for m in day_menus()]
    master = master_program(menus, config, foods, integer=False)
    solution = master.program.solve("highs", 10, 0.0, mip=False)
    assert solution.row_duals is not None
    prices, per_day = prices_of(master, solution.row_duals)
    costs = [reduced_cost(m, prices, per_day) for m in menus]
    used = solution.values[master.x] > 1e-6
    assert used.any()
    assert np.allclose(np.array(costs)[used], 0.0, atol=1e-6)
    assert min(costs) >= -1e-6     # the LP over every menu is optimal: none improves it


def test_rotation_spreads_the_menus(tmp_path: Path) -> None:
    menus = [as_menu(tmp_path, m) for m in day_menus()[:3]]
    days = rotation({0: 3, 1: 2, 2: 2}, menus)
    keys = [m.key() for m in menus]
    order = [keys.index(Menu(d, 0.0).key()) for d in days.values()]
    assert len(days) == 7 and sorted(order) == [0, 0, 0, 1, 1, 2, 2]
    assert all(a != b for a, b in itertools.pairwise(order))



def test_a_sweep_point_borrows_a_better_plan_that_meets_its_rules(tmp_path: Path) -> None:
    """A looser point given a worse plan takes the tighter point's plan (which meets its
    rules too), so the sweep's objective cannot fall as the rule tightens."""
    from planner.plan import Plan
    from planner.sweep import Point, borrow_better_plans, describe

    foods, supplements, tight = toy(tmp_path, WEEK, overrides=("nutrients.protein_g_min=30",))
    _f, _s, loose = toy(tmp_path, WEEK, overrides=("nutrients.protein_g_min=10",))
    good = make_plan(foods, supplements, tight)
    worse = good.food_items.assign(servings=good.food_items["servings"].clip(upper=2))
    worse = pd.concat([worse, pd.DataFrame({"day": [1], "occasion": ["lunch"],
                                            "food": ["soy-drink"], "servings": [3]})])
    points = []
    for config, items, value in ((loose, worse, 10.0), (tight, good.food_items, 30.0)):
        plan = Plan(config=config, foods=foods, supplements=supplements, food_items=items,
                    supplement_items=good.supplement_items, meta={"status": "optimal"})
        record = {"nutrients.protein_g_min": value, "plan_of": ""}
        describe(plan, record, "optimal")
        points.append(Point(config, plan, record))
    assert points[0].record["objective"] > points[1].record["objective"]
    borrow_better_plans(points)
    assert points[0].record["objective"] == pytest.approx(points[1].record["objective"])
    assert points[0].record["plan_of"] == "nutrients.protein_g_min=30"
    assert points[0].record["status"] == "feasible"
    assert points[1].record["plan_of"] == ""


def _toy_plan_json(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A 7-day toy plan written by the CLI: (plan, foods, constraints)."""
    from click.testing import CliRunner

    from planner.cli import cli

    toy(tmp_path, WEEK)
    plan = tmp_path / "week.json"
    result = CliRunner().invoke(cli, [
        "plan", str(tmp_path / "toy.toml"), "--foods", str(tmp_path / "foods.csv"), "--days",
        "7", "--quiet", "--format", "json", "-o", str(plan)])
    assert result.exit_code == 0, result.output
    return plan, tmp_path / "foods.csv", tmp_path / "toy.toml"


def test_swap_regenerates_one_meal_and_keeps_the_rest(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from planner.cli import cli

    plan, foods_path, _ = _toy_plan_json(tmp_path)
    before = json.loads(plan.read_text())
    out = tmp_path / "swapped.json"
    result = CliRunner().invoke(cli, [
        "swap", str(plan), "--foods", str(foods_path), "--day", "2", "--occasion", "lunch",
        "--avoid", "beans", "--candidates", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Day 2 lunch now:" in result.output and "  1. " in result.output
    assert "objective +" in result.output or "objective -" in result.output
    after = json.loads(out.read_text())
    meals = {(o["day"], o["name"]): sorted(i["id"] for i in o["items"])
             for o in before["occasions"]}
    new = {(o["day"], o["name"]): sorted(i["id"] for i in o["items"])
           for o in after["occasions"]}
    assert all(new[k] == meals[k] for k in meals if k != (2, "lunch"))
    assert new[(2, "lunch")] != meals[(2, "lunch")] and "beans" not in new[(2, "lunch")]
    assert after["meta"]["swapped"]["day"] == 2
    assert after["meta"]["status"] in ("optimal", "feasible")
    shown = CliRunner().invoke(cli, ["show", str(out)])
    assert shown.exit_code == 0, shown.output


@pytest.mark.parametrize(("args", "message"), [
    (["--day", "9", "--occasion", "lunch"], "the plan has 7 days"),
    (["--day", "2", "--occasion", "brunch"], "'brunch' is not an occasion of the plan"),
    (["--day", "2", "--occasion", "lunch", "--avoid", "caviar"], "'caviar' is not a food id"),
])
def test_swap_names_a_bad_option(tmp_path: Path, args: list[str], message: str) -> None:
    from click.testing import CliRunner

    from planner.cli import cli

    plan, foods_path, _ = _toy_plan_json(tmp_path)
    result = CliRunner().invoke(cli, ["swap", str(plan), "--foods", str(foods_path), *args])
    assert result.exit_code != 0
    assert message in result.output


def test_swap_refuses_an_edited_plan(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from planner.cli import cli

    plan, foods_path, _ = _toy_plan_json(tmp_path)
    data = json.loads(plan.read_text())
    for item in data["occasions"][0]["items"]:
        item["servings"] = 3
    data["occasions"][0]["items"].append(dict(data["occasions"][0]["items"][0], id="steak"))
    plan.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["swap", str(plan), "--foods", str(foods_path), "--day",
                                      "2", "--occasion", "lunch"])
    assert result.exit_code == 1
    assert "fails its own rules" in result.output
    assert "Traceback" not in result.output


def test_alternatives_are_other_good_weeks(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from planner.cli import cli

    toy(tmp_path, WEEK)
    out = tmp_path / "week.json"
    result = CliRunner().invoke(cli, [
        "plan", str(tmp_path / "toy.toml"), "--foods", str(tmp_path / "foods.csv"), "--days",
        "7", "--set", 'plan.week_search="rotation"', "--alternatives", "2", "--format", "json",
        "-o", str(out)])
    assert result.exit_code == 0, result.output
    weeks = [json.loads(p.read_text()) for p in (out, tmp_path / "week-2.json",
                                                 tmp_path / "week-3.json")]
    values = [w["meta"]["objective"] for w in weeks]
    assert values == sorted(values)
    menus = [{tuple(sorted((i["id"], i["servings"]) for i in o["items"]))
              for o in w["occasions"]} for w in weeks]
    assert menus[0] - menus[1] and menus[0] - menus[2] and menus[1] - menus[2]
    assert [w["meta"].get("alternative") for w in weeks] == [None, 2, 3]
    assert "week 2: " in result.output


def test_alternatives_need_a_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from planner.cli import cli

    result = CliRunner().invoke(cli, ["plan", "--alternatives", "2"])
    assert result.exit_code == 2
    assert "give -o FILE" in result.output


def test_replan_regenerates_all_but_the_locked_meals(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from planner.cli import cli

    plan, foods_path, _ = _toy_plan_json(tmp_path)
    out = tmp_path / "again.json"
    result = CliRunner().invoke(cli, ["replan", str(plan), "--foods", str(foods_path),
                                      "--lock", "1", "--lock", "4:lunch", "-o", str(out)])
    assert result.exit_code == 0, result.output
    before = {(o["day"], o["name"]): sorted((i["id"], i["servings"]) for i in o["items"])
              for o in json.loads(plan.read_text())["occasions"]}
    after = {(o["day"], o["name"]): sorted((i["id"], i["servings"]) for i in o["items"])
             for o in json.loads(out.read_text())["occasions"]}
    assert after[(1, "lunch")] == before[(1, "lunch")]
    assert after[(4, "lunch")] == before[(4, "lunch")]
    changed = [k for k in before if after[k] != before[k]]
    assert changed and (1, "lunch") not in changed
    assert "meals regenerated, 2 locks kept" in result.output
    bad = CliRunner().invoke(cli, ["replan", str(plan), "--foods", str(foods_path), "--lock",
                                   "9", "-o", str(out)])
    assert bad.exit_code == 2 and "DAY must be a day of the plan" in bad.output


def test_weekly_b12_target_is_priced_and_met(tmp_path: Path) -> None:
    """With a weekly target the master prices absorbed B12: the week meets the target on
    average and every daily floor, and its bound stays below it."""
    foods, supplements, config = toy(tmp_path, WEEK, overrides=(
        "plan.days=7", "plan.time_limit_s=10", 'b12.target_period="week"',
        "b12.target_absorbed_ug=0.7", "b12.daily_floor_ug=0.2",
        "absorption.passive_with_food=0.01"))
    plan = make_plan(foods, supplements, config)
    absorbed = plan.days()["absorbed_b12_ug"]
    assert absorbed.mean() >= 0.7 - 1e-9 and absorbed.min() >= 0.2 - 1e-9
    assert plan.meta["bound"] <= plan.meta["objective"] + 1e-9
    assert plan.meta["bound_method"] == "dantzig-wolfe"


def test_menus_are_planned_in_waves_that_cannot_break_days_per_food() -> None:
    assert menu_waves(menu_days(7, 3), 4) == [[0], [1, 2]]     # 3 days, then 2 + 2 at once
    assert menu_waves(menu_days(7, 3), 3) == [[0], [1], [2]]   # 2 + 2 > 3: in turn
    assert menu_waves(menu_days(7, 0), 4) == [[0], [1, 2], [3, 4], [5, 6]]
    assert menu_waves(menu_days(2, 3), 4) == [[0], [1]]


def test_a_pair_of_menus_shares_the_weekly_rules(tmp_path: Path) -> None:
    """Planned at the same time, the lead meets the weekly minimums and [diet] include,
    the partner none of them, and together they stay under the weekly maximums."""
    foods, _supplements, config = toy(tmp_path, WEEK, overrides=(
        "plan.days=4", "variety.group_uses_per_week={meat = [2, 3]}",
        'diet.include=["steak"]'))
    lead = day_config(config, {}, foods, repeats=2, alongside=2)
    partner = day_config(config, {}, foods, repeats=2, alongside=-2)
    alone = day_config(config, {}, foods, repeats=2)
    assert lead.variety.group_uses_per_week["meat"] == (7.0, 7.0)     # 1 a day on 2 days
    assert partner.variety.group_uses_per_week["meat"] == (0.0, 0.0)  # 3 * 4/7 leaves none
    assert alone.variety.group_uses_per_week["meat"] == (0.0, 0.0)    # the later days meet it
    assert lead.diet.include == ("steak",) and partner.diet.include == ()


def test_a_week_of_menus_planned_in_pairs_meets_the_weekly_rules(tmp_path: Path) -> None:
    """Menus 2 and 3 (days 2, 5 and 3, 6) are planned at the same time: the lead, menu 2,
    takes the week's two meat uses (in turn, menu 3 would), and the week verifies."""
    foods, supplements, config = toy(tmp_path, WEEK, overrides=(
        "plan.days=7", "plan.day_menus=3", 'plan.week_search="rotation"',
        "variety.max_days_per_food_per_week=7", "variety.group_uses_per_week={meat = [2, 3]}"))
    plan = make_plan(foods, supplements, config)
    assert verify(plan) == []
    meat = plan.food_items[plan.food_items["food"] == "steak"]
    assert sorted(meat["day"]) == [2, 5]


def test_a_food_that_cannot_fit_an_occasion_whole_is_left_out(tmp_path: Path) -> None:
    """One glass of soy drink has 2 g of sugars: at a lunch of at most 1 g it can be in no
    plan, so only a diagnosis (which may relax the limit) keeps it."""
    foods, supplements, config = toy(tmp_path, CONFIG.replace(
        'time = "12:30"\n', 'time = "12:30"\nmax_sugars_g = 1\n'))
    assert "soy-drink" not in set(build_model(foods, supplements, config).slots["food"])
    assert "soy-drink" not in set(build_model(foods, supplements, config,
                                              relaxed=True).slots["food"])
    assert "soy-drink" in set(build_model(foods, supplements, config,
                                          elastic=True).slots["food"])


def test_a_search_over_every_food_that_overruns_does_not_hold_up_the_week(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS can overrun its own time limit deep in a sub-MIP's presolve (seen once: a
    60 s vegan column search still running after 8 minutes). The week is then made without
    that search's bound, 2 s past the time limit at most."""
    import time

    import planner.week

    quick_search = planner.week.price_menus

    def stuck(*args: object) -> object:
        if args[-1] is False:            # the search over every food, for the bound
            time.sleep(60)
        return quick_search(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(planner.week, "price_menus", stuck)
    foods, supplements, config = toy(tmp_path, WEEK, overrides=(
        "plan.days=7", "plan.time_limit_s=4"))
    started = time.perf_counter()
    plan = make_plan(foods, supplements, config)
    assert time.perf_counter() - started < 4 + 2 + 2
    assert verify(plan) == []


def _menu(servings: int) -> DayPlan:
    items = pd.DataFrame({"day": [1], "occasion": ["lunch"], "food": ["rice"],
                          "servings": [servings]})
    tabs = pd.DataFrame({"day": [], "window": [], "supplement": [], "units": []})
    return DayPlan(items=items, tabs=tabs, cost=1.0, foods=frozenset({"rice"}),
                   absorbed_ug=0.0)


def test_a_speculation_is_kept_only_for_the_menu_its_search_ends_at() -> None:
    """The next menu's search, started on an incumbent, counts only when the integer search
    ends at that very incumbent; incumbents far from the gap start nothing."""
    done: list[int] = []

    def work(menu: DayPlan) -> list[DaySearch]:
        done.append(int(menu.items["servings"].iloc[0]))
        return [cast(DaySearch, f"search for {done[-1]}")]

    guess = Speculation(work, gap=0.1)
    guess.offer(lambda: _menu(1), 0.5)               # 50 % from the bound: not a guess
    assert guess.result_for(_menu(1)) is None and done == []
    guess.offer(lambda: _menu(2), 0.15)
    guess.offer(lambda: _menu(3), 0.12)              # the latest guess replaces the earlier
    assert guess.result_for(_menu(3)) == ["search for 3"]
    assert guess.result_for(_menu(2)) is None

    def broken() -> DayPlan:
        raise SolverError("no plan")

    guess.offer(broken, 0.1)
    assert guess.result_for(_menu(3)) is None


def test_speculating_on_the_next_menu_does_not_change_the_week(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The default week with the second menu's LP started on the first menu's incumbent is
    the week without it, and the started search was used."""
    foods, supplements = load_foods(), load_supplements()
    config = load_config(None, ['meals.source="composed"'])
    used: list[bool] = []
    keep = Speculation.result_for

    def counted(self: Speculation, menu: DayPlan) -> list[DaySearch] | None:
        found = keep(self, menu)
        used.append(found is not None)
        return found

    monkeypatch.setattr(Speculation, "result_for", counted)
    fast = make_plan(foods, supplements, config)
    assert used == [True]
    monkeypatch.setattr(Speculation, "offer", lambda *_: None)
    plain = make_plan(foods, supplements, config)
    assert used == [True, False]
    pd.testing.assert_frame_equal(fast.food_items, plain.food_items)
    assert fast.meta["objective"] == plain.meta["objective"]
