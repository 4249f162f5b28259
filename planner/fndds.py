"""USDA FNDDS 2017-2018 foods as eaten, in the planner's schema (``planner foods import
--from fndds``, and the source of the default ``foods.csv``).

Per food: the FNDDS nutrients (B12 split into crystalline = "B12, added" and food-bound = the
rest), the PP-NAP 2017/18 price, the WWEIA category with its role in a meal, the NHANES
2007-2012 portion people eat (median grams) and a household measure near it, the occasions
where people eat it and how popular it is there, added sugars from FPED, and diet flags and a
B12 matrix factor from its FNDDS recipe (``recipes.py``). All USDA data: public domain.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import resources
from .errors import DataError
from .foods import COLUMNS
from .products import Recipes, load_rules, product_columns
from .recipes import FLAGS, RecipeBook, Resolved, words_in
from .table import check_text, raise_problems

FILES = {
    "foods": "fndds1718_foods_nutrients_prices.csv",
    "portions": "fndds1718_portions.csv",
    "fped": "fndds1718_fped.csv",
    "recipes": "fndds1920_ingredients.csv",
    "sr28": "sr28_nutrients_wide.csv",
    "occasions": "nhanes_0712_food_portions_occasions.csv",
}
NUTRIENTS = {  # planner column -> FNDDS column (per 100 g)
    "energy_kcal": "Energy (kcal)", "protein_g": "Protein (g)", "fat_g": "Total Fat (g)",
    "carbohydrate_g": "Carbohydrate (g)", "sugars_g": "Sugars, total (g)",
    "fiber_g": "Fiber, total dietary (g)", "b12_ug": "Vitamin B-12 (mcg)",
    "b12_added_ug": "Vitamin B-12, added (mcg)", "calcium_mg": "Calcium (mg)",
    "iron_mg": "Iron (mg)", "zinc_mg": "Zinc (mg)", "magnesium_mg": "Magnesium (mg)",
    "potassium_mg": "Potassium (mg)", "sodium_mg": "Sodium (mg)",
    "vit_a_rae_ug": "Vitamin A, RAE (mcg_RAE)", "retinol_ug": "Retinol (mcg)",
    "vit_c_mg": "Vitamin C (mg)", "vit_d_ug": "Vitamin D (D2 + D3) (mcg)",
    "folate_dfe_ug": "Folate, DFE (mcg_DFE)", "folic_acid_ug": "Folic acid (mcg)",
    "thiamin_mg": "Thiamin (mg)",
    "choline_mg": "Choline, total (mg)", "sfa_g": "Fatty acids, total saturated (g)",
    "alcohol_g": "Alcohol (g)", "caffeine_mg": "Caffeine (mg)", "water_g": "Water (g)",
}
EPA_DHA = ("20:5 n-3 (g)", "22:6 n-3 (g)")
ADDED_SUGAR_G_PER_TSP = 4.2     # FPED: 1 teaspoon equivalent of added sugars = 4.2 g
OCCASIONS = ("breakfast", "lunch", "dinner", "snack", "drink")
OCCASION_SHARE = 0.15           # a food is offered where at least 15 % of its reports are
DRINK_SHARE = 0.05              # a drink is offered at drink occasions from 5 % of reports
POPULARITY_SCALE = 10_000       # popularity: reports per 10,000 reports of the occasion
MAX_TYPICAL_SERVINGS = 4        # a household unit is at least a quarter of the typical portion
ROLE_OCCASIONS = {              # where a food without NHANES reports is offered
    "main-dish": "lunch;dinner", "protein-food": "breakfast;lunch;dinner",
    "starch": "lunch;dinner", "vegetable": "lunch;dinner", "fruit": "breakfast;lunch;snack",
    "bread": "breakfast;lunch;dinner", "cereal": "breakfast", "dairy": "breakfast;lunch;snack",
    "spread-fat": "breakfast;lunch;dinner", "condiment": "breakfast;lunch;dinner",
    "sweet": "snack;dinner", "snack": "snack", "beverage": "breakfast;lunch;dinner;snack;drink",
    "water": "breakfast;lunch;dinner;snack;drink",
}
FPED_SIGNS = {"meat": "PF_MPS_TOTAL (oz. eq.)", "egg": "PF_EGGS (oz. eq.)",
              "dairy": "D_TOTAL (cup eq.)", "solid_fat": "SOLID_FATS (grams)",
              "added_sugars": "ADD_SUGARS (tsp. eq.)", "fish": "PF_SEAFD_HI (oz. eq.)"}
FISH_FPED = ("PF_SEAFD_HI (oz. eq.)", "PF_SEAFD_LOW (oz. eq.)")
PROTEIN_FPED = {  # group of a mixed dish from its main protein food (oz eq per 100 g)
    "meat": ("PF_MEAT (oz. eq.)", "PF_CUREDMEAT (oz. eq.)"), "poultry": ("PF_POULT (oz. eq.)",),
    "organ": ("PF_ORGAN (oz. eq.)",), "fish": FISH_FPED, "egg": ("PF_EGGS (oz. eq.)",),
    "legume": ("PF_LEGUMES (oz. eq.)", "PF_SOY (oz. eq.)"),
}


@dataclass
class FnddsReport:
    """What an FNDDS import did: counts by role and what was unsure or left out."""

    foods: int = 0
    by_role: dict[str, int] = field(default_factory=dict)
    unsure_flags: int = 0
    named_flags: int = 0
    no_recipe: int = 0
    no_reports: int = 0
    unpriced: int = 0

    def lines(self) -> list[str]:
        roles = ", ".join(f"{k} {v}" for k, v in sorted(self.by_role.items()))
        return [f"FNDDS 2017-2018: {self.foods} foods ({roles})",
                f"  {self.unsure_flags} with 'may contain' flags (a recipe leaf that cannot "
                f"tell), {self.no_recipe} without a recipe (flags from FPED and words), "
                f"{self.named_flags} with a flag their name adds to the recipe's",
                f"  {self.no_reports} without NHANES reports (portion from FNDDS, occasions by "
                f"role), {self.unpriced} without a PP-NAP price"]


def read_sources(folder: Path) -> dict[str, pd.DataFrame]:
    """The FNDDS, FPED, recipe, SR28 and NHANES tables of one folder, ids as text."""
    missing = [name for name in FILES.values() if not (folder / name).is_file()]
    if missing:
        raise DataError(f"{folder}: not an FNDDS folder (missing {', '.join(missing)})",
                        "name the folder that holds the files of shared/data/fndds")
    text_ids = {"Food code": str, "Ingredient code": str, "ndb_no": str, "food_code": str,
                "FOODCODE": str}
    out = {}
    for key, name in FILES.items():
        try:
            out[key] = pd.read_csv(folder / name, dtype=text_ids, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise DataError(f"{folder / name}: cannot be read ({exc})") from None
    return out


def categories() -> pd.DataFrame:
    """WWEIA category -> role, group, liquid, aisle, package (the shipped wweia.csv)."""
    table = pd.read_csv(resources.data_path("wweia.csv"))
    return table.set_index("category")


def recipe_book(src: dict[str, pd.DataFrame]) -> RecipeBook:
    """Recipes of FNDDS 2019-20, SR28 leaves, and FPED-based flags for foods without one."""
    recipes = src["recipes"]
    ingredients: dict[str, list[tuple[str, str, float]]] = {}
    for food, code, desc, grams in zip(recipes["Food code"], recipes["Ingredient code"],
                                       recipes["Ingredient description"],
                                       recipes["Ingredient weight (g)"], strict=True):
        ingredients.setdefault(food, []).append((code, str(desc), float(grams)))
    sr = src["sr28"]
    bound = (pd.to_numeric(sr["b12_ug"], errors="coerce").fillna(0.0)
             - pd.to_numeric(sr["b12_added_ug"], errors="coerce").fillna(0.0)).clip(lower=0)
    cholesterol = pd.to_numeric(sr["cholesterol_mg"], errors="coerce")
    leaves = {ndb: (desc, group, None if math.isnan(chol) else float(chol), float(b12))
              for ndb, desc, group, chol, b12 in zip(sr["ndb_no"], sr["description"],
                                                     sr["food_group"], cholesterol, bound,
                                                     strict=True)}
    fped = src["fped"].set_index("FOODCODE")
    foods = src["foods"]
    roles = categories()["role"]
    fallback = {code: fped_flags(desc, fped.loc[code] if code in fped.index else None,
                                 str(roles.get(category, "")))
                for code, desc, category in zip(foods["Food code"],
                                                foods["Main food description"],
                                                foods["WWEIA Category number"], strict=True)
                if code not in ingredients}
    return RecipeBook(ingredients, leaves, fallback)


def fped_flags(description: str, fped: pd.Series | None, role: str) -> Resolved:
    """Flags of a food without a recipe: FPED food groups and words; milk "may" be in it
    unless FPED shows neither dairy nor solid fat, honey unless it has no added sugars, and
    gelatin in sweets, snacks and dairy desserts."""
    flags = set(words_in(description))
    if fped is None:
        return Resolved(frozenset(flags | set(FLAGS)), True)
    amount = {name: float(fped[column]) for name, column in FPED_SIGNS.items()}
    amount["fish"] += float(fped["PF_SEAFD_LOW (oz. eq.)"])
    amount["meat"] -= sum(float(fped[c]) for c in FISH_FPED)
    if amount["meat"] > 1e-9:
        flags.add("meat")
    if amount["fish"] > 0 and not flags & {"fish", "shellfish"}:
        flags |= {"fish", "shellfish"}
    if amount["egg"] > 0:
        flags.add("egg")
    maybe = set()
    if amount["dairy"] > 0 or amount["solid_fat"] > 0:
        maybe.add("dairy")
    if amount["added_sugars"] > 0:
        maybe.add("honey")
    if role in ("sweet", "snack", "dairy"):
        maybe.add("gelatin")
    return Resolved(frozenset(flags | maybe), bool(maybe - flags))


def slug(text: str, limit: int = 60) -> str:
    """A readable id from a description: lower case, words joined by '-'."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or "food"


def family_of(description: str) -> str:
    """The food family a description belongs to: its words before the first comma or
    "with" ("Milk, whole" and "Milk, lowfat (1%)" -> milk; "Pizza with pepperoni" -> pizza),
    so that variety rules count milk of any fat level once."""
    head = description.split(",")[0]
    return slug(re.split(r"\s+with\s+", head, maxsplit=1)[0])


def unique_ids(descriptions: list[str], codes: list[str]) -> list[str]:
    """Slugs of the descriptions; a slug used twice gets its food code appended."""
    slugs = [slug(d) for d in descriptions]
    counts: dict[str, int] = {}
    for s in slugs:
        counts[s] = counts.get(s, 0) + 1
    return [s if counts[s] == 1 else f"{s}-{c}" for s, c in zip(slugs, codes, strict=True)]


def household_units(portions: pd.DataFrame) -> dict[str, list[tuple[str, float]]]:
    """Per food code, its FNDDS household portions with grams (and half and quarter cups)."""
    usable = portions[(portions["Portion weight (g)"] >= 0.1)
                      & (portions["Portion weight (g)"] <= 2000)
                      & ~portions["Portion description"].str.contains("not specified",
                                                                      case=False)]
    units: dict[str, list[tuple[str, float]]] = {}
    for code, desc, grams in zip(usable["Food code"], usable["Portion description"],
                                 usable["Portion weight (g)"], strict=True):
        entry = units.setdefault(code, [])
        entry.append((str(desc), float(grams)))
        if " ice" in f" {str(desc).lower()}":
            entry.pop()
            continue
        if str(desc).startswith("1 cup"):
            rest = str(desc)[len("1 cup"):]
            entry.append((f"1/2 cup{rest}", float(grams) / 2))
            entry.append((f"1/4 cup{rest}", float(grams) / 4))
    return units


def choose_serving(units: list[tuple[str, float]], typical: float | None,
                   ) -> tuple[float, str, int]:
    """(grams, label, servings) of the household unit whose whole multiple (1-4) comes
    nearest the typical portion; without a typical portion, the first unit as one serving."""
    if not units:
        grams = round(typical, 1) if typical else 100.0
        return grams, f"1 portion ({grams:g} g)", 1
    if not typical:
        label, grams = units[0]
        return round(grams, 1), label, 1
    scored = []
    for position, (label, grams) in enumerate(units):
        count = min(max(1, round(typical / grams)), MAX_TYPICAL_SERVINGS)
        score = abs(count * grams - typical) / typical + 0.05 * (count - 1)
        scored.append((round(score, 9), position, count, label, grams))
    _, _, count, label, grams = min(scored)
    return round(grams, 1), label, count


def occasion_columns(table: pd.DataFrame, liquid: pd.Series,
                     role: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Occasion tokens (where a food is eaten) and popularity per occasion."""
    shares = table[[f"share_{o}" for o in OCCASIONS]].fillna(0.0)
    shares.columns = list(OCCASIONS)
    totals = shares.sum(axis=1)
    normal = shares.div(totals.where(totals > 0, 1.0), axis=0)
    reports = table["n_reports"].fillna(0.0)
    at = shares.mul(reports, axis=0)
    popularity = (at / at.sum(axis=0).replace(0, 1.0) * POPULARITY_SCALE).round(2)
    popularity.columns = [f"pop_{o}" for o in OCCASIONS]
    tokens = []
    for position in range(len(table)):
        row = normal.iloc[position]
        if reports.iloc[position] <= 0 or totals.iloc[position] <= 0:
            tokens.append(ROLE_OCCASIONS[role.iloc[position]])
            continue
        chosen = [o for o in OCCASIONS if o != "drink" and row[o] >= OCCASION_SHARE]
        top = max(OCCASIONS, key=lambda o: (row[o], -OCCASIONS.index(o)))
        if top != "drink" and top not in chosen:
            chosen.append(top)
        if liquid.iloc[position] and (row["drink"] >= DRINK_SHARE or top == "drink"):
            chosen.append("drink")
        if not [o for o in chosen if o != "drink"] and liquid.iloc[position]:
            chosen += ["breakfast", "lunch", "dinner", "snack"]
        tokens.append(";".join(o for o in OCCASIONS if o in chosen)
                      or ROLE_OCCASIONS[role.iloc[position]])
    return pd.Series(tokens, index=table.index), popularity


def mixed_group(fped: pd.Series | None, flags: frozenset[str]) -> str:
    """Food group of a mixed dish: its main protein food by FPED, else dairy, grain or
    vegetable."""
    if fped is None:
        return "other"
    amounts = {group: sum(float(fped[c]) for c in columns)
               for group, columns in PROTEIN_FPED.items()}
    group, amount = max(amounts.items(), key=lambda item: item[1])
    if amount >= 0.3:
        if group == "fish" and "shellfish" in flags and "fish" not in flags:
            return "shellfish"
        return group
    if float(fped["D_TOTAL (cup eq.)"]) >= 0.15:
        return "dairy"
    grain, vegetable = float(fped["G_TOTAL (oz. eq.)"]), float(fped["V_TOTAL (cup eq.)"])
    if max(grain, vegetable) <= 0:
        return "other"
    return "grain" if grain >= vegetable * 2 else "vegetable"


def fndds_table(folder: Path) -> tuple[pd.DataFrame, FnddsReport]:
    """Every FNDDS 2017-2018 food in the planner's schema (curated=false), with a report."""
    src = read_sources(folder)
    foods = src["foods"]
    raise_problems(folder / FILES["foods"], check_text(
        foods, ["Main food description", "WWEIA Category description"],
        folder / FILES["foods"], "Food code"), "FNDDS foods")
    cats = categories()
    unknown = sorted(set(foods["WWEIA Category number"]) - set(cats.index))
    if unknown:
        raise DataError(f"{folder / FILES['foods']}: WWEIA categories {unknown[:5]} are not in "
                        "the planner's category table (planner/data/wweia.csv)")
    occ = src["occasions"].drop_duplicates("food_code").set_index("food_code")
    fped = src["fped"].drop_duplicates("FOODCODE").set_index("FOODCODE")
    codes = foods["Food code"].tolist()
    nhanes = occ.reindex(codes)
    nhanes.index = foods.index
    cat = cats.loc[foods["WWEIA Category number"]].reset_index()
    cat.index = foods.index
    book = recipe_book(src)
    resolved = [book.resolve(code) for code in codes]
    named = [words_in(desc) for desc in foods["Main food description"]]
    flags = pd.DataFrame({f: [f in r.flags or f in n for r, n in zip(resolved, named,
                                                                     strict=True)]
                          for f in FLAGS}, index=foods.index)
    out = pd.DataFrame({"id": unique_ids(foods["Main food description"].tolist(), codes),
                        "name": foods["Main food description"].str.strip()}, index=foods.index)
    for column, source in NUTRIENTS.items():
        out[column] = pd.to_numeric(foods[source], errors="coerce")
    out["epa_dha_g"] = sum(pd.to_numeric(foods[c], errors="coerce") for c in EPA_DHA)
    added = fped.reindex(codes)["ADD_SUGARS (tsp. eq.)"].to_numpy()
    out["added_sugars_g"] = np.round(added.astype(float) * ADDED_SUGAR_G_PER_TSP, 3)
    out["b12_added_ug"] = np.minimum(out["b12_added_ug"].fillna(0.0), out["b12_ug"])
    matrix = [round(book.matrix(code), 3) for code in codes]
    bound = out["b12_ug"] - out["b12_added_ug"]
    out["b12_matrix"] = [m if b > 0 else "" for m, b in zip(matrix, bound, strict=True)]
    group = []
    for code, base, r in zip(codes, cat["group"], resolved, strict=True):
        group.append(mixed_group(fped.loc[code] if code in fped.index else None, r.flags)
                     if base == "mixed" else base)
    out["group"] = group
    fortified = (out["b12_added_ug"] > 0) & ~pd.Series(group, index=foods.index).isin(
        ["meat", "poultry", "organ", "fish", "shellfish", "egg", "dairy"])
    out.loc[fortified, "group"] = "fortified"
    out[list(FLAGS)] = flags
    out["role"] = cat["role"]
    out["family"] = [family_of(desc) for desc in foods["Main food description"]]
    out["liquid"] = cat["liquid"].astype(bool)
    units = household_units(src["portions"])
    typical = nhanes["grams_median"].astype(float)
    servings = [choose_serving(units.get(code, []), None if math.isnan(t) else t)
                for code, t in zip(codes, typical, strict=True)]
    out["serving_g"] = [s[0] for s in servings]
    out["serving_label"] = [s[1] for s in servings]
    out["typical_g"] = [round(t, 1) if not math.isnan(t) else s[0]
                        for t, s in zip(typical, servings, strict=True)]
    low = nhanes["grams_p25"].astype(float)
    high = nhanes["grams_p75"].astype(float)
    mins, maxs = [], []
    for (grams, _, count), lo, hi in zip(servings, low, high, strict=True):
        least = 1 if math.isnan(lo) else max(1, min(count, round(lo / grams)))
        most = count + 1 if math.isnan(hi) else max(count, least, round(hi / grams))
        mins.append(least)
        maxs.append(min(max(most, 1), 8))
    out["min_servings"], out["max_servings"] = mins, maxs
    tokens, popularity = occasion_columns(nhanes, out["liquid"], out["role"])
    out["occasions"] = tokens
    out[popularity.columns] = popularity.to_numpy()
    price = pd.to_numeric(foods["ppnap_1718_usd_per_kg"], errors="coerce")
    out["price_per_kg"] = price.round(4)
    out["price_source"] = ["" if math.isnan(p) else f"USDA PP-NAP 2017/18 {c}"
                           for p, c in zip(price, codes, strict=True)]
    out["package_g"] = cat["package_g"]
    out["package_label"] = cat["package_label"]
    out["aisle"] = cat["aisle"]
    reports = nhanes["n_reports"].fillna(0).astype(int)
    out["source"] = [f"USDA FNDDS 2017-2018 {c}; NHANES 2007-2012 {n} reports"
                     for c, n in zip(codes, reports, strict=True)]
    out["curated"] = False
    out["fndds_code"] = codes
    out["wweia_category"] = foods["WWEIA Category number"].astype(int)
    out["wweia_name"] = foods["WWEIA Category description"]
    out["nhanes_reports"] = reports
    report = FnddsReport(
        foods=len(out), by_role={str(k): int(v) for k, v in out["role"].value_counts().items()},
        unsure_flags=sum(r.unsure for r in resolved),
        named_flags=sum(bool(n - r.flags) for r, n in zip(resolved, named, strict=True)),
        no_recipe=sum(code not in book.ingredients for code in codes),
        no_reports=int((reports == 0).sum()), unpriced=int(price.isna().sum()))
    water = pd.to_numeric(src["sr28"]["water_g"], errors="coerce")
    water.index = src["sr28"]["ndb_no"]
    bought = product_columns(out, Recipes(src["recipes"]),
                             load_rules(resources.data_path("products.csv")),
                             {str(k): float(v) for k, v in water.dropna().items()})
    out[bought.columns] = bought
    return out[list(COLUMNS)].reset_index(drop=True), report
