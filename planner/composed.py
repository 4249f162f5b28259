"""Meals composed from a food table the meal library does not cover (an SR28 or CIQUAL
import, a table of one's own): NHANES role templates filled with the table's foods.

``data/meal_templates.csv`` (``scripts/build_templates.py``) holds the role sets people ate at
each occasion in the NHANES 2007-2012 recalls (``cereal+dairy`` at breakfast, eaten by at
least 30 people) with their share of meals. An occasion takes its ``TEMPLATES`` most common
sets whose roles the table can fill (a main meal keeps those with a main dish, protein food,
starch, bread or cereal; breakfast also dairy; ``[[occasions]] templates`` replaces them).
Each role is filled by ``FOODS_PER_ROLE`` foods the rules allow there: the role's food
groups in turn (meat, fish, legumes ... for a protein food), each group's foods by popularity
at the occasion (``pop_<occasion>``), then by B12, protein, fibre and calcium per serving in
turn, ties by id; none whose least portion is over ``MOST_LEAST_G``, none named as an
ingredient (``INGREDIENT_WORDS``: flour, dry milk, yeast ...), none with alcohol (the library
leaves alcoholic drinks out). A template's meals combine its roles' foods: each food with the
best of the other roles first, then by the sum of their ranks, ``MEALS_PER_TEMPLATE`` at
most; a meal's rarity is its template's. A food without a ``role`` takes one from its group
(``ROLE_OF_GROUP``). A food the library does not know scales within its servings range, or,
when it is not ``curated`` (an import) or its serving is a bare 100 g, within the NHANES
p10-p90 of the packaged foods of its role (``role_portions``: a condiment 5-45 g, a solid
dairy food such as cheese 14-69 g).

>>> ("cereal", "dairy") in {t.roles for t in templates_of(("breakfast",), "meal", ())}
True
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass

import pandas as pd

from . import resources
from .foods import load_foods
from .library import Library, library_share, load_library
from .schema import Config

LIBRARY_SHARE = 0.5           # a table holding less of the library's foods composes meals
PREFIX = "composed:"          # key of a composed meal: composed:<template>:<food>+<food>...
MEAL_CORE = {"main-dish", "protein-food", "starch", "bread", "cereal"}
BREAKFAST_CORE = MEAL_CORE | {"dairy"}
SHARE_FLOOR = 1e-4            # share given to a template of the user's own
TEMPLATES = 12                # most common templates per occasion the table can fill
FOODS_PER_ROLE = 12           # foods tried in each role of a template
MOST_LEAST_G = {False: 350.0, True: 750.0}   # a food whose least portion (solid, liquid) is
                                             # more than this is left out (SR28's first
                                             # household measure can be "1 roast", 569 g)
MAX_ROLES = 3                 # roles of a template at most
MEALS_PER_TEMPLATE = 64       # meals of one template at most
RANKINGS = ("b12_ug", "protein_g", "fiber_g", "calcium_mg")   # after popularity, per serving
ROLE_OF_GROUP = {"meat": "protein-food", "poultry": "protein-food", "organ": "protein-food",
                 "fish": "protein-food", "shellfish": "protein-food", "egg": "protein-food",
                 "legume": "protein-food", "dairy": "dairy", "fortified": "cereal",
                 "vegetable": "vegetable", "fruit": "fruit", "nut-seed": "snack",
                 "fat-oil": "spread-fat", "beverage": "beverage", "sweet": "sweet",
                 "other": "condiment"}
CEREAL_WORDS = re.compile(r"\b(?:cereal|oat|oats|oatmeal|granola|muesli|porridge|flakes)\b", re.I)
INGREDIENT_WORDS = re.compile(r"\b(?:flours?|starch|powder|powdered|leavening|baking|yeast|"
                              r"dry mix|dehydrated|bouillon|gelatine?|industrial)\b|"
                              r"^(?:milk|whey|eggs?|cream|buttermilk)\b.*\b(?:dry|dried)\b", re.I)
ALCOHOL_WORDS = re.compile(r"\b(?:spirits?|liqueur|wines?|beers?|vodka|whiske?y|rum|gin|brandy|"
                           r"cognac|pastis|aperitif|champagne|sake)\b", re.I)
SPREAD_WORDS = re.compile(r"\b(?:butter|margarine|ghee|lard)\b", re.I)
SWEET_WORDS = re.compile(r"\b(?:ice cream|frozen yogurt|pudding|custard)\b", re.I)
BREAD_WORDS = re.compile(r"\b(?:bread|roll|rolls|bagel|toast|muffin|tortilla|pita|bun|"
                         r"cracker|crackers|biscuit)\b", re.I)
BARE_SERVING = "100 g"        # the serving of a food without a household measure


def composes(foods: pd.DataFrame, config: Config, library: Library) -> bool:
    """Whether meals are composed from the table's foods: asked for (``[meals] source =
    "composed"``), or the table holds less than ``LIBRARY_SHARE`` of the library's foods."""
    return config.meals.source == "composed" or library_share(foods, library) < LIBRARY_SHARE


@dataclass(frozen=True)
class Template:
    """A meal as a set of roles, and how common it is at its occasion (share of meals)."""

    roles: tuple[str, ...]
    share: float

    @property
    def name(self) -> str:
        return "+".join(self.roles)

    def rarity(self) -> float:
        """-log10 of its share: 1 for a meal one in ten people eat, 2 for one in a hundred."""
        return -math.log10(max(self.share, SHARE_FLOOR))


@functools.cache
def nhanes_templates() -> pd.DataFrame:
    """The shipped templates: occasion, roles, meals, share."""
    return pd.read_csv(resources.data_path("meal_templates.csv"))


def parse(roles: str) -> tuple[str, ...]:
    return tuple(sorted({r.strip() for r in roles.split("+") if r.strip()}))


@functools.cache
def templates_of(tokens: tuple[str, ...], kind: str, own: tuple[str, ...]) -> tuple[Template, ...]:
    """The templates an occasion (its food tokens, its kind, its own templates) may take,
    most common first."""
    if own:
        return tuple(Template(parse(t), 1.0 / len(own)) for t in own)
    table = nhanes_templates()
    rows = table[table["occasion"].isin(tokens)]
    best: dict[tuple[str, ...], float] = {}
    for roles, share in zip(rows["roles"], rows["share"], strict=True):
        key = parse(str(roles))
        best[key] = max(best.get(key, 0.0), float(share))
    out = [Template(roles, share) for roles, share in best.items()]
    if kind == "meal":
        core = BREAKFAST_CORE if "breakfast" in tokens else MEAL_CORE
        out = [t for t in out if set(t.roles) & core]
    return tuple(sorted(out, key=lambda t: (-t.share, t.roles)))


def roles_of(foods: pd.DataFrame) -> pd.Series:
    """Each food's role: the table's, else one from its group (grains by their name)."""
    given = foods["role"].fillna("").astype(str).str.strip() if "role" in foods.columns \
        else pd.Series("", index=foods.index)
    names = foods["name"].astype(str)
    inferred = foods["group"].astype(str).map(ROLE_OF_GROUP).fillna("condiment")
    grain = foods["group"].astype(str) == "grain"
    inferred = inferred.where(~grain, names.map(
        lambda n: "cereal" if CEREAL_WORDS.search(n) else "bread" if BREAD_WORDS.search(n)
        else "starch"))
    loose = inferred.isin(["dairy", "condiment"])
    inferred = inferred.where(~(loose & names.str.contains(SPREAD_WORDS)), "spread-fat")
    inferred = inferred.where(~(loose & names.str.contains(SWEET_WORDS)), "sweet")
    drink = foods["liquid"].astype(bool) & ~inferred.isin(["dairy", "beverage"])
    inferred = inferred.where(~drink, "beverage")
    return given.where(given != "", inferred)


def ranked(foods: pd.DataFrame, token: str) -> list[str]:
    """Food ids by popularity at the occasion token, then by each of ``RANKINGS`` per
    serving, taken in turn (round robin), ties by id."""
    serving = foods["serving_g"].astype(float)
    orders = []
    popularity = f"pop_{token}"
    if popularity in foods.columns:
        pop = pd.to_numeric(foods[popularity], errors="coerce").fillna(0.0)
        if (pop > 0).any():
            orders.append(_order(pop[pop > 0]))
    for column in RANKINGS:
        if column in foods.columns:
            amount = pd.to_numeric(foods[column], errors="coerce").fillna(0.0) * serving
            orders.append(_order(amount))
    orders.append(sorted(map(str, foods.index)))
    turns = itertools.chain.from_iterable(itertools.zip_longest(*orders))
    return list(dict.fromkeys(food for food in turns if food is not None))


def _order(values: pd.Series) -> list[str]:
    frame = pd.DataFrame({"food": values.index.astype(str), "value": values.to_numpy()})
    return list(frame.sort_values(["value", "food"], ascending=[False, True],
                                  kind="stable")["food"])


def composed_meals(foods: pd.DataFrame, tokens: tuple[str, ...], kind: str,
                   own_templates: tuple[str, ...]) -> list[tuple[str, float, list[str]]]:
    """The meals of an occasion: (template name, rarity, food ids), from the table's
    ``foods`` the rules allow there."""
    if foods.empty:
        return []
    role = roles_of(foods)
    served = foods["occasions"].fillna("").astype(str).str.split(";") \
        if "occasions" in foods.columns else pd.Series([list(tokens)] * len(foods),
                                                       index=foods.index)
    here = served.map(lambda names: bool(set(names) & set(tokens)))
    least = foods["serving_g"].astype(float) * foods["min_servings"].astype(float)
    here &= least <= foods["liquid"].astype(bool).map(MOST_LEAST_G)
    names = foods["name"].astype(str)
    here &= ~names.str.contains(INGREDIENT_WORDS) & ~names.str.contains(ALCOHOL_WORDS)
    if "alcohol_g" in foods.columns:
        here &= ~(pd.to_numeric(foods["alcohol_g"], errors="coerce").fillna(0.0) > 0.5)
    by_role = {name: role_foods(foods[here & (role == name)], tokens)
               for name in sorted(set(role[here]))}
    out = []
    chosen = [t for t in templates_of(tokens, kind, own_templates)
              if len(t.roles) <= MAX_ROLES and all(r in by_role for r in t.roles)][:TEMPLATES]
    for template in chosen:
        lists = [by_role[r] for r in template.roles]
        for ranks in combinations([len(foods_) for foods_ in lists]):
            out.append((template.name, template.rarity(),
                        [foods_[i] for foods_, i in zip(lists, ranks, strict=True)]))
    return out


def role_foods(members: pd.DataFrame, tokens: tuple[str, ...]) -> list[str]:
    """The ``FOODS_PER_ROLE`` foods of a role: its food groups in turn, each group's foods
    in ``ranked`` order (the groups ordered by their best food)."""
    group_of = dict(zip(map(str, members.index), members["group"].astype(str), strict=True))
    groups: dict[str, list[str]] = {}
    for food in dict.fromkeys(f for token in tokens for f in ranked(members, token)):
        groups.setdefault(group_of[food], []).append(food)
    out: list[str] = []
    for row in itertools.zip_longest(*groups.values()):
        out += [food for food in row if food is not None]
    return out[:FOODS_PER_ROLE]


def combinations(sizes: list[int]) -> list[tuple[int, ...]]:
    """Rank tuples of a template's roles: each food with the others' best first, then by
    the sum of ranks, ``MEALS_PER_TEMPLATE`` at most."""
    star = [tuple(i if r == role else 0 for r in range(len(sizes)))
            for role, size in enumerate(sizes) for i in range(size)]
    rest = sorted(itertools.product(*(range(n) for n in sizes)), key=lambda t: (sum(t), t))
    return list(dict.fromkeys([*star, *rest]))[:MEALS_PER_TEMPLATE]


@functools.cache
def role_portions() -> dict[tuple[str, bool], tuple[float, float, float]]:
    """Per (role, liquid): the median NHANES p10, p50 and p90 grams of the packaged foods of
    that role the meal library knows."""
    foods, library = load_foods(resources.default_foods()), load_library().foods
    code = foods["fndds_code"].fillna("").astype(str)
    known = foods[code.isin(library.index)]
    grams = library.reindex(code[known.index])[["grams_p10", "grams_p50", "grams_p90"]]
    grams.index = known.index
    grams = grams.assign(role=known["role"], liquid=known["liquid"].astype(bool))
    table = grams.groupby(["role", "liquid"])[["grams_p10", "grams_p50", "grams_p90"]].median()
    return {(str(r), bool(liquid)): (float(a), float(b), float(c))
            for (r, liquid), (a, b, c) in zip(table.index, table.to_numpy(), strict=True)}


def portion_ranges(foods: pd.DataFrame) -> pd.DataFrame:
    """Low, high and typical grams of foods the library does not know: their servings
    range, or their role's NHANES range when their serving is a bare 100 g or the food is
    not curated (an import: its first household measure can be "1 cup, diced" of cheese)."""
    serving = foods["serving_g"].astype(float)
    low = serving * foods["min_servings"].astype(float)
    high = serving * foods["max_servings"].astype(float)
    typical = foods["typical_g"].astype(float).fillna(serving) if "typical_g" in foods.columns \
        else serving.copy()
    bare = foods["serving_label"].fillna("").astype(str).str.strip() == BARE_SERVING
    if "curated" in foods.columns:
        bare |= ~foods["curated"].fillna(False).astype(bool)
    portions = role_portions() if bare.any() else {}
    for food, role, liquid in zip(foods.index[bare], roles_of(foods[bare]),
                                  foods.loc[bare, "liquid"].astype(bool), strict=True):
        if (role, liquid) in portions:
            low[food], typical[food], high[food] = portions[(role, liquid)]
    return pd.DataFrame({"low": low, "high": high.clip(lower=low), "typical": typical})
