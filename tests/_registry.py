"""The one registry of small, fast instances of every public estimator.

Each entry builds a fresh, unfitted estimator and knows the data it is
fitted on. The first entry of each class (``PLAIN``) is the estimator
scikit-learn's checks run on; the variants (``VARIANTS``) are other
settings of the same classes that reach code the plain ones do not: linear
members (no missing values allowed), out-of-bag scores, feature and row
subsampling, robust losses, several layers, passthrough, repeats, blending,
fold models kept beside the refit models or predicting without refit, and
ensemble selection on top of a stack. Every shared test runs over
``ENTRIES`` (plain and variants), filtered where a behaviour only exists for
some estimators (n_jobs, warm_start).

Members that predict NaN or infinity (:class:`NaNRegressor`,
:class:`NaNClassifier`) and :func:`with_faulty_member`, which swaps one into
any entry that has members, are here too, for the fault tests.
"""

import contextlib
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.datasets import make_classification, make_friedman1
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    BoostingClassifier,
    BoostingRegressor,
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    StackingClassifier,
    StackingRegressor,
)

N_SAMPLES = 150
N_CLASSES = 3
N_MODELS = 3


@functools.cache
def _regression():
    return make_friedman1(n_samples=N_SAMPLES, noise=1.0, random_state=0)


@functools.cache
def _classification():
    return make_classification(
        n_samples=N_SAMPLES,
        n_features=6,
        n_informative=4,
        n_classes=N_CLASSES,
        random_state=0,
    )


@functools.cache
def _predictions():
    """One column per model: the target plus noise of growing scale."""
    _, y = _regression()
    rng = np.random.RandomState(0)
    X = np.column_stack(
        [y + rng.normal(scale=scale, size=len(y)) for scale in (1.0, 2.0, 4.0)]
    )
    return X, y


@functools.cache
def _probabilities():
    """A block of N_CLASSES predicted probabilities per model, as a stack
    lays them out, from an informative model to a random one."""
    _, y = _classification()
    rng = np.random.RandomState(0)
    truth = np.eye(N_CLASSES)[y]
    blocks = []
    for sharpness in np.linspace(0.8, 0.0, N_MODELS):
        noise = rng.dirichlet(np.ones(N_CLASSES), size=len(y))
        blocks.append(sharpness * truth + (1 - sharpness) * noise)
    return np.hstack(blocks), y


# What each task fits on. Regressors and classifiers get raw features;
# ensemble selection only combines other models' outputs.
TASK_DATA = {
    "regression": _regression,
    "classification": _classification,
    "predictions": _predictions,
    "probabilities": _probabilities,
}


@dataclass(frozen=True)
class Entry:
    """One registry instance: ``build()`` gives a fresh unfitted estimator."""

    id: str
    build: Callable[[], BaseEstimator]
    task: str

    @property
    def data(self):
        """(X, y) to fit on; the same arrays every call, never modify them."""
        return TASK_DATA[self.task]()

    @property
    def columns_per_feature(self):
        """Columns that make one input "feature": one model's block of
        class probabilities for ensemble selection, else one column."""
        return N_CLASSES if self.task == "probabilities" else 1

    def has_param(self, name):
        return name in self.build().get_params()


# The instances scikit-learn's checks (test_common) have always run on.
PLAIN = [
    Entry(
        "BaggingClassifier",
        lambda: BaggingClassifier(n_estimators=5),
        "classification",
    ),
    Entry("BaggingRegressor", lambda: BaggingRegressor(n_estimators=5), "regression"),
    Entry(
        "BoostingClassifier",
        lambda: BoostingClassifier(n_estimators=5),
        "classification",
    ),
    Entry("BoostingRegressor", lambda: BoostingRegressor(n_estimators=5), "regression"),
    Entry(
        "EnsembleSelectionClassifier",
        lambda: EnsembleSelectionClassifier(),
        "probabilities",
    ),
    Entry(
        "EnsembleSelectionRegressor",
        lambda: EnsembleSelectionRegressor(),
        "predictions",
    ),
    Entry(
        "StackingClassifier",
        lambda: StackingClassifier(
            [
                ("tree", DecisionTreeClassifier(max_depth=3)),
                ("logistic", LogisticRegression()),
            ],
            cv=3,
        ),
        "classification",
    ),
    Entry(
        "StackingRegressor",
        lambda: StackingRegressor(
            [("tree", DecisionTreeRegressor(max_depth=3)), ("ridge", Ridge())],
            cv=3,
        ),
        "regression",
    ),
]

VARIANTS = [
    # Linear members: missing values are an error, not passed on.
    Entry(
        "BaggingRegressor-ridge",
        lambda: BaggingRegressor(Ridge(), n_estimators=3),
        "regression",
    ),
    Entry(
        "BaggingClassifier-logistic",
        lambda: BaggingClassifier(LogisticRegression(), n_estimators=3),
        "classification",
    ),
    Entry(
        "BoostingRegressor-ridge",
        lambda: BoostingRegressor(Ridge(), n_estimators=3),
        "regression",
    ),
    # Out-of-bag scores on subsets of the features (6 members leave a few
    # rows without an out-of-bag prediction: a warning, and NaN rows).
    Entry(
        "BaggingRegressor-oob-max_features",
        lambda: BaggingRegressor(n_estimators=6, max_features=0.7, oob_score=True),
        "regression",
    ),
    Entry(
        "BaggingClassifier-oob-max_features",
        lambda: BaggingClassifier(n_estimators=6, max_features=0.7, oob_score=True),
        "classification",
    ),
    # Row subsampling (random stages), and a loss object in the model.
    Entry(
        "BoostingRegressor-huber-subsample",
        lambda: BoostingRegressor(n_estimators=5, loss="huber", subsample=0.8),
        "regression",
    ),
    Entry(
        "BoostingClassifier-subsample",
        lambda: BoostingClassifier(n_estimators=5, subsample=0.8),
        "classification",
    ),
    # Two layers, the features passed through, repeated folds, refitted
    # members and ensemble selection on top.
    Entry(
        "StackingRegressor-two-layers-selection",
        lambda: StackingRegressor(
            [
                [
                    ("tree", DecisionTreeRegressor(max_depth=3, max_features=0.7)),
                    ("ridge", Ridge()),
                ],
                [("top", Ridge())],
            ],
            final_estimator=EnsembleSelectionRegressor(),
            passthrough=True,
            n_repeats=2,
            refit=True,
            cv=3,
        ),
        "regression",
    ),
    Entry(
        "StackingClassifier-two-layers-repeats",
        lambda: StackingClassifier(
            [
                [
                    ("tree", DecisionTreeClassifier(max_depth=4, max_features=0.7)),
                    ("logistic", LogisticRegression(max_iter=500)),
                    ("nb", GaussianNB()),
                ],
                [("top", GaussianNB())],
            ],
            passthrough=True,
            n_repeats=2,
            cv=3,
            keep_fold_models=True,  # kept beside the refit models
        ),
        "classification",
    ),
    # A held-out blending split instead of folds, members predicting with
    # their fold models (no refit).
    Entry(
        "StackingClassifier-blending",
        lambda: StackingClassifier(
            [
                [
                    ("logistic", LogisticRegression(max_iter=1000)),
                    ("nb", GaussianNB()),
                    ("tree", DecisionTreeClassifier(max_depth=3)),
                ],
                [("top", DecisionTreeClassifier(max_depth=3))],
            ],
            passthrough=True,
            cv=0.3,
            refit=False,
        ),
        "classification",
    ),
]

ENTRIES = PLAIN + VARIANTS


def entries(*, with_param=None):
    """Registry entries, those with the parameter ``with_param`` if given."""
    if with_param is None:
        return list(ENTRIES)
    return [entry for entry in ENTRIES if entry.has_param(with_param)]


def ids(selected):
    return [entry.id for entry in selected]


def seeded(entry, **params):
    """A fresh instance with random_state=0 (where it has one) and params."""
    estimator = entry.build()
    if "random_state" in estimator.get_params():
        params = {"random_state": 0, **params}
    return estimator.set_params(**params)


def outputs(model, X):
    """Everything a fitted model computes for X, by method name."""
    result = {"predict": model.predict(X)}
    for method in ("predict_proba", "decision_function", "transform"):
        if hasattr(model, method):
            result[method] = getattr(model, method)(X)
    return result


# Fitted numbers besides the outputs that must not depend on the schedule.
FITTED_NUMBERS = (
    "oob_score_",
    "oob_prediction_",
    "oob_decision_function_",
    "train_score_",
    "oob_improvement_",
    "oof_scores_",
    "weights_",
)


def fitted_numbers(model):
    return {
        name: getattr(model, name) for name in FITTED_NUMBERS if hasattr(model, name)
    }


def fit_outputs(model, X, y):
    """Fit; then outputs and fitted numbers, a stack's out-of-fold features too."""
    if hasattr(model, "fit_transform"):
        result = {"fit_transform": model.fit_transform(X, y)}
    else:
        result = {}
        model.fit(X, y)
    return {**result, **outputs(model, X), **fitted_numbers(model)}


def assert_same_outputs(actual, expected, exact=True):
    """The same arrays (or dicts) under the same names; exact by default."""
    assert actual.keys() == expected.keys()
    for name, value in expected.items():
        if isinstance(value, dict):
            assert actual[name] == value, name
        elif exact:
            assert_array_equal(actual[name], value, err_msg=name)
        else:
            assert_allclose(actual[name], value, err_msg=name)


# --------------------------------------------------------------------------
# Faulty members: NaN (or infinity) in their predictions
# --------------------------------------------------------------------------
class _Faulty:
    """``value`` (NaN) in the predictions of rows whose first feature
    exceeds ``beyond``, or with ``beyond=None`` the ``above`` quantile of
    the training rows' first feature: ``above=0.8`` spoils about a fifth of
    the rows a member is fitted on, a fault seen in fit (out-of-fold,
    out-of-bag, a boosting stage); ``beyond`` past the training data spoils
    only rows beyond it, a fault seen in predict.
    """

    def _fit_threshold(self, X):
        if self.beyond is not None:
            self.threshold_ = self.beyond
        else:
            first = np.asarray(X, dtype=np.float64)[:, 0]
            self.threshold_ = np.quantile(first, self.above)

    def _spoil(self, X, predictions):
        predictions = np.array(predictions, dtype=np.float64)
        predictions[np.asarray(X, dtype=np.float64)[:, 0] > self.threshold_] = (
            self.value
        )
        return predictions


class NaNRegressor(_Faulty, RegressorMixin, BaseEstimator):
    """Predicts the (weighted) mean of y, and ``value`` on some rows (see
    :class:`_Faulty`)."""

    def __init__(self, above=0.8, beyond=None, value=np.nan):
        self.above = above
        self.beyond = beyond
        self.value = value

    def fit(self, X, y, sample_weight=None):
        self._fit_threshold(X)
        self.mean_ = np.average(y, weights=sample_weight)
        return self

    def predict(self, X):
        return self._spoil(X, np.full(len(X), self.mean_))


class NaNClassifier(_Faulty, ClassifierMixin, BaseEstimator):
    """Predicts the class frequencies as probabilities, and ``value`` on
    some rows (see :class:`_Faulty`)."""

    def __init__(self, above=0.8, beyond=None, value=np.nan):
        self.above = above
        self.beyond = beyond
        self.value = value

    def fit(self, X, y, sample_weight=None):
        self._fit_threshold(X)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.prior_ = counts / counts.sum()
        return self

    def predict_proba(self, X):
        return self._spoil(X, np.tile(self.prior_, (len(X), 1)))

    def predict_log_proba(self, X):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(self.predict_proba(X))

    def decision_function(self, X):
        return self.predict_proba(X)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def member_param(estimator):
    """The parameter holding one of ``estimator``'s members: "estimator"
    (bagging, boosting), the first member's name (a stack), or None
    (ensemble selection combines given columns: it has no members)."""
    params = estimator.get_params(deep=False)
    if "estimator" in params:
        return "estimator"
    if "estimators" in params:
        layers = params["estimators"]
        first_layer = layers[0] if isinstance(layers[0], list) else layers
        return first_layer[0][0]
    return None


def with_faulty_member(estimator, **faulty_params):
    """``estimator`` with one member swapped for a :class:`NaNRegressor` or
    :class:`NaNClassifier` of the member's kind (boosting's members are
    regressors, also in a classifier)."""
    name = member_param(estimator)
    member = estimator.get_params()[name]
    if name == "estimator" and member is None:
        member = estimator._get_estimator()
    kind = NaNClassifier if is_classifier(member) else NaNRegressor
    return estimator.set_params(**{name: kind(**faulty_params)})


class ProcessExitRegressor(RegressorMixin, BaseEstimator):
    """Ends the process that fits it, as a member that crashes would: fit
    it only in a worker process (the loky backend), never in the tests'."""

    def fit(self, X, y):
        os._exit(3)

    def predict(self, X):  # pragma: no cover - never fitted
        return np.zeros(len(X))


@contextlib.contextmanager
def backend_config(backend):
    """``joblib.parallel_config(backend=backend)``, expecting the package's
    RuntimeWarning where joblib's forking "multiprocessing" backend is
    replaced by loky (see ensembles._parallel._forks)."""
    import multiprocessing

    from joblib import parallel_config

    forks = multiprocessing.get_context().get_start_method() == "fork"
    if backend == "multiprocessing" and forks:
        expected = pytest.warns(RuntimeWarning, match="'loky' backend instead")
    else:
        expected = contextlib.nullcontext()
    with expected, parallel_config(backend=backend):
        yield
