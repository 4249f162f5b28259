"""Paths of the data shipped inside the package (food table, supplements, constraints)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a packaged data file or folder, e.g. ``data_path("foods.csv")``."""
    return Path(str(resources.files("planner") / "data" / name))


def default_foods(library: bool = False) -> Path:
    """The packaged food table; with ``library``, the one that also holds every food of the
    meal library (plans of library meals, ``[meals] source = "library"``)."""
    return data_path("foods_library.csv" if library else "foods.csv")


def default_supplements() -> Path:
    return data_path("supplements.csv")


def constraints_dir() -> Path:
    return data_path("constraints")


def default_constraints() -> Path:
    return constraints_dir() / "omnivore.toml"
