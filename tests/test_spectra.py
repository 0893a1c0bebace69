import json
import math

import pytest
import torch

from rcot_lib import spectra as S
from rcot_lib.cli import main
from rcot_lib.environment import SAMPLES_DIR

N = 64 * 64


def _noise(shape=(3, 128, 128), seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def _cosine(h=64, w=64, ky=5, kx=3):
    yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    return torch.cos(2 * math.pi * (ky * yy / h + kx * xx / w))[None]  # (1, H, W)


def test_parseval_and_normalisations():
    r = _noise((2, 3, 32, 48))
    mag = S.fourier_magnitude(r)
    torch.testing.assert_close(mag.pow(2).sum(), r.pow(2).sum(), rtol=1e-4, atol=0)
    raw = S.fourier_magnitude(r, norm="backward")
    torch.testing.assert_close(raw, mag * math.sqrt(32 * 48), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="norm"):
        S.fourier_magnitude(r, norm="unit")


@pytest.mark.parametrize("k", [1, 2, 7, N // 2, N])
def test_k_sparse_closed_forms(k):
    c = torch.zeros(N)
    c[torch.randperm(N, generator=torch.Generator().manual_seed(k))[:k]] = 3.0
    hoyer = (math.sqrt(N) - math.sqrt(k)) / (math.sqrt(N) - 1)
    assert S.hoyer(c).item() == pytest.approx(hoyer, abs=1e-6)
    assert S.gini(c).item() == pytest.approx(1 - k / N, abs=1e-6)
    top1 = min(1.0, math.ceil(0.01 * N) / k)
    assert S.top_energy(c, 0.01).item() == pytest.approx(top1)


def test_gini_of_a_linear_ramp_and_zero_vectors():
    # magnitudes 1..n: G = (n - 1) / (3 n) exactly (Hurley-Rickard form)
    n = 10
    assert S.gini(torch.arange(1.0, n + 1)).item() == pytest.approx((n - 1) / (3 * n))
    zero = torch.zeros(5)
    assert S.hoyer(zero).item() == 0 and S.gini(zero).item() == 0
    assert S.top_energy(zero).item() == 0
    with pytest.raises(ValueError, match="fraction"):
        S.top_energy(zero, 0.0)


def test_white_noise_is_not_sparse_and_matches_rayleigh_and_half_normal():
    r = _noise()
    s = S.residual_scores(r, torch.zeros_like(r))
    # |F r| of white Gaussian noise is Rayleigh: E|c| / rms = sqrt(pi) / 2
    rayleigh = 1 - math.sqrt(math.pi) / 2
    assert s["fourier_hoyer"].item() == pytest.approx(rayleigh, abs=0.01)
    assert s["fourier_gini"].item() == pytest.approx(1 - 1 / math.sqrt(2), abs=0.01)
    # |r| is half-normal: E|r| / rms = sqrt(2 / pi); Gini sqrt(2) - 1
    half_normal = 1 - math.sqrt(2 / math.pi)
    assert s["pixel_hoyer"].item() == pytest.approx(half_normal, abs=0.01)
    assert s["pixel_gini"].item() == pytest.approx(math.sqrt(2) - 1, abs=0.01)
    assert s["fourier_top1"].item() < 0.07 and s["fourier_top5"].item() < 0.22


def test_a_sinusoid_is_maximally_sparse_in_fourier():
    r = 0.1 * _cosine()
    s = S.sparsity_scores(r, "fourier")
    # a real cosine is exactly two conjugate coefficients (+k, -k), the sparsest
    # possible for a zero-mean real residual
    assert s["hoyer"].item() == pytest.approx(
        (math.sqrt(N) - math.sqrt(2)) / (math.sqrt(N) - 1), abs=1e-5
    )
    assert s["gini"].item() == pytest.approx(1 - 2 / N, abs=1e-5)
    assert s["top1"].item() == pytest.approx(1.0, abs=1e-6)
    assert S.sparsity_scores(r, "pixel")["hoyer"].item() < 0.2
    constant = torch.full((3, 16, 16), 0.2)  # only the DC coefficient
    assert S.sparsity_scores(constant)["hoyer"].item() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("scale", [1e-3, 0.5, 7.0])
def test_scores_are_scale_invariant(scale):
    r = _noise((2, 3, 32, 32)) * torch.linspace(0, 1, 32)  # a non-trivial residual
    base = S.residual_scores(r, torch.zeros_like(r))
    scaled = S.residual_scores(scale * r, torch.zeros_like(r))
    for key in base:
        torch.testing.assert_close(scaled[key], base[key], rtol=1e-4, atol=1e-5)


def test_channels_shapes_and_errors():
    r = _noise((2, 3, 16, 16))
    s = S.sparsity_scores(r, channel="luma")
    assert set(s) == set(S.SCORES) and s["hoyer"].shape == (2,)
    assert S.sparsity_scores(r[0], channel=1)["gini"].ndim == 0
    keys = S.residual_scores(r, torch.zeros_like(r)).keys()
    assert list(keys)[:2] == ["fourier_hoyer", "fourier_gini"] and "pixel_top5" in keys
    with pytest.raises(ValueError, match="domain"):
        S.sparsity_scores(r, "wavelet")
    with pytest.raises(ValueError, match="channel"):
        S.sparsity_scores(r, channel=3)
    with pytest.raises(ValueError, match="differ"):
        S.residual(r, r[:, :1])
    with pytest.raises(ValueError, match="no score rows"):
        S.mean_scores([])
    rows = [{"name": "a", "x": 1.0}, {"name": "b", "x": 3.0}]
    assert S.mean_scores(rows) == {"x": 2.0}


def test_log_spectrum_is_centred_and_radial_power_separates_noise():
    spec = S.log_spectrum(torch.full((3, 16, 20), 0.3))
    assert spec.shape == (16, 20)
    assert spec.argmax().item() == 8 * 20 + 10  # DC in the centre
    flat = S.radial_power(_noise((4, 128, 128)), bins=16)  # E|c|^2 = 1 (ortho)
    smooth = S.radial_power(torch.linspace(0, 1, 64).repeat(64, 1)[None])
    assert flat.shape == (16,) and smooth.shape == (32,)
    assert float((flat[2:] - 1).abs().max()) < 0.2
    assert float(smooth[0] / smooth[-1]) > 1e3


def test_noise_is_the_least_sparse_synthetic_degradation():
    from rcot_lib.degrade import TASKS, degrade
    from rcot_lib.images import load_image, resize_max_side, sample_images

    x = resize_max_side(load_image(sample_images()[2]), 96)[None]
    hoyer = {}
    for task in TASKS:
        r = degrade(x, task, generator=0) - x
        hoyer[task] = S.sparsity_scores(r)["hoyer"].item()
    noise = max(hoyer[t] for t in TASKS[:3])
    assert noise < 0.2
    assert all(hoyer[t] > noise + 0.1 for t in TASKS[3:]), hoyer


def test_cli_synthetic_json_is_clean_stdout(capsys):
    args = ["sparsity", "--clean", str(SAMPLES_DIR / "images"), "--degradation",
            "dehaze", "--limit", "2", "--max-side", "48", "--seed", "3", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 2 and len(out["images"]) == 2
    assert {"name", "fourier_hoyer", "pixel_gini"} <= set(out["images"][0])
    assert set(out["mean"]) == {f"{d}_{s}" for d in S.DOMAINS for s in S.SCORES}
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == out  # seeded


def test_cli_paired_folder_and_errors(tmp_path, capsys):
    from rcot_lib.images import save_image

    for k in range(2):
        save_image(torch.full((3, 16, 16), 0.6), tmp_path / "hazy" / f"{k}.jpg")
        save_image(torch.full((3, 16, 16), 0.3), tmp_path / "gt" / f"{k}.png")
    assert main(["sparsity", "--pairs", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["degradation"] == "paired" and out["count"] == 2
    assert main(["sparsity", "--clean", str(tmp_path / "gt")]) == 1
    assert "--degradation" in capsys.readouterr().err
    assert main(["sparsity", "--pairs", str(tmp_path / "gt")]) == 1
    assert "not a paired folder" in capsys.readouterr().err
    assert main(["sparsity", "--clean", str(tmp_path / "gt"), "--degradation",
                 "denoise_25", "--heavy"]) == 1
    capsys.readouterr()


@pytest.mark.data
def test_cli_benchmark_option(benchmarks, capsys, monkeypatch):
    monkeypatch.setenv("RCOT_DATA", str(benchmarks.parent))
    args = ["sparsity", "--benchmark", "lowlight/LOL", "--limit", "2",
            "--max-side", "64", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 2 and out["mean"]["fourier_hoyer"] > 0.5
