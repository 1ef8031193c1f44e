"""Disclosure control: small cells hidden, and nothing hidden can be recovered from what is shown."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction
from typing import Any

import pytest

from varta.core.disclosure import (
    Cell,
    protect_breakdown,
    protect_table,
    protect_tree,
)


def _rank(matrix: list[list[Fraction]]) -> int:
    """Rank over the rationals (independent of the module's own modular arithmetic)."""
    rows = [row[:] for row in matrix if any(row)]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def recoverable(lines: Sequence[tuple[Any, ...]], hidden: Collection[Any]) -> set[Any]:
    """Hidden entries that the equations (with the shown values known) pin down exactly."""
    order = sorted(hidden, key=repr)
    matrix = []
    for line in lines:
        *parts, total = line
        matrix.append([Fraction(parts.count(k) - (1 if k == total else 0)) for k in order])
    full = _rank(matrix)
    return {k for i, k in enumerate(order) if _rank([row[:i] + row[i + 1:] for row in matrix]) < full}


def assert_protected(values: Mapping[Any, int], lines: Sequence[tuple[Any, ...]], cells: Mapping[Any, Cell],
                     threshold: int) -> None:
    hidden = {k for k, cell in cells.items() if cell.suppressed}
    for key, cell in cells.items():
        if cell.suppressed:
            assert cell.value is None
            assert values[key] > 0, "only non-zero counts are hidden"
        else:
            assert cell.value == values[key]
            assert not 0 < cell.value < threshold, f"a small count is shown: {key!r}={cell.value}"
    for line in lines:
        unknowns = sum(1 for k in line if k in hidden)
        assert unknowns != 1, f"a line with one unknown gives it away: {line!r}"
    assert not recoverable(lines, hidden), "a hidden count can be computed from the shown ones"


def test_it_hides_small_counts_and_the_next_smallest() -> None:
    result = protect_breakdown({"phone": 2, "viber": 7, "email": 9, "walk_in": 0}, 18, threshold=5)
    assert result.cells["phone"].suppressed
    assert result.cells["viber"].suppressed  # the complement: otherwise 18 − 9 − 0 gives phone away
    assert result.cells["email"] == Cell(value=9)
    assert result.cells["walk_in"] == Cell(value=0)  # zero is not sensitive
    assert result.total == Cell(value=18)


def test_it_needs_no_complement_when_two_cells_are_small() -> None:
    result = protect_breakdown({"a": 2, "b": 3, "c": 40}, 45, threshold=5)
    assert [result.cells[k].suppressed for k in "abc"] == [True, True, False]


def test_it_hides_a_small_total() -> None:
    result = protect_breakdown({"a": 3, "b": 0}, 3, threshold=5)
    assert result.cells["a"].suppressed
    assert result.total is not None
    assert result.total.suppressed
    assert result.cells["b"] == Cell(value=0)


def test_it_suppresses_multi_response_counts_without_complements() -> None:
    result = protect_breakdown({"DebtBondage": 3, "FalsePromises": 12, "Other": 30}, None, threshold=5)
    assert result.total is None
    assert [result.cells[k].suppressed for k in ("DebtBondage", "FalsePromises", "Other")] == [True, False, False]


def test_it_refuses_a_breakdown_that_does_not_add_up() -> None:
    with pytest.raises(ValueError, match="adds up"):
        protect_breakdown({"a": 3, "b": 4}, 8)


def test_it_shows_everything_when_uncontrolled_or_threshold_off() -> None:
    assert not any(c.suppressed for c in protect_breakdown({"a": 1, "b": 2}, 3, controlled=False).cells.values())
    assert not any(c.suppressed for c in protect_breakdown({"a": 1, "b": 2}, 3, threshold=1).cells.values())


def test_it_reads_the_threshold_from_settings(settings) -> None:
    settings.SMALL_CELL_THRESHOLD = 10
    assert protect_breakdown({"a": 9, "b": 30, "c": 30}, 69).cells["a"].suppressed
    settings.SMALL_CELL_THRESHOLD = 5
    assert not protect_breakdown({"a": 9, "b": 30, "c": 30}, 69).cells["a"].suppressed


def test_it_protects_rows_and_columns_of_a_table() -> None:
    counts = {("UA21", "phone"): 3, ("UA21", "viber"): 20, ("UA05", "phone"): 15, ("UA05", "viber"): 30}
    table = protect_table(counts, rows=["UA21", "UA05"], columns=["phone", "viber"], threshold=5)
    hidden = {k for k, c in table.cells.items() if c.suppressed}
    # 3 forces its row partner (20) and its column partner (15); then (UA05, viber) closes the rectangle.
    assert hidden == set(counts)
    assert not any(c.suppressed for c in [*table.row_totals.values(), *table.column_totals.values(), table.total])


def table_lines(rows: list[str], columns: list[str],
                table: Any) -> tuple[dict[Any, int], list[tuple[Any, ...]], dict[Any, Cell]]:
    """A protected table as values, cells and lines, with the margins as keys of their own."""
    values: dict[object, int] = {}
    cells: dict[object, Cell] = dict(table.cells)
    for r in rows:
        cells[("row", r)] = table.row_totals[r]
    for c in columns:
        cells[("col", c)] = table.column_totals[c]
    cells["total"] = table.total
    lines: list[tuple[Any, ...]] = [(*((r, c) for c in columns), ("row", r)) for r in rows]
    lines += [(*((r, c) for r in rows), ("col", c)) for c in columns]
    lines += [(*(("row", r) for r in rows), "total"), (*(("col", c) for c in columns), "total")]
    return values, lines, cells


def test_it_closes_what_two_unknowns_per_line_leave_open() -> None:
    # Hiding by lines alone ends with (r0, c1) = 5 hidden and two unknowns in every line, yet the row r0
    # (4 + 5 + 30 = 39 shown), the columns c0 and c2 (each equal to its hidden total) and the line of column
    # totals (C0 + 51 + C2 = 85 shown) give 5 = 39 − (85 − 51). The row reduction finds it and hides more.
    rows, columns = ["r0", "r1", "r2"], ["c0", "c1", "c2"]
    grid = [[4, 5, 30], [0, 16, 0], [0, 30, 0]]
    counts = {(r, c): grid[i][j] for i, r in enumerate(rows) for j, c in enumerate(columns)}
    table = protect_table(counts, rows=rows, columns=columns, threshold=5)
    values: dict[Any, int] = {**counts, **{("row", r): sum(grid[i]) for i, r in enumerate(rows)},
              **{("col", c): sum(row[j] for row in grid) for j, c in enumerate(columns)}, "total": 85}
    _, lines, cells = table_lines(rows, columns, table)
    assert_protected(values, lines, cells, 5)


def test_it_protects_a_tree_of_topics() -> None:
    counts = {"safe-migration": {"job-offer-check": 12, "travel-rules": 3, "study-abroad": 0},
              "missing-person": {"missing-person": 7}, "other": {"other": 40}}
    tree = protect_tree(counts, threshold=5)
    assert tree.children[("safe-migration", "travel-rules")].suppressed
    assert tree.children[("safe-migration", "job-offer-check")].suppressed
    assert tree.children[("safe-migration", "study-abroad")] == Cell(value=0)
    assert tree.parents["safe-migration"] == Cell(value=15)
    assert tree.total == Cell(value=62)


def _random_count(rng: random.Random) -> int:
    return rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 30, 100, rng.randint(0, 60)])


@pytest.mark.parametrize("seed", range(150))
def test_it_leaves_at_least_two_unknowns_in_random_tables(seed: int) -> None:
    rng = random.Random(seed)
    rows = [f"r{i}" for i in range(rng.randint(1, 6))]
    columns = [f"c{j}" for j in range(rng.randint(1, 6))]
    counts = {(r, c): _random_count(rng) for r in rows for c in columns}
    threshold = rng.choice([3, 5, 5, 10])
    table = protect_table(counts, rows=rows, columns=columns, threshold=threshold)
    values: dict[Any, int] = {**counts}
    values.update({("row", r): sum(counts[(r, c)] for c in columns) for r in rows})
    values.update({("col", c): sum(counts[(r, c)] for r in rows) for c in columns})
    values["total"] = sum(counts.values())
    _, lines, cells = table_lines(rows, columns, table)
    assert_protected(values, lines, cells, threshold)


@pytest.mark.parametrize("seed", range(100))
def test_it_leaves_at_least_two_unknowns_in_random_breakdowns_and_trees(seed: int) -> None:
    rng = random.Random(1000 + seed)
    counts = {f"k{i}": _random_count(rng) for i in range(rng.randint(1, 12))}
    result = protect_breakdown(counts, sum(counts.values()), threshold=5)
    flat: dict[Any, int] = {**counts, "total": sum(counts.values())}
    assert result.total is not None
    assert_protected(flat, [(*counts, "total")], {**result.cells, "total": result.total}, 5)

    tree_counts = {f"p{i}": {f"t{j}": _random_count(rng) for j in range(rng.randint(1, 5))}
                   for i in range(rng.randint(1, 6))}
    tree = protect_tree(tree_counts, threshold=5)
    values: dict[Any, int] = {(p, k): n for p, children in tree_counts.items() for k, n in children.items()}
    cells: dict[Any, Cell] = {**tree.children}
    lines: list[tuple[Any, ...]] = []
    for p, children in tree_counts.items():
        values[("parent", p)] = sum(children.values())
        cells[("parent", p)] = tree.parents[p]
        lines.append((*((p, k) for k in children), ("parent", p)))
    values["total"] = sum(values[("parent", p)] for p in tree_counts)
    cells["total"] = tree.total
    lines.append((*(("parent", p) for p in tree_counts), "total"))
    assert_protected(values, lines, cells, 5)
