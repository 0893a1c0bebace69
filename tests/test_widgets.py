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


# --- the cost-norm widgets of notebooks 01-03: static presets and live redraws -------


def _lab_widgets():
    """(draw function, controls, presets) as the notebooks pass them, on small data."""
    import torch

    from rcot_lib import toy2d, viz_costs

    X, Y = toy2d.sample_pair("gaussian_stretch", 60, seed=0)
    clean = torch.rand(3, 64, 64, generator=torch.Generator().manual_seed(0))
    cost_family = {"transform": viz_costs.TRANSFORMS, "p": (0.5, 2.0, 0.05)}

    def residual_axes(lam=0.0, p=1.0, transform="dct", base="sqeuclidean"):
        return viz_costs.draw_residual_axes(X, Y, lam, p, transform, base)

    def cost_terms(task="derain", level=0.3, p=1.0, lam=1.0, norm="backward", crop=32):
        return viz_costs.draw_cost_terms(clean, task, level, p, lam, norm, crop)

    def pairing(task="derain", p=1.0, lam=1.0, transform="dct"):
        return viz_costs.draw_pairing(task, p, lam, transform, n=24)

    return [
        (viz_costs.draw_cost_lab,
         dict(cost_family, data=["points", "signals"], base=viz_costs.BASES,
              lam=(0.0, 5.0, 0.1), norm=viz_costs.NORMS),
         [{"data": "signals", "lam": 0.0}, {"data": "signals", "p": 0.5}]),
        (residual_axes, dict(cost_family, lam=(0.0, 5.0, 0.1), base=viz_costs.BASES),
         [{"lam": 2.0, "p": 2.0}]),
        (cost_terms,
         {"task": ["derain", "denoise_25", "dehaze"], "level": (0.0, 1.0, 0.05),
          "p": (0.5, 2.0, 0.05), "lam": (0.0, 3.0, 0.1), "norm": viz_costs.NORMS,
          "crop": (32, 64, 32)},
         [{"task": "denoise_25", "p": 2.0, "norm": "ortho"}]),
        (pairing, dict(cost_family, task=["derain", "denoise_50"],
                       lam=(0.0, 3.0, 0.1)),
         [{"task": "denoise_50", "p": 0.5}]),
    ]


@pytest.mark.parametrize("index", range(4), ids=["lab01", "axes02", "terms03",
                                                  "pairing03"])
def test_cost_widgets_draw_static_presets(index, capsys):
    fn, controls, presets = _lab_widgets()[index]
    interact_or_static(fn, presets=presets, headless=True, **controls)
    out = capsys.readouterr().out
    assert out.count("[static]") == 1 + len(presets)
    assert plt.get_fignums() == []


@pytest.mark.parametrize("index", range(4), ids=["lab01", "axes02", "terms03",
                                                  "pairing03"])
def test_cost_widgets_redraw_when_a_control_moves(index, monkeypatch):
    """Live mode: every control is a widget, and moving it redraws with its value."""
    import functools

    import IPython.display

    fn, controls, _ = _lab_widgets()[index]
    calls, failures = [], []

    @functools.wraps(fn)
    def recording(**kwargs):
        try:
            fn(**kwargs)
            calls.append((kwargs, len(plt.get_fignums())))
        except Exception as exc:  # interact would only log it
            failures.append(exc)

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    interact_or_static(recording, headless=False, **controls)
    box = shown[0]
    widgets = {w.description: w for w in box.children if getattr(w, "description", "")}
    assert set(widgets) == set(controls)
    for name, w in widgets.items():
        options = getattr(w, "options", None)
        if options:
            new = next(o for o in options if o != w.value)
        else:
            new = w.max if w.value != w.max else w.min
        w.value = new
        assert calls[-1][0][name] == new, f"{name} did not redraw"
        assert calls[-1][1] == 1, f"{name}: the redraw drew no figure"
    assert not failures, failures
    assert plt.get_fignums() == []
