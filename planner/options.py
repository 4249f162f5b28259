"""What each occasion of a day may be: library meals people ate, as options with portion ranges.

An option is one meal of the library (``library.py``) that the person's rules allow at an
occasion, with each food's portion range: within 1.5 times of the grams people ate in that
meal and within the food's NHANES p10-p90 over all reports of it (a curated food without
NHANES reports: its servings range). Each food scales on its own, drinks apart from foods; at
an occasion without drinks (``max_liquids_ml = 0``) a meal is served without them and says
so. A drink occasion's options are single drinks. Options are filtered here, before any model
is built: diet flags (the meal's and its foods'), excluded foods, flags and categories,
fortified foods, how often a meal and its mix of food categories were seen, and what cannot
fit the occasion's limits even at the smallest portions. A meal the diet forbids is adapted by
the substitutions (data) when every forbidden food has a swap the diet allows.

>>> occasion_source(Occasion("elevenses", "10:45", "meal"))
'lunch'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import resources
from .composed import PREFIX as COMPOSED
from .composed import composed_meals, composes
from .composed import portion_ranges as composed_portions
from .errors import DataError
from .foods import FLAGS, food_categories
from .library import Library
from .own_meals import PREFIX as OWN_PREFIX
from .own_meals import own_meals
from .program import Array
from .recalls import LEFT_OUT, MEAL_OCCASIONS
from .safety import occasion_caps, unsafe_foods
from .schema import Config, Occasion
from .vocabulary import PATTERNS

DRINKS = "drink"
LUNCH_FROM, DINNER_FROM = "10:30", "15:00"   # a meal occasion's library by its clock time
OCCURRENCES_FLOOR = 1.0
ADAPTED_RARITY = 0.5                        # an adapted meal counts as 3 times rarer
UNSEEN_MIX_RARITY = 6.0                     # and a million times when its mix as served is rare
MIN_KIND_SEEN = 5                           # a meal's mix of WWEIA categories seen this often
CAPPED = ("sugars_g", "protein_g", "added_sugars_g", "caffeine_mg")
GRAM_STEP = 0.1                             # portions are planned in tenths of a gram
MEAL_SCALE = 1.5                            # a food's grams within x/1.5 .. x*1.5 of the meal's
LEFTOVER = "leftover:"                      # key of a lunch that is the day before's dinner
KEEPS = (2002, 2004, 2006, 2008, 2010, 2202, 2206, 2402, 2404, 2802, 2806,  # WWEIA: cooked
         *range(3002, 3604), 3802, 4002, 4004)    # meat, fish, beans, mixed dishes, soups...


@dataclass(frozen=True)
class Options:
    """Options of every occasion: ``meals`` one row per option (occasion, key, name, seen,
    kind, rarity, unlike_own: the preference for own meals a library meal pays at an
    occasion that has own meals); ``parts`` one row per food of an option (option, food, low, high,
    typical grams, liquid)."""

    meals: pd.DataFrame
    parts: pd.DataFrame

    def of(self, occasion: str) -> pd.DataFrame:
        return self.meals[self.meals["occasion"] == occasion]


def subset(options: Options, keep: Array | list[int]) -> tuple[Options, Array, Array]:
    """The options in ``keep`` renumbered, with maps from new option and part rows to old."""
    keep = np.asarray(keep, dtype=np.int64)
    meals = options.meals.loc[keep].reset_index(drop=True)
    new_of_old = {int(old): new for new, old in enumerate(keep)}
    parts = options.parts[options.parts["option"].isin(new_of_old)]
    part_map = parts.index.to_numpy(np.int64)
    parts = parts.assign(option=parts["option"].map(new_of_old)).reset_index(drop=True)
    meals["option"] = np.arange(len(meals))
    return Options(meals, parts), keep, part_map


def restrict_to(options: Options, keep: Array | list[int]) -> Options:
    """Only the options in ``keep``, renumbered."""
    return subset(options, keep)[0]


def occasion_source(occasion: Occasion) -> str:
    """The library occasion an occasion draws from: its name or menu token when that is a
    library occasion, else by kind and clock time (drink occasions take single drinks)."""
    if occasion.kind == "drink":
        return DRINKS
    for token in (occasion.name, *occasion.menu):
        if token in MEAL_OCCASIONS:
            return token
    if occasion.kind == "snack":
        return "snack"
    if occasion.time < LUNCH_FROM:
        return "breakfast"
    return "lunch" if occasion.time < DINNER_FROM else "dinner"


def leftover_occasions(config: Config) -> tuple[str, str] | None:
    """The dinner whose leftovers make the next day's lunch (occasion names), if both exist."""
    sources = {occasion_source(o): o.name for o in reversed(config.occasions)}
    if "dinner" in sources and "lunch" in sources:
        return sources["dinner"], sources["lunch"]
    return None


def main_meal_occasions(config: Config) -> list[str]:
    """The occasions that are a day's meals (breakfast, lunch or dinner), not snacks or
    drinks."""
    return [o.name for o in config.occasions
            if occasion_source(o) in ("breakfast", "lunch", "dinner")]


def with_leftovers(options: Options, config: Config, foods: pd.DataFrame) -> Options:
    """The options with, when ``[meals] leftovers`` asks for them, the leftovers of each
    dinner of a dish that keeps (its main food in ``KEEPS``) offered at lunch: its foods in
    the same ranges, without its drinks (kind "leftover", key ``leftover:`` + its key; the
    week ties them to the day before's dinner)."""
    pair = leftover_occasions(config)
    if not config.meals.leftovers or pair is None or config.plan.days < 2:
        return options
    dinner, lunch = pair
    meals, parts = options.meals, options.parts
    solid = parts[~parts["liquid"].astype(bool)]
    main = pd.Series({int(r): dish for dish, rows in main_dishes(options).items()
                      for r in rows}, dtype=object)
    category = food_categories(foods)
    keeps = main.map(category).isin(KEEPS)
    cooked = meals[(meals["occasion"] == dinner) & meals["option"].map(keeps).fillna(False)
                   .astype(bool)]
    names = foods["name"].astype(str)
    dish = solid[solid["option"].isin(cooked["option"])]
    label = dish.groupby("option")["food"].agg(lambda f: " + ".join(names[list(f)]))
    copies = cooked.assign(option=np.arange(len(meals), len(meals) + len(cooked)),
                           occasion=lunch, key=LEFTOVER + cooked["key"].astype(str),
                           name=cooked["option"].map(label), kind="leftover", unlike_own=0.0)
    copy_of = dict(zip(cooked["option"], copies["option"], strict=True))
    return Options(pd.concat([meals, copies], ignore_index=True),
                   pd.concat([parts, dish.assign(option=dish["option"].map(copy_of))],
                             ignore_index=True))


def main_dishes(options: Options) -> dict[str, Array]:
    """Options by their main dish (the food with most typical grams that is not a drink), so
    that variants of one dish (with or without a side or a drink) count together."""
    parts = options.parts[~options.parts["liquid"].astype(bool)]
    parts = parts[parts["option"].map(options.meals["kind"]) != "drink"]
    if parts.empty:
        return {}
    main = parts.sort_values(["option", "typical", "food"], ascending=[True, False, True],
                             kind="stable").drop_duplicates("option")
    option = main["option"].to_numpy(np.int64)
    return {str(food): np.sort(option[members])
            for food, members in sorted(main.groupby(main["food"].to_numpy()).indices.items())}


def allowed_flags(config: Config) -> set[str]:
    """Flags a food may carry: the diet pattern's, less the excluded ones (allergies)."""
    return set(PATTERNS[config.diet.pattern]) - set(config.diet.exclude_flags)


def usable_foods(foods: pd.DataFrame, config: Config, unsafe: set[str] | None = None
                 ) -> pd.Series:
    """True for foods the rules allow anywhere: diet flags, exclusions, fortification and
    the [safety] rules (``unsafe``: their foods, when already known)."""
    forbidden = [f for f in FLAGS if f not in allowed_flags(config)]
    keep = ~foods[forbidden].astype(bool).any(axis=1) if forbidden else \
        pd.Series(True, index=foods.index)
    keep &= ~foods.index.isin(config.diet.exclude)
    if config.diet.exclude_categories and "wweia_category" in foods.columns:
        category = pd.to_numeric(foods["wweia_category"], errors="coerce")
        keep &= ~category.isin(config.diet.exclude_categories)
    if not config.diet.fortified:
        keep &= ~(foods["b12_added_ug"].fillna(0.0) > 0)
    keep &= ~foods.index.isin(list(unsafe if unsafe is not None else unsafe_foods(foods, config)))
    return keep


def portion_ranges(foods: pd.DataFrame, library: Library) -> pd.DataFrame:
    """Per food of the table: low, high and typical grams (NHANES p10, p90 and median when
    the library knows the food, else ``composed.portion_ranges``)."""
    by_code = library.foods
    code = foods.get("fndds_code", pd.Series("", index=foods.index)).fillna("").astype(str)
    known = code.isin(by_code.index)
    unknown = composed_portions(foods)
    low, high, typical = unknown["low"].copy(), unknown["high"].copy(), unknown["typical"].copy()
    quantiles = by_code.reindex(code[known])
    low[known] = quantiles["grams_p10"].to_numpy()
    high[known] = quantiles["grams_p90"].to_numpy()
    typical[known] = quantiles["grams_p50"].to_numpy()
    return pd.DataFrame({"low": low, "high": np.maximum(high, low), "typical": typical})


def build_options(foods: pd.DataFrame, library: Library, config: Config, min_seen: int,
                  substitutions: pd.DataFrame | None = None,
                  min_kind_seen: int = MIN_KIND_SEEN) -> Options:
    """Every option of every occasion of the configuration; meals the diet forbids are
    adapted by ``substitutions`` (default: the packaged table) where every forbidden food has
    a swap the diet allows."""
    if substitutions is None:
        substitutions = load_substitutions()
    ranges = portion_ranges(foods, library)
    unsafe = set(unsafe_foods(foods, config))
    usable = usable_foods(foods, config, unsafe)
    id_of = _ids_by_code(foods)
    meal_rows: list[dict[str, object]] = []
    part_rows: list[dict[str, object]] = []
    library_parts = _library_parts(library, id_of)
    own, preference = own_meals(config, foods), config.meals.own_preference
    forbidden = set(FLAGS) - allowed_flags(config)
    table = _lookups(foods, usable, substitutions, forbidden, library, unsafe)
    compose = composes(foods, config, library)
    for occasion in config.occasions:
        source, caps = occasion_source(occasion), occasion_caps(occasion, config)
        mine: list[tuple[dict[str, object], list[dict[str, object]]]] = []
        if source == DRINKS:
            candidates = _drink_options(foods, usable, ranges, library, occasion, caps, compose)
        else:
            mine = _own_options(own, table, occasion, source, caps)
            candidates = list(mine)
            if config.meals.source == "library":
                candidates += _meal_options(library, library_parts, table, ranges, occasion,
                                            source, (min_seen, min_kind_seen), forbidden, caps)
            if compose:
                candidates += _composed_options(foods[usable], table, ranges, occasion, caps)
        for meal, parts in candidates:
            meal["option"] = len(meal_rows)
            meal["occasion"] = occasion.name
            meal["unlike_own"] = preference if mine and meal["kind"] != "own" else 0.0
            meal_rows.append(meal)
            for part in parts:
                part_rows.append({"option": meal["option"], **part})
    return Options(pd.DataFrame(meal_rows, columns=["option", "occasion", "key", "name", "seen",
                                                    "kind", "rarity", "unlike_own"]),
                   pd.DataFrame(part_rows, columns=["option", "food", "low", "high",
                                                    "typical", "liquid"]))


@dataclass(frozen=True)
class _Lookups:
    """What an option is built from, per food of the table (computed once per table)."""

    liquid: dict[str, bool]
    names: dict[str, str]
    per_gram: dict[str, dict[str, float]]
    blocked: set[str]                          # foods the diet forbids
    swap_of: dict[str, tuple[str, float]]      # their stand-ins and ratios
    category: dict[str, int]                   # WWEIA category (stand-ins: as substitutions say)

    def served_mix_seen(self, library: Library, source: str,
                        parts: list[dict[str, object]]) -> int:
        """How often people ate this mix of WWEIA categories at the occasion (0 when a food
        has no category)."""
        foods = [str(p["food"]) for p in parts]
        if any(f not in self.category for f in foods):
            return 0
        return library.mix_seen(source, {self.category[f] for f in foods} - set(LEFT_OUT))


def _lookups(foods: pd.DataFrame, usable: pd.Series, substitutions: pd.DataFrame,
             forbidden: set[str], library: Library, unsafe: set[str]) -> _Lookups:
    blocked, swap_of = swap_table(foods, usable, substitutions, forbidden, library)
    swap_of = {f: swap for f, swap in swap_of.items() if f not in unsafe}   # never adapted
    return _Lookups({str(f): bool(v) for f, v in foods["liquid"].astype(bool).items()},
                    {str(f): str(v) for f, v in foods["name"].items()}, _per_gram(foods),
                    blocked, swap_of, categories_with_stand_ins(foods, substitutions))


def categories_with_stand_ins(foods: pd.DataFrame, substitutions: pd.DataFrame | None = None
                              ) -> dict[str, int]:
    """Each food's WWEIA category: the table's, else the one ``substitutions`` (default: the
    packaged table) files a stand-in under (``to_category``: tempeh as a processed soy
    product)."""
    if substitutions is None:
        substitutions = load_substitutions()
    category = food_categories(foods)
    out = {str(f): int(c) for f, c in category.dropna().items()}
    if "to_category" in substitutions.columns:
        for target, number in zip(substitutions["to"], substitutions["to_category"],
                                  strict=True):
            if not pd.isna(number) and str(target) not in out:
                out[str(target)] = int(number)
    return out


def _ids_by_code(foods: pd.DataFrame) -> dict[str, str]:
    if "fndds_code" not in foods.columns:
        return {}
    codes = foods["fndds_code"].fillna("").astype(str)
    out: dict[str, str] = {}
    for food, code in zip(foods.index, codes, strict=True):
        if code and code not in out:
            out[code] = str(food)
    return out


def _library_parts(library: Library, id_of: dict[str, str]
                   ) -> dict[str, list[tuple[str | None, float]]]:
    """Per meal id, the food ids of its items (None where the table lacks the food) with the
    median grams eaten in that meal."""
    out: dict[str, list[tuple[str | None, float]]] = {}
    for meal_id, code, grams in zip(library.items["meal_id"], library.items["fndds_code"],
                                    library.items["grams"], strict=True):
        out.setdefault(str(meal_id), []).append((id_of.get(str(code)), float(grams)))
    return out


def meal_range(median: float, low: float, high: float) -> tuple[float, float]:
    """A food's portion in a meal: within ``MEAL_SCALE`` of what people ate in that meal and
    within the food's NHANES p10-p90 (the meal's median itself when it lies outside)."""
    least = max(low, median / MEAL_SCALE)
    most = min(high, median * MEAL_SCALE)
    if least > most:
        least = most = median
    return least, most


def in_steps(low: float, high: float) -> tuple[float, float]:
    """A portion range on whole ``GRAM_STEP``s (low up, high down; a single step when they
    cross), so that every planned portion is stated exactly."""
    least = math.ceil(round(low / GRAM_STEP, 6)) * GRAM_STEP
    most = math.floor(round(high / GRAM_STEP, 6)) * GRAM_STEP
    return round(least, 1), round(max(least, most), 1)


def _rarity(seen: float, occurrences: float) -> float:
    """-log10 of a meal's share of its occasion: 2 for one meal in a hundred."""
    return -math.log10(max(seen, OCCURRENCES_FLOOR) / max(occurrences, OCCURRENCES_FLOOR))


def _meal_options(library: Library, library_parts: dict[str, list[tuple[str | None, float]]],
                  table: _Lookups, ranges: pd.DataFrame, occasion: Occasion, source: str,
                  seen_floor: tuple[int, int], forbidden: set[str], caps: dict[str, float]
                  ) -> list[tuple[dict[str, object], list[dict[str, object]]]]:
    meals = library.meals[(library.meals["occasion"] == source)
                          & (library.meals["seen"] >= seen_floor[0])
                          & (library.meals["category_seen"] >= seen_floor[1])]
    occurrences = float(library.meals.loc[library.meals["occasion"] == source, "seen"].sum())
    low, high = ranges["low"].to_dict(), ranges["high"].to_dict()

    def in_meal(food: str, median: float) -> tuple[float, float]:
        return meal_range(median, float(low[food]), float(high[food]))

    no_drinks = occasion.max_liquids_ml is not None and occasion.max_liquids_ml <= 0
    out = []
    for meal_id, flags, seen, name in zip(meals.index, meals["flags"], meals["seen"],
                                          meals["name"], strict=True):
        items = library_parts.get(str(meal_id), [])
        if not items or any(food is None for food, _ in items):
            continue
        eaten = [(str(food), grams) for food, grams in items]
        forbidden_meal = bool(set(filter(None, str(flags).split(";"))) & forbidden)
        swaps = _swaps_for([f for f, _ in eaten], forbidden_meal, table.blocked,
                           table.swap_of)
        if swaps is None:
            continue
        parts, kept = _parts_of(eaten, in_meal, swaps, table.liquid, no_drinks)
        if not kept or not _fits(parts, table.per_gram, occasion, caps):
            continue
        label = str(name) if kept == len(eaten) and not swaps else \
            " + ".join(table.names[str(p["food"])] for p in parts)
        kind = "adapted" if swaps else "library" if kept == len(eaten) else \
            "library-no-drinks"
        rarity = _rarity(float(seen), occurrences)
        if swaps:
            rarity += ADAPTED_RARITY + (UNSEEN_MIX_RARITY if table.served_mix_seen(
                library, source, parts) < seen_floor[1] else 0.0)
        out.append(({"key": str(meal_id) + ("~adapted" if swaps else ""),
                     "name": label + _label_notes(swaps, table.names, kept < len(eaten)),
                     "seen": int(seen), "kind": kind, "rarity": rarity}, parts))
    return out


def _swaps_for(ids: list[str], forbidden_meal: bool, blocked: set[str],
               swap_of: dict[str, tuple[str, float]]) -> dict[str, tuple[str, float]] | None:
    """The swaps that make a meal fit the diet ({} when it fits as eaten), or None when a
    forbidden food has no swap."""
    if not forbidden_meal and not any(f in blocked for f in ids):
        return {}
    if not all(f in swap_of for f in ids if f in blocked):
        return None
    swaps = {f: swap_of[f] for f in ids if f in blocked}
    return swaps or None


def _parts_of(eaten: list[tuple[str, float]],
              range_of: Callable[[str, float], tuple[float, float]],
              swaps: dict[str, tuple[str, float]], liquid: dict[str, bool], no_drinks: bool
              ) -> tuple[list[dict[str, object]], int]:
    """The parts of a meal as served (swapped foods at their ratio, drinks left out where the
    occasion allows none), one per food, and how many of its foods were kept."""
    parts = []
    for food, grams in eaten:
        served, scale = swaps.get(food, (food, 1.0))
        if no_drinks and liquid[served]:
            continue
        least, most = range_of(food, grams)
        least, most = in_steps(least * scale, most * scale)
        parts.append({"food": served, "low": least, "high": most, "typical": grams * scale,
                      "liquid": bool(liquid[served])})
    return _merged(parts), len(parts)


def _label_notes(swaps: dict[str, tuple[str, float]], names: dict[str, str],
                 without_drinks: bool) -> str:
    notes = [f"adapted: {names[a]} -> {names[b]}" for a, (b, _) in swaps.items()]
    if without_drinks:
        notes.append("without its drinks")
    return f" ({'; '.join(notes)})" if notes else ""


def _composed_options(foods: pd.DataFrame, table: _Lookups, ranges: pd.DataFrame,
                      occasion: Occasion, caps: dict[str, float]
                      ) -> list[tuple[dict[str, object], list[dict[str, object]]]]:
    """Meals composed of the allowed ``foods`` by the occasion's role templates, each food
    within its servings range (its NHANES p10-p90 when the library knows it)."""
    no_drinks = occasion.max_liquids_ml is not None and occasion.max_liquids_ml <= 0
    low, high = ranges["low"].to_dict(), ranges["high"].to_dict()
    typical = ranges["typical"].to_dict()
    out = []
    for template, rarity, ids in composed_meals(foods, occasion.tokens(), occasion.kind,
                                                occasion.templates):
        eaten = [(f, float(typical[f])) for f in ids]
        parts, kept = _parts_of(eaten, lambda f, _: (float(low[f]), float(high[f])),
                                {}, table.liquid, no_drinks)
        if not kept or not _fits(parts, table.per_gram, occasion, caps):
            continue
        out.append(({"key": f"{COMPOSED}{template}:{'+'.join(ids)}",
                     "name": " + ".join(table.names[str(p["food"])] for p in parts),
                     "seen": 0, "kind": "composed", "rarity": rarity}, parts))
    return out


def _own_options(own: pd.DataFrame, table: _Lookups, occasion: Occasion, source: str,
                 caps: dict[str, float]) -> list[tuple[dict[str, object], list[dict[str, object]]]]:
    """The person's own meals of this occasion, each food within ``MEAL_SCALE`` of its
    grams, adapted like library meals."""
    no_drinks = occasion.max_liquids_ml is not None and occasion.max_liquids_ml <= 0
    out = []
    for meal_id, rows in own[own["occasion"] == source].groupby("meal", sort=True):
        eaten = [(str(f), float(g)) for f, g in zip(rows["food"], rows["grams"], strict=True)]
        swaps = _swaps_for([f for f, _ in eaten], False, table.blocked, table.swap_of)
        if swaps is None:
            continue
        parts, kept = _parts_of(eaten, lambda _, g: (g / MEAL_SCALE, g * MEAL_SCALE), swaps,
                                table.liquid, no_drinks)
        if not kept or not _fits(parts, table.per_gram, occasion, caps):
            continue
        label = " + ".join(table.names[str(p["food"])] for p in parts)
        out.append(({"key": f"{OWN_PREFIX}{meal_id}" + ("~adapted" if swaps else ""),
                     "name": f"{meal_id}: {label}"
                             + _label_notes(swaps, table.names, kept < len(eaten)),
                     "seen": 0, "kind": "own", "rarity": 0.0}, parts))
    return out


def _merged(parts: list[dict[str, object]]) -> list[dict[str, object]]:
    """One part per food: foods swapped to the same stand-in (milk and cream -> soy drink)
    add their ranges."""
    out: dict[str, dict[str, object]] = {}
    for part in parts:
        food = str(part["food"])
        if food not in out:
            out[food] = dict(part)
            continue
        for key in ("low", "high", "typical"):
            out[food][key] = round(float(str(out[food][key])) + float(str(part[key])), 1)
    return list(out.values())


def load_substitutions(path: Path | None = None) -> pd.DataFrame:
    """The swaps that adapt a meal to a diet: ``from`` (a food id or ``category:N``), ``to``
    (a food id), ``ratio`` (grams of ``to`` per gram of ``from``), ``to_category`` (optional:
    the WWEIA category of a stand-in the food table files under none), ``note``."""
    source = path or resources.data_path("substitutions.csv")
    try:
        table = pd.read_csv(source, dtype={"from": str, "to": str, "note": str})
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{source}: the substitutions cannot be read ({exc})",
                        "a CSV with columns from,to,ratio,note") from None
    missing = [c for c in ("from", "to", "ratio") if c not in table.columns]
    if missing:
        raise DataError(f"{source}: missing columns {', '.join(missing)}",
                        "a CSV with columns from,to,ratio,note")
    bad = table[~(pd.to_numeric(table["ratio"], errors="coerce") > 0)]
    if len(bad):
        raise DataError(f"{source}: row {int(bad.index[0]) + 2}: ratio must be a positive "
                        "number")
    table["ratio"] = table["ratio"].astype(float)
    if "to_category" in table.columns:
        number = pd.to_numeric(table["to_category"], errors="coerce")
        bad = table[table["to_category"].notna() & ~(number > 0)]
        if len(bad):
            raise DataError(f"{source}: row {int(bad.index[0]) + 2}: to_category must be a "
                            "WWEIA category number (e.g. 2806) or empty")
        table["to_category"] = number
    return table


def swap_table(foods: pd.DataFrame, usable: pd.Series, substitutions: pd.DataFrame,
               forbidden: set[str], library: Library) -> tuple[set[str], dict[str, tuple[str,
                                                                                    float]]]:
    """The foods the diet forbids (their flags in the table or the library), and for each the
    first swap whose target the diet allows."""
    flags = foods[list(FLAGS)].astype(bool)
    codes = foods.get("fndds_code", pd.Series("", index=foods.index)).fillna("").astype(str)
    known = library.foods.reindex(codes)[list(FLAGS)].fillna(False).astype(bool)
    known.index = foods.index
    bad_flags = [f for f in FLAGS if f in forbidden]
    blocked = ~usable | (flags[bad_flags] | known[bad_flags]).any(axis=1) if bad_flags \
        else ~usable
    category = food_categories(foods)
    rules: dict[str, tuple[str, float]] = {}
    for source, target, ratio in zip(substitutions["from"], substitutions["to"],
                                     substitutions["ratio"], strict=True):
        if str(source) not in rules and target in usable.index and usable[target] \
                and not blocked[target]:
            rules[str(source)] = (str(target), float(ratio))
    swaps: dict[str, tuple[str, float]] = {}
    for food in foods.index[blocked]:
        number = category[food]
        found = rules.get(str(food)) or (rules.get(f"category:{int(number)}")
                                         if not math.isnan(number) else None)
        if found:
            swaps[str(food)] = found
    return set(map(str, foods.index[blocked])), swaps


def _drink_options(foods: pd.DataFrame, usable: pd.Series, ranges: pd.DataFrame,
                   library: Library, occasion: Occasion, caps: dict[str, float],
                   compose: bool = False
                   ) -> list[tuple[dict[str, object], list[dict[str, object]]]]:
    """Single drinks: liquid foods of the library's meals (every liquid food of a table
    whose meals are composed) and plain water, each once."""
    codes = set(library.items["fndds_code"])
    code = foods.get("fndds_code", pd.Series("", index=foods.index)).fillna("").astype(str)
    liquid = foods["liquid"].astype(bool)
    water = foods.get("role", pd.Series("", index=foods.index)) == "water"
    chosen = foods.index[liquid & usable & (code.isin(codes) | water | compose)]
    reports = library.foods["reports"]
    total = float(reports.sum())
    cap = occasion.max_liquids_ml
    per_gram = _per_gram(foods.loc[chosen])
    out = []
    for food in chosen:
        low, high = float(ranges.loc[food, "low"]), float(ranges.loc[food, "high"])
        if cap is not None:
            high = min(high, float(cap))
            if low > high:
                continue
        seen = int(reports.get(code[food], 0))
        low, high = in_steps(low, high)
        part = {"food": str(food), "low": low, "high": high,
                "typical": min(float(ranges.loc[food, "typical"]), high), "liquid": True}
        if not _fits([part], per_gram, occasion, caps):
            continue
        out.append(({"key": f"drink:{food}", "name": str(foods.loc[food, "name"]),
                     "seen": seen, "kind": "drink", "rarity": _rarity(float(seen), total)},
                    [part]))
    return out


def _per_gram(foods: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Sugars, protein, added sugars and caffeine per gram of each food (missing: 0)."""
    columns = [c for c in CAPPED if c in foods.columns]
    table = foods[columns].fillna(0.0).astype(float) / 100.0
    return {str(f): dict(zip(columns, row, strict=True))
            for f, row in zip(table.index, table.to_numpy(), strict=True)}


def _fits(parts: list[dict[str, object]], per_gram: dict[str, dict[str, float]],
          occasion: Occasion, caps: dict[str, float]) -> bool:
    """Whether the smallest portions keep the occasion's limits (and the caps of its
    [safety] rules) and the largest reach its protein floor."""
    low = {str(p["food"]): float(str(p["low"])) for p in parts}
    high = {str(p["food"]): float(str(p["high"])) for p in parts}
    liquid = {str(p["food"]): bool(p["liquid"]) for p in parts}
    if occasion.max_solids_g is not None and \
            sum(g for f, g in low.items() if not liquid[f]) > occasion.max_solids_g + 1e-9:
        return False
    if occasion.max_liquids_ml is not None and \
            sum(g for f, g in low.items() if liquid[f]) > occasion.max_liquids_ml + 1e-9:
        return False
    if occasion.max_sugars_g is not None:
        caps = {**caps, "sugars_g": occasion.max_sugars_g}
    if any(sum(g * per_gram[f].get(column, 0.0) for f, g in low.items()) > most + 1e-9
           for column, most in caps.items()):
        return False
    return not occasion.min_protein_g or \
        sum(g * per_gram[f]["protein_g"] for f, g in high.items()) >= occasion.min_protein_g - 1e-9
