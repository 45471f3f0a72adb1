"""tuner/search.py and tuner/scheduler.py: annealing, the baselines, the task scheduler."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ziggurat.tuner.features import Featurizer
from ziggurat.tuner.scheduler import gain, next_task
from ziggurat.tuner.search import AnnealingSearch, GridSearch, RandomSearch, first_batch
from ziggurat.tuner.space import Space


class Oracle:
    """A model that prefers 4-row tiles of 8 columns, read from the features' config."""

    trained = True

    def __init__(self, space, featurizer):
        self.space, self.featurizer = space, featurizer

    def predict(self, features):
        # The features do not say the config directly: use the loop extents they hold.
        return -np.abs(features[:, 0] - np.log2(9)) - np.abs(features[:, 7] - np.log2(5))


def test_annealing_follows_the_model_and_never_proposes_a_measured_configuration(
    matmul_task, target
):
    space = Space.of(matmul_task, target)
    featurizer = Featurizer(matmul_task, space, target)
    rng = np.random.default_rng(0)
    search = AnnealingSearch(space, rng, featurizer, Oracle(space, featurizer), chains=16, steps=8)
    measured = {space.key(space.sample(rng)) for _ in range(40)}
    batch = search.propose(16, measured)
    keys = [space.key(c) for c in batch]
    assert len(batch) == 16 and len(set(keys)) == 16
    assert not set(keys) & measured
    scores = Oracle(space, featurizer).predict(featurizer.matrix(batch))
    randoms = RandomSearch(space, np.random.default_rng(1)).propose(16, measured)
    assert np.median(scores) > np.median(
        Oracle(space, featurizer).predict(featurizer.matrix(randoms))
    )


def test_the_first_batch_is_half_the_defaults_neighbours_spread_over_the_knobs(matmul_task, target):
    space = Space.of(matmul_task, target)
    default = space.canonical(space.default())
    search = AnnealingSearch(space, np.random.default_rng(0))  # no model yet
    batch = search.propose(16, {space.key(default)})
    keys = {space.key(c) for c in batch}
    assert len(keys) == 16 and space.key(default) not in keys
    changed = [[n for n in space.names if c[n] != default[n]] for c in batch]
    near = [names[0] for names in changed if len(names) == 1]
    assert len(near) >= 8
    # Spread: no knob value twice among the neighbours, and every knob with options moved.
    values = [(n, c[n]) for c, names in zip(batch, changed, strict=True) for n in names[:1]]
    assert len(set(values[:8])) == 8
    assert set(near) == {d.name for d in space.dimensions if len(d.options) > 1}
    # The other half is spread too: more values than as many random configurations have.
    far = [c for c, names in zip(batch, changed, strict=True) if len(names) != 1]
    drawn = RandomSearch(space, np.random.default_rng(0)).propose(len(far), set())
    spread = len({(n, c[n]) for c in far for n in space.names})
    assert spread > len({(n, c[n]) for c in drawn for n in space.names})


def test_the_first_batch_proposes_each_configuration_once(matmul_task, target):
    # Only neighbours drawn: the second half comes from the neighbours the first left.
    space = Space.of(matmul_task, target)
    default = space.canonical(space.default())
    rng = np.random.default_rng(0)
    drawn = [space.neighbour(default, rng) for _ in range(200)]
    distinct = {space.key(c) for c in drawn} - {space.key(default)}
    # Asked for more than there are: each of them once, none twice.
    batch = first_batch(space, drawn, len(distinct) + 10, {space.key(default)})
    keys = [space.key(c) for c in batch]
    assert len(keys) == len(set(keys)) and set(keys) == distinct


def test_random_and_grid_search_exhaust_a_space_without_repeats(matmul_task, target):
    space = Space.of(matmul_task, target)
    grid = GridSearch(space, np.random.default_rng(0))
    first = grid.propose(10, set())
    second = grid.propose(10, {space.key(c) for c in first})
    assert len({space.key(c) for c in first + second}) == 20
    random = RandomSearch(space, np.random.default_rng(0))
    assert len(random.propose(5, set())) == 5


def state(weight: float, history: list[float], exhausted: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        task=SimpleNamespace(weight=weight), history=history, exhausted=exhausted
    )


def test_the_scheduler_follows_the_expected_gain():
    fresh = state(1, [1.0])
    assert next_task([state(1, [1.0, 1.0]), fresh]) is fresh
    assert next_task([state(1, [1.0] * 8), state(1, [0.01])]).history == [1.0] * 8
    flat = state(1, [1.0] * 20)
    improving = state(1, [2.0] * 10 + [1.0] * 10)
    heavy = state(5, [1.0] * 20)
    assert gain(1, improving.history) > gain(1, flat.history)
    assert next_task([flat, improving]) is improving
    assert next_task([flat, heavy]) is heavy
    assert next_task([state(9, [1.0] * 4, exhausted=True), flat]) is flat
    assert next_task([state(1, [1.0, 1.0], exhausted=True)]) is None
