import pytest
import torch

from rcot_lib import training_data, training_images, training_loader


def _identity(clean, task, generator):
    return clean


@pytest.fixture
def clean():
    g = torch.Generator().manual_seed(0)
    return [torch.randint(0, 256, (3, 40, 50), generator=g, dtype=torch.uint8)
            for _ in range(5)]


def test_items_are_a_function_of_seed_and_index(clean):
    ds = training_data.DegradationMix(clean, ("denoise_25", "derain"), patch=16, seed=3)
    a, b = ds[7], ds[7]
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    x, y, label, paired = a
    assert x.shape == y.shape == (3, 16, 16) and x.dtype == torch.float32
    assert int(label) in (1, 3) and bool(paired)
    other = training_data.DegradationMix(
        clean, ("denoise_25", "derain"), patch=16, seed=4
    )
    assert not torch.equal(other[7][0], x)


def test_loader_is_deterministic_and_resumes_by_step(clean):
    ds = training_data.DegradationMix(clean, ("denoise_15",), patch=8, seed=0)
    full = list(training_loader.make_loader(ds, batch=4, steps=3))
    tail = list(training_loader.make_loader(ds, batch=4, start_step=1, steps=2))
    assert len(full) == 3 and full[0][0].shape == (4, 3, 8, 8)
    for u, v in zip(full[1:], tail, strict=True):
        assert torch.equal(u[0], v[0]) and torch.equal(u[1], v[1])
    # two ranks read disjoint indices of the same step
    r0 = list(training_loader.IndexStream(4, 0, rank=0, world=2, steps=1))
    r1 = list(training_loader.IndexStream(4, 0, rank=1, world=2, steps=1))
    assert not set(r0) & set(r1)


def test_unpaired_targets_are_independent_clean_images(clean):
    paired = training_data.DegradationMix(clean, ("dehaze",), patch=16,
                                     paired_fraction=1.0, degrade=_identity)
    unpaired = training_data.DegradationMix(clean, ("dehaze",), patch=16,
                                       paired_fraction=0.0, degrade=_identity)
    for i in range(6):
        x, y, _, p = paired[i]
        assert bool(p) and torch.equal(x, y)  # identity degradation: y is x's source
        x, y, _, p = unpaired[i]
        assert not bool(p) and not torch.equal(x, y)


def test_the_unpaired_sampler_never_yields_a_pair():
    # each photograph is one flat grey level, so a crop names its source image
    flat = [torch.full((3, 20, 20), 10 * k, dtype=torch.uint8) for k in range(4)]
    ds = training_data.DegradationMix(flat, ("denoise_25", "dehaze"), patch=8,
                                 paired_fraction=0.0, degrade=_identity, seed=1)
    sources, targets = [], []
    for i in range(300):
        x, y, _, paired = ds[i]
        assert not bool(paired)
        sources.append(round(float(x[0, 0, 0]) * 255))
        targets.append(round(float(y[0, 0, 0]) * 255))
    assert all(s != t for s, t in zip(sources, targets, strict=True))
    # and the targets still cover every other image (a draw of nu, not a shift)
    assert {t for s, t in zip(sources, targets, strict=True) if s == 0} == {10, 20, 30}


def test_real_pairs_keep_alignment(clean):
    y = torch.randint(0, 256, (3, 30, 30), dtype=torch.uint8)
    pairs = {"derain": [(y // 2, y)]}
    ds = training_data.DegradationMix(clean, ("derain",), pairs, patch=12,
                                 real_pair_prob=1.0)
    for i in range(4):
        x, t, label, _ = ds[i]
        torch.testing.assert_close(x, (t * 255 // 2) / 255)
        assert int(label) == 3


def test_task_weights_set_task_frequencies(clean):
    tasks = ("denoise_15", "derain", "dehaze")
    ds = training_data.DegradationMix(clean, tasks, patch=8, degrade=_identity,
                                 task_weights=(1.0, 3.0, 0.5))
    labels = torch.stack([ds[i][2] for i in range(3000)])
    freq = torch.stack([(labels == k).float().mean() for k in (0, 3, 4)])
    # binomial standard error at n = 3000 is below 0.01
    expected = torch.tensor([1.0, 3.0, 0.5]) / 4.5
    torch.testing.assert_close(freq, expected, atol=0.03, rtol=0)
    uniform = training_data.DegradationMix(clean, tasks, patch=8, degrade=_identity)
    assert uniform.task_weights is None
    for bad in ((1.0, 2.0), (1.0, 0.0, 1.0), (1.0, float("nan"), 1.0)):
        with pytest.raises(ValueError, match="one per task"):
            training_data.DegradationMix(clean, tasks, task_weights=bad)


def test_gray_samples_carry_the_same_degradation_in_every_channel(clean):
    from rcot_lib.images import to_gray

    base = training_data.DegradationMix(clean, ("denoise_25",), patch=16, seed=1)
    gray = training_data.DegradationMix(clean, ("denoise_25",), patch=16, seed=1,
                                   gray_prob=0.5)
    n_gray = 0
    for i in range(40):
        x, y, _, _ = gray[i]
        assert x.shape == y.shape == (3, 16, 16)
        if torch.equal(y[0], y[1]) and torch.equal(y[1], y[2]):
            n_gray += 1
            assert torch.equal(x[0], x[1]) and torch.equal(x[1], x[2])
            assert (x[0] - y[0]).std() > 0.05  # noise was added (sigma 25/255)
    assert 10 <= n_gray <= 30
    # luma weights: white stays white, pure red is 0.299
    torch.testing.assert_close(to_gray(torch.tensor([1.0, 0, 0]).view(3, 1, 1)),
                               torch.tensor([[[0.299]]]))
    # gray_prob = 0 leaves the sample stream as it was
    plain = training_data.DegradationMix(clean, ("denoise_25",), patch=16, seed=1,
                                    gray_prob=0.0)
    assert torch.equal(plain[3][0], base[3][0])
    with pytest.raises(ValueError, match="gray_prob"):
        training_data.DegradationMix(clean, ("denoise_25",), gray_prob=1.5)


def test_bad_tasks_and_sources(tmp_path, clean):
    with pytest.raises(ValueError, match="unknown tasks"):
        training_data.DegradationMix(clean, ("sharpen",))
    with pytest.raises(FileNotFoundError):
        training_images.resolve_sources(tmp_path / "nope", (), ())
    with pytest.raises(ValueError, match="task:relative"):
        training_images.resolve_sources(tmp_path, (), ("derain",))


def test_any_folder_of_clean_images(tmp_path):
    from rcot_lib.images import save_image

    for k in range(2):
        save_image(torch.rand(3, 20, 24), tmp_path / f"{k}.png")
    found, pairs = training_images.resolve_sources(tmp_path, ("clean/BSD390",), ())
    assert found == [tmp_path] and pairs == {}
    images = training_images.load_clean_images(found)
    assert len(images) == 2 and images[0].dtype == torch.uint8


def test_validation_batch_shapes():
    x, y, labels = training_data.validation_batch(("denoise_25", "dehaze"), size=32,
                                             max_images=2)
    assert x.shape == y.shape == (4, 3, 32, 32)
    assert labels.tolist() == [1, 1, 4, 4]
    x2, _, _ = training_data.validation_batch(("denoise_25", "dehaze"), 32, 2)
    assert torch.equal(x, x2)
