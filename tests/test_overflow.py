"""Targets and sample weights of extreme magnitude (issue #18, item 3).

The ensembles' own arithmetic with targets and weights (boosting's initial
model, gradients, line searches, leaf values and scores; bagging's draw
probabilities and out-of-bag score; stacking's out-of-fold scores; ensemble
selection's losses; the squared-error decomposition) is scale-safe: where
the maths says a fit on scaled data is the scaled fit, it is, to rounding
(exactly, for a power of two). Where a result cannot be represented, or the
members are handed values they cannot sum, the error says so: "targets too
large" or "sample_weight too large". Never NaN, never a misleading message.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_friedman1
from sklearn.linear_model import LogisticRegression, Ridge
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
    bias_variance_decomposition,
)
from ensembles._scale_safe import (
    normalised_weights,
    power_of_two_scale,
    r2_score,
    weighted_mean,
)

X, Y = make_friedman1(n_samples=100, noise=1.0, random_state=0)
X_CLF, Y_CLF = make_classification(n_samples=100, n_features=6, random_state=0)
FLOAT_MAX = np.finfo(np.float64).max
LOSSES = ["squared_error", "absolute_error", "huber", "quantile"]

# Five bagged members leave a few rows out of no bag.
pytestmark = pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")


@pytest.fixture(autouse=True)
def _overflow_is_an_error():
    """No overflow, or inf - inf, in the ensembles' own arithmetic."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def _one_huge_target():
    y = Y.copy()
    y[0] = 1e308
    return y


def _near_float_max():
    return Y / np.max(np.abs(Y)) * 0.9 * FLOAT_MAX


# --------------------------------------------------------------------------
# The helpers
# --------------------------------------------------------------------------
def test_ordinary_magnitudes_are_not_scaled():
    assert power_of_two_scale(np.array([1e-30, 3.0, 1e30])) == 1.0
    assert power_of_two_scale(np.zeros(3), None) == 1.0
    weights = np.array([0.5, 2.0, 1e20])
    assert normalised_weights(weights) is weights


@pytest.mark.parametrize("largest", [1e154, 1e308, FLOAT_MAX, 1e-200, 5e-324])
def test_extreme_magnitudes_come_to_one_by_a_power_of_two(largest):
    values = np.array([largest, largest / 3, 0.0])
    scale = power_of_two_scale(values)
    mantissa, _ = np.frexp(scale)
    assert mantissa == 0.5  # a power of two: exact
    assert np.max(np.abs(values * scale)) < 2.0
    assert np.isfinite(1 / scale)
    # The ratios are kept exactly (short of values underflowing to zero).
    scaled = normalised_weights(values)
    assert scaled[1] / scaled[0] == values[1] / values[0] or largest < 1e-300


def test_weighted_mean_does_not_overflow_where_the_mean_does_not():
    values = np.full(100, 1.0e154)
    weights = np.full(100, 1e307)
    assert weighted_mean(values, weights) == pytest.approx(1e154, rel=1e-15)
    # Squares of 1e154 sum to 1e310 over 100 rows; their mean is 1e308.
    assert weighted_mean(values, weights, squared=True) == pytest.approx(
        1e308, rel=1e-14
    )
    # A mean beyond float64's range is infinite, without a warning.
    assert weighted_mean(np.full(3, 1e155), np.ones(3), squared=True) == np.inf


def test_weighted_mean_of_no_weight_is_nan_and_ignores_unweighted_rows():
    assert np.isnan(weighted_mean(np.ones(3), np.zeros(3)))
    assert np.isnan(weighted_mean(np.ones(0), np.ones(0)))
    # An infinite value of zero weight takes no part (0 * inf is NaN).
    assert weighted_mean(np.array([2.0, np.inf]), np.array([1.0, 0.0])) == 2.0


def test_r2_score_of_huge_targets():
    prediction = Y + np.random.RandomState(0).normal(size=len(Y))
    expected = r2_score(Y, prediction)
    assert r2_score(Y * 1e154, prediction * 1e154) == pytest.approx(expected)
    weights = np.linspace(1, 2, len(Y))
    assert r2_score(Y, prediction, sample_weight=weights * 1e307) == pytest.approx(
        r2_score(Y, prediction, sample_weight=weights)
    )


# --------------------------------------------------------------------------
# Boosting
# --------------------------------------------------------------------------
@pytest.mark.parametrize("member", [None, Ridge()], ids=["tree", "ridge"])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("scale", [1e154, 1e300, 1e-200])
def test_boosting_on_scaled_targets_predicts_the_scaled_predictions(
    loss, member, scale
):
    # Was all NaN for the squared error (its line search: inf / inf) and
    # wrong by 20% for trees (their sums of squares overflow, as in
    # scikit-learn's gradient boosting): the members now fit the gradient
    # brought to an ordinary magnitude.
    model = BoostingRegressor(member, n_estimators=10, loss=loss, random_state=0)
    expected = clone(model).fit(X, Y).predict(X) * scale
    predicted = model.fit(X, Y * scale).predict(X)
    assert np.all(np.isfinite(predicted))
    assert_allclose(predicted, expected, rtol=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_boosting_on_targets_scaled_by_a_power_of_two_is_exact(loss):
    scale = 2.0**600
    model = BoostingRegressor(n_estimators=10, loss=loss, subsample=0.8, random_state=0)
    unscaled = clone(model).fit(X, Y)
    scaled = model.fit(X, Y * scale)
    assert_array_equal(scaled.predict(X), unscaled.predict(X) * scale)
    if loss in ("absolute_error", "quantile"):
        # Losses of degree one: their scores scale alike, exactly.
        assert_array_equal(scaled.train_score_, unscaled.train_score_ * scale)
        assert_array_equal(scaled.oob_scores_, unscaled.oob_scores_ * scale)


def test_boosting_scores_are_infinite_only_beyond_float_max():
    # Squared residuals of about 1e154 overflow one by one; their mean,
    # about 1e307, does not.
    scale = 2.0**500
    model = BoostingRegressor(n_estimators=5, random_state=0)
    unscaled = clone(model).fit(X, Y)
    scaled = model.fit(X, Y * scale)
    assert np.all(np.isfinite(scaled.train_score_))
    assert_allclose(scaled.train_score_, unscaled.train_score_ * scale**2)
    # Residuals of 1e300 have a mean square of 1e600: infinite, no warning.
    assert np.all(
        BoostingRegressor(n_estimators=2).fit(X, Y * 1e300).train_score_ == np.inf
    )


@pytest.mark.parametrize("loss", LOSSES)
def test_boosting_refuses_targets_whose_sum_overflows(loss):
    # Was all NaN for the squared error and the Huber loss.
    with pytest.raises(ValueError, match="targets too large: .*Divide y by"):
        BoostingRegressor(n_estimators=3, loss=loss).fit(X, _near_float_max())


@pytest.mark.parametrize("loss", LOSSES)
def test_boosting_with_one_target_of_1e308(loss):
    # Was all NaN for the squared error (the line search: inf / inf). The
    # sum of the targets is finite: boosting fits them, its members the
    # gradient scaled by a power of two.
    y = _one_huge_target()
    model = BoostingRegressor(n_estimators=3, loss=loss, random_state=0).fit(X, y)
    predicted = model.predict(X)
    assert np.all(np.isfinite(predicted))
    if loss == "squared_error":
        # The members' trees give the outlier a leaf of its own: each stage
        # takes a tenth (the learning rate) of what is left of its residual.
        start = np.mean(y)
        expected = start + (1 - 0.9**3) * (y[0] - start)
        assert predicted[0] == pytest.approx(expected, rel=1e-9)
        assert_allclose(predicted[1:], model.predict(X[1:]))
        assert np.all(np.abs(predicted[1:]) < 1e307)


def test_boosting_early_stopping_refuses_a_validation_loss_beyond_float_max():
    model = BoostingRegressor(n_estimators=5, n_iter_no_change=2, random_state=0)
    with pytest.raises(ValueError, match="targets too large for early stopping"):
        model.fit(X, Y * 1e300)
    # Within range, early stopping works as on the unscaled targets.
    scale = 2.0**400
    unscaled = clone(model).fit(X, Y)
    assert_array_equal(model.fit(X, Y * scale).predict(X), unscaled.predict(X) * scale)


@pytest.mark.parametrize(
    "estimator",
    [
        BoostingRegressor(n_estimators=3),
        BoostingRegressor(Ridge(), n_estimators=3, loss="huber"),
        BoostingClassifier(n_estimators=3),
        BoostingClassifier(n_estimators=3, loss="exponential", subsample=0.8),
    ],
    ids=["regressor", "regressor-ridge-huber", "classifier", "classifier-exp"],
)
@pytest.mark.parametrize("weight", [1e307, 1e308, FLOAT_MAX])
def test_boosting_refuses_weights_its_members_cannot_sum(estimator, weight):
    # Was NaN predictions (regressors) or silently a coin flip (classifier,
    # accuracy 0.49), with overflow warnings: the weights' sum overflowed in
    # the initial model, the line search and the members.
    X_fit, y_fit = (
        (X_CLF, Y_CLF) if "Classifier" in type(estimator).__name__ else (X, Y)
    )
    with pytest.raises(ValueError, match="sample_weight too large: .*common factor"):
        clone(estimator).fit(X_fit, y_fit, sample_weight=np.full(len(y_fit), weight))
    one_huge = np.ones(len(y_fit))
    one_huge[0] = weight
    with pytest.raises(ValueError, match="sample_weight too large"):
        clone(estimator).fit(X_fit, y_fit, sample_weight=one_huge)


@pytest.mark.parametrize("scale", [2.0**200, 2.0**-200])
def test_boosting_classifier_with_weights_scaled_by_a_power_of_two(scale):
    # The ensemble's own sums (initial prior, leaf values, line search) do
    # not change; the members (regression trees) fit ratios of weighted
    # sums too, so the whole fit is the same.
    weights = np.linspace(0.5, 2.0, len(Y_CLF))
    for member in (None, Ridge()):
        model = BoostingClassifier(member, n_estimators=5, random_state=0)
        expected = clone(model).fit(X_CLF, Y_CLF, sample_weight=weights)
        scaled = model.fit(X_CLF, Y_CLF, sample_weight=weights * scale)
        if member is None:
            assert_allclose(scaled.predict_proba(X_CLF), expected.predict_proba(X_CLF))
        assert np.all(np.isfinite(scaled.decision_function(X_CLF)))


def test_boosting_names_a_member_that_predicts_nan():
    # Weights that members cannot use (a tree's weighted sums overflow)
    # make a clear error rather than a NaN ensemble.
    class Overflowing(DecisionTreeRegressor):
        def predict(self, X, check_input=True):
            return np.full(X.shape[0], np.nan)

    with pytest.raises(
        ValueError, match=r"stage 0 \(Overflowing\): predict returned NaN"
    ):
        BoostingRegressor(Overflowing(), n_estimators=2).fit(X, Y)
    with pytest.raises(ValueError, match="sample_weight too large for it"):
        BoostingRegressor(Overflowing(), n_estimators=2).fit(
            X, Y, sample_weight=np.full(len(Y), 1e300)
        )


# --------------------------------------------------------------------------
# Zero weights where the ensemble divides by their sum
# --------------------------------------------------------------------------
def test_out_of_bag_score_of_no_out_of_bag_row_is_nan_without_a_warning():
    # One sample: every stage's subsample holds it, so nothing is out of
    # bag. Was 0 / 0, with "invalid value encountered in scalar divide".
    model = BoostingRegressor(n_estimators=3, loss="huber", subsample=0.8)
    model.fit(X[:1], Y[:1])
    assert np.all(np.isnan(model.oob_scores_))
    assert np.isnan(model.oob_score_)
    assert model.predict(X[:2]).shape == (2,)


@pytest.mark.parametrize("member", [None, Ridge()], ids=["tree", "ridge"])
def test_a_subsample_of_zero_weight_is_a_clear_error(member):
    # Was the tree's own error, or, for a member that fits any weights, a
    # stage that does nothing and a NaN training score with a warning.
    weights = np.zeros(len(Y))
    weights[0] = 1.0
    model = BoostingRegressor(member, n_estimators=3, subsample=0.05, random_state=1)
    with pytest.raises(ValueError, match="holds only rows of zero sample_weight"):
        model.fit(X, Y, sample_weight=weights)


# --------------------------------------------------------------------------
# Bagging
# --------------------------------------------------------------------------
@pytest.mark.parametrize("weight", [1e307, 1e308, FLOAT_MAX])
@pytest.mark.parametrize("ensemble", [BaggingRegressor, BaggingClassifier])
def test_bagging_draws_with_weights_of_any_magnitude(ensemble, weight):
    # Was "fitting member 0 failed: probabilities do not sum to 1" (as in
    # scikit-learn's bagging): the weights' sum overflowed before any
    # member ran. Uniform weights of any size draw as uniform weights of 1.
    X_fit, y_fit = (X, Y) if ensemble is BaggingRegressor else (X_CLF, Y_CLF)
    model = ensemble(n_estimators=5, oob_score=True, random_state=0)
    expected = clone(model).fit(X_fit, y_fit, sample_weight=np.ones(len(y_fit)))
    fitted = model.fit(X_fit, y_fit, sample_weight=np.full(len(y_fit), weight))
    for drawn, expected_bag in zip(
        fitted.estimators_samples_, expected.estimators_samples_
    ):
        assert_array_equal(drawn, expected_bag)
    assert_array_equal(fitted.predict(X_fit), expected.predict(X_fit))
    assert fitted.oob_score_ == expected.oob_score_


def test_bagging_with_tiny_and_huge_weights_draws_the_huge_ones():
    weights = np.where(np.arange(len(Y)) % 2, 1e-300, 1e300)
    model = BaggingRegressor(n_estimators=5, random_state=0)
    model.fit(X, Y, sample_weight=weights)
    for drawn in model.estimators_samples_:
        assert np.all(drawn % 2 == 0)


def test_bagging_refuses_a_fraction_of_an_overflowing_sum_of_weights():
    # max_samples=0.5 draws half the sum of the weights: was an
    # OverflowError (int(inf)).
    model = BaggingRegressor(max_samples=0.5)
    with pytest.raises(ValueError, match="sample_weight too large: max_samples=0.5"):
        model.fit(X, Y, sample_weight=np.full(len(Y), 1e307))


def test_bagging_out_of_bag_score_of_huge_targets():
    # Was NaN (inf / inf in the R² of targets of 1e154).
    model = BaggingRegressor(Ridge(), n_estimators=10, oob_score=True, random_state=0)
    expected = clone(model).fit(X, Y)
    scaled = model.fit(X, Y * 1e154)
    assert np.isfinite(scaled.oob_score_)
    assert scaled.oob_score_ == pytest.approx(expected.oob_score_, rel=1e-12)
    assert_allclose(scaled.predict(X), expected.predict(X) * 1e154, rtol=1e-12)


@pytest.mark.parametrize(
    "y", [_one_huge_target(), _near_float_max()], ids=["one 1e308", "near max"]
)
def test_bagging_refuses_targets_too_large_to_sum(y):
    # Was some predictions infinite: a tree's leaf holding the row of
    # 1e308 twice (a bootstrap draw) sums it to inf.
    with pytest.raises(ValueError, match="targets too large: .*at least"):
        BaggingRegressor(n_estimators=3).fit(X, y)


# --------------------------------------------------------------------------
# Stacking
# --------------------------------------------------------------------------
def _ridges():
    return [("ridge", Ridge()), ("stiff", Ridge(alpha=30.0))]


def test_stacking_on_huge_targets_with_ensemble_selection():
    # Was NaN out-of-fold scores (R² of inf / inf), and an ensemble
    # selection that took the first column every time (every loss inf).
    scale = 1e200
    model = StackingRegressor(
        _ridges(), final_estimator=EnsembleSelectionRegressor(), cv=3
    )
    expected = clone(model).fit(X, Y)
    scaled = model.fit(X, Y * scale)
    assert_allclose(scaled.predict(X), expected.predict(X) * scale, rtol=1e-10)
    assert_array_equal(
        scaled.final_estimator_.weights_, expected.final_estimator_.weights_
    )
    for name, score in expected.oof_scores_.items():
        assert scaled.oof_scores_[name] == pytest.approx(score, rel=1e-10)


def test_stacking_refuses_a_final_estimator_that_predicts_nan():
    # Was all NaN: the default final estimator (RidgeCV) squares its
    # inputs, the members' predictions of about 1e155.
    model = StackingRegressor([("tree", DecisionTreeRegressor()), *_ridges()], cv=3)
    with warnings.catch_warnings():
        # The final estimator's own arithmetic overflows, and warns.
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="final estimator .*targets too large"):
            model.fit(X, Y * 1e154)


def test_stacking_names_a_member_that_overflows_on_huge_targets():
    # A second layer's Ridge squares the first layer's predictions.
    model = StackingRegressor([_ridges(), [("top", Ridge())]], cv=3)
    with warnings.catch_warnings():
        # The member's own arithmetic overflows, and warns.
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="'top' .layer 2.*targets too large for"):
            model.fit(X, Y * 1e154)


def test_stacking_refuses_targets_whose_sum_overflows():
    with pytest.raises(ValueError, match="targets too large: .*Divide y by"):
        StackingRegressor(_ridges(), cv=3).fit(X, _near_float_max())


def test_stacking_with_one_target_of_1e308():
    # Was all NaN. The sum of the targets is finite: a stack whose final
    # estimator can take such values fits; RidgeCV, the default, squares
    # them, and is named.
    model = StackingRegressor(
        [("tree", DecisionTreeRegressor(max_depth=3))],
        final_estimator=EnsembleSelectionRegressor(),
        cv=3,
    )
    assert np.all(np.isfinite(model.fit(X, _one_huge_target()).predict(X)))
    with warnings.catch_warnings():
        # The final estimator's own arithmetic overflows, and warns.
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="final estimator .*targets too large"):
            StackingRegressor(_ridges(), cv=3).fit(X, _one_huge_target())


@pytest.mark.parametrize(
    "model, data",
    [
        (StackingRegressor(_ridges(), cv=3), (X, Y)),
        (
            StackingClassifier(
                [
                    ("tree", DecisionTreeClassifier()),
                    ("logistic", LogisticRegression()),
                ],
                cv=3,
            ),
            (X_CLF, Y_CLF),
        ),
    ],
    ids=["regressor", "classifier"],
)
def test_stacking_refuses_weights_its_members_cannot_sum(model, data):
    # Was "Member 'ridge' ... failed: array must not contain infs or NaNs"
    # or, for the classifier, "Input X contains NaN": neither named the
    # weights.
    X_fit, y_fit = data
    with pytest.raises(ValueError, match="sample_weight too large"):
        model.fit(X_fit, y_fit, sample_weight=np.full(len(y_fit), 1e307))


# --------------------------------------------------------------------------
# Ensemble selection
# --------------------------------------------------------------------------
def _prediction_columns(y):
    rng = np.random.RandomState(0)
    return np.column_stack([y + rng.normal(scale=s, size=len(y)) for s in (1, 2, 4)])


@pytest.mark.parametrize("scale", [1e155, 1e300, 1e-200])
def test_ensemble_selection_of_huge_predictions(scale):
    # Was every loss inf (squares of 1e155): the first column, picked
    # every time.
    predictions = _prediction_columns(Y)
    expected = EnsembleSelectionRegressor().fit(predictions, Y)
    scaled = EnsembleSelectionRegressor().fit(predictions * scale, Y * scale)
    assert_array_equal(scaled.weights_, expected.weights_)
    assert np.all(np.isfinite(scaled.predict(predictions * scale)))


@pytest.mark.parametrize("weight", [1e307, FLOAT_MAX])
def test_ensemble_selection_with_huge_weights(weight):
    # Was NaN losses (the weights' sum inf): the first column every time;
    # for the classifier, an accuracy of 0.
    predictions = _prediction_columns(Y)
    weights = np.full(len(Y), weight)
    expected = EnsembleSelectionRegressor().fit(predictions, Y)
    fitted = EnsembleSelectionRegressor().fit(predictions, Y, sample_weight=weights)
    assert_array_equal(fitted.weights_, expected.weights_)
    proba = np.hstack([np.eye(2)[Y_CLF] * 0.6 + 0.2, np.full((len(Y_CLF), 2), 0.5)])
    expected = EnsembleSelectionClassifier().fit(proba, Y_CLF)
    fitted = EnsembleSelectionClassifier().fit(proba, Y_CLF, sample_weight=weights)
    assert_array_equal(fitted.weights_, expected.weights_)


# --------------------------------------------------------------------------
# Bias/variance decomposition
# --------------------------------------------------------------------------
def test_squared_error_decomposition_of_huge_targets():
    # Squared errors of about 1e307 each sum to inf over the test points;
    # their mean does not. Was inf, with NaN standard errors.
    scale = 2.0**510
    options = dict(n_rounds=5, random_state=0)
    expected = bias_variance_decomposition(Ridge(), X, Y, X, Y, **options)
    scaled = bias_variance_decomposition(Ridge(), X, Y * scale, X, Y * scale, **options)
    for name in ("expected_loss", "bias", "variance", "bias_corrected"):
        value = getattr(scaled, name)
        assert np.isfinite(value)
        assert value == pytest.approx(getattr(expected, name) * scale**2, rel=1e-9)
    for name, error in expected.standard_errors.items():
        assert scaled.standard_errors[name] == pytest.approx(
            error * scale**2, rel=1e-6, abs=1e-12 * scale**2
        )


def test_squared_error_decomposition_beyond_float_max_is_an_error():
    # Was inf figures with NaN standard errors and a dozen warnings.
    with pytest.raises(ValueError, match="targets too large: the squared_error"):
        bias_variance_decomposition(Ridge(), X, Y * 1e154, X, Y * 1e154, n_rounds=3)
