"""Boosting: ensembles.Boosting* against sklearn's GradientBoosting*, and LightGBM.

Regression: make_friedman1 (noise=1.0), depth-3 trees, learning_rate 0.1.
Classification: sklearn's digits (10 classes), depth-3 trees, n_jobs=1.
Timed side by side in alternation; prints medians and ratios (ours / sklearn's),
test errors (and log-loss for classification), and LightGBM's time and error
on the same data for reference.

    python benchmarks/bench_boosting.py [--n-samples 20000] [--n-estimators 100]
"""

import argparse
import os
import sys

import numpy as np
from lightgbm import LGBMRegressor
from sklearn.datasets import load_digits, make_friedman1
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine, report, time_alternating  # noqa: E402

from ensembles import BoostingClassifier, BoostingRegressor  # noqa: E402


def mse(model, X, y):
    return float(np.mean((model.predict(X) - y) ** 2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-estimators", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    stages = args.n_estimators
    print(f"# boosting benchmark: {machine()}")
    print(f"# median of {args.repeats} alternating runs; {stages} stages, depth 3")

    # -- regression ---------------------------------------------------------
    X, y = make_friedman1(n_samples=args.n_samples, noise=1.0, random_state=0)
    X_test, y_test = make_friedman1(n_samples=10000, noise=1.0, random_state=1)
    print(f"\n## regression: make_friedman1 n_samples={args.n_samples}, noise=1.0")
    ours = BoostingRegressor(
        DecisionTreeRegressor(max_depth=3), n_estimators=stages, random_state=0
    )
    theirs = GradientBoostingRegressor(n_estimators=stages, max_depth=3, random_state=0)
    lgbm = LGBMRegressor(
        n_estimators=stages,
        max_depth=3,
        num_leaves=8,
        learning_rate=0.1,
        verbose=-1,
        random_state=0,
    )
    times = time_alternating(
        {
            "ours": lambda: ours.fit(X, y),
            "sklearn": lambda: theirs.fit(X, y),
            "lightgbm": lambda: lgbm.fit(X, y),
        },
        args.repeats,
    )
    report("fit", times["ours"], times["sklearn"], 1.15)
    fit_lgbm = times["lightgbm"]
    times = time_alternating(
        {
            "ours": lambda: ours.predict(X_test),
            "sklearn": lambda: theirs.predict(X_test),
            "lightgbm": lambda: lgbm.predict(X_test),
        },
        args.repeats,
    )
    report("predict", times["ours"], times["sklearn"], 2.0)
    print(
        f"test MSE: ours {mse(ours, X_test, y_test):.4f}, "
        f"sklearn {mse(theirs, X_test, y_test):.4f}, "
        f"lightgbm {mse(lgbm, X_test, y_test):.4f} "
        f"(noise variance 1.0)"
    )
    print(f"lightgbm: fit {fit_lgbm:.3f}s, predict {times['lightgbm']:.3f}s")

    # -- classification -----------------------------------------------------
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    print(f"\n## classification: digits, {len(X_train)} train / {len(X_test)} test")
    ours = BoostingClassifier(
        DecisionTreeRegressor(max_depth=3),
        n_estimators=stages,
        n_jobs=1,
        random_state=0,
    )
    theirs = GradientBoostingClassifier(
        n_estimators=stages, max_depth=3, random_state=0
    )
    times = time_alternating(
        {
            "ours": lambda: ours.fit(X_train, y_train),
            "sklearn": lambda: theirs.fit(X_train, y_train),
        },
        args.repeats,
    )
    report("fit n_jobs=1", times["ours"], times["sklearn"], 1.3)
    ours_acc, theirs_acc = ours.score(X_test, y_test), theirs.score(X_test, y_test)
    print(
        f"test accuracy: ours {ours_acc:.4f}, sklearn {theirs_acc:.4f} "
        f"(difference {100 * (ours_acc - theirs_acc):+.2f} points; "
        f"target >= -1.00: {'met' if ours_acc >= theirs_acc - 0.01 else 'NOT met'})"
    )
    ours_loss = log_loss(y_test, ours.predict_proba(X_test))
    theirs_loss = log_loss(y_test, theirs.predict_proba(X_test))
    print(f"test log-loss: ours {ours_loss:.4f}, sklearn {theirs_loss:.4f}")


if __name__ == "__main__":
    main()
