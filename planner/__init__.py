"""b12-planner: weekly meal plans whose absorbed vitamin B12 meets a target.

Decision support, not a prescription: plans do not replace clinical advice.
"""

from __future__ import annotations

from typing import Any

from .errors import ConfigError, DataError, OutputError, PlannerError

_LAZY = {"Config": "schema", "load_config": "config", "load_foods": "foods",
         "load_supplements": "supplements"}


DISCLAIMER = ("Decision support only: this plan does not replace advice from a doctor or "
              "dietitian.")



def __getattr__(name: str) -> Any:
    """The loaders and the version on first use, so that `planner --help` loads neither
    pandas nor the package metadata."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("b12-planner")
        except PackageNotFoundError:  # running from a source tree without installation
            return "0.0.0+unknown"
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DISCLAIMER", "Config", "ConfigError", "DataError", "OutputError", "PlannerError",
    "__version__", "load_config", "load_foods", "load_supplements",
]
