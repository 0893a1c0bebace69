"""The shipped checkpoints load and restore what they were trained on.

The means are pinned to the values recorded when the checkpoint was made (128x128
centre crops of the six ``data_samples`` photographs, image ``k`` degraded with seed
``k``), so a change to the model code, the weights or the degradations that alters
its outputs fails here, not silently in notebook 04.
"""

from __future__ import annotations

import pytest
import torch

from rcot_lib.checkpoint import load_map
from rcot_lib.degrade import degrade
from rcot_lib.environment import CHECKPOINTS_DIR
from rcot_lib.images import center_crop, load_image, sample_images
from rcot_lib.metrics import psnr
from rcot_lib.restore import restore

FIVE = ["denoise_15", "denoise_25", "denoise_50", "derain", "dehaze"]

# file: (its tasks, {task: (mean PSNR of the inputs, of the outputs), dB, recorded})
# The unpaired map (3,000 steps of Eq. 8, no pair seen) removes noise and some haze
# but not the rain of these crops: its recorded means say so, and it is not held to
# the paired maps' "every image gains 2 dB".
UNPAIRED = "darcot_unpaired_small.pt"
SHIPPED = {
    UNPAIRED: (FIVE, {
        "denoise_25": (20.75, 23.86),
        "derain": (23.51, 23.35),
        "dehaze": (12.41, 14.01),
    }),
    "darcot_small_allinone.pt": (FIVE, {
        "denoise_25": (20.75, 30.63),
        "derain": (23.50, 31.36),
        "dehaze": (12.41, 23.76),
    }),
    "darcot_small_allinone7.pt": ([*FIVE, "deblur", "lowlight"], {
        "denoise_25": (20.75, 30.54),
        "dehaze": (12.41, 23.99),
        "lowlight": (8.23, 23.33),
    }),
}
CASES = [(name, task) for name, (_, rec) in SHIPPED.items() for task in sorted(rec)]

_loaded: dict = {}


def shipped(name: str):
    path = CHECKPOINTS_DIR / name
    if not path.is_file():
        pytest.skip(f"{path} missing")
    if name not in _loaded:
        _loaded[name] = load_map(path)
    return _loaded[name]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_checkpoint_config(name):
    T, cfg = shipped(name)
    assert cfg["tasks"] == SHIPPED[name][0]
    assert cfg["model"]["backbone"] == "nafnet"
    n = sum(p.numel() for p in T.parameters())
    assert 2.5e6 < n < 3.0e6  # "2.8 M parameters" in the README and notebook 04
    assert not T.training


@pytest.mark.parametrize(("name", "task"), CASES)
def test_shipped_checkpoint_restores_its_tasks(name, task):
    T, _ = shipped(name)
    psnr_in, psnr_out = [], []
    for k, path in enumerate(sample_images()):
        y = center_crop(load_image(path, mode=None), 128)
        x = degrade(y[None], task, torch.Generator().manual_seed(k))[0].clamp(0, 1)
        out = restore(T, x)
        assert out.shape == y.shape
        psnr_in.append(psnr(x, y))
        psnr_out.append(psnr(out, y))
    mean_in = sum(psnr_in) / len(psnr_in)
    mean_out = sum(psnr_out) / len(psnr_out)
    want_in, want_out = SHIPPED[name][1][task]
    assert mean_in == pytest.approx(want_in, abs=0.01)
    assert mean_out == pytest.approx(want_out, abs=0.05)
    if name != UNPAIRED:  # and every image improves
        assert min(o - i for i, o in zip(psnr_in, psnr_out, strict=True)) > 2.0
