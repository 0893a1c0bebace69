"""Process-level CPU settings of rcot_lib.device."""

from __future__ import annotations

import sys

import pytest

from rcot_lib.device import keep_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc setting")
def test_keep_freed_memory_applies_on_glibc_and_can_be_turned_off(monkeypatch):
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert keep_freed_memory() is True
    monkeypatch.setenv("RCOT_KEEP_FREED_MEMORY", "0")
    assert keep_freed_memory() is False
