"""Residual embeddings of degraded images, and the baseline (DA-RCOT Fig. 4).

DA-RCOT conditions its second pass on embeddings of the first-pass residual
``r0 = x - G(x)`` (Eq. 14-15); the contrastive loss (Eq. 16) pulls the dense
embedding ``e3`` of one degradation together. The paper's Fig. 4 shows this as a
t-SNE of ``e3`` against an embedding of the degraded input itself (PromptIR's
prompts). Here the like-for-like baseline is the map's own deepest encoder feature
of ``x`` in pass 1: same network, same pooling, but no residual.

This module extracts the embeddings; the degraded images they are taken from are
built by :mod:`rcot_lib.embedding_images`, and the scores and the t-SNE live in
:mod:`rcot_lib.embedding_metrics` (and are re-exported here).

References
----------
.. [1] X. Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024.
.. [2] X. Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport
   for Unified Image Restoration", IEEE TPAMI 2025 (Fig. 4, Eq. 14-16).
.. [3] L. van der Maaten and G. Hinton, "Visualizing Data using t-SNE", JMLR 2008.
.. [4] V. Potlapalli et al., "PromptIR: Prompting for All-in-One Blind Image
   Restoration", NeurIPS 2023.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from rcot_lib.embedding_metrics import (  # noqa: F401 (re-exported)
    TsneCache,
    embedding_scores,
    knn_accuracy,
    l2_normalise,
    level_order,
    silhouette,
    tsne_2d,
)
from rcot_lib.moved_names import forward

#: Embedding kinds: the residual's dense latent ``e3`` (REGM encoder of
#: ``r0 = x - G(x)``); the baseline (the generator's deepest encoder feature of
#: ``x``; 256 channels in cpu-small against e3's 128); and ``regm_input``, the
#: REGM encoder of ``x`` itself:
#: the same network, width and scale as ``e3``, only the input differs.
KINDS = ("residual", "baseline", "regm_input")
#: Short names for tables and figure panels.
KIND_LABELS = {
    "residual": "residual embedding e3 = E(x - G(x))",
    "baseline": "baseline: generator feature of x",
    "regm_input": "same width: E(x), REGM encoder of x",
}
#: Pooling of a ``(C, h, w)`` feature map into one vector per image.
POOLS = ("flatten", "mean", "meanstd")


def pool(feature: torch.Tensor, mode: str = "flatten") -> torch.Tensor:
    """One vector per image from a ``(B, C, h, w)`` feature map.

    ``"flatten"`` keeps every position (``C h w`` numbers): the space in which the
    contrastive loss (Eq. 16) compares L2-normalised ``e3``, hence the space the
    training shapes; it needs a fixed input size, so images are cropped to one
    size. ``"mean"`` (global average, ``C`` numbers) and ``"meanstd"`` (mean and
    standard deviation per channel, ``2 C``) forget where things are and work at
    any size.

    Examples
    --------
    >>> f = torch.ones(2, 4, 3, 3)
    >>> [tuple(pool(f, m).shape) for m in POOLS]
    [(2, 36), (2, 4), (2, 8)]
    """
    if feature.ndim != 4:
        raise ValueError(f"expected a (B, C, h, w) feature, got {tuple(feature.shape)}")
    if mode == "flatten":
        return feature.flatten(1)  # (B, C h w)
    if mode == "mean":
        return feature.mean(dim=(2, 3))  # (B, C)
    if mode == "meanstd":
        return torch.cat([feature.mean(dim=(2, 3)), feature.std(dim=(2, 3))], 1)
    raise ValueError(f"unknown pool {mode!r}; choose from {', '.join(POOLS)}")


def repool(X: np.ndarray, side: int, mode: str) -> np.ndarray:
    """Pool flattened ``(n, C side side)`` embeddings again, as :func:`pool` would.

    One extraction with ``"flatten"`` thus serves every pooling.

    Examples
    --------
    >>> repool(np.ones((2, 4 * 3 * 3)), 3, "mean").shape
    (2, 4)
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] % (side * side):
        raise ValueError(f"cannot view {X.shape} as (n, C, {side}, {side})")
    fmap = torch.from_numpy(X.reshape(len(X), -1, side, side))
    return pool(fmap, mode).numpy()


def input_embedding(T: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Baseline: the deepest pass-1 encoder feature of ``x``, ``(B, C, H/8, W/8)``.

    Like PromptIR's prompts it describes the degraded image itself, not the
    residual ``x - G(x)``; same network, same scale as ``e3``.
    """
    from rcot_lib.models import pad_to_multiple

    xp, _, _ = pad_to_multiple(x, T.multiple)  # (B, C, H', W')
    return T.generator.encode(xp)[-1]


def _both(T: torch.nn.Module, x: torch.Tensor, kinds: tuple[str, ...]) -> dict:
    """Every kind asked for, from one pass-1 encoder run (as ``T.embed`` does)."""
    from rcot_lib.models import pad_to_multiple

    xp, _, _ = pad_to_multiple(x, T.multiple)  # (B, C, H', W')
    feats = T.generator.encode(xp)
    out = {"baseline": feats[-1]} if "baseline" in kinds else {}
    if {"residual", "regm_input"} & set(kinds) and T.regm is None:
        raise ValueError("a map with condition='none' has no REGM encoder")
    if "residual" in kinds:
        r0 = xp - T.generator.decode(xp, feats)  # (B, C, H', W')
        out["residual"] = T.regm.embed(r0)  # (B, C3, H'/8, W'/8)
    if "regm_input" in kinds:
        out["regm_input"] = T.regm.embed(xp)  # (B, C3, H'/8, W'/8)
    return out


def extract(
    T: torch.nn.Module,
    images: torch.Tensor,
    kinds: tuple[str, ...] = KINDS,
    pool_mode: str = "flatten",
    batch_size: int = 16,
    device: str | torch.device = "auto",
    progress: bool = True,
) -> dict[str, np.ndarray]:
    r"""Pooled embeddings of every image, per kind.

    .. math::

        z^{res}_i = \mathrm{pool}(\mathcal{E}(x_i - G(x_i))) \qquad
        z^{base}_i = \mathrm{pool}(\mathcal{E}_G(x_i)) \qquad
        z^{in}_i = \mathrm{pool}(\mathcal{E}(x_i))

    where :math:`\mathcal{E}` is the REGM encoder (Eq. 15) and
    :math:`\mathcal{E}_G` the generator's encoder.

    Parameters
    ----------
    T : TwoPassMap
        A map from :func:`rcot_lib.models.build_map` (trained or not).
    images : Tensor (N, C, H, W)
        Degraded images in ``[0, 1]``, all of one size.
    kinds : tuple of str
        Among :data:`KINDS`.
    pool_mode : str
        One of :data:`POOLS` (see :func:`pool`).
    batch_size : int
    device : str or torch.device
        ``"auto"`` picks CUDA, MPS or the CPU.

    Returns
    -------
    dict
        Kind -> ``float32`` array ``(N, d)``.
    """
    from tqdm.auto import tqdm

    from rcot_lib.device import get_device

    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ValueError(f"unknown kinds {bad}; choose from {', '.join(KINDS)}")
    if images.ndim != 4:
        raise ValueError(f"expected images (N, C, H, W), got {tuple(images.shape)}")
    pool(torch.zeros(1, 1, 1, 1), pool_mode)  # validate early
    device = get_device(device) if isinstance(device, str) else device
    T = T.to(device).eval()
    out: dict[str, list] = {k: [] for k in kinds}
    starts = range(0, len(images), batch_size)
    with torch.inference_mode():
        for s in tqdm(starts, desc="embeddings", unit="batch", disable=not progress):
            x = images[s : s + batch_size].to(device)  # (b, C, H, W)
            for kind, z in _both(T, x, kinds).items():
                out[kind].append(pool(z, pool_mode).float().cpu())
    return {k: torch.cat(v).numpy() for k, v in out.items()}


def load_for_embedding(
    checkpoint: str | None, device: str | torch.device = "cpu", seed: int = 0,
) -> tuple[torch.nn.Module, str]:
    """A trained map from ``checkpoint``, or a seeded untrained one when it is missing.

    Returns
    -------
    T : TwoPassMap
        In eval mode.
    note : str
        Which weights were used (printed by the notebook and the command).
    """
    from rcot_lib.models import ModelConfig, build_map

    if checkpoint and Path(checkpoint).is_file():
        from rcot_lib.checkpoint import load_map

        T, cfg = load_map(checkpoint, device=device)
        step = f", step {cfg['step']}" if cfg.get("step") is not None else ""
        return T.eval(), f"checkpoint {checkpoint}{step}"
    torch.manual_seed(seed)
    T = build_map(ModelConfig()).to(device).eval()
    what = f"checkpoint {checkpoint} not found" if checkpoint else "no checkpoint"
    return T, (
        f"{what}: UNTRAINED map (random weights, "
        f"seed {seed}); the scores say nothing about the method"
    )


#: Names that moved out of this module keep this import path (see
#: :mod:`rcot_lib.moved_names`).
__getattr__ = forward(__name__, {
    "rcot_lib.embedding_images": (
        "REAL_PAIRS", "CLEAN_SET", "FIG4_TASKS", "ImageSet", "random_crop",
        "degraded_set",
    ),
})
