"""tuner/cost_model.py: one interface, ranking, regression and random models."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau

from ziggurat.tuner.cost_model import MODELS, RandomModel, make_model, relevance, throughput


def synthetic(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Features whose first two columns decide the time; a few trials fail."""
    features = rng.random((count, 10)).astype(np.float32)
    seconds = 1.0 + 3.0 * features[:, 0] + features[:, 1] ** 2
    seconds[rng.random(count) < 0.05] = np.inf
    return features, seconds


def test_throughput_is_relative_to_each_groups_best_and_zero_for_failures():
    seconds = np.array([1.0, 2.0, np.inf, 4.0, 8.0])
    groups = np.array([0, 0, 0, 1, 1])
    assert list(throughput(seconds, groups)) == [1.0, 0.5, 0.0, 1.0, 0.5]


def test_relevance_is_the_rank_in_each_group_and_zero_for_failures():
    seconds = np.array([1.0, 2.0, np.inf, 3.0, 8.0, 4.0, 9.0])
    groups = np.array([0, 0, 0, 0, 1, 1, 1])
    # Group 0: 1 s best (30), 3 s slowest (0), 2 s between (15); the failure 0 too.
    assert list(relevance(seconds, groups)) == [30, 15, 0, 0, 15, 30, 0]


@pytest.mark.parametrize("name", ["rank", "regression"])
def test_tree_models_rank_unseen_candidates(name):
    rng = np.random.default_rng(0)
    features, seconds = synthetic(rng, 300)
    model = make_model(name)
    assert not model.trained
    model.fit(features, seconds, np.zeros(len(seconds), int))
    assert model.trained
    test, test_seconds = synthetic(rng, 200)
    finite = np.isfinite(test_seconds)
    tau = kendalltau(model.predict(test)[finite], -test_seconds[finite]).statistic
    assert tau > 0.6


def test_other_tasks_records_are_other_groups():
    rng = np.random.default_rng(1)
    features, seconds = synthetic(rng, 200)
    groups = np.repeat([0, 1], 100)
    seconds[groups == 1] *= 10  # another task, ten times slower: still the same order
    model = make_model("rank")
    model.fit(features, seconds, groups)
    test, test_seconds = synthetic(rng, 100)
    assert kendalltau(model.predict(test), -test_seconds).statistic > 0.5


def test_the_random_model_has_the_same_interface():
    model = RandomModel(0)
    model.fit(np.zeros((4, 3)), np.ones(4), np.zeros(4, int))
    assert model.trained and model.predict(np.zeros((5, 3))).shape == (5,)
    assert set(MODELS) == {"rank", "regression", "random"}


def test_a_rank_model_orders_a_monotone_toy_space_from_few_trials():
    """A tile knob whose time falls monotonically towards 8 and a width knob that divides
    it: 40 trials (a few search batches) order the other 40 candidates, over five draws."""
    tiles, widths = np.meshgrid(np.arange(1, 17), [1, 2, 4, 8, 16])
    features = np.stack([tiles.ravel(), np.log2(widths.ravel())], axis=1).astype(np.float32)
    seconds = (1.0 + np.abs(features[:, 0] - 8)) / (1.0 + features[:, 1])
    taus, found = [], []
    for draw in range(5):
        order = np.random.default_rng(draw).permutation(len(seconds))
        train, test = order[:40], order[40:]
        model = make_model("rank")
        model.fit(features[train], seconds[train], np.zeros(len(train), int))
        predicted = model.predict(features[test])
        taus.append(kendalltau(predicted, -seconds[test]).statistic)
        # The predicted top five hold one of the five fastest.
        found.append(seconds[test][np.argsort(-predicted)[:5]].min() <= np.sort(seconds[test])[4])
    assert np.median(taus) > 0.75 and sum(found) >= 4
