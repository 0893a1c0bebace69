"""The one-factor study of the unpaired game (rcot_lib.unpaired_factors,
scripts/unpaired_factors_*)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rcot_lib import unpaired_factors as uf

ROOT = Path(__file__).resolve().parents[1]


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@pytest.mark.parametrize(
    ("factor", "field", "before", "after"),
    [
        ("potential_width=64", "model.potential_width", 32, 64),
        ("critic_steps=4", "critic_steps", 2, 4),
        ("sigma=0.01", "sigma", 0.03, 0.01),
        ("lr_map=1e-3", "lr_map", 3e-4, 1e-3),
    ],
)
def test_each_factor_changes_one_setting_of_da_rcot_star(factor, field, before, after):
    """The --set flags of FACTORS, parsed as `rcot train` parses them, change the
    one setting the factor names and nothing else of DA-RCOT*."""
    from rcot_lib.cli.train import _overrides
    from rcot_lib.unpaired import unpaired_variant

    preset = unpaired_variant("da-rcot")
    changed = preset.replace(**_overrides(list(uf.FACTORS[factor])))
    a, b = _flat(preset.to_dict()), _flat(changed.to_dict())
    assert {k for k in a if a[k] != b[k]} == {field}
    assert (a[field], b[field]) == (before, after)


def _run(psnr: float, steps: int = 2) -> dict:
    return {"steps": steps, "benchmarks": {"sots": {"psnr_in": 16.0, "psnr_out": psnr}}}


def test_the_gatherer_compares_each_factor_with_the_preset_of_its_seed(tmp_path):
    from _runs import fake_run  # tests/_runs.py

    fake_run(tmp_path / "runs" / "sigma=0.01" / "da-rcot", 2,
             {"sots": {"psnr_in": 16.0, "psnr_out": 17.5}})
    (tmp_path / "runs" / "critic_steps=4" / "da-rcot").mkdir(parents=True)  # no history
    found = uf.summarise(tmp_path / "runs")
    assert list(found) == ["sigma=0.01"] and found["sigma=0.01"]["steps"] == 2

    results = tmp_path / "results"
    results.mkdir()
    gather = [sys.executable, str(ROOT / "scripts" / "unpaired_factors_results.py"),
              str(tmp_path / "runs"), "--steps", "2", "--results", str(results)]
    # without DA-RCOT* of the same seed there is nothing to compare with
    done = subprocess.run(gather, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0
    assert "holds no DA-RCOT* of seed 0" in done.stderr.strip().splitlines()[-1]
    assert not (results / "unpaired_factors_steps2.json").exists()

    (results / "unpaired_steps2.json").write_text(
        json.dumps({"seeds": {"0": {"da-rcot": _run(17.0)}}}))
    out = subprocess.run(gather, capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    shipped = json.loads((results / "unpaired_factors_steps2.json").read_text())
    runs = shipped["seeds"]["0"]
    assert list(runs) == ["preset", "sigma=0.01"]  # LABELS' order
    assert runs["preset"]["from"] == "unpaired_steps2.json"
    assert shipped["factors"]["sigma=0.01"] == ["sigma=0.01"]
    assert "| cost weight sigma / 3 | 1 | 17.50 (+0.50) |" in out


def test_unpaired_factors_cpu_sh_rejects_an_unknown_factor_before_training(tmp_path):
    env = {"RCOT_DATA": str(tmp_path), "PATH": "/usr/bin:/bin", "PY": sys.executable,
           "FACTORS": "sigma=0.01 lr=1"}
    script = "scripts/unpaired_factors_cpu.sh"
    done = subprocess.run(["bash", script, str(tmp_path / "o")],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "unknown factor lr=1 (potential_width=64, critic_steps=4, sigma=0.01, "
        "lr_map=1e-3)")
    assert not (tmp_path / "o").exists()  # not even the valid factor started


def test_the_shipped_factors_file_compares_whole_runs_with_the_shipped_da_rcot_star():
    """data_samples/results/unpaired_factors_steps3000.json, what notebook 06 section 4
    reads: every run finished and was scored on the five sets, and its `preset` row
    is DA-RCOT* of the same seed in the shipped unpaired comparison."""
    from rcot_lib.unpaired import load_results

    shipped = load_results("unpaired_factors_steps3000.json")
    comparison = load_results("unpaired_steps3000.json")["seeds"]
    assert shipped["steps"] == 3000 and shipped["seeds"]
    assert shipped["factors"] == {f: list(flags) for f, flags in uf.FACTORS.items()}
    for seed, runs in shipped["seeds"].items():
        assert list(runs)[0] == "preset" and len(runs) > 1, seed
        assert list(runs) == [r for r in uf.LABELS if r in runs]
        assert runs["preset"]["benchmarks"] == comparison[seed]["da-rcot"]["benchmarks"]
        for row, run in runs.items():
            assert run["steps"] == 3000, (seed, row)
            assert run["curve"]["step"][-1] == 3000, (seed, row)
            assert set(run["benchmarks"]) == {"cbsd68_15", "cbsd68_25", "cbsd68_50",
                                              "rain100l_rgb", "sots"}, (seed, row)
            assert "psnr_y_out" in run["benchmarks"]["rain100l_rgb"], (seed, row)
