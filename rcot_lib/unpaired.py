r"""The paper's unpaired comparison (DA-RCOT Table VIII, Eq. 8) at CPU scale: its
variants as changes of ``cpu-unpaired``, the summaries of their runs and the
example restorations notebook 06 shows.

Why the unpaired game needs a strictly convex cost, and what each part of the
cost does to the map's step, is :mod:`rcot_lib.best_response` (closed forms).

References
----------
.. [1] Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024.
.. [2] Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport for
   Unified Image Restoration", TPAMI 2025 (Eq. 8; Table VIII's unpaired rows).
.. [3] Wang et al., "Optimal Transport for Unsupervised Denoising Learning"
   (OTUR), TPAMI 2022.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from rcot_lib.environment import RESULTS_DIR
from rcot_lib.moved_names import forward

if TYPE_CHECKING:
    from rcot_lib.train_config import TrainConfig

#: The paper's unpaired rows, in the order of its table.
VARIANTS = ("wgan-gp", "otur", "sot", "rcot", "da-rcot")
#: The references of the comparison (``scripts/unpaired_cpu.sh``): ``l1``,
#: ``cpu-small``'s one-pass map on the pair L1 term alone (supervised), and
#: ``paired``, ``cpu-small``'s pair-informed DA-RCOT (Eq. 9; supervised in effect).
REFERENCES = ("l1", "paired")
#: The labels the tables print.
LABELS = {"wgan-gp": "WGAN-GP*", "otur": "OTUR*", "sot": "SOT*", "rcot": "RCOT*",
          "da-rcot": "DA-RCOT*", "l1": "L1 (supervised)",
          "paired": "DA-RCOT (paired, Eq. 9)"}


#: The paper's unpaired rows (DA-RCOT Table VIII) as changes of ``cpu-unpaired``.
UNPAIRED_VARIANTS = {
    "wgan-gp": {"sigma": 0.0, "con_weight": 0.0,
                "model": {"condition": "none"}},
    "otur": {"lam": 0.0, "con_weight": 0.0, "model": {"condition": "none"}},
    "sot": {"con_weight": 0.0, "model": {"condition": "none"}, "task_p": "ones"},
    "rcot": {"model": {"condition": "single"}},
    "da-rcot": {"model": {"condition": "multiscale"}},
}


def unpaired_variant(name: str, base: TrainConfig | None = None) -> TrainConfig:
    """One of the paper's unpaired comparisons, from ``cpu-unpaired`` (or ``base``).

    ``wgan-gp``: the adversarial term only (no transport cost); ``otur``: the
    quadratic pixel cost only; ``sot``: the sparse ``p = 1`` Fourier cost for
    every task, no residual condition; ``rcot``: ``p`` by degradation and the
    single residual embedding; ``da-rcot``: ``p`` by degradation and the
    multi-scale embeddings with the contrastive term.

    Examples
    --------
    >>> unpaired_variant("sot").task_p
    (1.0, 1.0, 1.0, 1.0, 1.0)
    """
    if name not in UNPAIRED_VARIANTS:
        raise ValueError(
            f"unknown unpaired variant {name!r}; "
            f"choose from {', '.join(UNPAIRED_VARIANTS)}"
        )
    from rcot_lib.presets import get_preset

    cfg = base or get_preset("cpu-unpaired")
    changes = dict(UNPAIRED_VARIANTS[name])
    if changes.get("task_p") == "ones":
        changes["task_p"] = (1.0,) * len(cfg.tasks)
    return cfg.replace(name=f"{cfg.name}-{name}", **changes)



def summarise(folder: str | os.PathLike) -> dict[str, dict]:
    """:func:`rcot_lib.ablation.summarise_runs` of ``scripts/unpaired_cpu.sh``'s
    output folder (the variants found there, in the paper's order, then the
    supervised reference)."""
    from rcot_lib.ablation import summarise_runs

    return summarise_runs(folder, VARIANTS + REFERENCES)


def load_results(name: str = "unpaired_steps3000.json") -> dict:
    """A shipped results file of ``data_samples/results/`` (or a path to one)."""
    import json

    path = Path(name) if Path(name).is_file() else Path(RESULTS_DIR) / name
    if not path.is_file():
        known = sorted(p.name for p in Path(RESULTS_DIR).glob("*.json"))
        raise FileNotFoundError(f"{path} not found; shipped: {known}")
    return json.loads(path.read_text())


#: The degradations of notebook 06's side-by-side figure.
EXAMPLE_TASKS = ("denoise_25", "derain", "dehaze")
EXAMPLE_DIR = Path(RESULTS_DIR) / "unpaired_examples"
#: The length of the comparison whose maps restored the examples of notebook 06.
EXAMPLE_STEPS = 3000


def example_inputs(
    image: str = "chelsea.png", crop: int = 128, seed: int = 0
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Task -> ``(x, y)``: a central crop of a sample photograph, degraded (seeded)."""
    from rcot_lib.degrade import degrade
    from rcot_lib.environment import SAMPLES_DIR
    from rcot_lib.images import center_crop, load_image

    y = center_crop(load_image(Path(SAMPLES_DIR) / "images" / image), crop)
    return {task: (degrade(y, task, seed + k).clamp(0, 1), y)
            for k, task in enumerate(EXAMPLE_TASKS)}


def write_examples(T: torch.nn.Module, variant: str,
                   folder: str | os.PathLike = EXAMPLE_DIR) -> list[Path]:
    """Restore :func:`example_inputs` with ``T``; write ``<variant>_<task>.png``."""
    from rcot_lib.images import save_image
    from rcot_lib.restore import restore

    paths = []
    for task, (x, _) in example_inputs().items():
        path = Path(folder) / f"{variant}_{task}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        save_image(restore(T, x).clamp(0, 1), path)
        paths.append(path)
    return paths


def load_examples(task: str, folder: str | os.PathLike = EXAMPLE_DIR
                  ) -> dict[str, torch.Tensor]:
    """Variant -> its restoration of ``task``'s example, for the variants shipped."""
    from rcot_lib.images import load_image

    found = {v: Path(folder) / f"{v}_{task}.png" for v in VARIANTS + REFERENCES}
    return {v: load_image(p) for v, p in found.items() if p.is_file()}


#: Names that moved to :mod:`rcot_lib.best_response` (served here through
#: :mod:`rcot_lib.moved_names`).
__getattr__ = forward(__name__, {
    "rcot_lib.best_response": (
        "best_response", "noisy_gradient", "best_response_psnr", "lambda_for_gain",
    ),
})
