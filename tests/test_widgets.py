import matplotlib.pyplot as plt
import pytest

from rcot_lib.widgets import interact_or_static, is_headless


def test_headless_outside_a_kernel():
    assert is_headless()


def test_static_fallback_calls_defaults_then_presets(capsys):
    calls = []

    def draw(p: int = 1, lam: float = 0.5):
        calls.append((p, lam))
        plt.figure()
        plt.plot([0, lam])

    out = interact_or_static(
        draw, presets=[{"p": 2}, {"lam": 2.0}], p=[1, 2], lam=(0.0, 4.0)
    )
    assert calls == [(1, 0.5), (2, 0.5), (1, 2.0)]
    assert out is None  # a cell ending with the call shows no stray value
    assert plt.get_fignums() == []  # each figure was shown (closed), not left open
    assert "[static] draw(p=1, lam=0.5)" in capsys.readouterr().out


def test_controls_need_defaults():
    def draw(p, lam=1.0):
        return None

    with pytest.raises(ValueError, match="without a default value: \\['p'\\]"):
        interact_or_static(draw, p=[1, 2])


def test_presets_must_name_controls():
    def draw(p=1):
        return None

    with pytest.raises(ValueError, match="unknown controls"):
        interact_or_static(draw, presets=[{"q": 3}], p=[1, 2])


def test_widget_specs():
    import ipywidgets as w

    from rcot_lib.widgets import _to_widget

    s = _to_widget("lam", (0.0, 2.0), 0.5)
    assert isinstance(s, w.FloatSlider) and s.value == 0.5 and not s.continuous_update
    assert isinstance(_to_widget("p", (1, 3), 2), w.IntSlider)
    d = _to_widget("norm", ["ortho", "backward"], "ortho")
    assert isinstance(d, w.Dropdown) and d.value == "ortho"
    with pytest.raises(TypeError, match="unsupported widget spec"):
        _to_widget("x", object(), None)
