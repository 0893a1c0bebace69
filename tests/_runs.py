"""Run folders as ``rcot train`` and ``rcot eval --json`` leave them, for the tests
of the scripts that gather runs (scripts/ablation_results.py, unpaired_results.py)."""

from __future__ import annotations

import json
from pathlib import Path


def fake_run(folder: Path, steps: int, scores: dict[str, dict]) -> None:
    """``folder/history.json`` of ``steps`` steps (one validation record) and one
    ``folder/eval/<set>.json`` per entry of ``scores``."""
    (folder / "eval").mkdir(parents=True)
    records = [{"step": steps, "time": 60.0 * steps, "val_psnr": 25.0,
                "val_psnr_in": 19.4}]
    (folder / "history.json").write_text(json.dumps({"step": steps,
                                                     "records": records}))
    for name, result in scores.items():
        (folder / "eval" / f"{name}.json").write_text(json.dumps(result))
