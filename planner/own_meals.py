"""The person's own meals (``[meals] own``): meals they eat, joined to the library.

A CSV names each meal's foods, one row per food; rows with the same ``meal`` form one meal:

    meal,occasion,food,grams
    my-porridge,breakfast,oatmeal-regular-or-quick-made-with-water-no-added-fat,240
    my-porridge,breakfast,soy-milk,200

An own meal is offered at its occasion beside the library's meals, each food within 1.5 times
of its grams either way, adapted by the substitutions where the diet forbids a food, and
counted ``[meals] own_preference`` cheaper than a library meal, so that a plan eats like the
person does where the rules allow (the minimal-change idea of Optimeal and the Thrifty Food
Plan).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import did_you_mean
from .recalls import MEAL_OCCASIONS
from .schema import Config
from .table import check_columns, describe_rows, parse_numbers, raise_problems, read_csv_text

COLUMNS = ("meal", "occasion", "food", "grams")
PREFIX = "own:"
MEAL_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}"


def own_meals(config: Config, foods: pd.DataFrame) -> pd.DataFrame:
    """The own meals of the configuration (empty without ``[meals] own``), checked against
    the food table."""
    if not config.meals.own:   # made absolute when the constraint file was loaded
        return pd.DataFrame(columns=list(COLUMNS))
    return load_own_meals(Path(config.meals.own), foods)


def load_own_meals(path: Path, foods: pd.DataFrame) -> pd.DataFrame:
    """Load and check an own-meals CSV: meal ids, occasions, known foods, grams."""
    frame = read_csv_text(path)
    raise_problems(path, check_columns(frame, path, COLUMNS, ()), "own meals")
    problems = []
    meal = frame["meal"].str.strip()
    odd = ~meal.str.fullmatch(MEAL_ID)
    if odd.any():
        problems.append(f"{path}: meal must be letters, digits, '.', '_' or '-' (at most 60) "
                        f"at {describe_rows(frame, odd, 'meal')}")
    occasion = frame["occasion"].str.strip()
    wrong = ~occasion.isin(MEAL_OCCASIONS)
    if wrong.any():
        problems.append(f"{path}: occasion must be one of {', '.join(MEAL_OCCASIONS)} at "
                        f"{describe_rows(frame, wrong, 'meal')}")
    mixed = occasion.groupby(meal).transform("nunique") > 1
    if mixed.any():
        problems.append(f"{path}: one meal at two occasions at "
                        f"{describe_rows(frame, mixed, 'meal')}; give each its own meal id")
    food = frame["food"].str.strip()
    unknown = ~food.isin(foods.index)
    if unknown.any():
        hint = did_you_mean(str(food[unknown].iloc[0]), foods.index) or \
            "see `planner foods list`"
        problems.append(f"{path}: food id not in the food table at "
                        f"{describe_rows(frame, unknown, 'food')}; {hint}")
    twice = (meal + "\x00" + food).duplicated(keep=False)
    if twice.any():
        problems.append(f"{path}: a food twice in one meal at "
                        f"{describe_rows(frame, twice, 'meal')}; add its grams in one row")
    grams, found = parse_numbers(frame, "grams", path, 0.1, 3000, id_column="meal")
    problems += found
    raise_problems(path, problems, "own meals")
    return pd.DataFrame({"meal": meal, "occasion": occasion, "food": food, "grams": grams})
