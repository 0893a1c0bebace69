r"""The paper's algorithm in two dimensions: a map ``T`` and a potential ``phi`` trained
by the minimax of Eq. 5, with the 2-D FROT cost.

.. math::

    \sup_\phi \inf_T \; \mathcal L(\phi, T) =
    \mathbb E_\mu\left[c(x, T(x)) - \phi(T(x))\right] + \mathbb E_\nu[\phi(y)]
    \qquad \text{(Eq. 5)}

    c(x, y) = \|x - y\|^2 + \lambda \, \|D (x - y)\|_p \qquad \text{(Eq. 4)}

where ``D`` is the 2x2 orthonormal DCT matrix (``Neural2DConfig.transform``
picks another ``F``, e.g. ``"identity"`` for residuals sparse in the pixel
basis). ``T(x) = x + net(x)`` (the network predicts the negative residual, as
the restoration networks do), ``phi`` is an unconstrained MLP. Several ``T``
steps per ``phi`` step, as in Korotin et al.'s neural optimal transport.

References
----------
.. [1] Tang et al., DA-RCOT, TPAMI 2025, Eq. 4, 5 and Algorithm 1.
.. [2] Korotin et al., "Neural Optimal Transport", ICLR 2023.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from rcot_lib.costs import frot_cost_pointwise
from rcot_lib.duality import single_thread
from rcot_lib.toy2d import PAIRS, cost_matrix, uniform


def mlp(d_in: int, d_out: int, hidden: int = 128, depth: int = 3) -> nn.Sequential:
    """A ReLU MLP with ``depth`` hidden layers of width ``hidden``."""
    layers: list[nn.Module] = []
    d = d_in
    for _ in range(depth):
        layers += [nn.Linear(d, hidden), nn.ReLU()]
        d = hidden
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


class MapNet(nn.Module):
    """Transport map in residual form, ``T(x) = x + net(x)``, ``(n, 2) -> (n, 2)``."""

    def __init__(self, dim: int = 2, hidden: int = 128, depth: int = 3) -> None:
        super().__init__()
        self.net = mlp(dim, dim, hidden, depth)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.net(x)


class PotentialNet(nn.Module):
    """Potential ``phi``, ``(n, 2) -> (n,)``."""

    def __init__(self, dim: int = 2, hidden: int = 128, depth: int = 3) -> None:
        super().__init__()
        self.net = mlp(dim, 1, hidden, depth)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.net(y).squeeze(-1)


@dataclass
class Neural2DConfig:
    """Settings of :func:`train_minimax` (defaults: the full run)."""

    lam: float = 0.5
    p: float = 1  #: exponent of the Fourier term, in [0.5, 2]
    transform: str = "dct"  #: ``"dct"``, ``"fft"`` or ``"identity"`` (pixel basis)
    num_steps: int = 1500  #: outer steps (one ``phi`` step each)
    t_iters: int = 10  #: ``T`` steps per ``phi`` step
    batch_size: int = 1024
    lr: float = 1e-3
    lr_final: float = 1e-5  #: the cosine schedule ends here
    hidden: int = 128
    depth: int = 3
    seed: int = 0


@dataclass
class Neural2DResult:
    """The trained networks and the objective ``L(phi, T)`` per outer step."""

    T: MapNet
    phi: PotentialNet
    history: list[float] = field(default_factory=list)


def _torch_sampler(
    sampler: Callable, rng: np.random.Generator, device: torch.device
) -> Callable[[int], torch.Tensor]:
    def draw(n: int) -> torch.Tensor:
        return torch.as_tensor(sampler(n, rng), dtype=torch.float32, device=device)

    return draw


def train_minimax(
    pair: str,
    config: Neural2DConfig | None = None,
    device: torch.device | str = "cpu",
    progress: bool = True,
) -> Neural2DResult:
    """Train ``T`` and ``phi`` on a toy pair of :data:`rcot_lib.toy2d.PAIRS` (Eq. 5).

    Per outer step: ``t_iters`` Adam steps on ``T`` minimising
    ``mean(c(x, T(x)) - phi(T(x)))``, then one step on ``phi`` minimising
    ``mean(phi(T(x))) - mean(phi(y))`` (i.e. maximising ``L``). Fresh samples every
    step; learning rates decay (cosine) from ``lr`` to ``lr_final``.

    Parameters
    ----------
    pair : str
        A name in :data:`rcot_lib.toy2d.PAIRS`.
    config : Neural2DConfig, optional
    device : torch.device or str
    progress : bool
        Show a ``tqdm.auto`` bar (on stderr).

    Returns
    -------
    Neural2DResult
        ``T`` and ``phi`` in eval mode on ``device``, and the history of ``L``.
    """
    from tqdm.auto import trange

    cfg = config or Neural2DConfig()
    if pair not in PAIRS:
        raise ValueError(f"unknown toy pair {pair!r}; choose one of {list(PAIRS)}")
    if cfg.p not in (1, 2):
        raise ValueError(f"p={cfg.p!r}: choose 1 or 2")
    device = torch.device(device)
    ss = np.random.SeedSequence(cfg.seed + 1000).spawn(2)
    src = _torch_sampler(PAIRS[pair][0], np.random.default_rng(ss[0]), device)
    tgt = _torch_sampler(PAIRS[pair][1], np.random.default_rng(ss[1]), device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        T = MapNet(2, cfg.hidden, cfg.depth).to(device)
        phi = PotentialNet(2, cfg.hidden, cfg.depth).to(device)
    opt_T = torch.optim.Adam(T.parameters(), lr=cfg.lr)
    opt_phi = torch.optim.Adam(phi.parameters(), lr=cfg.lr)
    scheds = [
        torch.optim.lr_scheduler.CosineAnnealingLR(
            o, cfg.num_steps, eta_min=cfg.lr_final
        )
        for o in (opt_T, opt_phi)
    ]
    history: list[float] = []
    bar = trange(cfg.num_steps, disable=not progress, desc=f"minimax {pair}")
    # tiny networks: on a CPU, one thread beats several (no synchronisation cost)
    threads = single_thread() if device.type == "cpu" else contextlib.nullcontext()
    with threads:
        _minimax_loop(T, phi, src, tgt, cfg, opt_T, opt_phi, scheds, bar, history)
    T.eval()
    phi.eval()
    return Neural2DResult(T, phi, history)


def _minimax_loop(T, phi, src, tgt, cfg, opt_T, opt_phi, scheds, bar, history) -> None:
    for _ in bar:
        for _ in range(cfg.t_iters):  # inf over T
            x = src(cfg.batch_size)  # (n, 2)
            Tx = T(x)
            c = frot_cost_pointwise(x, Tx, cfg.lam, cfg.p, transform=cfg.transform)
            loss_T = (c - phi(Tx)).mean()
            opt_T.zero_grad()
            loss_T.backward()
            opt_T.step()
        x, y = src(cfg.batch_size), tgt(cfg.batch_size)  # sup over phi
        with torch.no_grad():
            Tx = T(x)
            cost = frot_cost_pointwise(x, Tx, cfg.lam, cfg.p,
                                       transform=cfg.transform).mean()
        loss_phi = phi(Tx).mean() - phi(y).mean()
        opt_phi.zero_grad()
        loss_phi.backward()
        opt_phi.step()
        for s in scheds:
            s.step()
        history.append(float(cost - loss_phi.detach()))


@torch.no_grad()
def apply_map(T: nn.Module, X: np.ndarray) -> np.ndarray:
    """``T(X)`` for a NumPy array ``(n, 2)``, on the map's device, back as NumPy."""
    device = next(T.parameters()).device
    return T(torch.as_tensor(X, dtype=torch.float32, device=device)).cpu().numpy()


def map_cost(X: np.ndarray, TX: np.ndarray, lam: float, p: float,
             transform: str = "dct") -> float:
    """Mean transport cost ``mean_i c(x_i, T(x_i))`` of a map on samples."""
    C = frot_cost_pointwise(torch.as_tensor(X), torch.as_tensor(TX), lam, p,
                            transform=transform)
    return float(C.mean())


def ot_emd2(X: np.ndarray, Y: np.ndarray, C: np.ndarray) -> float:
    """``ot.emd2`` between the uniform empirical measures of ``X`` and ``Y``."""
    import ot

    return float(ot.emd2(uniform(len(X)), uniform(len(Y)), C, numItermax=2_000_000))


def evaluate_map(
    T: nn.Module,
    pair: str,
    lam: float,
    p: float,
    n: int = 1000,
    repeats: int = 4,
    seed: int = 12345,
    transform: str = "dct",
) -> dict[str, float]:
    r"""Compare a trained map with POT's exact OT on the same samples.

    For ``repeats`` independent antithetic draws ``(X_k, Y_k)`` of ``n`` points
    (see :func:`rcot_lib.toy2d.sample_pair`) it computes the map's cost on
    ``X_k`` and the exact cost between ``X_k`` and ``Y_k``, then averages.

    .. math::

        \text{ratio} = \frac{\sum_k \frac1n \sum_i c(x_{ki}, T(x_{ki}))}
        {\sum_k \mathrm{OT}_c(\hat\mu_k, \hat\nu_k)}

    Returns
    -------
    dict
        ``neural_cost``: mean ``c(x, T(x))``; ``exact_cost``: mean ``ot.emd2``
        between ``X_k`` and ``Y_k`` under the same cost; ``ratio``: their
        quotient, with ``ratio_se`` its standard error over the repeats;
        ``optimality_ratio``: ``neural_cost`` over ``ot.emd2`` between ``X_k`` and
        ``T(X_k)`` (the least any map with those pushforward points could pay, so
        it is ``>= 1`` and measures optimality alone); ``w2_pushforward``: mean
        ``W2(T(X_k), Y_k)`` (``ot.emd2``, squared Euclidean); ``w2_sampling``: mean
        ``W2`` between two independent target samples, the floor that
        ``w2_pushforward`` cannot beat.
    """
    from rcot_lib.toy2d import sample_pair

    neural, exact, own, w2, floor, ratios = [], [], [], [], [], []
    for k in range(repeats):
        X, Y = sample_pair(pair, n, seed=seed + k, antithetic=True)
        _, Y2 = sample_pair(pair, n, seed=seed + 1000 + k, antithetic=True)
        TX = apply_map(T, X)
        neural.append(map_cost(X, TX, lam, p, transform))
        exact.append(ot_emd2(X, Y, cost_matrix(X, Y, lam, p, transform)))
        own.append(ot_emd2(X, TX, cost_matrix(X, TX, lam, p, transform)))
        w2.append(np.sqrt(ot_emd2(TX, Y, cost_matrix(TX, Y))))
        floor.append(np.sqrt(ot_emd2(Y2, Y, cost_matrix(Y2, Y))))
        ratios.append(neural[-1] / exact[-1])
    se = float(np.std(ratios, ddof=1) / np.sqrt(repeats)) if repeats > 1 else np.nan
    return {
        "exact_cost": float(np.mean(exact)),
        "neural_cost": float(np.mean(neural)),
        "ratio": float(np.mean(neural) / np.mean(exact)),
        "ratio_se": se,
        "optimality_ratio": float(np.mean(neural) / np.mean(own)),
        "w2_pushforward": float(np.mean(w2)),
        "w2_sampling": float(np.mean(floor)),
    }


def run_pair(
    pair: str,
    config: Neural2DConfig | None = None,
    n_eval: int = 1000,
    repeats: int = 4,
    device: torch.device | str = "cpu",
    progress: bool = True,
) -> tuple[Neural2DResult, dict[str, float]]:
    """Train on ``pair`` (:func:`train_minimax`) and evaluate (:func:`evaluate_map`)."""
    cfg = config or Neural2DConfig()
    result = train_minimax(pair, cfg, device=device, progress=progress)
    metrics = evaluate_map(result.T, pair, cfg.lam, cfg.p, n_eval, repeats,
                           transform=cfg.transform)
    return result, metrics
