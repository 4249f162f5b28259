"""Clinical rules that are not nutrients: food safety in pregnancy (FDA/USDA), low-mercury
fish and seafood per week (FDA/EPA 2021), caffeine late in the day, and the drinks and sugars
of post-RYGB care (ASMBS). Each rule resolves from the ``[safety]`` keys and the person's life
stage (``resolve``); foods are judged by their FNDDS descriptions and FPED seafood content.

>>> mercury_class("Salmon, baked or broiled, made with oil")
'best'
>>> mercury_class("Swordfish, baked or broiled, fat added")
'avoid'
>>> mercury_class("Tuna, fresh, baked or broiled, fat added")
'unknown'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .schema import Config, Occasion

if TYPE_CHECKING:
    from .plan import Plan

OZ_G = 28.35                   # FPED: one ounce equivalent of seafood is 1 oz cooked
CAFFEINE_TRACE_MG = 10.0       # a late occasion may hold this much (decaf coffee, cocoa)
SEAFOOD_PREGNANCY_G = (227.0, 340.0)
STAGES_FISH = ("pregnancy", "lactation")

ASMBS = "ASMBS integrated health nutritional guidelines (Parrott 2017; Mechanick 2019)"
SOURCES = {
    "pregnancy_food_safety": "FDA/USDA, Food Safety for Pregnant Women and Their Babies (2020); "
                             "FDA, Listeria and pregnancy (2022)",
    "low_mercury_fish": "FDA/EPA, Advice about Eating Fish (2021)",
    "seafood_g_per_week": "FDA/EPA, Advice about Eating Fish (2021): 8-12 oz a week",
    "caffeine_after": "sleep hygiene: no caffeine late in the day (Drake et al., J Clin Sleep "
                      "Med 2013)",
    "sugary_drinks": ASMBS + ": no sugar-sweetened drinks (dumping)",
    "carbonated_drinks": ASMBS + ": no carbonated drinks",
    "added_sugars_g_per_occasion_max": ASMBS + ": small sugar loads per sitting (dumping)",
    "oral_supplement_ug": ASMBS + ": oral B12 350-1000 ug a day (or 1000 ug IM monthly)",
}

_words = "|".join
MERCURY = {   # FDA/EPA 2021 chart; the worst list a description matches decides
    "avoid": _words([r"shark", r"swordfish", r"king mackerel", r"marlin", r"orange roughy",
                     r"tilefish.*gulf", r"bigeye"]),
    "unknown": _words([r"\bfish\b(?! oil)", r"seafood", r"\bmackerel", r"tuna, fresh"]),
    "best": _words([r"anchov", r"atlantic croaker", r"black sea bass", r"butterfish",
                    r"catfish", r"\bclams?\b", r"\bcod\b", r"\bcrab", r"crawfish", r"crayfish",
                    r"flounder", r"haddock", r"\bhake\b", r"herring", r"lobster", r"mullet",
                    r"oyster", r"perch\b", r"pickerel", r"plaice", r"pollock", r"salmon",
                    r"sardine", r"scallop", r"\bshad\b", r"shrimp", r"\bskate\b", r"smelt",
                    r"\bsole\b", r"squid", r"calamari", r"tilapia", r"trout", r"light tuna",
                    r"whitefish", r"whiting"]),
    "good": _words([r"bluefish", r"buffalofish", r"\bcarp\b", r"sea bass", r"toothfish",
                    r"grouper", r"halibut", r"mahi", r"monkfish", r"rockfish", r"sablefish",
                    r"sheepshead", r"snapper", r"striped bass", r"tilefish", r"albacore",
                    r"yellowfin", r"weakfish", r"croaker",
                    r"\btuna\b"]),   # canned tuna: light (best) or albacore (good)
}
UNSAFE_IN_PREGNANCY = {
    "raw or undercooked": r"(?<!from )\braw\b|sushi|sashimi|ceviche|tartare|carpaccio|"
                          r"\brare\b|undercooked|soft[- ]boiled",
    "soft or fresh cheese": r"\bbrie\b|camembert|\bblue\b|\bbleu\b|roquefort|gorgonzola|"
                            r"stilton|queso fresco|queso blanco|queso asadero|panela|\bfeta\b",
    "cold deli meat": r"luncheon|lunch ?meat|cold ?cut|\bbologna|\bsalami|^pepperoni|"
                      r"prosciutto|pastrami|head cheese|club sandwich|"
                      r"(?:ham|turkey|roast beef)\b[^;]*submarine|ham and cheese sandwich",
    "liver": r"\bliver|\bpate\b|\bpâté|foie|giblet|braunschweiger",
}
SMOKED = r"smoked|\blox\b|kippered|\bnova\b"
CARBONATED = r"carbonated|\bsoda\b|soft drink|\bcola\b|sparkling|seltzer|tonic water|" \
             r"ginger ale|root beer|energy drink"


@dataclass(frozen=True)
class SafetyRules:
    """The clinical rules of one configuration, resolved from keys and life stage."""

    pregnancy_food_safety: bool
    low_mercury_fish: bool
    seafood_g_per_week: tuple[float, float] | None
    caffeine_after: str | None
    sugary_drinks: bool
    carbonated_drinks: bool
    added_sugars_g_per_occasion_max: float | None
    oral_supplement_ug: tuple[float, float] | None

    def described(self) -> list[tuple[str, str, str]]:
        """(key, value, source) of each rule that is on, for ``planner check`` and notes."""
        out = []
        for key, value in (
                ("pregnancy_food_safety", self.pregnancy_food_safety),
                ("low_mercury_fish", self.low_mercury_fish),
                ("seafood_g_per_week", self.seafood_g_per_week),
                ("caffeine_after", self.caffeine_after),
                ("sugary_drinks", not self.sugary_drinks),
                ("carbonated_drinks", not self.carbonated_drinks),
                ("added_sugars_g_per_occasion_max", self.added_sugars_g_per_occasion_max),
                ("oral_supplement_ug", self.oral_supplement_ug)):
            if value in (None, False):
                continue
            shown = {"sugary_drinks": "false", "carbonated_drinks": "false"}.get(key)
            if shown is None:
                shown = "true" if value is True else \
                    f"[{value[0]:g}, {value[1]:g}]" if isinstance(value, tuple) else \
                    f'"{value}"' if isinstance(value, str) else f"{value:g}"
            section = "b12" if key == "oral_supplement_ug" else "safety"
            out.append((f"{section}.{key}", shown, SOURCES[key]))
        return out


def resolve(config: Config) -> SafetyRules:
    """The rules in force: keys as set, else by life stage (pregnancy: food safety; pregnancy
    and lactation: low-mercury fish and 227-340 g seafood a week, the minimum only when the
    diet allows fish)."""
    keys, stage = config.safety, config.person.life_stage
    seafood = keys.seafood_g_per_week
    if seafood is None and stage in STAGES_FISH:
        seafood = SEAFOOD_PREGNANCY_G if config.diet.pattern in ("omnivore", "pescatarian") \
            and "fish" not in config.diet.exclude_flags else (0.0, SEAFOOD_PREGNANCY_G[1])
    oral = config.b12.oral_supplement_ug if config.b12.injection_ug <= 0 else None
    return SafetyRules(
        pregnancy_food_safety=keys.pregnancy_food_safety if keys.pregnancy_food_safety
        is not None else stage == "pregnancy",
        low_mercury_fish=keys.low_mercury_fish if keys.low_mercury_fish is not None
        else stage in STAGES_FISH,
        seafood_g_per_week=seafood or None,
        caffeine_after=keys.caffeine_after or None,
        sugary_drinks=keys.sugary_drinks, carbonated_drinks=keys.carbonated_drinks,
        added_sugars_g_per_occasion_max=keys.added_sugars_g_per_occasion_max,
        oral_supplement_ug=oral)


def mercury_class(description: str) -> str:
    """best, good, avoid or unknown: a seafood's FDA/EPA 2021 list by its description (a
    dish naming several species takes the worst; a species not named counts as unknown)."""
    text = description.lower()
    for name in ("avoid", "unknown", "good", "best"):
        if re.search(MERCURY[name], text):
            return name
    return "unknown"


def seafood_per_gram(foods: pd.DataFrame) -> pd.Series:
    """Grams of cooked seafood per gram of each food (FPED ounce equivalents); foods without
    FPED values count their whole weight when their group is fish or shellfish."""
    from .library import load_library

    per_100g = load_library().foods["seafood_oz"]
    code = foods.get("fndds_code", pd.Series("", index=foods.index)).fillna("").astype(str)
    known = code.isin(per_100g.index)
    out = code.map(per_100g).fillna(0.0).astype(float) * OZ_G / 100.0
    whole = ~known & foods["group"].isin(["fish", "shellfish"])
    return out.where(~whole, 1.0)


def unsafe_foods(foods: pd.DataFrame, config: Config) -> dict[str, str]:
    """Foods the resolved rules leave out, each with the reason in words."""
    rules = resolve(config)
    names = foods["name"].astype(str).str.lower()
    seafood = seafood_per_gram(foods) > 0
    animal = foods[["meat", "fish", "shellfish", "egg"]].astype(bool).any(axis=1) | seafood
    out: dict[str, str] = {}

    def leave_out(mask: pd.Series, reason: str) -> None:
        for food in foods.index[mask.to_numpy(dtype=bool)]:
            out.setdefault(str(food), reason)

    if rules.pregnancy_food_safety:
        for reason, pattern in UNSAFE_IN_PREGNANCY.items():
            hit = names.str.contains(pattern, regex=True)
            leave_out(hit & animal if reason == "raw or undercooked" else hit,
                      f"{reason} (pregnancy food safety)")
        leave_out(seafood & names.str.contains(SMOKED, regex=True),
                  "cold-smoked seafood (pregnancy food safety)")
    if rules.low_mercury_fish:
        classes = names.map(mercury_class)
        leave_out(seafood & (classes == "avoid"), "high-mercury fish (FDA/EPA choices to avoid)")
        leave_out(seafood & (classes == "unknown"),
                  "fish of unknown species (not known to be low in mercury)")
    liquid = foods["liquid"].astype(bool)
    if not rules.sugary_drinks:
        added = foods["added_sugars_g"].fillna(0.0).astype(float) > 0
        leave_out(liquid & added, "sugar-sweetened drink")
    if not rules.carbonated_drinks:
        leave_out(liquid & names.str.contains(CARBONATED, regex=True), "carbonated drink")
    return out


def is_late(occasion: Occasion, config: Config) -> bool:
    """Whether the occasion is at or after the caffeine cutoff."""
    cutoff = resolve(config).caffeine_after
    return cutoff is not None and occasion.time >= cutoff


def occasion_caps(occasion: Occasion, config: Config) -> dict[str, float]:
    """Per-occasion caps these rules set, by food-table column: caffeine at late occasions,
    added sugars at every occasion (post-RYGB)."""
    caps = {}
    if is_late(occasion, config):
        caps["caffeine_mg"] = CAFFEINE_TRACE_MG
    most = resolve(config).added_sugars_g_per_occasion_max
    if most is not None:
        caps["added_sugars_g"] = most
    return caps


def check_safety(plan: Plan) -> list[str]:
    """Every [safety] rule re-checked from the plan's foods, grams and tablets."""
    config, foods, items = plan.config, plan.foods, plan.items()
    rules, problems = resolve(config), []
    used = sorted(set(items["food"])) if not items.empty else []
    unsafe = unsafe_foods(foods, config)
    problems += [f"{food}: {unsafe[food]}" for food in used if food in unsafe]
    if not items.empty:
        by_name = {o.name: o for o in config.occasions}
        for (day, name), part in items.groupby(["day", "occasion"]):
            per_100g = foods.loc[part["food"]]
            for column, most in occasion_caps(by_name[str(name)], config).items():
                amount = float((per_100g[column].fillna(0.0).to_numpy() * part["grams"]
                                .to_numpy()).sum()) / 100.0
                if amount > most + 1e-6:
                    problems.append(f"day {day} {name}: {amount:.1f} {column} > {most:g} "
                                    "([safety] rules)")
        seafood = rules.seafood_g_per_week
        if seafood is not None:
            grams = float((seafood_per_gram(foods).reindex(items["food"]).to_numpy()
                           * items["grams"].to_numpy()).sum())
            low, high = (v * config.plan.days / 7 for v in seafood)
            if not low - 0.5 <= grams <= high + 0.5:
                problems.append(f"seafood {grams:.0f} g over the plan, outside "
                                f"[{low:.0f}, {high:.0f}] ([safety] seafood_g_per_week)")
    oral = rules.oral_supplement_ug
    if oral is not None:
        tabs = plan.tablets()
        per_day = tabs.groupby("day")["b12_crystalline_ug"].sum() if not tabs.empty else \
            pd.Series(dtype=float)
        for day in range(1, config.plan.days + 1):
            dose = float(per_day.get(day, 0.0))
            if not oral[0] - 1e-6 <= dose <= oral[1] + 1e-6:
                problems.append(f"day {day}: {dose:g} ug B12 from supplements, outside "
                                f"[{oral[0]:g}, {oral[1]:g}] ([b12] oral_supplement_ug)")
    return problems


def rule_notes(plan: Plan) -> list[str]:
    """One line per clinical rule in force, with its source; foods left out, counted."""
    rules = resolve(plan.config)
    left_out = unsafe_foods(plan.foods, plan.config)
    reasons: dict[str, int] = {}
    for reason in left_out.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    out = [f"Clinical rule {key} = {value} ({source})." for key, value, source in
           rules.described()]
    if reasons:
        out.append("Foods left out by these rules: " + "; ".join(
            f"{count} {reason}" for reason, count in sorted(reasons.items())) + ".")
    return out
