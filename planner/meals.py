"""Meal templates: the combinations of food roles people really eat at each occasion.

``data/meal_templates.csv`` is built from the NHANES 2007-2012 24-hour recalls by
``scripts/build_templates.py``: a role set (e.g. ``cereal+dairy+fruit``) eaten at a breakfast
by at least 30 people, with its share of breakfasts. An occasion of a plan takes the templates
of its food tokens (a ``lunch;dinner`` menu takes both); a main meal keeps those with a main
dish, protein food, starch, bread or cereal (breakfast also dairy). ``[[occasions]] templates``
replaces them with a list of its own.

>>> ("cereal", "dairy") in {t.roles for t in allowed(Occasion("breakfast", "08:00"))}
True
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import pandas as pd

from . import resources
from .config import Occasion

MEAL_CORE = {"main-dish", "protein-food", "starch", "bread", "cereal"}
BREAKFAST_CORE = MEAL_CORE | {"dairy"}
OPTIONAL_ROLES = ("water",)          # never part of a template: water goes with any meal
SHARE_FLOOR = 1e-4                   # share given to a template of the user's own


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
    return tuple(sorted(set(r.strip() for r in roles.split("+") if r.strip())))


@functools.cache
def allowed(occasion: Occasion) -> tuple[Template, ...]:
    """The templates an occasion may take, most common first."""
    if occasion.templates:
        return tuple(Template(parse(t), 1.0 / len(occasion.templates))
                     for t in occasion.templates)
    table = nhanes_templates()
    rows = table[table["occasion"].isin(occasion.tokens())]
    best: dict[tuple[str, ...], float] = {}
    for roles, share in zip(rows["roles"], rows["share"], strict=True):
        key = parse(str(roles))
        best[key] = max(best.get(key, 0.0), float(share))
    out = [Template(roles, share) for roles, share in best.items()]
    if occasion.kind == "meal":
        core = BREAKFAST_CORE if "breakfast" in occasion.tokens() else MEAL_CORE
        out = [t for t in out if set(t.roles) & core]
    return tuple(sorted(out, key=lambda t: (-t.share, t.roles)))


def role_set(roles: list[str] | pd.Series) -> tuple[str, ...]:
    """The template key of a meal's foods: their distinct roles, water left out."""
    return tuple(sorted(set(roles) - set(OPTIONAL_ROLES) - {""}))
