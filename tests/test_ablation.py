import pytest
from _runs import fake_run  # tests/_runs.py

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
    (psnr_in,) = inputs
    assert 15 < psnr_in < 30  # noise sigma 25 and rain streaks on 32 px crops
    # one step from a residual map's start leaves the inputs almost as they were:
    # a map that broke the images (zeros, noise) would be far below its inputs
    for r in rows:
        assert abs(r["val_psnr"] - r["val_psnr_in"]) < 4, r


def test_summarise_runs_reads_what_the_trainer_and_eval_write(tmp_path, monkeypatch):
    import json

    from rcot_lib.ablation import runs_table, summarise_runs
    from rcot_lib.train import train

    monkeypatch.delenv("RCOT_DATA", raising=False)
    cfg = get_preset("tiny", steps=3, tasks=("denoise_25",), log_every=1, val_every=1)
    with pytest.warns(UserWarning, match="data_samples"):
        train(cfg.replace(model={"condition": "single"}), tmp_path / "single",
              device="cpu", progress=False)
    (tmp_path / "single" / "eval").mkdir()
    (tmp_path / "single" / "eval" / "rain100l.json").write_text(
        json.dumps({"psnr_in": 26.904, "psnr_out": 30.1234, "ssim_in": 0.8}))

    runs = summarise_runs(tmp_path)
    assert list(runs) == ["single"]  # the variants found, no others
    run = runs["single"]
    assert run["steps"] == 3
    assert run["curve"]["step"] == [1, 2, 3]
    assert run["curve"]["minutes"] == sorted(run["curve"]["minutes"])
    assert run["s_per_step"] == pytest.approx(run["wall_s"] / 3, abs=0.02)
    assert run["benchmarks"] == {"rain100l": {"psnr_in": 26.9, "psnr_out": 30.12}}
    assert runs_table(runs).splitlines()[2].startswith("| single | 3 | ")
    assert runs_table(runs).splitlines()[2].endswith(" | 30.12 |")


def test_summarise_runs_names_the_missing_histories(tmp_path):
    from rcot_lib.ablation import summarise_runs

    with pytest.raises(FileNotFoundError, match="none/, single/, multiscale/"):
        summarise_runs(tmp_path)


def test_ablation_curves_plot_each_run_against_steps_and_minutes():
    import matplotlib.pyplot as plt

    from rcot_lib.viz_training import plot_ablation_curves

    runs = {
        "none": {"steps": 400, "curve": {"step": [100, 200, 300, 400],
                                         "minutes": [1, 2, 3, 4],
                                         "val_psnr": [24, 25, 26, 27]}},
        "multiscale": {"steps": 200, "curve": {"step": [100, 200],
                                               "minutes": [2.5, 5],
                                               "val_psnr": [25, 27]}},
    }
    fig = plot_ablation_curves(runs)
    by_step, by_time = fig.axes
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert list(by_step.lines[1].get_xdata()) == [100, 200]
    assert list(by_time.lines[1].get_xdata()) == [2.5, 5]
    assert list(by_time.lines[0].get_ydata()) == [24, 25, 26, 27]
    labels = [t.get_text() for t in by_time.get_legend().get_texts()]
    assert labels == ["none (one pass), 400 steps", "multi-scale (DA-RCOT), 200 steps"]
    plt.close(fig)


def test_the_shipped_ablation_runs_are_whole():
    import json

    from rcot_lib.ablation import CONDITIONS, runs_table
    from rcot_lib.environment import RESULTS_DIR

    runs = json.loads((RESULTS_DIR / "ablation_cpu.json").read_text())
    assert tuple(runs) == CONDITIONS
    for run in runs.values():
        curve = run["curve"]
        assert len(curve["step"]) == len(curve["minutes"]) == len(curve["val_psnr"])
        assert curve["step"][-1] == run["steps"]  # the final record is validated
        assert 24.5 < curve["minutes"][-1] <= 25.1  # the 25-minute budget
        sets = {"cbsd68_25", "rain100l_rgb", "rain100l", "sots"}
        assert set(run["benchmarks"]) == sets
        rain = run["benchmarks"]["rain100l_rgb"]  # RGB, with its Y channel beside it
        assert run["benchmarks"]["rain100l"]["psnr_out"] == rain["psnr_y_out"]
    table = runs_table(runs).splitlines()
    assert len(table) == 2 + len(CONDITIONS)
    assert "Rain100L (RGB) | Rain100L (Y)" in table[0]


def _seed_runs(values: dict[str, list[float]], steps: int = 1500) -> list[dict]:
    """One summarise_runs-shaped dict per seed, PSNR on Rain100L only."""
    n = len(next(iter(values.values())))
    return [{c: {"steps": steps, "benchmarks": {"rain100l": {"psnr_out": v[k]}}}
             for c, v in values.items()} for k in range(n)]


def test_seeds_summary_gives_mean_std_and_the_paired_gain():
    from rcot_lib.ablation import seeds_summary, seeds_table

    runs = _seed_runs({"none": [28.0, 29.0, 27.5], "single": [28.5, 29.2, 28.0]})
    summary = seeds_summary(runs)
    single = summary["single"]["benchmarks"]["rain100l"]
    assert single["psnr_out"]["mean"] == pytest.approx(28.567, abs=1e-3)
    assert single["psnr_out"]["std"] == pytest.approx(0.6028, abs=1e-3)  # ddof=1
    # the gain over "none" is paired by seed: 0.5, 0.2, 0.5
    assert single["gain"]["mean"] == pytest.approx(0.4, abs=1e-3)
    assert single["gain"]["std"] == pytest.approx(0.1732, abs=1e-3)
    from scipy.stats import ttest_rel  # the same test, paired by seed

    want = ttest_rel([28.5, 29.2, 28.0], [28.0, 29.0, 27.5]).pvalue
    assert single["gain"]["p"] == pytest.approx(want, abs=1e-3)
    assert "p" not in summary["none"]["benchmarks"]["rain100l"]["gain"]  # no spread
    # the baseline's gain over itself is zero seed by seed, not only on average
    assert summary["none"]["benchmarks"]["rain100l"]["gain"]["values"] == [0, 0, 0]
    assert summary["single"]["seeds"] == 3
    row = seeds_table(summary).splitlines()[3]
    assert row == "| single | 3 | 1,500 | 28.57 ± 0.60 (+0.40 ± 0.17) |"
    longer = seeds_summary(_seed_runs({"none": [29.0, 30.0], "single": [29.1, 30.5]},
                                      steps=3000))
    lines = seeds_table(summary, longer).splitlines()
    assert len(lines) == 2 + 2 + 2  # one header, then a block per summary
    assert lines[5] == "| single | 2 | 3,000 | 29.80 ± 0.99 (+0.30 ± 0.28) |"
    with pytest.raises(ValueError, match="at least one"):
        seeds_table()


def test_seed_gain_is_the_paired_difference_with_its_sign():
    from rcot_lib.ablation import seeds_summary

    # seed by seed: +1.0, -0.5, +2.0 over "none"; the mean of the seeds' PSNR
    # differs from the mean gain only by rounding
    runs = _seed_runs({"none": [30.0, 29.0, 27.0], "multiscale": [31.0, 28.5, 29.0]})
    rain = seeds_summary(runs)["multiscale"]["benchmarks"]["rain100l"]
    assert rain["gain"]["values"] == [1.0, -0.5, 2.0]
    assert rain["gain"]["mean"] == pytest.approx(0.833, abs=1e-3)
    assert rain["gain"]["std"] == pytest.approx(1.258, abs=1e-3)  # ddof=1
    assert rain["psnr_out"]["mean"] - 28.667 == pytest.approx(0.833, abs=2e-3)
    worse = seeds_summary(_seed_runs({"none": [30.0], "single": [29.25]}))
    assert worse["single"]["benchmarks"]["rain100l"]["gain"]["mean"] == -0.75


def test_seeds_summary_of_one_seed_and_of_mismatched_seeds():
    from rcot_lib.ablation import seeds_summary

    one = seeds_summary(_seed_runs({"single": [28.5]}))
    assert one["single"]["benchmarks"]["rain100l"]["psnr_out"]["std"] == 0
    assert "gain" not in one["single"]["benchmarks"]["rain100l"]  # no "none" run
    with pytest.raises(ValueError, match="same variants"):
        seeds_summary(_seed_runs({"none": [1.0]}) + _seed_runs({"single": [1.0]}))
    with pytest.raises(ValueError, match="at least one"):
        seeds_summary([])


def _check_shipped_seeds(by_seed: dict[str, dict], steps: int) -> None:
    """Each seed holds every variant, trained ``steps`` steps, scored on three sets
    (Rain100L on Y; a rescored run adds it on RGB, whose Y channel is the Y entry)."""
    from rcot_lib.ablation import CONDITIONS

    for runs in by_seed.values():
        assert tuple(runs) == CONDITIONS
        for run in runs.values():
            assert run["steps"] == run["curve"]["step"][-1] == steps
            sets = set(run["benchmarks"])
            assert sets - {"rain100l_rgb"} == {"cbsd68_25", "rain100l", "sots"}
            if "rain100l_rgb" in sets:
                rgb = run["benchmarks"]["rain100l_rgb"]
                y = run["benchmarks"]["rain100l"]
                assert (rgb["psnr_y_in"], rgb["psnr_y_out"]) == (y["psnr_in"],
                                                                 y["psnr_out"])


def test_the_shipped_equal_steps_runs_cover_every_seed_and_variant():
    import json

    from rcot_lib.ablation import CONDITIONS, seeds_summary, seeds_table
    from rcot_lib.environment import RESULTS_DIR

    by_seed = json.loads((RESULTS_DIR / "ablation_steps1500.json").read_text())
    assert len(by_seed) >= 3
    _check_shipped_seeds(by_seed, 1500)
    summary = seeds_summary(list(by_seed.values()))
    assert all(run["seeds"] == len(by_seed) for run in summary.values())
    assert len(seeds_table(summary).splitlines()) == 2 + len(CONDITIONS)


def test_seed_gains_plot_one_dot_per_seed_and_the_mean():
    import matplotlib.pyplot as plt
    import numpy as np

    from rcot_lib.ablation import seeds_summary
    from rcot_lib.viz_training import plot_seed_gains

    short = seeds_summary(_seed_runs({"none": [28.0, 29.0, 30.0],
                                      "multiscale": [28.5, 28.8, 30.1]}))
    long = seeds_summary(_seed_runs({"none": [29.0, 29.5, 30.0],
                                     "multiscale": [29.4, 29.9, 30.3]}, steps=3000))
    fig = plot_seed_gains([short, long])
    (ax,) = fig.axes
    assert ax.get_title() == "Rain100L (Y)"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["1,500 steps", "3,000 steps"]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == 2
    np.testing.assert_allclose(dots[0].get_ydata(), [0.5, -0.2, 0.1], atol=1e-9)
    np.testing.assert_allclose(dots[1].get_ydata(), [0.4, 0.4, 0.3], atol=1e-9)
    means = [bars.lines[0].get_ydata()[0] for bars in ax.containers]
    np.testing.assert_allclose(means, [0.133, 0.367], atol=1e-3)
    plt.close(fig)

    with pytest.raises(ValueError, match="no 'none' run"):
        plot_seed_gains([seeds_summary(_seed_runs({"single": [28.0, 29.0]}))])
    with pytest.raises(ValueError, match="at least one"):
        plot_seed_gains([])


def test_seed_gains_draw_a_set_on_rgb_when_it_is_scored_on_rgb_and_y():
    import matplotlib.pyplot as plt
    import numpy as np

    from rcot_lib.ablation import seeds_summary
    from rcot_lib.viz_training import plot_seed_gains

    runs = _seed_runs({"none": [28.0, 29.0], "multiscale": [28.5, 29.2]})
    for k, seed in enumerate(runs):  # RGB 1.5 dB below Y, and a second set
        for c, run in seed.items():
            y = run["benchmarks"]["rain100l"]["psnr_out"]
            run["benchmarks"]["rain100l_rgb"] = {"psnr_out": y - 1.5 + 0.1 * k}
            run["benchmarks"]["cbsd68_25"] = {"psnr_out": 30.0 + (c == "none")}
    only_y = _seed_runs({"none": [28.0, 29.0], "multiscale": [28.1, 29.0]})
    fig = plot_seed_gains([seeds_summary(only_y), seeds_summary(runs)])
    assert [ax.get_title() for ax in fig.axes] == ["CBSD68 sigma 25", "Rain100L (RGB)"]
    dots = [line for line in fig.axes[1].lines if line.get_marker() == "o"]
    assert len(dots) == 1  # the Y-only summary has no RGB gains to draw
    np.testing.assert_allclose(dots[0].get_ydata(), [0.5, 0.2], atol=1e-9)
    plt.close(fig)


def test_a_run_without_wall_times_is_drawn_against_steps_only():
    import matplotlib.pyplot as plt

    from rcot_lib.viz_training import plot_ablation_curves

    runs = {"none": {"steps": 200, "curve": {"step": [100, 200], "minutes": None,
                                             "val_psnr": [24, 25]}},
            "single": {"steps": 200, "curve": {"step": [100, 200], "minutes": [1, 2],
                                               "val_psnr": [24, 26]}}}
    fig = plot_ablation_curves(runs)
    assert [len(ax.lines) for ax in fig.axes] == [2, 1]
    plt.close(fig)


def test_the_shipped_3000_step_runs_are_whole_timed_and_scored_on_rgb():
    """ablation_steps3000.json: every run uninterrupted (wall times that grow with the
    steps) and scored on Rain100L in RGB, its Y entry beside it."""
    import json

    from rcot_lib.ablation import seeds_summary, seeds_table
    from rcot_lib.environment import RESULTS_DIR

    by_seed = json.loads((RESULTS_DIR / "ablation_steps3000.json").read_text())
    shorter = json.loads((RESULTS_DIR / "ablation_steps1500.json").read_text())
    assert set(by_seed) == set(shorter)  # the same seeds at 1,500 and 3,000 steps
    _check_shipped_seeds(by_seed, 3000)
    for runs in by_seed.values():
        for run in runs.values():
            minutes = run["curve"]["minutes"]
            assert "resumed_at_step" not in run
            assert len(minutes) == len(run["curve"]["step"])
            assert minutes == sorted(minutes) and run["wall_s"] > 0
            assert "rain100l_rgb" in run["benchmarks"]
    summary = seeds_summary(list(by_seed.values()))
    assert all(run["steps"] == 3000 for run in summary.values())
    assert all("rain100l_rgb" in run["benchmarks"] for run in summary.values())
    head = seeds_table(summary).splitlines()[0]  # RGB first, Y beside it
    assert head.index("(RGB)") < head.index("Rain100L (Y)") < head.index("SOTS")


def test_one_seed_is_tabled_without_a_spread():
    from rcot_lib.ablation import seeds_summary, seeds_table

    runs = {v: {"steps": 10, "benchmarks": {"cbsd68_25": {"psnr_out": p}}}
            for v, p in (("wgan-gp", 22.5), ("da-rcot", 24.0))}
    table = seeds_table(seeds_summary([runs], baseline="wgan-gp"), baseline="wgan-gp")
    assert "±" not in table
    assert "| da-rcot | 1 | 10 | 24.00 (+1.50) |" in table


@pytest.mark.parametrize("minutes", [10, 40])
def test_the_shipped_wall_time_runs_share_one_budget_and_are_scored(minutes):
    """data_samples/results/wall_time_<minutes>min.json (notebook 06, section 8): the
    FROT and L1 maps ran for the same wall time, each scored on the five sets; the L1
    run had no potential to update, so it took at least as many steps."""
    import json

    from rcot_lib.environment import RESULTS_DIR

    shipped = json.loads((RESULTS_DIR / f"wall_time_{minutes}min.json").read_text())
    assert shipped["minutes"] == minutes
    runs = shipped["runs"]
    assert set(runs) == {"frot", "l1"} and shipped["threads"] == 1
    for run in runs.values():
        assert run["wall_s"] == pytest.approx(60 * shipped["minutes"], rel=0.02)
        assert run["curve"]["minutes"][-1] <= shipped["minutes"] + 0.1
        assert set(run["benchmarks"]) == {"cbsd68_15", "cbsd68_25", "cbsd68_50",
                                          "rain100l_rgb", "sots"}
        assert "psnr_y_out" in run["benchmarks"]["rain100l_rgb"]
    assert runs["l1"]["steps"] >= runs["frot"]["steps"] > 0


def test_ablation_results_adds_rgb_only_where_a_rerun_reproduces_the_stored_run(
        tmp_path, monkeypatch, capsys):
    """scripts/ablation_results.py: a rerun whose Y and other scores match the stored
    entry replaces it with Rain100L on RGB (and the Y entry kept under the old key);
    one that does not match is refused and the file is left as it was."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "ablation_results", root / "scripts" / "ablation_results.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "RESULTS_DIR", tmp_path)

    def stored(rain_y: float) -> dict:
        return {"steps": 3000, "benchmarks": {
            "cbsd68_25": {"psnr_in": 20.53, "psnr_out": 29.32},
            "rain100l": {"psnr_in": 26.9, "psnr_out": rain_y}}}

    path = tmp_path / "ablation_steps3000.json"
    path.write_text(json.dumps({"0": {"none": stored(29.1),
                                      "multiscale": stored(29.7)}}))
    rain = {"psnr_in": 25.5234, "psnr_out": 28.1818, "ssim_out": 0.876,
            "psnr_y_in": 26.9029, "psnr_y_out": 29.7009}
    fake_run(tmp_path / "runs" / "seed0" / "multiscale", 3000, {
        "cbsd68_25": {"psnr_in": 20.5326, "psnr_out": 29.3162},
        "cbsd68_50": {"psnr_in": 15.0, "psnr_out": 25.7},  # not a set of the file
        "rain100l_rgb": rain})

    assert script.main([str(tmp_path / "runs")]) == 0
    seeds = json.loads(path.read_text())
    assert list(seeds["0"]) == ["none", "multiscale"]  # order kept for seeds_summary
    assert seeds["0"]["none"] == stored(29.1)  # not rerun: untouched
    bench = seeds["0"]["multiscale"]["benchmarks"]
    assert set(bench) == {"cbsd68_25", "rain100l", "rain100l_rgb"}
    assert bench["rain100l_rgb"]["psnr_out"] == 28.18
    assert bench["rain100l"] == {"psnr_in": 26.9, "psnr_out": 29.7}
    assert "largest difference from the stored run 0.00 dB" in capsys.readouterr().out

    before = path.read_bytes()
    fake_run(tmp_path / "other" / "seed0" / "none", 3000, {
        "cbsd68_25": {"psnr_in": 20.53, "psnr_out": 29.0},  # 0.32 dB off
        "rain100l_rgb": rain})
    assert script.main([str(tmp_path / "other")]) == 1
    assert "not reproduced: seed 0 none" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_seed_runs_walks_seed_folders_in_numeric_order_and_skips_unstarted_ones(
        tmp_path, capsys):
    from rcot_lib.ablation import seed_runs

    for seed, steps in (("10", 30), ("2", 20)):
        fake_run(tmp_path / f"seed{seed}" / "none", steps, {})
    (tmp_path / "seed3").mkdir()  # created, nothing logged yet
    (tmp_path / "seed_old").mkdir()  # not a seed folder
    found = list(seed_runs(tmp_path))
    assert [seed for seed, _ in found] == ["2", "10"]
    assert [runs["none"]["steps"] for _, runs in found] == [20, 30]
    assert "seed3: no run with a history yet; skipped" in capsys.readouterr().err


def test_with_y_entry_copies_the_rgb_runs_y_channel_and_leaves_others_alone():
    from rcot_lib.ablation import with_y_entry

    rgb = {"psnr_in": 25.52, "psnr_out": 27.82, "psnr_y_in": 26.9, "psnr_y_out": 29.33}
    run = {"steps": 10, "benchmarks": {"rain100l_rgb": rgb, "sots": {"psnr_out": 20.0}}}
    out = with_y_entry(run)
    assert out["benchmarks"]["rain100l"] == {"psnr_in": 26.9, "psnr_out": 29.33}
    assert out["benchmarks"]["rain100l_rgb"] == rgb and out["steps"] == 10
    assert "rain100l" not in run["benchmarks"]  # the input is not modified
    y_only = {"benchmarks": {"rain100l": {"psnr_in": 26.9, "psnr_out": 29.0}}}
    assert with_y_entry(y_only) is y_only
    rgb_only = {"benchmarks": {"rain100l_rgb": {"psnr_in": 25.5, "psnr_out": 27.8}}}
    assert "rain100l" not in with_y_entry(rgb_only)["benchmarks"]
