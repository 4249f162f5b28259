"""Daily nutrient needs and upper limits of a person (planner/data/dri.csv), with the
constraint file's overrides: the targets a plan is built and verified against."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from . import resources
from .schema import Config

KCAL_PER_G = {"sfa_g": 9.0, "added_sugars_g": 4.0}   # energy of a gram, for energy shares
LABELS = {
    "protein_g": ("protein", "g"), "fiber_g": ("fibre", "g"), "calcium_mg": ("calcium", "mg"),
    "iron_mg": ("iron", "mg"), "zinc_mg": ("zinc", "mg"), "magnesium_mg": ("magnesium", "mg"),
    "potassium_mg": ("potassium", "mg"), "sodium_mg": ("sodium", "mg"),
    "vit_a_rae_ug": ("vitamin A", "ug RAE"), "retinol_ug": ("preformed vitamin A (retinol)", "ug"),
    "vit_c_mg": ("vitamin C", "mg"), "vit_d_ug": ("vitamin D", "ug"),
    "folate_dfe_ug": ("folate", "ug DFE"), "folic_acid_ug": ("folic acid", "ug"),
    "thiamin_mg": ("thiamin", "mg"), "choline_mg": ("choline", "mg"),
    "epa_dha_g": ("EPA+DHA", "g"), "sfa_g": ("saturated fat", "g"),
    "added_sugars_g": ("added sugars", "g"), "alcohol_g": ("alcohol", "g"),
    "caffeine_mg": ("caffeine", "mg"),
}
SCOPES = ("total", "per_kg", "supplements", "energy_share")
IODINE_NOTE = ("Iodine is not checked: FNDDS and SR28 give no iodine values. It matters in "
               "pregnancy, lactation and vegan diets (iodised salt or a supplement with "
               "iodine; ask a dietitian).")


@dataclass(frozen=True)
class Target:
    """One daily rule on a nutrient: a need (at least) or a limit (at most)."""

    nutrient: str        # foods.csv column, e.g. calcium_mg
    kind: str            # need | limit
    scope: str           # total | supplements (only what tablets give) | energy_share
    value: float         # per day; a share of energy for scope energy_share
    source: str

    @property
    def key(self) -> str:
        """The [nutrients] key that overrides it."""
        side = "min" if self.kind == "need" else "max"
        middle = {"total": "", "supplements": "_from_supplements",
                  "energy_share": "_energy_share"}[self.scope]
        return f"{self.nutrient}{middle}_{side}"

    @property
    def label(self) -> str:
        return LABELS.get(self.nutrient, (self.nutrient, ""))[0]

    @property
    def unit(self) -> str:
        return "of energy" if self.scope == "energy_share" else \
            LABELS.get(self.nutrient, ("", ""))[1]

    def describe(self) -> str:
        """E.g. 'calcium at least 1000 mg/day' or 'saturated fat at most 10 % of energy'."""
        side = "at least" if self.kind == "need" else "at most"
        where = " from supplements" if self.scope == "supplements" else ""
        if self.scope == "energy_share":
            return f"{self.label} {side} {self.value * 100:g} % of energy"
        return f"{self.label}{where} {side} {self.value:g} {self.unit}/day"


@cache
def reference_rows() -> tuple[dict[str, Any], ...]:
    """The rows of planner/data/dri.csv, numbers parsed."""
    with open(resources.data_path("dri.csv"), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["age_min"], row["age_max"] = int(row["age_min"]), int(row["age_max"])
        row["value"] = float(row["value"])
    return tuple(rows)


def person_targets(config: Config) -> list[Target]:
    """The person's needs and limits from the reference table (a life stage's own row wins
    over the adult row of the same nutrient), protein per kg turned into grams."""
    person = config.person
    rows = [r for r in reference_rows()
            if r["sex"] in (person.sex, "any") and r["age_min"] <= person.age <= r["age_max"]]
    chosen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for stage in ("none", "any", person.life_stage):     # later stages win
        for row in rows:
            if row["life_stage"] == stage:
                chosen[(row["nutrient"], row["kind"], row["scope"])] = row
    out = []
    for (nutrient, kind, scope), row in chosen.items():
        value, source = row["value"], row["source"]
        if scope == "per_kg":
            scope, value = "total", round(value * person.weight_kg, 1)
            source = f"{row['value']:g} g/kg x {person.weight_kg:g} kg; {source}"
        out.append(Target(nutrient, kind, scope, value, source))
    return out


def targets(config: Config, available: set[str] | None = None) -> list[Target]:
    """The plan's daily nutrient rules: the person's, overridden or added by [nutrients]
    keys, less those in [nutrients] skip. ``available``: nutrients the food table has
    values for (others cannot be planned and are left out; see ``unchecked``)."""
    nutrients = config.nutrients
    found = {t.key: t for t in person_targets(config)} if nutrients.adequacy else {}
    per_kg = nutrients.protein_g_per_kg_min
    if per_kg is not None:
        found["protein_g_min"] = Target("protein_g", "need", "total",
                                        round(per_kg * config.person.weight_kg, 1),
                                        f"[nutrients] protein_g_per_kg_min = {per_kg:g}")
    for key, value in nutrients.overrides().items():
        nutrient, kind, scope = parse_key(key)
        found[key] = Target(nutrient, kind, scope, value, f"[nutrients] {key}")
    out = [t for t in found.values() if t.nutrient not in nutrients.skip]
    if available is not None:
        out = [t for t in out if t.nutrient in available]
    order = list(LABELS)
    return sorted(out, key=lambda t: (order.index(t.nutrient), t.kind != "need", t.scope))


def available_nutrients(foods: pd.DataFrame) -> set[str]:
    """Nutrient columns with at least one value in the table (empty = not analysed)."""
    return {n for n in LABELS if n in foods.columns and foods[n].notna().any()}


def unchecked(config: Config, available: set[str]) -> list[str]:
    """Nutrients with a rule that the food table has no values for."""
    return sorted({t.label for t in targets(config) if t.nutrient not in available})


def parse_key(key: str) -> tuple[str, str, str]:
    """'calcium_mg_min' -> (calcium_mg, need, total); '..._from_supplements_max' and
    '..._energy_share_max' name the other scopes."""
    stem, side = key.rsplit("_", 1)
    kind = "need" if side == "min" else "limit"
    for scope, suffix in (("supplements", "_from_supplements"),
                          ("energy_share", "_energy_share")):
        if stem.endswith(suffix):
            return stem[: -len(suffix)], kind, scope
    return stem, kind, "total"


def iodine_matters(config: Config) -> bool:
    """Pregnancy, lactation and vegan diets: where the missing iodine data matters."""
    return config.person.life_stage != "none" or config.diet.pattern == "vegan"
