"""Command line: ``python -m ensembles`` (or ``ensembles``).

For now a short demonstration of bagging on a bundled data set: a single
deep tree against bagged deep trees, with the out-of-bag estimate and the
members' spread as an uncertainty estimate.
"""

import argparse
import sys
import time

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

from . import BaggingRegressor


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="ensembles",
        description="Bagging demo: one deep tree against bagged deep trees "
        "on scikit-learn's bundled diabetes data.",
    )
    parser.add_argument("--n-estimators", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)
    if args.n_estimators < 1:
        parser.error("--n-estimators must be at least 1")
    return args


def main(argv=None):
    args = _parse(argv)
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=args.random_state
    )
    tree = DecisionTreeRegressor(random_state=args.random_state)
    bagging = BaggingRegressor(
        tree,
        n_estimators=args.n_estimators,
        oob_score=True,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
    )
    rows = []
    for name, model in [("deep tree", tree), ("bagged deep trees", bagging)]:
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        mse = mean_squared_error(y_test, model.predict(X_test))
        rows.append((name, mse, seconds))

    print(f"diabetes: {len(X_train)} training rows, {len(X_test)} test rows\n")
    print(f"{'model':<20} {'test MSE':>10} {'fit (s)':>8}")
    for name, mse, seconds in rows:
        print(f"{name:<20} {mse:>10.1f} {seconds:>8.2f}")
    _, std = bagging.predict(X_test, return_std=True)
    change = 100 * (rows[1][1] / rows[0][1] - 1)
    print(
        f"\nbagging: test MSE {change:+.0f} % against the single tree; "
        f"out-of-bag R2 {bagging.oob_score_:.3f}; "
        f"members' spread (mean std) {np.mean(std):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
