"""The meal library built from NHANES 2007-2012 24-hour recalls (``scripts/build_meals.py``).

A meal is one respondent's foods at one eating occasion (breakfast, lunch, dinner, snack) of one
complete recall day, with 2007-12 food codes mapped to FNDDS 2017-18 by the shared crosswalk,
plain water and alcoholic drinks (WWEIA 7702, 7704, 75xx) left out (a plan does not prescribe
them) and a food reported twice at one occasion counted once with its grams summed. An occasion
holding a food the crosswalk cannot map, an infant food or formula, or a protein or nutritional
powder (WWEIA 90xx-98xx) is dropped whole. Each distinct set of foods seen ``min_seen`` times or
more at an occasion is a library meal, with how often it was seen, by how many people, the
median grams of each food, and how often its set of WWEIA categories was seen at that occasion.
Diet flags of a meal are the union of its foods' flags from their FNDDS recipes (``recipes.py``,
"may contain" where a recipe cannot tell), plus dairy for every food of a WWEIA milk, cheese or
yogurt category (cocoa mixes and eggnog hold milk powder or milk whatever their recipe leaf
says) and honey for granola, so an unknown never makes a meal vegetarian or vegan. All USDA and
NHANES data: public domain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataError
from .recipes import FLAGS
from .vocabulary import PATTERNS

RECALLS = "nhanes_2007_2012_items.csv.gz"
CROSSWALK = "nhanes0712_to_fndds1718_crosswalk.csv"
MEAL_OCCASIONS = ("breakfast", "lunch", "dinner", "snack")
PORTION_OCCASIONS = (*MEAL_OCCASIONS, "drink", "other")   # every report but infants'
LEFT_OUT = (7702, 7704, 7502, 7504, 7506)               # plain water; beer, wine, liquor
DROPPED = (9002, 9004, 9006, 9008, 9010, 9012, 9202, 9204, 9402, 9404, 9406, 9602, 9802)
MILK_SUBSTITUTES = 1404
MAY_CONTAIN = {"granola": "honey"}                        # words -> a flag recipes miss
COMPLETE_RECALL = 1
MIN_SEEN = 2
QUANTILES = {"grams_p10": 0.10, "grams_p50": 0.50, "grams_p90": 0.90, "grams_p95": 0.95,
             "grams_p99": 0.99}
PREFIX = {"breakfast": "B", "lunch": "L", "dinner": "D", "snack": "S"}
MEAL_COLUMNS = ["meal_id", "occasion", "seen", "persons", "category_seen", "n_foods", "flags",
                "diets", "name", "source"]
ITEM_COLUMNS = ["meal_id", "fndds_code", "grams"]
MIX_COLUMNS = ["occasion", "categories", "seen"]
FPED = "fndds1718_fped.csv"
FPED_GROUPS = {   # per 100 g, FPED 2017-2018 (meat or poultry: meat, cured meat, organ, poultry)
    "meat_poultry_oz": ("PF_MEAT", "PF_CUREDMEAT", "PF_ORGAN", "PF_POULT"),
    "seafood_oz": ("PF_SEAFD_HI", "PF_SEAFD_LOW"),
    "vegetables_cup": ("V_TOTAL",), "fruit_cup": ("F_TOTAL",)}
FOOD_COLUMNS = ["fndds_code", "description", "wweia_category", "wweia_name", "liquid",
                *FLAGS, "reports", *QUANTILES, *FPED_GROUPS]


@dataclass(frozen=True)
class BuiltLibrary:
    """The four tables of a library and what went into them."""

    meals: pd.DataFrame
    items: pd.DataFrame
    foods: pd.DataFrame
    mixes: pd.DataFrame
    provenance: dict[str, object]


def read_recalls(folder: Path) -> pd.DataFrame:
    """Complete-recall rows of 2007-12 mapped to FNDDS 2017-18 (``new_code`` empty: unmapped)."""
    paths = [folder / RECALLS, folder / CROSSWALK]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise DataError(f"{folder}: missing {', '.join(missing)}",
                        "name the folder that holds the files of shared/data/fndds")
    items = pd.read_csv(paths[0], dtype={"food_code": str, "cycle": str, "seqn": str})
    crosswalk = pd.read_csv(paths[1], dtype={"old_code": str, "new_code": str})
    items = items[(items["recall_status"] == COMPLETE_RECALL)
                  & items["occasion_group"].isin(PORTION_OCCASIONS)]
    new_code = crosswalk.drop_duplicates("old_code").set_index("old_code")["new_code"]
    items = items.assign(new_code=items["food_code"].map(new_code))
    items["occurrence"] = (items["cycle"] + "|" + items["day"].astype(str) + "|"
                           + items["seqn"] + "|" + items["occasion_group"])
    items["person"] = items["cycle"] + "|" + items["seqn"]
    return items.reset_index(drop=True)


def meal_occurrences(recalls: pd.DataFrame, category: pd.Series) -> pd.DataFrame:
    """One row per food of each meal occurrence, water left out, unmapped occasions dropped."""
    meals = recalls[recalls["occasion_group"].isin(MEAL_OCCASIONS)]
    meals = meals.assign(category=meals["new_code"].map(category))
    meals = meals[~meals["category"].isin(LEFT_OUT)]
    unmapped = meals.loc[meals["new_code"].isna() | meals["category"].isna()
                         | meals["category"].isin(DROPPED), "occurrence"]
    meals = meals[~meals["occurrence"].isin(set(unmapped))]
    out = (meals.groupby(["occurrence", "occasion_group", "person", "new_code"], sort=True)
           .agg(grams=("grams", "sum"), category=("category", "first")).reset_index())
    return out.assign(category=out["category"].astype(int))


def _keys(occurrences: pd.DataFrame, column: str) -> pd.Series:
    """Per occurrence, the sorted distinct values of one column joined by ';'."""
    return occurrences.groupby("occurrence")[column].agg(
        lambda values: ";".join(sorted({str(v) for v in values})))


def build_library(folder: Path, food_flags: pd.DataFrame, min_seen: int = MIN_SEEN
                  ) -> BuiltLibrary:
    """The library of meals seen ``min_seen`` times or more; ``food_flags`` is the FNDDS
    import (``fndds.fndds_table``) with ``fndds_code``, ``name``, ``liquid``, WWEIA columns
    and the diet flags."""
    foods = food_flags.drop_duplicates("fndds_code").set_index("fndds_code")
    recalls = read_recalls(folder)
    occ = meal_occurrences(recalls, foods["wweia_category"].astype(int))
    key = _keys(occ, "new_code").rename("key")
    cats = _keys(occ, "category").rename("categories")
    first = occ.drop_duplicates("occurrence").set_index("occurrence")
    heads = pd.DataFrame({"occasion": first["occasion_group"], "person": first["person"],
                          "key": key, "categories": cats})
    seen = heads.groupby(["occasion", "key"]).agg(seen=("person", "size"),
                                                  persons=("person", "nunique"))
    cat_seen = heads.groupby(["occasion", "categories"]).size().rename("category_seen")
    kept = seen[seen["seen"] >= min_seen].reset_index()
    kept = kept.merge(heads.drop_duplicates(["occasion", "key"])[["occasion", "key",
                                                                   "categories"]],
                      on=["occasion", "key"]).merge(cat_seen.reset_index(),
                                                    on=["occasion", "categories"])
    kept["order"] = [tuple(MEAL_OCCASIONS).index(o) for o in kept["occasion"]]
    kept = kept.sort_values(["order", "seen", "key"], ascending=[True, False, True],
                            kind="stable").reset_index(drop=True)
    kept["meal_id"] = [f"{PREFIX[o]}{n:04d}" for o, n in
                       zip(kept["occasion"], kept.groupby("occasion").cumcount() + 1,
                           strict=True)]
    items = _median_grams(occ.join(heads["key"], on="occurrence"), kept)
    items["liquid"] = items["fndds_code"].map(foods["liquid"].astype(bool))
    items = items.sort_values(["meal_id", "liquid", "grams", "fndds_code"],
                              ascending=[True, True, False, True], kind="stable")
    kept_foods = sorted(set(items["fndds_code"]))
    flags = conservative_flags(foods.loc[kept_foods])
    meal_flags = items.join(flags, on="fndds_code").groupby("meal_id")[list(FLAGS)].any()
    kept = kept.join(meal_flags, on="meal_id")
    kept["flags"] = [";".join(f for f in FLAGS if row[f]) for _, row in kept.iterrows()]
    kept["diets"] = [";".join(diets_allowing(text)) for text in kept["flags"]]
    names = foods["name"].astype(str)
    kept["n_foods"] = kept["key"].str.count(";") + 1
    kept["name"] = [meal_name(items_of, names) for items_of in
                    items.groupby("meal_id", sort=False)["fndds_code"].apply(list)
                    .reindex(kept["meal_id"])]
    kept["source"] = "NHANES 2007-2012 WWEIA recalls; USDA FNDDS 2017-2018"
    library_foods = _food_table(recalls, foods, kept_foods, read_fped(folder))
    provenance = _provenance(folder, recalls, occ, heads, kept, min_seen)
    mixes = cat_seen[cat_seen >= min_seen].rename("seen").reset_index()
    mixes["order"] = [tuple(MEAL_OCCASIONS).index(o) for o in mixes["occasion"]]
    mixes = mixes.sort_values(["order", "seen", "categories"], ascending=[True, False, True],
                              kind="stable")
    return BuiltLibrary(kept[MEAL_COLUMNS].reset_index(drop=True), items[ITEM_COLUMNS],
                        library_foods[FOOD_COLUMNS], mixes[MIX_COLUMNS].reset_index(drop=True),
                        provenance)


def diets_allowing(flags: str) -> list[str]:
    """The diet patterns that allow a meal with these flags (``"dairy;honey"``)."""
    held = set(filter(None, flags.split(";")))
    return [pattern for pattern, allowed in PATTERNS.items() if not held - allowed]


def conservative_flags(foods: pd.DataFrame) -> pd.DataFrame:
    """Diet flags of foods (FNDDS import columns), with the category and word rules above."""
    flags = foods[list(FLAGS)].astype(bool).copy()
    category = foods["wweia_category"].astype(int)
    flags.loc[(category < 2000) & (category != MILK_SUBSTITUTES), "dairy"] = True
    for word, flag in MAY_CONTAIN.items():
        flags.loc[foods["name"].str.lower().str.contains(word, regex=False), flag] = True
    return flags


def _median_grams(occ: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """Median grams of each food of each kept meal over the meal's occurrences."""
    ids = kept.set_index(["occasion", "key"])["meal_id"]
    occ = occ.join(ids, on=["occasion_group", "key"], how="inner")
    grams = occ.groupby(["meal_id", "new_code"])["grams"].median().round(1).reset_index()
    grams = grams.rename(columns={"new_code": "fndds_code"})
    return grams


def meal_name(codes: list[str], names: pd.Series) -> str:
    """A meal's title: its foods' FNDDS names (foods, then drinks, largest first) joined by
    ' + '."""
    return " + ".join(str(names.get(code, code)) for code in codes)


def read_fped(folder: Path) -> pd.DataFrame:
    """FPED 2017-2018 food-pattern amounts per 100 g by food code: the groups the weekly
    rules and the report count (``FPED_GROUPS``)."""
    table = pd.read_csv(folder / FPED, encoding="utf-8-sig", dtype={"FOODCODE": str})
    table.columns = [c.split(" (")[0] for c in table.columns]
    out = pd.DataFrame(index=table["FOODCODE"].astype(str))
    for name, parts in FPED_GROUPS.items():
        out[name] = table[list(parts)].apply(pd.to_numeric, errors="coerce").fillna(0.0) \
            .sum(axis=1).round(4).to_numpy()
    return out[~out.index.duplicated()]


def _food_table(recalls: pd.DataFrame, foods: pd.DataFrame, codes: list[str],
                fped: pd.DataFrame) -> pd.DataFrame:
    """Per library food: description, category, flags, its NHANES portion quantiles over
    every report (all occasions but infants'), one report = one recalled item, and its FPED
    food-pattern amounts per 100 g."""
    reports = recalls[recalls["new_code"].isin(codes) & (recalls["grams"] > 0)]
    grouped = reports.groupby("new_code")["grams"]
    table = pd.DataFrame({"reports": grouped.size()})
    for column, q in QUANTILES.items():
        table[column] = grouped.quantile(q).round(1)
    table = table.reindex(codes)
    rows = foods.loc[codes]
    out = pd.DataFrame({"fndds_code": codes, "description": rows["name"].to_numpy(),
                        "wweia_category": rows["wweia_category"].astype(int).to_numpy(),
                        "wweia_name": rows["wweia_name"].to_numpy(),
                        "liquid": rows["liquid"].astype(bool).to_numpy()})
    flags = conservative_flags(rows)
    for flag in FLAGS:
        out[flag] = flags[flag].to_numpy()
    out["reports"] = table["reports"].fillna(0).astype(int).to_numpy()
    for column in QUANTILES:
        out[column] = table[column].to_numpy()
    amounts = fped.reindex(codes).fillna(0.0)
    for column in FPED_GROUPS:
        out[column] = amounts[column].to_numpy()
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _provenance(folder: Path, recalls: pd.DataFrame, occ: pd.DataFrame, heads: pd.DataFrame,
                kept: pd.DataFrame, min_seen: int) -> dict[str, object]:
    """What the library was built from, with counts a reader can check."""
    meal_rows = recalls[recalls["occasion_group"].isin(MEAL_OCCASIONS)]
    by_occasion = {o: {"occurrences": int((heads["occasion"] == o).sum()),
                       "meals": int((kept["occasion"] == o).sum()),
                       "occurrences_covered": int(kept.loc[kept["occasion"] == o, "seen"].sum())}
                   for o in MEAL_OCCASIONS}
    return {
        "what": "Meals people ate: NHANES 2007-2012 24-hour recalls (WWEIA), foods mapped to "
                "USDA FNDDS 2017-2018; US Government works, public domain.",
        "build": "python scripts/build_meals.py --data ../shared/data",
        "min_seen": min_seen,
        "occasion_groups": "breakfast = codes 1, 10, 11; lunch = 2, 5, 12; dinner = 3, 4, 14; "
                           "snack = 6, 9, 13, 15-18 (shared/data/SOURCES.md); plain water "
                           "and alcoholic drinks (WWEIA 7702, 7704, 7502-7506) left out; "
                           "occasions with infant foods or nutritional powders dropped",
        "sources": {name: _sha256(folder / name) for name in (RECALLS, CROSSWALK, FPED)},
        "recall_rows_at_meals": len(meal_rows),
        "recall_rows_unmapped": int(meal_rows["new_code"].isna().sum()),
        "occurrences": len(heads),
        "by_occasion": by_occasion,
        "foods": int(occ.loc[occ["new_code"].isin(set(kept["key"].str.split(";").explode())),
                             "new_code"].nunique()),
    }


def diet_counts(meals: pd.DataFrame, least_seen: int) -> dict[str, dict[str, int]]:
    """Meals per diet and occasion seen at least ``least_seen`` times."""
    often = meals[meals["seen"] >= least_seen]
    return {p: {o: int(((often["occasion"] == o)
                        & often["diets"].str.split(";").map(lambda d, p=p: p in d)).sum())
                for o in MEAL_OCCASIONS} for p in PATTERNS}

