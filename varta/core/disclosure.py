"""Disclosure control for figures that leave an organisation: small-cell suppression, then secondary suppression.

Every context that publishes counts across organisations (hotline statistics, case figures, 4W …) passes them
through these functions. They know nothing about hotlines: they take counts by key and say, per key, whether the
count may be shown.

The rules, decided once for all of Varta:

- **Primary suppression.** A count ``c`` is sensitive when ``0 < c < threshold`` (``settings.SMALL_CELL_THRESHOLD``,
  default 5; a threshold of 0 or 1 turns disclosure control off). Its cell is hidden: screens show "<5", exports
  an empty value with a flag, the API ``null`` with ``"suppressed": true``.
- **Zero is not sensitive.** "Nobody" describes no person, and hiding zeros would hide where services are
  missing — the figure a task force most needs. Zeros are shown, and never hidden as complements either (hiding a
  zero protects nothing: every hidden cell is known to be at least 1, because only non-zero counts are hidden).
- **Totals are cells too.** A total or subtotal below the threshold is hidden like any other count.
- **Secondary suppression.** Published figures are tied together by additive equations: the cells of a line add
  up to its total. An equation with exactly one hidden entry gives it away (the total minus the shown cells), so
  for every such equation the smallest non-zero shown entry of that equation is hidden as well (a cell before the
  total when they tie, so totals stay visible whenever possible), and this repeats until no equation has exactly
  one hidden entry. A one-dimensional breakdown with a shown total is one equation; a two-dimensional table is
  one equation per row and one per column (margins included), repeated until stable; a hierarchy (topics under
  categories) is one equation per parent plus the line of parents.
- **No exact recovery across equations.** Two unknowns per equation are not always enough when equations
  combine (two blocks of hidden cells in a table joined by a single hidden cell: adding the rows of one block
  and subtracting its columns isolates that cell). So the equations are then row-reduced over the hidden
  entries; while one of them is still determined, the smallest shown non-zero entry next to it is hidden too.
  The result: every hidden cell shares each of its equations with another hidden entry, and no hidden count can
  be computed exactly from what is shown.
- **Multi-response counts** (one person counted under several indicators) do not add up to anything; they get
  primary suppression only (pass ``total=None``).

Limit, stated honestly: this stops exact recovery, not every bound. Someone who sees the total and all but two
cells of a line knows the sum of the two hidden ones, and so an upper bound for each. Keep the threshold at 5 or
more, and do not publish overlapping tables cut from the same small population (each table is protected on its
own: the equations between tables are not known here).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


@dataclass(frozen=True)
class Cell:
    """One published count: its value, or nothing when suppressed."""

    value: int | None
    suppressed: bool = False

    @classmethod
    def exact(cls, value: int) -> Cell:
        return cls(value=value)


HIDDEN = Cell(value=None, suppressed=True)


@dataclass(frozen=True)
class Equation(Generic[K]):
    """``sum(values[k] for k in parts) == values[total]``: cells that add up to a shown total."""

    parts: tuple[K, ...]
    total: K


def threshold_setting() -> int:
    return int(settings.SMALL_CELL_THRESHOLD)


def is_sensitive(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def protect(values: Mapping[K, int], equations: Iterable[Equation[K]] = (), *,
            threshold: int | None = None, unpublished: Collection[K] = (),
            keep: Collection[K] = ()) -> dict[K, Cell]:
    """Primary suppression of every sensitive value, then secondary suppression along ``equations``.

    ``values`` holds every figure to publish, totals included, keyed by anything hashable; each equation names
    keys of ``values``. Deterministic: ties are broken by the order of the equation's parts, the total last.
    ``unpublished`` keys are figures that are never shown but tie published ones together (e.g. the days that
    both a week and a month add up): unknowns that need no protection themselves, left out of the result.
    ``keep`` keys are published elsewhere too (a grand total shown as a headline): never hidden as complements,
    since hiding them here would protect nothing.
    """
    limit = threshold_setting() if threshold is None else threshold
    auxiliary = set(unpublished)
    fixed = set(keep)
    hidden = {key for key, count in values.items() if is_sensitive(count, limit)} | auxiliary
    lines = [(*eq.parts, eq.total) for eq in equations]
    for line in lines:
        for key in line:
            if key not in values:
                raise KeyError(f"equation names {key!r}, which has no value")
    while hidden - auxiliary:
        _close_lines(values, lines, hidden, auxiliary, fixed)
        determined = _determined(lines, hidden, auxiliary) if len(lines) > 1 else None
        if determined is None:
            break
        if not _hide_next_to(determined, values, lines, hidden, fixed):
            break
    return {key: HIDDEN if key in hidden else Cell(value=count) for key, count in values.items()
            if key not in auxiliary}


def _smallest_shown(keys: Iterable[K], values: Mapping[K, int], hidden: set[K], fixed: set[K]) -> K | None:
    # min() keeps the first of equal values: parts come before the total, so a cell is hidden before a total.
    candidates = [key for key in keys if key not in hidden and key not in fixed and values[key] > 0]
    return min(candidates, key=lambda key: values[key]) if candidates else None


def _close_lines(values: Mapping[K, int], lines: Sequence[tuple[K, ...]], hidden: set[K],
                 auxiliary: set[K], fixed: set[K]) -> None:
    """Hide more until no line has exactly one hidden entry (an unpublished one alone may be worked out)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            unknown = [key for key in line if key in hidden]
            if len(unknown) == 1 and unknown[0] not in auxiliary:
                # A hidden entry is non-zero, so its line always holds another non-zero entry to hide.
                key = _smallest_shown(line, values, hidden, fixed) or _smallest_shown(line, values, hidden, set())
                if key is not None:
                    hidden.add(key)
                    changed = True


_PRIME = 2**61 - 1  # exact rank arithmetic on small integer coefficients (a false "determined" only hides more)


def _determined(lines: Sequence[tuple[K, ...]], hidden: set[K], auxiliary: set[K]) -> K | None:
    """A hidden entry that the equations pin down although each has two unknowns (e.g. a bridge between two
    blocks of hidden cells in a table), or None. Row-reduces the equations over the hidden entries: an entry is
    determined exactly when a reduced row holds it alone."""
    order = [key for key in dict.fromkeys(k for line in lines for k in line) if key in hidden]
    column = {key: i for i, key in enumerate(order)}
    rows: list[dict[int, int]] = []
    for line in lines:
        row: dict[int, int] = {}
        *parts, total = line
        for key in parts:
            if key in hidden:
                row[column[key]] = (row.get(column[key], 0) + 1) % _PRIME
        if total in hidden:
            row[column[total]] = (row.get(column[total], 0) - 1) % _PRIME
        row = {c: v for c, v in row.items() if v}
        if row:
            rows.append(row)
    pivots: list[tuple[int, dict[int, int]]] = []
    for row in rows:  # Gauss-Jordan elimination on sparse rows
        for pivot_column, pivot_row in pivots:
            factor = row.get(pivot_column)
            if factor:
                for c, v in pivot_row.items():
                    row[c] = (row.get(c, 0) - factor * v) % _PRIME
                row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        lead = min(row)
        inverse = pow(row[lead], _PRIME - 2, _PRIME)
        row = {c: v * inverse % _PRIME for c, v in row.items()}
        for i, (pivot_column, pivot_row) in enumerate(pivots):
            factor = pivot_row.get(lead)
            if factor:
                for c, v in row.items():
                    pivot_row[c] = (pivot_row.get(c, 0) - factor * v) % _PRIME
                pivots[i] = (pivot_column, {c: v for c, v in pivot_row.items() if v})
        pivots.append((lead, row))
    alone = sorted(pivot_column for pivot_column, row in pivots if len(row) == 1
                   and order[pivot_column] not in auxiliary)
    return order[alone[0]] if alone else None


def _hide_next_to(key: K, values: Mapping[K, int], lines: Sequence[tuple[K, ...]], hidden: set[K],
                  fixed: set[K]) -> bool:
    """Hide the smallest shown non-zero entry of the lines around ``key``, widening until one is found."""
    reached = {key}
    while True:
        touching = [line for line in lines if any(k in reached for k in line)]
        candidate = _smallest_shown((k for line in touching for k in line), values, hidden, fixed)
        if candidate is not None:
            hidden.add(candidate)
            return True
        wider = reached | {k for line in touching for k in line}
        if wider == reached:  # everything connected is hidden already; cannot happen for consistent counts
            return False
        reached = wider


def exact(values: Mapping[K, int]) -> dict[K, Cell]:
    """The same shape as :func:`protect`, nothing hidden: figures that stay inside the organisation."""
    return {key: Cell(value=count) for key, count in values.items()}


# --- Shapes every context uses -----------------------------------------------------------------------------


class _Total:
    """The key of a total inside :func:`protect`'s values (it can never equal a caller's key)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<total {self.name}>"


@dataclass(frozen=True)
class ProtectedBreakdown(Generic[K]):
    cells: dict[K, Cell]
    total: Cell | None


def protect_breakdown(counts: Mapping[K, int], total: int | None, *, threshold: int | None = None,
                      controlled: bool = True) -> ProtectedBreakdown[K]:
    """A one-dimensional breakdown. With a ``total`` the counts must add up to it (one equation); with ``None``
    they are multi-response counts and only primary suppression applies. ``controlled=False``: exact figures."""
    if total is not None and sum(counts.values()) != total:
        raise ValueError(f"the breakdown adds up to {sum(counts.values())}, not to its total {total}")
    key_total = _Total("breakdown")
    values: dict[K | _Total, int] = {key: count for key, count in counts.items()}
    equations: list[Equation[K | _Total]] = []
    if total is not None:
        values[key_total] = total
        equations.append(Equation(parts=tuple(counts), total=key_total))
    cells = protect(values, equations, threshold=threshold, keep={key_total}) if controlled else exact(values)
    return ProtectedBreakdown(cells={k: cells[k] for k in counts},
                              total=cells[key_total] if total is not None else None)


@dataclass(frozen=True)
class ProtectedTable(Generic[R, C]):
    cells: dict[tuple[R, C], Cell]
    row_totals: dict[R, Cell]
    column_totals: dict[C, Cell]
    total: Cell


def protect_table(counts: Mapping[tuple[R, C], int], *, rows: Sequence[R], columns: Sequence[C],
                  threshold: int | None = None, controlled: bool = True) -> ProtectedTable[R, C]:
    """A two-dimensional table with its margins: one equation per row and per column, margins included.

    Missing (row, column) pairs count as 0.
    """
    values: dict[Hashable, int] = {}
    grand = _Total("table")
    row_key = {r: _Total(f"row {r!r}") for r in rows}
    column_key = {c: _Total(f"column {c!r}") for c in columns}
    for r in rows:
        for c in columns:
            values[(r, c)] = counts.get((r, c), 0)
    unknown = [key for key in counts if key not in values]
    if unknown:
        raise KeyError(f"counts outside the given rows and columns: {sorted(map(repr, unknown))[:5]}")
    for r in rows:
        values[row_key[r]] = sum(values[(r, c)] for c in columns)
    for c in columns:
        values[column_key[c]] = sum(values[(r, c)] for r in rows)
    values[grand] = sum(values[row_key[r]] for r in rows)
    equations: list[Equation[Hashable]] = [
        *(Equation(parts=tuple((r, c) for c in columns), total=row_key[r]) for r in rows),
        *(Equation(parts=tuple((r, c) for r in rows), total=column_key[c]) for c in columns),
        Equation(parts=tuple(row_key[r] for r in rows), total=grand),
        Equation(parts=tuple(column_key[c] for c in columns), total=grand),
    ]
    cells = protect(values, equations, threshold=threshold, keep={grand}) if controlled else exact(values)
    return ProtectedTable(
        cells={(r, c): cells[(r, c)] for r in rows for c in columns},
        row_totals={r: cells[row_key[r]] for r in rows},
        column_totals={c: cells[column_key[c]] for c in columns},
        total=cells[grand],
    )


@dataclass(frozen=True)
class ProtectedTree(Generic[R, K]):
    parents: dict[R, Cell]
    children: dict[tuple[R, K], Cell]
    total: Cell


def protect_tree(counts: Mapping[R, Mapping[K, int]], *, threshold: int | None = None,
                 controlled: bool = True) -> ProtectedTree[R, K]:
    """A two-level hierarchy (e.g. topics under their categories): each parent's count is the sum of its
    children, the parents add up to the total. One equation per parent, one for the line of parents."""
    grand = _Total("tree")
    parent_key = {p: _Total(f"parent {p!r}") for p in counts}
    values: dict[Hashable, int] = {}
    equations: list[Equation[Hashable]] = []
    for p, children in counts.items():
        for k, count in children.items():
            values[(p, k)] = count
        values[parent_key[p]] = sum(children.values())
        equations.append(Equation(parts=tuple((p, k) for k in children), total=parent_key[p]))
    values[grand] = sum(values[parent_key[p]] for p in counts)
    equations.append(Equation(parts=tuple(parent_key[p] for p in counts), total=grand))
    cells = protect(values, equations, threshold=threshold, keep={grand}) if controlled else exact(values)
    return ProtectedTree(
        parents={p: cells[parent_key[p]] for p in counts},
        children={(p, k): cells[(p, k)] for p, children in counts.items() for k in children},
        total=cells[grand],
    )
