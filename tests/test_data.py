import pytest
import torch

from rcot_lib import eval_data, images, paired_files


def _write(path, h=12, w=16, value=0.5, channels=3):
    images.save_image(torch.full((channels, h, w), value), path)


@pytest.mark.parametrize(
    "deg_dir, clean_dir",
    [("degraded", "clean"), ("input", "target"), ("low", "high"), ("rainy", "gt"),
     ("hazy", "gt"), ("hazy", "clear"), ("rain", "norain")],
)
def test_find_pairs_layouts(tmp_path, deg_dir, clean_dir):
    for name in ("b", "a"):
        _write(tmp_path / deg_dir / f"{name}.png", value=0.8)
        _write(tmp_path / clean_dir / f"{name}.png", value=0.2)
    pairs = paired_files.find_pairs(tmp_path)
    layouts = [(d.parent.name, c.parent.name) for d, c in pairs]
    assert layouts == [(deg_dir, clean_dir)] * 2
    assert [d.stem for d, _ in pairs] == ["a", "b"]


def test_find_pairs_matches_stems_across_extensions_and_name_decorations(tmp_path):
    # SOTS as shipped here: hazy/0001.jpg + gt/0001.png
    _write(tmp_path / "sots" / "hazy" / "0001.jpg")
    _write(tmp_path / "sots" / "gt" / "0001.png")
    ((d, c),) = paired_files.find_pairs(tmp_path / "sots")
    assert (d.name, c.name) == ("0001.jpg", "0001.png")
    # the Rain100L release: rain/rain-001.png + norain/norain-001.png
    _write(tmp_path / "r" / "rain" / "rain-001.png")
    _write(tmp_path / "r" / "norain" / "norain-001.png")
    ((d, c),) = paired_files.find_pairs(tmp_path / "r")
    assert (d.name, c.name) == ("rain-001.png", "norain-001.png")
    # RESIDE: several hazy renderings <id>_<A>_<beta> share one clear image
    for name in ("0051_0.8_0.2", "0051_0.95_0.12"):
        _write(tmp_path / "o" / "hazy" / f"{name}.jpg")
    _write(tmp_path / "o" / "clear" / "0051.png")
    pairs = paired_files.find_pairs(tmp_path / "o")
    assert [c.name for _, c in pairs] == ["0051.png", "0051.png"]


def test_unmatched_files_and_bad_folders_are_clear_errors(tmp_path):
    _write(tmp_path / "low" / "1.png")
    _write(tmp_path / "low" / "2.png")
    _write(tmp_path / "high" / "1.png")
    _write(tmp_path / "high" / "3.png")
    with pytest.raises(ValueError, match=r"unmatched files: 1 in low/ \['2.png'\]"):
        paired_files.find_pairs(tmp_path)
    with pytest.warns(UserWarning, match="skipped"):
        assert len(paired_files.find_pairs(tmp_path, strict=False)) == 1
    with pytest.raises(FileNotFoundError, match="not a paired folder.*rainy/\\+gt/"):
        paired_files.find_pairs(tmp_path / "low")
    with pytest.raises(FileNotFoundError, match="not found"):
        paired_files.find_pairs(tmp_path / "missing")


def test_load_pair_checks_sizes_and_paired_folder_yields_items(tmp_path):
    _write(tmp_path / "input" / "x.png", h=40, w=60, value=0.8)
    _write(tmp_path / "target" / "x.png", h=40, w=60, value=0.2)
    _write(tmp_path / "input" / "y.png", h=40, w=60)
    _write(tmp_path / "target" / "y.png", h=40, w=62)
    ds = eval_data.PairedFolder(tmp_path, max_side=30)
    assert len(ds) == 2 and "2 pairs" in repr(ds)
    degraded, clean, name = ds[0]
    assert name == "x" and degraded.shape == clean.shape == (3, 20, 30)
    assert abs(float(degraded.mean()) - 0.8) < 0.01
    with pytest.raises(ValueError, match="size mismatch"):
        ds[1]
    assert len(eval_data.PairedFolder(tmp_path, limit=1)) == 1
    gray = eval_data.PairedFolder(tmp_path, mode="L", limit=1)[0][0]
    assert gray.shape == (1, 40, 60)


def test_pair_key_and_resize():
    assert paired_files.pair_key("norain-12", "clean") == "12"
    assert paired_files.pair_key("rain_12", "degraded") == "12"
    assert paired_files.pair_key("0001_1_0.08", "degraded") == "0001"
    with pytest.raises(ValueError, match="role"):
        paired_files.pair_key("x", "other")
    x = torch.rand(2, 3, 100, 50)
    assert images.resize_max_side(x, 40).shape == (2, 3, 40, 20)
    assert images.resize_max_side(x, None) is x


def test_synthetic_pairs_are_seeded_per_image(tmp_path):
    for k in range(3):
        _write(tmp_path / f"{k}.png", value=0.3 + 0.1 * k)
    ds = eval_data.SyntheticPairs(tmp_path, "denoise_25", seed=7)
    assert len(ds) == 3
    x2, y2, name = ds[2]
    assert name == "2" and x2.shape == y2.shape == (3, 12, 16)
    again = eval_data.SyntheticPairs(tmp_path, "denoise_25", seed=7)
    assert torch.equal(x2, again[2][0])
    other = eval_data.SyntheticPairs(tmp_path, "denoise_25", seed=8)[2][0]
    assert not torch.equal(x2, other)
    assert len(eval_data.SyntheticPairs(tmp_path, "derain", limit=2, heavy=True)) == 2
    with pytest.raises(ValueError, match="valid tasks"):
        eval_data.SyntheticPairs(tmp_path, "snow")


@pytest.mark.data
@pytest.mark.parametrize(
    "parts, count, layout",
    [(("derain", "Rain100L"), 100, ("rainy", "gt")),
     (("dehaze", "SOTS-outdoor"), 50, ("hazy", "gt")),
     (("lowlight", "LOL"), 15, ("low", "high"))],
)
def test_real_benchmarks_pair_up(benchmarks, parts, count, layout):
    folder = benchmarks.joinpath(*parts)
    pairs = paired_files.find_pairs(folder)
    assert len(pairs) == count
    assert all(d.parent.name == layout[0] and c.parent.name == layout[1]
               for d, c in pairs)
    assert all(d.stem == c.stem for d, c in pairs)
    degraded, clean, _ = eval_data.PairedFolder(folder, max_side=64)[0]
    assert degraded.shape == clean.shape


def test_center_crop_and_crop_options(tmp_path):
    x = torch.arange(2 * 6 * 8, dtype=torch.float32).reshape(2, 6, 8)
    assert images.center_crop(x, 4).shape == (2, 4, 4)
    assert torch.equal(images.center_crop(x, 4), x[:, 1:5, 2:6])
    assert images.center_crop(x, 100).shape == x.shape
    assert images.center_crop(x, None) is x
    _write(tmp_path / "low" / "a.png", h=30, w=40)
    _write(tmp_path / "high" / "a.png", h=30, w=40)
    degraded, clean, _ = eval_data.PairedFolder(tmp_path, crop=16)[0]
    assert degraded.shape == clean.shape == (3, 16, 16)
    y, x0, _ = eval_data.SyntheticPairs(tmp_path / "low", "derain", crop=20)[0]
    assert y.shape == x0.shape == (3, 20, 20)


def test_benchmark_sets_fall_back_to_nothing(tmp_path):
    assert eval_data.benchmark_sets(tmp_path) == {}
    assert eval_data.benchmark_sets(tmp_path / "missing") == {}


@pytest.mark.data
def test_benchmark_sets_on_real_data(benchmarks):
    sets = eval_data.benchmark_sets(benchmarks.parent, limit=1, crop=32)
    assert list(sets) == ["Rain100L", "SOTS-outdoor", "LOL", "CBSD68+σ25", "Set12+σ25"]
    degraded, clean, _ = sets["Set12+σ25"][0]
    assert degraded.shape == clean.shape == (1, 32, 32)


def test_exact_stems_win_over_the_name_decorations(tmp_path):
    for name in ("img_12_3", "img_5_1"):
        _write(tmp_path / "input" / f"{name}.png")
        _write(tmp_path / "target" / f"{name}.png")
    pairs = paired_files.find_pairs(tmp_path)
    assert [(d.stem, c.stem) for d, c in pairs] == [("img_12_3",) * 2, ("img_5_1",) * 2]
    _write(tmp_path / "target" / "img_5_1.jpg")
    with pytest.raises(ValueError, match="matches several files"):
        paired_files.find_pairs(tmp_path)


def test_save_image_never_leaves_a_partial_file(tmp_path):
    path = tmp_path / "x.png"
    images.save_image(torch.full((3, 4, 5), 0.5), path)
    good = path.read_bytes()
    with pytest.raises(ValueError, match="expected an image shaped"):
        images.save_image(torch.zeros(2, 4, 5), path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]
    assert images.load_image(path).shape == (3, 4, 5)
