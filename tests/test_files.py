import json
import os
from pathlib import Path

import pytest

from rcot_lib.files import atomic_write, save_json


def test_failed_write_keeps_the_old_file_and_no_temporary(tmp_path):
    path = save_json({"a": 1}, tmp_path / "sub" / "x.json")
    assert json.loads(path.read_text()) == {"a": 1}

    def half_then_fail(tmp):
        Path(tmp).write_text('{"a": ')
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(path, half_then_fail)
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]


def test_mode_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = atomic_write(tmp_path / "y.txt", lambda tmp: Path(tmp).write_text("y"))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640
