"""The training loader: batches by step, so that a run resumes exactly.

Step ``s`` of rank ``r`` (of ``world`` processes) reads a fixed block of sample
indices (:class:`IndexStream`). Every sample of
:class:`rcot_lib.training_data.DegradationMix` is a pure function of its index, so
batches are the same with 0 or several loader workers, and a resumed run that
starts at step ``s`` continues exactly where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch


class IndexStream(torch.utils.data.Sampler):
    """Sample indices of steps ``start, start + 1, ...`` for one process.

    Step ``s`` of rank ``r`` (of ``world``) reads indices
    ``((s * world + r) * batch, ..., + batch - 1)``.
    """

    def __init__(
        self, batch: int, start: int = 0, rank: int = 0, world: int = 1,
        steps: int | None = None,
    ) -> None:
        self.batch, self.start, self.rank, self.world = batch, start, rank, world
        self.steps = steps

    def __iter__(self) -> Iterator[int]:
        s = self.start
        while self.steps is None or s < self.start + self.steps:
            base = (s * self.world + self.rank) * self.batch
            yield from range(base, base + self.batch)
            s += 1

    def __len__(self) -> int:
        return (self.steps or 10**9) * self.batch


def make_loader(
    dataset: torch.utils.data.Dataset,
    batch: int,
    start_step: int = 0,
    steps: int | None = None,
    num_workers: int = 0,
    rank: int = 0,
    world: int = 1,
) -> torch.utils.data.DataLoader:
    """A DataLoader of batches ``(x, y, labels, paired)`` from step ``start_step``."""
    sampler = IndexStream(batch, start_step, rank, world, steps)
    return torch.utils.data.DataLoader(
        dataset, batch_size=batch, sampler=sampler, num_workers=num_workers,
        drop_last=True, persistent_workers=num_workers > 0,
    )
