"""A model, not a measurement: the stacking fit speed-up that many workers
allow, from task durations measured on this machine.

For the speed benchmark's stack (make_friedman1, members deep tree, KNN,
RidgeCV and GradientBoosting(40), cv=5) every (member, fold) fit and the
refit of each member are timed one at a time. The fit time on W workers is
then modelled as the serial remainder plus the makespan of the schedule:

- ours: all (member, fold) fits of the layer as one batch, the member with
  the longest total first (as ``parallel_map`` does with ``groups``), each
  fit going to the first free worker;
- scikit-learn's StackingRegressor: ``cross_val_predict`` member after
  member, each parallel over its folds, then every member refit on all rows
  in parallel.

The model leaves out what more workers cost: memory bandwidth shared by the
workers, lower clock speeds with many cores busy, process start-up and data
transfer. Its speed-ups are upper bounds; they say whether the schedule
permits a target, not that a machine reaches it.

    python benchmarks/model_stacking_scaling.py [--n-samples 10000] [--workers 2 16]
"""

import argparse
import heapq
import os
import statistics
import sys
import time

from sklearn import ensemble as sk_ensemble
from sklearn.base import clone
from sklearn.datasets import make_friedman1
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine, time_alternating  # noqa: E402

from ensembles import StackingRegressor  # noqa: E402


def _members():
    return [
        ("tree", DecisionTreeRegressor(random_state=0)),
        ("knn", KNeighborsRegressor()),
        ("ridge", RidgeCV()),
        ("gb", GradientBoostingRegressor(n_estimators=40, random_state=0)),
    ]


def _timed(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _makespan(groups, n_workers):
    """Finish time of ``groups`` (lists of task durations), handed out group
    by group, longest group first, each task to the first free worker."""
    free_at = [0.0] * n_workers
    for group in sorted(groups, key=sum, reverse=True):
        for duration in group:
            start = heapq.heappop(free_at)
            heapq.heappush(free_at, start + duration)
    return max(free_at)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=10000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 16])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = make_friedman1(n_samples=args.n_samples, noise=1.0, random_state=0)
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))

    print(f"# stacking scaling model: {machine()}")
    print(
        f"make_friedman1 n_samples={args.n_samples}; members tree, knn, ridgecv, "
        "gb(40); cv=5; durations are medians of "
        f"{args.repeats} runs, one task at a time"
    )
    folds, refits = {}, {}
    for name, member in _members():

        def fold_task(train, test, member=member):
            clone(member).fit(X[train], y[train]).predict(X[test])

        folds[name] = [
            _timed(lambda t=train, s=test: fold_task(t, s), args.repeats)
            for train, test in splits
        ]
        refits[name] = _timed(lambda m=member: clone(m).fit(X, y), args.repeats)
        print(
            f"  {name:<6} folds {' '.join(f'{t:.3f}' for t in folds[name])}s"
            f"  refit {refits[name]:.3f}s"
        )

    # The fold-averaging stack: the folds only, as the model above assumes.
    ours = StackingRegressor(_members(), cv=5, refit=False, n_jobs=1, random_state=0)
    theirs = sk_ensemble.StackingRegressor(_members(), cv=5, n_jobs=1)
    whole = time_alternating(
        {"ours": lambda: ours.fit(X, y), "sklearn": lambda: theirs.fit(X, y)},
        args.repeats,
    )
    # What the model's tasks do not cover: validation, the final estimator,
    # transforms and joblib's own work, timed as the rest of a serial fit.
    ours_tasks = sum(sum(times) for times in folds.values())
    theirs_tasks = ours_tasks + sum(refits.values())
    ours_rest = max(whole["ours"] - ours_tasks, 0.0)
    theirs_rest = max(whole["sklearn"] - theirs_tasks, 0.0)
    print(
        f"serial fit: ours {whole['ours']:.3f}s (rest {ours_rest:.3f}s), "
        f"sklearn {whole['sklearn']:.3f}s (rest {theirs_rest:.3f}s)"
    )
    print(f"{'workers':>8} {'ours':>14} {'sklearn':>14}   modelled fit speed-up")
    for n_workers in args.workers:
        ours_time = ours_rest + _makespan(list(folds.values()), n_workers)
        # sklearn: one member's folds at a time, then the refits together.
        per_member = [_makespan([[t] for t in ts], n_workers) for ts in folds.values()]
        refit_all = _makespan([[t] for t in refits.values()], n_workers)
        theirs_time = theirs_rest + sum(per_member) + refit_all
        print(
            f"{n_workers:>8} {whole['ours'] / ours_time:>13.2f}x "
            f"{whole['sklearn'] / theirs_time:>13.2f}x"
        )
    longest = max(max(times) for times in folds.values())
    print(
        f"bound for ours: {whole['ours'] / (ours_rest + longest):.2f}x "
        "(the longest single fit, after the serial rest)"
    )


if __name__ == "__main__":
    main()
