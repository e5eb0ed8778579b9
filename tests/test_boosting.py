"""BoostingRegressor and BoostingClassifier."""

import warnings

import numpy as np
import pytest
import sklearn
from lightgbm import LGBMRegressor
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    make_classification,
    make_friedman1,
)
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.exceptions import NotFittedError, UnsetMetadataPassedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from ensembles import BoostingClassifier, BoostingRegressor
from ensembles._losses import (
    AbsoluteError,
    BinomialLogLoss,
    ExponentialLoss,
    HuberLoss,
    MultinomialLogLoss,
    QuantileLoss,
    SquaredError,
    weighted_quantile,
)


# --------------------------------------------------------------------------
# The algorithm
# --------------------------------------------------------------------------
def test_squared_error_with_depth3_trees_is_sklearn_gradient_boosting(
    regression_data_400,
):
    X, y = regression_data_400
    ours = BoostingRegressor(n_estimators=60, random_state=0).fit(X, y)
    theirs = GradientBoostingRegressor(
        n_estimators=60, max_depth=3, random_state=0
    ).fit(X, y)
    assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-8)
    assert_allclose(ours.train_score_, theirs.train_score_, rtol=1e-8)
    # With least-squares members the line search is the plain residual step.
    assert_allclose(ours.estimator_weights_, 0.1, rtol=1e-10)
    # Equal up to ties between features that split the rows alike.
    assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=3e-3)


@pytest.mark.parametrize(
    "estimator",
    [Ridge(alpha=10.0), KNeighborsRegressor(n_neighbors=7)],
    ids=["ridge", "knn"],
)
def test_non_tree_members_never_increase_training_loss(regression_data_400, estimator):
    X, y = regression_data_400
    model = BoostingRegressor(estimator, n_estimators=25, learning_rate=0.5)
    model.fit(X, y)
    initial = np.mean((y - y.mean()) ** 2)
    losses = np.concatenate([[initial], model.train_score_])
    assert np.all(np.diff(losses) <= 1e-10)
    assert losses[-1] < initial


def test_boosting_reduces_bias_of_stumps():
    X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    X_test, y_test = make_friedman1(n_samples=2000, noise=1.0, random_state=1)
    stump = DecisionTreeRegressor(max_depth=1).fit(X, y)
    boosted = BoostingRegressor(
        DecisionTreeRegressor(max_depth=1), n_estimators=200, learning_rate=0.3
    ).fit(X, y)
    stump_mse = np.mean((stump.predict(X_test) - y_test) ** 2)
    boosted_mse = np.mean((boosted.predict(X_test) - y_test) ** 2)
    assert boosted_mse < 0.4 * stump_mse


def test_lightgbm_member(regression_data_400):
    X, y = regression_data_400
    model = BoostingRegressor(
        LGBMRegressor(n_estimators=5, num_leaves=4, verbose=-1),
        n_estimators=10,
        learning_rate=0.5,
        random_state=0,
    ).fit(X, y)
    assert np.all(np.diff(model.train_score_) < 0)
    assert model.score(X, y) > 0.8


@pytest.mark.parametrize(
    "loss, alpha", [("absolute_error", 0.9), ("huber", 0.9), ("quantile", 0.8)]
)
def test_robust_losses_decrease_training_loss(regression_data_400, loss, alpha):
    X, y = regression_data_400
    model = BoostingRegressor(n_estimators=40, loss=loss, alpha=alpha, random_state=0)
    model.fit(X, y)
    assert model.train_score_[-1] < 0.5 * model.train_score_[0]


def test_quantile_loss_predicts_the_quantile(regression_data_400):
    X, y = regression_data_400
    for alpha in [0.1, 0.9]:
        model = BoostingRegressor(
            DecisionTreeRegressor(max_depth=2),
            n_estimators=100,
            loss="quantile",
            alpha=alpha,
            random_state=0,
        ).fit(X, y)
        coverage = np.mean(y <= model.predict(X))
        assert coverage == pytest.approx(alpha, abs=0.08)


def test_huber_resists_outliers():
    X, y = make_friedman1(n_samples=500, noise=0.5, random_state=0)
    X_test, y_test = make_friedman1(n_samples=2000, noise=0.0, random_state=1)
    y_dirty = y.copy()
    y_dirty[::10] += 60.0
    errors = {}
    for loss in ["squared_error", "huber", "absolute_error"]:
        model = BoostingRegressor(n_estimators=100, loss=loss, random_state=0)
        model.fit(X, y_dirty)
        errors[loss] = np.mean(np.abs(model.predict(X_test) - y_test))
    assert errors["huber"] < 0.6 * errors["squared_error"]
    assert errors["absolute_error"] < 0.6 * errors["squared_error"]


# --------------------------------------------------------------------------
# Line searches: the minimum along the direction for the regression losses;
# one damped Newton step for the classification losses
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss",
    [SquaredError(), AbsoluteError(), QuantileLoss(0.3), HuberLoss(0.8)],
    ids=["squared", "absolute", "quantile", "huber"],
)
def test_regression_line_search_is_optimal(loss):
    rng = np.random.RandomState(0)
    y = rng.normal(size=200)
    raw = rng.normal(size=(200, 1))
    direction = y[:, None] - raw + rng.normal(scale=0.5, size=(200, 1))
    weight = rng.uniform(0.5, 2.0, size=200)
    loss.prepare_stage(y, raw, weight)
    rho = loss.line_search(y, raw, direction, weight)[0]
    grid = np.linspace(rho - 1, rho + 1, 401)
    values = [loss(y, raw + direction * step, weight) for step in grid]
    assert loss(y, raw + direction * rho, weight) <= min(values) + 1e-9


@pytest.mark.parametrize(
    "loss, n_classes",
    [
        (BinomialLogLoss(), 2),
        (ExponentialLoss(), 2),
        (MultinomialLogLoss(3), 3),
    ],
    ids=["binomial", "exponential", "multinomial"],
)
def test_newton_line_search(loss, n_classes):
    rng = np.random.RandomState(0)
    if n_classes is None:
        y = rng.normal(size=300)
        raw = rng.normal(size=(300, 1))
    else:
        y = rng.randint(n_classes, size=300)
        raw = rng.normal(scale=0.3, size=(300, loss.n_columns))
    weight = rng.uniform(0.5, 2.0, size=300)
    loss.prepare_stage(y, raw, weight)
    # Partly aligned with the gradient, so that the step is finite.
    direction = 0.5 * loss.negative_gradient(y, raw) + rng.normal(size=raw.shape)
    rho = loss.line_search(y, raw, direction, weight)
    # The Newton step of the loss along each column, from 0:
    gradient, hessian = loss.gradient_and_hessian(y, raw)
    w = weight[:, None]
    newton = np.sum(w * gradient * direction, axis=0) / np.sum(
        w * hessian * direction**2, axis=0
    )
    assert_allclose(rho, newton)
    assert loss(y, raw + direction * rho, weight) < loss(y, raw, weight)


def test_newton_step_is_halved_until_the_loss_falls():
    loss = BinomialLogLoss()
    y = np.array([1, 1])
    raw = np.array([[0.0], [10.0]])
    # Right on the uncertain row, wildly wrong on the confident one: the
    # quadratic model trusts the direction far too far.
    direction = np.array([[1.0], [-100.0]])
    weight = np.ones(2)
    gradient, hessian = loss.gradient_and_hessian(y, raw)
    newton = np.sum(gradient * direction) / np.sum(hessian * direction**2)
    assert loss(y, raw + direction * newton, weight) > loss(y, raw, weight)
    rho = loss.line_search(y, raw, direction, weight)[0]
    halvings = np.log2(newton / rho)
    assert halvings >= 1 and np.isclose(halvings, round(halvings))
    assert loss(y, raw + direction * rho, weight) < loss(y, raw, weight)
    # Along a direction the loss does not slope, no step.
    balanced = np.array([0, 1, 1, 0])
    flat = loss.line_search(balanced, np.zeros((4, 1)), -np.ones((4, 1)), np.ones(4))
    assert flat == 0.0


def test_huber_line_search_moves_a_stage_of_outliers():
    # Every row the base learner moves lies beyond delta, where the Huber
    # loss has no curvature: a Newton step was 0 and the stage was lost.
    loss = HuberLoss(0.5)
    y = np.array([0.0, 0.1, -0.1, 5.0, 6.0])
    raw = np.zeros((5, 1))
    loss.prepare_stage(y, raw, np.ones(5))
    direction = np.array([[0.0], [0.0], [0.0], [1.0], [1.0]])
    _, hessian = loss.gradient_and_hessian(y, raw)
    assert np.all(hessian[direction[:, 0] != 0] == 0)
    rho = loss.line_search(y, raw, direction, np.ones(5))[0]
    # The two outliers are fitted exactly as far as the loss allows.
    grid = np.linspace(0, 10, 10001)
    values = [loss(y, raw + direction * step, np.ones(5)) for step in grid]
    assert rho > 4 and loss(y, raw + direction * rho, np.ones(5)) <= min(values) + 1e-12


@pytest.mark.parametrize("weighted", [False, True])
def test_huber_tree_leaves_are_sklearns(weighted):
    # A leaf holding only outliers (residuals beyond delta) has no Huber
    # curvature: a Newton step left it at 0. Friedman's leaf (the median
    # plus the clipped mean deviation) fits it, as scikit-learn's does.
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(400, 1))
    y = rng.normal(scale=0.3, size=400) + 100 * (X[:, 0] > 0.96)
    weight = rng.uniform(0.5, 2.0, 400) if weighted else None
    ours = BoostingRegressor(loss="huber", n_estimators=30, random_state=0)
    theirs = GradientBoostingRegressor(loss="huber", n_estimators=30, random_state=0)
    ours.fit(X, y, sample_weight=weight)
    theirs.fit(X, y, sample_weight=weight)
    for mine, sklearns in zip(ours.staged_predict(X), theirs.staged_predict(X)):
        assert_allclose(mine, sklearns, atol=1e-8)
    assert np.all(ours.predict(X[X[:, 0] > 0.96]) > 90)


def test_monotonic_trees_stay_monotonic():
    # Leaf values re-computed leaf by leaf would break the constraint; a
    # monotonic tree keeps its own values, scaled by one positive step.
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(1000, 2))
    logit = 6 * X[:, 0] - 3 + 3 * np.sin(12 * X[:, 1])
    y = (rng.uniform(size=1000) < 1 / (1 + np.exp(-logit))).astype(int)
    tree = DecisionTreeRegressor(max_depth=3, monotonic_cst=[1, 0])
    model = BoostingClassifier(tree, n_estimators=30, random_state=0).fit(X, y)
    grid = np.linspace(0, 1, 200)
    for x1 in np.linspace(0, 1, 11):
        scores = model.decision_function(np.column_stack([grid, np.full(200, x1)]))
        assert np.all(np.diff(scores) >= -1e-12)
        assert scores[-1] - scores[0] > 1  # and it learnt the rise along x0


@pytest.mark.parametrize(
    "data, loss",
    [("binary", "log_loss"), ("binary", "exponential"), ("multiclass", "log_loss")],
)
def test_trees_reproduce_sklearn_classifier(data, loss, binary_data, multiclass_data):
    # Trees get a Newton step per leaf (Friedman's TreeBoost), as in
    # scikit-learn: the same ensemble, stage by stage, on the training rows.
    X, y = binary_data if data == "binary" else multiclass_data
    weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    ours = BoostingClassifier(n_estimators=40, loss=loss, random_state=0)
    theirs = GradientBoostingClassifier(n_estimators=40, loss=loss, random_state=0)
    ours.fit(X, y, sample_weight=weight)
    theirs.fit(X, y, sample_weight=weight)
    for mine, sklearns in zip(
        ours.staged_predict_proba(X), theirs.staged_predict_proba(X)
    ):
        assert_allclose(mine, sklearns, atol=1e-10)
    assert_allclose(ours.estimator_weights_, 0.1)


def test_probabilities_stay_calibrated_on_separable_data():
    # A step searched to the minimum along every stage grew without bound
    # once the training rows were separated (held-out log-loss 0.47 here,
    # scikit-learn's 0.20), for trees and other learners alike.
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, random_state=0, stratify=y
    )
    theirs = GradientBoostingClassifier(random_state=0).fit(X_train, y_train)
    bar = log_loss(y_test, theirs.predict_proba(X_test))
    for estimator in [None, make_pipeline(StandardScaler(), Ridge())]:
        ours = BoostingClassifier(estimator, random_state=0).fit(X_train, y_train)
        assert log_loss(y_test, ours.predict_proba(X_test)) < 1.25 * bar


def test_weighted_quantile():
    values = np.array([3.0, 1.0, 2.0, 4.0])
    assert weighted_quantile(values, np.ones(4), 0.5) == 2.0
    assert weighted_quantile(values, np.array([0, 0, 0, 1.0]), 0.5) == 4.0
    assert weighted_quantile(values, np.ones(4), 1.0) == 4.0


# --------------------------------------------------------------------------
# init, subsample, early stopping, staged methods, warm start
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss, cost",
    [
        ("squared_error", lambda y, c: np.mean((y - c) ** 2)),
        ("absolute_error", lambda y, c: np.mean(np.abs(y - c))),
        ("quantile", lambda y, c: np.mean(np.maximum(0.9 * (y - c), -0.1 * (y - c)))),
    ],
)
def test_default_init_is_the_best_constant(regression_data_400, loss, cost):
    X, y = regression_data_400
    model = BoostingRegressor(n_estimators=1, loss=loss, random_state=0).fit(X, y)
    start = model.init_.predict(X[:1])[0]
    # No constant does better: the mean, or (for the piecewise-linear
    # losses, whose minimum lies at a data point) any of the targets.
    candidates = np.append(y, y.mean())
    best = min(cost(y, c) for c in candidates)
    assert cost(y, start) == pytest.approx(best, rel=1e-12)


def test_init_estimator_and_zero(regression_data_400):
    X, y = regression_data_400
    model = BoostingRegressor(init=LinearRegression(), n_estimators=3).fit(X, y)
    linear = LinearRegression().fit(X, y)
    assert_allclose(model.init_.coef_, linear.coef_)
    first_stage = next(model.staged_predict(X))
    step = model.estimator_weights_[0, 0]
    expected = linear.predict(X) + step * model.estimators_[0, 0].predict(X)
    assert_allclose(first_stage, expected)
    # A pipeline as init: it is fitted without weights unless some are given.
    pipe = make_pipeline(StandardScaler(), Ridge())
    piped = BoostingRegressor(init=pipe, n_estimators=3).fit(X, y)
    assert_allclose(piped.init_.predict(X), clone(pipe).fit(X, y).predict(X))
    zero = BoostingRegressor(init="zero", n_estimators=1, learning_rate=1.0)
    zero.fit(X, y)
    assert_allclose(zero.predict(X), zero.estimators_[0, 0].predict(X), rtol=1e-6)


def test_subsample_records_oob_improvement(regression_data_400):
    X, y = regression_data_400
    model = BoostingRegressor(n_estimators=30, subsample=0.5, random_state=0)
    model.fit(X, y)
    assert model.oob_improvement_.shape == (30,)
    assert model.oob_improvement_[:5].min() > 0  # early stages help everywhere
    again = BoostingRegressor(n_estimators=30, subsample=0.5, random_state=0)
    assert_array_equal(again.fit(X, y).predict(X), model.predict(X))
    full = BoostingRegressor(n_estimators=30, random_state=0).fit(X, y)
    assert not hasattr(full, "oob_improvement_")
    assert not np.allclose(full.predict(X), model.predict(X))


def test_early_stopping(regression_data_400):
    X, y = regression_data_400
    model = BoostingRegressor(
        DecisionTreeRegressor(max_depth=6),
        n_estimators=500,
        learning_rate=0.5,
        n_iter_no_change=5,
        validation_fraction=0.2,
        random_state=0,
    ).fit(X, y)
    assert model.n_estimators_ < 500
    assert len(model.validation_score_) == model.n_estimators_
    assert model.estimators_.shape == (model.n_estimators_, 1)
    # It stopped because the last 5 stages did not beat the best before them.
    best_before = model.validation_score_[:-5].min()
    assert model.validation_score_[-5:].min() >= best_before - model.tol
    without = BoostingRegressor(n_estimators=20).fit(X, y)
    assert without.n_estimators_ == 20 and not hasattr(without, "validation_score_")
    # Held-out rows without weight cannot score anything.
    weight = np.zeros(len(y))
    weight[:2] = 1.0
    with pytest.raises(ValueError, match="held out for early stopping has zero"):
        BoostingRegressor(n_iter_no_change=3, random_state=0).fit(
            X, y, sample_weight=weight
        )


def test_staged_methods_end_at_the_final_prediction(
    regression_data_400, multiclass_data
):
    X, y = regression_data_400
    model = BoostingRegressor(n_estimators=15, random_state=0).fit(X, y)
    staged = list(model.staged_predict(X))
    assert len(staged) == 15
    assert_allclose(staged[-1], model.predict(X))
    errors = [np.mean((p - y) ** 2) for p in staged]
    assert_allclose(errors, model.train_score_)

    X, y = multiclass_data
    clf = BoostingClassifier(n_estimators=10, random_state=0).fit(X, y)
    probas = list(clf.staged_predict_proba(X))
    assert len(probas) == 10
    assert_allclose(probas[-1], clf.predict_proba(X))
    assert_array_equal(list(clf.staged_predict(X))[-1], clf.predict(X))
    assert_allclose(list(clf.staged_decision_function(X))[-1], clf.decision_function(X))


# Warm start equal to one fit: test_shared_behaviour.test_warm_start_equals_one_fit
@pytest.mark.parametrize("subsample", [1.0, 0.7])
def test_warm_start_to_fewer_stages_is_an_error(regression_data_400, subsample):
    X, y = regression_data_400
    params = dict(subsample=subsample, random_state=0)
    grown = BoostingRegressor(n_estimators=10, warm_start=True, **params).fit(X, y)
    grown.set_params(n_estimators=25).fit(X, y)
    before = grown.predict(X)
    with pytest.raises(ValueError, match="must be larger or equal"):
        grown.set_params(n_estimators=5).fit(X, y)
    # The failed warm start leaves the 25 stages as they were.
    assert grown.n_estimators_ == 25
    assert_allclose(grown.predict(X), before)


def test_warm_start_with_another_estimator_type(regression_data_400):
    X, y = regression_data_400
    model = BoostingRegressor(Ridge(), n_estimators=3, warm_start=True, random_state=0)
    before = model.fit(X, y).predict(X)
    model.set_params(estimator=DecisionTreeRegressor(max_depth=3), n_estimators=6)
    with pytest.raises(ValueError, match="has Ridge members; the estimator is now"):
        model.fit(X, y)
    assert_allclose(model.predict(X), before)


def test_warm_start_on_a_data_frame_warns_nothing(regression_data_400):
    pd = pytest.importorskip("pandas")
    X, y = regression_data_400
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    model = BoostingRegressor(
        n_estimators=3, n_iter_no_change=5, warm_start=True, random_state=0
    ).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.set_params(n_estimators=6).fit(frame, y)
    assert model.n_estimators_ == 6


def test_feature_importances(regression_data_400):
    X, y = regression_data_400
    model = BoostingRegressor(n_estimators=30, random_state=0).fit(X, y)
    importances = model.feature_importances_
    assert importances.sum() == pytest.approx(1.0)
    # Friedman #1 uses only the first five features.
    assert importances[:5].sum() > 0.9
    ridge = BoostingRegressor(Ridge(), n_estimators=3).fit(X, y)
    assert not hasattr(ridge, "feature_importances_")


# --------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------
def test_classifier_init_must_predict_probabilities(binary_data):
    X, y = binary_data
    # scikit-learn's parameter validation, in its words.
    match = "The 'init' parameter of BoostingClassifier must be .* 'predict_proba'"
    with pytest.raises(InvalidParameterError, match=match):
        BoostingClassifier(init=Ridge(), n_estimators=2).fit(X, y)


def test_binary_outputs(binary_data):
    X, y = binary_data
    model = BoostingClassifier(n_estimators=30, random_state=0).fit(X, y)
    decision = model.decision_function(X)
    assert decision.shape == (len(X),)
    proba = model.predict_proba(X)
    assert_allclose(proba[:, 1], 1 / (1 + np.exp(-decision)))
    assert_array_equal(model.predict(X), (decision > 0).astype(int))
    assert model.estimators_.shape == (30, 1)
    assert_allclose(model.predict_log_proba(X), np.log(proba))
    assert model.score(X, y) > 0.9


def test_multiclass_outputs(multiclass_data):
    X, y = multiclass_data
    model = BoostingClassifier(n_estimators=20, random_state=0).fit(X, y)
    assert model.estimators_.shape == (20, 3)
    decision = model.decision_function(X)
    assert decision.shape == (len(X), 3)
    proba = model.predict_proba(X)
    softmax = np.exp(decision) / np.exp(decision).sum(axis=1, keepdims=True)
    assert_allclose(proba, softmax)
    assert_array_equal(model.predict(X), np.argmax(proba, axis=1))
    assert np.all(np.diff(model.train_score_) < 0)


def test_string_labels(multiclass_data):
    X, y = multiclass_data
    labels = np.array(["low", "mid", "high"], dtype=object)[y]
    model = BoostingClassifier(n_estimators=10, random_state=0).fit(X, labels)
    assert_array_equal(model.classes_, ["high", "low", "mid"])
    assert set(model.predict(X)) <= {"high", "low", "mid"}
    assert model.score(X, labels) > 0.8


def test_exponential_loss(binary_data, multiclass_data):
    X, y = binary_data
    model = BoostingClassifier(n_estimators=30, loss="exponential", random_state=0)
    model.fit(X, y)
    proba = model.predict_proba(X)
    assert_allclose(proba[:, 1], 1 / (1 + np.exp(-2 * model.decision_function(X))))
    assert model.score(X, y) > 0.9
    X, y = multiclass_data
    with pytest.raises(ValueError, match="binary"):
        BoostingClassifier(loss="exponential").fit(X, y)


def test_digits_accuracy_close_to_sklearn():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    ours = BoostingClassifier(n_estimators=30, random_state=0).fit(X_train, y_train)
    theirs = GradientBoostingClassifier(
        n_estimators=30, max_depth=3, random_state=0
    ).fit(X_train, y_train)
    assert ours.score(X_test, y_test) >= theirs.score(X_test, y_test) - 0.01


def test_classifier_early_stopping_is_stratified(multiclass_data):
    X, y = multiclass_data
    model = BoostingClassifier(
        n_estimators=300, learning_rate=0.5, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    assert model.n_estimators_ < 300
    assert model.validation_score_.shape == (model.n_estimators_,)
    # A class of two rows, halved: stratified, one of them is always left
    # to train on (a random split leaves none a quarter of the time).
    X, y = X[:60], np.r_[np.zeros(58, dtype=int), 1, 1]
    for seed in range(20):
        BoostingClassifier(
            n_estimators=3,
            n_iter_no_change=2,
            validation_fraction=0.5,
            random_state=seed,
        ).fit(X, y)


@pytest.mark.parametrize("Model", [BoostingRegressor, BoostingClassifier])
def test_early_stopping_with_missing_values_in_one_part_only(
    Model, regression_data_400
):
    # Trees take missing values; whichever part of the split they fall in,
    # each part is handed to the trees in a form they accept.
    X, y = regression_data_400
    X, y = X[:100].copy(), y[:100]
    if Model is BoostingClassifier:
        y = y > np.median(y)
    X[0, 0] = np.nan
    for seed in range(10):
        model = Model(
            n_estimators=5,
            n_iter_no_change=2,
            validation_fraction=0.5,
            random_state=seed,
        ).fit(X, y)
        assert np.isfinite(model.validation_score_).all()


# --------------------------------------------------------------------------
# Sample weights
# --------------------------------------------------------------------------
def test_integer_weights_equal_repeated_rows_with_ridge_members(regression_data_400):
    X, y = regression_data_400
    X, y = X[:100], y[:100]
    weight = np.random.RandomState(0).randint(0, 3, size=100)
    for loss in ["squared_error", "huber"]:
        params = dict(estimator=Ridge(), n_estimators=10, loss=loss)
        weighted = BoostingRegressor(**params).fit(X, y, sample_weight=weight)
        repeated = BoostingRegressor(**params).fit(
            np.repeat(X, weight, axis=0), np.repeat(y, weight)
        )
        assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6)


def test_member_without_sample_weight_gets_a_clear_error(regression_data_400):
    X, y = regression_data_400
    model = BoostingRegressor(KNeighborsRegressor(), n_estimators=2)
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        model.fit(X, y, sample_weight=np.ones(len(y)))
    # Without weights the same member is fine.
    assert model.fit(X, y).n_estimators_ == 2


# --------------------------------------------------------------------------
# scikit-learn integration and errors
# --------------------------------------------------------------------------
def test_grid_search_over_nested_and_top_level_params(regression_data_400):
    X, y = regression_data_400
    pipe = make_pipeline(
        StandardScaler(), BoostingRegressor(DecisionTreeRegressor(), random_state=0)
    )
    search = GridSearchCV(
        pipe,
        {
            "boostingregressor__estimator__max_depth": [1, 3],
            "boostingregressor__learning_rate": [0.01, 0.3],
            "boostingregressor__n_estimators": [30],
        },
        cv=3,
    ).fit(X, y)
    assert search.best_params_["boostingregressor__estimator__max_depth"] == 3
    assert search.best_params_["boostingregressor__learning_rate"] == 0.3
    scores = cross_val_score(
        BoostingClassifier(n_estimators=10),
        *make_classification(n_samples=120, random_state=0),
        cv=3,
    )
    assert scores.mean() > 0.7


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"loss": "hinge"}, InvalidParameterError, "loss"),
        ({"learning_rate": 0.0}, InvalidParameterError, "learning_rate"),
        ({"subsample": 0.0}, InvalidParameterError, "subsample"),
        ({"n_iter_no_change": 0}, InvalidParameterError, "n_iter_no_change"),
        ({"alpha": 1.5}, InvalidParameterError, "alpha"),
        ({"init": "one"}, InvalidParameterError, "init"),
    ],
)
def test_invalid_parameters(regression_data_400, params, error, match):
    X, y = regression_data_400
    with pytest.raises(error, match=match):
        BoostingRegressor(**params).fit(X, y)


def test_parameter_validation_honours_sklearn_config(regression_data):
    X, y = regression_data
    with pytest.raises(InvalidParameterError, match="n_estimators"):
        BoostingRegressor(n_estimators=0).fit(X, y)
    # As scikit-learn's estimators: the check is skipped on request (the fit
    # then has no stage)...
    with sklearn.config_context(skip_parameter_validation=True):
        assert BoostingRegressor(n_estimators=0).fit(X, y).n_estimators_ == 0
    # ...while the members still check their own parameters.
    with pytest.raises(InvalidParameterError, match="max_depth"):
        BoostingRegressor(DecisionTreeRegressor(max_depth=-1)).fit(X, y)


def test_bad_input(regression_data_400, multiclass_data):
    X, y = regression_data_400
    with pytest.raises(NotFittedError):
        BoostingRegressor().predict(X)
    model = BoostingRegressor(n_estimators=3).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        BoostingRegressor().fit(X, y[:10])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        BoostingRegressor(Ridge()).fit(X_nan, y)
    # Trees accept missing values.
    assert np.isfinite(
        BoostingRegressor(n_estimators=3).fit(X_nan, y).predict(X_nan)
    ).all()
    X, y = multiclass_data
    with pytest.raises(ValueError, match="only one class"):
        BoostingClassifier().fit(X, np.ones(len(y)))


def test_verbose_progress(regression_data_400, progress_bars):
    X, y = regression_data_400
    BoostingRegressor(n_estimators=10, verbose=1).fit(X, y)
    [bar] = progress_bars
    assert (bar.desc, bar.unit, bar.total) == (
        "BoostingRegressor: fitting stages",
        "stage",
        10,
    )
    assert bar.n == 10 and bar.closed
    progress_bars.clear()
    # Early stopping ends the bar where the stages stopped, closed.
    BoostingRegressor(
        n_estimators=200, n_iter_no_change=2, validation_fraction=0.3, verbose=1
    ).fit(X, y)
    [bar] = progress_bars
    assert bar.closed and bar.n < 200


class FailsLater(DecisionTreeRegressor):
    """Fails on its fourth fit (stage 3)."""

    calls = 0

    def fit(self, X, y, sample_weight=None, check_input=True):
        type(self).calls += 1
        if type(self).calls == 4:
            raise ValueError("numerical trouble")
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def test_failing_member_is_named_with_its_stage(regression_data_400):
    X, y = regression_data_400
    FailsLater.calls = 0
    with pytest.raises(ValueError, match="member of stage 3 failed.*numerical"):
        BoostingRegressor(FailsLater(max_depth=2), n_estimators=5).fit(X, y)


# --------------------------------------------------------------------------
# As a GradientBoosting replacement: apply, monitor, out-of-bag scores
# --------------------------------------------------------------------------
def test_apply_gives_each_members_leaves(regression_data_400, multiclass_data):
    X, y = regression_data_400
    reg = BoostingRegressor(n_estimators=4, random_state=0).fit(X, y)
    leaves = reg.apply(X[:50])
    assert leaves.shape == (50, 4)
    for stage, (tree,) in enumerate(reg.estimators_):
        assert_array_equal(leaves[:, stage], tree.apply(X[:50].astype(np.float32)))
    X, y = multiclass_data
    clf = BoostingClassifier(n_estimators=3, random_state=0).fit(X, y)
    leaves = clf.apply(X)
    assert leaves.shape == (len(X), 3, 3)
    for (stage, column), tree in np.ndenumerate(clf.estimators_):
        assert_array_equal(leaves[:, stage, column], tree.apply(X.astype(np.float32)))
    binary = BoostingClassifier(n_estimators=2).fit(X, y == 0)
    assert binary.apply(X).shape == (len(X), 2, 1)
    # Members without leaves: no apply, as a learner without it.
    assert not hasattr(BoostingRegressor(Ridge()), "apply")


@pytest.mark.parametrize("warm_start", [False, True])
def test_monitor_stops_the_fit(binary_data, warm_start):
    X, y = binary_data
    seen = []

    def monitor(i, model, local_vars):
        # The model holds the stages so far, and can predict with them.
        seen.append((i, model.n_estimators_, model.predict_proba(X[:2]).shape))
        return i == 5

    params = dict(n_estimators=20, subsample=0.7, random_state=0)
    model = BoostingClassifier(warm_start=warm_start, **params)
    model.fit(X, y, monitor=monitor)
    assert seen == [(i, i + 1, (2, 2)) for i in range(6)]
    assert model.n_estimators == 20  # the parameter is not changed
    assert model.n_estimators_ == 6
    assert model.estimators_.shape == (6, 1)
    for name in ["train_score_", "oob_improvement_", "oob_scores_"]:
        assert getattr(model, name).shape == (6,)
    assert model.oob_score_ == model.oob_scores_[-1]
    # The first 6 stages of a 20-stage fit are the 6 stages of a 6-stage fit.
    six = BoostingClassifier(**{**params, "n_estimators": 6}).fit(X, y)
    assert_allclose(model.predict_proba(X), six.predict_proba(X))
    assert_allclose(model.oob_scores_, six.oob_scores_)
    if warm_start:  # the fit goes on from the stage it stopped at
        model.fit(X, y)
        assert model.n_estimators_ == 20
        full = BoostingClassifier(**params).fit(X, y)
        assert_allclose(model.predict_proba(X), full.predict_proba(X))
        assert_allclose(model.oob_scores_, full.oob_scores_)


class RowRecordingRidge(Ridge):
    """A Ridge whose fit takes no sample_weight, so that boosting fits it on
    its subsample's rows, and records the rows and metadata it was given."""

    def fit(self, X, y, groups=None):
        self.rows_ = np.asarray(X[:, 0], dtype=int)  # column 0 holds row ids
        self.groups_ = groups
        return super().fit(X, y)


def test_oob_and_train_scores_equal_an_independent_computation(binary_data):
    X, y = binary_data
    X = np.column_stack([np.arange(len(y)), X])
    model = BoostingClassifier(
        RowRecordingRidge(), n_estimators=6, subsample=0.6, random_state=0
    ).fit(X, y)
    previous = None
    prior = np.full(len(y), y.mean())
    staged = list(model.staged_predict_proba(X))
    for stage, ((member,), proba) in enumerate(zip(model.estimators_, staged)):
        in_bag = np.zeros(len(y), dtype=bool)
        in_bag[member.rows_] = True
        assert in_bag.sum() == int(0.6 * len(y))
        # scikit-learn's scale for the binary log-loss: the binomial deviance.
        assert model.train_score_[stage] == pytest.approx(
            2 * log_loss(y[in_bag], proba[in_bag]), rel=1e-9
        )
        score = 2 * log_loss(y[~in_bag], proba[~in_bag])
        assert model.oob_scores_[stage] == pytest.approx(score, rel=1e-9)
        if previous is None:  # the first stage: against the initial model
            previous = 2 * log_loss(y[~in_bag], prior[~in_bag], labels=[0, 1])
        assert model.oob_improvement_[stage] == pytest.approx(previous - score)
        previous = score
    assert model.oob_score_ == model.oob_scores_[-1]
    full = BoostingClassifier(n_estimators=3).fit(X, y)
    for name in ["oob_improvement_", "oob_scores_", "oob_score_"]:
        assert not hasattr(full, name)


@pytest.mark.parametrize("loss", ["log_loss", "exponential"])
def test_train_score_is_on_sklearns_scale(binary_data, multiclass_data, loss):
    for X, y in [binary_data, multiclass_data][: 2 if loss == "log_loss" else 1]:
        weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
        ours = BoostingClassifier(n_estimators=10, loss=loss, random_state=0)
        theirs = GradientBoostingClassifier(n_estimators=10, loss=loss, random_state=0)
        ours.fit(X, y, sample_weight=weight)
        theirs.fit(X, y, sample_weight=weight)
        assert_allclose(ours.train_score_, theirs.train_score_, rtol=1e-8)


def test_warm_start_that_turns_subsampling_on_pads_the_oob_scores(binary_data):
    X, y = binary_data
    model = BoostingClassifier(n_estimators=5, warm_start=True, random_state=0)
    model.fit(X, y)
    assert not hasattr(model, "oob_scores_")
    model.set_params(n_estimators=8, subsample=0.5).fit(X, y)
    assert_array_equal(model.oob_improvement_[:5], np.zeros(5))
    assert_array_equal(model.oob_scores_[:5], np.zeros(5))
    assert np.all(model.oob_scores_[5:] > 0)
    # The first subsampled stage improves on the loss before it, not on 0.
    assert model.oob_improvement_[5] > 0
    assert model.oob_score_ == model.oob_scores_[-1]
    # Going on subsampled extends them; turning it off drops them, as they
    # would not cover the new stages.
    model.set_params(n_estimators=10).fit(X, y)
    assert model.oob_scores_.shape == (10,)
    model.set_params(n_estimators=12, subsample=1.0).fit(X, y)
    assert not hasattr(model, "oob_scores_") and not hasattr(model, "oob_score_")


def test_weights_that_leave_one_class_are_an_error(multiclass_data):
    X, y = multiclass_data
    weight = (y == 0).astype(float)
    with pytest.raises(ValueError, match="y contains 1 class after sample_weight"):
        BoostingClassifier(n_estimators=2).fit(X, y, sample_weight=weight)
    # As in scikit-learn, two classes left are enough.
    weight = (y != 2).astype(float)
    model = BoostingClassifier(n_estimators=2).fit(X, y, sample_weight=weight)
    assert model.predict_proba(X).shape == (len(y), 3)


class TwoColumnRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        return self

    def predict(self, X):
        return np.zeros((len(X), 2))


class ThreeColumnClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        return self

    def predict_proba(self, X):
        return np.full((len(X), 3), 1 / 3)


def test_init_is_validated(regression_data_400, binary_data):
    X, y = regression_data_400
    with pytest.raises(ValueError, match="init=DummyClassifier is a classifier"):
        BoostingRegressor(init=DummyClassifier(), n_estimators=2).fit(X, y > 0)
    match = r"TwoColumnRegressor predicts an array of shape \(400, 2\)"
    with pytest.raises(ValueError, match=match):
        BoostingRegressor(init=TwoColumnRegressor(), n_estimators=2).fit(X, y)
    match = "The initial estimator Pipeline does not support sample weights"
    with pytest.raises(ValueError, match=match):
        BoostingRegressor(init=make_pipeline(Ridge()), n_estimators=2).fit(
            X, y, sample_weight=np.ones(len(y))
        )
    X, y = binary_data
    match = r"ThreeColumnClassifier's predict_proba gives an array of shape \(300, 3\)"
    with pytest.raises(ValueError, match=match):
        BoostingClassifier(init=ThreeColumnClassifier(), n_estimators=2).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'init' parameter"):
        BoostingClassifier(init=Ridge(), n_estimators=2).fit(X, y)


# --------------------------------------------------------------------------
# Metadata routing
# --------------------------------------------------------------------------
def test_metadata_is_refused_without_routing(regression_data_400):
    X, y = regression_data_400
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        BoostingRegressor(n_estimators=2).fit(X, y, groups=np.ones(len(y)))


def test_metadata_is_routed_to_the_members_rows(regression_data_400):
    X, y = regression_data_400
    X = np.column_stack([np.arange(len(y)), X])
    groups = np.arange(len(y)) * 10
    with sklearn.config_context(enable_metadata_routing=True):
        member = RowRecordingRidge().set_fit_request(groups=True)
        init = RowRecordingRidge().set_fit_request(groups=True)
        model = BoostingRegressor(
            member, n_estimators=3, subsample=0.5, init=init, random_state=0
        ).fit(X, y, groups=groups)
        for (fitted,) in model.estimators_:
            assert len(fitted.rows_) == len(y) // 2
            assert_array_equal(fitted.groups_, groups[fitted.rows_])
        assert_array_equal(model.init_.groups_, groups)
        # Early stopping: members and init see the training rows' metadata.
        model.set_params(n_iter_no_change=2, validation_fraction=0.25).fit(
            X, y, groups=groups
        )
        assert len(model.init_.rows_) == 300
        assert_array_equal(model.init_.groups_, groups[model.init_.rows_])
        for (fitted,) in model.estimators_:
            assert set(fitted.rows_) <= set(model.init_.rows_)
            assert_array_equal(fitted.groups_, groups[fitted.rows_])
        # A member that has not said whether it wants groups: scikit-learn's
        # error.
        with pytest.raises(UnsetMetadataPassedError):
            BoostingRegressor(RowRecordingRidge(), n_estimators=2).fit(
                X, y, groups=groups
            )
        routing = model.get_metadata_routing()
        assert routing.consumes("fit", ["groups"]) == {"groups"}


class WeightRecordingTree(DecisionTreeRegressor):
    def fit(self, X, y, sample_weight=None, check_input=True):
        self.weight_ = sample_weight
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def test_sample_weight_reaches_the_members_that_request_it(regression_data_400):
    X, y = regression_data_400
    weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    plain = BoostingRegressor(n_estimators=5, random_state=0)
    expected = plain.fit(X, y, sample_weight=weight).predict(X)
    with sklearn.config_context(enable_metadata_routing=True):
        # The default trees take the weights, as without routing.
        assert_array_equal(plain.fit(X, y, sample_weight=weight).predict(X), expected)
        asks = WeightRecordingTree(max_depth=3).set_fit_request(sample_weight=True)
        model = BoostingRegressor(asks, n_estimators=2).fit(X, y, sample_weight=weight)
        assert_array_equal(model.estimators_[0, 0].weight_, weight)
        refuses = WeightRecordingTree(max_depth=3).set_fit_request(sample_weight=False)
        model = BoostingRegressor(refuses, n_estimators=2, subsample=0.5)
        model.fit(X, y, sample_weight=weight)
        # No weights: fitted on its subsample's rows (the loss still weighs).
        assert model.estimators_[0, 0].weight_ is None
        assert model.estimators_[0, 0].tree_.n_node_samples[0] == len(y) // 2


def test_routing_weights_to_members(regression_data):
    X, y = regression_data
    weights = np.where(np.arange(len(y)) % 2 == 0, 0.0, 1.0)

    def pipeline(ridge_takes_weights):
        return make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            Ridge().set_fit_request(sample_weight=ridge_takes_weights),
        )

    with sklearn.config_context(enable_metadata_routing=True):
        # A member whose request is unset: scikit-learn's error, not a
        # member silently fitted without the weights the losses use.
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            BoostingRegressor(Ridge(), n_estimators=3).fit(X, y, sample_weight=weights)
        # A Pipeline names no sample_weight in fit, yet routes the weights to
        # the step that requests them.
        weighted, unweighted = (
            BoostingRegressor(pipeline(takes), n_estimators=3, random_state=0).fit(
                X, y, sample_weight=weights
            )
            for takes in (True, False)
        )
    assert not np.allclose(weighted.predict(X), unweighted.predict(X))
