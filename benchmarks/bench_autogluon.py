"""AutoGluon comparison: the default stack against AutoGluon-Tabular,
scikit-learn's stacking and a single LightGBM, by outer cross-validation.

Data: scikit-learn's iris, wine, breast_cancer, digits (classification) and
diabetes (regression) as numpy arrays; make_friedman1 (2000 rows,
noise=1.0); two real tables from the ISLP wheel as pandas frames, mixed
types kept (downloaded once into benchmarks/.data/, see ``_islp.py``):
caravan (5822 x 85, target Purchase Yes/No) and bikeshare (8645 x 12,
target bikers; casual and registered dropped; mnth, hr and weathersit
categorical).

Every system is fitted on the training rows of the same outer folds
(StratifiedKFold / KFold, shuffled, random_state=0) and scored on their
test rows; fit time is the wall clock around ``fit`` alone. ``--repeats R``
repeats the outer folds R times, repeat r shuffled with random_state=r
(the first repeat is the folds above, so ``--reuse`` still matches it);
fold r * k + j is the j-th of repeat r. Repeats overlap, so the standard
errors over them are optimistic; the mean paired difference is what they
sharpen.

- ensembles: ``StackingClassifier/StackingRegressor(time_limit=T,
  n_jobs=N, random_state=fold)``, no estimators: its default line-up.
- sklearn_stacking: scikit-learn's StackingClassifier/StackingRegressor
  with the layer-1 members of that fold's default stack (unfitted, as
  configured), its default final estimator, n_jobs=N. With
  ``--systems sklearn_stacking`` alone, the default stack is still fitted
  (untimed, unreported) to get them.
- lightgbm: one LGBMClassifier/LGBMRegressor, its defaults (verbose=-1,
  n_jobs=N, random_state=fold); pandas categoricals go in natively.
- autogluon: ``TabularPredictor(label, problem_type, eval_metric="log_loss"
  / "root_mean_squared_error", verbosity=0).fit(train,
  presets="best_quality", time_limit=T, num_cpus=N, num_gpus=0,
  excluded_model_types=["NN_TORCH", "FASTAI"])``, everything else
  AutoGluon's defaults, which in 1.6 follow the data size: k-fold bagging
  (8 folds from 80 rows on), stack levels chosen by AutoGluon, with dynamic
  stacking (a sub-fit on a holdout, up to a quarter of the time limit, that
  checks for stacked overfitting); the "zeroshot" model portfolio; a
  weighted ensemble on top. It runs in its own environment
  (``--autogluon-python``, default /tmp/agvenv/bin/python; see
  ``_autogluon_runner.py``), made with ``python3.11 -m venv /tmp/agvenv &&
  /tmp/agvenv/bin/pip install "autogluon.tabular[lightgbm,catboost,xgboost]==1.*"``
  (1.6.3 when written; no torch, no ray: AutoGluon then fits bagged folds
  one after another). The frames travel as parquet files; the fit time is
  AutoGluon's ``fit`` alone, measured in the runner. It overruns the time
  limit slightly (about 10.1-12s at ``--time-limit 10``), and below about
  10s a DyStack sub-fit can train no model and the fit fail.

Prints accuracy and log-loss (classification) or RMSE (regression) and fit
time, mean +- standard error over the outer folds, and per data set the
verdicts: is ensembles at most one AutoGluon standard error behind it on
log-loss / RMSE (with the mean paired difference and its standard error),
better than sklearn_stacking and than lightgbm, and no slower to fit than
AutoGluon.

    python benchmarks/bench_autogluon.py [--datasets iris caravan] [--folds 5]
        [--repeats 1] [--time-limit 60] [--n-jobs 2] [--output results.json]
        [--systems ensembles --reuse results.json]
    python benchmarks/bench_autogluon.py --quick --datasets iris diabetes
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn import ensemble as sk_ensemble
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_friedman1,
)
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, StratifiedKFold

sys.path.insert(0, os.path.dirname(__file__))
from _islp import load_bikeshare, load_caravan  # noqa: E402
from _timing import machine  # noqa: E402

from ensembles import StackingClassifier, StackingRegressor  # noqa: E402
from ensembles._fold_fits import rounds_run, stops_early, with_rounds  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "_autogluon_runner.py")
DEFAULT_AUTOGLUON_PYTHON = "/tmp/agvenv/bin/python"

DATASETS = {
    "iris": ("classification", lambda: load_iris(return_X_y=True)),
    "wine": ("classification", lambda: load_wine(return_X_y=True)),
    "breast_cancer": ("classification", lambda: load_breast_cancer(return_X_y=True)),
    "digits": ("classification", lambda: load_digits(return_X_y=True)),
    "diabetes": ("regression", lambda: load_diabetes(return_X_y=True)),
    "friedman1": (
        "regression",
        lambda: make_friedman1(n_samples=2000, noise=1.0, random_state=0),
    ),
    "caravan": ("classification", load_caravan),
    "bikeshare": ("regression", load_bikeshare),
}
SYSTEMS = ["ensembles", "sklearn_stacking", "lightgbm", "autogluon"]


class Skipped(Exception):
    """A system that cannot run here, with the reason."""


# --------------------------------------------------------------------------
# The systems: each fits on the fold's training rows and returns
# (fit seconds, test predictions as a dict, extra information)
# --------------------------------------------------------------------------
def _fit_timed(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def _predictions(model, X, regression):
    if regression:
        return {"predictions": model.predict(X)}
    return {
        "predictions": model.predict(X),
        "probabilities": model.predict_proba(X),
        "classes": model.classes_,
    }


def _default_stack(fold_data, args, fold):
    stack = StackingRegressor if fold_data["regression"] else StackingClassifier
    model = stack(time_limit=args.time_limit, n_jobs=args.n_jobs, random_state=fold)
    fit_time = _fit_timed(model, fold_data["X_train"], fold_data["y_train"])
    return model, fit_time


def run_ensembles(fold_data, args, fold, context):
    model, fit_time = _default_stack(fold_data, args, fold)
    context["stack"] = model
    try:
        layers = model._member_layers()
        info = {"layer1": [m.name for m in layers[0]], "n_layers": len(layers)}
    except Exception:  # only informative
        info = {}
    X_test = fold_data["X_test"]
    return fit_time, _predictions(model, X_test, fold_data["regression"]), info


def _fixed_rounds(member):
    """A fitted default-stack member's estimator as scikit-learn's stack can
    fit it: a member that stops early on each fold's held-out rows (which
    scikit-learn's stack does not hand it) runs the mean rounds its fold
    models chose instead."""
    estimator = clone(member.estimator)
    if stops_early(estimator) and member.estimators_:
        rounds = np.mean([rounds_run(model) for model in member.estimators_])
        estimator = with_rounds(estimator, max(1, int(round(rounds))))
    return estimator


def run_sklearn_stacking(fold_data, args, fold, context):
    if "stack" not in context and "stack_error" not in context:
        try:  # not benchmarked itself: only its members are wanted
            context["stack"] = _default_stack(fold_data, args, fold)[0]
        except Exception as error:
            context["stack_error"] = _describe(error)
    if context.get("stack") is None:
        why = context["stack_error"]
        raise Skipped(f"no members: the default stack failed ({why})")
    try:
        layers = context["stack"]._member_layers()
        members = [(member.name, _fixed_rounds(member)) for member in layers[0]]
    except Exception as error:
        raise Skipped(f"cannot get the default stack's members ({_describe(error)})")
    stack = (
        sk_ensemble.StackingRegressor
        if fold_data["regression"]
        else sk_ensemble.StackingClassifier
    )
    model = stack(members, n_jobs=args.n_jobs)
    fit_time = _fit_timed(model, fold_data["X_train"], fold_data["y_train"])
    info = {"members": [name for name, _ in members]}
    X_test = fold_data["X_test"]
    return fit_time, _predictions(model, X_test, fold_data["regression"]), info


def run_lightgbm(fold_data, args, fold, context):
    model = LGBMRegressor if fold_data["regression"] else LGBMClassifier
    model = model(verbose=-1, n_jobs=args.n_jobs, random_state=fold)
    fit_time = _fit_timed(model, fold_data["X_train"], fold_data["y_train"])
    X_test = fold_data["X_test"]
    return fit_time, _predictions(model, X_test, fold_data["regression"]), {}


def run_autogluon(fold_data, args, fold, context):
    if args.autogluon_python is None:
        raise Skipped(args.autogluon_missing)
    regression = fold_data["regression"]
    train = _frame(fold_data["X_train"])
    label = "label"
    while label in train.columns:
        label += "_"
    train[label] = fold_data["y_train"]
    n_classes = len(np.unique(fold_data["y_train"]))
    spec = {
        "label": label,
        "problem_type": "regression"
        if regression
        else ("binary" if n_classes == 2 else "multiclass"),
        "eval_metric": "root_mean_squared_error" if regression else "log_loss",
        "time_limit": args.time_limit,
        "num_cpus": args.n_jobs,
        "presets": "best_quality",
        "excluded_model_types": ["NN_TORCH", "FASTAI"],
        # parquet keeps a categorical of integers (bikeshare's hr) as integers
        "categories": {
            column: train[column].cat.categories.tolist()
            for column in train.columns
            if isinstance(train[column].dtype, pd.CategoricalDtype)
        },
    }
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    with tempfile.TemporaryDirectory(prefix="bench_autogluon_") as workdir:
        train.to_parquet(os.path.join(workdir, "train.parquet"), index=False)
        test = _frame(fold_data["X_test"])
        test.to_parquet(os.path.join(workdir, "test.parquet"), index=False)
        with open(os.path.join(workdir, "spec.json"), "w") as file:
            json.dump(spec, file)
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [args.autogluon_python, RUNNER, workdir],
                capture_output=True,
                text=True,
                env=env,
                timeout=max(600, 5 * args.time_limit),
            )
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"the runner did not end in {error.timeout:.0f}s")
        wall = time.perf_counter() - start
        if done.returncode:
            lines = [line.strip() for line in done.stderr.splitlines()]
            cause = [line for line in lines if line][-1:]
            if any("during DyStack sub-fit" in line for line in lines):
                # then AutoGluon 1.6 fails with "Learner is already fit."
                cause.insert(0, "a DyStack sub-fit failed (time limit too short?)")
            exited = f"the runner exited {done.returncode}: "
            raise RuntimeError(exited + "; ".join(cause))
        with open(os.path.join(workdir, "result.json")) as file:
            result = json.load(file)
    outcome = {"predictions": np.asarray(result["predictions"])}
    if not regression:
        outcome["probabilities"] = np.asarray(result["probabilities"])
        outcome["classes"] = result["class_labels"]
    info = {
        "version": result["version"],
        "best_model": result["best_model"],
        "n_models": result["n_models"],
        "runner_wall_time": wall,
    }
    return result["fit_time"], outcome, info


RUN = {
    "ensembles": run_ensembles,
    "sklearn_stacking": run_sklearn_stacking,
    "lightgbm": run_lightgbm,
    "autogluon": run_autogluon,
}


def _frame(X):
    """The rows as a DataFrame with string column names (for parquet)."""
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])


def _describe(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:200]


# --------------------------------------------------------------------------
# Scoring and summaries
# --------------------------------------------------------------------------
def score(outcome, y_test, classes, regression):
    if regression:
        errors = np.asarray(outcome["predictions"], dtype=float) - y_test
        return {"rmse": float(np.sqrt(np.mean(errors**2)))}
    # Labels compared as text: AutoGluon's come back through JSON.
    column = {str(label): j for j, label in enumerate(outcome["classes"])}
    probabilities = outcome["probabilities"][:, [column[str(c)] for c in classes]]
    predicted = np.array([str(label) for label in outcome["predictions"]])
    return {
        "accuracy": float(np.mean(predicted == y_test.astype(str))),
        "log_loss": float(log_loss(y_test, probabilities, labels=classes)),
    }


def mean_se(values):
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float(values.mean()), float("nan")
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


def _cell(values, digits=4):
    if not values:
        return "-"
    mean, se = mean_se(values)
    if np.isnan(se):  # one fold
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} +- {se:.{digits}f}"


def _ok(records, dataset, system):
    return {
        r["fold"]: r
        for r in records
        if r["dataset"] == dataset and r["system"] == system and r["status"] == "ok"
    }


def summary(records, dataset, regression, systems, n_folds):
    metrics = ["rmse"] if regression else ["accuracy", "log_loss"]
    header = f"{'system':<17} {'folds':>5}"
    for metric in metrics + ["fit_time"]:
        header += f" {metric.replace('_', '-'):>20}"
    print(f"\n## {dataset}: mean +- s.e. over the outer folds")
    print(header)
    for system in systems:
        mine = [r for r in records if r["dataset"] == dataset and r["system"] == system]
        ok = [r for r in mine if r["status"] == "ok"]
        line = f"{system:<17} {len(ok):>2}/{n_folds:<2}"
        if ok:
            for metric in metrics:
                line += f" {_cell([r[metric] for r in ok]):>20}"
            line += f" {_cell([r['fit_time'] for r in ok], 2) + 's':>20}"
        not_ok = [r for r in mine if r["status"] != "ok"]
        if not_ok:
            line += f"  {not_ok[0]['status']}: {not_ok[0]['message']}"
        print(line)


def verdicts(records, dataset, regression):
    metric = "rmse" if regression else "log_loss"
    name = "RMSE" if regression else "log-loss"
    ours = _ok(records, dataset, "ensembles")
    print(f"verdicts on {name} (lower is better), over the folds where both ran:")

    def paired(rival):
        theirs = _ok(records, dataset, rival)
        folds = sorted(set(ours) & set(theirs))
        if not ours:
            return None, "n/a (ensembles did not run)"
        if not folds:
            return None, f"n/a ({rival} did not run)"
        a = [ours[f][metric] for f in folds]
        b = [theirs[f][metric] for f in folds]
        gap, gap_se = mean_se(np.subtract(a, b))
        text = (
            f"paired ensembles - {rival} {gap:+.4f} +- {gap_se:.4f} "
            f"({len(folds)} folds)"
        )
        return (folds, a, b), text

    pair, text = paired("autogluon")
    if pair is None:
        print(f"  ensembles as good as autogluon, or within its 1 s.e.: {text}")
    else:
        folds, a, b = pair
        (mine, _), (theirs, theirs_se) = mean_se(a), mean_se(b)
        met = "yes" if mine <= theirs + theirs_se else "NO"
        print(
            f"  ensembles as good as autogluon, or within its 1 s.e.: {met}  "
            f"({mine:.4f} vs {theirs:.4f} +- {theirs_se:.4f}; {text})"
        )
    for rival in ("sklearn_stacking", "lightgbm"):
        pair, text = paired(rival)
        if pair is None:
            print(f"  better than {rival}: {text}")
        else:
            _, a, b = pair
            met = "yes" if np.mean(a) < np.mean(b) else "NO"
            print(
                f"  better than {rival}: {met}  "
                f"({np.mean(a):.4f} vs {np.mean(b):.4f}; {text})"
            )
    theirs = _ok(records, dataset, "autogluon")
    folds = sorted(set(ours) & set(theirs))
    if not folds:
        missing = "ensembles" if not ours else "autogluon"
        print(f"  fit time <= autogluon's: n/a ({missing} did not run)")
    else:
        mine = np.mean([ours[f]["fit_time"] for f in folds])
        other = np.mean([theirs[f]["fit_time"] for f in folds])
        met = "yes" if mine <= other else "NO"
        print(
            f"  fit time <= autogluon's: {met}  ({mine:.1f}s vs {other:.1f}s, "
            f"ratio {mine / other:.2f})"
        )


# --------------------------------------------------------------------------
def _warm_up():
    """Import in a joblib worker what the stacks' tasks need."""
    import sklearn.ensemble  # noqa: F401

    import ensembles  # noqa: F401


def find_autogluon(path):
    """(python, version) of the AutoGluon environment, or (None, why not)."""
    if path is None:
        if not os.path.exists(DEFAULT_AUTOGLUON_PYTHON):
            return None, (
                f"no AutoGluon environment: {DEFAULT_AUTOGLUON_PYTHON} does not "
                "exist (make one, or pass --autogluon-python)"
            )
        path = DEFAULT_AUTOGLUON_PYTHON
    check = "import autogluon.tabular as t; print(t.__version__)"
    try:
        done = subprocess.run(
            [path, "-c", check], capture_output=True, text=True, timeout=300
        )
    except OSError as error:
        return None, f"cannot run {path}: {error}"
    if done.returncode:
        return None, f"autogluon.tabular is not importable with {path}"
    return path, done.stdout.strip().splitlines()[-1]


def run_dataset(name, args, records):
    task, load = DATASETS[name]
    regression = task == "regression"
    X, y = load()
    classes = None if regression else np.unique(y)
    kind = "frame" if isinstance(X, pd.DataFrame) else "array"
    print(f"\n# {name}: {task}, {X.shape[0]} x {X.shape[1]} ({kind})", flush=True)
    split = KFold if regression else StratifiedKFold
    outer = [
        (repeat * args.folds + j, train, test)
        for repeat in range(args.repeats)
        for j, (train, test) in enumerate(
            split(n_splits=args.folds, shuffle=True, random_state=repeat).split(X, y)
        )
    ]
    take = (lambda rows: X.iloc[rows]) if kind == "frame" else X.__getitem__
    for fold, train, test in outer:
        fold_data = {
            "regression": regression,
            "X_train": take(train),
            "y_train": y[train],
            "X_test": take(test),
        }
        context = {}
        for system in args.systems:
            record = {"dataset": name, "system": system, "fold": fold}
            try:
                fit_time, outcome, info = RUN[system](fold_data, args, fold, context)
            except Skipped as reason:
                record.update(status="skipped", message=str(reason))
            except Exception as error:
                record.update(status="failed", message=_describe(error))
                if system == "ensembles":
                    context["stack"] = None
                    context["stack_error"] = record["message"]
            else:
                record.update(status="ok", fit_time=fit_time, info=info)
                record.update(score(outcome, y[test], classes, regression))
            records.append(record)
            if record["status"] == "ok":
                metrics = "  ".join(
                    f"{key.replace('_', '-')} {record[key]:.4f}"
                    for key in ("accuracy", "log_loss", "rmse")
                    if key in record
                )
                status = f"fit {fit_time:7.2f}s  {metrics}"
            else:
                status = f"{record['status']}: {record['message']}"
            print(f"  fold {fold} {system:<17} {status}", flush=True)
    shown = list(args.systems)
    for record in args.reused:
        if record["dataset"] == name and record["system"] not in args.systems:
            records.append(record)
            if record["system"] not in shown:
                shown.append(record["system"])
    systems = [s for s in SYSTEMS if s in shown]
    summary(records, name, regression, systems, args.folds * args.repeats)
    verdicts(records, name, regression)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS)
    )
    parser.add_argument(
        "--folds", type=int, help="outer folds (default 5; 2 with --quick)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="repeats of the outer folds, repeat r shuffled with random_state=r",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        help="seconds for ensembles and AutoGluon (default 60; 10 with --quick)",
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=SYSTEMS)
    parser.add_argument(
        "--autogluon-python",
        help="Python of an environment with autogluon.tabular "
        f"(default {DEFAULT_AUTOGLUON_PYTHON} when it exists)",
    )
    parser.add_argument("--output", help="write every fold's results to this JSON")
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 2 folds, time limit 10"
    )
    parser.add_argument(
        "--reuse",
        help="an earlier --output JSON (same folds and time limit): the systems "
        "not run now are shown and compared from it (to re-run ensembles "
        "alone against AutoGluon figures already measured)",
    )
    args = parser.parse_args()
    args.folds = args.folds or (2 if args.quick else 5)
    args.time_limit = args.time_limit or (10.0 if args.quick else 60.0)
    args.systems = [system for system in SYSTEMS if system in args.systems]
    args.reused = []
    if args.reuse:
        with open(args.reuse) as file:
            earlier = json.load(file)
        if (earlier["folds"], earlier["time_limit"]) != (args.folds, args.time_limit):
            parser.error("--reuse needs the same --folds and --time-limit")
        # A run with more repeats holds folds this one does not have.
        n_folds = args.folds * args.repeats
        args.reused = [r for r in earlier["results"] if r["fold"] < n_folds]
        print(f"# systems not run now come from {args.reuse} ({earlier['machine']})")
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)

    print(f"# AutoGluon comparison: {machine()}")
    print(
        f"# {args.folds} outer folds x {args.repeats} repeats, "
        f"time limit {args.time_limit:g}s, "
        f"n_jobs={args.n_jobs}, systems: {', '.join(args.systems)}"
    )
    autogluon_version = None
    if "autogluon" in args.systems:
        args.autogluon_python, found = find_autogluon(args.autogluon_python)
        if args.autogluon_python is None:
            args.autogluon_missing = found
            print(f"# autogluon skipped: {found}")
        else:
            autogluon_version = found
            print(f"# AutoGluon {found} with {args.autogluon_python}")
    # Start joblib's worker processes now: no system's first fit pays for it.
    Parallel(n_jobs=args.n_jobs)(delayed(_warm_up)() for _ in range(args.n_jobs))
    records = []
    for name in args.datasets:
        run_dataset(name, args, records)
    if args.output:
        with open(args.output, "w") as file:
            json.dump(
                {
                    "machine": machine(),
                    "folds": args.folds,
                    "repeats": args.repeats,
                    "time_limit": args.time_limit,
                    "n_jobs": args.n_jobs,
                    "autogluon_version": autogluon_version,
                    "results": records,
                },
                file,
                indent=1,
            )
        print(f"\n# per-fold results written to {args.output}")


if __name__ == "__main__":
    main()
