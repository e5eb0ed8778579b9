"""BaggingRegressor and BaggingClassifier."""

import re
import warnings

import numpy as np
import pytest
import sklearn
from joblib import cpu_count, parallel_config
from lightgbm import LGBMClassifier, LGBMRegressor
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn import ensemble as sk_ensemble
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris, make_classification, make_friedman1
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import NotFittedError, UnsetMetadataPassedError
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tests.metadata_routing_common import (
    ConsumingClassifier,
    ConsumingRegressor,
    check_recorded_metadata,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.metadata_routing import MetadataRouter

from ensembles import BaggingClassifier, BaggingRegressor

# --------------------------------------------------------------------------
# Drop-in replacement: the same members as scikit-learn's bagging
# --------------------------------------------------------------------------
SAMPLING = [
    {},
    {"max_samples": 0.5},
    {"max_samples": 100, "bootstrap": False},
    {"max_features": 0.5},
    {"max_features": 3, "bootstrap_features": True},
]


@pytest.mark.parametrize("params", SAMPLING)
def test_regressor_reproduces_sklearn(regression_data, params):
    X, y = regression_data
    ours = BaggingRegressor(n_estimators=8, random_state=3, **params).fit(X, y)
    theirs = sk_ensemble.BaggingRegressor(n_estimators=8, random_state=3, **params).fit(
        X, y
    )
    assert_allclose(ours.predict(X), theirs.predict(X))
    for a, b in zip(ours.estimators_features_, theirs.estimators_features_):
        assert_array_equal(a, b)
    for a, b in zip(ours.estimators_samples_, theirs.estimators_samples_):
        assert_array_equal(a, b)


@pytest.mark.parametrize("params", SAMPLING)
def test_classifier_reproduces_sklearn(multiclass_data, params):
    X, y = multiclass_data
    ours = BaggingClassifier(n_estimators=8, random_state=3, **params).fit(X, y)
    theirs = sk_ensemble.BaggingClassifier(
        n_estimators=8, random_state=3, **params
    ).fit(X, y)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
    assert_array_equal(ours.predict(X), theirs.predict(X))


def test_oob_matches_sklearn(regression_data, multiclass_data):
    X, y = regression_data
    ours = BaggingRegressor(n_estimators=30, oob_score=True, random_state=0)
    theirs = sk_ensemble.BaggingRegressor(
        n_estimators=30, oob_score=True, random_state=0
    )
    ours.fit(X, y)
    theirs.fit(X, y)
    assert ours.oob_score_ == pytest.approx(theirs.oob_score_)
    assert_allclose(ours.oob_prediction_, theirs.oob_prediction_)

    X, y = multiclass_data
    ours = BaggingClassifier(n_estimators=30, oob_score=True, random_state=0)
    theirs = sk_ensemble.BaggingClassifier(
        n_estimators=30, oob_score=True, random_state=0
    )
    ours.fit(X, y)
    theirs.fit(X, y)
    assert ours.oob_score_ == pytest.approx(theirs.oob_score_)
    assert_allclose(ours.oob_decision_function_, theirs.oob_decision_function_)


def test_oob_rows_never_in_bag_are_nan(regression_data):
    X, y = regression_data
    model = BaggingRegressor(n_estimators=2, oob_score=True, random_state=0)
    with pytest.warns(UserWarning, match="do not have OOB scores"):
        model.fit(X, y)
    in_every_bag = np.ones(len(y), dtype=bool)
    for rows in model.estimators_samples_:
        mask = np.zeros(len(y), dtype=bool)
        mask[rows] = True
        in_every_bag &= mask
    assert in_every_bag.any()
    assert_array_equal(np.isnan(model.oob_prediction_), in_every_bag)
    assert np.isfinite(model.oob_score_)


def test_oob_score_close_to_held_out_score():
    X, y = make_friedman1(n_samples=1200, noise=1.0, random_state=0)
    model = BaggingRegressor(n_estimators=60, oob_score=True, random_state=0)
    model.fit(X[:800], y[:800])
    assert model.oob_score_ == pytest.approx(model.score(X[800:], y[800:]), abs=0.05)


# --------------------------------------------------------------------------
# Regressor: return_std, multi-output
# --------------------------------------------------------------------------
def test_return_std_is_members_spread(regression_data):
    X, y = regression_data
    model = BaggingRegressor(n_estimators=15, random_state=0).fit(X, y)
    member_predictions = np.array([m.predict(X) for m in model.estimators_])
    mean, std = model.predict(X, return_std=True)
    assert_allclose(mean, member_predictions.mean(axis=0))
    assert_allclose(std, member_predictions.std(axis=0), atol=1e-12)
    assert_array_equal(mean, model.predict(X))


def test_return_std_multi_output(regression_data):
    X, y = regression_data
    Y = np.column_stack([y, -2 * y])
    model = BaggingRegressor(n_estimators=6, random_state=0).fit(X, Y)
    mean, std = model.predict(X, return_std=True)
    assert mean.shape == std.shape == (len(X), 2)
    member_predictions = np.array([m.predict(X) for m in model.estimators_])
    assert_allclose(std, member_predictions.std(axis=0), atol=1e-12)


def test_bagging_reduces_variance_of_deep_tree():
    X, y = make_friedman1(n_samples=600, noise=1.0, random_state=0)
    X_test, y_test = make_friedman1(n_samples=2000, noise=1.0, random_state=1)
    tree = DecisionTreeRegressor(random_state=0).fit(X, y)
    bagged = BaggingRegressor(n_estimators=50, random_state=0).fit(X, y)
    tree_mse = np.mean((tree.predict(X_test) - y_test) ** 2)
    bagged_mse = np.mean((bagged.predict(X_test) - y_test) ** 2)
    assert bagged_mse < 0.75 * tree_mse


# --------------------------------------------------------------------------
# Classifier: voting
# --------------------------------------------------------------------------
def test_soft_voting_averages_member_probabilities(multiclass_data):
    X, y = multiclass_data
    model = BaggingClassifier(n_estimators=7, random_state=0).fit(X, y)
    probas = np.array([m.predict_proba(X) for m in model.estimators_])
    assert_allclose(model.predict_proba(X), probas.mean(axis=0))
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    with np.errstate(divide="ignore"):
        assert_allclose(model.predict_log_proba(X), np.log(model.predict_proba(X)))


def test_hard_voting_is_majority_vote(multiclass_data):
    X, y = multiclass_data
    model = BaggingClassifier(
        DecisionTreeClassifier(max_depth=3),
        n_estimators=9,
        voting="hard",
        random_state=0,
    ).fit(X, y)
    votes = np.array([m.predict(X) for m in model.estimators_])
    shares = np.stack([(votes == k).mean(axis=0) for k in range(3)], axis=1)
    assert_allclose(model.predict_proba(X), shares)
    assert_array_equal(model.predict(X), np.argmax(shares, axis=1))
    soft = clone(model).set_params(voting="soft").fit(X, y)
    assert not np.allclose(soft.predict_proba(X), model.predict_proba(X))


def test_string_labels_and_classes(multiclass_data):
    X, y = multiclass_data
    labels = np.array(["cat", "dog", "emu"])[y]
    model = BaggingClassifier(n_estimators=5, random_state=0).fit(X, labels)
    assert_array_equal(model.classes_, ["cat", "dog", "emu"])
    assert model.n_classes_ == 3
    assert set(model.predict(X)) <= {"cat", "dog", "emu"}
    assert model.score(X, labels) > 0.9


def test_member_missing_a_class_maps_probabilities():
    # Tiny bags on a rare class: some members never see it.
    X, y = make_classification(
        n_samples=200,
        n_classes=3,
        n_informative=4,
        weights=[0.48, 0.48, 0.04],
        random_state=0,
    )
    # A pipeline takes no sample_weight, so its bags are indexed rows.
    model = BaggingClassifier(
        make_pipeline(StandardScaler(), LogisticRegression()),
        n_estimators=20,
        max_samples=15,
        random_state=0,
    ).fit(X, y)
    assert any(len(m.classes_) < 3 for m in model.estimators_)
    proba = model.predict_proba(X)
    assert proba.shape == (200, 3)
    assert_allclose(proba.sum(axis=1), 1.0)


def test_decision_function_only_when_members_have_it(multiclass_data):
    X, y = multiclass_data
    model = BaggingClassifier(LogisticRegression(), n_estimators=4, random_state=0)
    model.fit(X, y)
    expected = np.mean([m.decision_function(X) for m in model.estimators_], axis=0)
    assert_allclose(model.decision_function(X), expected)
    trees = BaggingClassifier(n_estimators=4, random_state=0).fit(X, y)
    assert not hasattr(trees, "decision_function")


def test_members_without_predict_proba_vote(multiclass_data):
    X, y = multiclass_data
    model = BaggingClassifier(SVC(), n_estimators=5, random_state=0).fit(X, y)
    votes = np.array([m.predict(X) for m in model.estimators_])
    assert_allclose(model.predict_proba(X)[:, 0], (votes == 0).mean(axis=0))


# --------------------------------------------------------------------------
# Base learners, sample weights, missing values, sparse input
# --------------------------------------------------------------------------
class RecordingRegressor(RegressorMixin, BaseEstimator):
    """Remembers what fit received."""

    def __init__(self, takes_weights=True):
        self.takes_weights = takes_weights

    def fit(self, X, y, sample_weight=None):
        self.n_rows_ = X.shape[0]
        self.weights_ = sample_weight
        self.mean_ = np.average(y, weights=sample_weight)
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.mean_)


class UnweightedRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.n_rows_ = X.shape[0]
        self.mean_ = np.mean(y)
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.mean_)


def test_bootstrap_as_integer_weights_without_copying_rows(regression_data):
    X, y = regression_data
    model = BaggingRegressor(RecordingRegressor(), n_estimators=3, random_state=0)
    model.fit(X, y)
    for member, rows in zip(model.estimators_, model.estimators_samples_):
        assert member.n_rows_ == len(X)
        assert_array_equal(member.weights_, np.bincount(rows, minlength=len(X)))


def test_members_without_sample_weight_get_indexed_rows(regression_data):
    X, y = regression_data
    model = BaggingRegressor(
        UnweightedRegressor(), n_estimators=3, max_samples=50, random_state=0
    ).fit(X, y)
    for member, rows in zip(model.estimators_, model.estimators_samples_):
        assert member.n_rows_ == 50
        assert member.mean_ == pytest.approx(np.mean(y[rows]))


def test_sample_weight_draws_rows_in_proportion(regression_data):
    X, y = regression_data
    weight = np.ones(len(y))
    weight[:100] = 0.0
    weight_before = weight.copy()
    model = BaggingRegressor(n_estimators=10, random_state=0)
    model.fit(X, y, sample_weight=weight)
    assert_array_equal(weight, weight_before)
    for rows in model.estimators_samples_:
        assert rows.min() >= 100
    # scikit-learn's semantics, member for member.
    theirs = sk_ensemble.BaggingRegressor(n_estimators=10, random_state=0)
    theirs.fit(X, y, sample_weight=weight)
    assert_allclose(model.predict(X), theirs.predict(X))


def test_weighted_bags_that_are_too_small_or_cannot_be_drawn(regression_data):
    X, y = regression_data
    # Normalised weights sum to 1: a fraction of that is a bag of one row.
    tiny = BaggingRegressor(n_estimators=2, max_samples=1.0, random_state=0)
    with pytest.warns(UserWarning, match=r"low number \(1\) of bootstrap samples"):
        tiny.fit(X, y, sample_weight=np.full(len(y), 1 / len(y)))
    assert all(len(rows) == 1 for rows in tiny.estimators_samples_)
    # Few rows are no reason to warn: the bag is what was asked for.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for weight in [None, np.ones(9)]:
            few = BaggingRegressor(n_estimators=2, max_samples=1.0, random_state=0)
            few.fit(X[:9], y[:9], sample_weight=weight)
            few.set_params(max_samples=0.2).fit(X[:40], y[:40])  # 8 rows
    # Without replacement, a bag cannot hold more rows than have weight.
    weight = np.ones(len(y))
    weight[10:] = 0.0
    pasting = BaggingRegressor(bootstrap=False, max_samples=20, random_state=0)
    with pytest.warns(UserWarning, match="recommended to use bootstrap=True"):
        with pytest.raises(ValueError, match="only 10 rows have a positive"):
            pasting.fit(X, y, sample_weight=weight)


@pytest.mark.parametrize(
    "estimator",
    [
        Ridge(),
        KNeighborsRegressor(n_neighbors=3),
        make_pipeline(StandardScaler(), Ridge()),
        LGBMRegressor(n_estimators=10, verbose=-1),
        HistGradientBoostingRegressor(max_iter=10),
    ],
    ids=["ridge", "knn", "pipeline", "lightgbm", "histgb"],
)
def test_any_regressor_works(regression_data, estimator):
    X, y = regression_data
    model = BaggingRegressor(estimator, n_estimators=4, random_state=0).fit(X, y)
    assert len(model.estimators_) == 4
    assert model.score(X, y) > 0.5
    assert all(type(m) is type(estimator) for m in model.estimators_)


def test_lightgbm_classifier_members(multiclass_data):
    X, y = multiclass_data
    model = BaggingClassifier(
        LGBMClassifier(n_estimators=10, verbose=-1), n_estimators=4, random_state=0
    ).fit(X, y)
    assert model.score(X, y) > 0.8


def test_multithreaded_members_share_the_cores(regression_data):
    X, y = regression_data
    model = BaggingRegressor(
        LGBMRegressor(n_estimators=5, verbose=-1),
        n_estimators=4,
        n_jobs=2,
        random_state=0,
    ).fit(X, y)
    share = max(1, cpu_count() // 2)
    assert all(m.n_jobs == share for m in model.estimators_)
    # One worker at a time: members keep their own setting.
    serial = clone(model).set_params(n_jobs=1).fit(X, y)
    assert all(m.n_jobs is None for m in serial.estimators_)


def test_missing_values_pass_through_when_member_accepts_them(regression_data):
    X, y = regression_data
    X = X.copy()
    X[::7, 2] = np.nan
    for estimator in [
        DecisionTreeRegressor(),
        HistGradientBoostingRegressor(max_iter=5),
        LGBMRegressor(n_estimators=5, verbose=-1),
        make_pipeline(SimpleImputer(), Ridge()),
        # Column transformers do not tag what their transformers accept.
        make_pipeline(
            ColumnTransformer([("impute", SimpleImputer(), [0, 2])]), Ridge()
        ),
    ]:
        model = BaggingRegressor(estimator, n_estimators=3, random_state=0).fit(X, y)
        assert np.isfinite(model.predict(X)).all()
    # A member that refuses them says so, named (scikit-learn's bagging
    # leaves missing values to its members too).
    with pytest.raises(ValueError, match="member 0 failed.*Input X contains NaN"):
        BaggingRegressor(Ridge(), n_estimators=3).fit(X, y)
    # A column transformer that hands the missing values on: the member says.
    passes_nan = make_pipeline(
        ColumnTransformer([("keep", "passthrough", [2])]), Ridge()
    )
    with pytest.raises(ValueError, match="member .* failed.*Input X contains NaN"):
        BaggingRegressor(passes_nan, n_estimators=3).fit(X, y)


def test_sparse_input(regression_data):
    X, y = regression_data
    X_sparse = sparse.csr_matrix(np.where(X > 0.5, X, 0.0))
    theirs = sk_ensemble.BaggingRegressor(n_estimators=4, random_state=0)
    model = BaggingRegressor(n_estimators=4, random_state=0).fit(X_sparse, y)
    assert_allclose(model.predict(X_sparse), theirs.fit(X_sparse, y).predict(X_sparse))
    assert model.score(X_sparse, y) > 0.5
    with pytest.raises(TypeError, match="Sparse data was passed"):
        BaggingRegressor(HistGradientBoostingRegressor(), n_estimators=2).fit(
            X_sparse, y
        )


# --------------------------------------------------------------------------
# Determinism, parallelism, warm start, progress
# (same results for any n_jobs and backend, warm start equal to one fit,
# clone, pickle and untouched inputs: test_shared_behaviour.py)
# --------------------------------------------------------------------------
def test_parallel_config_n_jobs_is_honoured(regression_data):
    X, y = regression_data
    reference = BaggingRegressor(n_estimators=4, random_state=0).fit(X, y).predict(X)
    with parallel_config(backend="threading", n_jobs=2):
        model = BaggingRegressor(
            LGBMRegressor(n_estimators=5, verbose=-1), n_estimators=4, random_state=0
        ).fit(X, y)
    # n_jobs=None inherits the two workers: members share the cores.
    assert all(m.n_jobs == max(1, cpu_count() // 2) for m in model.estimators_)
    with parallel_config(backend="threading", n_jobs=2):
        again = BaggingRegressor(n_estimators=4, random_state=0).fit(X, y).predict(X)
    assert_array_equal(again, reference)


def test_warm_start_with_another_estimator_type(regression_data):
    X, y = regression_data
    model = BaggingRegressor(Ridge(), n_estimators=3, warm_start=True, random_state=0)
    before = model.fit(X, y).predict(X)
    model.set_params(estimator=DecisionTreeRegressor(max_depth=3), n_estimators=6)
    with pytest.raises(ValueError, match="has Ridge members; the estimator is now"):
        model.fit(X, y)
    assert_array_equal(model.predict(X), before)
    # Other parameters of the same type may change, as in scikit-learn.
    model.set_params(estimator=Ridge(alpha=5.0)).fit(X, y)
    assert len(model.estimators_) == 6 and model.estimators_[-1].alpha == 5.0


def test_warm_start_errors(regression_data):
    X, y = regression_data
    model = BaggingRegressor(n_estimators=4, warm_start=True, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="does not fit new estimators"):
        model.fit(X, y)
    before = model.predict(X)
    with pytest.raises(ValueError, match="must be larger or equal"):
        model.set_params(n_estimators=2).fit(X, y)
    # A failed warm start leaves the ensemble as it was, as in scikit-learn.
    assert_array_equal(model.predict(X), before)
    with pytest.raises(ValueError, match="warm-started"):
        model.set_params(n_estimators=6).fit(X[:, :5], y)
    assert len(model.estimators_) == 4
    # Also when a new member fails while the ensemble grows.
    flaky = BaggingRegressor(Flaky(), n_estimators=3, warm_start=True, random_state=0)
    flaky.fit(X, y)
    before = flaky.predict(X)
    flaky.set_params(n_estimators=6, estimator__fail=True)
    with pytest.raises(ValueError, match="member 3.*flaked"):
        flaky.fit(X, y)
    assert_array_equal(flaky.predict(X), before)
    assert len(flaky.estimators_) == len(flaky.estimators_features_) == 3
    # Other classes than the fitted members know are refused.
    classifier = BaggingClassifier(n_estimators=2, warm_start=True, random_state=0)
    X_iris, y_iris = load_iris(return_X_y=True)
    classifier.fit(X_iris, y_iris).set_params(n_estimators=4)
    with pytest.raises(ValueError, match="different classes"):
        classifier.fit(X_iris, np.where(y_iris == 2, 5, y_iris))
    assert_array_equal(classifier.classes_, [0, 1, 2])
    assert len(classifier.estimators_) == 2
    # A cold fit that fails leaves the model unfitted, never half-built.
    flaky.set_params(warm_start=False)
    with pytest.raises(ValueError, match="flaked"):
        flaky.fit(X, y)
    with pytest.raises(NotFittedError):
        flaky.predict(X)


class Flaky(RegressorMixin, BaseEstimator):
    def __init__(self, fail=False):
        self.fail = fail

    def fit(self, X, y):
        if self.fail:
            raise ValueError("flaked")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_decision_function_of_members_that_missed_a_class():
    X, y = load_iris(return_X_y=True)
    # LinearSVC drops the classes whose rows all have zero weight.
    model = BaggingClassifier(
        LinearSVC(), n_estimators=10, max_samples=3, random_state=0
    ).fit(X, y)
    with pytest.raises(ValueError, match=r"shape \(150,\), not \(150, 3\)"):
        model.decision_function(X)
    # Sparse input, members that saw every class.
    Xs = sparse.csr_matrix(X)
    full = BaggingClassifier(LogisticRegression(), n_estimators=3, random_state=0)
    assert full.fit(Xs, y).decision_function(Xs).shape == (150, 3)
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("random_state", [None, np.random.RandomState(0)])
def test_warm_start_keeps_the_bags_of_fitted_members(regression_data, random_state):
    X, y = regression_data
    model = BaggingRegressor(
        n_estimators=3, warm_start=True, random_state=random_state
    ).fit(X, y)
    bags = model.estimators_samples_
    # Grown on other (fewer) rows: the first members' bags stay theirs.
    model.set_params(n_estimators=5).fit(X[:50], y[:50])
    for before, after in zip(bags, model.estimators_samples_[:3]):
        assert_array_equal(before, after)
    assert max(bag.max() for bag in model.estimators_samples_[3:]) < 50
    # The bags are those the members were fitted on (trees count the rows
    # of their bag at the root, weighted by how often each was drawn).
    for tree, bag in zip(model.estimators_, model.estimators_samples_):
        assert tree.tree_.weighted_n_node_samples[0] == len(bag)


def test_refit_without_oob_drops_the_old_oob_attributes(regression_data):
    X, y = regression_data
    model = BaggingRegressor(n_estimators=30, oob_score=True, random_state=0)
    model.fit(X, y).set_params(oob_score=False).fit(X[:50], y[:50])
    assert not hasattr(model, "oob_score_")
    assert not hasattr(model, "oob_prediction_")
    X, y = load_iris(return_X_y=True)
    model = BaggingClassifier(n_estimators=30, oob_score=True, random_state=0)
    model.fit(X, y).set_params(oob_score=False).fit(X, y)
    assert not hasattr(model, "oob_decision_function_")


def test_verbose_reports_progress(regression_data, progress_bars, capsys):
    X, y = regression_data
    BaggingRegressor(n_estimators=20, verbose=1, random_state=0).fit(X, y)
    [bar] = progress_bars
    assert (bar.desc, bar.unit, bar.total) == (
        "BaggingRegressor: fitting members",
        "member",
        20,
    )
    assert bar.n == 20 and bar.closed
    progress_bars.clear()
    BaggingRegressor(n_estimators=20, random_state=0).fit(X, y)
    assert progress_bars == [] and capsys.readouterr().err == ""


# --------------------------------------------------------------------------
# scikit-learn integration
# --------------------------------------------------------------------------
def test_pipeline_gridsearch_cross_val(regression_data):
    X, y = regression_data
    pipe = make_pipeline(
        StandardScaler(),
        BaggingRegressor(DecisionTreeRegressor(), n_estimators=5, random_state=0),
    )
    assert pipe.get_params()["baggingregressor__estimator__max_depth"] is None
    search = GridSearchCV(
        pipe,
        {
            "baggingregressor__estimator__max_depth": [2, None],
            "baggingregressor__n_estimators": [3, 6],
        },
        cv=3,
    ).fit(X, y)
    assert search.best_params_ == {
        "baggingregressor__estimator__max_depth": None,
        "baggingregressor__n_estimators": 6,
    }
    scores = cross_val_score(
        BaggingRegressor(n_estimators=5, random_state=0), X, y, cv=3
    )
    assert scores.shape == (3,) and np.all(scores > 0.3)


def test_nested_params_reach_members(multiclass_data):
    X, y = multiclass_data
    model = BaggingClassifier(DecisionTreeClassifier(), n_estimators=3, random_state=0)
    model.set_params(estimator__max_depth=2).fit(X, y)
    assert all(m.get_depth() <= 2 for m in model.estimators_)
    assert model.estimator.max_depth == 2  # the user's template, never fitted
    assert not hasattr(model.estimator, "tree_")


def test_feature_names_with_pandas(regression_data):
    pd = pytest.importorskip("pandas")
    X, y = regression_data
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    model = BaggingRegressor(n_estimators=3, random_state=0).fit(frame, y)
    assert_array_equal(model.feature_names_in_, frame.columns)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame.rename(columns={"x0": "other"}))


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"n_estimators": 0}, InvalidParameterError, "n_estimators"),
        ({"max_samples": 1.5}, InvalidParameterError, "max_samples"),
        ({"max_features": 50}, ValueError, "max_features=50"),
        ({"max_samples": 1000, "bootstrap": False}, ValueError, "max_samples"),
        ({"oob_score": True, "bootstrap": False}, ValueError, "Out of bag"),
        ({"estimator": "tree"}, InvalidParameterError, "estimator"),
    ],
)
def test_invalid_parameters(regression_data, params, error, match):
    X, y = regression_data
    with pytest.raises(error, match=match):
        BaggingRegressor(**params).fit(X, y)


def test_parameter_validation_honours_sklearn_config(regression_data):
    X, y = regression_data
    with pytest.raises(InvalidParameterError, match="max_samples"):
        BaggingRegressor(max_samples=1.5, n_estimators=2).fit(X, y)
    # As scikit-learn's estimators: the check is skipped on request (the bags
    # then hold 1.5 times n_samples rows)...
    with sklearn.config_context(skip_parameter_validation=True):
        model = BaggingRegressor(max_samples=1.5, n_estimators=2).fit(X, y)
    assert len(model.estimators_samples_[0]) == int(1.5 * len(X))
    # ...while the members still check their own parameters.
    with pytest.raises(InvalidParameterError, match="max_depth"):
        BaggingRegressor(DecisionTreeRegressor(max_depth=-1)).fit(X, y)


def test_invalid_voting(multiclass_data):
    X, y = multiclass_data
    with pytest.raises(InvalidParameterError, match="voting"):
        BaggingClassifier(voting="majority").fit(X, y)


def test_bad_input_errors(regression_data):
    X, y = regression_data
    model = BaggingRegressor(n_estimators=3)
    with pytest.raises(NotFittedError):
        model.predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        model.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        model.fit(X, np.where(np.arange(len(y)) == 3, np.nan, y))
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        model.fit(X[:0], y[:0])
    model.fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features"):
        model.predict(X[:, :4])
    with pytest.raises(ValueError, match="negative"):
        model.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match=re.escape("sample_weight has 10 values")):
        model.fit(X, y, sample_weight=np.ones(10))


def test_one_class_is_rejected(multiclass_data):
    X, _ = multiclass_data
    with pytest.raises(ValueError, match="only one class"):
        BaggingClassifier(n_estimators=3).fit(X, np.zeros(len(X)))


def test_continuous_target_rejected_by_classifier(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="Unknown label type"):
        BaggingClassifier(n_estimators=3).fit(X, y)


def test_iris_accuracy():
    X, y = load_iris(return_X_y=True)
    model = BaggingClassifier(n_estimators=40, oob_score=True, random_state=0).fit(X, y)
    assert model.oob_score_ > 0.9


# --------------------------------------------------------------------------
# Metadata routing (as scikit-learn's bagging routes)
# --------------------------------------------------------------------------
def _records(member, method, caller):
    return member._records[method][caller]


def test_routed_fit_metadata_follows_each_bags_rows(regression_data):
    X, y = regression_data
    metadata = np.arange(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        member = ConsumingRegressor().set_fit_request(metadata=True)
        model = BaggingRegressor(member, n_estimators=3, random_state=0)
        model.fit(X, y, metadata=metadata)
        # The member does not request sample_weight: its bag is copied rows,
        # and the metadata are those rows' metadata.
        for fitted, rows in zip(model.estimators_, model.estimators_samples_):
            (record,) = _records(fitted, "fit", "fit")
            assert set(record) == {"metadata"}
            assert_array_equal(record["metadata"], metadata[rows])
        # Requesting sample_weight: the bag is integer weights on every row,
        # and the metadata are passed whole.
        member = ConsumingRegressor().set_fit_request(metadata=True, sample_weight=True)
        model = BaggingRegressor(member, n_estimators=3, random_state=0)
        model.fit(X, y, metadata=metadata)
        for fitted, rows in zip(model.estimators_, model.estimators_samples_):
            (record,) = _records(fitted, "fit", "fit")
            assert_array_equal(record["metadata"], metadata)
            assert_array_equal(
                record["sample_weight"], np.bincount(rows, minlength=len(y))
            )
    assert_array_equal(metadata, np.arange(len(y)))  # not modified


def test_set_fit_request_false_draws_rows(regression_data):
    X, y = regression_data
    # Without routing the signature decides: integer weights on every row.
    model = BaggingRegressor(RecordingRegressor(), n_estimators=3, random_state=0)
    assert all(m.n_rows_ == len(y) for m in model.fit(X, y).estimators_)
    with sklearn.config_context(enable_metadata_routing=True):
        member = RecordingRegressor().set_fit_request(sample_weight=False)
        model = BaggingRegressor(member, n_estimators=3, random_state=0)
        weight = np.ones(len(y))
        weight[:100] = 0.0
        model.fit(X, y, sample_weight=weight)
    for fitted, rows in zip(model.estimators_, model.estimators_samples_):
        assert fitted.weights_ is None
        assert fitted.n_rows_ == len(rows) == len(y)
        # The ensemble's sample_weight still draws the bags.
        assert rows.min() >= 100
        assert fitted.mean_ == pytest.approx(np.mean(y[rows]))


def test_members_match_sklearn_with_routing_enabled(regression_data, multiclass_data):
    # With routing enabled a tree that requests nothing gets copied rows, in
    # scikit-learn's bagging as in ours: the same members.
    X, y = regression_data
    with sklearn.config_context(enable_metadata_routing=True):
        ours = BaggingRegressor(n_estimators=4, random_state=1).fit(X, y)
        theirs = sk_ensemble.BaggingRegressor(n_estimators=4, random_state=1)
        assert_allclose(ours.predict(X), theirs.fit(X, y).predict(X))
        X, y = multiclass_data
        ours = BaggingClassifier(n_estimators=4, random_state=1).fit(X, y)
        theirs = sk_ensemble.BaggingClassifier(n_estimators=4, random_state=1)
        theirs.fit(X, y)
        assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
        with np.errstate(divide="ignore"):  # scikit-learn's log(0)
            assert_allclose(ours.predict_log_proba(X), theirs.predict_log_proba(X))


def test_metadata_refused_without_routing(regression_data):
    X, y = regression_data
    model = BaggingRegressor(ConsumingRegressor(), n_estimators=2)
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        model.fit(X, y, metadata=np.ones(len(y)))
    assert not hasattr(model, "estimators_")
    model.fit(X, y, sample_weight=np.ones(len(y)))  # the ensemble's own
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        model.predict(X, metadata=np.ones(len(y)))
    classifier = BaggingClassifier(LogisticRegression(), n_estimators=2)
    classifier.fit(X, y > np.median(y))
    for method in ["predict", "predict_proba", "predict_log_proba"]:
        with pytest.raises(ValueError, match="enable_metadata_routing=True"):
            getattr(classifier, method)(X, metadata=1)
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        classifier.decision_function(X, metadata=1)


def test_unrequested_metadata_is_an_error_with_routing(regression_data):
    X, y = regression_data
    with sklearn.config_context(enable_metadata_routing=True):
        model = BaggingRegressor(ConsumingRegressor(), n_estimators=2)
        with pytest.raises(UnsetMetadataPassedError, match=r"\[metadata\] are passed"):
            model.fit(X, y, metadata=np.ones(len(y)))
        model.fit(X, y)
        with pytest.raises(UnsetMetadataPassedError, match="Regressor.predict"):
            model.predict(X, metadata=np.ones(len(y)))


@pytest.mark.parametrize(
    "voting, caller, callee",
    [
        ("soft", "predict", "predict_proba"),
        ("soft", "predict_proba", "predict_proba"),
        ("soft", "predict_log_proba", "predict_log_proba"),
        ("soft", "decision_function", "decision_function"),
        ("hard", "predict", "predict"),
        ("hard", "predict_proba", "predict"),
        ("hard", "predict_log_proba", "predict"),
    ],
)
def test_prediction_metadata_reach_the_members_method(voting, caller, callee):
    X, y = load_iris(return_X_y=True)
    y = y > 0  # two classes: ConsumingClassifier scores one column
    metadata = np.arange(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        member = ConsumingClassifier()
        getattr(member, f"set_{callee}_request")(metadata=True)
        model = BaggingClassifier(member, n_estimators=3, voting=voting)
        mapping = model.get_metadata_routing()._route_mappings["estimator"].mapping
        assert {(m.caller, m.callee) for m in mapping} >= {
            ("fit", "fit"),
            (caller, callee),
        }
        model.fit(X, y)
        getattr(model, caller)(X, metadata=metadata)
    for fitted in model.estimators_:
        check_recorded_metadata(fitted, callee, caller, metadata=metadata)


def test_regressor_predict_metadata_and_return_std(regression_data):
    X, y = regression_data
    with sklearn.config_context(enable_metadata_routing=True):
        member = ConsumingRegressor().set_predict_request(metadata=True)
        model = BaggingRegressor(member, n_estimators=3).fit(X, y)
        mean, std = model.predict(X, return_std=True, metadata="m")
    assert_array_equal(mean, 0.0)
    assert_array_equal(std, 0.0)
    for fitted in model.estimators_:
        check_recorded_metadata(fitted, "predict", "predict", metadata="m")


def test_return_std_is_keyword_only(regression_data):
    X, y = regression_data
    model = BaggingRegressor(n_estimators=2, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="positional argument"):
        model.predict(X, y)
    with pytest.raises(TypeError, match="positional argument"):
        model.predict(X, True)


def test_default_routing_is_an_empty_router():
    for model in [BaggingRegressor(ConsumingRegressor()), BaggingClassifier()]:
        router = model.get_metadata_routing()
        assert isinstance(router, MetadataRouter)
        assert not router.consumes("fit", {"sample_weight", "metadata"})


def test_predict_log_proba_matches_sklearn(multiclass_data):
    X, y = multiclass_data
    ours = BaggingClassifier(n_estimators=6, max_samples=20, random_state=0).fit(X, y)
    theirs = sk_ensemble.BaggingClassifier(
        n_estimators=6, max_samples=20, random_state=0
    ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log(0) is -inf, not a warning
        log_proba = ours.predict_log_proba(X)
    assert np.isneginf(log_proba).any()
    with np.errstate(divide="ignore"):
        assert_allclose(log_proba, theirs.predict_log_proba(X))
        assert_allclose(log_proba, np.log(ours.predict_proba(X)))


# --------------------------------------------------------------------------
# Missing and infinite values are the members' business
# --------------------------------------------------------------------------
def _zero_non_finite(X):
    X = np.asarray(X, dtype=float).copy()
    X[~np.isfinite(X)] = 0.0
    return X


def test_non_finite_values_reach_the_members(regression_data):
    X, y = regression_data
    X = X.copy()
    X[::7, 2] = np.nan
    X[1::7, 3] = np.inf
    X[2::7, 4] = -np.inf
    cleaning = make_pipeline(FunctionTransformer(_zero_non_finite), Ridge())
    model = BaggingRegressor(cleaning, n_estimators=3, random_state=0).fit(X, y)
    expected = np.mean([m.predict(X) for m in model.estimators_], axis=0)
    assert_allclose(model.predict(X), expected)
    assert np.isfinite(expected).all()
    classifier = BaggingClassifier(
        make_pipeline(FunctionTransformer(_zero_non_finite), LogisticRegression()),
        n_estimators=3,
        random_state=0,
    ).fit(X, y > np.median(y))
    assert np.isfinite(classifier.predict_proba(X)).all()


def test_member_refusing_non_finite_values_is_named(regression_data):
    X, y = regression_data
    X_nan = X.copy()
    X_nan[5, 1] = np.nan
    X_inf = X.copy()
    X_inf[5, 1] = np.inf
    with pytest.raises(
        ValueError,
        match=r"BaggingRegressor: fitting member 0 failed: ValueError: "
        r"Input X contains NaN",
    ):
        BaggingRegressor(Ridge(), n_estimators=2).fit(X_nan, y)
    # A tree takes missing values but not infinity.
    with pytest.raises(ValueError, match=r"fitting member 0 failed.*infinity"):
        BaggingRegressor(n_estimators=2).fit(X_inf, y)
    with pytest.raises(
        ValueError, match=r"BaggingClassifier: fitting member 0 failed.*NaN"
    ):
        BaggingClassifier(LogisticRegression(), n_estimators=2).fit(
            X_nan, y > np.median(y)
        )
    model = BaggingRegressor(Ridge(), n_estimators=2).fit(X, y)
    with pytest.raises(
        ValueError, match=r"BaggingRegressor: member 0's predict failed.*NaN"
    ):
        model.predict(X_nan)
    # The tags still say what the members accept.
    assert not get_tags(model).input_tags.allow_nan
    assert get_tags(BaggingRegressor()).input_tags.allow_nan
