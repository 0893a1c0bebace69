r"""One FROT training iteration on a seeded synthetic batch, as a benchmark runs it.

One iteration is what :func:`rcot_lib.train.train` does per step (Algorithm 1):

.. math::
    \max_\phi \; \mathbb E[\phi(y)] - \mathbb E[\phi(T(x))]
    \;(\text{then } 10\, \mathrm{GP}), \qquad
    \min_T \; \mathbb E\big[c(x, T(x)) + 0.1\,\mathcal L_{con}
    + \Sigma \|T(x) - y\|_1 - \phi(T(x))\big]

with one forward pass of the map shared by the potential and the map steps, a
separate gradient-penalty step (double backward) and RMSprop for both networks.
The losses are those of :mod:`rcot_lib.losses`.

Its wall time and memory are measured by :mod:`rcot_lib.bench`, its FLOPs counted
by :mod:`rcot_lib.bench_flops`.
"""

from __future__ import annotations

import torch

from rcot_lib.models import ModelConfig, build_map, build_potential


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
