r"""Unpaired restoration by FROT (Eq. 8): the best response of the map, and the
paper's unpaired comparison at CPU scale.

The map step of Eq. 8 minimises, for each degraded ``x``,

.. math::
    c(x, T(x)) - \varphi(T(x)), \qquad T(x) = x - r .

Near ``x`` the potential is linear, ``phi(x - r) ~ phi(x) - <g, r>`` with
``g = grad phi(x)``, so the best residual is

.. math::
    r^\star = \arg\min_r \; c(r) + \langle g, r\rangle ,

the (linearised) c-transform. :func:`best_response` solves it in closed form for
the costs of :func:`unpaired_variant` and shows what each part
of the cost does:

- ``c = sigma ||r||`` (1-homogeneous, the authors' base): ``r* = 0`` when
  ``||g|| < sigma`` and unbounded when ``||g|| > sigma``: a knife edge, since the
  gradient penalty holds ``||g||`` near 1;
- ``c = sigma ||r||^2``: ``r* = -g / (2 sigma)``, finite for any potential;
- ``+ sigma lam ||F r||_1`` (``p = 1``): soft thresholding of ``F g``: only the
  Fourier coefficients where the potential pulls harder than ``sigma lam`` move,
  so the residual is sparse in the Fourier domain (SOT, RCOT for rain and haze);
- ``+ sigma lam ||F r||_2`` (``p = 2``): the whole residual shrinks by the same
  factor, or is zero: no preferred frequency (RCOT for white noise).

References
----------
.. [1] Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024.
.. [2] Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport for
   Unified Image Restoration", TPAMI 2025 (Eq. 8; Table VIII's unpaired rows).
.. [3] Wang et al., "Optimal Transport for Unsupervised Denoising Learning"
   (OTUR), TPAMI 2022.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from rcot_lib.environment import RESULTS_DIR

if TYPE_CHECKING:
    from rcot_lib.presets import TrainConfig

#: The paper's unpaired rows, in the order of its table.
VARIANTS = ("wgan-gp", "otur", "sot", "rcot", "da-rcot")
#: The supervised reference of the comparison (``scripts/unpaired_cpu.sh``):
#: ``cpu-small``'s one-pass map on the pair L1 term alone.
REFERENCES = ("l1",)
#: The labels the tables print.
LABELS = {"wgan-gp": "WGAN-GP*", "otur": "OTUR*", "sot": "SOT*", "rcot": "RCOT*",
          "da-rcot": "DA-RCOT*", "l1": "L1 (supervised)"}


#: The paper's unpaired rows (DA-RCOT Table VIII) as changes of ``cpu-unpaired``.
UNPAIRED_VARIANTS = {
    "wgan-gp": {"sigma": 0.0, "con_weight": 0.0,
                "model": {"condition": "none"}},
    "otur": {"lam": 0.0, "con_weight": 0.0, "model": {"condition": "none"}},
    "sot": {"con_weight": 0.0, "model": {"condition": "none"}, "task_p": "ones"},
    "rcot": {"model": {"condition": "single"}},
    "da-rcot": {"model": {"condition": "multiscale"}},
}


def unpaired_variant(name: str, base: TrainConfig | None = None) -> TrainConfig:
    """One of the paper's unpaired comparisons, from ``cpu-unpaired`` (or ``base``).

    ``wgan-gp``: the adversarial term only (no transport cost); ``otur``: the
    quadratic pixel cost only; ``sot``: the sparse ``p = 1`` Fourier cost for
    every task, no residual condition; ``rcot``: ``p`` by degradation and the
    single residual embedding; ``da-rcot``: ``p`` by degradation and the
    multi-scale embeddings with the contrastive term.

    Examples
    --------
    >>> unpaired_variant("sot").task_p
    (1.0, 1.0, 1.0, 1.0, 1.0)
    """
    if name not in UNPAIRED_VARIANTS:
        raise ValueError(
            f"unknown unpaired variant {name!r}; "
            f"choose from {', '.join(UNPAIRED_VARIANTS)}"
        )
    from rcot_lib.presets import get_preset

    cfg = base or get_preset("cpu-unpaired")
    changes = dict(UNPAIRED_VARIANTS[name])
    if changes.get("task_p") == "ones":
        changes["task_p"] = (1.0,) * len(cfg.tasks)
    return cfg.replace(name=f"{cfg.name}-{name}", **changes)



def _shrink(coef: torch.Tensor, threshold: float) -> torch.Tensor:
    """Soft thresholding by modulus (real or complex coefficients)."""
    mag = coef.abs()
    return coef * torch.clamp(1 - threshold / mag.clamp_min(1e-30), min=0.0)


def best_response(
    g: torch.Tensor,
    sigma: float,
    lam: float = 0.0,
    p: float = 1,
    base: str = "sqeuclidean",
    transform: str = "fft",
) -> torch.Tensor:
    r"""The residual ``r*`` that minimises ``c(r) + <g, r>`` (linearised Eq. 8).

    The cost is ``sigma (d(r) + lam ||F r||_p)`` in the ``"l2"`` units of
    :mod:`rcot_lib.image_costs` (``F`` orthonormal; the ``p = 1`` term is
    ``||F r||_1 / sqrt(N)``), with ``d = ||r||^2`` (``"sqeuclidean"``) or
    ``||r||`` (``"euclidean"``).

    Parameters
    ----------
    g : torch.Tensor, shape (C, H, W)
        The potential's gradient at ``x``.
    sigma, lam : float
        Weight of the cost and of its Fourier term.
    p : {1, 2}
    base : {"sqeuclidean", "euclidean"}
    transform : {"fft", "dct"}

    Returns
    -------
    torch.Tensor, shape (C, H, W)
        ``r*``; the map moves ``x`` to ``x - r*``. For the ``"euclidean"`` base the
        minimum is 0 or ``-inf``: zeros are returned where the cost wins, and a
        ``ValueError`` says when it does not (the map runs away).

    Examples
    --------
    >>> g = torch.ones(1, 2, 2)
    >>> best_response(g, sigma=0.5).flatten().tolist()  # -g / (2 sigma)
    [-1.0, -1.0, -1.0, -1.0]
    """
    from rcot_lib.image_costs import dct2

    if sigma <= 0:
        raise ValueError(f"sigma={sigma} must be positive: without a cost the map "
                         "follows grad phi without bound")
    if p not in (1, 2):
        raise ValueError(f"closed forms exist for p = 1 and p = 2, not p={p!r}")
    if base == "euclidean":
        if lam:
            raise ValueError("the euclidean base is shown without a Fourier term")
        norm = float(g.norm())
        if norm > sigma:
            raise ValueError(
                f"||g|| = {norm:.3g} > sigma = {sigma:.3g}: inf_r sigma ||r|| + <g, r> "
                "is -inf (the map runs away along grad phi)"
            )
        return torch.zeros_like(g)
    if base != "sqeuclidean":
        raise ValueError(f"base={base!r} is not one of ['sqeuclidean', 'euclidean']")
    n = g.numel()
    if transform == "fft":
        h = torch.fft.fft2(g.double(), norm="ortho")
        inverse = lambda u: torch.fft.ifft2(u, norm="ortho").real  # noqa: E731
    elif transform == "dct":
        h = dct2(g.double())
        inverse = lambda u: dct2(u, inverse=True)  # noqa: E731
    else:
        raise ValueError(f"transform={transform!r} is not one of ['fft', 'dct']")
    if lam and p == 1:
        h = _shrink(h, sigma * lam / math.sqrt(n))
    elif lam and p == 2:
        total = float(h.abs().pow(2).sum().sqrt())
        h = h * max(0.0, 1 - sigma * lam / max(total, 1e-30))
    return (-inverse(h) / (2 * sigma)).to(g.dtype)


def noisy_gradient(
    x: torch.Tensor, y: torch.Tensor, sigma: float = 0.5, critic_noise: float = 0.5,
    seed: int = 0,
) -> torch.Tensor:
    r"""A model of an imperfect potential's gradient at ``x``, ``(C, H, W)``.

    .. math:: g = 2\sigma\Big((y - x) + \eta\,\|y - x\|\,\frac{w}{\|w\|}\Big),
        \qquad w \sim \mathcal N(0, I)

    the ideal direction toward the clean image plus white noise of relative size
    ``critic_noise`` (``eta``): without a Fourier term and without noise the best
    response of the quadratic cost lands on ``y``.
    """
    gen = torch.Generator().manual_seed(seed)
    true = x - y
    w = torch.randn(true.shape, generator=gen, dtype=true.dtype)
    return 2 * sigma * (-true + critic_noise * true.norm() * w / w.norm())


def best_response_psnr(
    x: torch.Tensor, y: torch.Tensor, lam: float, p: float = 1, sigma: float = 0.5,
    critic_noise: float = 0.5, seed: int = 0,
) -> float:
    """PSNR (dB) of the best response ``x - r*`` to :func:`noisy_gradient` against
    ``y``, under ``sigma (||r||^2 + lam ||F r||_p)`` (:func:`best_response`)."""
    from rcot_lib.metrics import psnr

    g = noisy_gradient(x, y, sigma, critic_noise, seed)
    return float(psnr(x - best_response(g, sigma=sigma, lam=lam, p=p), y))


def lambda_for_gain(
    x: torch.Tensor, y: torch.Tensor, gain_db: float = 2.0, p: float = 1,
    sigma: float = 0.5, critic_noise: float = 0.5, seed: int = 0,
    lam_max: float = 400.0, step: float = 5.0,
) -> float:
    """The smallest ``lam`` at which the best response of :func:`best_response_psnr`
    beats ``lam = 0`` by ``gain_db`` (a scan by ``step``, then bisection to
    ``1e-2``); ``inf`` when no ``lam`` up to ``lam_max`` does."""
    from rcot_lib.metrics import psnr

    g = noisy_gradient(x, y, sigma, critic_noise, seed)

    def value(lam: float) -> float:
        return float(psnr(x - best_response(g, sigma=sigma, lam=lam, p=p), y))

    base = value(0.0)

    def gain(lam: float) -> float:
        return value(lam) - base

    lo, hi = 0.0, math.inf
    for lam in torch.arange(step, lam_max + step / 2, step).tolist():
        if gain(lam) >= gain_db:
            hi = lam
            break
        lo = lam
    if math.isinf(hi):
        return hi
    while hi - lo > 1e-2:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if gain(mid) >= gain_db else (mid, hi)
    return float(hi)


def summarise(folder: str | os.PathLike) -> dict[str, dict]:
    """:func:`rcot_lib.ablation.summarise_runs` of ``scripts/unpaired_cpu.sh``'s
    output folder (the variants found there, in the paper's order, then the
    supervised reference)."""
    from rcot_lib.ablation import summarise_runs

    return summarise_runs(folder, VARIANTS + REFERENCES)


def load_results(name: str = "unpaired_steps3000.json") -> dict:
    """A shipped results file of ``data_samples/results/`` (or a path to one)."""
    import json

    path = Path(name) if Path(name).is_file() else Path(RESULTS_DIR) / name
    if not path.is_file():
        known = sorted(p.name for p in Path(RESULTS_DIR).glob("*.json"))
        raise FileNotFoundError(f"{path} not found; shipped: {known}")
    return json.loads(path.read_text())


#: The degradations of notebook 06's side-by-side figure.
EXAMPLE_TASKS = ("denoise_25", "derain", "dehaze")
EXAMPLE_DIR = Path(RESULTS_DIR) / "unpaired_examples"


def example_inputs(
    image: str = "chelsea.png", crop: int = 128, seed: int = 0
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Task -> ``(x, y)``: a central crop of a sample photograph, degraded (seeded)."""
    from rcot_lib.degrade import degrade
    from rcot_lib.environment import SAMPLES_DIR
    from rcot_lib.images import center_crop, load_image

    y = center_crop(load_image(Path(SAMPLES_DIR) / "images" / image), crop)
    return {task: (degrade(y, task, seed + k).clamp(0, 1), y)
            for k, task in enumerate(EXAMPLE_TASKS)}


def write_examples(T: torch.nn.Module, variant: str,
                   folder: str | os.PathLike = EXAMPLE_DIR) -> list[Path]:
    """Restore :func:`example_inputs` with ``T``; write ``<variant>_<task>.png``."""
    from rcot_lib.images import save_image
    from rcot_lib.restore import restore

    paths = []
    for task, (x, _) in example_inputs().items():
        path = Path(folder) / f"{variant}_{task}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        save_image(restore(T, x).clamp(0, 1), path)
        paths.append(path)
    return paths


def load_examples(task: str, folder: str | os.PathLike = EXAMPLE_DIR
                  ) -> dict[str, torch.Tensor]:
    """Variant -> its restoration of ``task``'s example, for the variants shipped."""
    from rcot_lib.images import load_image

    found = {v: Path(folder) / f"{v}_{task}.png" for v in VARIANTS + REFERENCES}
    return {v: load_image(p) for v, p in found.items() if p.is_file()}
