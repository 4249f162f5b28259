"""Supplement products: discrete units with their label composition (crystalline B12 and
the nutrients of foods.csv per unit), as a DataFrame indexed by id."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import resources
from .errors import ConfigError
from .program import Array
from .schema import Config
from .table import (
    check_columns,
    check_ids,
    check_text,
    describe_rows,
    parse_numbers,
    raise_problems,
    read_csv_text,
)
from .vocabulary import ANIMAL_SOURCES, SUPPLEMENT_FORMS

ROUTES = ("oral", "sublingual", "chewable")
REQUIRED_COLUMNS = ("id", "name", "b12_ug_per_unit", "route", "units_per_pack",
                    "price_per_pack", "form", "animal_sources")
SOURCES = ("lanolin", "lactose", "fish", "gelatin")
NUTRIENT_RANGES = {  # per unit, named as in foods.csv
    "calcium_mg": 2000.0, "iron_mg": 200.0, "zinc_mg": 100.0, "magnesium_mg": 1000.0,
    "vit_a_rae_ug": 10_000.0, "retinol_ug": 10_000.0, "vit_c_mg": 5000.0, "vit_d_ug": 1250.0,
    "folate_dfe_ug": 5000.0, "folic_acid_ug": 5000.0, "thiamin_mg": 500.0,
    "choline_mg": 3500.0, "epa_dha_g": 5.0,
}
SUPPLEMENT_NUTRIENTS = tuple(NUTRIENT_RANGES)
TEXT_COLUMNS = ("currency", "price_source", "aisle", "composition_source", "life_stages")
LIFE_STAGES = ("none", "pregnancy", "lactation")
OPTIONAL_COLUMNS = (*TEXT_COLUMNS, *SUPPLEMENT_NUTRIENTS)
NUMERIC_RANGES = {"b12_ug_per_unit": (0.0, 5000.0), "units_per_pack": (1.0, 10_000.0),
                  "price_per_pack": (0.0, 10_000.0),
                  **{n: (0.0, high) for n, high in NUTRIENT_RANGES.items()}}


def load_supplements(path: Path | str | None = None) -> pd.DataFrame:
    """Load and check a supplement table; the packaged ``supplements.csv`` by default."""
    path = Path(path) if path is not None else resources.default_supplements()
    frame = read_csv_text(path)
    problems = check_columns(frame, path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    raise_problems(path, problems, "supplement table")
    defaults = {"currency": "USD", "price_source": "", "aisle": "pharmacy",
                "composition_source": "", "life_stages": "",
                **{n: "0" for n in SUPPLEMENT_NUTRIENTS}}
    for column, default in defaults.items():
        if column not in frame.columns:
            frame[column] = default
        frame[column] = frame[column].where(frame[column].str.strip() != "", default)
    table = pd.DataFrame({"id": frame["id"].str.strip(), "name": frame["name"].str.strip()})
    problems = check_ids(frame, path)
    problems += check_text(frame, ("name", *TEXT_COLUMNS), path)
    for column, (low, high) in NUMERIC_RANGES.items():
        table[column], found = parse_numbers(frame, column, path, low, high)
        problems += found
    table["route"] = frame["route"].str.strip().str.lower()
    bad_route = ~table["route"].isin(ROUTES)
    if bad_route.any():
        problems.append(f"{path}: route must be one of {', '.join(ROUTES)} at "
                        f"{describe_rows(frame, bad_route)} (injections are not eaten: "
                        "set b12.injection_ug in the constraints instead)")
    whole = table["units_per_pack"] % 1 != 0
    if whole.any():
        problems.append(f"{path}: units_per_pack must be a whole number at "
                        f"{describe_rows(frame, whole)}")
    empty = table[["b12_ug_per_unit", *SUPPLEMENT_NUTRIENTS]].fillna(0).sum(axis=1) <= 0
    if empty.any():
        problems.append(f"{path}: a product must contain something (b12_ug_per_unit or a "
                        f"nutrient column above 0) at {describe_rows(frame, empty)}")
    for column in TEXT_COLUMNS:
        table[column] = frame[column].str.strip()
    problems += _check_form_and_sources(frame, table, path)
    stages = table["life_stages"].str.replace(" ", "").str.split(";")
    odd = stages.map(lambda items: any(i and i not in LIFE_STAGES for i in items))
    if odd.any():
        problems.append(f"{path}: life_stages must list {', '.join(LIFE_STAGES)} separated by "
                        f"';' (empty: anyone) at {describe_rows(frame, odd)}")
    raise_problems(path, problems, "supplement table")
    return table.set_index("id", drop=False).rename_axis(None)


def _check_form_and_sources(frame: pd.DataFrame, table: pd.DataFrame, path: Path
                            ) -> list[str]:
    """Every product names its form and what in it comes from animals (diets and
    post-RYGB forms depend on them)."""
    problems = []
    table["form"] = frame["form"].str.strip().str.lower()
    bad = ~table["form"].isin(SUPPLEMENT_FORMS)
    if bad.any():
        problems.append(f"{path}: form must be one of {', '.join(SUPPLEMENT_FORMS)} at "
                        f"{describe_rows(frame, bad)}")
    table["animal_sources"] = frame["animal_sources"].str.strip().str.lower() \
        .str.replace(" ", "")
    parts = table["animal_sources"].str.split(";")
    odd = parts.map(lambda items: items != ["none"] and any(i not in SOURCES for i in items))
    if odd.any():
        problems.append(f"{path}: animal_sources must be none or list {', '.join(SOURCES)} "
                        f"separated by ';' at {describe_rows(frame, odd)}")
    return problems


def fits_diet(supplements: pd.DataFrame, pattern: str) -> Array:
    """Whether each product suits the diet pattern: every animal source it holds (gelatin
    capsules, lanolin vitamin D3, fish oil, lactose) is one the pattern accepts."""
    accepted = ANIMAL_SOURCES[pattern]
    sources = supplements["animal_sources"].fillna("none").astype(str).str.split(";")
    return sources.map(lambda items: all(i == "none" or i in accepted for i in items)) \
        .to_numpy(dtype=bool)


def check_daily_fits(config: Config, supplements: pd.DataFrame, source: str) -> None:
    """A clinical pack ([supplements] daily) may not hold a product unfit for the diet or of
    a form the configuration leaves out."""
    daily = supplements.loc[supplements.index.isin(list(config.supplements.daily))]
    unfit = daily.index[~fits_diet(daily, config.diet.pattern)]
    if len(unfit):
        raise ConfigError(f"{source}: [supplements] daily gives {', '.join(unfit)}, not "
                          f"suitable for diet {config.diet.pattern!r} (animal_sources: "
                          f"{', '.join(daily.loc[unfit, 'animal_sources'])})",
                          "choose a product the diet allows (supplements.csv, "
                          "column animal_sources)")
    forms = config.supplements.forms
    odd = list(daily.index[~daily["form"].isin(forms)]) if forms else []
    if len(odd):
        raise ConfigError(f"{source}: [supplements] daily gives {', '.join(odd)}, of a form "
                          f"[supplements] forms leaves out", "add its form or change the pack")


def allowed_products(supplements: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The products a plan may use: B12 ones as [b12] allows, others as [supplements]
    allows (for the person's life stage), and the daily ones of a clinical pack always."""
    if supplements.empty:
        return supplements
    ids = supplements.index
    b12 = (supplements["b12_ug_per_unit"] > 0).to_numpy()
    other = other_nutrients(supplements)
    rules, policy = config.supplements, config.b12
    keep = ~b12 | (policy.supplements != "none")
    if policy.supplement_products:
        keep &= ~b12 | ids.isin(policy.supplement_products) | other
    if not rules.allowed:
        keep &= ~other
    if rules.products:
        keep &= ~other | ids.isin(rules.products) | ids.isin(policy.supplement_products)
    keep &= for_life_stage(supplements, config.person.life_stage)
    keep &= fits_diet(supplements, config.diet.pattern)
    if rules.forms:
        keep &= supplements["form"].isin(rules.forms).to_numpy()
    keep |= ids.isin(list(rules.daily))
    return supplements[keep]


def for_life_stage(supplements: pd.DataFrame, stage: str) -> Array:
    """Whether each product is meant for this life stage (column life_stages; empty: all)."""
    if "life_stages" not in supplements.columns:
        return np.ones(len(supplements), dtype=bool)
    stages = supplements["life_stages"].fillna("").str.replace(" ", "")
    return ((stages == "") | (";" + stages + ";").str.contains(f";{stage};",
                                                              regex=False)).to_numpy()


def other_nutrients(supplements: pd.DataFrame) -> Array:
    """Whether each product gives a nutrient besides B12."""
    columns = [c for c in SUPPLEMENT_NUTRIENTS if c in supplements.columns]
    return (supplements[columns].fillna(0.0) > 0).any(axis=1).to_numpy(dtype=bool)
