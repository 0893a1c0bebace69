"""The ``rcot bench`` JSON contract, on a tiny configuration."""

from __future__ import annotations

import json

import pytest
import torch

from rcot_lib.cli import main

TINY = [
    "--dim",
    "4",
    "--blocks",
    "1,1,1,1",
    "--regm-dim",
    "2",
    "--refine",
    "0",
    "--potential-width",
    "4",
    "--potential-depth",
    "2",
    "--threads",
    "1",
]


@pytest.fixture(autouse=True)
def _restore_threads():
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


def test_train_step_json(capsys):
    argv = [
        "bench",
        "train-step",
        *TINY,
        "--patch",
        "16",
        "--batch",
        "2",
        "--iters",
        "1",
        "--warmup",
        "0",
        "--json",
    ]
    assert main(argv) == 0
    r = json.loads(capsys.readouterr().out)
    for key in [
        "median_s",
        "peak_rss_mb",
        "flops_per_step",
        "params_map",
        "params_potential",
    ]:
        assert r[key] > 0, key
    assert r["params_potential"] < r["params_map"]


def test_restormer_train_step_and_inference_json(capsys):
    argv = [
        "bench",
        "train-step",
        *TINY,
        "--backbone",
        "restormer",
        "--heads",
        "1,1,2,2",
        "--patch",
        "16",
        "--batch",
        "2",
        "--iters",
        "1",
        "--warmup",
        "0",
        "--no-flops",
        "--condition",
        "single",
        "--json",
    ]
    assert main(argv) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["flops_per_step"] is None and r["median_s"] > 0
    argv = ["bench", "inference", *TINY, "--size", "21x13", "--iters", "1", "--json"]
    assert main(argv) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["median_s"] > 0 and r["params_map"] > 0


def test_bad_flags():
    with pytest.raises(SystemExit):
        main(["bench", "inference", "--size", "481by321"])


def _tiny_cfg():
    from rcot_lib.models import ModelConfig

    return ModelConfig(dim=4, blocks=(1, 1, 1, 1), regm_dim=2, refine=0,
                       potential_width=4, potential_depth=2)


def test_train_step_amp_runs_the_map_in_bf16_and_channels_last_is_applied():
    from rcot_lib.bench_iteration import make_train_step

    step, eager, T, _ = make_train_step(_tiny_cfg(), patch=16, batch=2,
                                        amp=True, channels_last=True)
    assert eager is step  # no compile: one closure
    seen = []
    hook = T.generator.intro.register_forward_hook(
        lambda m, i, o: seen.append((o.dtype, i[0].is_contiguous(
            memory_format=torch.channels_last))))
    loss = step()
    hook.remove()
    assert seen and all(d == torch.bfloat16 for d, _ in seen)
    assert seen[0][1]  # the input batch is channels-last
    assert T.generator.intro.weight.is_contiguous(memory_format=torch.channels_last)
    assert T.generator.intro.weight.dtype == torch.float32  # weights stay fp32
    assert torch.isfinite(torch.tensor(loss))


def test_compile_wraps_the_map_and_flops_come_from_the_eager_map(monkeypatch):
    from rcot_lib import bench, bench_iteration

    compiled = []

    def fake_compile(module):
        compiled.append(module)
        return module

    monkeypatch.setattr(torch, "compile", fake_compile)
    step, eager, T, _ = bench_iteration.make_train_step(_tiny_cfg(), patch=16,
                                                        batch=2, compile=True)
    assert compiled == [T] and step is not eager
    r = bench.bench_inference(_tiny_cfg(), (13, 21), iters=1, warmup=0, compile=True)
    assert len(compiled) == 2 and r["compile"] is True


def test_preset_flags_fill_model_crops_and_gpu_options():
    from rcot_lib.cli import build_parser
    from rcot_lib.cli.bench import model_config, run_options
    from rcot_lib.presets import get_preset

    parse = build_parser().parse_args
    args = parse(["bench", "train-step", "--preset", "gpu-medium", "--dim", "16"])
    gm = get_preset("gpu-medium")
    assert model_config(args).backbone == gm.model.backbone == "restormer"
    assert model_config(args).blocks == gm.model.blocks
    assert model_config(args).dim == 16  # a flag changes the preset
    opts = run_options(args)  # the preset's options, on any device (as the trainer)
    assert opts["amp"] is True and opts["channels_last"] is True
    assert opts["device"].type == "cpu" and opts["compile"] is False
    args = parse(["bench", "train-step", "--preset", "tiny"])
    assert run_options(args)["amp"] is False
    args = parse(["bench", "train-step", "--preset", "gpu-medium", "--no-amp"])
    assert run_options(args)["amp"] is False
    args = parse(["bench", "train-step", "--amp"])  # no preset, explicit flag
    assert run_options(args)["amp"] is True


def test_preset_sets_patch_and_batch_of_the_step(capsys):
    argv = ["bench", "train-step", "--preset", "tiny", "--threads", "1",
            "--iters", "1", "--warmup", "0", "--no-flops", "--json"]
    assert main(argv) == 0
    r = json.loads(capsys.readouterr().out)
    assert (r["patch"], r["batch"], r["device"], r["amp"]) == (32, 4, "cpu", False)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_a_gpu_is_a_clear_error(capsys):
    assert main(["bench", "inference", *TINY, "--device", "cuda"]) == 1
    assert "CUDA is not available" in capsys.readouterr().err


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_train_step_reports_gpu_memory(capsys):
    argv = ["bench", "train-step", *TINY, "--patch", "16", "--batch", "2",
            "--iters", "2", "--device", "cuda", "--amp", "--json"]
    assert main(argv) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["device"].startswith("cuda") and r["peak_gpu_mb"] > 0
