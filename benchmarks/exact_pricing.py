#!/usr/bin/env python3
"""How far is the default week from the best week? Exact column generation from the search's
pool: each round solves the day MILP over every option under the master's duals (exact
pricing) and prints the restricted master LP and the Lagrangian bound it proves,
master LP + days x least reduced cost (a true lower bound on every week that keeps the
weekly rules; the rules on distinct meals and days are left out, which only lowers it).

Usage: python benchmarks/exact_pricing.py [PRESET] [--rounds N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from planner.bound import mean_day_lp, mean_week_bound
from planner.cli_options import plan_inputs
from planner.config import preset_path
from planner.day import DayModel
from planner.master import DayMenu, WeeklyRule, menu_from, rule_matrix, weekly_rules
from planner.meal_week import meal_model
from planner.program import INF, Array, highs_model, new_highs
from planner.search import priced_cost, search_week


def relaxed_master(menus: list[DayMenu], rules: list[WeeklyRule], days: int
                   ) -> tuple[float, float, dict[str, float]]:
    """The master LP over ``menus`` with the weekly rules only (each with a slack at 100 a
    unit): its optimum, the dual of its days row and of each rule."""
    import highspy

    matrix = rule_matrix(menus, rules)
    count, width = len(menus), len(menus) + 2 * len(rules)
    highs = new_highs(threads=1, random_seed=0)
    highs.addVars(width, np.zeros(width), np.full(width, highspy.kHighsInf))
    highs.changeColsCost(width, np.arange(width, dtype=np.int32),
                         np.concatenate([[m.cost for m in menus], np.full(2 * len(rules), 100.0)]))
    highs.addRow(days, days, count, np.arange(count, dtype=np.int32), np.ones(count))
    for i, rule in enumerate(rules):
        cols = np.concatenate([np.flatnonzero(matrix[i]), [count + i, count + len(rules) + i]])
        vals = np.concatenate([matrix[i][matrix[i] != 0], [1.0, -1.0]])
        highs.addRow(rule.lower if rule.lower > -INF else -highspy.kHighsInf,
                     rule.upper if rule.upper < INF else highspy.kHighsInf,
                     len(cols), cols.astype(np.int32), vals)
    highs.run()
    duals = np.asarray(highs.getSolution().row_dual)
    return (float(highs.getInfo().objective_function_value), float(duals[0]),
            {rule.name: float(duals[1 + i]) for i, rule in enumerate(rules) if duals[1 + i]})


def exact_day(model: DayModel, cost: Array) -> tuple[float, float, list[Array]]:
    """The day MILP over every option: its proven lower bound, seconds and solutions."""
    highs = new_highs(threads=1, random_seed=0, presolve="off", mip_lp_age_limit=10,
                      mip_rel_gap=1e-4, mip_improving_solution_save=True)
    program = highs_model(model.program, mip=True)
    program.col_cost_ = cost
    highs.passModel(program)
    started = time.perf_counter()
    highs.run()
    found = [np.asarray(highs.getSolution().col_value)]
    found += [np.asarray(s.col_value) for s in highs.getSavedMipSolutions()]
    return float(highs.getInfo().mip_dual_bound), time.perf_counter() - started, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preset", nargs="?", default="omnivore")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    foods, supplements, config = plan_inputs(preset_path(args.preset), (), None, None, None,
                                             None)
    model = meal_model(foods, supplements, config)
    rules, days = weekly_rules(model, config, foods), config.plan.days
    started = time.perf_counter()
    week = search_week(foods, supplements, model.options, config, model)
    best = mean_week_bound(mean_day_lp(model, rules, days), days)
    print(f"search {time.perf_counter() - started:.1f} s: week {week.objective:.3f}, "
          f"mean-day bound {best:.3f}, {len(week.pool)} day menus")
    menus = list(week.pool)
    known = {m.signature() for m in menus}
    every = np.arange(len(model.options.meals))
    parts = np.arange(len(model.options.parts))
    for number in range(1, args.rounds + 1):
        value, convexity, duals = relaxed_master(menus, rules, days)
        least, seconds, found = exact_day(model, priced_cost(model, rules, duals))
        reduced = least - convexity
        best = max(best, value + days * min(0.0, reduced))
        new = [m for m in (menu_from(model, model, f, every, parts, rules) for f in found)
               if m.signature() not in known]
        known |= {m.signature() for m in new}
        menus += new
        print(f"round {number}: {time.perf_counter() - started:.0f} s, master LP {value:.3f}, "
              f"least reduced cost {reduced:.4f}, best bound {best:.3f} "
              f"(day MILP {seconds:.1f} s, {len(new)} new)", flush=True)
        if reduced > -1e-6:
            break


if __name__ == "__main__":
    main()
