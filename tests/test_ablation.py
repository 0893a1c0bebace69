import pytest

from rcot_lib.ablation import conditioning_ablation
from rcot_lib.presets import get_preset


def test_ablation_trains_each_condition_on_the_same_budget(monkeypatch):
    monkeypatch.delenv("RCOT_DATA", raising=False)
    cfg = get_preset("tiny", steps=1, tasks=("denoise_25", "derain"))
    with pytest.warns(UserWarning, match="data_samples"):
        rows = conditioning_ablation(cfg, device="cpu", progress=False)
    assert [r["condition"] for r in rows] == ["none", "single", "multiscale"]
    params = [r["params"] for r in rows]
    assert params[0] < params[1] < params[2]  # REGM, then its decoder and fusions
    inputs = {round(r["val_psnr_in"], 6) for r in rows}
    assert len(inputs) == 1  # one validation batch for all
    assert all(r["val_psnr"] > 5 for r in rows)
