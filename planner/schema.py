"""The schema of constraint files: one dataclass per section, each key with its default,
meaning and parser (the single source of truth for keys and the README's reference table);
the resolved ``Config``; keys of earlier versions and why they went.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .parsers import (
    boolean,
    category_limits,
    category_list,
    choice,
    clock,
    did_you_mean_key,
    dose_points,
    id_pair,
    increasing_numbers,
    integer,
    number,
    optional,
    or_off,
    pair,
    role_sets,
    spec,
    string_list,
    table_of,
    text,
)
from .vocabulary import (
    FLAGS,
    GROUPS,
    OCCASION_TOKENS,
    PATTERNS,
    SUPPLEMENT_FORMS,
)

MAX_OCCASIONS = 16


PROFILES = ("healthy", "elderly", "atrophic-gastritis", "rygb", "rygb-conservative",
            "pernicious-anaemia")


@dataclass(frozen=True)
class PlanSection:
    days: int = spec(7, "days in the plan", integer(1, 28))
    cost_weight: float = spec(1.0, "objective units per currency unit of cost (against "
                              "[meals] typical_weight per tenfold rarer meal)", number(0, 1000))
    stop_after_s: float = spec(0.0, "seconds after which the week search "
                               "stops with the best week found (0: no clock, only its work "
                               "limits, so the same inputs give the same week on any machine; "
                               "--time-limit sets it)", number(0, 3600))
    mip_gap: float = spec(0.05, "a week within this relative gap of the search's bound is "
                          "called optimal (status)", number(0.0, 0.5))
    drink_gap_min: int = spec(0, "minutes every drink occasion keeps from every meal",
                              integer(0, 240))


@dataclass(frozen=True)
class Occasion:
    name: str = spec("", "occasion name (unique), e.g. breakfast", text)
    time: str = spec("", "clock time; occasions are listed in time order", clock)
    kind: str = spec("meal", "meal, snack or drink (drink: liquids only)",
                     choice("meal", "snack", "drink"))
    menu: tuple[str, ...] = spec((), "food `occasions` tokens served here; default: the name "
                                 "if it is a token, else lunch+dinner for meals, snack, drink",
                                 string_list(OCCASION_TOKENS))
    energy_share: tuple[float, float] | None = spec(None, "share of the day's energy",
                                                    optional(pair(0, 1)))
    max_solids_g: float | None = spec(None, "grams of non-liquid food at most",
                                      optional(number(0, 5000)))
    max_liquids_ml: float | None = spec(None, "millilitres of drinks at most (0: none)",
                                        optional(number(0, 5000)))
    max_sugars_g: float | None = spec(None, "grams of sugars at most",
                                      optional(number(0, 500)))
    templates: tuple[str, ...] = spec(
        (), "meals composed from single foods (a table without the meal library): the role "
        "sets allowed here, e.g. [\"cereal+dairy+fruit\", \"bread+protein-food\"]; empty: "
        "the NHANES templates of its kind", role_sets)
    min_protein_g: float | None = spec(None, "grams of protein at least",
                                       optional(number(0, 200)))

    def tokens(self) -> tuple[str, ...]:
        """The food `occasions` tokens this occasion serves."""
        if self.menu:
            return self.menu
        if self.name in OCCASION_TOKENS:
            return (self.name,)
        return {"meal": ("lunch", "dinner"), "snack": ("snack",), "drink": ("drink",)}[self.kind]

    def minutes(self) -> int:
        hours, minutes = self.time.split(":")
        return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class DietSection:
    pattern: str = spec("omnivore", "diet pattern; derived from the food flags",
                        choice(*PATTERNS))
    fortified: bool = spec(True, "may foods with added B12 be used", boolean)
    exclude: tuple[str, ...] = spec((), "food ids never used", string_list())
    exclude_flags: tuple[str, ...] = spec((), "flags never used (allergies), e.g. "
                                          "[\"shellfish\"]", string_list(FLAGS))
    include: tuple[str, ...] = spec((), "food ids used at least once in the plan",
                                    string_list())
    exclude_categories: tuple[int, ...] = spec(
        (), "WWEIA food categories never used (foods.csv wweia_category), e.g. [7102, 7104] "
        "for soft drinks", category_list)


NOT_OVERRIDES = ("fluids_ml_min", "sugars_g_max", "protein_g_per_kg_min")
ADEQUACY_NUTRIENTS = ("protein_g", "fiber_g", "calcium_mg", "iron_mg", "zinc_mg",
                      "magnesium_mg", "potassium_mg", "sodium_mg", "vit_a_rae_ug",
                      "retinol_ug", "vit_c_mg", "vit_d_ug", "folate_dfe_ug", "folic_acid_ug",
                      "thiamin_mg", "choline_mg", "epa_dha_g", "sfa_g", "added_sugars_g",
                      "alcohol_g", "caffeine_mg")


def _amount(what: str, high: float) -> Any:
    return spec(None, what + " (default: the [person]'s reference value, if any)",
                optional(number(0, high)))


@dataclass(frozen=True)
class PersonSection:
    sex: str = spec("female", "female or male (reference values differ)",
                    choice("female", "male"))
    age: int = spec(35, "years; the reference values cover adults 19 and over",
                    integer(19, 110))
    weight_kg: float = spec(65.0, "body weight (protein needs are per kg)", number(30, 300))
    life_stage: str = spec("none", "none, pregnancy or lactation",
                           choice("none", "pregnancy", "lactation"))


@dataclass(frozen=True)
class NutrientsSection:
    energy_kcal: tuple[float, float] = spec((1800.0, 2400.0), "energy per day",
                                            pair(0, 10000))
    fluids_ml_min: float = spec(0.0, "millilitres of drinks per day at least",
                                number(0, 10000))
    sugars_g_max: float = spec(0.0, "total sugars per day at most (0: no limit)",
                               number(0, 1000))
    adequacy: bool = spec(True, "apply the [person]'s daily needs and upper limits "
                          "(planner/data/dri.csv); keys below override single values",
                          boolean)
    skip: tuple[str, ...] = spec((), "nutrients whose needs and limits are not applied, "
                                 "e.g. [\"sodium_mg\"]", string_list(ADEQUACY_NUTRIENTS))
    protein_g_per_kg_min: float | None = _amount("protein per kg of body weight per day at "
                                                 "least", 5)
    protein_g_min: float | None = _amount("protein per day at least, g", 500)
    fiber_g_min: float | None = _amount("fibre per day at least, g", 200)
    calcium_mg_min: float | None = _amount("calcium per day at least, mg", 5000)
    calcium_mg_max: float | None = _amount("calcium per day at most, mg", 10000)
    iron_mg_min: float | None = _amount("iron per day at least, mg", 500)
    iron_mg_max: float | None = _amount("iron per day at most, mg", 1000)
    zinc_mg_min: float | None = _amount("zinc per day at least, mg", 500)
    zinc_mg_max: float | None = _amount("zinc per day at most, mg", 1000)
    magnesium_mg_min: float | None = _amount("magnesium per day at least, mg", 5000)
    magnesium_mg_from_supplements_max: float | None = _amount(
        "magnesium from supplements per day at most, mg", 5000)
    potassium_mg_min: float | None = _amount("potassium per day at least, mg", 20000)
    sodium_mg_max: float | None = _amount("sodium per day at most, mg", 20000)
    vit_a_rae_ug_min: float | None = _amount("vitamin A per day at least, ug RAE", 50000)
    retinol_ug_max: float | None = _amount("preformed vitamin A per day at most, ug", 50000)
    vit_c_mg_min: float | None = _amount("vitamin C per day at least, mg", 10000)
    vit_c_mg_max: float | None = _amount("vitamin C per day at most, mg", 10000)
    vit_d_ug_min: float | None = _amount("vitamin D per day at least, ug", 1000)
    vit_d_ug_max: float | None = _amount("vitamin D per day at most, ug", 1000)
    folate_dfe_ug_min: float | None = _amount("folate per day at least, ug DFE", 10000)
    folic_acid_ug_max: float | None = _amount("folic acid per day at most, ug", 10000)
    thiamin_mg_min: float | None = _amount("thiamin per day at least, mg", 1000)
    choline_mg_min: float | None = _amount("choline per day at least, mg", 10000)
    choline_mg_max: float | None = _amount("choline per day at most, mg", 10000)
    epa_dha_g_min: float | None = _amount("EPA+DHA per day at least, g", 10)
    sfa_g_energy_share_max: float | None = _amount("saturated fat at most this share of "
                                                   "energy, e.g. 0.1", 1)
    added_sugars_g_energy_share_max: float | None = _amount(
        "added sugars at most this share of energy, e.g. 0.1", 1)
    alcohol_g_max: float | None = _amount("alcohol per day at most, g", 500)
    caffeine_mg_max: float | None = _amount("caffeine per day at most, mg", 5000)

    def overrides(self) -> dict[str, float]:
        """The per-nutrient keys set in the file (not protein per kg: that needs a weight)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name.endswith(("_min", "_max")) and f.name not in NOT_OVERRIDES
                and getattr(self, f.name) is not None}


@dataclass(frozen=True)
class SupplementsSection:
    allowed: bool = spec(True, "may the plan add supplements beyond B12 where food cannot "
                         "meet a need within the rules", boolean)
    products: tuple[str, ...] = spec((), "ids from supplements.csv the plan may add; "
                                     "empty = all", string_list())
    daily: dict[str, int] = spec({}, "units taken every day whatever the foods, e.g. "
                                   "{ multivitamin-mineral = 2 } (clinical packs)",
                                   table_of(None, integer(1, 6)))
    apart: tuple[tuple[str, ...], ...] = spec(
        (), "two lists of product ids never taken in the same absorption window, e.g. "
        '[["calcium-citrate-500"], ["iron-65", "multivitamin-mineral"]]', id_pair)
    forms: tuple[str, ...] = spec((), "forms the plan may give (supplements.csv column form); "
                                  "empty = all", string_list(SUPPLEMENT_FORMS))


@dataclass(frozen=True)
class VarietySection:
    group_uses_per_week: dict[str, tuple[float, float]] = spec(
        {}, "foods of a group eaten per week (each use at an occasion counts once), e.g. "
        "{ fish = [2, 14], organ = [0, 1] }", table_of(GROUPS, pair(0, 100)))


@dataclass(frozen=True)
class MealsSection:
    source: str = spec("library", "library: every meal is one people ate, from the NHANES "
                       "2007-12 meal library (a table holding less than half of the library's "
                       "foods adds meals composed by role sets, and the plan says so); "
                       "composed: only meals composed by NHANES role sets from the table's "
                       "foods", choice("library", "composed"))
    min_seen: int = spec(3, "library meals seen at least this many times in NHANES",
                         integer(2, 10000))
    typical_weight: float = spec(1.0, "objective units (currency) per tenfold a meal is "
                                 "rarer than the most common meal of its occasion",
                                 number(0, 1000))
    needs_period: str = spec("week", "week: each need met as the plan's mean (usual intake), "
                             "every day at least daily_floor_share of it; day: every day in "
                             "full. Upper limits and the absorbed B12 target hold every day",
                             choice("week", "day"))
    daily_floor_share: float = spec(0.667, "share of each need every day gives at least "
                                    "(needs_period = \"week\")", number(0, 1))
    repeats_max: int = spec(2, "times one library meal, or one main dish, is eaten per week at "
                            "most", integer(1, 28))
    distinct_breakfasts: int = spec(4, "different breakfasts per 7 days at least",
                                    integer(0, 28))
    distinct_lunches: int = spec(5, "different lunches per 7 days at least", integer(0, 28))
    distinct_dinners: int = spec(5, "different dinners per 7 days at least", integer(0, 28))
    distinct_days: bool = spec(True, "no two days of the plan eat the same meals", boolean)
    dish_once_a_day: bool = spec(True, "the meals of a day (breakfast, lunch, dinner) have "
                                 "main dishes of different kinds (a meal's largest solid food "
                                 "as people ate it; its kind: its WWEIA category), and no food "
                                 "of a dish kind (meat, poultry, fish, eggs, beans, soy foods, "
                                 "mixed dishes, fried potatoes) is in two of them", boolean)
    meat_poultry_meals_min: int = spec(0, "meals per 7 days with at least 1 oz-eq of meat or "
                                       "poultry (FPED 2017-18)", integer(0, 28))
    seafood_meals_min: int = spec(0, "meals per 7 days with at least 1 oz-eq of seafood (FPED "
                                  "2017-18)", integer(0, 28))
    vegetables_cup_min: float = spec(0.0, "vegetables a day at least, in cup-equivalents, as the "
                                     "plan's mean (FPED 2017-18; the Healthy U.S.-Style "
                                     "pattern asks 2.5 at 1,800 kcal)", number(0.0, 10.0))
    fruit_cup_min: float = spec(0.0, "fruit a day at least, in cup-equivalents, as the plan's "
                                "mean (FPED 2017-18; the pattern asks 1.5 at 1,800 kcal)",
                                number(0.0, 10.0))
    category_meals_max: dict[str, int] = spec(
        {}, "meals per 7 days at most that hold a food of a WWEIA category, e.g. { \"6804\" = "
        "3 } for french fries and other fried potatoes (category numbers: planner/data/"
        "wweia.csv)", category_limits)
    leftovers: int = spec(0, "lunches per plan at least that are the previous day's dinner, "
                          "cooked once and eaten twice (labelled leftovers)", integer(0, 27))
    own: str | None = spec(None, "CSV of your own meals (meal, occasion, food, grams), "
                           "relative to the constraint file; they join the library",
                           optional(text))
    own_preference: float = spec(2.0, "objective units (currency) an own meal counts cheaper "
                                 "than a library meal: how strongly the plan eats like you do",
                                 number(0, 1000))
    search_rounds: int = spec(12, "rounds of the week search (work, not seconds: the same "
                              "inputs give the same week on any machine); more rounds find "
                              "better weeks and tighter bounds, each about 1-3 s",
                              integer(0, 200))


@dataclass(frozen=True)
class B12Section:
    target_absorbed_ug: float = spec(1.5, "absorbed B12 per day (not intake)", number(0, 50))
    target_period: str = spec("day", "day: every day meets the target; week: the mean does "
                              "and each day meets daily_floor_ug", choice("day", "week"))
    daily_floor_ug: float = spec(0.75, "absorbed B12 every day at least (week period)",
                                 number(0, 50))
    profile: str = spec("healthy", "absorption profile (see [absorption.profiles])",
                        choice(*PROFILES))
    supplements: str = spec("allowed", "B12 supplements: none, allowed, or required daily",
                            choice("none", "allowed", "required"))
    supplement_products: tuple[str, ...] = spec((), "ids from supplements.csv; empty = all",
                                                string_list())
    injection_ug: float = spec(0.0, "intramuscular B12 dose (external input)",
                               number(0, 10000))
    injection_every_days: int = spec(30, "days between injections", integer(1, 365))
    oral_supplement_ug: tuple[float, float] | None = spec(
        None, "B12 from supplements per day [min, max], ug (post-RYGB, ASMBS 2019: [350, "
        "1000]); not applied when injection_ug > 0 (the intramuscular alternative)",
        optional(pair(0, 100_000)))


@dataclass(frozen=True)
class SafetySection:
    pregnancy_food_safety: bool | None = spec(
        None, "FDA/USDA food safety in pregnancy: no raw or undercooked fish, shellfish, egg "
        "or meat, no soft-ripened or fresh cheese, no cold deli meat or cold-smoked seafood, "
        "no liver (default: on when [person] life_stage = \"pregnancy\")", optional(boolean))
    low_mercury_fish: bool | None = spec(
        None, "seafood only of species on the FDA/EPA 2021 best and good choices lists; an "
        "unknown species counts as not low-mercury (default: on in pregnancy and lactation)",
        optional(boolean))
    seafood_g_per_week: tuple[float, float] | None = spec(
        None, "cooked seafood per 7 days [min, max], grams (FPED ounce equivalents; default "
        "in pregnancy and lactation: [227, 340], the minimum when the diet allows fish)",
        optional(or_off(pair(0, 5000), ())))
    caffeine_after: str | None = spec(
        None, "no caffeine (more than 10 mg) at occasions at or after this time, e.g. "
        "\"16:00\" (sleep)", optional(or_off(clock, "")))
    sugary_drinks: bool = spec(True, "may drinks with added sugars be planned", boolean)
    carbonated_drinks: bool = spec(True, "may carbonated drinks be planned", boolean)
    added_sugars_g_per_occasion_max: float | None = spec(
        None, "added sugars at one occasion at most, g (post-RYGB dumping: 10)",
        optional(number(0, 500)))
    water_ml_min: float | None = spec(
        None, "total water a day from food, drinks and plain water at least, ml (default: "
        "the IOM 2004 Adequate Intake: 2700 women, 3700 men, 3000 pregnancy, 3800 lactation; "
        "0 = off); plain water fills the rest as glasses", optional(number(0, 10_000)))
    drinks_share_max: float = spec(0.4, "an occasion gives at most this share of a day's "
                                   "drinks, plain water included (1 = off)", number(0.1, 1))


@dataclass(frozen=True)
class BudgetSection:
    max_per_week: float = spec(0.0, "food and supplement cost per 7 days at most (0: no "
                               "limit), in the food table's currency", number(0, 1e6))


@dataclass(frozen=True)
class Profile:
    k_if: float = spec(1.0, "intrinsic-factor capacity multiplier", number(0, 1))
    r_food: float = spec(1.0, "food-bound B12 release multiplier", number(0, 1))
    extra_target_ug: float = spec(0.0, "added to the absorbed target per day", number(0, 10))


def _profiles(value: Any) -> dict[str, dict[str, float]]:
    """table of { k_if, r_food, extra_target_ug } by profile"""
    parsed = table_of(PROFILES, lambda item: section_of(Profile, item, "profile"))(value)
    return {name: dataclasses.asdict(p) for name, p in parsed.items()}


@dataclass(frozen=True)
class AbsorptionSection:
    tau_h: float = spec(4.0, "hours after a window opens during which occasions join it",
                        number(0, 24))
    cmax_ug: float = spec(1.5, "intrinsic-factor capacity per window", number(0.1, 10))
    k_ug: float = spec(2.0, "half-saturation dose", number(0.1, 50))
    passive_with_food: float = spec(0.005, "passive fraction when the window has food",
                                    number(0, 0.1))
    passive_fasting: float = spec(0.012, "passive fraction for supplements and energy-free "
                                  "drinks only", number(0, 0.1))
    matrix: dict[str, float] = spec(
        {"meat": 1.0, "poultry": 1.0, "organ": 1.0, "dairy": 1.0, "fish": 0.8,
         "shellfish": 0.8, "egg": 0.6},
        "matrix factor of food-bound B12 by group; groups not listed count 0",
        table_of(GROUPS, number(0, 1.5)))
    profiles: dict[str, dict[str, float]] = spec(
        {"healthy": {"k_if": 1.0, "r_food": 1.0, "extra_target_ug": 0.0},
         "elderly": {"k_if": 1.0, "r_food": 0.5, "extra_target_ug": 0.0},
         "atrophic-gastritis": {"k_if": 0.5, "r_food": 0.2, "extra_target_ug": 0.5},
         "rygb": {"k_if": 0.25, "r_food": 0.2, "extra_target_ug": 0.5},
         "rygb-conservative": {"k_if": 0.0, "r_food": 0.2, "extra_target_ug": 0.5},
         "pernicious-anaemia": {"k_if": 0.0, "r_food": 1.0, "extra_target_ug": 0.5}},
        "k_if, r_food and extra_target_ug per profile", _profiles)
    breakpoints_ug: tuple[float, ...] = spec(
        (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 25.0, 100.0, 1000.0, 10000.0),
        "chord breakpoints of the saturable curve for the optimizer", increasing_numbers)
    injection_retention: tuple[tuple[float, float], ...] = spec(
        ((10.0, 9.7), (100.0, 55.0), (1000.0, 150.0)),
        "intramuscular dose to retained ug (Carmel 2008), interpolated", dose_points)


@dataclass(frozen=True)
class Config:
    """The resolved configuration of one plan."""

    plan: PlanSection = field(default_factory=PlanSection)
    occasions: tuple[Occasion, ...] = ()
    diet: DietSection = field(default_factory=DietSection)
    person: PersonSection = field(default_factory=PersonSection)
    nutrients: NutrientsSection = field(default_factory=NutrientsSection)
    supplements: SupplementsSection = field(default_factory=SupplementsSection)
    variety: VarietySection = field(default_factory=VarietySection)
    meals: MealsSection = field(default_factory=MealsSection)
    b12: B12Section = field(default_factory=B12Section)
    safety: SafetySection = field(default_factory=SafetySection)
    budget: BudgetSection = field(default_factory=BudgetSection)
    absorption: AbsorptionSection = field(default_factory=AbsorptionSection)
    files: tuple[str, ...] = ()

    def profile(self) -> Profile:
        return Profile(**self.absorption.profiles[self.b12.profile])

    def target_ug(self) -> float:
        """Absorbed B12 target per day including the profile's extra loss."""
        return self.b12.target_absorbed_ug + self.profile().extra_target_ug

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict with DESIGN key names (for JSON and `planner check`)."""
        data = plain(dataclasses.asdict(self))
        data.pop("files")
        data["occasions"] = [{k: v for k, v in o.items() if v not in (None, [])}
                             for o in data["occasions"]]
        return data


SECTIONS: dict[str, type] = {
    "plan": PlanSection, "diet": DietSection, "person": PersonSection,
    "nutrients": NutrientsSection, "supplements": SupplementsSection,
    "variety": VarietySection, "meals": MealsSection, "b12": B12Section, "safety": SafetySection,
    "budget": BudgetSection,
    "absorption": AbsorptionSection,
}
TOP_KEYS = ("extends", "occasions", *SECTIONS)
DEFAULT_OCCASIONS = (
    Occasion(name="breakfast", time="08:00", kind="meal", energy_share=(0.2, 0.35)),
    Occasion(name="lunch", time="12:30", kind="meal", energy_share=(0.25, 0.4)),
    Occasion(name="snack", time="16:00", kind="snack", energy_share=(0.0, 0.15)),
    Occasion(name="dinner", time="19:00", kind="meal", energy_share=(0.25, 0.4)),
)


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


WHOLE_MEALS = "meals are whole meals now (library, own or composed by role templates)"
REMOVED_KEYS = {
    "plan.objective": "the objective is cost x plan.cost_weight plus [meals] typical_weight "
                      "per tenfold rarer meal",
    "plan.meal_structure": WHOLE_MEALS,
    "plan.day_menus": "the week search plans every day of the week",
    "plan.week_search": "the week search is column generation with a proven bound",
    "plan.improve_passes": "the week search polishes the week itself",
    "plan.solver": "the week search calls HiGHS directly",
    "plan.time_limit_s": "use plan.stop_after_s (or --time-limit)",
    "occasions.require_groups": WHOLE_MEALS,
    "diet.reference": "name the meals you eat now in [meals] own (a CSV of meal, occasion, "
                      "food, grams)",
    **{f"variety.{key}": WHOLE_MEALS + "; see [meals] dish_once_a_day, meal_repeats_max, "
       "vegetables_cup_min, fruit_cup_min" for key in (
           "max_foods_per_occasion", "max_servings_per_food_per_day",
           "max_foods_per_group_per_occasion", "max_days_per_food_per_week",
           "group_servings_per_day", "repeat_freely", "distinct_meals")},
}
"""Keys of earlier versions (the composed core) that have no effect any more: a constraint
file naming one is refused with the reason; a saved plan's rules drop them (``without_removed``)."""


def without_removed(data: Mapping[str, Any]) -> dict[str, Any]:
    """A raw configuration (a saved plan's ``meta.constraints``) without ``REMOVED_KEYS``."""
    out: dict[str, Any] = {}
    for name, values in data.items():
        if name == "occasions" and isinstance(values, list):
            out[name] = [{k: v for k, v in o.items() if f"occasions.{k}" not in REMOVED_KEYS}
                         if isinstance(o, dict) else o for o in values]
        elif isinstance(values, dict):
            out[name] = {k: v for k, v in values.items() if f"{name}.{k}" not in REMOVED_KEYS}
        else:
            out[name] = values
    return out


def section_of(cls: type, values: Any, where: str) -> Any:
    """Instantiate a schema dataclass from a TOML table, checking every key."""
    if not isinstance(values, dict):
        raise ValueError(f"[{where}] must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    clean = {}
    for key, value in values.items():
        if f"{where}.{key}" in REMOVED_KEYS:
            raise ValueError(f"key {key!r} was removed: {REMOVED_KEYS[f'{where}.{key}']}; "
                             "delete it")
        if key not in fields:
            raise ValueError(f"unknown key {key!r}{did_you_mean_key(key, list(fields))}; "
                             f"allowed: {', '.join(fields)}")
        try:
            clean[key] = fields[key].metadata["parse"](value)
        except ValueError as exc:
            raise ValueError(f"{key} = {shown(value)}: {exc}") from None
    return cls(**clean)


def shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
