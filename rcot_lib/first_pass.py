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
        :func:`rcot_lib.restore.pair_items`).

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
