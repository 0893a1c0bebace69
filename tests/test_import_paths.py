"""Modules that moved keep their old import paths, with the very same objects."""

from __future__ import annotations

import importlib
import pickle
import types

import pytest

# old module -> the modules that now hold its names
MOVED = {
    "rcot_lib.config": ["rcot_lib.environment"],
    "rcot_lib.data": ["rcot_lib.eval_data", "rcot_lib.paired_files", "rcot_lib.images"],
    "rcot_lib.datasets": [
        "rcot_lib.training_data",
        "rcot_lib.training_images",
        "rcot_lib.training_loader",
    ],
    "rcot_lib.degradations": [
        "rcot_lib.degrade",
        "rcot_lib.degrade.kernels",
        "rcot_lib.degrade.sampling",
    ],
    "rcot_lib.kernels": ["rcot_lib.degrade.kernels"],
    "rcot_lib.sampling": ["rcot_lib.degrade.sampling"],
    "rcot_lib.weather": ["rcot_lib.degrade.weather"],
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_paths_re_export_the_same_objects(old):
    module = importlib.import_module(old)
    homes = [importlib.import_module(name) for name in MOVED[old]]
    assert module.__all__
    for name in module.__all__:
        home = next((m for m in homes if hasattr(m, name)), None)
        assert home is not None, f"{old}.{name} has no new home"
        assert getattr(module, name) is getattr(home, name)


def test_the_names_notebooks_use_by_the_old_paths():
    from rcot_lib import config, data, datasets, degradations

    assert callable(config.is_fast) and config.CHECKPOINTS_DIR.name == "checkpoints"
    assert data.EVAL_SETS and callable(data.center_crop)
    assert datasets.DegradationMix.__module__ == "rcot_lib.training_data"
    assert degradations.TASKS[0] == "denoise_15" and callable(degradations.convolve)


@pytest.mark.parametrize(
    "path",
    [
        "rcot_lib.eval_data.PairedFolder",
        "rcot_lib.eval_data.SyntheticPairs",
        "rcot_lib.training_data.DegradationMix",
        "rcot_lib.training_loader.IndexStream",
        "rcot_lib.train_config.TrainConfig",
        "rcot_lib.models.config.ModelConfig",
    ],
)
def test_classes_pickle_by_a_path_that_resolves(path):
    module, name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    assert cls.__module__ == module
    assert pickle.loads(pickle.dumps(cls)) is cls


# module split in place -> the modules that took some of its names
SPLIT = {
    "rcot_lib.viz": ["rcot_lib.viz_toy2d", "rcot_lib.viz_spectra",
                     "rcot_lib.viz_training", "rcot_lib.viz_embeddings"],
    "rcot_lib.training_data": ["rcot_lib.training_images", "rcot_lib.training_loader"],
    "rcot_lib.embeddings": ["rcot_lib.embedding_images"],
    "rcot_lib.eval_data": ["rcot_lib.paired_files"],
    "rcot_lib.bench": ["rcot_lib.bench_iteration", "rcot_lib.bench_flops"],
    "rcot_lib.unpaired": ["rcot_lib.best_response"],
    "rcot_lib.presets": ["rcot_lib.train_config"],
    "rcot_lib.restore": ["rcot_lib.scoring"],
}


@pytest.mark.parametrize("old", sorted(SPLIT))
def test_split_modules_still_serve_the_names_they_gave_away(old):
    module = importlib.import_module(old)
    for home_name in SPLIT[old]:
        home = importlib.import_module(home_name)
        public = [n for n, v in vars(home).items() if not n.startswith("_")
                  and not isinstance(v, types.ModuleType)
                  and getattr(v, "__module__", home_name) == home_name
                  and (callable(v) or n.isupper())]
        assert public, home_name
        for name in public:
            assert getattr(module, name) is getattr(home, name), (old, name)
    with pytest.raises(AttributeError, match=f"module '{old}' has no attribute"):
        module.no_such_name  # noqa: B018
    exec(f"from {old} import {public[0]}", {})  # the from-import form works too
