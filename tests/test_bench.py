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
