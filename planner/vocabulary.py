"""The words of a food table: diet flags, groups, occasions, roles, patterns, nutrients.

Kept apart from ``foods.py`` (which needs pandas) so that the command line can describe
itself (``planner --help``) without loading the data stack.
"""

from __future__ import annotations

import re

# Never in a name or label: control characters (CR, LF, ESC, BEL ...; terminal escape
# sequences start with them), bidirectional overrides and zero-width marks.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                                "\u2060-\u2064\u2066-\u2069\ufeff]")

FLAGS = ("meat", "fish", "shellfish", "egg", "dairy", "honey", "gelatin")
GROUPS = ("meat", "poultry", "organ", "fish", "shellfish", "egg", "dairy", "fortified",
          "legume", "grain", "vegetable", "fruit", "nut-seed", "fat-oil", "beverage", "sweet",
          "other")
OCCASION_TOKENS = ("breakfast", "lunch", "dinner", "snack", "drink")
ROLES = ("main-dish", "protein-food", "starch", "vegetable", "fruit", "bread", "cereal", "dairy",
         "spread-fat", "condiment", "sweet", "snack", "beverage", "water")
NUTRIENT_RANGES: dict[str, tuple[float, float]] = {  # per 100 g; empty = not analysed
    "calcium_mg": (0, 10_000), "iron_mg": (0, 1_000), "zinc_mg": (0, 1_000),
    "magnesium_mg": (0, 5_000), "potassium_mg": (0, 20_000), "sodium_mg": (0, 40_000),
    "vit_a_rae_ug": (0, 100_000), "retinol_ug": (0, 100_000), "vit_c_mg": (0, 10_000),
    "vit_d_ug": (0, 1_000), "folate_dfe_ug": (0, 100_000),
    "folic_acid_ug": (0, 100_000), "thiamin_mg": (0, 1_000),
    "choline_mg": (0, 5_000), "sfa_g": (0, 100), "added_sugars_g": (0, 100),
    "epa_dha_g": (0, 100), "alcohol_g": (0, 100), "caffeine_mg": (0, 10_000),
}
NUTRIENTS = tuple(NUTRIENT_RANGES)
POPULARITY = tuple(f"pop_{o}" for o in OCCASION_TOKENS)
PATTERNS: dict[str, frozenset[str]] = {
    "omnivore": frozenset(FLAGS),
    "pescatarian": frozenset({"fish", "shellfish", "egg", "dairy", "honey"}),
    "lacto-ovo-vegetarian": frozenset({"egg", "dairy", "honey"}),
    "lacto-vegetarian": frozenset({"dairy", "honey"}),
    "vegan": frozenset(),
}
