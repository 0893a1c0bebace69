"""Plots of the toy 2-D transport problems of notebooks 01-02 (matplotlib only).

Source and target point clouds, a transport plan drawn as segments or as a matrix,
a map drawn as arrows ``x -> T(x)``, and residuals ``x - T(x)`` in the DCT basis.
Every function draws on the ``ax`` it is given (or a new figure) and returns the
figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def _axes(ax: plt.Axes | None, size: float = 4.0) -> tuple[plt.Figure, plt.Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=(size, size))
        return fig, ax
    return ax.figure, ax


def plot_samples(
    X: np.ndarray, Y: np.ndarray, ax: plt.Axes | None = None, title: str = ""
) -> plt.Figure:
    """Source ``X`` (blue) and target ``Y`` (orange) point clouds, each ``(n, 2)``."""
    fig, ax = _axes(ax)
    ax.scatter(*X.T, s=6, c="tab:blue", alpha=0.6, label="source $\\mu$")
    ax.scatter(*Y.T, s=6, c="tab:orange", alpha=0.6, label="target $\\nu$")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title, fontsize=10)
    return fig


def plot_plan(
    X: np.ndarray, Y: np.ndarray, P: np.ndarray, ax: plt.Axes | None = None,
    title: str = "", max_lines: int = 600, threshold: float = 1e-8,
) -> plt.Figure:
    """A transport plan ``P`` ``(n, m)`` drawn as segments ``x_i -> y_j``, darker for
    more mass (the ``max_lines`` heaviest entries above ``threshold`` of the max)."""
    from matplotlib.collections import LineCollection

    fig, ax = _axes(ax)
    flat = P.ravel()
    keep = np.flatnonzero(flat > threshold * flat.max())
    keep = keep[np.argsort(flat[keep])[::-1][:max_lines]]
    i, j = np.unravel_index(keep, P.shape)
    alpha = np.clip(flat[keep] / flat[keep].max(), 0.05, 1.0)
    colors = np.zeros((len(keep), 4))
    colors[:, 3] = alpha * 0.8
    ax.add_collection(LineCollection(np.stack([X[i], Y[j]], 1), colors=colors, lw=0.8))
    ax.scatter(*X.T, s=10, c="tab:blue", zorder=3)
    ax.scatter(*Y.T, s=10, c="tab:orange", zorder=3)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    return fig


def plot_plan_matrix(
    P: np.ndarray, ax: plt.Axes | None = None, title: str = ""
) -> plt.Figure:
    """The plan ``P`` ``(n, m)`` as an image (rows: sources, columns: targets)."""
    fig, ax = _axes(ax, 3.5)
    ax.imshow(P, cmap="Greys", interpolation="nearest")
    ax.set_xlabel("target $j$")
    ax.set_ylabel("source $i$")
    ax.set_title(title, fontsize=10)
    return fig


def plot_map_arrows(
    X: np.ndarray, TX: np.ndarray, Y: np.ndarray | None = None,
    ax: plt.Axes | None = None, title: str = "", max_arrows: int = 250,
) -> plt.Figure:
    """A map as arrows ``x -> T(x)`` over the target cloud ``Y`` (if given)."""
    fig, ax = _axes(ax)
    if Y is not None:
        ax.scatter(*Y.T, s=5, c="tab:orange", alpha=0.35, label="target $\\nu$")
    k = min(len(X), max_arrows)
    d = TX[:k] - X[:k]
    ax.quiver(
        X[:k, 0], X[:k, 1], d[:, 0], d[:, 1], angles="xy", scale_units="xy",
        scale=1, width=0.003, color="0.25", alpha=0.7,
    )
    ax.scatter(*X[:k].T, s=6, c="tab:blue", label="$x$")
    ax.scatter(*TX[:k].T, s=6, c="tab:green", label="$T(x)$")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title, fontsize=10)
    return fig


def plot_residual_scatter(
    R: np.ndarray, ax: plt.Axes | None = None, title: str = "", dct: bool = True,
) -> plt.Figure:
    """Residuals ``r = x - T(x)`` ``(n, 2)``, in the DCT basis when ``dct`` (axes
    ``(Dr)_0``, ``(Dr)_1``): sparse residuals hug the axes."""
    from rcot_lib.costs import dct_matrix

    fig, ax = _axes(ax)
    Z = R @ dct_matrix(2).T if dct else R
    ax.scatter(*Z.T, s=5, alpha=0.5)
    ax.axhline(0, c="0.6", lw=0.6)
    ax.axvline(0, c="0.6", lw=0.6)
    name = "(Dr)" if dct else "r"
    ax.set_xlabel(f"${name}_0$")
    ax.set_ylabel(f"${name}_1$")
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    return fig
