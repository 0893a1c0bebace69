"""Training configurations: the :class:`TrainConfig` dataclass and named presets.

=============  =====================================================================
``tiny``        a few steps of a minute model on 32x32 crops (tests, fast notebooks)
``cpu-small``   NAFNet-style DA-RCOT map (about 2.8 M parameters), pair-informed
                FROT on 64x64 crops, AdamW for the map; trains on a laptop CPU
``cpu-unpaired`` the ``cpu-small`` map trained without pairs (Eq. 8) under a
                strictly convex member of the FROT family; see
                :func:`unpaired_variant` for the paper's unpaired rows
``gpu-medium``  Restormer-style map at half the paper's width, 128x128 crops, bf16;
                about 15 minutes on one recent GPU; its objective differs from
                ``cpu-small``'s (see :func:`_gpu_medium`)
``paper``       the paper's Restormer (dim 48, blocks 4/6/6/8, 4 refinement
                blocks) and the paper's optimisation (RMSprop, lr 1e-4 / 5e-5)
=============  =====================================================================

Deviations from the paper in ``cpu-small`` (all are fields below): AdamW (lr 2e-3,
cosine decay, gradient norm clipped at 5000, i.e. 0.5 per unit of the
``Sigma``-weighted L1) for the map instead of RMSprop at 5e-5 with step decay,
which needs far more steps than a CPU gives; a narrower, shallower potential;
batches of 8 crops of 64x64. The loss weights are the paper's (sigma 1,
Sigma 10000, lambda 1, 0.1 L_con, GP 10). With ``max_minutes`` set the cosine
decay follows the wall time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from rcot_lib.models.config import ModelConfig

#: The all-in-one tasks of the paper's three-degradation setting, plus haze.
ALL_IN_ONE = ("denoise_15", "denoise_25", "denoise_50", "derain", "dehaze")
NOISE_ONLY = ("denoise_15", "denoise_25", "denoise_50")
#: Real training pairs under ``train/`` (``task:relative/path``).
REAL_PAIRS = (
    "derain:derain/Rain12",
    "derain:derain/Rain13K-PCNet",
    "derain:derain/DDN-sample",
    "dehaze:dehaze/SOTS-indoor",
)

#: Fields that may change when a run is resumed (they do not alter the result
#: of the steps already taken).
RUNTIME_FIELDS = frozenset(
    {"name", "steps", "max_minutes", "log_every", "val_every", "ckpt_every",
     "num_workers", "compile"}
)


@dataclass
class TrainConfig:
    """Every setting of a training run, with the paper's defaults.

    Attributes
    ----------
    model : ModelConfig
        Architecture of the map and the potential.
    tasks : tuple of str
        Degradations mixed in the all-in-one batches.
    task_weights : tuple of float
        Relative frequency of each task in ``tasks``; empty = uniform.
    gray_prob : float
        Probability that a synthetic sample is a grayscale photograph (its luma,
        degraded in one channel, repeated to RGB); see ``DegradationMix``.
    clean_dirs, pair_sets : tuple of str
        Clean-image folders and ``"task:folder"`` real pair sets, relative to the
        training folder (``$RCOT_DATA/train``).
    real_pair_prob : float
        Probability that a task with real pairs draws one (else synthesis).
    paired_fraction : float
        Fraction of paired samples (Eq. 9); 0 gives the unpaired objective (Eq. 8).
    sigma, Sigma, lam, con_weight, tau
        Weights of Eq. 9 and Eq. 16 (paper: 1, 10000, 1, 0.1, 0.07).
    fft_norm : str
        FFT normalisation of the Fourier term ("backward" = the authors' code).
    cost_base, cost_transform, cost_reduction : str
        The member of the FROT cost family (:class:`rcot_lib.image_costs.FrotCost`):
        base distance ("euclidean", "sqeuclidean", "none"), transform ("fft",
        "dct", "identity") and reduction ("mean": the authors' per-pixel means;
        "sum": the norms of Eq. 4). Defaults: the authors' cost.
    task_p : tuple of float
        One exponent ``p`` in [0.5, 2] per task of ``tasks``; empty = the paper's
        rule (2 for noise, 1 for the others).
    adv_weight : float
        Weight of ``-phi(T(x))``; 0 trains without a potential.
    gp_weight, gp_every, gp_separate_step
        WGAN-GP weight (10), applied every ``gp_every`` steps, as its own
        optimiser step after the potential step (the authors' code) or added to it.
    critic_steps : int
        Potential updates per map update (on the batch's ``y`` and ``T(x)``).
    first_pass_weight : float
        Weight of a pair term on the first pass ``x0 = G(x)`` (relative to
        ``Sigma``; 0 = the paper, where nothing trains ``x0`` directly).
    optimizer, lr_map, lr, weight_decay, schedule, lr_step, lr_gamma, warmup
        Map optimiser ("rmsprop", "adam" or "adamw") and learning rate; the
        potential always uses RMSprop with ``lr``; schedule "step" multiplies by
        ``lr_gamma`` every ``lr_step`` steps, "cosine" decays to 0 at ``steps``.
    grad_clip : float
        Clip the map's gradient norm (0 = off).
    amp, compile, channels_last : bool
        bf16 autocast, ``torch.compile`` and channels-last memory. They are
        applied on any device; only the GPU preset sets them, since on most CPUs
        they do not pay (bf16 is emulated there and compiling takes minutes).
    max_minutes : float
        Stop (and save) after this wall time; 0 = no limit.
    """

    name: str = "custom"
    model: ModelConfig = field(default_factory=ModelConfig)
    tasks: tuple[str, ...] = ALL_IN_ONE
    task_weights: tuple[float, ...] = ()
    gray_prob: float = 0.0
    clean_dirs: tuple[str, ...] = ("clean/BSD390",)
    pair_sets: tuple[str, ...] = REAL_PAIRS
    real_pair_prob: float = 0.5
    paired_fraction: float = 1.0
    patch: int = 128
    batch_size: int = 4
    num_workers: int = 0
    sigma: float = 1.0
    Sigma: float = 1e4
    lam: float = 1.0
    fft_norm: str = "backward"
    cost_base: str = "euclidean"
    cost_transform: str = "fft"
    cost_reduction: str = "mean"
    task_p: tuple[float, ...] = ()
    con_weight: float = 0.1
    tau: float = 0.07
    adv_weight: float = 1.0
    gp_weight: float = 10.0
    gp_every: int = 1
    gp_separate_step: bool = True
    critic_steps: int = 1
    first_pass_weight: float = 0.0
    optimizer: str = "rmsprop"
    lr: float = 1e-4
    lr_map: float = 5e-5
    weight_decay: float = 0.0
    schedule: str = "step"
    lr_step: int = 100_000
    lr_gamma: float = 0.1
    warmup: int = 0
    grad_clip: float = 0.0
    steps: int = 300_000
    seed: int = 0
    amp: bool = False
    compile: bool = False
    channels_last: bool = False
    log_every: int = 50
    val_every: int = 1000
    val_size: int = 96
    val_images: int = 6
    ckpt_every: int = 1000
    max_minutes: float = 0.0

    def to_dict(self) -> dict:
        """Plain dict (lists for tuples, the model as a dict)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["model"] = self.model.to_dict()
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """Inverse of :meth:`to_dict`; unknown fields raise a ``ValueError``."""
        d = dict(d)
        unknown = set(d) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown TrainConfig fields: {sorted(unknown)}")
        if isinstance(d.get("model"), dict):
            d["model"] = ModelConfig.from_dict(d["model"])
        d = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
        return cls(**d)

    def frot_cost(self):
        """The transport cost of Eq. 4 this configuration trains with."""
        from rcot_lib.image_costs import FrotCost

        return FrotCost(self.cost_base, self.lam, 1.0, self.cost_transform,
                        self.fft_norm, self.cost_reduction)

    def map_loss_terms(self) -> dict:
        """The keyword weights of :func:`rcot_lib.losses.map_loss` for this run."""
        return {"sigma": self.sigma, "Sigma": self.Sigma, "con_weight": self.con_weight,
                "tau": self.tau, "cost": self.frot_cost(), "p_table": self.p_table(),
                "first_pass_weight": self.first_pass_weight}

    def p_table(self) -> dict[int, float]:
        """Label -> exponent ``p`` of the Fourier term (``task_p`` or the paper's)."""
        from rcot_lib.image_costs import task_p_table

        return task_p_table(self.tasks, self.task_p)

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed (``model`` may be a dict of changes)."""
        if isinstance(changes.get("model"), dict):
            changes["model"] = dataclasses.replace(self.model, **changes["model"])
        return dataclasses.replace(self, **changes)


def _tiny() -> TrainConfig:
    model = ModelConfig(dim=8, blocks=(1, 1, 1, 1), refine=0, regm_dim=4,
                        potential_width=8, potential_depth=2)
    return TrainConfig(
        name="tiny", model=model, patch=32, batch_size=4, steps=4,
        optimizer="adamw", lr_map=1e-3, schedule="constant", fft_norm="ortho",
        Sigma=100.0, log_every=1, val_every=2, val_size=32, val_images=2,
        ckpt_every=2, real_pair_prob=0.5,
    )


def _cpu_small() -> TrainConfig:
    model = ModelConfig(backbone="nafnet", dim=32, blocks=(1, 1, 2, 2), refine=0,
                        potential_width=16, potential_depth=3)
    return TrainConfig(
        name="cpu-small", model=model, patch=64, batch_size=8, steps=3000,
        optimizer="adamw", lr_map=2e-3, weight_decay=1e-4, schedule="cosine",
        warmup=50, grad_clip=5000.0, log_every=25, val_every=100, ckpt_every=50,
    )


def _cpu_unpaired() -> TrainConfig:
    """Unpaired FROT (Eq. 8) on 2 CPU cores: no loss sees a pair.

    Why the authors' cost cannot be used here. With ``c = k ||r||`` (1-homogeneous)
    and a potential held near slope 1 by the gradient penalty, the inner problem
    ``inf_T E[c(x, T(x)) - phi(T(x))]`` is a knife edge: for ``k < 1`` it is
    ``-inf`` (the map runs away along ``grad phi``), for ``k > 1`` the identity
    is optimal and the map never moves. Measured with the authors' RMS cost
    (``k = 0.59`` in the units of ``||r||_2`` at 64 px): the map stayed the
    identity for 900 steps, then ran away (7.3 dB); with ``sigma = 2``
    (``k = 1.17``) it stayed the identity for all 1,280 steps.

    What works: a strictly convex cost measured in the units the penalty
    measures ``phi`` in (``reduction="l2"``: ``||r||_2``, not an RMS),

    ``c(x, y) = sigma (||r||_2^2 + lam ||F r||_p)``,  ``r = x - y``.

    ``c - phi`` is then bounded below for any Lipschitz ``phi``, the map's best
    response moves ``x`` by about ``|grad phi| / (2 sigma)`` (``sigma = 0.03``
    allows a residual of norm ~17, that of noise at sigma 40 on a 64 px crop),
    and the 1-homogeneous Fourier term is a dead zone: a Fourier coefficient
    moves only where the potential's gradient beats ``sigma lam`` (soft
    thresholding, hence sparse residuals for ``p = 1``).

    Optimisation, tried on blind noise, 600 steps: RMSprop at 1e-4 for one
    potential step per map step lost the game (the potential gap stayed at -4
    and the map fooled it: 18.8 dB for inputs at 20.4); RMSprop at 1e-3, two
    potential steps per map step and AdamW at 2e-4 for the map kept the gap
    positive (+5) and restored (22.4 dB at step 600 and rising).
    """
    cfg = _cpu_small()
    return cfg.replace(
        name="cpu-unpaired", paired_fraction=0.0, Sigma=0.0,
        cost_base="sqeuclidean", cost_reduction="l2", fft_norm="ortho",
        sigma=0.03, lam=10.0, lr=1e-3, critic_steps=2, lr_map=3e-4,
        con_weight=3.0,  # sigma * con_weight = 0.09, the paper's 0.1 for L_con
        model={"potential_width": 32, "potential_depth": 4},
    )


def _gpu_medium() -> TrainConfig:
    """Half the paper's width on one GPU, and not ``cpu-small``'s objective.

    Differences from ``cpu-small``: the orthonormal FFT (``fft_norm="ortho"``: the
    Fourier term stays on the scale of the RMS distance at any crop size, while the
    unnormalised ``p = 2`` term is ``sqrt(H W)`` times the RMS, 128 times at 128 px
    against 64 times at ``cpu-small``'s 64 px), ``Sigma = 100`` instead of 1e4,
    the gradient penalty every second step (half the double backwards), the map's
    gradient clipped at norm 1, bf16 and channels-last. Both presets are
    pair-informed (Eq. 9) with the pair term dominating: supervised in effect;
    ``cpu-unpaired`` is not.
    """
    model = ModelConfig(backbone="restormer", dim=24, blocks=(2, 3, 3, 4), refine=2,
                        heads=(1, 2, 4, 8), potential_width=32, potential_depth=4)
    return TrainConfig(
        name="gpu-medium", model=model, patch=128, batch_size=16, steps=6000,
        optimizer="adamw", lr_map=3e-4, weight_decay=1e-4, schedule="cosine",
        warmup=200, grad_clip=1.0, fft_norm="ortho", Sigma=100.0, gp_every=2,
        amp=True, compile=False, channels_last=True, num_workers=4,
        log_every=50, val_every=500, ckpt_every=1000,
    )


def _paper() -> TrainConfig:
    """The paper's size: 50.2 M parameters for the map (the paper: 49.8 M).

    The generator is the paper's Restormer; the residual encoder (REGM) has the
    generator's width (``regm_dim=0``) and 6 blocks per level, which brings the
    total within 1 % of the paper's count (the kit's REGM is a light U-Net, not
    a copy of the authors' module, so the split between the parts differs).
    """
    model = ModelConfig(backbone="restormer", dim=48, blocks=(4, 6, 6, 8), refine=4,
                        heads=(1, 2, 4, 8), ffn_expansion=2.66, regm_dim=0,
                        regm_blocks=6, potential_width=64, potential_depth=4)
    return TrainConfig(name="paper", model=model, num_workers=4)


PRESETS = {
    "tiny": _tiny,
    "cpu-small": _cpu_small,
    "cpu-unpaired": _cpu_unpaired,
    "gpu-medium": _gpu_medium,
    "paper": _paper,
}


def get_preset(name: str, **changes) -> TrainConfig:
    """A named configuration, optionally with some fields changed.

    Examples
    --------
    >>> get_preset("tiny", steps=2).steps
    2
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    cfg = PRESETS[name]()
    return cfg.replace(**changes) if changes else cfg


# the optimisers and schedules, and the unpaired rows, by their old import path
from rcot_lib.optim import lr_factor, make_optimizer  # noqa: E402, F401
from rcot_lib.unpaired import (  # noqa: E402, F401
    UNPAIRED_VARIANTS,
    unpaired_variant,
)
