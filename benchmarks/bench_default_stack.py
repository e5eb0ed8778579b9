"""The default stack's design choices, each against its alternative.

``StackingRegressor()`` / ``StackingClassifier()`` (the default line-up)
against the same line-up with one choice turned the other way:

- ``oof_from_oob=False``: the forests give k-fold out-of-fold predictions
  instead of out-of-bag ones (the measured effect of the approximation);
- ``refit=True``: every member predicts with a refit on all rows instead
  of its fold models;
- ``final_input="last_layer"``: ensemble selection over the second layer
  only instead of both layers;
- a linear final estimator (RidgeCV, LogisticRegression: scikit-learn's
  defaults) over both layers instead of ensemble selection.

Each is fitted on the training rows of the same outer folds (shuffled,
random_state=0) and scored on their test rows: RMSE (regression) or
log-loss (classification), mean +- standard error, with the mean paired
difference to the default; fit time is the median over the folds, and its
ratio to the default's.

    python benchmarks/bench_default_stack.py [--datasets friedman1 diabetes]
        [--folds 3] [--n-jobs 2] [--time-limit 60]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_wine,
    make_friedman1,
)
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine  # noqa: E402

from ensembles import StackingClassifier, StackingRegressor  # noqa: E402

DATASETS = {
    "friedman1": lambda: make_friedman1(n_samples=1000, noise=1.0, random_state=0),
    "diabetes": lambda: load_diabetes(return_X_y=True),
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
}
REGRESSION = {"friedman1", "diabetes"}
VARIANTS = {
    "default": {},
    "oof_from_oob=False": {"oof_from_oob": False},
    "refit=True": {"refit": True},
    "final_input=last_layer": {"final_input": "last_layer"},
    # scikit-learn's final estimators, over both layers.
    "linear final": {"final_estimator": "linear"},
}


def _params(variant, regression):
    params = dict(VARIANTS[variant])
    if params.get("final_estimator") == "linear":
        params["final_estimator"] = (
            RidgeCV() if regression else LogisticRegression(max_iter=1000)
        )
    return params


def _score(model, X, y, regression):
    if regression:
        return mean_squared_error(y, model.predict(X)) ** 0.5
    return log_loss(y, model.predict_proba(X), labels=model.classes_)


def run(name, folds, n_jobs, time_limit):
    X, y = DATASETS[name]()
    regression = name in REGRESSION
    stack = StackingRegressor if regression else StackingClassifier
    splitter = (KFold if regression else StratifiedKFold)(
        folds, shuffle=True, random_state=0
    )
    scores = {variant: [] for variant in VARIANTS}
    times = {variant: [] for variant in VARIANTS}
    for fold, (train, test) in enumerate(splitter.split(X, y)):
        for variant in VARIANTS:
            params = _params(variant, regression)
            model = stack(
                n_jobs=n_jobs, random_state=fold, time_limit=time_limit, **params
            )
            start = time.perf_counter()
            model.fit(X[train], y[train])
            times[variant].append(time.perf_counter() - start)
            scores[variant].append(_score(model, X[test], y[test], regression))
    metric = "RMSE" if regression else "log-loss"
    print(f"\n# {name}: {X.shape[0]} x {X.shape[1]}, {metric} (lower is better)")
    base, base_time = np.array(scores["default"]), statistics.median(times["default"])
    for variant in VARIANTS:
        values = np.array(scores[variant])
        se = values.std(ddof=1) / np.sqrt(len(values))
        paired = values - base
        paired_se = paired.std(ddof=1) / np.sqrt(len(paired))
        seconds = statistics.median(times[variant])
        print(
            f"{variant:<24} {metric} {values.mean():.4f} +- {se:.4f}   "
            f"vs default {paired.mean():+.4f} +- {paired_se:.4f}   "
            f"fit {seconds:6.1f}s ({seconds / base_time:.2f}x)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--time-limit", type=float, default=None, help="seconds per fit (default none)"
    )
    args = parser.parse_args()
    limit = "none" if args.time_limit is None else f"{args.time_limit:g}s"
    print(
        f"# The default stack's choices: {machine()}, {args.folds} outer folds, "
        f"time limit {limit}, n_jobs={args.n_jobs}"
    )
    for name in args.datasets:
        run(name, args.folds, args.n_jobs, args.time_limit)


if __name__ == "__main__":
    main()
