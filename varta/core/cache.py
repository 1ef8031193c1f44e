"""Process caches of reference rows (places by P-code, an organisation's topics) for the hot write paths.

A :class:`ReferenceCache` is a thread-safe TTL cache (cachetools) shared by a server process's threads. Its
values are shared between requests: treat them as read-only. ``forget()`` clears it now and again when the
current transaction commits (a reader in between could otherwise cache the old state); other processes see a
change when their entries expire. docs/operations.md says how stale each cache may get.
"""

from __future__ import annotations

import threading
from typing import ClassVar, Generic, TypeVar

from cachetools import TTLCache
from django.db import transaction

K = TypeVar("K")
V = TypeVar("V")


class ReferenceCache(Generic[K, V]):
    every: ClassVar[list[ReferenceCache[object, object]]] = []

    def __init__(self, *, maxsize: int, seconds: int) -> None:
        self.seconds = seconds
        self._entries: TTLCache[K, V] = TTLCache(maxsize=maxsize, ttl=seconds)
        self._lock = threading.Lock()
        ReferenceCache.every.append(self)  # type: ignore[arg-type]

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def forget(self) -> None:
        """Clear now and when the current transaction commits (at once outside a transaction)."""
        self.clear()
        transaction.on_commit(self.clear)

    @classmethod
    def clear_all(cls) -> None:
        """Every cache of this process (the test suite, between tests: no database access)."""
        for cache in cls.every:
            cache.clear()
