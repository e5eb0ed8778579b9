"""Behaviours every estimator shares, over every entry of the registry:
clone and pickle, the same results for any n_jobs and joblib backend,
untouched inputs, and warm start equal to one fit."""

import inspect
import pickle
import subprocess
import sys

import numpy as np
import pytest
from _registry import (
    assert_same_outputs,
    backend_config,
    entries,
    fit_outputs,
    fitted_numbers,
    ids,
    outputs,
    seeded,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, clone

# Six bagged members leave a few rows out of no bag; the oob variants say so.
pytestmark = pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")

ALL = entries()


def assert_same_params(actual, expected):
    """Equal parameters, nested estimators compared by type and parameters
    (a clone holds new estimator objects, which never compare equal)."""
    if isinstance(expected, BaseEstimator):
        assert type(actual) is type(expected)
        assert_same_params(
            actual.get_params(deep=False), expected.get_params(deep=False)
        )
    elif isinstance(expected, dict):
        assert actual.keys() == expected.keys()
        for key in expected:
            assert_same_params(actual[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected) and len(actual) == len(expected)
        for a, b in zip(actual, expected):
            assert_same_params(a, b)
    else:
        assert actual == expected


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_clone_and_pickle(entry):
    X, y = entry.data
    model = seeded(entry).fit(X, y)
    expected = outputs(model, X)

    fresh = clone(model)
    assert_same_params(fresh, model)
    # Nothing fitted comes along: no estimators_, weights_, classes_, ...
    assert [name for name in vars(fresh) if name.endswith("_")] == []
    # The same parameters fit the same model.
    assert_same_outputs(outputs(fresh.fit(X, y), X), expected)

    restored = pickle.loads(pickle.dumps(model))
    assert_same_outputs(outputs(restored, X), expected)


WITH_N_JOBS = entries(with_param="n_jobs")


@pytest.mark.parametrize("entry", WITH_N_JOBS, ids=ids(WITH_N_JOBS))
@pytest.mark.parametrize(
    "backend", ["sequential", "threading", "loky", "multiprocessing"]
)
def test_same_results_for_any_n_jobs_and_backend(entry, backend):
    X, y = entry.data
    expected = fit_outputs(seeded(entry, n_jobs=1), X, y)
    for n_jobs in [2, -1]:
        with backend_config(backend):
            actual = fit_outputs(seeded(entry, n_jobs=n_jobs), X, y)
        assert_same_outputs(actual, expected)


# Forked workers inherit an OpenMP runtime that HistGradientBoosting has
# already started in the parent, and hang in it; scikit-learn's bagging
# does. Run in a fresh interpreter, under a timeout, so a hang fails.
_FORKED_OPENMP = """
import warnings
from joblib import parallel_config
from sklearn.datasets import make_friedman1
from sklearn.ensemble import HistGradientBoostingRegressor
from ensembles import BaggingRegressor
X, y = make_friedman1(n_samples=200, random_state=0)
HistGradientBoostingRegressor(max_iter=5).fit(X, y)
member = HistGradientBoostingRegressor(max_iter=5)
forked = parallel_config(backend="multiprocessing")
with forked, warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    model = BaggingRegressor(member, n_estimators=4, n_jobs=2, random_state=0)
    model.fit(X, y)
local = BaggingRegressor(member, n_estimators=4, random_state=0).fit(X, y)
assert (model.predict(X) == local.predict(X)).all()
assert any("'loky' backend instead" in str(w.message) for w in seen)
print("ok")
"""


def test_multiprocessing_backend_does_not_hang_on_openmp_members():
    multiprocessing = pytest.importorskip("multiprocessing")
    if multiprocessing.get_context().get_start_method() != "fork":
        pytest.skip("the hang needs forked workers")
    result = subprocess.run(
        [sys.executable, "-c", _FORKED_OPENMP],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def _as_kind(X, kind):
    if kind == "frame":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    return X.astype(kind)


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
@pytest.mark.parametrize("kind", ["float64", "float32", "frame"])
def test_inputs_never_modified(entry, kind):
    # float32: tree members may be handed the user's own array.
    X, y = entry.data
    X = _as_kind(X, kind)
    X_in, y_in = X.copy(), y.copy()
    weight = np.linspace(0.5, 2.0, len(y))
    weight_in = weight.copy()
    model = seeded(entry).fit(X_in, y_in, sample_weight=weight_in)
    outputs(model, X_in)
    if "return_std" in inspect.signature(model.predict).parameters:
        model.predict(X_in, return_std=True)
    assert_array_equal(np.asarray(X_in), np.asarray(X))
    assert_array_equal(y_in, y)
    assert_array_equal(weight_in, weight)


# Bagging refuses out-of-bag scores with warm_start (as scikit-learn does);
# that error is tested in test_bagging.
WITH_WARM_START = [
    entry
    for entry in entries(with_param="warm_start")
    if not entry.build().get_params().get("oob_score")
]


@pytest.mark.parametrize("entry", WITH_WARM_START, ids=ids(WITH_WARM_START))
def test_warm_start_equals_one_fit(entry):
    X, y = entry.data
    n_estimators = entry.build().n_estimators
    grown = seeded(entry, warm_start=True).fit(X, y)
    first_members = list(np.ravel(grown.estimators_))
    grown.set_params(n_estimators=n_estimators + 4).fit(X, y)
    at_once = seeded(entry, n_estimators=n_estimators + 4).fit(X, y)

    # The fitted members are kept, not refitted.
    kept = list(np.ravel(grown.estimators_))[: len(first_members)]
    assert all(a is b for a, b in zip(kept, first_members))
    assert np.shape(grown.estimators_) == np.shape(at_once.estimators_)
    assert_same_outputs(outputs(grown, X), outputs(at_once, X), exact=False)
    for name, value in fitted_numbers(at_once).items():
        assert_allclose(getattr(grown, name), value, err_msg=name)
    # Bagging: every member drew the same rows and features.
    for name in ("estimators_samples_", "estimators_features_"):
        if hasattr(at_once, name):
            for a, b in zip(getattr(grown, name), getattr(at_once, name)):
                assert_array_equal(a, b)
