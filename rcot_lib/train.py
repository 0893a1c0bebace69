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

from rcot_lib import losses
from rcot_lib.optim import lr_factor
from rcot_lib.scoring import validate
from rcot_lib.train_config import TrainConfig
from rcot_lib.train_state import Networks, Processes, load_state, save_state
from rcot_lib.training_data import from_config as build_dataset

__all__ = ["train", "TrainResult", "DivergenceError", "lr_factor"]


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


def train(
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
        Training data folder (see :func:`rcot_lib.training_images.resolve_sources`).
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
    out = Path(out_dir) if out_dir is not None else None
    last = out / "last.pt" if out is not None else None
    if resume and (last is None or not last.is_file()):
        raise FileNotFoundError(f"nothing to resume: {last} does not exist")
    terms = cfg.map_loss_terms()  # Eq. 4 and 9's weights, checked before any work
    procs = Processes.start(device)
    try:
        nets = Networks.build(cfg, procs, T, phi)
        gen = torch.Generator(device=procs.device).manual_seed(cfg.seed * 1000
                                                               + procs.rank)
        step, records = 0, []
        if resume or init:
            step, records = load_state(nets, cfg, last if resume else Path(init),
                                       resume, gen, procs)
        nets.wrap(cfg, procs)
        step, wall = _loop(cfg, nets, procs, gen, terms, step, records, last, data,
                           progress, callbacks)
        procs.barrier()  # every rank has saved before the group goes
    finally:
        procs.close()
    history = {"config": cfg.to_dict(), "step": step, "records": records,
               "wall_s": wall}
    return TrainResult(nets.T, nets.phi, history, last, records)


def _loop(cfg, nets, procs, gen, terms, step, records, last, data, progress,
          callbacks) -> tuple[int, float]:
    """Iterate Algorithm 1 from ``step`` to ``cfg.steps``; log, validate, save."""
    from tqdm.auto import tqdm

    from rcot_lib.training_loader import make_loader

    dataset = build_dataset(cfg, data)
    val = _validation(cfg) if procs.main and cfg.val_every else None
    loader = make_loader(dataset, cfg.batch_size, step, max(0, cfg.steps - step),
                         cfg.num_workers, procs.rank, procs.world)
    amp = torch.autocast(procs.device.type, dtype=torch.bfloat16, enabled=cfg.amp)
    bar = tqdm(total=cfg.steps, initial=step, disable=not (progress and procs.main),
               file=sys.stderr, desc=cfg.name, dynamic_ncols=True)
    t0, meter = time.time(), _Meter()
    try:
        for batch in loader:
            factor = lr_factor(cfg, step, time.time() - t0)
            nets.set_lr(cfg, factor)
            meter.add(step, *_iteration(cfg, nets, procs, gen, terms, amp, step,
                                        batch))
            step += 1
            bar.update(1)
            # a deliberate sync: every rank stops at the same step
            stop = procs.any(bool(cfg.max_minutes)
                             and time.time() - t0 > 60 * cfg.max_minutes)
            final = stop or step >= cfg.steps
            if step % cfg.log_every == 0 or step % cfg.ckpt_every == 0 or final:
                meter.check_finite(last)  # host reads happen here, not every step
            if procs.main and (step % cfg.log_every == 0 or final):
                rec = {"step": step, "time": round(time.time() - t0, 2),
                       "lr_map": cfg.lr_map * factor, **meter.means()}
                if val is not None and (step % cfg.val_every == 0 or final):
                    rec.update(validate(nets.T, val))
                records.append(rec)
                bar.set_postfix(loss=f"{rec['loss']:.3g}", l1=f"{rec['l1']:.3g}")
                for cb in callbacks:
                    cb(rec)
            if step % cfg.ckpt_every == 0 or final:
                save_state(nets, cfg, procs, step, records, gen, last)
            if stop:
                break
    finally:
        bar.close()
    return step, round(time.time() - t0, 1)


def _iteration(cfg, nets, procs, gen, terms, amp, step, batch):
    """One iteration of Algorithm 1, with one forward pass of the map shared by
    the potential step and the map step. Returns the detached loss parts and
    every loss that was stepped (for :class:`_Meter`'s finiteness check)."""
    x, y, labels, paired = (v.to(procs.device, non_blocking=True) for v in batch)
    if cfg.channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    with amp:
        o = nets.model(x, return_all=True)
    t = o.out.float()
    parts, stepped, phi_t = {}, [], None
    if nets.phi is not None:
        # 1-2. potential step(s): ascend E phi(y) - E phi(T(x)), then the GP
        for _ in range(cfg.critic_steps):
            parts, stepped = _potential_update(cfg, nets, procs, gen, amp, step, y,
                                               t.detach())
        nets.phi.requires_grad_(False)
        with amp:
            phi_t = cfg.adv_weight * nets.phi(t)
    # 3. map step: descend the transport cost (+ pair terms) minus phi(T(x))
    e3 = o.embeddings[-1] if o.embeddings else None
    x0 = o.x0.float() if cfg.first_pass_weight else None
    loss, map_parts = losses.map_loss(x, t, y, phi_t, labels, paired, e3, x0=x0,
                                      **terms)
    _descend(loss, nets.T, nets.opt_T, cfg.grad_clip)
    if nets.phi is not None:
        nets.phi.requires_grad_(True)
    return {**parts, **map_parts, "loss": loss.detach()}, [*stepped, loss.detach()]


def _potential_update(cfg, nets, procs, gen, amp, step, y, t):
    """Algorithm 1, potential step: ascend ``E phi(y) - E phi(T(x))``, then the GP
    (as its own optimiser step, the authors' code, or added to the first).
    Returns the parts and the stepped losses."""
    phi = nets.phi
    gp_now = cfg.gp_weight > 0 and step % cfg.gp_every == 0
    separate = gp_now and cfg.gp_separate_step
    with amp:
        loss_phi = losses.potential_loss(phi(y), phi(t))
        gp = losses.gradient_penalty(phi, y, t, gen) if gp_now and not separate \
            else None
    parts = {"gap": -loss_phi.detach()}
    first = loss_phi if gp is None else loss_phi + cfg.gp_weight * gp
    _descend(first, phi, nets.opt_phi, average=procs.average_grads)
    stepped = [first.detach()]
    if separate:  # the penalty, on the updated potential
        with amp:
            gp = losses.gradient_penalty(phi, y, t, gen)
        _descend(cfg.gp_weight * gp, phi, nets.opt_phi, average=procs.average_grads)
        stepped.append(gp.detach())
    if gp is not None:
        parts["gp"] = gp.detach()
    return parts, stepped


def _descend(loss, module, opt, clip: float = 0.0, average=None) -> None:
    """One optimiser step on ``loss`` (gradients averaged over ranks, clipped)."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if average is not None:
        average(module)
    if clip:
        torch.nn.utils.clip_grad_norm_(module.parameters(), clip)
    opt.step()


class _Meter:
    """Running sums of the loss parts as device tensors, and the first step whose
    losses were not finite: no host sync per step."""

    def __init__(self) -> None:
        self.sums: dict[str, torch.Tensor] = {}
        self.counts: dict[str, int] = {}
        self.first_bad: torch.Tensor | None = None

    def add(self, step: int, parts: dict, stepped: list) -> None:
        ok = torch.stack([torch.isfinite(v).all() for v in stepped]).all()
        here = torch.tensor(step, device=ok.device)
        bad = torch.where(ok, torch.full_like(here, -1), here)
        self.first_bad = bad if self.first_bad is None else torch.where(
            self.first_bad >= 0, self.first_bad, bad)
        for k, v in parts.items():
            self.sums[k] = self.sums.get(k, 0.0) + v.float()
            self.counts[k] = self.counts.get(k, 0) + 1

    def check_finite(self, last: Path | None) -> None:
        """Raise :class:`DivergenceError` if a step since the last check was not."""
        if self.first_bad is None:
            return
        bad = int(self.first_bad)  # host read
        self.first_bad = None
        if bad >= 0:
            kept = (f"; the last good checkpoint is {last}"
                    if last and last.is_file() else "")
            msg = f"a loss is not finite at step {bad}: training stopped{kept}"
            print(msg, file=sys.stderr)
            raise DivergenceError(msg)

    def means(self) -> dict[str, float]:
        out = {k: float(v) / self.counts[k] for k, v in self.sums.items()}  # host read
        self.sums, self.counts = {}, {}
        return out


def _validation(cfg: TrainConfig):
    """The fixed validation batch, or ``None`` (with a warning) without samples."""
    from rcot_lib.training_data import validation_batch

    try:
        return validation_batch(cfg.tasks, cfg.val_size, cfg.val_images)
    except FileNotFoundError as err:
        warnings.warn(f"{err}; training without validation", stacklevel=4)
        return None
