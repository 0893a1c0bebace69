import json
import subprocess
import sys

import pytest
import torch

from rcot_lib.cli import main


def test_help_lists_subcommands(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "notebooks" in out


def test_python_m_entry_point():
    res = subprocess.run(
        [sys.executable, "-m", "rcot_lib", "--version"], capture_output=True, text=True
    )
    assert res.returncode == 0 and "rcot-kit" in res.stdout


def test_notebooks_unknown_name_is_a_clear_error(capsys):
    assert main(["notebooks", "99_nope"]) == 1
    assert "no notebook matches" in capsys.readouterr().err


# --- bad inputs: one-line errors, folders that go on past a bad file -------------


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    """An untrained tiny map saved as a checkpoint (restoring needs no training)."""
    from rcot_lib.checkpoint import save_checkpoint
    from rcot_lib.models import build_map
    from rcot_lib.presets import get_preset

    cfg = get_preset("tiny")
    path = tmp_path_factory.mktemp("ckpt") / "w.pt"
    state = {"config": cfg.to_dict(), "model": cfg.model.to_dict(), "step": 0,
             "map": build_map(cfg.model).state_dict()}
    return save_checkpoint(state, path)


def _image(path, h=16, w=20, seed=0):
    from rcot_lib.images import save_image

    torch.manual_seed(seed)
    return save_image(torch.rand(3, h, w), path)


def _one_line_error(capsys, command):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"rcot {command}: error: ")
    return err[0]


def test_tile_and_overlap_are_checked_before_any_work(tmp_path, capsys):
    from rcot_lib.restore import restore

    x = torch.rand(3, 40, 40)
    with pytest.raises(ValueError, match="tile 32 must be larger than overlap 32"):
        restore(torch.nn.Identity(), x, tile=32)
    for tile in (0, -8, 2.5, True):
        with pytest.raises(ValueError, match="tile must be a whole number >= 1"):
            restore(torch.nn.Identity(), x, tile=tile)
    with pytest.raises(ValueError, match="overlap must be a whole number >= 0"):
        restore(torch.nn.Identity(), x, tile=16, overlap=-1)
    torch.testing.assert_close(restore(torch.nn.Identity(), x, tile=33), x)
    # the command line says so before reading the checkpoint (here: missing)
    src = _image(tmp_path / "a.png")
    no_ckpt = str(tmp_path / "missing.pt")
    assert main(["restore", str(src), str(tmp_path / "o.png"), "--checkpoint",
                 no_ckpt, "--tile", "32"]) == 1
    assert _one_line_error(capsys, "restore").endswith(
        "--tile 32 must be larger than --overlap 32")
    assert main(["eval", "--checkpoint", no_ckpt, "--clean", str(tmp_path),
                 "--degradation", "denoise_25", "--tile", "0"]) == 1
    assert "--tile must be a whole number >= 1, got 0" in _one_line_error(
        capsys, "eval")
    assert not (tmp_path / "o.png").exists()


def test_restore_folder_goes_past_bad_files_and_keeps_names_apart(
    tmp_path, capsys, tiny_weights
):
    folder = tmp_path / "in"
    _image(folder / "a.png", seed=1)
    _image(folder / "a.jpg", seed=2)  # the same stem: named by full file name
    _image(folder / "c.png", seed=3)
    (folder / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 30)
    (folder / "d.jpg").write_bytes(b"")
    out = tmp_path / "out"
    _image(out / "b.png", seed=4)  # a good file the bad input must not replace
    before = (out / "b.png").read_bytes()
    argv = ["restore", str(folder), str(out), "--checkpoint", str(tiny_weights)]
    assert main(argv) == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "a.jpg.png", "a.png.png", "b.png", "c.png"]
    assert (out / "b.png").read_bytes() == before
    err = capsys.readouterr().err
    summary = err[err.index("rcot restore: 2 of 5 images failed:"):].splitlines()
    assert summary[1].startswith("  b.png: cannot read image")
    assert summary[2].startswith("  d.jpg: cannot read image")
    assert summary[2].endswith("the file is empty (0 bytes)")


def test_restore_outputs_are_checked_before_any_work(tmp_path, capsys, tiny_weights):
    src = _image(tmp_path / "a.png")
    ckpt = str(tiny_weights)
    for out, problem in [("out", "no file suffix"), ("o.xyz", "cannot write images "
                                                    "as '.xyz'"),
                         ("a.png", "would overwrite its own input")]:
        assert main(["restore", str(src), str(tmp_path / out), "--checkpoint",
                     ckpt]) == 1
        assert problem in _one_line_error(capsys, "restore")
    assert main(["restore", str(tmp_path), str(src), "--checkpoint", ckpt]) == 1
    assert "a folder IN needs a folder OUT" in _one_line_error(capsys, "restore")
    assert main(["restore", str(tmp_path), str(tmp_path), "--checkpoint", ckpt]) == 1
    assert "would overwrite its own input" in _one_line_error(capsys, "restore")
    (tmp_path / "dir").mkdir()  # a file into a folder: named by its stem
    assert main(["restore", str(src), str(tmp_path / "dir"), "--checkpoint",
                 ckpt]) == 0
    assert [p.name for p in (tmp_path / "dir").iterdir()] == ["a.png"]


def test_eval_goes_past_unreadable_images_and_lists_them(
    tmp_path, capsys, tiny_weights
):
    import json

    _image(tmp_path / "clean" / "good.png")
    (tmp_path / "clean" / "bad.png").write_bytes(b"not an image")
    argv = ["eval", "--checkpoint", str(tiny_weights), "--clean",
            str(tmp_path / "clean"), "--degradation", "denoise_25", "--json"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [im["name"] for im in report["images"]] == ["good"]
    assert [f["name"] for f in report["failed"]] == ["bad.png"]
    assert "1 of 2 images failed" in captured.err
    assert "  bad.png: cannot read image" in captured.err
    # a paired folder: the bad pair is skipped, the good one scored
    _image(tmp_path / "pairs" / "input" / "1.png", seed=1)
    _image(tmp_path / "pairs" / "target" / "1.png", seed=2)
    _image(tmp_path / "pairs" / "input" / "2.png", seed=3)
    (tmp_path / "pairs" / "target" / "2.png").write_bytes(b"")
    argv = ["eval", "--checkpoint", str(tiny_weights), "--pairs",
            str(tmp_path / "pairs"), "--json"]
    assert main(argv) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["count"] == 1 and report["failed"][0]["name"] == "2.png"


def test_eval_draws_its_progress_bar_unless_no_progress(tmp_path, capsys, tiny_weights):
    _image(tmp_path / "clean" / "good.png")
    argv = ["eval", "--checkpoint", str(tiny_weights), "--clean",
            str(tmp_path / "clean"), "--degradation", "denoise_25"]
    assert main(argv) == 0
    assert "eval: 100%" in capsys.readouterr().err
    assert main([*argv, "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "eval:" not in captured.err and "PSNR" in captured.out


@pytest.mark.parametrize("exc", [KeyError("map"), TypeError("bad\ntype"),
                                 RuntimeError("CUDA error"), PermissionError("no"),
                                 IsADirectoryError("dir"), OSError("disk")])
def test_every_error_is_one_line_and_debug_shows_the_traceback(
    monkeypatch, capsys, exc
):
    import rcot_lib.cli.export as export

    def fail(args):
        raise exc

    monkeypatch.setattr(export, "run", fail)
    assert main(["export", "a.pt", "b.pt"]) == 1
    line = _one_line_error(capsys, "export")
    assert type(exc).__name__ in line or str(exc) in line
    for argv in (["--debug", "export", "a.pt", "b.pt"],
                 ["export", "a.pt", "b.pt", "--debug"]):
        with pytest.raises(type(exc)):
            main(argv)


def test_bad_checkpoints_say_what_they_are(tmp_path, capsys, tiny_weights):
    src = str(_image(tmp_path / "a.png"))
    text = tmp_path / "notes.pt"
    text.write_text("experiment notes\n")
    assert main(["restore", src, str(tmp_path / "o.png"), "--checkpoint",
                 str(text)]) == 1
    assert _one_line_error(capsys, "restore").endswith(
        "notes.pt is not a readable rcot-kit checkpoint (not a torch file)")
    # an exported (weights-only) checkpoint cannot continue a training run
    run = tmp_path / "run"
    assert main(["export", str(tiny_weights), str(run / "last.pt")]) == 0
    capsys.readouterr()
    assert main(["train", "--config", "tiny", "--out", str(run), "--resume"]) == 1
    line = _one_line_error(capsys, "train")
    assert "holds only the map weights" in line and "cannot be resumed" in line


@pytest.mark.parametrize("setting, problem", [
    ("patch=abc", '--set patch: expected an integer, got "abc"'),
    ("amp=1", "--set amp: expected true or false, got 1"),
    ("lr=fast", '--set lr: expected a number, got "fast"'),
    ("tasks=3", "--set tasks: expected a JSON list"),
    ("tasks=[\"denoise_25\", 2]", "--set tasks[1]: expected a string, got 2"),
    ("model.dim=8.5", "--set model.dim: expected an integer, got 8.5"),
    ("model.backbone=unet", "--set model.backbone: expected one of 'nafnet'"),
])
def test_set_values_are_checked_against_the_field_types(capsys, setting, problem):
    assert main(["train", "--config", "tiny", "--set", setting]) == 1
    assert problem in _one_line_error(capsys, "train")


def test_set_values_of_the_right_type_are_converted():
    from rcot_lib.cli.train import _overrides

    changes = _overrides(["lr=1", "steps=1e3", "tasks=[\"derain\"]", "name=123",
                          "model.blocks=[1, 1]", "optimizer=adam"])
    assert changes == {"lr": 1.0, "steps": 1000, "tasks": ("derain",), "name": "123",
                       "model": {"blocks": (1, 1)}, "optimizer": "adam"}
    assert isinstance(changes["lr"], float)


def test_toy2d_out_records_rows_settings_and_command(tmp_path, capsys):
    out = tmp_path / "toy.json"
    assert main(["toy2d", "--fast", "--steps", "2", "--pairs", "gaussians",
                 "--out", str(out)]) == 0
    rec = json.loads(out.read_text())
    assert [r["pair"] for r in rec["rows"]] == ["gaussians"]
    row = rec["rows"][0]
    assert row["ratio"] == pytest.approx(row["neural_cost"] / row["exact_cost"])
    assert rec["settings"] == {"steps": 2, "seed": 0, "lam": 0.5, "p": 1, "fast": True}
    assert rec["command"].startswith("rcot toy2d --steps 2 --seed 0")
    assert "--pairs gaussians" in rec["command"]


def test_toy2d_out_must_be_json_and_is_checked_before_training(tmp_path, capsys):
    bad = str(tmp_path / "x.txt")
    assert main(["toy2d", "--fast", "--steps", "2", "--out", bad]) == 1
    err = capsys.readouterr().err
    assert "--out must name a .json file" in err
    assert "ratio" not in err  # no pair was trained
