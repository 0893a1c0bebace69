import json

import pytest
import torch

from rcot_lib import checkpoint, losses
from rcot_lib.presets import get_preset
from rcot_lib.train import DivergenceError, lr_factor, train


@pytest.fixture(autouse=True)
def _samples_only(monkeypatch):
    """Train on the shipped sample images only (fast, no data folder needed)."""
    monkeypatch.delenv("RCOT_DATA", raising=False)


def _tiny(**changes):
    base = {"val_every": 0, "tasks": ("denoise_25", "dehaze")}
    return get_preset("tiny", **{**base, **changes})


def _run(cfg, out, **kw):
    with pytest.warns(UserWarning, match="data_samples"):
        return train(cfg, out, device="cpu", progress=False, **kw)


def _same_state(a, b):
    assert a.keys() == b.keys()
    return all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    cfg = get_preset("tiny", steps=2, val_every=2, tasks=("denoise_25",))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RCOT_DATA", raising=False)  # train on data_samples/, and say so
        with pytest.warns(UserWarning, match="training on data_samples"):
            train(cfg, out, device="cpu", progress=False)
    return out / "last.pt"


def test_resume_continues_exactly(tmp_path):
    straight = _run(_tiny(steps=4), tmp_path / "a")
    _run(_tiny(steps=2), tmp_path / "b")
    resumed = _run(_tiny(steps=4), tmp_path / "b", resume=True)
    assert _same_state(straight.T.state_dict(), resumed.T.state_dict())
    assert _same_state(straight.phi.state_dict(), resumed.phi.state_dict())
    a = checkpoint.load_checkpoint(tmp_path / "a" / "last.pt")
    b = checkpoint.load_checkpoint(tmp_path / "b" / "last.pt")
    assert a["step"] == b["step"] == 4
    hist = json.loads((tmp_path / "b" / "history.json").read_text())
    assert [r["step"] for r in hist["records"]] == [1, 2, 3, 4]
    assert {"cost", "gap", "l1", "loss"} <= set(hist["records"][0])
    from rcot_lib.viz_training import plot_history

    fig = plot_history(hist, keys=("loss", "cost", "gap", "missing"))
    assert len(fig.axes) == 3


def test_wrong_config_is_a_clear_error(tmp_path, tiny_ckpt):
    out = tiny_ckpt.parent
    with pytest.raises(ValueError, match="Sigma"):
        train(get_preset("tiny", steps=3, Sigma=5.0), out, resume=True,
              device="cpu", progress=False)
    other = get_preset("tiny", model={"dim": 16})
    with pytest.raises(ValueError, match="model configuration.*dim"):
        train(other, tmp_path, init=tiny_ckpt, device="cpu", progress=False)
    junk = tmp_path / "junk.pt"
    torch.save({"weights": torch.zeros(2)}, junk)
    with pytest.raises(ValueError, match="not an rcot-kit checkpoint"):
        checkpoint.load_map(junk)
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        train(get_preset("tiny"), tmp_path / "empty", resume=True, device="cpu")


def test_nan_stops_and_keeps_last_good_checkpoint(tmp_path, monkeypatch):
    real, calls = losses.map_loss, []

    def poisoned(*args, **kwargs):
        loss, parts = real(*args, **kwargs)
        calls.append(1)
        return (loss * float("nan") if len(calls) == 3 else loss), parts

    monkeypatch.setattr(losses, "map_loss", poisoned)
    with pytest.raises(DivergenceError, match="not finite at step 2"):
        _run(_tiny(steps=4, ckpt_every=2), tmp_path)
    state = checkpoint.load_checkpoint(tmp_path / "last.pt")
    assert state["step"] == 2
    assert all(torch.isfinite(v).all() for v in state["map"].values())


def test_weights_export_and_restore_any_size(tmp_path, tiny_ckpt):
    from rcot_lib.restore import restore

    small = checkpoint.export_weights(tiny_ckpt, tmp_path / "w.pt", half=True)
    T, cfg = checkpoint.load_map(small)
    assert cfg["step"] == 2 and cfg["model"]["dim"] == 8
    x = torch.rand(3, 21, 30)
    out = restore(T, x)
    assert out.shape == x.shape and 0 <= out.min() and out.max() <= 1
    tiled = restore(T, torch.rand(2, 3, 40, 50), tile=16, overlap=4)
    assert tiled.shape == (2, 3, 40, 50)
    assert restore(T, torch.rand(1, 21, 30)).shape == (1, 21, 30)  # grayscale
    for bad in (torch.rand(4, 16, 16), torch.rand(16, 16)):
        with pytest.raises(ValueError, match="RGB or grayscale"):
            restore(T, bad)


def test_export_command_keeps_only_the_map(tmp_path, tiny_ckpt, capsys):
    import json

    from rcot_lib.cli import main

    dst = tmp_path / "w.pt"
    assert main(["export", str(tiny_ckpt), str(dst), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["step"] == 2 and info["bytes"] == dst.stat().st_size
    full, small = checkpoint.load_checkpoint(tiny_ckpt), checkpoint.load_checkpoint(dst)
    assert small["kind"] == "weights"
    assert not {"potential", "opt_map", "opt_potential", "rng"} & set(small)
    assert _same_state(full["map"], small["map"])
    assert small["model"] == full["model"] and small["config"] == full["config"]
    # errors name the problem, and a failed export leaves DST as it was
    assert main(["export", str(dst), str(dst)]) == 1
    assert "overwrite its own source" in capsys.readouterr().err
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    before = dst.read_bytes()
    assert main(["export", str(junk), str(dst)]) == 1
    assert "not a readable rcot-kit checkpoint" in capsys.readouterr().err
    assert dst.read_bytes() == before


class _ShiftRight(torch.nn.Module):
    """A map that is not equivariant to flips and turns: move every pixel right."""

    def forward(self, x):
        return torch.roll(x, 1, dims=-1)


def test_self_ensemble_averages_the_eight_transforms():
    from rcot_lib.restore import dihedral, restore

    x = torch.rand(3, 12, 17)
    # the eight transformed-and-undone shifts are the four one-pixel shifts, twice each
    shifts = [torch.roll(x, s, dims=d) for s in (1, -1) for d in (-1, -2)]
    torch.testing.assert_close(restore(_ShiftRight(), x, self_ensemble=True),
                               sum(shifts) / 4)
    torch.testing.assert_close(restore(_ShiftRight(), x), shifts[0])
    # tiles and a batch go through the same path
    xb = torch.rand(2, 3, 40, 36)
    torch.testing.assert_close(
        restore(torch.nn.Identity(), xb, tile=16, overlap=4, self_ensemble=True), xb)
    assert {tuple(dihedral(x, k).shape) for k in range(8)} == {(3, 12, 17), (3, 17, 12)}
    with pytest.raises(ValueError, match="0..7"):
        dihedral(x, 8)


def test_eval_json_contract_and_seeded_noise(tiny_ckpt, capsys):
    from rcot_lib.cli import main

    args = ["eval", "--checkpoint", str(tiny_ckpt), "--clean", "data_samples/images",
            "--degradation", "denoise_25", "--limit", "2", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)  # stdout holds the JSON only
    assert main([*args[:-2], "1", "--json"]) == 0  # the same noise for image 0
    second = json.loads(capsys.readouterr().out)
    for key in ("psnr_in", "psnr_out", "ssim_in", "ssim_out"):
        assert isinstance(first[key], float)
        assert first["images"][0][key] == second["images"][0][key]
    assert [im["name"] for im in first["images"]] == ["astronaut", "camera"]
    assert {"name", "psnr_in", "psnr_out", "ssim_in", "ssim_out"} <= set(
        first["images"][0]
    )
    assert main(["eval", "--checkpoint", str(tiny_ckpt), "--clean",
                 "data_samples/images", "--json"]) == 1
    assert "--degradation" in capsys.readouterr().err


def test_lr_schedules():
    cfg = get_preset("paper")
    assert lr_factor(cfg, 0) == 1 and lr_factor(cfg, cfg.lr_step) == pytest.approx(0.1)
    cos = get_preset("cpu-small", steps=1000, warmup=0)
    assert lr_factor(cos, 0) == 1 and lr_factor(cos, 1000) == pytest.approx(0)
    assert lr_factor(cos.replace(max_minutes=1.0), 0, elapsed=60) == pytest.approx(0)


def _conv_dtypes(T):
    """Record the output dtype of every convolution of ``T`` in a list."""
    seen = []
    for m in T.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(lambda _m, _i, out: seen.append(out.dtype))
    return seen


def test_amp_and_channels_last_run_on_any_device(tmp_path):
    """The GPU options (bf16 autocast, NHWC) take the same code path on the CPU:
    the map's convolutions run in bf16, the losses stay near the float32 run's,
    and the checkpoint holds float32 weights that load into a plain map."""
    from rcot_lib.models import build_map, build_potential

    def nets(cfg):  # the same initial networks for both runs
        torch.manual_seed(0)
        return {"T": build_map(cfg.model), "phi": build_potential(cfg.model)}

    plain = _tiny(steps=2, log_every=1)
    ref = _run(plain, tmp_path / "fp32", **nets(plain))
    cfg = _tiny(steps=2, log_every=1, amp=True, channels_last=True)
    T = nets(cfg)
    dtypes = _conv_dtypes(T["T"])
    res = _run(cfg, tmp_path / "amp", **T)
    T = T["T"]
    assert dtypes and set(dtypes) == {torch.bfloat16}
    assert T.generator.intro.weight.is_contiguous(memory_format=torch.channels_last)
    for a, b in zip(ref.records, res.records, strict=True):
        assert b["loss"] != a["loss"]  # bf16 really ran ...
        assert b["loss"] == pytest.approx(a["loss"], rel=0.05)  # ... and is close
    state = checkpoint.load_checkpoint(tmp_path / "amp" / "last.pt")
    assert all(v.dtype == torch.float32 for v in state["map"].values()
               if v.is_floating_point())
    build_map(cfg.model).load_state_dict(state["map"])


@pytest.mark.slow
def test_compiled_map_trains_like_the_eager_one(tmp_path, monkeypatch):
    """``compile=True`` wraps the map in ``torch.compile`` (about two minutes of
    compiling on a 2-core CPU) and gives the eager run's losses."""
    eager = _run(_tiny(steps=2, log_every=1), tmp_path / "eager")
    compiled_modules, real_compile = [], torch.compile
    monkeypatch.setattr(torch, "compile", lambda m, **kw: compiled_modules.append(m)
                        or real_compile(m, **kw))
    compiled = _run(_tiny(steps=2, log_every=1, compile=True), tmp_path / "compiled")
    assert compiled_modules == [compiled.T]
    for a, b in zip(eager.records, compiled.records, strict=True):
        for key in ("loss", "l1", "cost", "gap"):
            assert b[key] == pytest.approx(a[key], rel=1e-4, abs=1e-6)
    eager_w, compiled_w = eager.T.state_dict(), compiled.T.state_dict()
    assert eager_w.keys() == compiled_w.keys()  # no "_orig_mod." prefix
    for k in eager_w:
        torch.testing.assert_close(compiled_w[k], eager_w[k], rtol=1e-3, atol=1e-5)


def test_without_the_samples_folder_training_says_how_to_get_it(tmp_path, monkeypatch):
    """A non-editable install has no data_samples/: clear errors, no crash."""
    from PIL import Image

    from rcot_lib import environment
    from rcot_lib.images import sample_images

    monkeypatch.setattr(environment, "SAMPLES_DIR", tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="RCOT_SAMPLES"):
        sample_images()
    photos = tmp_path / "photos"
    photos.mkdir()
    for k in range(2):
        Image.new("RGB", (40, 40), (60 * k, 90, 120)).save(photos / f"p{k}.png")
    cfg = get_preset("tiny", steps=2, val_every=1, tasks=("denoise_25",))
    with pytest.warns(UserWarning, match="training without validation"):
        result = train(cfg, None, device="cpu", progress=False, data=photos)
    assert result.history["step"] == 2
    assert all("val_psnr" not in r for r in result.records)
