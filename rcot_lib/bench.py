"""Speed and memory of one FROT training iteration and of inference, with FLOPs.

:func:`bench_train_step` times the iteration of :mod:`rcot_lib.bench_iteration`
(Algorithm 1 on a seeded synthetic batch: potential step, gradient-penalty step, map
step) and counts its FLOPs with :mod:`rcot_lib.bench_flops`;
:func:`bench_inference` times the map alone. Both report the median wall and CPU
time, the peak memory and the run's settings.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import torch

from rcot_lib.bench_flops import count_flops
from rcot_lib.bench_iteration import _amp_context, make_train_step
from rcot_lib.models import ModelConfig, build_map, count_parameters
from rcot_lib.moved_names import forward


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


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


#: Names that moved out of this module keep this import path (see
#: :mod:`rcot_lib.moved_names`).
__getattr__ = forward(__name__, {
    "rcot_lib.bench_iteration": ("make_train_step",),
    "rcot_lib.bench_flops": ("count_flops",),
})
