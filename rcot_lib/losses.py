"""Training objectives of RCOT / DA-RCOT: the FROT cost, the pair term, the
supervised contrastive loss on residual embeddings and the WGAN-GP penalty.

Every function works on whole batches at once (no Python loop over samples) and
returns per-sample values ``(B,)`` or a scalar, as its docstring says.

References
----------
.. [1] X. Tang et al., "Residual-Conditioned Optimal Transport: Towards
   Structure-Preserving Unpaired and Paired Image Restoration", ICML 2024.
.. [2] X. Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport
   for Unified Image Restoration", IEEE TPAMI 2025 (DA-RCOT; equation numbers).
.. [3] I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from rcot_lib.costs import fourier_penalty, p_for_label, rms
from rcot_lib.image_costs import FrotCost, p_for_labels

__all__ = [
    "frot_cost", "pair_l1", "info_nce", "gradient_penalty", "potential_loss",
    "map_loss",
    # the FROT terms, re-exported from costs
    "fourier_penalty", "p_for_label", "rms",
]

def frot_cost(
    x: torch.Tensor,
    t: torch.Tensor,
    labels: torch.Tensor | None = None,
    lam: float = 1.0,
    fft_norm: str = "backward",
    *,
    cost: FrotCost | None = None,
    p_table: dict[int, float] | None = None,
) -> torch.Tensor:
    r"""The FROT transport cost of each sample (Eq. 4).

    .. math::
        c(x, T(x)) = d(x, T(x)) + \lambda \, \|\mathcal F (x - T(x))\|_p

    Parameters
    ----------
    x, t : torch.Tensor, shape (B, C, H, W)
        Degraded inputs and their images under the map.
    labels : torch.Tensor, shape (B,), optional
        Degradation labels choosing ``p`` through ``p_table`` (default the
        paper's: 2 for noise, else 1); ``None`` uses ``cost.p`` for every sample.
    lam, fft_norm
        ``lambda`` and the FFT normalisation of the authors' cost (RMS distance,
        mean Fourier terms); used when ``cost`` is not given.
    cost : rcot_lib.image_costs.FrotCost, optional
        Any member of the cost family (base, transform, reduction, ...).
    p_table : dict of int to float, optional
        Label -> ``p`` (:func:`rcot_lib.image_costs.task_p_table`).

    Returns
    -------
    torch.Tensor, shape (B,)
    """
    cost = cost or FrotCost("euclidean", lam, 1.0, "fft", fft_norm, "mean")
    p = None if labels is None else p_for_labels(labels.to(x.device), p_table)
    return cost(x, t, p)


def pair_l1(t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean absolute error to the paired ground truth, per sample (Eq. 6-7).

    .. math:: \ell(T(x), y_x) = \tfrac1N \textstyle\sum_k |T(x)_k - (y_x)_k|

    Returns
    -------
    torch.Tensor, shape (B,)
    """
    return (t.float() - y.float()).abs().flatten(1).mean(1)


def info_nce(
    z: torch.Tensor, labels: torch.Tensor, tau: float = 0.07
) -> torch.Tensor:
    r"""Supervised InfoNCE loss over a batch of embeddings (Eq. 16).

    .. math::
        \mathcal L_{con} = -\frac{1}{|A|}\sum_{i \in A} \log
        \frac{\sum_{j \in P(i)} \exp(z_i \cdot z_j / \tau)}
             {\sum_{j \neq i} \exp(z_i \cdot z_j / \tau)}

    where ``z`` are the L2-normalised flattened embeddings, ``P(i)`` the other
    samples with the label of ``i`` and ``A`` the anchors that have at least one
    positive.

    Parameters
    ----------
    z : torch.Tensor, shape (B, ...)
        Embeddings, e.g. the dense residual embedding ``e3`` ``(B, C3, h, w)``.
    labels : torch.Tensor, shape (B,), int64
    tau : float
        Temperature (paper: 0.07).

    Returns
    -------
    torch.Tensor, scalar
        Zero (still differentiable) when no anchor has a positive.

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> float(info_nce(z, torch.tensor([0, 0, 1]))) < 1e-3
    True
    """
    if z.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{z.shape[0]} embeddings but {labels.shape[0]} labels (need one each)"
        )
    z = F.normalize(z.float().flatten(1), dim=1)  # (B, D)
    labels = labels.to(z.device)
    sim = z @ z.T / tau  # (B, B)
    eye = torch.eye(len(z), dtype=torch.bool, device=z.device)
    pos = (labels[:, None] == labels[None, :]) & ~eye  # (B, B)
    neg_inf = torch.finfo(sim.dtype).min
    log_den = sim.masked_fill(eye, neg_inf).logsumexp(1)  # (B,)
    log_num = sim.masked_fill(~pos, neg_inf).logsumexp(1)  # (B,)
    has_pos = pos.any(1)
    if not bool(has_pos.any()):
        return sim.sum() * 0.0
    return -(log_num - log_den)[has_pos].mean()


def gradient_penalty(
    phi: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""WGAN-GP gradient penalty on random interpolates of real and fake images.

    .. math::
        \mathrm{GP} = \mathbb E_{\hat y}\big[(\|\nabla_{\hat y}\varphi(\hat y)\|_2
        - 1)^2\big], \quad \hat y = \epsilon y + (1 - \epsilon) T(x),\;
        \epsilon \sim U[0, 1]

    Parameters
    ----------
    phi : callable
        The potential, ``(B, C, H, W) -> (B,)``.
    real, fake : torch.Tensor, shape (B, C, H, W)
        Clean images ``y`` and mapped images ``T(x)`` (detached).
    generator : torch.Generator, optional
        Draws ``epsilon`` (on the images' device).

    Returns
    -------
    torch.Tensor, scalar (unweighted; the paper multiplies it by 10)

    Examples
    --------
    >>> w = torch.randn(12); w = w / w.norm()
    >>> phi = lambda y: y.flatten(1) @ w
    >>> y = torch.rand(4, 3, 2, 2)
    >>> float(gradient_penalty(phi, y, torch.rand(4, 3, 2, 2))) < 1e-10
    True
    """
    eps = torch.rand(
        real.shape[0], 1, 1, 1, generator=generator, device=real.device
    )  # (B, 1, 1, 1)
    mix = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    out = phi(mix)
    (grad,) = torch.autograd.grad(out.sum(), mix, create_graph=True)
    norm = grad.float().flatten(1).norm(dim=1)  # (B,)
    return (norm - 1).pow(2).mean()


def potential_loss(phi_real: torch.Tensor, phi_fake: torch.Tensor) -> torch.Tensor:
    r"""Loss of the potential step: the negated dual objective (Eq. 5, 8).

    .. math:: -\mathbb E_\nu[\varphi(y)] + \mathbb E_\mu[\varphi(T(x))]

    Parameters
    ----------
    phi_real, phi_fake : torch.Tensor, shape (B,)
        ``phi(y)`` and ``phi(T(x).detach())``.
    """
    return phi_fake.float().mean() - phi_real.float().mean()


def map_loss(
    x: torch.Tensor,
    t: torch.Tensor,
    y: torch.Tensor,
    phi_t: torch.Tensor | None,
    labels: torch.Tensor,
    paired: torch.Tensor,
    e3: torch.Tensor | None = None,
    *,
    sigma: float = 1.0,
    Sigma: float = 1e4,
    lam: float = 1.0,
    con_weight: float = 0.1,
    tau: float = 0.07,
    fft_norm: str = "backward",
    cost: FrotCost | None = None,
    p_table: dict[int, float] | None = None,
    x0: torch.Tensor | None = None,
    first_pass_weight: float = 0.0,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    r"""Loss of the map step: unpaired (Eq. 8) or pair-informed (Eq. 9) FROT.

    .. math::
        \mathbb E_\mu\big[\sigma (c(x, T(x)) + 0.1\,\mathcal L_{con})
        + \Sigma\, \mathbb 1_{paired}\, \|T(x) - y_x\|_1 - \varphi(T(x))\big]

    Samples with ``paired = False`` get only the unpaired objective (their ``y``
    is a shuffled clean image and must not be used as a target).

    Parameters
    ----------
    x, t, y : torch.Tensor, shape (B, C, H, W)
        Degraded inputs, their images ``T(x)`` and clean images.
    phi_t : torch.Tensor, shape (B,), optional
        ``phi(T(x))`` (with the graph to ``T``); ``None`` drops the adversarial term.
    labels : torch.Tensor, shape (B,), int64
    paired : torch.Tensor, shape (B,), bool
        Which samples carry their own ground truth.
    e3 : torch.Tensor, shape (B, C3, h, w), optional
        Dense residual embedding for :func:`info_nce`; ``None`` or ``con_weight = 0``
        drops the term.
    sigma, Sigma, lam, con_weight, tau, fft_norm
        Weights of the terms (paper: 1, 10000, 1, 0.1, 0.07, unnormalised FFT).
    cost, p_table
        Another member of the FROT family and label -> ``p`` (:func:`frot_cost`).
    x0, first_pass_weight
        The first pass ``G(x)`` of a two-pass map and the weight of its own pair
        term ``first_pass_weight * Sigma * ||x0 - y_x||_1`` (paired samples only).
        Neither the paper nor the authors' code has this term (0, the default):
        it makes ``x0`` the "intermediate restored result" the paper calls it.

    Returns
    -------
    loss : torch.Tensor, scalar
    parts : dict of str to torch.Tensor
        Detached scalars: ``cost`` (mean FROT cost), ``l1`` (mean over paired
        samples), ``con``, ``adv`` (``-mean phi(T(x))``).
    """
    transport = frot_cost(x, t, labels, lam, fft_norm, cost=cost, p_table=p_table)
    transport = transport.mean()
    zero = transport.new_zeros(())
    con = info_nce(e3, labels, tau) if (e3 is not None and con_weight) else zero
    mask = paired.to(t.device, torch.float32)  # (B,)
    l1 = pair_l1(t, y)  # (B,)
    pair_term = (mask * l1).mean()
    adv = -phi_t.float().mean() if phi_t is not None else zero
    loss = adv + sigma * (transport + con_weight * con) + Sigma * pair_term
    l1_paired = (mask * l1).sum() / mask.sum().clamp_min(1)
    parts = {"cost": transport, "l1": l1_paired, "con": con, "adv": adv}
    if x0 is not None and first_pass_weight:
        l1_x0 = pair_l1(x0, y)  # (B,)
        loss = loss + first_pass_weight * Sigma * (mask * l1_x0).mean()
        parts["l1_x0"] = (mask * l1_x0).sum() / mask.sum().clamp_min(1)
    return loss, {k: v.detach() for k, v in parts.items()}
