"""What the training loop sets up around Algorithm 1: processes, networks,
optimisers, and the checkpoint state that makes a run resume exactly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist

from rcot_lib import checkpoint as ckpt
from rcot_lib.files import save_json
from rcot_lib.optim import make_optimizer
from rcot_lib.train_config import RUNTIME_FIELDS, TrainConfig


@dataclass
class Processes:
    """One process, or one rank of ``torchrun`` (``WORLD_SIZE`` > 1)."""

    world: int = 1
    rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    own_group: bool = False  # this process group was started here

    @classmethod
    def start(cls, device: str | torch.device = "auto") -> Processes:
        """Join ``torchrun``'s process group if there is one; pick the device."""
        from rcot_lib.device import get_device

        world = int(os.environ.get("WORLD_SIZE", "1"))
        own = world > 1 and not dist.is_initialized()
        if own:
            dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        rank = dist.get_rank() if world > 1 else 0
        if world > 1 and torch.cuda.is_available():
            dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(dev)
        else:
            dev = get_device(device)
        return cls(world, rank, dev, own)

    @property
    def main(self) -> bool:
        return self.rank == 0

    def average_grads(self, module: torch.nn.Module) -> None:
        """Average ``module``'s gradients over the ranks (a no-op on one process)."""
        grads = [p.grad for p in module.parameters() if p.grad is not None]
        if self.world > 1 and grads:
            flat = torch.cat([g.flatten() for g in grads]) / self.world
            dist.all_reduce(flat)
            offset = 0
            for g in grads:
                g.copy_(flat[offset : offset + g.numel()].view_as(g))
                offset += g.numel()

    def any(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is true on one (a deliberate sync)."""
        if self.world == 1:
            return flag
        t = torch.tensor([float(flag)], device=self.device)
        dist.all_reduce(t)
        return bool(t.item())

    def barrier(self) -> None:
        """Wait for every rank (a no-op on one process)."""
        if self.world > 1:
            dist.barrier()

    def close(self) -> None:
        """Leave the process group, if this process started it."""
        if self.own_group and dist.is_initialized():
            dist.destroy_process_group()


@dataclass
class Networks:
    """The map, the potential and their optimisers; ``model`` is what runs forward
    (the map, wrapped in DDP and/or ``torch.compile`` when asked)."""

    T: torch.nn.Module
    phi: torch.nn.Module | None
    opt_T: torch.optim.Optimizer
    opt_phi: torch.optim.Optimizer | None
    model: torch.nn.Module

    @classmethod
    def build(cls, cfg: TrainConfig, procs: Processes, T=None, phi=None) -> Networks:
        """The networks of ``cfg.model`` (or the given ones), seeded alike on
        every rank."""
        from rcot_lib.models import build_map, build_potential

        torch.manual_seed(cfg.seed)
        T = (T or build_map(cfg.model)).to(procs.device)
        if cfg.channels_last:
            T = T.to(memory_format=torch.channels_last)
        phi = (phi or build_potential(cfg.model)).to(procs.device) \
            if cfg.adv_weight > 0 else None
        opt_T = make_optimizer(cfg.optimizer, T.parameters(), cfg.lr_map,
                               cfg.weight_decay)
        opt_phi = torch.optim.RMSprop(phi.parameters(), lr=cfg.lr) if phi else None
        return cls(T, phi, opt_T, opt_phi, T)

    def wrap(self, cfg: TrainConfig, procs: Processes) -> None:
        """DDP over the ranks (the potential's weights broadcast by hand, since
        DDP cannot take the gradient penalty's double backward), then compile."""
        model = self.T
        if procs.world > 1:
            if self.phi is not None:
                for tensor in [*self.phi.parameters(), *self.phi.buffers()]:
                    dist.broadcast(tensor.data, src=0)
            gpu = procs.device.type == "cuda"
            model = torch.nn.parallel.DistributedDataParallel(
                self.T, device_ids=[procs.device.index] if gpu else None)
        self.model = torch.compile(model) if cfg.compile else model

    def set_lr(self, cfg: TrainConfig, factor: float) -> None:
        """Both learning rates times the schedule's ``factor``."""
        for group in self.opt_T.param_groups:
            group["lr"] = cfg.lr_map * factor
        if self.opt_phi is not None:
            for group in self.opt_phi.param_groups:
                group["lr"] = cfg.lr * factor


def check_resume(state: dict, cfg: TrainConfig, path) -> None:
    """A resumed run must have the saved training configuration (but for the
    fields of ``RUNTIME_FIELDS``, which do not change the steps already taken)."""
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


def load_state(nets: Networks, cfg: TrainConfig, src: Path, resume: bool,
               gen: torch.Generator, procs: Processes) -> tuple[int, list]:
    """Weights from ``src``; with ``resume`` also optimisers, step, RNG, records."""
    state = ckpt.load_checkpoint(src, map_location=procs.device)
    if resume:
        ckpt.check_resumable(state, src)
        check_resume(state, cfg, src)
    else:
        ckpt.check_model_config(state, cfg.model.to_dict(), src)
    nets.T.load_state_dict(state["map"])
    if nets.phi is not None and state.get("potential"):
        nets.phi.load_state_dict(state["potential"])
    if not resume:
        return 0, []
    nets.opt_T.load_state_dict(state["opt_map"])
    if nets.opt_phi is not None:
        nets.opt_phi.load_state_dict(state["opt_potential"])
    torch.set_rng_state(state["rng"]["torch"].cpu())
    gp = state["rng"]["gp"]
    gen.set_state(gp[procs.rank % len(gp)].cpu())
    return int(state["step"]), list(state.get("records", []))


def save_state(nets: Networks, cfg: TrainConfig, procs: Processes, step: int,
               records: list, gen: torch.Generator, last: Path | None) -> None:
    """Write ``last.pt`` and ``history.json`` atomically (call on every rank: it
    gathers the ranks' generator states; rank 0 writes)."""
    gp_states = [gen.get_state().cpu()]
    if procs.world > 1:
        gp_states = [None] * procs.world
        dist.all_gather_object(gp_states, gen.get_state().cpu())
    if not procs.main or last is None:
        return
    ckpt.save_checkpoint({
        "config": cfg.to_dict(), "model": cfg.model.to_dict(), "step": step,
        "map": nets.T.state_dict(),
        "potential": nets.phi.state_dict() if nets.phi is not None else {},
        "opt_map": nets.opt_T.state_dict(),
        "opt_potential": nets.opt_phi.state_dict() if nets.opt_phi else {},
        "rng": {"torch": torch.get_rng_state(), "gp": gp_states},
        "records": records,
    }, last)
    save_json({"config": cfg.to_dict(), "step": step, "records": records},
              last.parent / "history.json")
