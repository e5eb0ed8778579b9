"""Bagging: ensembles.BaggingRegressor against sklearn.ensemble.BaggingRegressor.

Same data, same members (DecisionTreeRegressor), same random_state, timed
side by side in alternation; prints medians and ratios (ours / sklearn's).

    python benchmarks/bench_bagging.py [--n-samples 20000] [--n-estimators 100]
"""

import argparse
import os
import sys

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.ensemble import BaggingRegressor as SkBaggingRegressor
from sklearn.tree import DecisionTreeRegressor

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine, report, time_alternating  # noqa: E402

from ensembles import BaggingRegressor  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-estimators", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--n-jobs",
        type=int,
        nargs="+",
        default=[1, 2],
        help="worker counts to compare (e.g. 1 2 16)",
    )
    args = parser.parse_args()

    X, y = make_friedman1(n_samples=args.n_samples, noise=1.0, random_state=0)
    X_test, _ = make_friedman1(n_samples=args.n_samples, noise=1.0, random_state=1)
    print(f"# bagging benchmark: {machine()}")
    print(
        f"# make_friedman1 n_samples={args.n_samples}, noise=1.0; "
        f"{args.n_estimators} DecisionTreeRegressor members; "
        f"median of {args.repeats} alternating runs"
    )

    fit_times = {}
    targets = {1: 1.05, 2: 0.75}
    for n_jobs in args.n_jobs:
        params = dict(
            estimator=DecisionTreeRegressor(),
            n_estimators=args.n_estimators,
            n_jobs=n_jobs,
            random_state=0,
        )
        ours, theirs = BaggingRegressor(**params), SkBaggingRegressor(**params)
        times = time_alternating(
            {"ours": lambda: ours.fit(X, y), "sklearn": lambda: theirs.fit(X, y)},
            args.repeats,
        )
        fit_times[n_jobs] = times
        report(
            f"fit     n_jobs={n_jobs}",
            times["ours"],
            times["sklearn"],
            targets.get(n_jobs),
        )
        np.testing.assert_allclose(ours.predict(X_test), theirs.predict(X_test))

        times = time_alternating(
            {
                "ours": lambda: ours.predict(X_test),
                "sklearn": lambda: theirs.predict(X_test),
            },
            args.repeats,
        )
        report(f"predict n_jobs={n_jobs}", times["ours"], times["sklearn"], 1.0)

    base = min(args.n_jobs)
    for n_jobs in args.n_jobs:
        if n_jobs == base:
            continue
        ours = fit_times[base]["ours"] / fit_times[n_jobs]["ours"]
        theirs = fit_times[base]["sklearn"] / fit_times[n_jobs]["sklearn"]
        print(
            f"fit speed-up n_jobs={n_jobs} over n_jobs={base}: "
            f"ours {ours:.2f}x, sklearn {theirs:.2f}x"
        )


if __name__ == "__main__":
    main()
