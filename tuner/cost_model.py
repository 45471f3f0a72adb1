"""Cost models: scores for candidates from their features, higher for faster.

One small interface — `fit(features, seconds, groups)`, `predict(features)` — so the search
does not know which model it asks, and an upgrade of the tree library can break only this
file. `RankModel` is LightGBM with a ranking objective (lambdarank: the order of one task's
candidates matters, not their times; each task's candidates are one group, labels are the
candidate's relevance by its rank among them, failures lowest, and every position of the
group counts); `RegressionModel` is the
same trees regressing throughput relative to the task's best; `RandomModel` scores at random
(random search through the same machinery). A failed trial has throughput 0. A model can
start from other tasks' records (`fit` them beside the task's own, as other groups: transfer
of what fast schedules look like).

    model = RankModel()
    model.fit(X, seconds, groups)      # seconds: np.inf for a failed trial
    scores = model.predict(X_new)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

RELEVANCE_LEVELS = 31  # lambdarank's labels: 0 (failed or slowest) .. 30 (the best)


def relevance(seconds: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each candidate's rank in its group as a label, 0 (slowest) .. RELEVANCE_LEVELS - 1
    (the fastest), failures 0: by rank, not by speed relative to the best, so the slow
    half of a space is still ordered (speeds there are all near 0)."""
    labels = np.zeros(len(seconds), int)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        finite = members[np.isfinite(seconds[members])]
        if len(finite) == 0:
            continue
        order = np.argsort(np.argsort(seconds[finite], kind="stable"), kind="stable")
        top = RELEVANCE_LEVELS - 1
        labels[finite] = np.rint(top * (1 - order / max(len(finite) - 1, 1))).astype(int)
    return labels


def throughput(seconds: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each candidate's speed relative to the best of its group (0 for failures)."""
    relative = np.zeros(len(seconds))
    for group in np.unique(groups):
        mask = groups == group
        times = seconds[mask]
        finite = np.isfinite(times)
        if finite.any():
            relative[mask] = np.where(finite, times[finite].min() / np.where(finite, times, 1), 0)
    return relative


class RandomModel:
    """Scores at random: the baseline the learned models are measured against."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def fit(self, features: np.ndarray, seconds: np.ndarray, groups: np.ndarray) -> None:
        pass

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.rng.random(len(features))

    @property
    def trained(self) -> bool:
        return True


class TreeModel:
    """Gradient-boosted trees (LightGBM) behind our interface; subclasses say the objective."""

    objective = "regression"

    def __init__(self, seed: int = 0, rounds: int = 80):
        self.seed, self.rounds = seed, rounds
        self.booster: Any = None

    @property
    def trained(self) -> bool:
        return self.booster is not None

    def parameters(self, groups: np.ndarray) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "learning_rate": 0.1,
            "num_leaves": 15,
            "max_depth": 5,
            "min_data_in_leaf": 2,
            "feature_fraction": 0.9,
            "bagging_fraction": 0.9,
            "bagging_freq": 1,
            "seed": self.seed,
            "verbose": -1,
            "num_threads": 1,
            "deterministic": True,
        }

    def dataset(self, features: np.ndarray, seconds: np.ndarray, groups: np.ndarray) -> Any:
        import lightgbm

        return lightgbm.Dataset(features, throughput(seconds, groups), free_raw_data=False)

    def fit(self, features: np.ndarray, seconds: np.ndarray, groups: np.ndarray) -> None:
        import lightgbm

        if len(features) < 4 or not np.isfinite(seconds).any():
            return
        order = np.argsort(groups, kind="stable")  # lambdarank wants each group contiguous
        features, seconds, groups = features[order], seconds[order], groups[order]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.booster = lightgbm.train(
                self.parameters(groups), self.dataset(features, seconds, groups), self.rounds
            )

    def predict(self, features: np.ndarray) -> np.ndarray:
        if self.booster is None:
            return np.zeros(len(features))
        return np.asarray(self.booster.predict(features, num_threads=1))


class RegressionModel(TreeModel):
    """Trees regressing each candidate's throughput relative to its task's best."""


class RankModel(TreeModel):
    """Trees ranking one task's candidates (lambdarank over groups of one task each)."""

    objective = "lambdarank"

    def parameters(self, groups: np.ndarray) -> dict[str, Any]:
        _, sizes = np.unique(groups, return_counts=True)
        return super().parameters(groups) | {
            "label_gain": list(range(RELEVANCE_LEVELS)),
            # Every pair of a group counts, not only those near its top: the search keeps
            # chains in every part of the space, and the order there guides them too.
            "lambdarank_truncation_level": int(sizes.max()),
        }

    def dataset(self, features: np.ndarray, seconds: np.ndarray, groups: np.ndarray) -> Any:
        import lightgbm

        _, sizes = np.unique(groups, return_counts=True)
        return lightgbm.Dataset(
            features, relevance(seconds, groups), group=sizes, free_raw_data=False
        )


MODELS = {"rank": RankModel, "regression": RegressionModel, "random": RandomModel}


def make_model(name: str, seed: int = 0) -> Any:
    return MODELS[name](seed=seed)
