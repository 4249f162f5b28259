#!/usr/bin/env python3
"""Do planned weeks keep the clinical rules? Checked from FNDDS 2017-18, FPED 2017-18 and
SR28 (`../shared/data/fndds`) directly, not from the plan's numbers or the planner's code:
the issue "Safe for the person"'s bars.

Per plan: seafood per week (FPED ounce equivalents x 28.35 g) and its species (FNDDS
descriptions against the FDA/EPA 2021 lists, written out here again); pregnancy food-safety
words; caffeine per day and after the cutoff; total water per day (FNDDS/SR28 water plus the
plan's plain water) and the largest share of a day's drinks at one occasion; B12 from
tablets per day; sugar-sweetened and carbonated drinks; added sugars per occasion and as a
share of energy; retinol per day; supplements' animal sources against the diet.

Usage: python benchmarks/check_clinical.py PLAN.json ... [--data ../shared/data]
(PLAN.json from `planner plan PRESET --format json`.)
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OZ = 28.35
AVOID = r"shark|swordfish|king mackerel|marlin|orange roughy|tilefish.*gulf|bigeye"
UNNAMED = r"\bfish\b(?! oil)|seafood|\bmackerel|tuna, fresh"
LISTED = (r"anchov|croaker|sea bass|butterfish|catfish|\bclams?\b|\bcod\b|\bcrab|crawfish|"
          r"crayfish|flounder|haddock|\bhake\b|herring|lobster|mullet|oyster|perch\b|pickerel|"
          r"plaice|pollock|salmon|sardine|scallop|\bshad\b|shrimp|\bskate\b|smelt|\bsole\b|"
          r"squid|tilapia|trout|whitefish|whiting|bluefish|buffalofish|\bcarp\b|grouper|"
          r"halibut|mahi|monkfish|rockfish|sablefish|sheepshead|snapper|striped bass|"
          r"tilefish|albacore|yellowfin|weakfish|\btuna\b")
RAW = r"(?<!from )\braw\b|sushi|sashimi|ceviche|tartare|carpaccio|\brare\b"
PREGNANCY_WORDS = (r"sushi|sashimi|ceviche|queso fresco|queso blanco|"
                   r"\bfeta\b|\bbrie\b|camembert|\bblue\b|roquefort|luncheon|cold cut|bologna|"
                   r"salami|\bliver|\bpate\b|smoked")
CARBONATED = r"carbonated|\bsoda\b|soft drink|\bcola\b|sparkling|seltzer|tonic|ginger ale"
CAFFEINE_MAX = {"pregnancy": 200.0, "lactation": 200.0, "none": 400.0}
WATER_AI = {"female": 2700.0, "male": 3700.0, "pregnancy": 3000.0, "lactation": 3800.0}
DIET_SOURCES = {"vegan": set(), "lacto-vegetarian": {"lanolin", "lactose"},
                "lacto-ovo-vegetarian": {"lanolin", "lactose"},
                "pescatarian": {"lanolin", "lactose", "fish"},
                "omnivore": {"lanolin", "lactose", "fish", "gelatin"}}


def tables(data: Path) -> pd.DataFrame:
    """Per food id of the packaged table: description, seafood g, added sugars g, caffeine
    mg, water g, retinol ug and energy per 100 g, from the source files."""
    fndds = pd.read_csv(data / "fndds" / "fndds1718_foods_nutrients_prices.csv",
                        dtype={"Food code": str}).set_index("Food code")
    fped = pd.read_csv(data / "fndds" / "fndds1718_fped.csv", encoding="utf-8-sig",
                       dtype={"FOODCODE": str}).set_index("FOODCODE")
    sr28 = pd.read_csv(data / "fndds" / "sr28_nutrients_wide.csv",
                       dtype={"ndb_no": str}).set_index("ndb_no")
    foods = pd.read_csv(ROOT / "foods.csv", dtype=str, keep_default_na=False).set_index("id")
    code = foods["fndds_code"]
    out = pd.DataFrame(index=foods.index)
    out["name"] = code.map(fndds["Main food description"]).fillna(foods["name"])
    seafood = fped[["PF_SEAFD_HI (oz. eq.)", "PF_SEAFD_LOW (oz. eq.)"]].sum(axis=1) * OZ
    out["seafood_g"] = code.map(seafood).fillna(0.0)
    out["added_sugars_g"] = code.map(fped["ADD_SUGARS (tsp. eq.)"] * 4.2).fillna(0.0)
    out["caffeine_mg"] = code.map(fndds["Caffeine (mg)"]).fillna(0.0)
    out["retinol_ug"] = code.map(fndds["Retinol (mcg)"]).fillna(0.0)
    ndb = foods["source"].str.extract(r"^USDA SR28 (\d{5})")[0]
    table_energy = pd.to_numeric(foods["energy_kcal"])   # CIQUAL rows: the table's value
    out["energy_kcal"] = code.map(fndds["Energy (kcal)"]).fillna(
        ndb.map(sr28["energy_kcal"])).fillna(table_energy)
    out["water_g"] = code.map(fndds["Water (g)"]).fillna(ndb.map(sr28["water_g"])).fillna(0.0)
    out["liquid"] = foods["liquid"] == "True"
    animal = fped[["PF_MPS_TOTAL (oz. eq.)", "PF_EGGS (oz. eq.)"]].sum(axis=1) > 0
    out["animal"] = code.map(animal).fillna(False).astype(bool)
    return out


def check(plan: dict[str, Any], foods: pd.DataFrame, supplements: pd.DataFrame) -> dict[str, Any]:
    constraints = plan["meta"]["constraints"]
    person, safety = constraints["person"], constraints.get("safety", {})
    stage = person["life_stage"]
    rows = [{"day": o["day"], "occasion": o["name"], "time": o["time"], "food": i["id"],
             "grams": i["grams"]} for o in plan["occasions"] for i in o["items"]
            if i["kind"] == "food"]
    items = pd.DataFrame(rows)
    per = foods.reindex(items["food"]).reset_index(drop=True)
    amount = per[["seafood_g", "added_sugars_g", "caffeine_mg", "water_g", "retinol_ug",
                  "energy_kcal"]].mul(items["grams"] / 100, axis=0)
    items = pd.concat([items, amount, per[["name", "liquid", "animal"]]], axis=1)
    fish = items[items["seafood_g"] > 0]
    species_bad = fish["name"].str.lower().map(
        lambda n: bool(re.search(AVOID, n) or re.search(UNNAMED, n)
                       or not re.search(LISTED, n)))
    water = {(o["day"], o["name"]): o.get("plain_water_ml", 0.0) for o in plan["occasions"]}
    plain = pd.Series(list(water.values()), index=pd.MultiIndex.from_tuples(
        list(water), names=["day", "occasion"]), dtype=float)
    drinks = items[items["liquid"]].groupby(["day", "occasion"])["grams"].sum() \
        .add(plain, fill_value=0.0)
    share = (drinks / drinks.groupby(level=0).transform("sum")).max()
    total_water = items.groupby("day")["water_g"].sum().add(
        plain.groupby(level="day").sum(), fill_value=0.0)
    cutoff = safety.get("caffeine_after")
    late = items[items["time"] >= cutoff] if cutoff else items.iloc[:0]
    tabs = pd.DataFrame(plan["supplements"])
    b12 = tabs.groupby("day")["b12_ug"].sum() if len(tabs) else pd.Series(dtype=float)
    sources = set()
    for product in (tabs["id"] if len(tabs) else []):
        sources |= set(str(supplements.loc[product, "animal_sources"]).split(";")) - {"none"}
    sugar_share = (items.groupby("day")["added_sugars_g"].sum() * 4
                   / items.groupby("day")["energy_kcal"].sum()).max()
    return {
        "seafood g/week": round(float(items["seafood_g"].sum()) * 7 / len(plan["days"])),
        "fish not low-mercury": int(species_bad.astype(bool).sum()),
        "pregnancy-unsafe foods": int((items["name"].str.lower().str.contains(PREGNANCY_WORDS)
                                       | (items["animal"] & items["name"].str.lower()
                                          .str.contains(RAW))).sum())
        if stage == "pregnancy" else "-",
        "caffeine max mg/day": round(float(items.groupby("day")["caffeine_mg"].sum().max())),
        "caffeine cap": CAFFEINE_MAX[stage],
        "caffeine late max mg": round(float(late.groupby(["day", "occasion"])["caffeine_mg"]
                                            .sum().max()), 1) if len(late) else 0.0,
        "total water min ml/day": round(float(total_water.min())),
        "water AI": WATER_AI[stage if stage != "none" else person["sex"]],
        "largest drinks share": round(float(share), 2),
        "B12 tablets ug/day": f"{b12.min():g}-{b12.max():g}" if len(b12) else "0",
        "sugary/carbonated drinks": int(((items["liquid"] & (items["added_sugars_g"] > 0))
                                         | items["name"].str.lower().str.contains(
                                             CARBONATED)).sum()),
        "added sugars max g/occasion": round(float(items.groupby(["day", "occasion"])
                                                   ["added_sugars_g"].sum().max()), 1),
        "added sugars max share": round(float(sugar_share), 3),
        "retinol max ug/day": round(float(items.groupby("day")["retinol_ug"].sum().max())),
        "supplement sources unfit": sorted(sources - DIET_SOURCES[
            constraints["diet"]["pattern"]]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plans", nargs="+", type=Path)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    foods = tables(args.data)
    supplements = pd.read_csv(ROOT / "supplements.csv", dtype=str).set_index("id")
    for path in args.plans:
        result = check(json.loads(path.read_text(encoding="utf-8")), foods, supplements)
        print(f"{path.stem}: " + "; ".join(f"{k} {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
