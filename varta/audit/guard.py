"""The switch that lets audited models be saved only from inside ``varta.audit.writes``."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager


class UnauditedWriteError(RuntimeError):
    """A model that must be audited was saved or deleted outside ``varta.audit.writes``."""


_depth: contextvars.ContextVar[int] = contextvars.ContextVar("varta_audited_write", default=0)


@contextmanager
def audited_write() -> Iterator[None]:
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        _depth.reset(token)


def assert_audited_write(obj: object) -> None:
    if _depth.get() == 0:
        raise UnauditedWriteError(
            f"{type(obj).__name__} was written outside varta.audit.writes: use create/update/delete there"
        )
