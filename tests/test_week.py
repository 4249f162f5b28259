"""The week by column generation: toy weeks whose optimum is known by enumeration."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.solve import make_plan
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
