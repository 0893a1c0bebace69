"""Speed, memory and FLOPs of one FROT training iteration and of inference.

One iteration is what :func:`rcot_lib.train.train` does per step (Algorithm 1):

.. math::
    \\max_\\phi \\; \\mathbb E[\\phi(y)] - \\mathbb E[\\phi(T(x))]
    \\;(\\text{then } 10\\, \\mathrm{GP}), \\qquad
    \\min_T \\; \\mathbb E\\big[c(x, T(x)) + 0.1\\,\\mathcal L_{con}
    + \\Sigma \\|T(x) - y\\|_1 - \\phi(T(x))\\big]

with one forward pass of the map shared by the potential and the map steps, a
separate gradient-penalty step (double backward) and RMSprop for both networks.
The losses are those of :mod:`rcot_lib.losses`.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import torch

from rcot_lib.models import ModelConfig, build_map, build_potential, count_parameters


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def make_train_step(cfg: ModelConfig, patch: int = 64, batch: int = 8, seed: int = 0):
    """Networks, optimisers and a closure running one full training iteration.

    Returns
    -------
    step : callable
        ``step()`` runs potential step, gradient-penalty step and map step.
    T, phi : torch.nn.Module
    """
    from rcot_lib import losses

    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    T, phi = build_map(cfg), build_potential(cfg)
    opt_T = torch.optim.RMSprop(T.parameters(), lr=5e-5)
    opt_phi = torch.optim.RMSprop(phi.parameters(), lr=1e-4)
    c = cfg.in_channels
    y = torch.rand(batch, c, patch, patch, generator=g)  # (B, C, P, P)
    x = (y + 0.1 * torch.randn(y.shape, generator=g)).clamp(0, 1)
    labels = torch.randint(0, 3, (batch,), generator=g)
    paired = torch.ones(batch, dtype=torch.bool)

    def phi_update(loss: torch.Tensor) -> None:
        opt_phi.zero_grad(set_to_none=True)
        loss.backward()
        opt_phi.step()

    def step() -> float:
        o = T(x, return_all=True)
        t = o.out
        phi_update(losses.potential_loss(phi(y), phi(t.detach())))
        # phi sees a non-leaf copy of the interpolates: FlopCounterMode's module
        # tracker cannot hook a leaf input inside torch.autograd.grad
        gp = losses.gradient_penalty(lambda m: phi(m * 1.0), y, t.detach(), g)
        phi_update(10.0 * gp)
        phi.requires_grad_(False)
        e3 = o.embeddings[-1] if o.embeddings else None
        loss, _ = losses.map_loss(x, t, y, phi(t), labels, paired, e3)
        opt_T.zero_grad(set_to_none=True)
        loss.backward()
        phi.requires_grad_(True)
        opt_T.step()
        return float(loss.detach())

    return step, T, phi


def _conv_backward_flop(
    grad_out_shape,
    x_shape,
    w_shape,
    _bias,
    _stride,
    _padding,
    _dilation,
    transposed,
    _output_padding,
    _groups,
    output_mask,
    out_shape=None,
    **_,
) -> int:
    """Backward of a (grouped) convolution: one forward's FLOPs per gradient.

    torch's default formula ignores ``groups`` for the weight gradient and so
    counts a depth-wise convolution's backward about ``groups`` times too high.
    """
    from torch.utils.flop_counter import conv_flop_count

    fwd = conv_flop_count(
        list(x_shape), list(w_shape), list(grad_out_shape), transposed
    )
    return fwd * (int(bool(output_mask[0])) + int(bool(output_mask[1])))


def count_flops(fn) -> int:
    """FLOPs of one call of ``fn`` (forward, backward and double backward).

    Uses ``torch.utils.flop_counter.FlopCounterMode`` with a grouped-convolution
    backward formula that respects ``groups`` (see :func:`_conv_backward_flop`).
    """
    from torch.utils.flop_counter import FlopCounterMode

    mapping = {torch.ops.aten.convolution_backward: _conv_backward_flop}
    with FlopCounterMode(display=False, custom_mapping=mapping) as counter:
        fn()
    return int(counter.get_total_flops())


def _median_time(fn, iters: int, warmup: int) -> tuple[float, list[float], float]:
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    for _ in range(iters):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), times, statistics.median(cpu)


def bench_train_step(
    cfg: ModelConfig,
    patch: int = 64,
    batch: int = 8,
    iters: int = 5,
    warmup: int = 1,
    flops: bool = True,
    seed: int = 0,
) -> dict:
    """Time full FROT training iterations on the CPU.

    Parameters
    ----------
    cfg : ModelConfig
        Map and potential.
    patch, batch : int
        Square patch side and batch size.
    iters, warmup : int
        Timed and untimed iterations.
    flops : bool
        Also count the FLOPs of one iteration (one more iteration).

    Returns
    -------
    dict
        ``median_s`` (wall seconds per iteration), ``times_s``, ``cpu_s``
        (median process CPU seconds, all threads: steadier than wall time on a
        busy machine), ``peak_rss_mb``, ``flops_per_step`` (depth-wise
        convolutions' backward counted correctly), ``params_map``,
        ``params_potential``, ``threads``.

    Examples
    --------
    >>> cfg = ModelConfig(dim=4, blocks=(1, 1, 1, 1), regm_dim=2, potential_width=4)
    >>> r = bench_train_step(cfg, patch=16, batch=2, iters=1, warmup=0, flops=False)
    >>> [k for k in ("median_s", "peak_rss_mb", "params_map") if r[k] > 0]
    ['median_s', 'peak_rss_mb', 'params_map']
    """
    step, T, phi = make_train_step(cfg, patch, batch, seed)
    median, times, cpu = _median_time(step, iters, warmup)
    rss = peak_rss_mb()  # before FLOP counting, which keeps extra references
    return {
        "median_s": round(median, 4),
        "times_s": [round(t, 4) for t in times],
        "cpu_s": round(cpu, 4),
        "peak_rss_mb": round(rss, 1),
        "flops_per_step": count_flops(step) if flops else None,
        "params_map": count_parameters(T),
        "params_potential": count_parameters(phi),
        "threads": torch.get_num_threads(),
    }


def bench_inference(
    cfg: ModelConfig,
    size: tuple[int, int] = (321, 481),
    iters: int = 3,
    warmup: int = 1,
    seed: int = 0,
) -> dict:
    """Time ``T(x)`` on one image of ``size = (H, W)`` under ``torch.inference_mode``.

    Returns
    -------
    dict
        ``median_s``, ``times_s``, ``cpu_s``, ``params_map``, ``peak_rss_mb``,
        ``threads``.
    """
    torch.manual_seed(seed)
    T = build_map(cfg).eval()
    x = torch.rand(1, cfg.in_channels, *size)  # (1, C, H, W)

    def run() -> None:
        with torch.inference_mode():
            T(x)

    median, times, cpu = _median_time(run, iters, warmup)
    return {
        "median_s": round(median, 4),
        "times_s": [round(t, 4) for t in times],
        "cpu_s": round(cpu, 4),
        "params_map": count_parameters(T),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "threads": torch.get_num_threads(),
    }
