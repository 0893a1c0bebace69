"""Markdown tables of results (ablations, benchmark scores, sparsity scores).

Every table the kit prints for the README or a notebook goes through
:func:`markdown_table`, so that they all share one format::

    >>> print(markdown_table(["set", "PSNR"], [["CBSD68", "30.72"]]))
    | set | PSNR |
    |---|---|
    | CBSD68 | 30.72 |
"""

from __future__ import annotations

from collections.abc import Sequence


def markdown_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table: a header row, a rule, one line per row.

    Raises
    ------
    ValueError
        A row has a different number of cells from the header.
    """
    for i, cells in enumerate(rows):
        if len(cells) != len(head):
            raise ValueError(
                f"row {i} has {len(cells)} cells but the header has "
                f"{len(head)}: {cells!r}"
            )

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c) for c in cells) + " |"

    return "\n".join([line(head), "|" + "---|" * len(head), *map(line, rows)])


def pivot_table(
    rows: Sequence[dict], row: str, col: str, value: str, digits: int = 2
) -> str:
    """A Markdown table of ``value`` from records: one line per ``row`` key, one
    column per ``col`` key (the first record wins where several share both keys).

    >>> recs = [{"task": "derain", "p": 1.0, "x": 0.5}, {"task": "derain", "p": 2.0,
    ...         "x": 0.25}]
    >>> print(pivot_table(recs, "task", "p", "x"))
    | task | p = 1.0 | p = 2.0 |
    |---|---|---|
    | derain | 0.50 | 0.25 |
    """
    cols = list(dict.fromkeys(r[col] for r in rows))
    cells: dict = {}
    for r in rows:
        cells.setdefault(r[row], {}).setdefault(r[col], r[value])
    lines = [[key] + [f"{vals[c]:.{digits}f}" if c in vals else "" for c in cols]
             for key, vals in cells.items()]
    return markdown_table([row, *(f"{col} = {c}" for c in cols)], lines)
