"""The trainer under torchrun: 2 CPU processes, gloo, DistributedDataParallel."""

import os
import socket
import subprocess
import sys
import textwrap

import pytest
import torch

SCRIPT = textwrap.dedent(
    """
    import os, sys, torch
    from rcot_lib.presets import get_preset
    from rcot_lib.train import train

    out = sys.argv[1]
    cfg = get_preset("tiny", steps=3, val_every=3, tasks=("denoise_25", "dehaze"))
    res = train(cfg, out, device="cpu", progress=False)
    rank = int(os.environ["RANK"])
    torch.save({"map": res.T.state_dict(), "phi": res.phi.state_dict()},
               f"{out}/rank{rank}.pt")
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_gloo_processes_stay_in_sync(tmp_path):
    script = tmp_path / "ddp_train.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "RCOT_DATA"}
    env.update(OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
           "--master_addr=127.0.0.1", f"--master_port={_free_port()}",
           str(script), str(tmp_path)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    for part in ("map", "phi"):  # gradients averaged: identical weights on both ranks
        for k in r0[part]:
            assert torch.equal(r0[part][k], r1[part][k]), (part, k)
    from rcot_lib.checkpoint import load_checkpoint

    state = load_checkpoint(tmp_path / "last.pt")  # written by rank 0 only
    assert state["step"] == 3
    assert "val_psnr" in state["records"][-1]
