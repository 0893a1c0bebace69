"""Widgets that degrade to static plots when no front end is attached.

In JupyterLab, :func:`interact_or_static` shows an :func:`ipywidgets.interact`
UI. Executed headless (``rcot notebooks``, nbclient, nbmake, CI) or without
ipywidgets it calls the function once with its default arguments and once per
preset, so the executed notebook holds real figures and never waits on a widget.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rcot_lib.environment import env_flag


def in_notebook_kernel() -> bool:
    """True inside a Jupyter (IPython) kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def is_headless() -> bool:
    """True when widgets cannot be shown: ``RCOT_HEADLESS=1`` or no Jupyter kernel."""
    return env_flag("RCOT_HEADLESS") or not in_notebook_kernel()


def _defaults(fn: Callable[..., Any]) -> dict[str, Any]:
    sig = inspect.signature(fn)
    return {
        name: p.default
        for name, p in sig.parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _to_widget(name: str, spec: Any, default: Any) -> Any:
    """An ``interact``-style abbreviation as a widget (sliders update on release)."""
    import ipywidgets as w

    if isinstance(spec, w.Widget):
        return spec
    if isinstance(spec, bool):
        return w.Checkbox(value=spec if default is None else default, description=name)
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        lo, hi = spec[0], spec[1]
        is_int = all(isinstance(v, int) for v in spec)
        step = spec[2] if len(spec) == 3 else (1 if is_int else (hi - lo) / 100)
        value = default if default is not None else lo
        cls = w.IntSlider if is_int else w.FloatSlider
        return cls(
            value=value,
            min=lo,
            max=hi,
            step=step,
            description=name,
            continuous_update=False,
        )
    if isinstance(spec, (list, dict)):
        options = spec
        return w.Dropdown(options=options, value=default, description=name)
    raise TypeError(
        f"control {name!r}: unsupported widget spec {spec!r}; use (min, max[, step]), "
        "a list of options, a bool, or an ipywidgets widget"
    )


def interact_or_static(
    fn: Callable[..., Any],
    *,
    presets: Iterable[Mapping[str, Any]] = (),
    headless: bool | None = None,
    **controls: Any,
) -> None:
    """Show ``fn`` with widgets in a live front end, else as static plots.

    Parameters
    ----------
    fn : callable
        Draws one figure (matplotlib) for keyword arguments; every controlled
        argument needs a default value in ``fn``'s signature.
    presets : iterable of dict
        Extra settings drawn in the static fallback (2-3 is plenty), so a reader
        of an executed notebook sees what the widget would show.
    headless : bool, optional
        Force a mode; by default :func:`is_headless` decides.
    **controls
        ``interact`` abbreviations: ``(min, max[, step])`` for a slider, a list
        for a dropdown, a bool for a checkbox, or a ready widget.

    Nothing is returned (so a notebook cell ending with this call shows no
    stray value); the widget, or the static figures, are displayed.
    """
    import matplotlib.pyplot as plt

    defaults = _defaults(fn)
    missing = [name for name in controls if name not in defaults]
    if missing:
        raise ValueError(f"{fn.__name__}: controls without a default value: {missing}")

    def draw(**kwargs: Any) -> None:
        fn(**kwargs)  # its value is dropped: interact would print it under the plot
        if plt.get_fignums():
            plt.show()
            plt.close("all")  # inline backends close on show; Agg does not

    use_static = is_headless() if headless is None else headless
    if not use_static:
        try:
            import ipywidgets
        except ImportError:
            use_static = True
    if use_static:
        for setting in [{}, *presets]:
            unknown = set(setting) - set(controls)
            if unknown:
                raise ValueError(f"preset names unknown controls: {sorted(unknown)}")
            kwargs = {k: defaults[k] for k in controls} | dict(setting)
            label = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
            print(f"[static] {fn.__name__}({label})")
            draw(**kwargs)
        return None
    from IPython.display import display

    widgets = {k: _to_widget(k, spec, defaults[k]) for k, spec in controls.items()}
    display(ipywidgets.interactive(draw, **widgets))
