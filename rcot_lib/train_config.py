"""The :class:`TrainConfig` dataclass: every setting of a training run, with the
paper's defaults (DA-RCOT Sec. IV-A; Eq. 4, 9, 16 for the loss weights), and the
task lists it defaults to. The named configurations are :mod:`rcot_lib.presets`.
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
