r"""The DA-RCOT training loop (Algorithm 1), on one device or under ``torchrun``.

Each iteration runs the map once,

.. math::
    \max_\varphi \min_T \; \mathbb E_\mu\big[\sigma (c(x, T(x)) + 0.1\,
    \mathcal L_{con}) + \Sigma\,\mathbb 1_{paired} \|T(x) - y_x\|_1
    - \varphi(T(x))\big] + \mathbb E_\nu[\varphi(y)]

(Eq. 9; Eq. 8 without paired samples): a potential step on
``-phi(y) + phi(T(x).detach())`` (plus the WGAN-GP penalty), then a map step
that reuses the same ``T(x)``. Under ``torchrun`` the map is wrapped in
``DistributedDataParallel`` and the potential's gradients are averaged by hand
(DDP does not support the double backward of the gradient penalty).

The history (losses, transport cost, potential gap, validation PSNR) is returned
and written as ``history.json`` next to the checkpoint ``last.pt``.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist

from rcot_lib import checkpoint as ckpt
from rcot_lib import losses
from rcot_lib.datasets import from_config as build_dataset
from rcot_lib.files import save_json
from rcot_lib.optim import lr_factor, make_optimizer
from rcot_lib.presets import RUNTIME_FIELDS, TrainConfig
from rcot_lib.restore import validate


class DivergenceError(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


@dataclass
class TrainResult:
    """What :func:`train` returns: the modules, the history and the files."""

    T: torch.nn.Module
    phi: torch.nn.Module | None
    history: dict
    checkpoint: Path | None = None
    records: list = field(default_factory=list)


def _all_reduce_grads(module: torch.nn.Module, world: int) -> None:
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if world > 1 and grads:
        flat = torch.cat([g.flatten() for g in grads]) / world
        dist.all_reduce(flat)
        offset = 0
        for g in grads:
            g.copy_(flat[offset : offset + g.numel()].view_as(g))
            offset += g.numel()


def _check_resume(state: dict, cfg: TrainConfig, path) -> None:
    ckpt.check_model_config(state, cfg.model.to_dict(), path)
    saved = TrainConfig.from_dict(state.get("config", {})).to_dict()
    old = {k: v for k, v in saved.items() if k not in RUNTIME_FIELDS and k != "model"}
    new = {k: v for k, v in cfg.to_dict().items()
           if k not in RUNTIME_FIELDS and k != "model"}
    diff = ckpt.config_diff(old, new)
    if diff:
        raise ValueError(
            f"cannot resume {path} with another training configuration: "
            f"{'; '.join(diff)} (start a new run, or use init= to start from its "
            "weights)"
        )


def train(  # noqa: C901 (one loop, kept in one place on purpose)
    cfg: TrainConfig,
    out_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    init: str | os.PathLike | None = None,
    device: str | torch.device = "auto",
    data: str | os.PathLike | None = None,
    progress: bool = True,
    callbacks=(),
    T: torch.nn.Module | None = None,
    phi: torch.nn.Module | None = None,
) -> TrainResult:
    """Train the map ``T`` (and the potential ``phi``) of a :class:`TrainConfig`.

    Parameters
    ----------
    cfg : TrainConfig
    out_dir : str or Path, optional
        Folder for ``last.pt`` and ``history.json``; ``None`` keeps nothing on disk.
    resume : bool
        Continue from ``out_dir/last.pt`` (exactly: weights, optimisers, step, RNG).
    init : str or Path, optional
        Start from the weights of another checkpoint of the same model (step 0).
    device : str or torch.device
        ``"auto"``, ``"cpu"``, ``"cuda"``...; under ``torchrun`` each rank takes
        ``cuda:LOCAL_RANK`` when CUDA is available.
    data : str or Path, optional
        Training data folder (see :func:`rcot_lib.datasets.resolve_sources`).
    progress : bool
        Show a ``tqdm.auto`` bar (rank 0, on stderr).
    callbacks : sequence of callable
        ``cb(record: dict)`` for each logged record.
    T, phi : torch.nn.Module, optional
        Ready-made networks instead of those built from ``cfg.model``.

    Returns
    -------
    TrainResult

    Raises
    ------
    DivergenceError
        A loss is not finite; training stops and ``last.pt`` keeps the last good state.
    """
    from tqdm.auto import tqdm

    from rcot_lib.datasets import make_loader
    from rcot_lib.device import get_device
    from rcot_lib.models import build_map, build_potential

    world = int(os.environ.get("WORLD_SIZE", "1"))
    own_group = world > 1 and not dist.is_initialized()
    if own_group:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
    rank = dist.get_rank() if world > 1 else 0
    if world > 1 and torch.cuda.is_available():
        dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(dev)
    else:
        dev = get_device(device)
    main = rank == 0
    gpu = dev.type == "cuda"

    torch.manual_seed(cfg.seed)  # the same initial networks on every rank
    T = (T or build_map(cfg.model)).to(dev)
    use_phi = cfg.adv_weight > 0
    phi = (phi or build_potential(cfg.model)).to(dev) if use_phi else None
    if cfg.channels_last:
        T = T.to(memory_format=torch.channels_last)
    opt_T = make_optimizer(cfg.optimizer, T.parameters(), cfg.lr_map, cfg.weight_decay)
    opt_phi = torch.optim.RMSprop(phi.parameters(), lr=cfg.lr) if use_phi else None
    gen = torch.Generator(device=dev).manual_seed(cfg.seed * 1000 + rank)
    step, records = 0, []
    out = Path(out_dir) if out_dir is not None else None
    last = out / "last.pt" if out is not None else None

    if resume or init:
        src = last if resume else Path(init)
        if resume and (last is None or not last.is_file()):
            raise FileNotFoundError(f"nothing to resume: {last} does not exist")
        state = ckpt.load_checkpoint(src, map_location=dev)
        if resume:
            _check_resume(state, cfg, src)
        else:
            ckpt.check_model_config(state, cfg.model.to_dict(), src)
        T.load_state_dict(state["map"])
        if use_phi and "potential" in state:
            phi.load_state_dict(state["potential"])
        if resume:
            step = int(state["step"])
            opt_T.load_state_dict(state["opt_map"])
            if use_phi:
                opt_phi.load_state_dict(state["opt_potential"])
            torch.set_rng_state(state["rng"]["torch"].cpu())
            gen.set_state(state["rng"]["gp"][rank % len(state["rng"]["gp"])].cpu())
            records = list(state.get("records", []))

    raw_T = T
    model = T
    if world > 1:
        if use_phi:  # DDP broadcasts T's weights; phi's are broadcast here
            for tensor in [*phi.parameters(), *phi.buffers()]:
                dist.broadcast(tensor.data, src=0)
        model = torch.nn.parallel.DistributedDataParallel(
            T, device_ids=[dev.index] if gpu else None
        )
    if cfg.compile:
        model = torch.compile(model)

    def save() -> None:  # called on every rank (it gathers the ranks' RNG states)
        gp_states = [gen.get_state().cpu()]
        if world > 1:
            gp_states = [None] * world
            dist.all_gather_object(gp_states, gen.get_state().cpu())
        if not main or last is None:
            return
        ckpt.save_checkpoint({
            "config": cfg.to_dict(), "model": cfg.model.to_dict(), "step": step,
            "map": raw_T.state_dict(),
            "potential": phi.state_dict() if use_phi else {},
            "opt_map": opt_T.state_dict(),
            "opt_potential": opt_phi.state_dict() if use_phi else {},
            "rng": {"torch": torch.get_rng_state(), "gp": gp_states},
            "records": records,
        }, last)
        save_json({"config": cfg.to_dict(), "step": step, "records": records},
                  out / "history.json")

    terms = cfg.map_loss_terms()  # Eq. 4 and 9's weights, checked before any work
    dataset = build_dataset(cfg, data)
    val = _validation(cfg) if main and cfg.val_every else None
    remaining = max(0, cfg.steps - step)
    loader = make_loader(dataset, cfg.batch_size, step, remaining, cfg.num_workers,
                         rank, world)
    amp = torch.autocast(dev.type, dtype=torch.bfloat16, enabled=cfg.amp)
    bar = tqdm(total=cfg.steps, initial=step, disable=not (progress and main),
               file=sys.stderr, desc=cfg.name, dynamic_ncols=True)
    t0 = time.time()
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for x, y, labels, paired in loader:
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        labels, paired = labels.to(dev), paired.to(dev)
        if cfg.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        f = lr_factor(cfg, step, time.time() - t0)
        for group in opt_T.param_groups:
            group["lr"] = cfg.lr_map * f
        with amp:
            o = model(x, return_all=True)
        t = o.out.float()
        e3 = o.embeddings[-1] if o.embeddings else None
        parts: dict[str, torch.Tensor] = {}
        phi_t = None
        if use_phi:
            for group in opt_phi.param_groups:
                group["lr"] = cfg.lr * f
            for _ in range(cfg.critic_steps):
                parts = _potential_update(cfg, phi, opt_phi, y, t.detach(), gen, amp,
                                          step, world, bar, last)
            phi.requires_grad_(False)
            with amp:
                phi_t = cfg.adv_weight * phi(t)
        x0 = o.x0.float() if cfg.first_pass_weight else None
        loss, mparts = losses.map_loss(x, t, y, phi_t, labels, paired, e3, x0=x0,
                                       **terms)
        if not torch.isfinite(loss):
            raise _diverged(step, "map", bar, last)
        opt_T.zero_grad(set_to_none=True)
        loss.backward()
        if use_phi:
            phi.requires_grad_(True)
        if cfg.grad_clip:
            torch.nn.utils.clip_grad_norm_(raw_T.parameters(), cfg.grad_clip)
        opt_T.step()
        step += 1
        parts.update(mparts, loss=loss.detach())
        for k, v in parts.items():
            sums[k] = sums.get(k, 0.0) + float(v)
            counts[k] = counts.get(k, 0) + 1
        bar.update(1)
        stop = cfg.max_minutes and time.time() - t0 > 60 * cfg.max_minutes
        if world > 1:
            flag = torch.tensor([float(bool(stop))], device=dev)
            dist.all_reduce(flag)
            stop = bool(flag.item())
        final = stop or step >= cfg.steps
        if main and (step % cfg.log_every == 0 or final):
            rec = {"step": step, "time": round(time.time() - t0, 2),
                   "lr_map": cfg.lr_map * f,
                   **{k: v / counts[k] for k, v in sums.items()}}
            if val is not None and (step % cfg.val_every == 0 or final):
                rec.update(validate(raw_T, val))
            records.append(rec)
            sums, counts = {}, {}
            bar.set_postfix(loss=f"{rec['loss']:.3g}", l1=f"{rec['l1']:.3g}")
            for cb in callbacks:
                cb(rec)
        if step % cfg.ckpt_every == 0 or final:
            save()
        if stop:
            break
    bar.close()
    if own_group:
        dist.barrier()
        dist.destroy_process_group()
    history = {"config": cfg.to_dict(), "step": step, "records": records,
               "wall_s": round(time.time() - t0, 1)}
    return TrainResult(raw_T, phi, history, last, records)


def _validation(cfg: TrainConfig):
    """The fixed validation batch, or ``None`` (with a warning) without samples."""
    from rcot_lib.datasets import validation_batch

    try:
        return validation_batch(cfg.tasks, cfg.val_size, cfg.val_images)
    except FileNotFoundError as err:
        warnings.warn(f"{err}; training without validation", stacklevel=3)
        return None


def _potential_update(cfg, phi, opt, y, t, gen, amp, step, world, bar, last) -> dict:
    """Algorithm 1, potential step: ascend ``E phi(y) - E phi(T(x))``, then the GP."""
    gp_now = cfg.gp_weight > 0 and step % cfg.gp_every == 0
    with amp:
        loss_phi = losses.potential_loss(phi(y), phi(t))
        gp = (losses.gradient_penalty(phi, y, t, gen)
              if gp_now and not cfg.gp_separate_step else None)
    parts = {"gap": -loss_phi.detach()}
    if gp is not None:
        loss_phi = loss_phi + cfg.gp_weight * gp
    _phi_step(loss_phi, phi, opt, world, step, bar, last)
    if gp_now and cfg.gp_separate_step:
        with amp:
            gp = losses.gradient_penalty(phi, y, t, gen)
        _phi_step(cfg.gp_weight * gp, phi, opt, world, step, bar, last)
    if gp is not None:
        parts["gp"] = gp.detach()
    return parts


def _phi_step(loss, phi, opt, world, step, bar, last) -> None:
    if not torch.isfinite(loss):
        raise _diverged(step, "potential", bar, last)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    _all_reduce_grads(phi, world)
    opt.step()


def _diverged(step: int, which: str, bar, last) -> DivergenceError:
    bar.close()
    kept = f"; the last good checkpoint is {last}" if last and last.is_file() else ""
    msg = f"the {which} loss is not finite at step {step}: training stopped{kept}"
    print(msg, file=sys.stderr)
    return DivergenceError(msg)
