"""The weekly master over day menus (columns): which days the plan eats, under the rules that
hold for the week as a whole, each a linear function of a day's columns in the day model.

The master chooses how much of each day menu the plan eats (``lam``, at most one day each, so
no two days are alike) under the weekly rules: needs as the plan's mean, each meal and each
main dish at most ``meal_repeats_max`` times, distinct meals per occasion, food groups per
week, included foods and the budget. Every rule has an artificial slack at ``ARTIFICIAL`` per
unit, so the master always has a solution; the slack it still needs names what a week of
these day menus cannot keep.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .absorption import AbsorptionParams, injection_per_day_ug
from .day import DayModel, MealRules, absorbed_terms, part_terms
from .foods import food_categories
from .options import DRINKS, LEFTOVER, Options, leftover_occasions, main_dishes, occasion_source
from .pattern import MEAL_OZ, knows_fped
from .program import INF, Array, Program, new_highs
from .recent import Recent
from .safety import resolve, seafood_per_gram
from .schema import Config

ARTIFICIAL = 100.0        # master cost per unit of a broken weekly rule (phase one)
MASTER_NODES = 20_000     # branch-and-bound nodes for the integer master
FINISH_TRIES = 5          # integer masters' weeks tried for planned leftovers, at most
EPS = 1e-6
SEAFOOD_SERVING_G = 113.0   # 4 oz cooked, the FDA/EPA serving


class SearchError(Exception):
    """No week could be assembled from the day menus found; the message names the weekly
    rules the best week still breaks and by how much (needs in days of the need), and
    ``short`` holds them as (rule, amount)."""

    def __init__(self, message: str, short: tuple[tuple[str, float], ...] = ()) -> None:
        super().__init__(message)
        self.short = short


@dataclass(frozen=True)
class DayMenu:
    """One column: the option of each occasion, grams per food, tablets per window."""

    options: tuple[int, ...]                        # option rows, one per occasion
    grams: tuple[tuple[int, float], ...]            # (part row, grams)
    units: tuple[tuple[int, str, int], ...]         # (window, product, units)
    cost: float                                     # the day's objective (cost + rarity ...)
    terms: tuple[tuple[str, float], ...]            # what it adds to each weekly rule

    def signature(self) -> tuple[int, ...]:
        return self.options


Finish = Callable[[list[DayMenu]], list[DayMenu] | None]   # a week made ready, or None


@dataclass
class WeeklyRule:
    """A master row: its day-model terms and its bounds over the plan."""

    name: str
    cols: Array
    vals: Array
    lower: float = -INF
    upper: float = INF
    per_meal: float = 1.0           # what one meal gives towards it (counts: 1)

    def binds(self) -> bool:
        """Whether some week could break it (a minimum above 0, a maximum, or a minimum
        over terms that may be negative)."""
        return self.lower > 0 or self.upper < INF or \
            (self.lower > -INF and bool((self.vals < 0).any()))


def weekly_rules(model: DayModel, config: Config, foods: pd.DataFrame) -> list[WeeklyRule]:
    """The rules that live in the master, each as a linear function of a day's columns."""
    days = config.plan.days
    rules: list[WeeklyRule] = []
    meals, parts = model.options.meals, model.options.parts
    for target in model.rules.needs:
        if target.nutrient not in model.rules.weekly_needs:
            continue
        scale = max(target.value, 1e-9)
        values = model.food_amounts[target.nutrient].to_numpy() / scale \
            if target.nutrient in model.food_amounts.columns else np.zeros(len(parts))
        cols, vals = part_terms(model, values)
        if len(model.units) and target.nutrient in model.unit_amounts.columns:
            cols = np.concatenate([cols, model.units])
            vals = np.concatenate([vals, model.unit_amounts[target.nutrient].to_numpy() / scale])
        rules.append(WeeklyRule(f"need:{target.nutrient}", cols, vals, lower=float(days)))
    if config.b12.target_period == "week":
        rules.append(_absorbed_week(model, config))
    library = meals[meals["kind"] != "drink"]
    base_key = library["key"].astype(str).str.removeprefix(LEFTOVER)   # leftovers: the dinner
    rows_of = library.index.to_numpy(np.int64)
    for key, members in sorted(library.groupby(base_key.to_numpy()).indices.items()):
        cols = model.choose[rows_of[members]]
        rules.append(WeeklyRule(f"repeat:{key}", cols, np.ones(len(cols)),
                                upper=float(model.rules.settings.meal_repeats_max)))
    for food, rows in main_dishes(model.options).items():
        cols = model.choose[rows]
        rules.append(WeeklyRule(f"dish:{food}", cols, np.ones(len(cols)),
                                upper=float(model.rules.settings.meal_repeats_max)))
    rules += leftover_rules(model, config)
    for group, (low, high) in sorted(config.variety.group_uses_per_week.items()):
        holds = _options_with_group(model.options, foods, group)
        cols = model.choose[holds]
        scale = days / 7
        rules.append(WeeklyRule(f"group:{group}", cols, np.ones(len(cols)),
                                lower=math.floor(low * scale), upper=math.ceil(high * scale)))
    for category, most in sorted(config.meals.category_meals_max.items()):
        holds = options_with_category(model.options, foods, category)
        rules.append(WeeklyRule(f"category:{category}", model.choose[holds],
                                np.ones(len(holds)), upper=float(math.ceil(most * days / 7))))
    fped = knows_fped(foods)
    for column, least in (("meat_poultry_oz", config.meals.meat_poultry_meals_min),
                          ("seafood_oz", config.meals.seafood_meals_min)):
        if least > 0 and fped:
            holds = options_with_fped(model.options, foods, column)
            rules.append(WeeklyRule(f"fped:{column}", model.choose[holds],
                                    np.ones(len(holds)),
                                    lower=float(math.ceil(least * days / 7))))
    for group, per_day in (("vegetables_cup", config.meals.vegetables_cup_min),
                           ("fruit_cup", config.meals.fruit_cup_min)):
        if per_day > 0 and fped:
            cols, vals = part_terms(model, fped_per_gram(foods, group).reindex(
                parts["food"]).to_numpy(dtype=float))
            rules.append(WeeklyRule(f"fped:{group}", cols, vals, lower=per_day * days,
                                    per_meal=per_day))   # an even share a day
    seafood = resolve(config).seafood_g_per_week
    if seafood is not None:
        per_gram = seafood_per_gram(foods).reindex(parts["food"]).to_numpy(dtype=float)
        cols, vals = part_terms(model, per_gram)
        rules.append(WeeklyRule("seafood_g", cols, vals, lower=seafood[0] * days / 7,
                                upper=seafood[1] * days / 7, per_meal=SEAFOOD_SERVING_G))
    for food in config.diet.include:
        holds = np.unique(parts.loc[parts["food"] == food, "option"].to_numpy(np.int64))
        rules.append(WeeklyRule(f"include:{food}", model.choose[holds], np.ones(len(holds)),
                                lower=1.0))
    if config.budget.max_per_week > 0:
        cols, vals = part_terms(model, model.food_amounts["cost"].to_numpy())
        if len(model.units):
            cols = np.concatenate([cols, model.units])
            vals = np.concatenate([vals, model.unit_amounts["cost"].to_numpy()])
        rules.append(WeeklyRule("budget", cols, vals,
                                upper=config.budget.max_per_week * days / 7))
    return rules


def leftover_rules(model: DayModel, config: Config) -> list[WeeklyRule]:
    """Planned leftovers: a dinner's leftovers at lunch no more often than the dinner is
    cooked, and at least ``[meals] leftovers`` of them (at most one a day after the first).
    Every dinner of the model gets its rule, with leftovers or not, so that the rules of
    models of single days add up to the week's."""
    pair = leftover_occasions(config)
    if not config.meals.leftovers or pair is None:
        return []
    meals = model.options.meals
    copies = meals[meals["kind"] == "leftover"]
    dinner = meals[meals["occasion"] == pair[0]]
    base = pd.concat([dinner["key"].astype(str),
                      copies["key"].astype(str).str.removeprefix(LEFTOVER)])
    sign = np.concatenate([np.ones(len(dinner)), -np.ones(len(copies))])
    rows = np.concatenate([dinner.index.to_numpy(np.int64), copies.index.to_numpy(np.int64)])
    rules = [WeeklyRule(f"leftovers_of:{key}", model.choose[rows[members]], sign[members],
                        lower=0.0)
             for key, members in sorted(pd.Series(np.arange(len(base)))
                                        .groupby(base.to_numpy()).indices.items())]
    least = min(config.meals.leftovers, config.plan.days - 1)
    rules.append(WeeklyRule("leftovers", model.choose[copies.index.to_numpy(np.int64)],
                            np.ones(len(copies)), lower=float(least)))
    return rules


def option_of_column(model: DayModel) -> dict[int, int]:
    """The option of each ``choose`` column of the day model."""
    return {int(c): r for r, c in enumerate(model.choose)}


def counted_options(option_of: dict[int, int], rule: WeeklyRule) -> set[int] | None:
    """The options a rule counts, once each (meals, main dishes, food categories, groups,
    included foods; ``option_of``: ``option_of_column``); None when it is not such a
    count."""
    if not len(rule.cols) or not (rule.vals == 1).all() or \
            not all(int(c) in option_of for c in rule.cols):
        return None
    return {option_of[int(c)] for c in rule.cols}


def _absorbed_week(model: DayModel, config: Config) -> WeeklyRule:
    """The absorbed-B12 target as the plan's mean (``[b12] target_period = "week"``)."""
    cols, vals = absorbed_terms(model, AbsorptionParams.from_config(config))
    goal = config.target_ug() - injection_per_day_ug(config)
    return WeeklyRule("b12:week", cols, vals, lower=goal * config.plan.days)


def fped_per_gram(foods: pd.DataFrame, column: str) -> pd.Series:
    """An FPED 2017-18 amount (cup- or ounce-equivalents) per gram of each food of the table
    (0 for foods the meal library does not know)."""
    from .library import load_library

    per_100g = load_library().foods[column]
    code = foods.get("fndds_code", pd.Series("", index=foods.index)).fillna("").astype(str)
    return code.map(per_100g).fillna(0.0).astype(float) / 100.0


def options_with_fped(options: Options, foods: pd.DataFrame, column: str) -> Array:
    """Options holding at least ``pattern.MEAL_OZ`` of an FPED group at their smallest
    portions (so that every portion the plan may choose counts)."""
    amount = options.parts["food"].map(fped_per_gram(foods, column)).fillna(0.0) \
        * options.parts["low"]
    total = amount.groupby(options.parts["option"]).sum()
    return np.asarray(sorted(total.index[total >= MEAL_OZ - 1e-9]), dtype=np.int64)


def options_with_category(options: Options, foods: pd.DataFrame, category: str) -> Array:
    """Options holding a food of this WWEIA category (the food table's ``wweia_category``)."""
    number = options.parts["food"].map(food_categories(foods)).to_numpy(dtype=float)
    mine = number == float(category)
    return np.unique(options.parts["option"].to_numpy(np.int64)[mine])


def _options_with_group(options: Options, foods: pd.DataFrame, group: str) -> Array:
    """Options holding a food of this group (meat also counts poultry, seafood fish and
    shellfish)."""
    groups = {"meat": {"meat", "poultry"}, "seafood": {"fish", "shellfish"}}.get(group, {group})
    parts = options.parts
    mine = parts["food"].map(foods["group"]).isin(groups).to_numpy()
    return np.unique(parts["option"].to_numpy(np.int64)[mine])


def distinct_rules(options: Options, config: Config, settings: MealRules
                   ) -> list[tuple[str, list[str], int]]:
    """Per occasion with a minimum: its meal keys and how many distinct it needs."""
    out = []
    days = config.plan.days
    wanted = dict(settings.distinct_meals_min)
    for occasion in config.occasions:
        source = occasion_source(occasion)
        least = wanted.get(occasion.name, wanted.get(source, 0))
        if source == DRINKS or least <= 0:
            continue
        least = min(days, math.ceil(least * days / 7))
        keys = sorted(set(options.of(occasion.name)["key"]))
        out.append((occasion.name, keys, least))
    return out


@dataclass
class Pool:
    """The day menus found so far, each meal combination once."""

    menus: list[DayMenu] = field(default_factory=list)
    signatures: set[tuple[int, ...]] = field(default_factory=set)

    def offer(self, menus: list[DayMenu], duals: dict[str, float], counted: list[str]) -> int:
        """Keep the new days among ``menus`` (any reduced cost: a richer pool for the integer
        master); return how many improve the master (negative reduced cost)."""
        better = 0
        for menu in menus:
            if menu.signature() in self.signatures:
                continue
            self.signatures.add(menu.signature())
            self.menus.append(menu)
            better += int(reduced_cost(menu, duals, counted) < -EPS or len(self.menus) == 1)
        return better


def reduced_cost(menu: DayMenu, duals: dict[str, float], counted: list[str]) -> float:
    """A day menu's reduced cost in the master with these duals."""
    return menu.cost - duals.get("days", 0.0) \
        - sum(duals.get(name, 0.0) * value for name, value in menu.terms) \
        - sum(duals.get(counted[option], 0.0) for option in menu.options)


def count_names(meals: pd.DataFrame) -> list[str]:
    """Per option, the name of the master row that counts its meal at its occasion (for the
    distinct-meals rule)."""
    return [f"distinct_count:{o}:{k}" for o, k in zip(meals["occasion"], meals["key"],
                                                       strict=True)]


def solve_master(menus: list[DayMenu], rules: list[WeeklyRule], distinct: list[
        tuple[str, list[str], int]], model: DayModel, config: Config,
        integer: bool, unlike: Sequence[tuple[list[int], int]] = ()
) -> tuple[float, dict[str, float], Array, list[tuple[str, float]]]:
    """The master over these menus: objective, duals by rule (LP), lam, and the rules it
    could keep only with artificial slack (name, amount; empty when it kept every rule).
    ``unlike``: (menus of an earlier week, how many of them this week may eat at most)."""
    days = float(config.plan.days)
    program = Program()
    count = len(menus)
    lam = program.columns("lam", range(count), 0.0, 1.0, integer=integer)
    program.add_cost(lam, [m.cost for m in menus])
    short = program.columns("missing_days", ["week"], 0.0, days)
    program.add_cost(short, ARTIFICIAL)
    program.rows("days", ["week"], np.zeros(count + 1, dtype=np.int64),
                 np.concatenate([lam, short]), 1.0, days, days)
    names = ["days"]
    slack_cols = [short]
    matrix = rule_matrix(menus, rules)
    for i, rule in enumerate(rules):
        values = matrix[i]
        if rule.lower <= 0 and not values.any():
            continue   # kept by every week of these menus: no row, its dual is 0
        cols, vals = lam, values
        if rule.lower > -INF:
            more = program.columns("slack_lo", [rule.name], 0.0)
            program.add_cost(more, ARTIFICIAL)
            cols, vals = np.concatenate([cols, more]), np.concatenate([vals, [1.0]])
            slack_cols.append(more)
        if rule.upper < INF:
            less = program.columns("slack_hi", [rule.name], 0.0)
            program.add_cost(less, ARTIFICIAL)
            cols, vals = np.concatenate([cols, less]), np.concatenate([vals, [-1.0]])
            slack_cols.append(less)
        keep = vals != 0
        program.rows("rule", [rule.name], np.zeros(int(keep.sum()), dtype=np.int64),
                     cols[keep], vals[keep], rule.lower, rule.upper)
        names.append(rule.name)
    key_of = model.options.meals["key"].to_numpy()
    occasion_of = model.options.meals["occasion"].to_numpy()
    for occasion, keys, least in distinct:
        position = {k: i for i, k in enumerate(keys)}
        counts = np.zeros((len(keys), count))
        for j, menu in enumerate(menus):
            for option in menu.options:
                if occasion_of[option] == occasion:
                    counts[position[key_of[option]], j] += 1
        used = np.flatnonzero(counts.sum(axis=1))
        if not len(used):
            continue
        extra = program.columns("repeat_of", [f"{occasion}:{keys[i]}" for i in used], 0.0)
        entries: list[tuple[int, int, float]] = []
        for r, i in enumerate(used.tolist()):
            entries += [(r, int(lam[j]), float(counts[i, j])) for j in np.flatnonzero(counts[i])]
            entries.append((r, int(extra[r]), -1.0))
        rows_, cols_, vals_ = (np.asarray(v) for v in zip(*entries, strict=True))
        program.rows("distinct_count", [f"{occasion}:{keys[i]}" for i in used],
                     rows_, cols_, vals_, upper=1.0)
        short_distinct = program.columns("slack_lo", [f"distinct:{occasion}"], 0.0)
        program.add_cost(short_distinct, ARTIFICIAL)
        slack_cols.append(short_distinct)
        program.rows("distinct", [occasion], np.zeros(len(used) + 1, dtype=np.int64),
                     np.concatenate([extra, short_distinct]),
                     np.concatenate([np.ones(len(used)), [-1.0]]),
                     upper=days - least)
        names += [f"distinct_count:{occasion}:{keys[i]}" for i in used]
        names.append(f"distinct:{occasion}")
    for number, (earlier, most) in enumerate(unlike):
        program.rows("unlike", [number], np.zeros(len(earlier), dtype=np.int64), lam[earlier],
                     1.0, upper=float(most))
        names.append(f"unlike:{number}")
    if model.rules.settings.distinct_days:
        groups: dict[tuple[int, ...], list[int]] = {}
        for j, menu in enumerate(menus):
            groups.setdefault(menu.signature(), []).append(j)
        alike = [g for g in groups.values() if len(g) > 1]
        for g in alike:
            program.rows("alike", [str(g[0])], np.zeros(len(g), dtype=np.int64), lam[g], 1.0,
                         upper=1.0)
            names.append(f"alike:{g[0]}")
    if not model.rules.settings.distinct_days:
        program.set_bounds(lam, 0.0, days)
    solution = program.solve("highs", time_limit_s=3600.0, mip_gap=1e-6, mip=integer) \
        if not integer else solve_integer(program)
    if solution.values is None or not len(solution.values) or solution.objective is None:
        raise SearchError("the weekly master has no solution")
    values = solution.values
    labels = program.column_names()
    broken = [(_slack_name(labels[int(c)]), round(float(values[c]), 3))
              for cols in slack_cols for c in np.atleast_1d(cols) if values[c] > 1e-6]
    duals: dict[str, float] = {}
    if not integer and solution.row_duals is not None:
        duals = {name: float(d) for name, d in zip(names, solution.row_duals, strict=False)
                 if d}
    return float(solution.objective), duals, values[lam], broken


def rule_matrix(menus: list[DayMenu], rules: list[WeeklyRule]) -> Array:
    """What each day menu (column) gives to each weekly rule (row)."""
    position = {rule.name: i for i, rule in enumerate(rules)}
    matrix = np.zeros((len(rules), len(menus)))
    for j, menu in enumerate(menus):
        for name, value in menu.terms:
            matrix[position[name], j] = value
    return matrix


def week_days(menus: list[DayMenu], lam: Array) -> list[DayMenu]:
    """The days of an integer master's week: each chosen menu as many times as it is eaten
    (more than once only where days may be alike)."""
    return [menus[j] for j in np.flatnonzero(lam > 0.5) for _ in range(round(lam[j]))]


def finished_week(menus: list[DayMenu], rules: list[WeeklyRule],
                  distinct: list[tuple[str, list[str], int]], model: DayModel, config: Config,
                  finish: Finish) -> tuple[list[DayMenu], float, list[tuple[str, float]],
                                           list[DayMenu] | None]:
    """The integer master's week over these day menus, its objective, the rules it breaks
    and the week ``finish`` makes of it; a week it cannot finish is left out and the master
    solved again (``FINISH_TRIES`` weeks at most)."""
    index = {id(m): j for j, m in enumerate(menus)}
    unlike: list[tuple[list[int], int]] = []
    while True:
        objective, _, lam, broken = solve_master(menus, rules, distinct, model, config,
                                                 integer=True, unlike=unlike)
        chosen = week_days(menus, lam)
        done = finish(chosen) if not broken and len(chosen) == config.plan.days else None
        if done is not None or broken or len(unlike) + 1 >= FINISH_TRIES:
            return chosen, objective, broken, done
        unlike.append((sorted({index[id(m)] for m in chosen}), len(chosen) - 1))


def _slack_name(column: str) -> str:
    """The rule a slack column relaxes, from its name (``slack_lo_need:choline_mg``)."""
    if column.startswith("missing_days"):
        return "days (distinct day menus)"
    return column.split("_", 2)[-1]


def solve_integer(program: Program) -> Any:
    from .program import _run_highs

    highs = new_highs(threads=1, random_seed=0, mip_rel_gap=1e-6,
                      mip_max_nodes=MASTER_NODES)
    return _run_highs(highs, program, 3600.0, 1e-6, True)


def menu_from(model: DayModel, sub: DayModel, values: Array, option_map: Array,
              part_map: Array, rules: list[WeeklyRule]) -> DayMenu:
    """A column from a restricted day model's solution, in the full model's terms."""
    full = np.zeros(model.program.num_cols)
    chosen = np.flatnonzero(values[sub.choose] > 0.5)
    full[model.choose[option_map[chosen]]] = 1.0
    extra = np.clip(values[sub.grams], 0.0, None)
    full[model.grams[part_map]] = extra
    if len(model.units):
        full[model.units] = np.round(values[sub.units])
    low = model.options.parts["low"].to_numpy(float)
    eaten = part_map[np.isin(sub.options.parts["option"].to_numpy(), chosen)]
    grams = [(int(old), round(float(low[old] + full[model.grams[old]]), 1)) for old in eaten]
    units = [(int(w), str(p), round(float(full[c])))
             for w, p, c in zip(model.unit_amounts.get("window", []),
                                model.unit_amounts.get("product", []), model.units,
                                strict=True) if full[c] > 0.5]
    exact = _rounded(model, full, grams)
    terms = tuple((rules[i].name, float(value)) for i, value in enumerate(
        rule_amounts(rules, exact)) if abs(value) > 1e-12)
    order = model.options.meals.loc[option_map[chosen], "occasion"]
    by_occasion = dict(zip(order, option_map[chosen], strict=True))
    return DayMenu(tuple(int(by_occasion[o]) for o in model.options.meals["occasion"].unique()),
                   tuple(grams), tuple(units), float(exact @ model.base_cost), terms)


_RULE_TERMS: Recent[tuple[Array, Array, Array]] = Recent(4)


def _rule_terms(rules: list[WeeklyRule]) -> tuple[Array, Array, Array]:
    """Every rule's columns, coefficients and rule number, joined (a search prices thousands
    of days against one list of rules)."""
    def joined() -> tuple[Array, Array, Array]:
        cols = np.concatenate([np.zeros(0, dtype=np.int64), *(r.cols for r in rules)])
        vals = np.concatenate([np.zeros(0), *(r.vals for r in rules)])
        owner = np.repeat(np.arange(len(rules)), [len(r.cols) for r in rules])
        return cols.astype(np.int64), vals.astype(float), owner

    return _RULE_TERMS.get((rules,), len(rules), joined)


def rule_amounts(rules: list[WeeklyRule], values: Array) -> Array:
    """What a day (the day model's column values) gives to each weekly rule."""
    cols, vals, owner = _rule_terms(rules)
    return np.bincount(owner, weights=values[cols] * vals, minlength=len(rules))


def _rounded(model: DayModel, full: Array, grams: list[tuple[int, float]]) -> Array:
    """The solution with each food's grams as the plan states them (0.1 g)."""
    out = full.copy()
    low = model.options.parts["low"].to_numpy(dtype=float)
    for part, total in grams:
        out[model.grams[part]] = max(0.0, total - low[part])
    return out
