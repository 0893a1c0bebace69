"""Table IX at CPU scale (rcot_lib.fourier_ablation, scripts/table9_*)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from rcot_lib import fourier_ablation as fa

ROOT = Path(__file__).resolve().parents[1]


def _run(psnr: dict[str, float], steps: int = 3) -> dict:
    return {"steps": steps, "benchmarks": {s: {"psnr_out": v} for s, v in psnr.items()}}


@pytest.mark.parametrize(
    ("setting", "p"),
    [
        ("p-task", {"denoise_25": 2.0, "derain": 1.0}),
        ("p2", {"denoise_25": 2.0, "derain": 2.0}),
        ("p1", {"denoise_25": 1.0, "derain": 1.0}),
    ],
)
def test_each_setting_trains_the_exponents_its_label_names(setting, p):
    """The --set flags of SETTINGS, parsed as `rcot train` parses them, give the
    Fourier exponent of every task that the row's label promises."""
    from rcot_lib.cli.train import _overrides
    from rcot_lib.presets import get_preset

    cfg = get_preset("cpu-small")
    cfg = cfg.replace(**_overrides(list(fa.SETTINGS[setting])))
    table = cfg.p_table()  # label -> p, what the map's loss reads
    assert len(cfg.tasks) == 5  # the five all-in-one tasks
    by_task = {task: table[k] for k, task in enumerate(cfg.tasks)}
    for task, expected in p.items():
        assert by_task[task] == expected, (setting, task)
    assert cfg.lam > 0


def test_lam0_switches_the_fourier_term_off():
    from rcot_lib.cli.train import _overrides
    from rcot_lib.presets import get_preset

    cfg = get_preset("cpu-small").replace(**_overrides(list(fa.SETTINGS["lam0"])))
    assert cfg.lam == 0
    r = torch.randn(2, 3, 8, 8)
    cost = cfg.frot_cost()
    pixel_only = cfg.replace(lam=1.0).frot_cost()
    # no Fourier term left to depend on p, and less than with the term on
    torch.testing.assert_close(cost.residual_cost(r, p=1), cost.residual_cost(r, p=2))
    assert bool((pixel_only.residual_cost(r, p=1) > cost.residual_cost(r, p=1)).all())


def test_settings_table_compares_each_setting_with_p_by_task_of_its_objective():
    results = {
        "unpaired": {
            "p-task": _run({"cbsd68_25": 24.0, "sots": 18.0}),
            "p1": _run({"cbsd68_25": 23.5, "sots": 18.4}),
        },
        "paired": {"p2": _run({"cbsd68_25": 29.0})},  # no p-task run: no difference
    }
    results["unpaired"]["p1"]["benchmarks"]["sots"]["psnr_y_out"] = 20.0  # not shown
    results["unpaired"]["p1"]["benchmarks"]["rain100l_rgb"] = {
        "psnr_out": 24.5,
        "psnr_y_out": 26.4,
    }
    lines = fa.settings_table({"0": results}).splitlines()
    assert lines[0] == (
        "| objective | setting | seeds | CBSD68 sigma 25 | Rain100L (RGB) "
        "| SOTS-outdoor |"
    )  # the sets scored, in the table's order
    assert lines[2] == "| unpaired | p by degradation | 1 | 24.00 | - | 18.00 |"
    assert lines[3] == (
        "| unpaired | p = 1 for all | 1 | 23.50 (-0.50) | 24.50 (Y 26.40) "
        "| 18.40 (+0.40) |"
    )
    assert lines[4] == "| paired | p = 2 for all | 1 | 29.00 | - | - |"


def test_settings_table_pairs_the_gains_by_seed_over_the_seeds_that_ran_both():
    seeds = {
        "0": {"unpaired": {"p-task": _run({"sots": 18.0}), "p2": _run({"sots": 17.0})}},
        "1": {"unpaired": {"p-task": _run({"sots": 16.0}), "p2": _run({"sots": 16.5})},
              "paired": {"p-task": _run({"sots": 21.0})}},
        "2": {"unpaired": {"p2": _run({"sots": 19.0})}},  # no p-task run yet
    }
    lines = fa.settings_table(seeds).splitlines()
    # p-task: 18 and 16; p2 over three seeds: 17, 16.5, 19 (mean 17.5, std 1.32);
    # its gain over the two seeds with both runs: -1.0 and +0.5 (mean -0.25, std 1.06)
    assert lines[2] == "| unpaired | p by degradation | 2 | 17.00 ± 1.41 |"
    assert lines[3] == "| unpaired | p = 2 for all | 3 | 17.50 ± 1.32 (-0.25 ± 1.06) |"
    assert lines[4] == "| paired | p by degradation | 1 | 21.00 |"


def test_summarise_finds_the_runs_table9_cpu_sh_leaves(tmp_path, monkeypatch):
    from rcot_lib.presets import get_preset
    from rcot_lib.train import train

    monkeypatch.delenv("RCOT_DATA", raising=False)
    cfg = get_preset("tiny", steps=2, tasks=("denoise_25",), log_every=1, val_every=1)
    run = tmp_path / "unpaired" / "p1" / "da-rcot"
    with pytest.warns(UserWarning, match="data_samples"):
        train(cfg, run, device="cpu", progress=False)
    (run / "eval").mkdir()
    (run / "eval" / "sots.json").write_text(
        json.dumps({"psnr_in": 16.16, "psnr_out": 17.5})
    )
    (tmp_path / "paired" / "p2" / "paired").mkdir(parents=True)  # started, no history
    found = fa.summarise(tmp_path)
    assert list(found) == ["unpaired"] and list(found["unpaired"]) == ["p1"]
    assert found["unpaired"]["p1"]["steps"] == 2
    assert found["unpaired"]["p1"]["benchmarks"] == {
        "sots": {"psnr_in": 16.16, "psnr_out": 17.5}
    }
    assert fa.summarise(tmp_path / "nothing") == {}

    # the gatherer: the run, plus the unpaired p-task row taken from the comparison
    results = tmp_path / "results"
    (results / "unpaired_examples").mkdir(parents=True)
    from rcot_lib.images import save_image
    from rcot_lib.unpaired import EXAMPLE_TASKS

    for task in EXAMPLE_TASKS:
        save_image(
            torch.full((3, 8, 8), 0.5),
            results / "unpaired_examples" / f"da-rcot_{task}.png",
        )
    (results / "unpaired_steps2.json").write_text(
        json.dumps({"seeds": {"0": {"da-rcot": _run({"sots": 17.0}, steps=2)}}})
    )
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "table9_results.py"),
            str(tmp_path),
            "--steps",
            "2",
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    shipped = json.loads((results / "table9_steps2.json").read_text())
    runs = shipped["seeds"]["0"]
    assert list(runs["unpaired"]) == ["p-task", "p1"]  # SETTINGS' order
    assert runs["unpaired"]["p-task"]["from"] == "unpaired_steps2.json"
    assert "| unpaired | p = 1 for all | 1 | 17.50 (+0.50) |" in out
    for task in EXAMPLE_TASKS:
        got = fa.load_examples("unpaired", task, results / "table9_examples")
        assert list(got) == ["p-task", "p1"]
        assert got["p1"].shape == (3, 128, 128)  # the map's restoration of the example

    # the same runs gathered as seed 1: a second entry, the first kept, the examples
    # (those of the file's first seed) not written again
    import shutil

    shutil.rmtree(results / "table9_examples")
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "table9_results.py"), str(tmp_path),
         "--steps", "2", "--seed", "1", "--results", str(results)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout
    shipped = json.loads((results / "table9_steps2.json").read_text())
    assert list(shipped["seeds"]) == ["0", "1"] and shipped["examples_seed"] == "0"
    assert shipped["seeds"]["0"] == runs
    assert list(shipped["seeds"]["1"]["unpaired"]) == ["p1"]  # no DA-RCOT* of seed 1
    assert "| unpaired | p = 1 for all | 2 | 17.50 ± 0.00 (+0.50) |" in out
    assert not (results / "table9_examples").exists()


def test_load_examples_names_the_objectives():
    with pytest.raises(ValueError, match="'supervised' is not one of"):
        fa.load_examples("supervised", "derain")


def test_table9_cpu_sh_rejects_an_unknown_setting_before_training(tmp_path):
    env = {
        "RCOT_DATA": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "PY": sys.executable,
        "SETTINGS": "p3",
        "OBJECTIVES": "unpaired",
    }
    done = subprocess.run(
        ["bash", "scripts/table9_cpu.sh", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode != 0
    assert (
        done.stderr.strip().splitlines()[-1]
        == "unknown setting p3 (p-task, p2, p1, lam0)"
    )
    assert not (tmp_path / "out" / "unpaired" / "p3").exists()


def test_the_shipped_table9_is_whole():
    """data_samples/results/table9_steps3000.json, what notebook 06 section 7 reads:
    each run finished and scored on the five sets, with its example restorations."""
    from rcot_lib.unpaired import EXAMPLE_TASKS, load_results

    shipped = load_results("table9_steps3000.json")
    assert shipped["steps"] == 3000 and shipped["seeds"]
    first = shipped["examples_seed"]
    assert first == min(shipped["seeds"], key=int)
    for seed, by_objective in shipped["seeds"].items():
        for objective, runs in by_objective.items():
            assert objective in fa.OBJECTIVES
            assert list(runs) == [s for s in fa.SETTINGS if s in runs]
            for setting, run in runs.items():
                assert run["steps"] == 3000, (seed, objective, setting)
                assert set(run["benchmarks"]) == {"cbsd68_15", "cbsd68_25", "cbsd68_50",
                                                  "rain100l_rgb", "sots"}
                assert "psnr_y_out" in run["benchmarks"]["rain100l_rgb"]
    for objective, runs in shipped["seeds"][first].items():
        assert objective in fa.OBJECTIVES
        for task in EXAMPLE_TASKS:
            assert list(fa.load_examples(objective, task)) == list(runs)
