"""A small typed registry: shared places learn about feature apps only through entries the apps add.

Each consumer owns its registry (``core.navigation.AREAS``, ``reviews.feeds.FEEDS``, ...); apps add their
entries in ``AppConfig.ready``. Registering the same key twice keeps the first entry, so a repeated
``ready()`` (tests, autoreload) changes nothing. Entries come back ordered by ``order``, then in the
order they were registered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    key: str
    item: T
    order: int


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, _Entry[T]] = {}

    def __repr__(self) -> str:
        return f"Registry({self.name!r}, {list(self._entries)})"

    def register(self, key: str, item: T, *, order: int = 100) -> T:
        """Add ``item`` under ``key`` unless the key is taken; returns the item kept."""
        entry = self._entries.setdefault(key, _Entry(key, item, order))
        return entry.item

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def get(self, key: str) -> T | None:
        entry = self._entries.get(key)
        return entry.item if entry else None

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        return [entry.key for entry in self._sorted()]

    def items(self) -> list[T]:
        return [entry.item for entry in self._sorted()]

    def __iter__(self) -> Iterator[T]:
        return iter(self.items())

    def _sorted(self) -> list[_Entry[T]]:
        return sorted(self._entries.values(), key=lambda entry: entry.order)  # stable: registration order
