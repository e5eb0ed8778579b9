"""The default stack's design choices, each against its alternative.

``StackingRegressor()`` / ``StackingClassifier()`` (the default line-up)
against the same line-up with one choice turned the other way:

- ``oof_from_oob=False``: the forests give k-fold out-of-fold predictions
  instead of out-of-bag ones (the measured effect of the approximation);
- ``refit=True``: every member predicts with a refit on all rows instead
  of its fold models;
- ``final_input="last_layer"`` / ``"all_layers"``: ensemble selection
  over the second layer only, or over both layers (the line-up's choice is
  both from 1000 training rows, the second below);
- a linear final estimator (RidgeCV, LogisticRegression: scikit-learn's
  defaults) over both layers instead of ensemble selection;
- ``passthrough=True``: the second layer also sees X (skip connections);
- ``n_repeats=6``: twice the line-up's repeats below 1000 rows;
- the first layer only: the line-up's first layer, folds, repeats and
  ensemble selection, without its second layer.

Each is fitted on the training rows of the same outer folds (shuffled,
random_state=0) and scored on their test rows: RMSE (regression) or
log-loss (classification), mean +- standard error, with the mean paired
difference to the default; fit time is the median over the folds, and its
ratio to the default's.

    python benchmarks/bench_default_stack.py [--datasets friedman1 caravan]
        [--variants default passthrough=True] [--folds 3] [--n-jobs 2]
        [--time-limit 60]

``--members`` also prints, for each variant, every member's out-of-fold
score (what ensemble selection picks by) beside its score on the test rows,
averaged over the folds: where the first is much better than the second,
the selection is misled (stacked overfitting).

caravan and bikeshare are read from the ISLP wheel (see ``_islp.py``),
as in ``bench_autogluon.py``.
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
from _islp import load_bikeshare, load_caravan  # noqa: E402
from _timing import machine  # noqa: E402

from ensembles import StackingClassifier, StackingRegressor  # noqa: E402
from ensembles._stack_defaults import default_line_up  # noqa: E402

DATASETS = {
    "friedman1": lambda: make_friedman1(n_samples=1000, noise=1.0, random_state=0),
    "diabetes": lambda: load_diabetes(return_X_y=True),
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "caravan": load_caravan,
    "bikeshare": load_bikeshare,
}
# Those bundled with scikit-learn: the default --datasets.
SMALL = ["friedman1", "diabetes", "breast_cancer", "wine"]
REGRESSION = {"friedman1", "diabetes", "bikeshare"}
VARIANTS = {
    "default": {},
    "oof_from_oob=False": {"oof_from_oob": False},
    "refit=True": {"refit": True},
    "final_input=last_layer": {"final_input": "last_layer"},
    "final_input=all_layers": {"final_input": "all_layers"},
    # scikit-learn's final estimators, over both layers.
    "linear final": {"final_estimator": "linear"},
    "passthrough=True": {"passthrough": True},
    "n_repeats=6": {"n_repeats": 6},
    # The line-up's first layer and top selection alone, no second layer:
    # what a held-out check of the second layer could fall back to.
    "first layer only": {"estimators": "first layer"},
}


def _params(variant, regression, X):
    params = dict(VARIANTS[variant])
    if params.get("estimators") == "first layer":
        line_up = default_line_up(X, classifier=not regression)
        params.update(
            estimators=line_up.layers[0],
            final_estimator=line_up.final_estimator,
            cv=line_up.cv,
            n_repeats=line_up.n_repeats,
            oof_from_oob=True,
            refit=False,
        )
    if params.get("final_estimator") == "linear":
        params["final_estimator"] = (
            RidgeCV() if regression else LogisticRegression(max_iter=1000)
        )
    return params


def _score(model, X, y, regression):
    if regression:
        return mean_squared_error(y, model.predict(X)) ** 0.5
    return log_loss(y, model.predict_proba(X), labels=model.classes_)


def _member_scores(model, features, X_test, y_train, y_test, regression):
    """{member: (out-of-fold score, test score)} for every member whose
    output the final estimator gets; ``features`` is ``fit_transform``'s."""
    combined = model._combined_members(X_test)
    test_features = model.transform(X_test)
    scores, start = {}, 0
    for member, _ in combined:
        columns = slice(start, start + member._n_columns)
        start = columns.stop
        pair = []
        for block, target in ((features, y_train), (test_features, y_test)):
            block = np.asarray(block[:, columns], dtype=float)
            if regression:
                pair.append(mean_squared_error(target, block[:, 0]) ** 0.5)
                continue
            if block.shape[1] == 1:  # two classes: the second's probability
                block = np.column_stack([1 - block[:, 0], block[:, 0]])
            pair.append(log_loss(target, block, labels=model.classes_))
        scores[f"{member.name}"] = tuple(pair)
    return scores


def run(name, variants, folds, n_jobs, time_limit, members=False):
    X, y = DATASETS[name]()
    take = X.iloc.__getitem__ if hasattr(X, "iloc") else X.__getitem__
    regression = name in REGRESSION
    stack = StackingRegressor if regression else StackingClassifier
    splitter = (KFold if regression else StratifiedKFold)(
        folds, shuffle=True, random_state=0
    )
    scores = {variant: [] for variant in variants}
    times = {variant: [] for variant in variants}
    by_member = {variant: {} for variant in variants}
    for fold, (train, test) in enumerate(splitter.split(X, y)):
        for variant in variants:
            params = _params(variant, regression, take(train))
            model = stack(
                n_jobs=n_jobs, random_state=fold, time_limit=time_limit, **params
            )
            start = time.perf_counter()
            features = model.fit_transform(take(train), y[train])
            times[variant].append(time.perf_counter() - start)
            scores[variant].append(_score(model, take(test), y[test], regression))
            if members:
                pairs = _member_scores(
                    model, features, take(test), y[train], y[test], regression
                )
                for member, pair in pairs.items():
                    by_member[variant].setdefault(member, []).append(pair)
    metric = "RMSE" if regression else "log-loss"
    print(f"\n# {name}: {X.shape[0]} x {X.shape[1]}, {metric} (lower is better)")
    base, base_time = np.array(scores["default"]), statistics.median(times["default"])
    for variant in variants:
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
    for variant in variants if members else ():
        print(f"\n{variant}: {metric} of each member, mean over the folds")
        print(f"  {'member':<16} {'out-of-fold':>12} {'test':>9} {'gap':>8}")
        for member, pairs in by_member[variant].items():
            oof, test_score = np.mean(pairs, axis=0)
            print(
                f"  {member:<16} {oof:12.4f} {test_score:9.4f} {test_score - oof:+8.4f}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=SMALL)
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=list(VARIANTS),
        help="the default is always run: the others are measured against it",
    )
    parser.add_argument(
        "--members",
        action="store_true",
        help="also each member's out-of-fold and test scores",
    )
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
    variants = ["default"] + [v for v in args.variants if v != "default"]
    for name in args.datasets:
        run(name, variants, args.folds, args.n_jobs, args.time_limit, args.members)


if __name__ == "__main__":
    main()
