#!/usr/bin/env python3
"""Build the default ``foods.csv``: USDA FNDDS 2017-2018 foods as eaten, plus a few curated rows.

FNDDS rows (``planner.fndds``): every food reported at least ``MIN_REPORTS`` times in the
NHANES 2007-2012 recalls and priced by PP-NAP 2017/18, in the WWEIA categories a meal plan
uses (no infant foods, alcohol, protein powders or uncategorised items), plus the B12 sources
the planner needs (fortified foods, organ meats, fish, shellfish, eggs, milk and meat
substitutes) when priced and reported at least ``MIN_B12_REPORTS`` times.

Curated rows cover products FNDDS lacks (fortified oat drink, soy yogurt, nutritional yeast and
plant spread; tofu, tempeh, natto; nori and spirulina, whose "B12" is analogue). The selection
file names, for each food, its source row (``sr:NDB`` for USDA SR28,
``ciqual:CODE`` for CIQUAL 2020), a serving (``sr:MEASURE[*FACTOR]`` from the SR28
household weights, or ``g:GRAMS:LABEL``), diet flags, occasions, a PP-NAP 2017/18 food
code for the price, a package and an aisle. Optional columns cite a single B12 value
(``nevo:CODE`` from NEVO 2023 for a fortified product, ``label:UG`` for a label value
documented in the science notes) and an SR28 row for sugars and fibre where CIQUAL has none.

Usage: python scripts/build_foods.py [--data ../shared/data] [--out foods.csv]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from planner.fndds import categories, fndds_table
from planner.foods import COLUMNS as TABLE_COLUMNS
from planner.foods import NUTRIENTS as NEW_NUTRIENTS
from planner.foods import POPULARITY
from planner.output import write_output
from planner.products import COLUMNS as PRODUCT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
MIN_REPORTS = 100       # foods eaten this often in NHANES 2007-2012 (73 % of all reports)
MIN_B12_REPORTS = 10    # B12 sources need fewer reports to be kept
B12_CATEGORIES = {1404, 2010, 2402, 2404, 2502, 2806}  # milk substitutes, organ meats, fish,
#                                                        shellfish, eggs, soy products
SR28_WIDE = {  # planner column -> sr28_nutrients_wide.csv column
    "calcium_mg": "calcium_mg", "iron_mg": "iron_mg", "zinc_mg": "zinc_mg",
    "magnesium_mg": "magnesium_mg", "potassium_mg": "potassium_mg", "sodium_mg": "sodium_mg",
    "vit_a_rae_ug": "vit_a_rae_ug", "vit_c_mg": "vit_c_mg", "vit_d_ug": "vit_d_ug",
    "folate_dfe_ug": "folate_dfe_ug", "folic_acid_ug": "folic_acid_ug",
    "thiamin_mg": "thiamin_mg", "choline_mg": "choline_mg",
    "sfa_g": "sfa_g", "water_g": "water_g",
}
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SELECTION = ROOT / "data" / "foods_selection.csv"

FLAGS = ["meat", "fish", "shellfish", "egg", "dairy", "honey", "gelatin"]
NUTRIENTS = ["energy_kcal", "protein_g", "fat_g", "carbohydrate_g", "sugars_g", "fiber_g"]
OCCASION_CODES = {"B": "breakfast", "L": "lunch", "D": "dinner", "S": "snack", "K": "drink"}


class BuildError(Exception):
    """A selection row cannot be resolved against the source tables."""


def load_sources(data: Path) -> dict[str, pd.DataFrame]:
    """Read the four source tables, keyed by id as strings."""
    sr = pd.read_csv(data / "usda_sr_legacy_b12.csv", dtype={"ndb_no": str}).set_index("ndb_no")
    portions = pd.read_csv(data / "usda_sr_legacy_portions.csv", dtype={"ndb_no": str})
    ciqual = pd.read_csv(data / "ciqual_b12.csv", dtype={"alim_code": str}).set_index("alim_code")
    nevo = pd.read_csv(data / "nevo2023_b12.csv", dtype={"nevo_code": str}).set_index("nevo_code")
    prices = pd.read_csv(data / "usda_ppnap_prices.csv", dtype=str)
    prices = prices[prices["year"] == "2017/2018"].set_index("food_code")
    wide = pd.read_csv(data / "fndds" / "sr28_nutrients_wide.csv",
                       dtype={"ndb_no": str}).set_index("ndb_no")
    return {"sr": sr, "portions": portions, "ciqual": ciqual, "nevo": nevo, "prices": prices,
            "wide": wide}


def more_nutrients(sel: pd.Series, src: dict[str, pd.DataFrame]) -> dict:
    """Minerals, vitamins and fats of an SR28 row (empty = not analysed or not an SR28 row)."""
    table, _, code = str(sel["source"]).partition(":")
    values: dict = {n: "" for n in NEW_NUTRIENTS}
    if table != "sr" or code not in src["wide"].index:
        return values
    row = src["wide"].loc[code]
    for column, source in SR28_WIDE.items():
        number = _num(row[source])
        values[column] = "" if number is None else number
    epa, dha = _num(row["epa_20_5_n3_g"]), _num(row["dha_22_6_n3_g"])
    if epa is not None and dha is not None:
        values["epa_dha_g"] = round(epa + dha, 3)
    return values


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return float(str(value))


def nutrients_from_source(sel: pd.Series, src: dict[str, pd.DataFrame]) -> tuple[dict, str]:
    """Nutrients per 100 g and the source label for one selection row."""
    table, _, code = str(sel["source"]).partition(":")
    if table == "sr":
        if code not in src["sr"].index:
            raise BuildError(f"{sel['id']}: SR28 NDB {code} not found")
        row = src["sr"].loc[code]
        values = {k: _num(row[k]) for k in [*NUTRIENTS, "b12_ug", "b12_added_ug"]}
        return values, f"USDA SR28 {code}"
    if table == "ciqual":
        if code not in src["ciqual"].index:
            raise BuildError(f"{sel['id']}: CIQUAL code {code} not found")
        row = src["ciqual"].loc[code]
        values = {k: _num(row.get(k)) for k in [*NUTRIENTS, "b12_ug"]}
        values["b12_added_ug"] = None
        return values, f"CIQUAL 2020 {code} (Anses. 2020. Ciqual French food composition table.)"
    raise BuildError(f"{sel['id']}: unknown source {sel['source']!r}")


def apply_b12_source(sel: pd.Series, values: dict, src: dict[str, pd.DataFrame]) -> str:
    """Replace B12 with a cited single value (fortified product); return the citation."""
    spec = sel.get("b12_source")
    if not isinstance(spec, str) or not spec:
        return ""
    kind, _, code = spec.partition(":")
    if kind == "nevo":
        row = src["nevo"].loc[code]
        if int(row["b12_fortified"]) != 1:
            raise BuildError(f"{sel['id']}: NEVO {code} is not B12-fortified")
        values["b12_ug"] = values["b12_added_ug"] = float(row["b12_ug"])
        return f"; B12 from NEVO-online 2023/8.0 {code} ({row['description']})"
    if kind == "label":
        values["b12_ug"] = values["b12_added_ug"] = float(code)
        return f"; B12 {code} ug/100 g label value (B12_SCIENCE.md section 7.1)"
    raise BuildError(f"{sel['id']}: unknown b12_source {spec!r}")


def fill_sugars_fiber(sel: pd.Series, values: dict, src: dict[str, pd.DataFrame]) -> str:
    """Fill missing sugars and fibre: zero when there is no carbohydrate, else from an SR28 row."""
    note = ""
    fill = sel.get("fill_from")
    for key in ("sugars_g", "fiber_g"):
        if values[key] is not None:
            continue
        if values["carbohydrate_g"] == 0:
            values[key] = 0.0
        elif isinstance(fill, str) and fill.startswith("sr:"):
            values[key] = _num(src["sr"].loc[fill[3:], key])
            note = f"; sugars/fibre from USDA SR28 {fill[3:]}"
    return note


def serving(sel: pd.Series, src: dict[str, pd.DataFrame]) -> tuple[float, str]:
    """Serving grams and household label from the SR28 weights or the selection."""
    spec = str(sel["serving"])
    if spec.startswith("g:"):
        _, grams, label = spec.split(":", 2)
        return float(grams), label
    measure, _, factor_text = spec[3:].partition("*")
    factor = float(factor_text) if factor_text else 1.0
    ndb = str(sel["source"]).partition(":")[2]
    rows = src["portions"][src["portions"]["ndb_no"] == ndb].sort_values("seq")
    hits = rows[rows["measure"].str.lower().str.startswith(measure.lower())]
    if hits.empty:
        known = "; ".join(f"{r.amount:g} {r.measure}" for r in rows.itertuples())
        raise BuildError(f"{sel['id']}: no SR28 measure {measure!r} for {ndb} (has: {known})")
    hit = hits.iloc[0]
    amount = float(hit["amount"]) * factor
    grams = round(float(hit["grams"]) * factor, 1)
    return grams, f"{_fraction(amount)} {hit['measure']}"


def _fraction(amount: float) -> str:
    whole, part = divmod(amount, 1.0)
    for value, text in ((0.25, "1/4"), (1 / 3, "1/3"), (0.5, "1/2"), (0.625, "5/8"),
                        (2 / 3, "2/3"), (0.75, "3/4")):
        if abs(part - value) < 0.02:
            return f"{int(whole)} {text}" if whole else text
    return f"{amount:g}"


def price(sel: pd.Series, src: dict[str, pd.DataFrame]) -> tuple[float, str]:
    code = str(sel["price_code"])
    if code not in src["prices"].index:
        raise BuildError(f"{sel['id']}: PP-NAP 2017/18 food code {code} not found")
    row = src["prices"].loc[code]
    note = sel.get("price_note")
    text = f"USDA PP-NAP 2017/18 {code} USD ({row['food_description'][:60]})"
    if isinstance(note, str) and note:
        text += f" [{note}]"
    return round(float(row["price_usd_per_kg"]), 4), text


def build_row(sel: pd.Series, src: dict[str, pd.DataFrame]) -> dict:
    values, source = nutrients_from_source(sel, src)
    source += apply_b12_source(sel, values, src)
    source += fill_sugars_fiber(sel, values, src)
    if values["b12_ug"] is None:
        raise BuildError(f"{sel['id']}: source gives no B12 value; cite one with b12_source")
    if values["b12_added_ug"] is None:
        values["b12_added_ug"] = 0.0
    missing = [k for k in NUTRIENTS if values[k] is None]
    if missing:
        raise BuildError(f"{sel['id']}: missing {missing}; add fill_from")
    grams, label = serving(sel, src)
    price_per_kg, price_source = price(sel, src)
    flags = set(str(sel["flags"]).split(";")) if isinstance(sel["flags"], str) else set()
    unknown = flags - set(FLAGS)
    if unknown:
        raise BuildError(f"{sel['id']}: unknown flags {sorted(unknown)}")
    matrix = _num(sel.get("b12_matrix"))
    return {
        "id": sel["id"], "name": sel["name"], "group": sel["group"],
        **{f: f in flags for f in FLAGS},
        **{k: values[k] for k in NUTRIENTS},
        "b12_ug": values["b12_ug"], "b12_added_ug": values["b12_added_ug"],
        "b12_matrix": "" if matrix is None else matrix,
        "serving_g": grams, "serving_label": label,
        "min_servings": int(sel["min_servings"]), "max_servings": int(sel["max_servings"]),
        "liquid": _num(sel.get("liquid")) == 1,
        "occasions": ";".join(OCCASION_CODES[c] for c in str(sel["occasions"])),
        "price_per_kg": price_per_kg, "price_source": price_source,
        "package_g": float(sel["package_g"]), "package_label": sel["package_label"],
        "aisle": sel["aisle"], "source": source, "curated": True,
        "role": sel["role"], "family": sel["id"], "typical_g": grams, **{p: "" for p in POPULARITY},
        **more_nutrients(sel, src), "fndds_code": "", "wweia_category": "", "wweia_name": "",
        "nhanes_reports": "", **{c: "" for c in PRODUCT_COLUMNS},
    }


def fndds_rows(data: Path, with_library: bool = False) -> pd.DataFrame:
    """The FNDDS foods of the default table (see the module docstring); with the library,
    also every food of the shipped meal library (unpriced ones at their category's median
    price, marked as a proxy)."""
    table, _ = fndds_table(data / "fndds")
    usable = table["wweia_category"].map(categories()["default_table"]).astype(bool)
    priced = table["price_per_kg"].notna()
    common = table["nhanes_reports"] >= MIN_REPORTS
    b12_source = (table["b12_added_ug"] > 0) | table["wweia_category"].isin(B12_CATEGORIES)
    chosen = usable & priced & (common | (b12_source
                                          & (table["nhanes_reports"] >= MIN_B12_REPORTS)))
    if with_library:
        chosen |= table["fndds_code"].isin(library_codes())
        proxy_prices(table)
    rows = table[chosen].copy()
    rows["curated"] = True
    return rows


def library_codes() -> set[str]:
    """FNDDS codes of every food of the shipped meal library (``scripts/build_meals.py``)."""
    items = pd.read_csv(ROOT / "planner" / "data" / "meal_items.csv", dtype=str)
    return set(items["fndds_code"])


def proxy_prices(table: pd.DataFrame) -> None:
    """A food without a PP-NAP price takes the median price of its WWEIA category (of the
    priced FNDDS foods), marked as a proxy; a category without any stays unpriced."""
    price = table["price_per_kg"]
    median = price.groupby(table["wweia_category"]).median()
    missing = price.isna() & table["wweia_category"].map(median).notna()
    table.loc[missing, "price_per_kg"] = table.loc[missing, "wweia_category"].map(median) \
        .round(4)
    table.loc[missing, "price_source"] = [
        f"[proxy: median of WWEIA category {int(c)}, USDA PP-NAP 2017/18]"
        for c in table.loc[missing, "wweia_category"]]


def build(data: Path, selection: Path = SELECTION, with_library: bool = False) -> pd.DataFrame:
    """Return the default food table as a DataFrame in ``foods.csv`` column order."""
    src = load_sources(data)
    sel = pd.read_csv(selection, dtype=str)
    curated = pd.DataFrame([build_row(row, src) for _, row in sel.iterrows()],
                           columns=list(TABLE_COLUMNS))
    fndds = fndds_rows(data, with_library)
    clash = sorted(set(curated["id"]) & set(fndds["id"]))
    if clash:
        raise BuildError(f"curated ids also in FNDDS: {clash}")
    return pd.concat([fndds[list(TABLE_COLUMNS)], curated], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "foods.csv")
    parser.add_argument("--without-library", action="store_true",
                        help="leave out the meal library's foods that the default selection "
                        "does not hold (a smaller table; plans then add meals composed by "
                        "NHANES role sets)")
    args = parser.parse_args(argv)
    try:
        table = build(args.data, with_library=not args.without_library)
    except BuildError as exc:
        print(f"build_foods: {exc}", file=sys.stderr)
        return 1
    write_output(args.out, table.to_csv(index=False, lineterminator="\n"))
    print(f"wrote {len(table)} foods to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
