import pytest
import torch

from rcot_lib.first_pass import first_pass_scores
from rcot_lib.metrics import psnr
from rcot_lib.models import ModelConfig, build_map


def test_first_pass_scores_are_the_psnr_of_x0_and_t():
    torch.manual_seed(0)
    T = build_map(ModelConfig(dim=8, blocks=(1, 1, 1, 1), regm_dim=4))
    g = torch.Generator().manual_seed(1)
    items = [(f"im{k}", torch.rand(3, 20, 28, generator=g),
              torch.rand(3, 20, 28, generator=g)) for k in range(2)]
    got = first_pass_scores(T, items)
    assert got["count"] == 2 and len(got["images"]) == 2
    with torch.no_grad():
        o = T(items[0][1][None], return_all=True)
    want_x0 = float(psnr(o.x0.clamp(0, 1)[0], items[0][2]))
    assert got["images"][0]["psnr_x0"] == pytest.approx(want_x0, rel=1e-5)
    assert got["images"][0]["psnr_in"] == pytest.approx(
        float(psnr(items[0][1], items[0][2])), rel=1e-6)
    with pytest.raises(ValueError, match="no image"):
        first_pass_scores(T, [])
