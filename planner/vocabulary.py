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
    "water_g": (0, 100),
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

# Supplement forms, and what in a product comes from animals ("none" when nothing does).
SUPPLEMENT_FORMS = ("tablet", "chewable", "lozenge", "softgel", "capsule", "liquid")
ANIMAL_SOURCES: dict[str, frozenset[str]] = {   # what each diet pattern accepts
    "omnivore": frozenset({"lanolin", "lactose", "fish", "gelatin"}),
    "pescatarian": frozenset({"lanolin", "lactose", "fish"}),
    "lacto-ovo-vegetarian": frozenset({"lanolin", "lactose"}),
    "lacto-vegetarian": frozenset({"lanolin", "lactose"}),
    "vegan": frozenset(),
}

# The model's rule families in words a dietitian uses (JSON keeps the family names).
RULE_WORDS: dict[str, str] = {
    "b12_chord": "absorbed B12 per meal window (intrinsic-factor curve)",
    "b12_subadditive": "absorbed B12 per meal window (each food's own share)",
    "b12_target": "the absorbed B12 target",
    "b12_floor": "the daily floor of absorbed B12",
    "b12_x": "B12 eaten per meal window",
    "budget": "the weekly budget",
    "distinct_meals": "a food at one meal of a day only",
    "energy": "energy per day",
    "energy_max": "the most energy per day",
    "energy_min": "the least energy per day",
    "energy_share_limit": "a nutrient's share of energy (saturated fat, added sugars)",
    "energy_share_max": "a meal's largest share of the day's energy",
    "energy_share_min": "a meal's smallest share of the day's energy",
    "fluids_min": "fluids per day",
    "seafood_g": "seafood per week (FDA/EPA advice)",
    "b12_oral_dose": "B12 from supplements per day (ASMBS)",
    "caffeine_mg_occasion_max": "caffeine late in the day",
    "added_sugars_g_occasion_max": "added sugars at one sitting",
    "water_capacity": "room in the drink sittings for the day's water",
    "foods_per_group": "one food per food group at a meal",
    "foods_per_occasion": "foods per meal",
    "group_max": "the most servings of a food group per day",
    "group_min": "the fewest servings of a food group per day",
    "group_servings": "servings per food group per day (vegetables, fruit, fats)",
    "group_uses": "foods of a group per week (organ meats, fish, meat)",
    "include": "foods that must be in the plan",
    "limit": "an upper limit of a nutrient (UL)",
    "liquids_max": "liquid per meal (portion limits)",
    "meal_protein_min": "protein per meal",
    "need": "a daily nutrient need (RDA or AI)",
    "occasion_groups": "food groups a meal must have",
    "servings_per_day": "servings of one food per day",
    "solids_max": "solid food per meal (portion limits)",
    "sugars_max": "sugars per day",
    "sugars_occasion_max": "sugars per meal",
    "supplement_daily": "tablets to take every day",
    "supplement_limit": "tablets per product and day",
    "supplement_required": "B12 tablets the rules ask for",
    "supplements_apart": "products taken apart (iron and calcium)",
    "template_one": "one usual meal shape per meal (NHANES)",
    "template_role_max": "foods that fit the meal's shape (NHANES)",
    "template_role_min": "every part of the meal's shape (NHANES)",
    "use_max": "a food's largest usual portion",
    "use_min": "a food's smallest usual portion",
    "used_has_servings": "a food counted as eaten has a serving",
}


def rule_words(family: str) -> str:
    """A rule family in plain words (the family name itself when it has none)."""
    return RULE_WORDS.get(family, family.replace("_", " "))
GLASS_ML = 250.0                # a glass of water
