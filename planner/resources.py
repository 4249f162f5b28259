"""Paths of the data shipped inside the package (food table, supplements, constraints)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a packaged data file or folder, e.g. ``data_path("foods.csv")``."""
    return Path(str(resources.files("planner") / "data" / name))


def default_foods() -> Path:
    return data_path("foods.csv")


def default_supplements() -> Path:
    return data_path("supplements.csv")


def constraints_dir() -> Path:
    return data_path("constraints")


def default_constraints() -> Path:
    return constraints_dir() / "omnivore.toml"
