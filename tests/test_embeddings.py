"""Embedding scores and t-SNE on synthetic features with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from rcot_lib import embeddings as E
from rcot_lib.embedding_images import FIG4_TASKS, degraded_set

TASKS3 = ("denoise_15", "derain", "dehaze")
LEVELS = ("denoise_15", "denoise_25", "denoise_50")


def clusters(means: np.ndarray, n: int = 60, scale: float = 0.05, seed: int = 0):
    """``n`` Gaussian points around each row of ``means`` (k, d)."""
    rng = np.random.default_rng(seed)
    X = np.concatenate([m + scale * rng.standard_normal((n, len(m))) for m in means])
    return X, np.repeat(np.arange(len(means)), n)


def test_separated_clusters_score_high():
    means = 5.0 * np.eye(3, 16) + 1.0  # distinct directions after L2 normalisation
    X, y = clusters(means)
    assert E.silhouette(X, y) > 0.9
    assert E.knn_accuracy(X, y) == 1.0


def test_identical_clusters_score_at_chance():
    X, y = clusters(np.ones((3, 16)), n=100, scale=1.0)
    assert abs(E.silhouette(X, y)) < 0.05
    assert abs(E.knn_accuracy(X, y) - 1 / 3) < 0.12


def test_levels_ordered_along_a_line_in_either_direction():
    base, direction = np.ones(8), np.eye(8)[1]
    means = np.stack([base + t * direction for t in (0.0, 0.5, 1.0)])
    X, y = clusters(means, scale=0.02)
    labels = np.array(LEVELS)[y]
    ordered, coords = E.level_order(X, labels, LEVELS)
    assert ordered and coords.shape == (3,)
    assert E.level_order(X, labels, LEVELS[::-1])[0]  # sign-invariant
    assert not E.level_order(X, labels, ("denoise_25", "denoise_15", "denoise_50"))[0]


def test_scores_dict_and_missing_levels():
    means = 5.0 * np.eye(5, 16) + 1.0
    X, y = clusters(means, n=20)
    labels = np.array(LEVELS + ("derain", "dehaze"))[y]
    s = E.embedding_scores(X, labels)
    keys = {"silhouette", "knn_accuracy", "knn_chance", "noise_levels_ordered",
            "silhouette_levels_merged"}
    assert set(s) == keys
    assert s["knn_chance"] == pytest.approx(0.2)
    assert isinstance(s["noise_levels_ordered"], bool)
    s = E.embedding_scores(X[y >= 3], labels[y >= 3])
    assert s["noise_levels_ordered"] is None
    assert s["silhouette_levels_merged"] == pytest.approx(s["silhouette"])
    s = E.embedding_scores(X[y < 3], labels[y < 3])
    assert s["silhouette_levels_merged"] is None


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="two distinct labels"):
        E.silhouette(np.ones((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        E.knn_accuracy(np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match="no rows labelled"):
        E.level_order(np.ones((4, 2)), np.array(["a"] * 4), ("a", "b"))


def test_tsne_is_seeded_and_separates_clusters():
    means = 5.0 * np.eye(3, 64) + 1.0
    X, y = clusters(means, n=30)
    Y1 = E.tsne_2d(X, perplexity=10, seed=0, max_iter=500)
    Y2 = E.tsne_2d(X, perplexity=10, seed=0, max_iter=500)
    assert Y1.shape == (90, 2) and np.isfinite(Y1).all()
    np.testing.assert_allclose(Y1, Y2)
    assert E.knn_accuracy(Y1, y, normalise=False) == 1.0


def test_tsne_cache_memoises_and_subsets():
    means = 5.0 * np.eye(3, 16) + 1.0
    X, y = clusters(means, n=10)
    cache = E.TsneCache({"residual": X}, np.array(TASKS3)[y], max_iter=250)
    Y, t = cache.get("residual", 5, ("derain", "dehaze"))
    assert Y.shape == (20, 2) and set(t) == {"derain", "dehaze"}
    assert cache.get("residual", 5, ("derain", "dehaze"))[0] is Y
    with pytest.raises(ValueError, match="unknown kind"):
        cache.get("nope")


# --- extraction with a tiny untrained map ----------------------------------------


@pytest.fixture(scope="module")
def tiny_map():
    import torch

    from rcot_lib.models import ModelConfig, build_map

    torch.manual_seed(0)
    return build_map(ModelConfig(dim=4, blocks=(1, 1, 1, 1), refine=0)).eval()


def test_pool_modes():
    import torch

    f = torch.arange(2 * 3 * 2 * 2, dtype=torch.float32).reshape(2, 3, 2, 2)
    assert E.pool(f, "flatten").shape == (2, 12)
    np.testing.assert_allclose(E.pool(f, "mean")[0], [1.5, 5.5, 9.5])
    assert E.pool(f, "meanstd").shape == (2, 6)
    with pytest.raises(ValueError, match="choose from"):
        E.pool(f, "max")
    flat = E.pool(f, "flatten").numpy()
    for mode in E.POOLS:
        np.testing.assert_allclose(E.repool(flat, 2, mode), E.pool(f, mode).numpy())
    with pytest.raises(ValueError, match="cannot view"):
        E.repool(flat, 3, "mean")


def test_extract_matches_the_map_api(tiny_map):
    import torch

    x = torch.rand(5, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    Z = E.extract(tiny_map, x, batch_size=2, device="cpu", progress=False)
    with torch.inference_mode():
        e3 = tiny_map.embed(x)  # (5, 32, 4, 4)
        base = E.input_embedding(tiny_map, x)
    assert Z["residual"].shape == (5, e3[0].numel())
    assert Z["baseline"].shape == (5, base[0].numel())
    assert e3.shape[-2:] == base.shape[-2:] == (4, 4)  # both at 1/8 scale
    np.testing.assert_allclose(Z["residual"], e3.flatten(1).numpy(), atol=1e-5)
    np.testing.assert_allclose(Z["baseline"], base.flatten(1).numpy(), atol=1e-5)
    Zm = E.extract(tiny_map, x, ("residual",), "mean", device="cpu", progress=False)
    assert list(Zm) == ["residual"] and Zm["residual"].shape == (5, e3.shape[1])
    with pytest.raises(ValueError, match="unknown kinds"):
        E.extract(tiny_map, x, ("prompt",), progress=False)


def test_degraded_set_from_samples_is_seeded(monkeypatch):
    import torch

    monkeypatch.delenv("RCOT_DATA", raising=False)
    a = degraded_set(3, ("denoise_50", "derain"), size=32, seed=1, progress=False)
    b = degraded_set(3, ("denoise_50", "derain"), size=32, seed=1, progress=False)
    assert a.images.shape == (6, 3, 32, 32) and a.counts() == {"denoise_50": 3,
                                                              "derain": 3}
    assert torch.equal(a.images, b.images)
    assert "data_samples" in a.sources["derain"]
    with pytest.raises(ValueError, match="valid tasks"):
        degraded_set(2, ("denoise_99",), progress=False)
    with pytest.raises(ValueError, match="multiple of 8"):
        degraded_set(2, size=30, progress=False)


@pytest.mark.data
def test_degraded_set_uses_real_benchmarks(benchmarks):
    s = degraded_set(2, FIG4_TASKS, size=64, progress=False)
    assert s.sources["derain"].startswith("Rain100L")
    assert s.sources["dehaze"].startswith("SOTS-outdoor")
    assert s.sources["denoise_25"].startswith("CBSD68")


def test_cli_prints_only_json_and_writes_the_figure(tmp_path, capsys, monkeypatch):
    import json

    from rcot_lib.cli import main

    monkeypatch.delenv("RCOT_DATA", raising=False)
    fig = tmp_path / "tsne.png"
    argv = ["tsne", "--random-init", "--per-task", "5", "--size", "16",
            "--tasks", "denoise_15,denoise_50,derain", "--max-iter", "250",
            "--device", "cpu", "--out", str(fig), "--json",
            "--save-features", str(tmp_path / "f.npz")]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    keys = {"silhouette", "knn_accuracy", "noise_levels_ordered"}
    assert set(out["residual"]) >= keys
    assert out["n_images"] == {"denoise_15": 5, "denoise_50": 5, "derain": 5}
    assert set(out["scores_by_pool"]) == set(E.POOLS)
    assert out["scores_by_pool"]["mean"]["residual"] == out["residual"]
    assert fig.stat().st_size > 0 and not list(tmp_path.glob(".*.tmp"))
    saved = np.load(tmp_path / "f.npz")
    assert saved["residual"].shape[0] == 15 and saved["tasks"][0] == "denoise_15"


def test_cli_missing_checkpoint_is_a_clear_error(tmp_path, capsys):
    from rcot_lib.cli import main

    assert main(["tsne", "--checkpoint", str(tmp_path / "no.pt")]) == 1
    assert "checkpoint not found" in capsys.readouterr().err


def test_load_for_embedding_reads_a_checkpoint_or_says_untrained(tmp_path, tiny_map):
    import torch

    from rcot_lib.checkpoint import save_checkpoint

    path = tmp_path / "map.pt"
    save_checkpoint({"model": tiny_map.cfg.to_dict(), "map": tiny_map.state_dict(),
                     "step": 7}, path)
    T, note = E.load_for_embedding(str(path))
    assert "step 7" in note and T.cfg == tiny_map.cfg
    x = torch.rand(1, 3, 16, 16)
    with torch.inference_mode():
        torch.testing.assert_close(T.embed(x), tiny_map.embed(x))
    T, note = E.load_for_embedding(str(tmp_path / "missing.pt"))
    assert "UNTRAINED" in note and not T.training


def test_regm_input_is_e3s_encoder_on_the_input(tiny_map):
    """The same-width baseline: the REGM encoder of x, not of the residual."""
    import torch

    x = torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    Z = E.extract(tiny_map, x, ("residual", "regm_input"), device="cpu",
                  progress=False)
    with torch.inference_mode():
        expected = tiny_map.regm.embed(x)  # (3, C3, 4, 4)
    assert Z["regm_input"].shape == Z["residual"].shape
    np.testing.assert_allclose(Z["regm_input"], expected.flatten(1).numpy(), atol=1e-5)
    assert not np.allclose(Z["regm_input"], Z["residual"])
    assert set(E.KIND_LABELS) == set(E.KINDS)
