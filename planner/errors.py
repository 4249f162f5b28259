"""Library errors. The CLI turns each into exit code 1 and one message."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


class PlannerError(Exception):
    """Base class of every error the planner reports to a user."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message


class DataError(PlannerError):
    """A food or supplement table is unreadable or fails a check."""


class ConfigError(PlannerError):
    """A constraint file, an `extends` chain or a `--set` override is invalid."""


class OutputError(PlannerError):
    """An output file cannot be written."""


class VerificationError(PlannerError):
    """A plan failed independent verification: a bug in the planner, reported loudly."""

    exit_code = 4


class OutOfTime(PlannerError):
    """The run's deadline passed while a model was being built."""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character but newline and tab written as an escape
    (``\\x1b``), so that a message echoing user input cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def closest(name: str, known: Iterable[str], count: int = 3) -> list[str]:
    """The known names nearest to ``name``: those that hold it (or all its words) first,
    shortest first, then the most similar spellings."""
    names = sorted(set(known))
    wanted = name.strip().lower()
    words = [w for w in re.split(r"[\s_\-.:/]+", wanted) if w]
    holding = sorted((n for n in names if words and all(w in n.lower() for w in words)),
                     key=lambda n: (len(n), n))
    similar = difflib.get_close_matches(wanted, names, n=count, cutoff=0.6)
    return list(dict.fromkeys([*holding, *similar]))[:count]


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """'did you mean 'a', 'b'?' for the closest known names, or '' when none is close."""
    close = closest(name, known)
    return f"did you mean {', '.join(repr(c) for c in close)}?" if close else ""
