"""Plots of embeddings (DA-RCOT Fig. 4): a t-SNE scattered by task, and t-SNE
panels side by side with their scores in the titles.

Every function draws on the ``ax`` it is given (or a new figure) and returns the
figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

#: Colours of the tasks in embedding plots: the noise levels in light to dark blue
#: (so their order reads off the plot), the other tasks in distinct hues.
TASK_COLOURS = {
    "denoise_15": "#9ecae1", "denoise_25": "#4292c6", "denoise_50": "#08306b",
    "derain": "#e6550d", "dehaze": "#31a354", "deblur": "#756bb1",
    "lowlight": "#8c6d31",
}


def plot_tsne(
    Y: np.ndarray, tasks: np.ndarray, ax: plt.Axes | None = None,
    title: str | None = None, size: float = 12.0,
) -> plt.Figure:
    """A 2-D t-SNE ``(n, 2)`` scattered by task (noise levels light to dark blue).

    The axes carry no ticks: t-SNE coordinates have no unit and only the
    neighbourhoods mean something.
    """
    Y, tasks = np.asarray(Y), np.asarray(tasks)
    if Y.ndim != 2 or Y.shape[1] != 2 or len(Y) != len(tasks):
        raise ValueError(
            f"expected Y (n, 2) and tasks (n,), got {Y.shape}, {tasks.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    for task in dict.fromkeys(tasks.tolist()):
        m = tasks == task
        ax.scatter(Y[m, 0], Y[m, 1], s=size, c=TASK_COLOURS.get(task, None),
                   label=f"{task} ({m.sum()})", alpha=0.8, linewidths=0)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, markerscale=1.5, loc="upper center", ncol=3,
              bbox_to_anchor=(0.5, -0.01), frameon=False)  # below the points
    return ax.figure


def plot_tsne_panels(
    panels: dict, scores: dict | None = None, suptitle: str | None = None,
) -> plt.Figure:
    """t-SNE panels side by side, ``{name: (Y (n, 2), tasks (n,))}``.

    With ``scores`` (``{name: embedding_scores(...)}``), each title carries the
    silhouette, the k-NN accuracy and whether the noise levels are ordered.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.8 * len(panels), 4.8),
                             squeeze=False)
    for ax, (name, (Y, tasks)) in zip(axes.flat, panels.items(), strict=True):
        title = name
        s = (scores or {}).get(name)
        if s:
            order = s.get("noise_levels_ordered")
            title += (f"\nsilhouette {s['silhouette']:.2f}, "
                      f"5-NN acc. {s['knn_accuracy']:.2f}")
            if order is not None:
                title += f", levels {'ordered' if order else 'not ordered'}"
        plot_tsne(Y, tasks, ax=ax, title=title)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig
