"""Library errors. The CLI turns each into exit code 1 and one message."""

from __future__ import annotations


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


class OutOfTime(PlannerError):
    """The run's deadline passed while a model was being built."""
