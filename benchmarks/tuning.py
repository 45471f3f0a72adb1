"""The tuner on matmul 512, conv2d 1x64x56x56 -> 64 3x3 and dense+bias+relu 64x512x512:

    python benchmarks/tuning.py [--pool-size 160] [--seeds 5] [--trials 128] [--rounds 5]
                                [--pools DIR] [--no-siblings] [--no-tuning]

First, for each kernel, a pool of candidates is measured once through the tuner's local
pool: the default configuration, its neighbours (one knob changed) and random
configurations, `--pool-size` in all; the best of the pool stands for "the best a long run
finds". The default and the candidates within 3x of the best are measured four more times,
interleaved, and keep their fastest (on a loaded machine one measurement of the default or
of the best decides nothing). Up to 64 of the held-out half (below) are measured a second
time: the Kendall tau between the two measurements is the ceiling any model's tau meets on
this machine as loaded.
With `--pools DIR` the pools are kept there (one JSON file per kernel) and read back by the
next run instead of measured again. A pool of a sibling of the convolution (128 channels
on 28x28) is measured too, for transfer only, as matmul and dense are each other's: a
network's convolutions are such siblings (`--no-siblings` leaves it out). Then, for each
kernel:
2. search, replayed on those measurements (no noise between the searches), all starting
   from the default as the tuner does: model-guided (the rank model refit after each batch
   of 16, the next batch its best predicted unmeasured candidates, 5% random; its first
   batch as the search's, half the default's neighbours and half other candidates, each
   spread over the knobs' values) and model-guided with transfer (the other kernels' pools
   in the model as other groups from the start, as `tune` does with a model's other tasks)
   against random order; trials until a candidate within 95% of the pool's best is
   measured, and (a figure that means something where the default itself is within 95%)
   until one of the pool's five fastest other than the default is, medians over `--seeds`
   seeds. The pool holds all of the default's neighbours but a small share of the rest of
   the space, which favours random order here (an eighth of a pool of 200 are neighbours,
   under 1% of matmul's space) as much as the neighbours-first batch;
3. the cost model trained on half the pool (and with transfer, on the other kernels' pools
   too) ranks the other half: Kendall's tau against the measured times and recall of the
   true top 10 among the predicted top 10, means over 5 random halvings;
4. prediction cost per candidate at batch 128: features (from the scheduled loop IR) and the
   model's prediction for 128 fresh candidates once a thousand candidates have taught the
   featurizer the space's structures (steady state), as the search asks for them
   (provisional features: a structure not read yet borrows the nearest one's formulas) and
   exact (each new structure read by the interpreter; 128 other candidates), wall and CPU
   time, with the Kendall tau between the two scorings of the first 128; and the pool's
   first time (cold);
5. a real tuning run (`tune`: annealing on the rank model, `--trials` trials, the fastest
   three confirmed) into a log;
6. GFLOP/s of the default schedules, the tuned ones (that log applied, as
   `ziggurat.compile(tuning_log=...)` does), numpy and onnxruntime, each in its own worker
   process, interleaved rounds (benchmarks/workers.py), medians.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from kernels import KERNELS, conv2d, prepare, serve_checked
from workers import Worker, measure

CHOSEN = ["matmul512", "conv2d_1x64x56x56_64_3x3", "dense_bias_relu_64x512x512"]
# Measured as pools for transfer only: the convolution's sibling, as matmul and dense are each
# other's (ResNet-18's 128-channel stage: a network's convolutions are such siblings).
SIBLINGS = {"conv2d_1x128x28x28_128_3x3": lambda: conv2d(128, 28, 128)}
BATCH = 16


def candidates(space, rng, size):
    """The default, its one-knob neighbours, then random configurations: `size` distinct."""
    found = {space.key(space.default()): space.default()}
    default = space.default()
    for dimension in space.dimensions:
        for option in dimension.options:
            config = space.canonical({**default, dimension.name: option})
            found.setdefault(space.key(config), config)
    while len(found) < size:
        config = space.sample(rng)
        found.setdefault(space.key(config), config)
    return list(found.values())[:size]


def trials_to_reach(order_of, seconds, goal):
    for trial, index in enumerate(order_of, 1):
        if seconds[index] <= goal:
            return trial
    return len(order_of) + 1


def guided_order(features, seconds, seed, prior=None, space=None, configs=None):
    """The order a model-guided search measures the pool in (batches of BATCH); `prior`:
    other tasks' (features, seconds, groups) the model learns from as well. With the
    `space` and the pool's `configs`, the first batch is spread over the knobs' values as
    the search's is (else random)."""
    from ziggurat.tuner.cost_model import RankModel
    from ziggurat.tuner.search import first_batch

    rng = np.random.default_rng(seed)
    left = [int(i) for i in rng.permutation(np.arange(1, len(seconds)))]
    # The default (index 0) first, then without a prior a first batch: nothing to learn from.
    order = [0]
    if prior is None and space is not None:
        index = {space.key(configs[i]): i for i in left}
        first = first_batch(space, [configs[i] for i in left], BATCH - 1, {space.key(configs[0])})
        order += [index[space.key(c)] for c in first]
        left = [i for i in left if i not in order]
    elif prior is None:
        order += [left.pop(0) for _ in range(BATCH - 1)]
    while left:
        model = RankModel(seed=seed)
        model.fit(*with_prior(features[order], seconds[order], prior))
        scores = model.predict(features[left]) if model.trained else rng.random(len(left))
        ranked = [left[i] for i in np.argsort(-scores)]
        explore = max(1, round(BATCH * 0.05))
        batch = ranked[: BATCH - explore]
        rest = [i for i in left if i not in batch]
        batch += list(rng.choice(rest, size=min(explore, len(rest)), replace=False))
        order += batch
        left = [i for i in left if i not in batch]
    return order


def with_prior(features, seconds, prior):
    """A task's rows (group 0), and the prior's after them."""
    groups = np.zeros(len(seconds), int)
    if prior is None:
        return features, seconds, groups
    return (
        np.concatenate([features, prior[0]]),
        np.concatenate([seconds, prior[1]]),
        np.concatenate([groups, prior[2]]),
    )


def ranking(features, seconds, prior=None, splits=5):
    """Kendall tau and top-10 recall on the held-out half of the pool, means over `splits`
    random halvings (one halving's figure swings by +-0.1 on 100 candidates), and the first
    halving's model."""
    from scipy.stats import kendalltau

    from ziggurat.tuner.cost_model import RankModel

    taus, recalls, models = [], [], []
    for split in range(splits):
        train, test = halves(len(seconds), split)
        model = RankModel()
        model.fit(*with_prior(features[train], seconds[train], prior))
        predicted = model.predict(features[test])
        finite = np.isfinite(seconds[test])
        taus.append(kendalltau(predicted[finite], -seconds[test][finite]).statistic)
        true_top = set(test[np.argsort(seconds[test])[:10]])
        predicted_top = set(test[np.argsort(-predicted)[:10]])
        recalls.append(len(true_top & predicted_top) / 10)
        models.append(model)
    return float(np.mean(taus)), float(np.mean(recalls)), models[0]


def times_of(pool):
    return np.array([t if t is not None else np.inf for t in pool["seconds"]])


def halves(count, split=0):
    half = np.random.default_rng(7 + split).permutation(count)
    return half[: count // 2], half[count // 2 :]


def measure_pool(name, args):
    """The kernel's task, space, pool of configurations and their times (and the second
    times of some held-out ones), measured or read from `--pools`."""
    from ziggurat.targets.target import target_named
    from ziggurat.tuner.pool import LocalPool
    from ziggurat.tuner.space import Space
    from ziggurat.tuner.tasks import extract_tasks

    target = target_named(args.target)
    task = extract_tasks([(KERNELS | SIBLINGS)[name]().onnx()], target)[0]
    space = Space.of(task, target)
    saved = Path(args.pools) / f"{name}.json" if args.pools else None
    if saved is not None and saved.exists():
        pool = json.loads(saved.read_text())
        pool["configs"] = [space.canonical(c) for c in pool["configs"]]
        if "settled" not in pool:  # a pool kept before settling: settle it once
            settle(task, space, pool, target, args)
            saved.write_text(json.dumps(pool))
        return task, space, pool
    configs = candidates(space, np.random.default_rng(0), args.pool_size)
    texts = [(i, space.schedule_text(c)) for i, c in enumerate(configs)]
    start = time.perf_counter()
    with LocalPool(str(target), min_seconds=args.min_seconds) as runner:
        results = []
        for first in range(0, len(texts), 32):
            results += runner.run(task, texts[first : first + 32])
        measuring = time.perf_counter() - start
        _, test = halves(len(configs))
        again = sorted(int(i) for i in test[:64])
        repeated = runner.run(task, [texts[i] for i in again])
    pool = {
        "configs": configs,
        "seconds": [r.seconds if r.ok else None for r in results],
        "errors": sum(not r.ok for r in results),
        "measuring_s": measuring,
        "again": {str(i): r.seconds for i, r in zip(again, repeated, strict=True) if r.ok},
    }
    settle(task, space, pool, target, args)
    if saved is not None:
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(pool))
    return task, space, pool


def settle(task, space, pool, target, args, within=3.0, rounds=4):
    """Measure the default and the pool's fast candidates (within `within` x its best)
    `rounds` more times, interleaved, and keep each one's fastest: other jobs on the machine
    only add time, and on a loaded machine one measurement decides nothing (at a load of 9,
    matmul's default took 5.7, 6.0, 3.5 and 1.9 ms in four rounds, the pool's best 2.2,
    3.8, 4.9 and 4.0: one slow first measurement of the default, or one lucky one of a
    neighbour, would otherwise decide what "95% of the best" means)."""
    from ziggurat.tuner.pool import LocalPool

    seconds = times_of(pool)
    fast = sorted({0, *(int(i) for i in np.flatnonzero(seconds <= within * np.min(seconds)))})
    texts = [(i, space.schedule_text(pool["configs"][i])) for i in fast]
    with LocalPool(str(target), min_seconds=args.min_seconds) as runner:
        for _ in range(rounds):
            for result in runner.run(task, texts):
                if result.ok and pool["seconds"][result.id] is not None:
                    index = result.id
                    pool["seconds"][index] = min(pool["seconds"][index], result.seconds)
    pool["settled"] = len(fast)


def study(name, args, log_path, pools):
    """Search, ranking, prediction cost and a tuning run for one kernel; `pools` holds every
    chosen kernel's (task, space, pool, features) for transfer."""
    from scipy.stats import kendalltau

    from ziggurat.targets.target import target_named
    from ziggurat.tuner.log import Log
    from ziggurat.tuner.pool import LocalPool
    from ziggurat.tuner.tune import make_states, tune

    target = target_named(args.target)
    task, space, pool, featurizer, features, cold = pools[name]
    pool_configs = pool["configs"]
    seconds = times_of(pool)
    best = int(np.argmin(seconds))
    others = [(kept[4], times_of(kept[2])) for other, kept in pools.items() if other != name]
    prior = None
    if others:
        prior = (
            np.concatenate([f for f, _ in others]),
            np.concatenate([t for _, t in others]),
            np.concatenate([np.full(len(t), g + 1) for g, (_, t) in enumerate(others)]),
        )

    goal = seconds[best] / 0.95
    orders = [
        guided_order(features, seconds, s, None, space, pool_configs) for s in range(args.seeds)
    ]
    random_orders = [
        [0, *np.random.default_rng(100 + s).permutation(np.arange(1, len(seconds)))]
        for s in range(args.seeds)
    ]
    guided = [trials_to_reach(order, seconds, goal) for order in orders]
    # Where the default is within 95% of the best the figure above is 1 for every search:
    # also the trials until one of the pool's five fastest but the default is measured.
    but_default = seconds.copy()
    but_default[0] = np.inf
    top = np.sort(but_default)[4]
    guided_top = [trials_to_reach(order, but_default, top) for order in orders]
    random_top = [trials_to_reach(order, but_default, top) for order in random_orders]
    transferred = (
        [
            trials_to_reach(guided_order(features, seconds, s, prior), seconds, goal)
            for s in range(args.seeds)
        ]
        if prior is not None
        else []
    )
    randoms = [trials_to_reach(order, seconds, goal) for order in random_orders]

    tau, recall, model = ranking(features, seconds)
    tau_transfer, recall_transfer, _ = (
        ranking(features, seconds, prior) if prior is not None else (None, None, None)
    )
    again = {
        int(i): t
        for i, t in pool["again"].items()
        if t is not None and np.isfinite(seconds[int(i)])
    }
    ceiling = (
        kendalltau([seconds[i] for i in again], list(again.values())).statistic if again else None
    )

    rng = np.random.default_rng(1)
    # Steady state: once the search has met the space's structures (a thousand candidates
    # here), features come from trip-count formulas, not the interpreter.
    featurizer.matrix([space.sample(rng) for _ in range(1024)])
    fresh, others = ([space.sample(rng) for _ in range(128)] for _ in range(2))
    # As the search asks (provisional features: no interpreter for a structure not read
    # yet), then exact (each new structure read) for 128 others (a candidate's exact
    # features are kept), in CPU seconds too: the machine is shared.
    start, cpu = time.perf_counter(), time.process_time()
    provisional = model.predict(featurizer.matrix(fresh, provisional=True))
    warm, warm_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    model.predict(featurizer.matrix(others))
    exact_s, exact_cpu = time.perf_counter() - start, time.process_time() - cpu
    agreement = kendalltau(provisional, model.predict(featurizer.matrix(fresh))).statistic

    found = {
        "name": name,
        "task": task.describe(),
        "size": space.size(),
        "pool": len(seconds),
        "errors": pool["errors"],
        "measuring_s": pool["measuring_s"],
        "default_ms": seconds[0] * 1e3,
        "best_ms": seconds[best] * 1e3,
        "best_config": pool_configs[best],
        "guided": guided,
        "transferred": transferred,
        "random": randoms,
        "guided_top": guided_top,
        "random_top": random_top,
        "settled": pool.get("settled"),
        "tau": tau,
        "recall": recall,
        "tau_transfer": tau_transfer,
        "recall_transfer": recall_transfer,
        "tau_ceiling": ceiling,
        "remeasured": len(again),
        "predict_warm_ms": warm / 128 * 1e3,
        "predict_warm_cpu_ms": warm_cpu / 128 * 1e3,
        "predict_exact_ms": exact_s / 128 * 1e3,
        "predict_exact_cpu_ms": exact_cpu / 128 * 1e3,
        "provisional_tau": agreement,
        "predict_cold_ms": cold * 1e3,
    }
    if args.no_tuning:
        return found
    states = make_states([task], target, seed=0)
    start = time.perf_counter()
    with LocalPool(str(target), min_seconds=args.min_seconds) as runner:
        tune(states, runner, Log.open(log_path), trials=args.trials, batch=32)
    tuning = time.perf_counter() - start
    return found | {
        "tuning_s": tuning,
        "tuned_default_ms": states[0].default_seconds * 1e3,
        "tuned_best_ms": states[0].best_seconds * 1e3,
        "tuned_config": states[0].best_config,
        "tuned_errors": states[0].errors,
    }


def median(values):
    return f"{np.median(values):.0f}" if values else "-"


def number(value):
    return f"{value:.2f}" if value is not None else "-"


def worker(runtime, name, target, log):
    kernel = KERNELS[name]()
    xs = kernel.inputs(np.random.default_rng(0))
    out = np.zeros(kernel.output, np.float32)
    if runtime == "tuned":
        import ziggurat

        main = ziggurat.compile(kernel.onnx(), target=target, tuning_log=log).main
        run = lambda: main(*xs, out)  # noqa: E731
    else:
        run = prepare(runtime, kernel, xs, out, target)
    serve_checked(kernel, xs, out, run)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool-size", type=int, default=160)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--min-seconds", type=float, default=0.05)
    parser.add_argument("--target", default="cpu")
    parser.add_argument("--kernel", choices=CHOSEN, action="append")
    parser.add_argument("--pools", help="keep the measured pools in this folder, and reuse them")
    parser.add_argument(
        "--no-siblings", action="store_true", help="transfer without the sibling convolution"
    )
    parser.add_argument(
        "--no-tuning",
        action="store_true",
        help="stop after the prediction cost (step 4): no tuning run, no GFLOP/s",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.kernel[0], args.target, args.log)
        return
    from peak import describe

    header, _ = describe(args.target)
    print(header, flush=True)
    log_path = Path(tempfile.mkdtemp()) / "tuning.jsonl"
    from ziggurat.targets.target import target_named
    from ziggurat.tuner.features import Featurizer

    pools = {}
    for name in [*(args.kernel or CHOSEN), *([] if args.no_siblings else SIBLINGS)]:
        task, space, pool = measure_pool(name, args)
        featurizer = Featurizer(task, space, target_named(args.target))
        start = time.perf_counter()
        features = featurizer.matrix(pool["configs"])
        cold = (time.perf_counter() - start) / len(pool["configs"])
        pools[name] = (task, space, pool, featurizer, features, cold)
    for name in args.kernel or CHOSEN:
        found = study(name, args, log_path, pools)
        print(json.dumps(found, default=float), flush=True)
        print(
            f"{name}: space {found['size']}, pool {found['pool']} measured in "
            f"{found['measuring_s']:.0f} s ({found['errors']} failed); default "
            f"{found['default_ms']:.4f} ms, best {found['best_ms']:.4f} ms\n"
            f"  trials to 95% of the best: model {np.median(found['guided']):.0f} "
            f"{found['guided']}, model with transfer {median(found['transferred'])} "
            f"{found['transferred']}, random {np.median(found['random']):.0f} {found['random']}\n"
            f"  trials to one of the 5 fastest but the default: model "
            f"{np.median(found['guided_top']):.0f} {found['guided_top']}, random "
            f"{np.median(found['random_top']):.0f} {found['random_top']}\n"
            f"  held-out ranking: Kendall tau {found['tau']:.2f}, top-10 recall "
            f"{found['recall']:.1f}; with transfer tau {number(found['tau_transfer'])}, recall "
            f"{number(found['recall_transfer'])}; two measurements of {found['remeasured']} "
            f"held-out candidates agree to tau {number(found['tau_ceiling'])}\n"
            f"  prediction {found['predict_warm_ms']:.3f} ms per candidate at batch 128 "
            f"({found['predict_warm_cpu_ms']:.3f} ms CPU) as the search asks (provisional); "
            f"exact {found['predict_exact_ms']:.3f} ms ({found['predict_exact_cpu_ms']:.3f} ms "
            f"CPU), the two scores agree to tau {found['provisional_tau']:.2f}; "
            f"{found['predict_cold_ms']:.2f} ms cold",
            flush=True,
        )
        if args.no_tuning:
            continue
        print(
            f"  tuning {args.trials} trials: {found['tuning_s']:.0f} s, default "
            f"{found['tuned_default_ms']:.4f} ms, tuned {found['tuned_best_ms']:.4f} ms "
            f"({found['tuned_errors']} failed) {found['tuned_config']}",
            flush=True,
        )
        runtimes = ["default", "tuned", "numpy", "onnxruntime"]
        workers = [
            Worker(
                runtime,
                [
                    __file__,
                    "--worker",
                    runtime,
                    "--kernel",
                    name,
                    "--target",
                    args.target,
                    "--log",
                    str(log_path),
                ],
                dict(os.environ),
            )
            for runtime in runtimes
        ]
        times = measure(workers, args.rounds, args.runs)
        flops = KERNELS[name]().flops
        rates = {r: flops / times[r] / 1e9 for r in runtimes}
        print(
            "  GFLOP/s: "
            + ", ".join(f"{r} {rates[r]:.1f}" for r in runtimes)
            + f"; tuned/onnxruntime {rates['tuned'] / rates['onnxruntime']:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
