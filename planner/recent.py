"""The last few values built from the same inputs, for work a command repeats (its meal model,
the day blocks of swap's week programs, the joined terms of a list of weekly rules). Tables,
rules and configurations are not hashable, so they are compared by identity; the cache holds
them, so an identity is never reused while it is kept."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Recent(Generic[Value]):
    """At most ``size`` values, the newest first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: list[tuple[tuple[object, ...], Hashable, Value]] = []

    def get(self, objects: tuple[object, ...], key: Hashable,
            build: Callable[[], Value]) -> Value:
        """The value built from these objects (the same ones) and an equal key; built now
        when none is kept."""
        for known, known_key, value in self.items:
            if known_key == key and len(known) == len(objects) and \
                    all(a is b for a, b in zip(known, objects, strict=True)):
                return value
        value = build()
        self.items.insert(0, (objects, key, value))
        del self.items[self.size:]
        return value
