import pytest

from rcot_lib.spectra import format_table
from rcot_lib.tables import markdown_table


def test_markdown_table_lines_and_cells():
    text = markdown_table(["a", "b"], [["1", 2], ["x", "y"]])
    assert text.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2 |", "| x | y |"]


def test_a_row_of_another_width_is_a_clear_error():
    with pytest.raises(ValueError, match="row 1 has 3 cells but the header has 2"):
        markdown_table(["a", "b"], [["1", "2"], ["1", "2", "3"]])


def test_sparsity_table_rounds_each_score():
    groups = {"noise": {"k": 0.12345}, "rain": {"k": 0.5}}
    assert format_table(groups, keys=("k",), digits=2).splitlines() == [
        "|  | k |", "|---|---|", "| noise | 0.12 |", "| rain | 0.50 |"]
