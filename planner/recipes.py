"""Diet flags and B12 matrix factors of dishes from their recipes (ingredients, not words).

An FNDDS dish lists its ingredients as SR28 foods (NDB numbers) or as other FNDDS dishes
(sub-recipes, resolved recursively). A leaf ingredient gets its flags from its SR28 food
group (beef, poultry, fish, dairy and egg products ...) and from what its description names
(butter, whey, honey, gelatin ...). Where a leaf cannot tell (a commercial bread, a candy, a
restaurant dish) it "may contain" what such foods often hold, so a vegan or vegetarian plan
never gets it. The matrix factor of a dish is the mix of its ingredients' factors weighted by
the food-bound B12 each brings (meat, poultry, organ, dairy 1.0; fish, shellfish 0.8;
egg 0.6; plant foods 0: their "B12" is inactive analogue).

>>> sorted(leaf_flags("Butter, salted", "Dairy and Egg Products", 215.0)[0])
['dairy']
>>> sorted(leaf_flags("Peanut butter, smooth style", "Legumes and Legume Products", 0.0)[0])
[]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

FLAGS = ("meat", "fish", "shellfish", "egg", "dairy", "honey", "gelatin")
MATRIX = {"organ": 1.0, "meat": 1.0, "dairy": 1.0, "fish": 0.8, "shellfish": 0.8, "egg": 0.6}
ANIMAL_B12_FLAGS = ("meat", "dairy", "fish", "shellfish", "egg")

MEAT_GROUPS = {"Beef Products", "Pork Products", "Lamb, Veal, and Game Products",
               "Poultry Products", "Sausages and Luncheon Meats"}
PLANT_GROUPS = {"Vegetables and Vegetable Products", "Fruits and Fruit Juices",
                "Legumes and Legume Products", "Nut and Seed Products",
                "Cereal Grains and Pasta", "Spices and Herbs", "Fats and Oils", "Beverages",
                "Breakfast Cereals"}
# Everything else (baked products, sweets, snacks, soups and sauces, fast foods, meals,
# restaurant and baby foods, unknown ingredients) is "mixed": it may hold milk, egg, honey.

WORDS = {
    "meat": r"\b(beef|pork|ham|hams|bacon|lard|chicken|turkey|sausages?|salami|pepperoni|"
            r"bologna|frankfurters?|hot ?dogs?|veal|lamb|mutton|goat|venison|bison|duck|goose|"
            r"meats?|meatballs?|broth|bouillon|gravy|tallow|suet|liver|livers|chorizo|"
            r"prosciutto|pastrami|jerky|giblets|liverwurst|pemmican)\b",
    "fish": r"\b(fish|tuna|salmon|cod|anchov\w*|sardines?|herring|mackerel|trout|tilapia|"
            r"catfish|halibut|flounder|haddock|pollock|perch|snapper|swordfish|whitefish|"
            r"surimi|caviar|roe|worcestershire|caesar)\b",
    "shellfish": r"\b(shrimps?|prawns?|crabs?|crabmeat|lobsters?|clams?|oysters?|mussels?|"
                 r"scallops?|crayfish|crawfish|squid|calamari|octopus|shellfish)\b",
    "egg": r"\b(eggs?|egg white|yolks?|eggnog|mayonnaise|mayo|meringue|custard)\b",
    "dairy": r"\b(milk|milks|cheeses?|cheddar|mozzarella|parmesan|ricotta|butter|buttermilk|"
             r"cream|creamer|creamy|yogurts?|yoghurt|whey|casein|caseinate|ghee|kefir|lactose|"
             r"curds?|margarine|alfredo|queso)\b",
    "honey": r"\bhoney\b",
    "gelatin": r"(gelatin|marshmallow|gumm(y|ies)|jell-?o\b|jello|fruit snacks)",
}
MEAT_FREE = r"\b(meatless|vegetarian|vegan|veggie|meat substitute|imitation bacon)\b"
ANALOGUE = r"(" + WORDS["meat"] + r"|\b(burgers?|patt(y|ies)|meatloaf|fillets?|" \
    r"nuggets?|crumbles?|substitutes?)\b)"
NOT_ANIMAL = {  # phrases whose animal-sounding word is not what it sounds like
    "meat": r"\b(vegetable broth|vegetable stock|mushroom gravy)\b",
    "dairy": r"\b((peanut|almond|cashew|nut|apple|cocoa|shea|seed|sesame|sunflower|soy|"
             r"hazelnut) butters?|butternut|butterhead|butter beans?|coconut (milk|cream)|"
             r"soy ?milk|soymilk|almond (milk|beverage)|rice (milk|beverage)|oat milk|"
             r"cream of tartar|milk substitute|coconut beverage|cream soda|creamy peanut)\b",
    "egg": r"\beggplant\b",
    "fish": r"\b(cod liver oil capsule)\b",
}
CHOLESTEROL_ANIMAL_MG = 1.0   # per 100 g: animal fat, egg or meat is present
MAYBE = {  # what a leaf of a mixed group may hold when its description does not say
    "Baked Products": {"dairy", "egg", "honey"},
    "Sweets": {"dairy", "egg", "honey"},
    "Snacks": {"dairy", "egg", "honey"},
}  # other mixed groups (soups, fast foods, meals ...) may hold any animal food
PLAIN_SWEETS = ("sugar", "syrup", "jams", "jellies", "molasses", "sweetener", "marmalade")


@dataclass(frozen=True)
class Resolved:
    """Flags of a recipe (sure and possible), B12 weighting, and whether anything was unsure."""

    flags: frozenset[str]
    unsure: bool
    b12_ug: float = 0.0            # food-bound B12 per recipe gram, summed over ingredients
    b12_weighted: float = 0.0      # the same, each times its matrix factor


def words_in(description: str) -> set[str]:
    """Flags named by a description, minus phrases that only sound animal."""
    text = description.lower()
    found = set()
    meat_free = re.search(MEAT_FREE, text) is not None
    for flag, pattern in WORDS.items():
        if flag == "meat" and meat_free:
            continue
        cleaned = re.sub(NOT_ANIMAL[flag], " ", text) if flag in NOT_ANIMAL else text
        if re.search(pattern, cleaned):
            found.add(flag)
    return found


def leaf_flags(description: str, food_group: str | None,
               cholesterol_mg: float | None) -> tuple[frozenset[str], bool]:
    """Flags of one SR28 (or unknown) ingredient, and whether they are only "may contain"."""
    named = words_in(description)
    if food_group in MEAT_GROUPS:
        return frozenset(named | {"meat"}), False
    if food_group == "Finfish and Shellfish Products":
        kind = {"shellfish"} if "shellfish" in named else {"fish"}
        return frozenset((named - {"fish", "shellfish"}) | kind), False
    if food_group == "Dairy and Egg Products":
        kind = named & {"egg", "dairy"} or {"dairy"}
        return frozenset((named - {"egg", "dairy"}) | kind), bool(not named & {"egg", "dairy"})
    animal_fat = cholesterol_mg is not None and cholesterol_mg >= CHOLESTEROL_ANIMAL_MG
    explained = bool(named & {"meat", "fish", "shellfish", "egg", "dairy"})
    meat_free = re.search(MEAT_FREE, description.lower()) is not None
    if food_group in PLANT_GROUPS:
        if meat_free and re.search(ANALOGUE, description.lower()) and \
                "vegan" not in description.lower():
            return frozenset(named | {"egg", "dairy"}), True  # an analogue may bind with both
        if animal_fat and not explained:
            maybe = {"egg", "dairy"} | (set() if meat_free else {"meat", "fish", "shellfish"})
            return frozenset(named | maybe), True
        gelatin = food_group == "Breakfast Cereals" and "frosted" in description.lower()
        return frozenset(named | ({"gelatin"} if gelatin else set())), gelatin
    if food_group is None:  # an ingredient outside SR28, named plainly ("Spinach, baby")
        return frozenset(named), False
    maybe = MAYBE.get(food_group, {"dairy", "egg", "honey", "meat", "fish", "shellfish"})
    text = description.lower()
    if food_group == "Sweets" and text.startswith(PLAIN_SWEETS):
        maybe = set()
    if food_group == "Sweets" and re.search(r"candies|candy|frosting|dessert|topping", text):
        maybe = maybe | {"gelatin"}
    if explained:
        maybe = maybe - {"meat", "fish", "shellfish"}
    if cholesterol_mg is not None and cholesterol_mg < CHOLESTEROL_ANIMAL_MG:
        maybe = maybe - {"egg", "meat", "fish", "shellfish"}
    return frozenset(named | maybe), bool(maybe - named)


def matrix_of(flags: frozenset[str]) -> float:
    """Matrix factor of an ingredient's food-bound B12: the least of its animal kinds'
    (never overestimating absorption); 0 for plant foods (analogue)."""
    kinds = [f for f in ANIMAL_B12_FLAGS if f in flags]
    if not kinds:
        return 0.0
    return min(MATRIX[k] for k in kinds)


@dataclass
class RecipeBook:
    """FNDDS recipes and the SR28 rows their ingredients point to."""

    ingredients: Mapping[str, list[tuple[str, str, float]]]   # food -> (code, description, g)
    sr28: Mapping[str, tuple[str, str, float | None, float]]  # ndb -> (desc, group, chol, b12)
    fallback: Mapping[str, Resolved]                          # foods without a recipe
    _memo: dict[str, Resolved] = field(default_factory=dict)

    def resolve(self, code: str, depth: int = 0) -> Resolved:
        """Flags and B12 weighting of a food code, recipes resolved recursively."""
        if code in self._memo:
            return self._memo[code]
        if depth > 8:
            return Resolved(frozenset(FLAGS), True)
        parts = self.ingredients.get(code)
        if not parts:
            result = self.fallback.get(code) or Resolved(frozenset(FLAGS), True)
        else:
            result = self._combine(parts, depth)
        self._memo[code] = result
        return result

    def _combine(self, parts: list[tuple[str, str, float]], depth: int) -> Resolved:
        flags: set[str] = set()
        unsure = False
        total = sum(max(g, 0.0) for _, _, g in parts) or 1.0
        b12 = weighted = 0.0
        for code, description, grams in parts:
            share = max(grams, 0.0) / total
            if len(code) >= 8:
                sub = self.resolve(code, depth + 1)
                flags |= sub.flags
                unsure |= sub.unsure
                b12 += share * sub.b12_ug
                weighted += share * sub.b12_weighted
                continue
            ndb = code.zfill(5)
            known = self.sr28.get(ndb)
            if known is None:
                leaf, maybe = leaf_flags(description, None, None)
                if description.lower().endswith("as ingredient") or "composite in" in \
                        description.lower():
                    leaf, maybe = frozenset(), False  # an added vitamin or mineral
                flags |= leaf
                unsure |= maybe
                continue
            desc, group, cholesterol, bound_b12 = known
            leaf, maybe = leaf_flags(desc, group, cholesterol)
            flags |= leaf
            unsure |= maybe
            b12 += share * bound_b12 / 100.0
            weighted += share * bound_b12 / 100.0 * matrix_of(leaf)
        return Resolved(frozenset(flags), unsure, b12, weighted)

    def matrix(self, code: str) -> float:
        """B12-weighted matrix factor of a dish's food-bound B12."""
        resolved = self.resolve(code)
        if resolved.b12_ug > 1e-9:
            return resolved.b12_weighted / resolved.b12_ug
        return matrix_of(resolved.flags)
