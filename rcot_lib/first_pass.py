r"""What the first pass of the two-pass map is: ``x0 = G(x)`` scored like ``T(x)``.

DA-RCOT (Eq. 14-15) runs the generator twice: ``x0 = G(x)`` without a condition,
the residual ``r0 = x - x0`` is embedded by REGM, and ``T(x) = G(x | e1, e2, e3)``.
The paper calls ``x0`` "an intermediate restored result", but neither the paper's
objective nor the authors' code puts a loss on ``x0``: only ``T(x)`` is trained.
:func:`first_pass_scores` measures what ``x0`` then is, per benchmark image.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from rcot_lib.metrics import psnr


def first_pass_scores(
    T: torch.nn.Module, items: Iterable[tuple[str, torch.Tensor, torch.Tensor]]
) -> dict:
    """RGB PSNR of the input ``x``, the first pass ``x0`` and the output ``T(x)``.

    Parameters
    ----------
    T : TwoPassMap
        A map with a residual condition (``T(x, return_all=True).x0``).
    items : iterable of (name, x, y)
        Degraded and clean images ``(C, H, W)`` in ``[0, 1]`` (e.g.
        :func:`rcot_lib.scoring.pair_items`).

    Returns
    -------
    dict
        ``psnr_in``, ``psnr_x0``, ``psnr_out`` (means over images), ``count``
        and ``images`` (the three values per image).
    """
    rows = []
    T.eval()
    with torch.no_grad():
        for name, x, y in items:
            o = T(x[None].float(), return_all=True)
            x0, out = o.x0.clamp(0, 1)[0], o.out.clamp(0, 1)[0]
            rows.append({"name": name, "psnr_in": float(psnr(x, y)),
                         "psnr_x0": float(psnr(x0, y)),
                         "psnr_out": float(psnr(out, y))})
    if not rows:
        raise ValueError("no image to score")
    mean = {k: round(sum(r[k] for r in rows) / len(rows), 2)
            for k in ("psnr_in", "psnr_x0", "psnr_out")}
    return {**mean, "count": len(rows), "images": rows}


#: The runs of ``scripts/first_pass_results.py``, in table order.
WEIGHT_RUNS = {"no_x0_loss": "two-pass (paper)", "x0_loss": "two-pass + loss on x0"}


def weight_table(results: dict, one_pass: dict | None = None) -> str:
    """Markdown table of ``first_pass_weight_steps<N>.json``: per benchmark the PSNR
    of ``x``, then ``x0`` and ``T(x)`` of each run (RGB; a last row gives Rain100L
    on Y, where ``x0`` is not scored).

    ``one_pass`` adds the benchmarks of the same seed's map without a condition
    (``ablation_steps3000.json``'s ``none`` run: CBSD68 sigma 25, SOTS-outdoor and
    Rain100L on RGB, Rain100L on Y), so that the conditioning gain with and without the
    loss on ``x0`` can be read off.
    """
    from rcot_lib.eval_data import EVAL_SETS
    from rcot_lib.tables import markdown_table

    runs = {k: results["runs"][k] for k in WEIGHT_RUNS if k in results["runs"]}
    one_pass = one_pass or {}
    head = ["set", "x"] + (["one-pass map: T(x)"] if one_pass else [])
    for key in runs:
        head += [f"{WEIGHT_RUNS[key]}: x0", f"{WEIGHT_RUNS[key]}: T(x)"]
    first = next(iter(runs.values()))["first_pass"]
    rows = []
    for name, scores in first.items():
        row = [EVAL_SETS.get(name, name), f"{scores['psnr_in']:.2f}"]
        if one_pass:
            bench = one_pass.get(name)  # "-" for a set the one-pass run lacks
            row.append(f"{bench['psnr_out']:.2f}" if bench else "-")
        for run in runs.values():
            fp = run["first_pass"].get(name, {})
            row += [f"{fp['psnr_x0']:.2f}" if fp else "-",
                    f"{fp['psnr_out']:.2f}" if fp else "-"]
        rows.append(row)
    rain = {k: run["benchmarks"].get("rain100l_rgb", {}) for k, run in runs.items()}
    if all("psnr_y_out" in b for b in rain.values()):
        y_in = next(iter(rain.values()))["psnr_y_in"]
        row = ["Rain100L (Y)", f"{y_in:.2f}"]
        if one_pass:
            bench = one_pass.get("rain100l") or {}
            row.append(f"{bench['psnr_out']:.2f}" if bench else "-")
        for b in rain.values():
            row += ["-", f"{b['psnr_y_out']:.2f}"]
        rows.append(row)
    return markdown_table(head, rows)


def separation_table(results: dict) -> str:
    """Markdown table of Fig. 4's scores per run of ``first_pass_weight_steps<N>.json``:
    5-NN task accuracy and silhouette of ``e3``, of the generator's feature and of
    the REGM applied to ``x`` (``rcot tsne --json``)."""
    from rcot_lib.embeddings import KIND_LABELS
    from rcot_lib.tables import markdown_table

    rows = []
    for key, label in WEIGHT_RUNS.items():
        tsne = results["runs"].get(key, {}).get("tsne", {})
        for kind, v in tsne.items():
            if kind in KIND_LABELS:
                rows.append([label, KIND_LABELS[kind], f"{v['knn_accuracy']:.2f}",
                             f"{v['silhouette']:.2f}"])
    return markdown_table(["run", "embedding", "5-NN accuracy", "silhouette"], rows)
