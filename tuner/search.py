"""Searches: which configurations of a task to measure next.

`AnnealingSearch` is AutoTVM's, kept across refits: about a hundred chains of simulated
annealing on the cost model's scores, stepped together (a neighbour changes one knob or
alternatives; accepted with probability exp((s' - s) / T), T falling from 1 to 0 over the
steps, scores scaled by their spread), stopped early when the best predicted set has not
changed for `patience` steps. The next batch is then picked from the best predicted
configurations not measured yet, greedily for diversity (a knob value no measured
configuration has counts extra), with about 5% drawn at random from the unmeasured rest.
Before the model has data the batch is half the default's neighbours (one knob changed),
half random configurations, each half spread over the knobs' values (`first_batch`). A
measured configuration is never proposed again. `RandomSearch` and `GridSearch` are the baselines.

    search = AnnealingSearch(space, featurizer, model, np.random.default_rng(0))
    batch = search.propose(32, measured)      # measured: the keys of measured configs
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ziggurat.tuner.space import Config, Space

RANDOM_SHARE = 0.05


class RandomSearch:
    """Configurations drawn uniformly, never one already measured."""

    def __init__(self, space: Space, rng: np.random.Generator, **_: Any):
        self.space, self.rng = space, rng

    def unmeasured(
        self, count: int, measured: set[Any], exclude: set[Any] = frozenset()
    ) -> list[Config]:  # type: ignore[assignment]
        found: dict[Any, Config] = {}
        for _ in range(count * 20 + 50):
            if len(found) >= count:
                break
            config = self.space.sample(self.rng)
            key = self.space.key(config)
            if key not in measured and key not in exclude:
                found.setdefault(key, config)
        if len(found) < count and self.space.size() <= 200_000:
            # A small or nearly exhausted space: take what the grid has left.
            for config in self.space.enumerate():
                key = self.space.key(config)
                if len(found) >= count:
                    break
                if key not in measured and key not in exclude:
                    found.setdefault(key, config)
        return list(found.values())

    def propose(self, count: int, measured: set[Any]) -> list[Config]:
        return self.unmeasured(count, measured)

    def update(self, model: Any) -> None:
        pass


class GridSearch(RandomSearch):
    """Configurations in the grid's order."""

    def __init__(self, space: Space, rng: np.random.Generator, **_: Any):
        super().__init__(space, rng)
        self.grid = space.enumerate(limit=200_000)
        self.next = 0

    def propose(self, count: int, measured: set[Any]) -> list[Config]:
        found = []
        while len(found) < count and self.next < len(self.grid):
            config = self.grid[self.next]
            self.next += 1
            if self.space.key(config) not in measured:
                found.append(config)
        return found


class AnnealingSearch(RandomSearch):
    """Parallel simulated annealing on a cost model's predictions."""

    def __init__(
        self,
        space: Space,
        rng: np.random.Generator,
        featurizer: Any = None,
        model: Any = None,
        chains: int = 96,
        steps: int = 60,
        patience: int = 12,
    ):
        super().__init__(space, rng)
        self.featurizer, self.model = featurizer, model
        self.steps, self.patience = steps, patience
        self.points = np.stack([space.encode(space.sample(rng)) for _ in range(chains)])

    def scores(self, points: np.ndarray) -> tuple[list[Config], np.ndarray]:
        configs = [self.space.decode(p) for p in points]
        # Provisional features: the interpreter only for the candidates measured.
        features = self.featurizer.matrix(configs, provisional=True)
        return configs, np.asarray(self.model.predict(features))

    def anneal(self, keep: int, measured: set[Any]) -> dict[Any, tuple[float, Config]]:
        """Step the chains; the best `keep` unmeasured configurations seen, with scores."""
        sizes = self.space.sizes
        movable = np.flatnonzero(sizes > 1)
        configs, scores = self.scores(self.points)
        best: dict[Any, tuple[float, Config]] = {}

        def remember(configs: list[Config], scores: np.ndarray) -> None:
            for config, score in zip(configs, scores, strict=True):
                key = self.space.key(config)
                if key not in measured and key not in best:
                    best[key] = (float(score), config)

        remember(configs, scores)
        top: set[Any] = set()
        unchanged = 0
        for step in range(self.steps):
            temperature = max(1.0 - step / self.steps, 1e-3)
            chains = len(self.points)
            dims = movable[self.rng.integers(len(movable), size=chains)]
            moved = self.points.copy()
            shift = self.rng.integers(1, np.maximum(sizes[dims], 2))
            moved[np.arange(chains), dims] = (moved[np.arange(chains), dims] + shift) % sizes[dims]
            new_configs, new_scores = self.scores(moved)
            spread = float(np.std(np.concatenate([scores, new_scores]))) or 1.0
            accept = self.rng.random(chains) < np.exp(
                np.minimum((new_scores - scores) / (spread * temperature), 0.0)
            )
            self.points[accept] = moved[accept]
            scores = np.where(accept, new_scores, scores)
            remember(new_configs, new_scores)
            ranked = sorted(best, key=lambda k: -best[k][0])[:keep]
            unchanged = unchanged + 1 if set(ranked) == top else 0
            top = set(ranked)
            if unchanged >= self.patience:
                break
        # Chains that sit on a measured configuration start again somewhere new.
        for index, point in enumerate(self.points):
            if self.space.key(self.space.decode(point)) in measured:
                self.points[index] = self.space.encode(self.space.sample(self.rng))
        return best

    def propose(self, count: int, measured: set[Any]) -> list[Config]:
        if self.model is None or not self.model.trained:
            # Nothing to learn from yet: random configurations spread over the knobs'
            # values, so the first fit sees each value it can.
            default = self.space.canonical(self.space.default())
            near = [self.space.neighbour(default, self.rng) for _ in range(8 * count)]
            drawn = near + self.unmeasured(8 * count, measured)
            return first_batch(self.space, drawn, count, measured)
        best = self.anneal(max(2 * count, 64), measured)
        ranked = [best[k][1] for k in sorted(best, key=lambda k: -best[k][0])]
        exploring = max(1, round(count * RANDOM_SHARE)) if count >= 4 else 0
        chosen = self.diverse(ranked[: 4 * count], count - exploring, measured)
        keys = {self.space.key(c) for c in chosen}
        chosen += self.unmeasured(count - len(chosen), measured, keys)
        return chosen

    def diverse(self, ranked: list[Config], count: int, measured: set[Any]) -> list[Config]:
        return diverse(self.space.names, ranked, count, measured)


def first_batch(space: Space, drawn: list[Config], count: int, measured: set[Any]) -> list[Config]:
    """A batch before the model has data, from the unmeasured `drawn`: half of it the
    default's neighbours (one knob changed), then the rest, each half spread over the knobs'
    values."""
    default, names = space.canonical(space.default()), space.names
    fresh = {space.key(c): c for c in drawn if space.key(c) not in measured}
    near = [c for c in fresh.values() if sum(c[n] != default[n] for n in names) == 1]
    far = [c for c in fresh.values() if sum(c[n] != default[n] for n in names) != 1]
    chosen = diverse(names, near, count // 2, measured, 1.0)
    taken = measured | {space.key(c) for c in chosen}
    rest = far + [c for c in near if space.key(c) not in taken]
    return chosen + diverse(names, rest, count - len(chosen), taken, 1.0)


def diverse(
    names: list[str], ranked: list[Config], count: int, measured: set[Any], weight: float = 0.1
) -> list[Config]:
    """Greedily the best ranked, each knob value that no measured (keys) or chosen
    configuration has counting as much as `weight` of the ranking."""
    seen = {(n, v) for key in measured for n, v in zip(names, key, strict=True)}
    chosen: list[Config] = []
    pool = list(enumerate(ranked))
    while pool and len(chosen) < count:
        merits = [
            -rank / max(len(ranked), 1) + weight * sum((n, c[n]) not in seen for n in names)
            for rank, c in pool
        ]
        pick = pool.pop(int(np.argmax(merits)))
        chosen.append(pick[1])
        seen |= {(n, pick[1][n]) for n in names}
    return chosen


SEARCHES = {"anneal": AnnealingSearch, "random": RandomSearch, "grid": GridSearch}
