"""Bad input and faults, for every estimator of the registry: a clear scikit-learn
style error, quickly, and never a half-fitted model that predicts."""

import re
import time

import numpy as np
import pytest
from _registry import entries, ids, member_param, seeded, with_faulty_member
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import (
    BaseEstimator,
    RegressorMixin,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    BoostingClassifier,
    BoostingRegressor,
    StackingRegressor,
    bias_variance_decomposition,
)

ALL = entries()
CLASSIFIERS = [entry for entry in ALL if is_classifier(entry.build())]

# Six bagged members leave a few rows out of no bag; the oob variants say so.
pytestmark = pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")

# A small binary problem for the tests of particular estimators below.
RNG = np.random.RandomState(0)
X = RNG.uniform(size=(60, 4))
Y_REG = X @ [1.0, 2.0, -1.0, 0.5] + 0.1 * RNG.normal(size=60)
Y_CLF = (X[:, 0] + X[:, 1] > 1).astype(int)


# The bad value fills a whole row, so that every member meets it whichever
# features it draws: bagging leaves missing and infinite values to its
# members, as scikit-learn's does, and a member that never sees the bad
# column has nothing to refuse.
def _nan(X):
    X = X.copy()
    X[3, :] = np.nan
    return X


def _inf(X):
    X = X.copy()
    X[3, :] = np.inf
    return X


BAD_FIT_INPUTS = {
    "empty": lambda X, y: (X[:0], y[:0], "0 sample"),
    "mismatched lengths": lambda X, y: (X, y[:-5], "inconsistent numbers of samples"),
    "3-D X": lambda X, y: (X[:, :, np.newaxis], y, "dim 3|3 dimensions|2D"),
    "1-D X": lambda X, y: (X[:, 0], y, "Expected 2D array"),
    "NaN": lambda X, y: (_nan(X), y, "NaN"),
    "inf": lambda X, y: (_inf(X), y, "infinity"),
    "strings": lambda X, y: (X.astype(str).astype(object) + "a", y, "convert|string"),
}


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
@pytest.mark.parametrize("case", list(BAD_FIT_INPUTS))
def test_bad_fit_input_is_a_clear_error(entry, case):
    # Seeded, so that which rows and features each member draws is fixed.
    estimator = seeded(entry)
    X_bad, y_bad, match = BAD_FIT_INPUTS[case](*entry.data)
    if case == "NaN" and get_tags(estimator).input_tags.allow_nan:
        # Members that handle missing values (trees) get them.
        assert np.isfinite(estimator.fit(X_bad, y_bad).predict(X_bad)).all()
        return
    start = time.perf_counter()
    with pytest.raises(ValueError, match=match):
        estimator.fit(X_bad, y_bad)
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_one_sample_and_one_feature(entry):
    X, y = entry.data
    if is_classifier(entry.build()):
        with pytest.raises(ValueError, match="only one class"):
            entry.build().fit(X[:1], y[:1])
    else:
        # One sample: either a clear error (too few rows for the folds) or
        # a model that predicts.
        try:
            one = entry.build().fit(X[:1], y[:1])
        except ValueError as error:
            assert "split" in str(error) or "sample" in str(error)
        else:
            assert one.predict(X[:2]).shape == (2,)
    # One feature is fine (for ensemble selection: one model's block).
    one_feature = X[:, : entry.columns_per_feature]
    model = entry.build().fit(one_feature, y)
    assert model.predict(one_feature[:5]).shape == (5,)


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_bad_predict_input(entry):
    X, y = entry.data
    model = entry.build().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :-1])
    if not get_tags(model).input_tags.allow_nan:
        with pytest.raises(ValueError, match="NaN"):
            model.predict(_nan(X))
    pd = pytest.importorskip("pandas")
    columns = [f"x{i}" for i in range(X.shape[1])]
    named = entry.build().fit(pd.DataFrame(X, columns=columns), y)
    with pytest.raises(ValueError, match="feature names"):
        named.predict(pd.DataFrame(X, columns=columns[:-1] + ["other"]))


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_bad_sample_weight(entry):
    X, y = entry.data
    with pytest.raises(ValueError, match="negative"):
        entry.build().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="all zero"):
        entry.build().fit(X, y, sample_weight=np.zeros(len(y)))


@pytest.mark.parametrize("entry", CLASSIFIERS, ids=ids(CLASSIFIERS))
def test_one_class_y(entry):
    X, _ = entry.data
    with pytest.raises(ValueError, match="only one class"):
        entry.build().fit(X, np.zeros(len(X)))


class Exploding(RegressorMixin, BaseEstimator):
    """Fails on purpose when fitted on more than `limit` rows."""

    def __init__(self, limit=0, error=ValueError):
        self.limit = limit
        self.error = error

    def fit(self, X, y):
        if len(X) > self.limit:
            raise self.error("member blew up")
        self.mean_ = np.mean(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def _with_member(estimator, member):
    if "estimator" in estimator.get_params():
        return clone(estimator).set_params(estimator=member)
    return StackingRegressor([("ridge", Ridge()), ("bad", member)], cv=3)


FAULTY = [
    BaggingRegressor(n_estimators=4),
    BoostingRegressor(n_estimators=4),
    StackingRegressor([("r", Ridge())], cv=3),
]


@pytest.mark.parametrize("estimator", FAULTY, ids=[type(e).__name__ for e in FAULTY])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_member_failure_names_the_member_and_leaves_model_unfitted(estimator, n_jobs):
    model = (
        _with_member(estimator, Ridge()).set_params(n_jobs=n_jobs)
        if ("n_jobs" in estimator.get_params())
        else _with_member(estimator, Ridge())
    )
    model.fit(X, Y_REG)  # a fitted model that is then refitted and fails
    broken = model.set_params(**_member_param(model, Exploding()))
    with pytest.raises(ValueError, match="(member|Member).*failed.*member blew up"):
        broken.fit(X, Y_REG)
    with pytest.raises(NotFittedError):
        broken.predict(X)


def _member_param(model, member):
    if "estimator" in model.get_params():
        return {"estimator": member}
    return {"bad": member} if "bad" in model.get_params() else {"r": member}


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_keyboard_interrupt_stops_promptly(backend):
    from joblib import parallel_config

    model = BaggingRegressor(
        Exploding(error=KeyboardInterrupt), n_estimators=50, n_jobs=2
    )
    start = time.perf_counter()
    with parallel_config(backend=backend):
        with pytest.raises(KeyboardInterrupt):
            model.fit(X, Y_REG)
    assert time.perf_counter() - start < 30
    with pytest.raises(NotFittedError):
        model.predict(X)


def _loky_workers():
    psutil = pytest.importorskip("psutil")
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "LokyProcess" in " ".join(child.cmdline())
    ]


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
@pytest.mark.parametrize("estimator", FAULTY[::2], ids=["bagging", "stacking"])
def test_failure_in_a_worker_process_leaves_no_worker_behind(estimator, error):
    from joblib import parallel_config

    model = _with_member(estimator, Ridge()).set_params(n_jobs=2)
    with parallel_config(backend="loky"):
        model.fit(X, Y_REG)
        assert _loky_workers()  # the executor keeps its workers for reuse...
        model.set_params(**_member_param(model, Exploding(error=error)))
        with pytest.raises(error, match="member blew up"):
            model.fit(X, Y_REG)
    # ...but a failure shuts them down.
    deadline = time.perf_counter() + 10
    while _loky_workers() and time.perf_counter() < deadline:
        time.sleep(0.1)
    assert _loky_workers() == []


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    X_bad=arrays(
        np.float64,
        st.tuples(st.integers(0, 6), st.integers(0, 4)),
        elements=st.one_of(
            st.floats(allow_nan=True, allow_infinity=True, width=64),
            st.just(0.0),
        ),
    )
)
# Degenerate arrays on purpose: Ridge says so, and that is its business.
@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
@pytest.mark.filterwarnings("ignore:Singular matrix in solving dual problem")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_arbitrary_arrays_fail_cleanly_or_fit(X_bad):
    y = np.arange(len(X_bad), dtype=float)
    for estimator in [
        BaggingRegressor(Ridge(), n_estimators=2),
        BoostingRegressor(Ridge(), n_estimators=2),
    ]:
        try:
            model = clone(estimator).fit(X_bad, y)
        except ValueError as error:
            # scikit-learn's input check, or a member's own failure named as
            # such; not a bare numpy or scipy error from the ensemble's code.
            assert re.search(
                r"NaN|infinity|0 sample|0 feature|member .* failed", str(error)
            ), str(error)
            continue
        assert model.predict(X_bad).shape == (len(X_bad),)


@pytest.mark.parametrize(
    "ensemble, estimator",
    [
        (BaggingClassifier, Ridge()),
        (BaggingRegressor, LogisticRegression()),
        (BoostingClassifier, DecisionTreeClassifier()),
        (BoostingRegressor, DecisionTreeClassifier()),
    ],
)
def test_base_estimator_of_the_wrong_kind(ensemble, estimator):
    # A regressor's votes read as class indices predicted nonsense.
    y = Y_REG if is_regressor(ensemble()) else Y_CLF
    with pytest.raises(ValueError, match="needs a (classifier|regressor) as its"):
        ensemble(estimator, n_estimators=2).fit(X, y)


class _UntaggedRegressor(BaseEstimator):
    """Predicts continuous values and does not say it is a regressor."""

    def fit(self, X, y):
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_untagged_member_predicting_non_labels():
    # Such a member slips past the kind check; its "votes" (0.37, 1.2, ...)
    # were cast to class indices: silent nonsense or an IndexError.
    model = BaggingClassifier(_UntaggedRegressor(), n_estimators=2, random_state=0)
    model.fit(X, Y_CLF)
    first = model.estimators_[0].predict(X)
    assert not np.all(np.isin(first, [0, 1]))
    for method in (model.predict, model.predict_proba):
        # The message shows a value that is not a label, not merely the first.
        with pytest.raises(ValueError, match="Member 0 predicted values that are not"):
            method(X)
    with pytest.raises(ValueError) as error:
        model.predict(X)
    shown = float(re.search(r"for example ([-0-9.e]+)", str(error.value)).group(1))
    assert shown not in (0.0, 1.0)
    with pytest.raises(ValueError, match="not class labels"):
        clone(model).set_params(oob_score=True).fit(X, Y_CLF)


def test_bias_variance_bad_input():
    with pytest.raises(ValueError, match="0 sample"):
        bias_variance_decomposition(Ridge(), X[:0], Y_REG[:0], X, Y_REG)
    with pytest.raises(ValueError, match="NaN"):
        bias_variance_decomposition(Ridge(), _nan(X), Y_REG, X, Y_REG)
    with pytest.raises(ValueError, match="y_train must be 1-dimensional"):
        bias_variance_decomposition(Ridge(), X, np.c_[Y_REG, Y_REG], X, Y_REG)
    with pytest.raises(ValueError, match="Round 0 failed|round 0 failed"):
        bias_variance_decomposition(Exploding(), X, Y_REG, X, Y_REG, n_rounds=2)


# ===================================================================


# Members predicting NaN or infinity, and None in object arrays (issue #18,
# items 2 and 4). Behaviour tests of each estimator: tests/test_member_faults.py.
# ==========================================================================
WITH_MEMBERS = [entry for entry in ALL if member_param(entry.build()) is not None]
# Who an error names, besides the member itself.
NAMED_FAULT = r"(member|stage|round)[^:]*: \w+( \([\w ]+\))? returned NaN for \d+ of"


def _far(X):
    """X with its first feature far beyond anything in the training data."""
    X = np.array(X, dtype=np.float64)
    X[:5, 0] = 1e6
    return X


@pytest.mark.parametrize("entry", WITH_MEMBERS, ids=ids(WITH_MEMBERS))
def test_member_predicting_nan_in_fit_or_predict_is_named(entry):
    # A member spoiling a fifth of the rows it was fitted on: boosting and
    # stacking see it in fit (a stage, a fold), bagging in predict (or in
    # its out-of-bag score).
    X, y = entry.data
    model = with_faulty_member(seeded(entry))
    with pytest.raises(ValueError, match=NAMED_FAULT) as error:
        model.fit(X, y)
        model.predict(X)
    assert type(model).__name__ in str(error.value)


@pytest.mark.parametrize("entry", WITH_MEMBERS, ids=ids(WITH_MEMBERS))
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_member_predicting_nan_in_predict_only_is_named(entry, value):
    X, y = entry.data
    model = with_faulty_member(seeded(entry), beyond=1e3, value=value).fit(X, y)
    assert np.all(np.isfinite(model.predict(X).astype(np.float64)))
    kind = "NaN" if np.isnan(value) else "infinity"
    for method in ("predict", "predict_proba", "decision_function", "transform"):
        if not hasattr(model, method):
            continue
        with pytest.raises(ValueError, match=NAMED_FAULT.replace("NaN", kind)):
            getattr(model, method)(_far(X))


def _none_at(values, index):
    values = np.array(values, dtype=object)
    values[index] = None
    return values


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_none_in_object_X_is_a_missing_value(entry):
    # As NaN: members that take missing values get it, else a clear error.
    X, y = entry.data
    X_none = _none_at(X, (3, 1))
    estimator = entry.build()
    if get_tags(estimator).input_tags.allow_nan:
        model = estimator.fit(X_none, y)
        assert np.all(np.isfinite(model.predict(X_none).astype(np.float64)))
        return
    with pytest.raises(ValueError, match="Input X contains (None|NaN)"):
        estimator.fit(X_none, y)
    model = entry.build().fit(X, y)
    with pytest.raises(ValueError, match="Input X contains (None|NaN)"):
        model.predict(X_none)


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_none_in_object_y_is_refused(entry):
    X, y = entry.data
    with pytest.raises(ValueError, match="^Input y contains None: every sample"):
        entry.build().fit(X, _none_at(y, 3))


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_none_in_object_sample_weight_is_refused(entry):
    X, y = entry.data
    weight = _none_at(np.ones(len(y)), 3)
    with pytest.raises(ValueError, match="^Input sample_weight contains None: every"):
        entry.build().fit(X, y, sample_weight=weight)


# --------------------------------------------------------------------------
# Targets and sample weights of extreme magnitude (issue #18, item 3): every
# estimator fits and predicts finite values, or refuses them with an error
# that names them ("targets too large" / "sample_weight too large"); never
# NaN, never a member's error about something else. The exact results are
# tests/test_overflow.py's.
# --------------------------------------------------------------------------
REGRESSORS = [entry for entry in ALL if not is_classifier(entry.build())]
FLOAT_MAX = np.finfo(np.float64).max

OVERFLOWING_TARGETS = {
    "times 1e154": lambda y: y * 1e154,
    "times 1e300": lambda y: y * 1e300,
    "one of 1e308": lambda y: np.where(np.arange(len(y)) == 0, 1e308, y),
    "near float max": lambda y: y / np.max(np.abs(y)) * 0.9 * FLOAT_MAX,
}

OVERFLOWING_WEIGHTS = {
    "1e307 each": lambda n: np.full(n, 1e307),
    "1e308 each": lambda n: np.full(n, 1e308),
    "float max on one row": lambda n: np.where(np.arange(n) == 0, FLOAT_MAX, 1.0),
    "1e-300 and 1e300": lambda n: np.where(np.arange(n) % 2, 1e-300, 1e300),
}


def _assert_finite_outputs(model, X):
    for method in ("predict", "predict_proba", "decision_function"):
        if hasattr(model, method):
            output = np.asarray(getattr(model, method)(X), dtype=np.float64)
            assert np.all(np.isfinite(output)), method


@pytest.mark.parametrize("entry", REGRESSORS, ids=ids(REGRESSORS))
@pytest.mark.parametrize("case", list(OVERFLOWING_TARGETS))
# A stack's linear members and final estimator square their inputs, the
# predictions of such targets: their own arithmetic overflows, and warns.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_overflowing_targets_fit_or_are_refused_by_name(entry, case):
    X, y = entry.data
    y_large = OVERFLOWING_TARGETS[case](y)
    try:
        model = entry.build().fit(X, y_large)
    except ValueError as error:
        assert "targets too large" in str(error), str(error)
        return
    _assert_finite_outputs(model, X)


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
@pytest.mark.parametrize("case", list(OVERFLOWING_WEIGHTS))
@pytest.mark.filterwarnings("error::RuntimeWarning")  # no overflow anywhere
def test_overflowing_sample_weight_fits_or_is_refused_by_name(entry, case):
    X, y = entry.data
    weights = OVERFLOWING_WEIGHTS[case](len(y))
    try:
        model = entry.build().fit(X, y, sample_weight=weights)
    except ValueError as error:
        assert "sample_weight too large" in str(error), str(error)
        return
    _assert_finite_outputs(model, X)
