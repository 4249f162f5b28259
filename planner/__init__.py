"""b12-planner: weekly meal plans whose absorbed vitamin B12 meets a target.

Decision support, not a prescription: plans do not replace clinical advice.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .config import Config, load_config
from .errors import ConfigError, DataError, OutputError, PlannerError
from .foods import load_foods
from .supplements import load_supplements

try:
    __version__ = version("b12-planner")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

DISCLAIMER = ("Decision support only: this plan does not replace advice from a doctor or "
              "dietitian.")

__all__ = [
    "DISCLAIMER", "Config", "ConfigError", "DataError", "OutputError", "PlannerError",
    "__version__", "load_config", "load_foods", "load_supplements",
]
