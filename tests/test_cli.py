import subprocess
import sys

from rcot_lib.cli import main


def test_help_lists_subcommands(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "notebooks" in out


def test_python_m_entry_point():
    res = subprocess.run(
        [sys.executable, "-m", "rcot_lib", "--version"], capture_output=True, text=True
    )
    assert res.returncode == 0 and "rcot-kit" in res.stdout


def test_notebooks_unknown_name_is_a_clear_error(capsys):
    assert main(["notebooks", "99_nope"]) == 1
    assert "no notebook matches" in capsys.readouterr().err
