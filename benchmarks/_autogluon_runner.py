"""Fit AutoGluon-Tabular on one outer fold; run in AutoGluon's own environment.

``bench_autogluon.py`` starts this script with the Python of a separate
virtual environment that has ``autogluon.tabular`` (its dependencies clash
with the project's). It reads from the work folder given as its only
argument:

- ``train.parquet`` and ``test.parquet``: the fold's rows, the target in
  the training frame's ``label`` column;
- ``spec.json``: ``label``, ``problem_type``, ``eval_metric``,
  ``time_limit``, ``num_cpus``, ``presets``, ``excluded_model_types`` and
  ``categories`` (column -> categories: parquet does not keep every
  categorical dtype).

and writes ``result.json`` there: the wall-clock seconds of ``fit`` alone,
the test predictions (labels and class probabilities in ``class_labels``
order for classification, values for regression), the AutoGluon version,
the best model and how many models were fitted.

    /tmp/agvenv/bin/python benchmarks/_autogluon_runner.py WORKDIR
"""

import json
import os
import sys
import time

import pandas as pd
from autogluon.tabular import TabularPredictor
from autogluon.tabular import __version__ as autogluon_version


def main():
    workdir = sys.argv[1]
    with open(os.path.join(workdir, "spec.json")) as file:
        spec = json.load(file)
    train = pd.read_parquet(os.path.join(workdir, "train.parquet"))
    test = pd.read_parquet(os.path.join(workdir, "test.parquet"))
    for column, categories in spec["categories"].items():
        train[column] = pd.Categorical(train[column], categories=categories)
        test[column] = pd.Categorical(test[column], categories=categories)
    predictor = TabularPredictor(
        label=spec["label"],
        problem_type=spec["problem_type"],
        eval_metric=spec["eval_metric"],
        path=os.path.join(workdir, "models"),
        verbosity=0,
    )
    start = time.perf_counter()
    predictor.fit(
        train,
        presets=spec["presets"],
        time_limit=spec["time_limit"],
        num_cpus=spec["num_cpus"],
        num_gpus=0,
        excluded_model_types=spec["excluded_model_types"],
    )
    fit_time = time.perf_counter() - start
    result = {
        "fit_time": fit_time,
        "version": autogluon_version,
        "best_model": predictor.model_best,
        "n_models": len(predictor.model_names()),
    }
    if spec["problem_type"] == "regression":
        result["predictions"] = predictor.predict(test).tolist()
    else:
        proba = predictor.predict_proba(test, as_multiclass=True)
        result["class_labels"] = [_plain(label) for label in proba.columns]
        result["probabilities"] = proba.to_numpy().tolist()
        result["predictions"] = [_plain(label) for label in predictor.predict(test)]
    with open(os.path.join(workdir, "result.json"), "w") as file:
        json.dump(result, file)


def _plain(value):
    """A label as a JSON value (numpy scalars have ``item``)."""
    return value.item() if hasattr(value, "item") else value


if __name__ == "__main__":
    main()
