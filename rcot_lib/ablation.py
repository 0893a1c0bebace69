"""The conditioning ablation (DA-RCOT Table VI) at an equal training budget.

No condition (the plain backbone ``G``), RCOT's single latent embedding ``e3``
and DA-RCOT's multi-scale embeddings ``(e1, e2, e3)`` (Eq. 14-15) are trained
with the same configuration, steps and seed, then scored on the same validation
batch.
"""

from __future__ import annotations

import torch

from rcot_lib.presets import TrainConfig

CONDITIONS = ("none", "single", "multiscale")


def conditioning_ablation(
    cfg: TrainConfig,
    conditions: tuple[str, ...] = CONDITIONS,
    *,
    data: str | None = None,
    device: str | torch.device = "auto",
    progress: bool = True,
) -> list[dict]:
    """Train one map per condition with ``cfg`` and compare them.

    Returns
    -------
    list of dict
        One row per condition: ``condition``, ``params`` (map parameters),
        ``val_psnr_in`` / ``val_psnr`` (RGB PSNR of inputs and outputs on the
        fixed validation batch of :func:`rcot_lib.datasets.validation_batch`)
        and ``seconds`` (training wall time).
    """
    import time

    from rcot_lib.datasets import validation_batch
    from rcot_lib.models import count_parameters
    from rcot_lib.restore import validate
    from rcot_lib.train import train

    val = validation_batch(cfg.tasks, cfg.val_size, cfg.val_images)
    rows = []
    for condition in conditions:
        variant = cfg.replace(model={"condition": condition}, val_every=0)
        start = time.perf_counter()
        result = train(variant, None, device=device, data=data, progress=progress)
        seconds = time.perf_counter() - start
        T = result.T.cpu()
        rows.append(
            {"condition": condition, "params": count_parameters(T), "seconds": seconds}
            | validate(T, val)
        )
    return rows
