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
