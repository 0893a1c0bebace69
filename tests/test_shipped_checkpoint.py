"""The shipped checkpoint loads and restores what it was trained on.

The means are pinned to the values recorded when the checkpoint was made (128x128
centre crops of the six ``data_samples`` photographs, image ``k`` degraded with seed
``k``), so a change to the model code, the weights or the degradations that alters
its outputs fails here, not silently in notebook 04.
"""

from __future__ import annotations

import pytest
import torch

from rcot_lib.checkpoint import load_map
from rcot_lib.config import CHECKPOINTS_DIR
from rcot_lib.degradations import degrade
from rcot_lib.images import center_crop, load_image, sample_images
from rcot_lib.metrics import psnr
from rcot_lib.restore import restore

SHIPPED = CHECKPOINTS_DIR / "darcot_small_allinone.pt"

# task: (mean PSNR of the inputs, mean PSNR of the outputs), dB, recorded
RECORDED = {
    "denoise_25": (20.75, 30.63),
    "derain": (23.50, 31.36),
    "dehaze": (12.41, 23.76),
}


@pytest.fixture(scope="module")
def shipped():
    if not SHIPPED.is_file():
        pytest.skip(f"{SHIPPED} missing")
    return load_map(SHIPPED)


def test_shipped_checkpoint_config(shipped):
    T, cfg = shipped
    five = ["denoise_15", "denoise_25", "denoise_50", "derain", "dehaze"]
    assert cfg["tasks"] == five
    assert cfg["model"]["backbone"] == "nafnet"
    n = sum(p.numel() for p in T.parameters())
    assert 2.5e6 < n < 3.0e6  # "2.8 M parameters" in the README and notebook 04
    assert not T.training


@pytest.mark.parametrize("task", sorted(RECORDED))
def test_shipped_checkpoint_restores_its_tasks(shipped, task):
    T, _ = shipped
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
    want_in, want_out = RECORDED[task]
    assert mean_in == pytest.approx(want_in, abs=0.01)
    assert mean_out == pytest.approx(want_out, abs=0.05)
    # and every image improves
    assert min(o - i for i, o in zip(psnr_in, psnr_out, strict=True)) > 2.0
