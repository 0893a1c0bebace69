r"""Speed, memory and FLOPs of one FROT training iteration and of inference.

One iteration is what :func:`rcot_lib.train.train` does per step (Algorithm 1):

.. math::
    \max_\phi \; \mathbb E[\phi(y)] - \mathbb E[\phi(T(x))]
    \;(\text{then } 10\, \mathrm{GP}), \qquad
    \min_T \; \mathbb E\big[c(x, T(x)) + 0.1\,\mathcal L_{con}
    + \Sigma \|T(x) - y\|_1 - \phi(T(x))\big]

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


def _amp_context(device: torch.device, amp: bool):
    """bf16 autocast on ``device`` when ``amp`` (as :func:`rcot_lib.train.train`)."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp)


def _synthetic_batch(channels: int, patch: int, batch: int, g: torch.Generator,
                     dev: torch.device) -> tuple[torch.Tensor, ...]:
    """A seeded batch of the benchmark: clean ``y`` (B, C, P, P), noisy ``x``,
    labels in {0, 1, 2} and every sample paired."""
    y = torch.rand(batch, channels, patch, patch, generator=g)
    x = (y + 0.1 * torch.randn(y.shape, generator=g)).clamp(0, 1)
    labels = torch.randint(0, 3, (batch,), generator=g).to(dev)
    paired = torch.ones(batch, dtype=torch.bool, device=dev)
    return x.to(dev), y.to(dev), labels, paired


def make_train_step(
    cfg: ModelConfig,
    patch: int = 64,
    batch: int = 8,
    seed: int = 0,
    *,
    device: str | torch.device = "cpu",
    amp: bool = False,
    compile: bool = False,
    channels_last: bool = False,
):
    """Networks, optimisers and closures running one full training iteration.

    Parameters
    ----------
    cfg : ModelConfig
    patch, batch, seed : int
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"auto"``... (see :func:`rcot_lib.device.get_device`).
    amp, compile, channels_last : bool
        bf16 autocast of the networks' forward passes, ``torch.compile`` of the
        map and channels-last memory, as the trainer's options of the same names.

    Returns
    -------
    step : callable
        ``step()`` runs potential step, gradient-penalty step and map step.
    eager_step : callable
        The same iteration with the uncompiled map (``step`` itself when
        ``compile`` is off): what the FLOP counter traces.
    T, phi : torch.nn.Module
    """
    from rcot_lib import losses
    from rcot_lib.device import get_device

    dev = get_device(device)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    T, phi = build_map(cfg).to(dev), build_potential(cfg).to(dev)
    opt_T = torch.optim.RMSprop(T.parameters(), lr=5e-5)
    opt_phi = torch.optim.RMSprop(phi.parameters(), lr=1e-4)
    x, y, labels, paired = _synthetic_batch(cfg.in_channels, patch, batch, g, dev)
    if channels_last:
        T = T.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    gen = torch.Generator(device=dev).manual_seed(seed)

    def phi_update(loss: torch.Tensor) -> None:
        opt_phi.zero_grad(set_to_none=True)
        loss.backward()
        opt_phi.step()

    def make_step(run_T):
        def step() -> float:
            with _amp_context(dev, amp):
                o = run_T(x, return_all=True)
                t = o.out.float()
                loss_phi = losses.potential_loss(phi(y), phi(t.detach()))
            phi_update(loss_phi)
            # phi sees a non-leaf copy of the interpolates: FlopCounterMode's
            # module tracker cannot hook a leaf input inside torch.autograd.grad
            with _amp_context(dev, amp):
                gp = losses.gradient_penalty(lambda m: phi(m * 1.0), y, t.detach(), gen)
            phi_update(10.0 * gp)
            phi.requires_grad_(False)
            with _amp_context(dev, amp):
                phi_t = phi(t)
            e3 = o.embeddings[-1] if o.embeddings else None
            loss, _ = losses.map_loss(x, t, y, phi_t, labels, paired, e3)
            opt_T.zero_grad(set_to_none=True)
            loss.backward()
            phi.requires_grad_(True)
            opt_T.step()
            return float(loss.detach())

        return step

    eager_step = make_step(T)
    step = make_step(torch.compile(T)) if compile else eager_step
    return step, eager_step, T, phi


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


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _median_time(
    fn, iters: int, warmup: int, device: torch.device | None = None
) -> tuple[float, list[float], float]:
    """Median wall time of ``fn()`` (CUDA work finished before each clock read)."""
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    device = device or torch.device("cpu")
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    for _ in range(iters):
        _synchronize(device)
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        _synchronize(device)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), times, statistics.median(cpu)


def _memory_fields(device: torch.device) -> dict:
    """``peak_rss_mb`` and, on CUDA, ``peak_gpu_mb`` (allocated tensors)."""
    out = {"peak_rss_mb": round(peak_rss_mb(), 1)}
    if device.type == "cuda":
        out["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
    return out


def _run_fields(
    median: float, times: list[float], cpu: float, device: torch.device,
    amp: bool, compile: bool, channels_last: bool,
) -> dict:
    """The fields every benchmark reports: times, memory and the run's settings."""
    return {
        "median_s": round(median, 4),
        "times_s": [round(t, 4) for t in times],
        "cpu_s": round(cpu, 4),
        **_memory_fields(device),
        "threads": torch.get_num_threads(),
        "device": str(device),
        "amp": amp,
        "compile": compile,
        "channels_last": channels_last,
    }


def _reset_gpu_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def bench_train_step(
    cfg: ModelConfig,
    patch: int = 64,
    batch: int = 8,
    iters: int = 5,
    warmup: int = 1,
    flops: bool = True,
    seed: int = 0,
    *,
    device: str | torch.device = "cpu",
    amp: bool = False,
    compile: bool = False,
    channels_last: bool = False,
) -> dict:
    """Time full FROT training iterations on the CPU or a GPU.

    Parameters
    ----------
    cfg : ModelConfig
        Map and potential.
    patch, batch : int
        Square patch side and batch size.
    iters, warmup : int
        Timed and untimed iterations (with ``compile``, the first warm-up
        iteration also compiles the map: give it at least 1).
    flops : bool
        Also count the FLOPs of one iteration (one more, uncompiled iteration).
    device : str or torch.device
        Where to run (``"cpu"``, ``"cuda"``, ``"auto"``).
    amp, compile, channels_last : bool
        The trainer's bf16 autocast, ``torch.compile`` and channels-last options.

    Returns
    -------
    dict
        ``median_s`` (wall seconds per iteration), ``times_s``, ``cpu_s``
        (median process CPU seconds, all threads: steadier than wall time on a
        busy machine), ``peak_rss_mb``, ``peak_gpu_mb`` (CUDA only: the most
        memory held by tensors), ``flops_per_step`` (depth-wise convolutions'
        backward counted correctly), ``params_map``, ``params_potential``,
        ``threads``, ``device``, ``amp``, ``compile``, ``channels_last``.

    Examples
    --------
    >>> cfg = ModelConfig(dim=4, blocks=(1, 1, 1, 1), regm_dim=2, potential_width=4)
    >>> r = bench_train_step(cfg, patch=16, batch=2, iters=1, warmup=0, flops=False)
    >>> [k for k in ("median_s", "peak_rss_mb", "params_map") if r[k] > 0]
    ['median_s', 'peak_rss_mb', 'params_map']
    """
    from rcot_lib.device import get_device

    dev = get_device(device)
    step, eager_step, T, phi = make_train_step(
        cfg, patch, batch, seed, device=dev, amp=amp, compile=compile,
        channels_last=channels_last,
    )
    _reset_gpu_peak(dev)
    median, times, cpu = _median_time(step, iters, warmup, dev)
    # the memory is read here, before FLOP counting, which keeps extra references
    fields = _run_fields(median, times, cpu, dev, amp, compile, channels_last)
    return {
        **fields,
        "flops_per_step": count_flops(eager_step) if flops else None,
        "params_map": count_parameters(T),
        "params_potential": count_parameters(phi),
    }


def bench_inference(
    cfg: ModelConfig,
    size: tuple[int, int] = (321, 481),
    iters: int = 3,
    warmup: int = 1,
    seed: int = 0,
    *,
    device: str | torch.device = "cpu",
    amp: bool = False,
    compile: bool = False,
    channels_last: bool = False,
) -> dict:
    """Time ``T(x)`` on one image of ``size = (H, W)`` under ``torch.inference_mode``.

    ``device``, ``amp``, ``compile`` and ``channels_last`` are those of
    :func:`bench_train_step`.

    Returns
    -------
    dict
        ``median_s``, ``times_s``, ``cpu_s``, ``params_map``, ``peak_rss_mb``,
        ``peak_gpu_mb`` (CUDA only), ``threads``, ``device``, ``amp``,
        ``compile``, ``channels_last``.
    """
    from rcot_lib.device import get_device

    dev = get_device(device)
    torch.manual_seed(seed)
    T = build_map(cfg).eval().to(dev)
    x = torch.rand(1, cfg.in_channels, *size).to(dev)  # (1, C, H, W)
    if channels_last:
        T = T.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    run_T = torch.compile(T) if compile else T

    def run() -> None:
        with torch.inference_mode(), _amp_context(dev, amp):
            run_T(x)

    _reset_gpu_peak(dev)
    median, times, cpu = _median_time(run, iters, warmup, dev)
    return {
        **_run_fields(median, times, cpu, dev, amp, compile, channels_last),
        "params_map": count_parameters(T),
    }
