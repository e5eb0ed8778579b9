"""What the default stack's top could be: other combiners of the same fits.

For each outer fold of ``bench_autogluon.py`` (same data, same folds, same
``random_state=fold``) the default stack is fitted once; its out-of-fold
features (``fit_transform``) and the test rows' features (``transform``)
are then combined in other ways, each fitted on the training rows' features
and scored on the test rows:

- selection, both layers: ensemble selection over the first and second
  layers' out-of-fold predictions (the default line-up's top from 1000
  training rows);
- selection, first layer / second layer: over one layer's columns only
  (the second: the line-up's top below 1000 rows);
- row-bootstrapped selection: the mean of the selection weights over 20
  bootstrap samples of the rows;
- linear, both layers / first layer: scikit-learn's final estimators
  (LogisticRegression, RidgeCV) over those columns (an approximation of
  scikit-learn's stack: the features are the line-up's fold-bagged
  predictions, and a binary member gives one probability column);
- cross-validated choice: selection over both layers, or the linear top
  over the first layer where an inner 5-fold cross-validation of the two
  on the first layer's out-of-fold predictions (which no second layer
  flatters) scores the linear top better;
- holdout check (``--holdout-check``, one more stack fit per fold, on 8/9
  of the training rows): the selection over both layers or over the first
  layer, whichever scores better on the other 1/9 (a tie keeps both), as
  AutoGluon's dynamic stacking decides whether to stack.

With ``--reference`` (a ``bench_autogluon.py --output`` JSON with the same
``--folds``; its first repeat is these folds) each line also gives the mean
paired difference to scikit-learn's stacking and to AutoGluon on those
folds. RMSE (regression) or log-loss
(classification), lower is better.

    python benchmarks/bench_top_combiner.py [--datasets wine diabetes]
        [--folds 5] [--time-limit 60] [--n-jobs 2] [--holdout-check]
        [--reference benchmarks/results/autogluon_2026-12-05.json]
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine  # noqa: E402
from bench_autogluon import DATASETS  # noqa: E402

from ensembles import StackingClassifier, StackingRegressor  # noqa: E402
from ensembles._selection import (  # noqa: E402
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
)


def _bagged(selection, F, y, n_bags, seed):
    """``selection`` fitted on F, its weights the mean over ``n_bags``
    bootstrap samples of the rows."""
    rng = np.random.RandomState(seed)
    weights = []
    for _ in range(n_bags):
        counts = np.bincount(rng.randint(len(y), size=len(y)), minlength=len(y))
        weights.append(clone(selection).fit(F, y, sample_weight=counts).weights_)
    model = clone(selection).fit(F, y)
    model.weights_ = np.mean(weights, axis=0)
    return model


def _fitted_stack(regression, X, y, fold, args):
    stack = StackingRegressor if regression else StackingClassifier
    # Every layer's columns, whatever the line-up's top takes: the layers'
    # fits do not depend on it.
    model = stack(
        final_input="all_layers",
        time_limit=args.time_limit,
        n_jobs=args.n_jobs,
        random_state=fold,
    )
    F = np.asarray(model.fit_transform(X, y), dtype=float)
    n_first = sum(member._n_columns for member in model._member_layers()[0])
    return model, F, n_first


def run(name, args, reference):
    task, load = DATASETS[name]
    regression = task == "regression"
    X, y = load()
    y = np.asarray(y)
    take = (lambda rows: X.iloc[rows]) if isinstance(X, pd.DataFrame) else X.__getitem__
    split = (KFold if regression else StratifiedKFold)(
        args.folds, shuffle=True, random_state=0
    )
    if regression:
        selection = EnsembleSelectionRegressor(ensemble_size=40)
        linear = RidgeCV()
    else:
        selection = EnsembleSelectionClassifier(ensemble_size=40)
        linear = LogisticRegression(max_iter=1000)
    scores = {}
    for fold, (train, test) in enumerate(split.split(X, y)):
        labels = np.unique(y[train])

        def loss(model, A, target):
            if regression:
                return mean_squared_error(target, model.predict(A)) ** 0.5
            return log_loss(target, model.predict_proba(A), labels=labels)

        model, F, n1 = _fitted_stack(regression, take(train), y[train], fold, args)
        T = np.asarray(model.transform(take(test)), dtype=float)
        first, second = slice(0, n1), slice(n1, None)
        combiners = {
            "selection, both layers": (selection, slice(None)),
            "selection, first layer": (selection, first),
            "selection, second layer": (selection, second),
            "linear, both layers": (linear, slice(None)),
            "linear, first layer": (linear, first),
        }
        if n1 == F.shape[1]:  # a time limit left the second layer out
            del combiners["selection, second layer"]
        fold_scores = {}
        for label, (combiner, columns) in combiners.items():
            fitted = clone(combiner).fit(F[:, columns], y[train])
            fold_scores[label] = loss(fitted, T[:, columns], y[test])
        bagged = _bagged(selection, F, y[train], 20, fold)
        fold_scores["row-bootstrapped selection"] = loss(bagged, T, y[test])
        inner = (KFold if regression else StratifiedKFold)(
            5, shuffle=True, random_state=fold
        )
        scoring = "neg_root_mean_squared_error" if regression else "neg_log_loss"
        inner_scores = [
            cross_val_score(combiner, F[:, first], y[train], cv=inner, scoring=scoring)
            for combiner in (selection, linear)
        ]
        linear_wins = np.mean(inner_scores[1]) > np.mean(inner_scores[0])
        fold_scores["cross-validated choice"] = fold_scores[
            "linear, first layer" if linear_wins else "selection, both layers"
        ]
        if args.holdout_check:
            fit_rows, check_rows = train_test_split(
                train,
                test_size=1 / 9,
                random_state=fold,
                stratify=None if regression else y[train],
            )
            check, F_fit, n1_fit = _fitted_stack(
                regression, take(fit_rows), y[fit_rows], fold, args
            )
            H = np.asarray(check.transform(take(check_rows)), dtype=float)
            both = clone(selection).fit(F_fit, y[fit_rows])
            alone = clone(selection).fit(F_fit[:, :n1_fit], y[fit_rows])
            stacked_overfits = loss(alone, H[:, :n1_fit], y[check_rows]) < loss(
                both, H, y[check_rows]
            )
            fold_scores["holdout check"] = fold_scores[
                "selection, first layer"
                if stacked_overfits
                else "selection, both layers"
            ]
        for label, value in fold_scores.items():
            scores.setdefault(label, []).append(value)

    metric = "RMSE" if regression else "log-loss"
    print(f"\n# {name}: {X.shape[0]} x {X.shape[1]}, {metric} (lower is better)")
    for label, values in scores.items():
        values = np.array(values)
        se = values.std(ddof=1) / np.sqrt(len(values))
        line = f"{label:<30} {values.mean():.4f} +- {se:.4f}"
        for rival in ("sklearn_stacking", "autogluon"):
            theirs = [reference.get((name, rival, fold)) for fold in range(len(values))]
            if None in theirs:
                continue
            paired = values - np.array(theirs)
            paired_se = paired.std(ddof=1) / np.sqrt(len(paired))
            line += f"   vs {rival} {paired.mean():+.4f} +- {paired_se:.4f}"
        print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=list(DATASETS),
        default=["wine", "breast_cancer", "diabetes", "iris"],
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--holdout-check", action="store_true")
    parser.add_argument("--reference", help="a bench_autogluon.py --output JSON")
    args = parser.parse_args()
    reference = {}
    if args.reference:
        with open(args.reference) as file:
            earlier = json.load(file)
        if earlier["folds"] != args.folds:
            parser.error("--reference needs the same --folds")
        for record in earlier["results"]:
            if record["status"] == "ok" and record["fold"] < args.folds:
                key = (record["dataset"], record["system"], record["fold"])
                reference[key] = record.get("rmse", record.get("log_loss"))
    warnings.filterwarnings("ignore", category=UserWarning)
    print(f"# The default stack's top, other combiners: {machine()}")
    print(
        f"# {args.folds} outer folds, time limit {args.time_limit:g}s, "
        f"n_jobs={args.n_jobs}"
    )
    for name in args.datasets:
        run(name, args, reference)


if __name__ == "__main__":
    main()
