"""Unpaired training (Eq. 8): the paper's variants and a toy run."""

import pytest
import torch

from rcot_lib import losses
from rcot_lib.presets import get_preset
from rcot_lib.unpaired import UNPAIRED_VARIANTS, unpaired_variant

#: Which terms of the map loss each unpaired variant keeps.
EXPECTED = {  # transport cost, Fourier term, contrastive term
    "wgan-gp": (False, False, False),
    "otur": (True, False, False),
    "sot": (True, True, False),
    "rcot": (True, True, True),
    "da-rcot": (True, True, True),
}


def _batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(6, 3, 16, 16, generator=g), torch.rand(6, 3, 16, 16, generator=g)
    t = (x + 0.1 * torch.randn(6, 3, 16, 16, generator=g)).requires_grad_(True)
    e3 = torch.randn(6, 8, 2, 2, generator=g).requires_grad_(True)
    w = torch.randn(768, generator=g)  # a linear potential
    labels = torch.tensor([0, 1, 2, 3, 4, 0])
    return x, t, y, w, labels, torch.zeros(6, dtype=torch.bool), e3


def _grads(cfg, batch):
    x, t, y, w, labels, paired, e3 = batch
    phi_t = t.flatten(1) @ w  # (B,)
    loss, _ = losses.map_loss(x, t, y, phi_t, labels, paired, e3,
                              **cfg.map_loss_terms())
    gt, ge = torch.autograd.grad(loss, (t, e3), allow_unused=True)
    return gt, torch.zeros_like(e3) if ge is None else ge


@pytest.mark.parametrize("name", sorted(UNPAIRED_VARIANTS))
def test_each_variant_has_the_terms_it_should(name):
    cfg = unpaired_variant(name)
    assert cfg.paired_fraction == 0 and cfg.Sigma == 0  # no loss sees a pair
    cost_on, fourier_on, con_on = EXPECTED[name]
    batch = _batch()
    gt, ge = _grads(cfg, batch)
    # a term's share of the gradient: the loss minus the loss without that term
    for on, off in [(cost_on, {"sigma": 0.0}), (fourier_on, {"lam": 0.0}),
                    (con_on, {"con_weight": 0.0})]:
        ht, he = _grads(cfg.replace(**off), batch)
        share = float((gt - ht).abs().sum() + (ge - he).abs().sum())
        assert (share > 1e-6) == on, (name, off, share)
    # the conditioning and the exponents follow the paper's rows
    cond = {"wgan-gp": "none", "otur": "none", "sot": "none", "rcot": "single",
            "da-rcot": "multiscale"}[name]
    assert cfg.model.condition == cond
    p = cfg.p_table()
    if name == "sot":
        assert set(p.values()) == {1.0}
    elif name in ("rcot", "da-rcot"):
        assert p[1] == 2.0 and p[3] == 1.0


def test_unknown_variant_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown unpaired variant 'cyclegan'"):
        unpaired_variant("cyclegan")


def test_a_fast_unpaired_run_lowers_the_potential_gap(tmp_path):
    """Darkened crops, no pairs: the trained map moves them up the potential."""
    from rcot_lib.train import train
    from rcot_lib.training_data import validation_batch

    base = get_preset("tiny")
    cfg = unpaired_variant("otur", base.replace(
        paired_fraction=0.0, Sigma=0.0, cost_base="sqeuclidean", cost_reduction="l2",
        fft_norm="ortho", sigma=0.03, lr=1e-3, critic_steps=2, lr_map=2e-3,
    )).replace(tasks=("lowlight",), steps=120, val_every=0, log_every=10,
               ckpt_every=1000, model={"potential_width": 8, "potential_depth": 3})
    torch.manual_seed(0)
    result = train(cfg, None, progress=False, device="cpu")
    x, y, _ = validation_batch(cfg.tasks, size=32, max_images=6)
    T, phi = result.T.eval(), result.phi.eval()
    with torch.no_grad():
        out = T(x).clamp(0, 1)
        gap_in = float(phi(y).mean() - phi(x).mean())
        gap_out = float(phi(y).mean() - phi(out).mean())
    assert gap_in > 0  # the potential tells clean from dark crops
    assert gap_out < 0.7 * gap_in  # and the map closed a good part of that gap
    from rcot_lib.metrics import psnr

    assert float(psnr(out, y).mean()) > float(psnr(x, y).mean()) + 1.0


def _numeric_best_response(g, sigma, lam, p, transform):
    """Minimise sigma (||r||^2 + lam ||F r||_p) + <g, r> by gradient descent."""
    from rcot_lib.image_costs import FrotCost

    cost = FrotCost("sqeuclidean", lam, p, transform, "ortho", "l2")
    r = torch.zeros_like(g, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([r], lr=0.02)
    for _ in range(3000):
        opt.zero_grad()
        loss = sigma * cost.residual_cost(r[None])[0] + (g.double() * r).sum()
        loss.backward()
        opt.step()
    return r.detach()


@pytest.mark.parametrize("p,transform", [(1, "dct"), (1, "fft"), (2, "fft")])
def test_best_response_matches_a_numeric_minimiser(p, transform):
    from rcot_lib.best_response import best_response

    g = torch.randn(1, 6, 6, generator=torch.Generator().manual_seed(p))
    got = best_response(g, sigma=0.5, lam=3.0, p=p, transform=transform)
    want = _numeric_best_response(g, 0.5, 3.0, p, transform)
    torch.testing.assert_close(got.double(), want, atol=2e-2, rtol=0)


def test_best_response_sparsity_and_the_knife_edge():
    from rcot_lib.best_response import best_response

    g = torch.randn(3, 16, 16, generator=torch.Generator().manual_seed(0))
    plain = best_response(g, sigma=0.5)
    torch.testing.assert_close(plain, -g / 1.0)  # -g / (2 sigma)
    sparse = torch.fft.fft2(best_response(g, 0.5, lam=60.0, p=1), norm="ortho")
    zero = float((sparse.abs() < 1e-5).float().mean())
    assert 0.3 < zero < 1.0  # p = 1 zeroes the weak Fourier coefficients
    shrunk = best_response(g, 0.5, lam=10.0, p=2)
    ratio = shrunk / plain
    torch.testing.assert_close(ratio, torch.full_like(ratio, float(ratio.flatten()[0])))
    assert 0 < float(ratio.flatten()[0]) < 1  # p = 2 shrinks every frequency alike
    # the 1-homogeneous base: identity below the edge, runaway above it
    small = g / g.norm() * 0.9
    assert float(best_response(small, 1.0, base="euclidean").abs().sum()) == 0
    with pytest.raises(ValueError, match="runs away"):
        best_response(small, 0.8, base="euclidean")


def test_gpu_unpaired_moves_noise_as_far_as_cpu_unpaired_at_its_crop_size():
    """The rescaling of ``gpu-unpaired`` (``rcot_lib.presets._gpu_unpaired``): for a
    unit-norm potential gradient, the best response's residual, relative to the norm
    of the same noise level at each preset's crop size, and the share of Fourier
    coefficients the p = 1 term keeps, are those of ``cpu-unpaired``."""
    from rcot_lib.best_response import best_response
    from rcot_lib.presets import get_preset

    moved, kept = [], []
    for name in ("cpu-unpaired", "gpu-unpaired"):
        cfg = get_preset(name)
        assert cfg.paired_fraction == 0 and cfg.Sigma == 0  # no loss sees a pair
        gen = torch.Generator().manual_seed(0)
        g = torch.randn(3, cfg.patch, cfg.patch, generator=gen, dtype=torch.float64)
        g = g / g.norm()
        noise_norm = 25 / 255 * (3 * cfg.patch**2) ** 0.5
        moved.append(float(best_response(g, cfg.sigma).norm()) / noise_norm)
        r = best_response(g, cfg.sigma, lam=cfg.lam, p=1)
        coefficients = torch.fft.fft2(r, norm="ortho").abs()
        kept.append(float((coefficients > 1e-9).double().mean()))
        assert cfg.sigma * cfg.con_weight == pytest.approx(0.09)
    assert moved[1] == pytest.approx(moved[0], rel=1e-9)
    assert 0.05 < kept[0] < 0.95 and kept[1] == pytest.approx(kept[0], abs=0.02)
    sot = unpaired_variant("sot", get_preset("gpu-unpaired"))
    assert sot.task_p == (1.0,) * 5 and sot.model.backbone == "restormer"


def _whole_runs(results: dict, steps: int):
    """Each seed's runs of a shipped unpaired file, after checking that every run went
    through `steps` steps, has its curve to the end and is scored on the five sets
    (Rain100L with its Y value)."""
    assert results["steps"] == steps and results["seeds"]
    sets = {"cbsd68_15", "cbsd68_25", "cbsd68_50", "rain100l_rgb", "sots"}
    for runs in results["seeds"].values():
        for variant, run in runs.items():
            assert run["steps"] == steps, variant
            assert set(run["benchmarks"]) == sets, variant
            assert run["curve"]["step"][-1] == steps, variant
            assert "psnr_y_out" in run["benchmarks"]["rain100l_rgb"], variant
        yield runs


def test_the_shipped_comparison_is_whole():
    """data_samples/results/unpaired_steps3000.json: what notebook 06 reads."""
    from rcot_lib.unpaired import (
        EXAMPLE_TASKS,
        REFERENCES,
        VARIANTS,
        load_examples,
        load_results,
    )

    results = load_results("unpaired_steps3000.json")
    assert "wgan-gp" in results["seeds"]["0"]  # the baseline every gain is paired with
    for runs in _whole_runs(results, 3000):
        assert set(runs) <= set(VARIANTS + REFERENCES)
    for task in EXAMPLE_TASKS:
        assert set(load_examples(task)) == set(results["seeds"]["0"])
    with pytest.raises(FileNotFoundError, match="shipped"):
        load_results("unpaired_steps1.json")


def test_the_shipped_longer_schedule_pairs_da_rcot_with_the_paired_map():
    """data_samples/results/unpaired_steps6000.json (notebook 06, section 4): per seed,
    DA-RCOT* and the paired map, both through 6,000 steps and scored on every set,
    each with its own curve; and the table pairs the gain with the paired row."""
    from rcot_lib.unpaired import load_results
    from rcot_lib.unpaired_summary import comparison_table

    results = load_results("unpaired_steps6000.json")
    for runs in _whole_runs(results, 6000):
        assert set(runs) == {"da-rcot", "paired"}
    table = comparison_table(results["seeds"], baseline="paired")
    row = next(line for line in table.splitlines() if line.startswith("| DA-RCOT* |"))
    gains = [runs["da-rcot"]["benchmarks"]["cbsd68_25"]["psnr_out"]
             - runs["paired"]["benchmarks"]["cbsd68_25"]["psnr_out"]
             for runs in results["seeds"].values()]
    assert f"({sum(gains) / len(gains):+.2f}" in row.split("|")[4]  # CBSD68 sigma 25


def test_the_comparison_table_counts_each_variants_own_seeds():
    """A seed that ran only some variants adds to those rows, and a gain is paired
    only over the seeds that ran both (summarise_seeds, comparison_table)."""
    from rcot_lib.unpaired_summary import comparison_table, summarise_seeds

    def run(psnr: float, y: float = 0.0) -> dict:
        return {"steps": 3000, "benchmarks": {
            "sots": {"psnr_out": psnr},
            "rain100l_rgb": {"psnr_out": psnr, "psnr_y_out": y}}}

    seeds = {"0": {"wgan-gp": run(20.0), "da-rcot": run(22.0, 24.0)},
             "1": {"wgan-gp": run(21.0), "da-rcot": run(22.5, 25.0)},
             "2": {"da-rcot": run(23.5, 26.0)}}
    summary = summarise_seeds(seeds)
    d = summary["da-rcot"]
    assert (d["seeds"], d["gain_seeds"]) == (3, 2)
    sots = d["benchmarks"]["sots"]
    assert sots["psnr_out"]["mean"] == pytest.approx(68.0 / 3, abs=1e-3)
    assert sots["gain"]["values"] == [2.0, 1.5]
    assert "gain" not in summary["wgan-gp"]["benchmarks"]["sots"]
    table = comparison_table(seeds)
    rain = "22.67 ± 0.76 (25.00) (+1.75 ± 0.35)"  # RGB, (Y), (gain)
    assert f"| DA-RCOT* | 3 | {rain} | 22.67 ± 0.76 (+1.75 ± 0.35) |" in table


def test_plot_variants_shows_each_map_with_its_residual_and_its_sparsity():
    """One column per map after the input; the spectrum titles give the top-5 %
    energy share of the residual without its mean: 1 for a single frequency, small
    for white noise."""
    import matplotlib.pyplot as plt

    from rcot_lib.viz_unpaired import plot_variants

    y = torch.full((3, 32, 32), 0.5)
    wave = 0.1 * torch.cos(2 * torch.pi * 4 * torch.arange(32) / 32)  # one frequency
    x = y + wave[None, None, :]
    noisy = x - 0.1 * torch.randn(3, 32, 32, generator=torch.Generator().manual_seed(0))
    fig = plot_variants(x, y, {"wgan-gp": y, "otur": noisy.clamp(0, 1)})
    axes = fig.axes
    assert len(axes) == 9  # 3 rows x (input + 2 maps)
    titles = [ax.get_title() for ax in axes]
    assert titles[0].startswith("input\n") and titles[1].startswith("WGAN-GP*\n")
    from rcot_lib.metrics import psnr

    assert titles[2] == f"OTUR*\n{float(psnr(noisy.clamp(0, 1), y)):.2f} dB"
    top5 = [float(t.rsplit(": ", 1)[1]) for t in titles[6:]]
    assert top5[0] == 1.0 and top5[1] == 1.0  # x - y, and x - T(x) = x - y for T = y
    assert top5[2] < 0.3  # the residual of the noisy map is mostly white noise
    # an offset (DC) on top of the wave leaves the score as it is
    fig2 = plot_variants(x + 0.2, y, {"otur": y})
    assert float(fig2.axes[4].get_title().rsplit(": ", 1)[1]) == 1.0
    plt.close(fig2)
    plt.close(fig)


def test_unpaired_results_gathers_a_longer_comparison_without_touching_the_examples(
        tmp_path, monkeypatch, capsys):
    """scripts/unpaired_results.py --steps 12000 --baseline paired: the finished runs
    go to unpaired_steps12000.json, an unfinished one is left out, the gain is paired
    with the named row, and notebook 06's 3,000-step examples are not rewritten."""
    import importlib.util
    import json
    from pathlib import Path

    from _runs import fake_run  # tests/_runs.py

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "unpaired_results", root / "scripts" / "unpaired_results.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(script, "write_examples", lambda *a: pytest.fail("examples"))
    runs = tmp_path / "runs" / "seed0"
    fake_run(runs / "paired", 12000, {"sots": {"psnr_in": 16.2, "psnr_out": 21.0}})
    fake_run(runs / "da-rcot", 12000, {"sots": {"psnr_in": 16.2, "psnr_out": 18.5}})
    fake_run(runs / "otur", 6000, {"sots": {"psnr_in": 16.2, "psnr_out": 18.0}})

    argv = [str(tmp_path / "runs"), "--steps", "12000", "--baseline", "paired"]
    assert script.main(argv) == 0
    seeds = json.loads((tmp_path / "unpaired_steps12000.json").read_text())["seeds"]
    assert set(seeds["0"]) == {"da-rcot", "paired"}
    out = capsys.readouterr().out.splitlines()
    rows = {line.split("|")[1].strip(): line for line in out if line.startswith("|")}
    assert "(-2.50)" in rows["DA-RCOT*"]
    assert "DA-RCOT (paired, Eq. 9)" in rows
