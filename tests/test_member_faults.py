"""Members whose outputs cannot be combined (NaN, infinity) are an error that
names them, with their fold, stage or round, wherever an ensemble combines
them; and None in an object array is refused as a missing value (issue #18,
items 2 and 4)."""

import re

import numpy as np
import pytest
from _registry import NaNClassifier, NaNRegressor
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import VotingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier

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
from ensembles._members import check_finite_output

RNG = np.random.RandomState(0)
X = RNG.uniform(size=(60, 4))
Y_REG = X @ [1.0, 2.0, -1.0, 0.5] + 0.1 * RNG.normal(size=60)
Y_BIN = (X[:, 0] + X[:, 1] > 1).astype(int)
Y_MULTI = np.digitize(X[:, 0] + X[:, 1], [0.7, 1.3])
# Rows beyond the training range (the first feature lies in [0, 1]): a member
# with beyond=2.0 spoils exactly these, the first, fourth and sixth.
FAR = [0, 3, 5]
X_FAR = X.copy()
X_FAR[FAR, 0] = 5.0

# Every message says the same thing after naming who and how many rows.
COMBINED_ONLY_WHEN_FINITE = "Predictions are combined only when they are finite"


def _message(error):
    return str(error.value)


# --------------------------------------------------------------------------
# The one helper
# --------------------------------------------------------------------------
def test_helper_names_the_producer_the_rows_and_what_was_found():
    output = np.ones((40, 2))
    output[[5, 9, 30], 1] = np.nan
    output[30, 0] = np.inf
    with pytest.raises(ValueError) as error:
        check_finite_output(output, "member 'knn', fold 2 of 5", method="predict")
    assert _message(error).startswith(
        "member 'knn', fold 2 of 5: predict returned NaN and infinity for 3 of 40 "
        "rows (the first: row 5). " + COMBINED_ONLY_WHEN_FINITE
    )
    # Row numbers of the caller's data, such as a fold's test rows.
    with pytest.raises(
        ValueError, match=r"infinity for 1 of 2 rows \(the first: row 17"
    ):
        check_finite_output(np.array([1.0, -np.inf]), "m", rows=[3, 17])


def test_helper_passes_finite_and_label_outputs_through():
    finite = np.arange(6.0).reshape(3, 2)
    assert check_finite_output(finite, "m") is finite
    labels = np.array(["a", "b"], dtype=object)
    assert check_finite_output(labels, "m") is labels
    assert check_finite_output(np.empty((0, 3)), "m").shape == (0, 3)


def test_helper_log_probabilities_may_be_minus_infinity():
    with np.errstate(divide="ignore"):
        log_proba = np.log(np.array([[0.0, 1.0], [0.5, 0.5]]))
    assert check_finite_output(log_proba, "m", log_proba=True) is log_proba
    with pytest.raises(ValueError, match="returned infinity for 1 of 2.*-inf, the log"):
        check_finite_output(
            np.array([[np.inf, 0.0], [0.0, -np.inf]]),
            "m",
            method="predict_log_proba",
            log_proba=True,
        )
    with pytest.raises(ValueError, match="NaN for 1 of 1 rows"):
        check_finite_output(np.array([[np.nan, -np.inf]]), "m", log_proba=True)


def test_helper_looks_for_the_member_only_when_the_combination_fails():
    calls = []

    def find_member():
        calls.append(1)
        check_finite_output(np.array([np.nan]), "member 7")

    check_finite_output(np.ones(3), "all", find_member=find_member)
    assert calls == []
    with pytest.raises(ValueError, match="^member 7: predicted NaN"):
        check_finite_output(np.array([np.nan, 1, 1]), "all", find_member=find_member)
    assert calls == [1]
    # A member search that finds nobody: the combination is named.
    with pytest.raises(ValueError, match="^all: predicted NaN for 1 of 3 rows"):
        check_finite_output(np.array([np.nan, 1, 1]), "all", find_member=lambda: None)


class _CountingRegressor(RegressorMixin, BaseEstimator):
    """Ridge that counts the calls of its predict (class-wide)."""

    calls = 0

    def fit(self, X, y, sample_weight=None):
        self.model_ = Ridge().fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X):
        type(self).calls += 1
        return self.model_.predict(X)


def test_finite_predictions_cost_no_second_query():
    model = BaggingRegressor(_CountingRegressor(), n_estimators=4, random_state=0)
    model.fit(X, Y_REG)
    _CountingRegressor.calls = 0
    model.predict(X)
    assert _CountingRegressor.calls == 4


# --------------------------------------------------------------------------
# Bagging
# --------------------------------------------------------------------------
def test_bagging_regressor_names_the_member():
    model = BaggingRegressor(NaNRegressor(beyond=2.0), n_estimators=3, random_state=0)
    model.fit(X, Y_REG)
    assert np.isfinite(model.predict(X)).all()
    expected = (
        "BaggingRegressor: member 0 (NaNRegressor): predict returned NaN for 3 "
        "of 60 rows (the first: row 0). " + COMBINED_ONLY_WHEN_FINITE
    )
    for call in (model.predict, lambda X: model.predict(X, return_std=True)):
        with pytest.raises(ValueError) as error:
            call(X_FAR)
        assert _message(error).startswith(expected)


def test_bagging_regressor_names_the_first_member_at_fault_and_infinity():
    model = BaggingRegressor(Ridge(), n_estimators=4, random_state=0).fit(X, Y_REG)
    model.estimators_[2] = NaNRegressor(beyond=2.0, value=-np.inf).fit(X, Y_REG)
    with pytest.raises(
        ValueError, match=r"^BaggingRegressor: member 2 \(NaNRegressor\)"
    ):
        model.predict(X_FAR)
    with pytest.raises(ValueError, match="returned infinity for 3 of 60"):
        model.predict(X_FAR)


def test_bagging_out_of_bag_names_the_member():
    model = BaggingRegressor(
        NaNRegressor(), n_estimators=5, oob_score=True, random_state=0
    )
    with pytest.raises(
        ValueError,
        match=r"BaggingRegressor: member \d \(NaNRegressor\): predict \(out of bag\) "
        r"returned NaN for \d+ of \d+ rows",
    ):
        model.fit(X, Y_REG)
    classifier = BaggingClassifier(
        NaNClassifier(), n_estimators=5, oob_score=True, random_state=0
    )
    with pytest.raises(ValueError, match=r"predict_proba \(out of bag\) returned NaN"):
        classifier.fit(X, Y_BIN)


@pytest.mark.parametrize(
    "method, member_method",
    [
        ("predict", "predict_proba"),
        ("predict_proba", "predict_proba"),
        ("predict_log_proba", "predict_log_proba"),
        ("decision_function", "decision_function"),
    ],
)
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_bagging_classifier_names_the_member(method, member_method, value):
    # Before: predict gave class 0 to the rows whose probabilities were NaN.
    model = BaggingClassifier(
        NaNClassifier(beyond=2.0, value=value), n_estimators=3, random_state=0
    ).fit(X, Y_MULTI)
    kind = "NaN" if np.isnan(value) else "infinity"
    with pytest.raises(
        ValueError,
        match=rf"^BaggingClassifier: member 0 \(NaNClassifier\): {member_method} "
        rf"returned {kind} for 3 of 60 rows \(the first: row 0\)",
    ):
        getattr(model, method)(X_FAR)


def test_bagging_classifier_log_probability_of_zero_is_no_error():
    # Deep trees give probabilities of exactly 0: their logs are -inf.
    model = BaggingClassifier(DecisionTreeClassifier(), n_estimators=3, random_state=0)
    log_proba = model.fit(X, Y_MULTI).predict_log_proba(X)
    assert np.isneginf(log_proba).any()
    assert not np.isnan(log_proba).any()


# --------------------------------------------------------------------------
# Boosting
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss", ["squared_error", "absolute_error", "huber", "quantile"]
)
def test_boosting_fit_names_the_stage_and_member(loss):
    # Before: "Input y contains NaN" from the next stage's member (the NaN
    # in the gradient), or for the quantile loss a model predicting NaN.
    model = BoostingRegressor(NaNRegressor(), n_estimators=3, loss=loss)
    with pytest.raises(ValueError) as error:
        model.fit(X, Y_REG)
    assert re.match(
        r"BoostingRegressor: the member of stage 0 \(NaNRegressor\): predict "
        r"returned NaN for \d+ of 60 rows",
        _message(error),
    )
    assert "Input y" not in _message(error)


def test_boosting_classifier_names_the_class_column():
    model = BoostingClassifier(NaNRegressor(), n_estimators=3)
    with pytest.raises(
        ValueError,
        match=r"^BoostingClassifier: the member of stage 0, class column 0 "
        r"\(NaNRegressor\): predict returned NaN",
    ):
        model.fit(X, Y_MULTI)
    with pytest.raises(
        ValueError, match=r"^BoostingClassifier: the member of stage 0 "
    ):
        BoostingClassifier(NaNRegressor(), n_estimators=3).fit(X, Y_BIN)


class _NaNOnUnseenRows(RegressorMixin, BaseEstimator):
    """Predicts the mean of y on the rows it was fitted on, NaN on others."""

    def fit(self, X, y, sample_weight=None):
        self.seen_ = set(np.asarray(X)[:, 0].tolist())
        self.mean_ = np.mean(y)
        return self

    def predict(self, X):
        seen = np.isin(np.asarray(X)[:, 0], list(self.seen_))
        return np.where(seen, self.mean_, np.nan)


def test_boosting_early_stopping_rows_are_checked():
    # The rows held out for early stopping (6 of 60) are predicted by every
    # stage, and checked as they are.
    model = BoostingRegressor(
        _NaNOnUnseenRows(), n_estimators=3, n_iter_no_change=2, random_state=0
    )
    with pytest.raises(
        ValueError,
        match=r"^BoostingRegressor: the member of stage 0 \(_NaNOnUnseenRows\): "
        r"predict \(on the rows held out for early stopping\) returned NaN for 6 "
        r"of 6 rows",
    ):
        model.fit(X, Y_REG)


def test_boosting_initial_estimator_is_named():
    model = BoostingRegressor(n_estimators=3, init=NaNRegressor())
    with pytest.raises(
        ValueError,
        match=r"^BoostingRegressor: the initial estimator \(NaNRegressor\): "
        r"predicted NaN for \d+ of 60 rows",
    ):
        model.fit(X, Y_REG)


@pytest.mark.parametrize("loss", ["squared_error", "quantile"])
def test_boosting_predict_names_the_stage(loss):
    model = BoostingRegressor(
        LinearRegression(), n_estimators=4, loss=loss, random_state=0
    ).fit(X, Y_REG)
    model.estimators_[2, 0] = NaNRegressor(beyond=2.0).fit(X, Y_REG)
    pattern = (
        r"^BoostingRegressor: the member of stage 2 \(NaNRegressor\): predict "
        r"returned NaN for 3 of 60 rows \(the first: row 0\)"
    )
    with pytest.raises(ValueError, match=pattern):
        model.predict(X_FAR)
    staged = model.staged_predict(X_FAR)
    next(staged), next(staged)  # the first two stages are fine
    with pytest.raises(ValueError, match=pattern):
        next(staged)
    assert np.isfinite(model.predict(X)).all()


def test_boosting_classifier_predict_proba_names_the_stage():
    model = BoostingClassifier(LinearRegression(), n_estimators=3).fit(X, Y_BIN)
    model.estimators_[1, 0] = NaNRegressor(beyond=2.0, value=np.inf).fit(X, Y_REG)
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(
            ValueError,
            match=r"^BoostingClassifier: the member of stage 1 \(NaNRegressor\): "
            r"predict returned infinity for 3 of 60",
        ):
            getattr(model, method)(X_FAR)


def test_boosting_warm_start_checks_the_stages_it_keeps():
    model = BoostingRegressor(LinearRegression(), n_estimators=2, warm_start=True)
    model.fit(X, Y_REG)
    model.estimators_[1, 0] = NaNRegressor().fit(X, Y_REG)
    with pytest.raises(ValueError, match="the member of stage 1 .NaNRegressor."):
        model.set_params(n_estimators=4).fit(X, Y_REG)


# --------------------------------------------------------------------------
# Stacking
# --------------------------------------------------------------------------
@pytest.mark.parametrize("n_repeats", [1, 2])
def test_stacking_fit_names_the_member_and_fold(n_repeats):
    # Before: a bare "Input contains NaN." from the final estimator.
    model = StackingRegressor(
        [("ridge", Ridge()), ("bad", NaNRegressor())],
        cv=5,
        n_repeats=n_repeats,
        random_state=0 if n_repeats > 1 else None,
    )
    repeat = ", repeat 1" if n_repeats > 1 else ""
    with pytest.raises(ValueError) as error:
        model.fit(X, Y_REG)
    assert re.match(
        rf"StackingRegressor: member 'bad' \(layer 1\), fold \d of 5{repeat}: "
        r"predict returned NaN for \d+ of 12 rows \(the first: row \d+\)\. "
        + COMBINED_ONLY_WHEN_FINITE,
        _message(error),
    ), _message(error)


def test_stacking_fit_names_the_layer():
    model = StackingRegressor(
        [[("ridge", Ridge()), ("tree", Ridge(alpha=10))], [("top", NaNRegressor())]],
        cv=3,
    )
    with pytest.raises(ValueError, match=r"member 'top' \(layer 2\), fold \d of 3"):
        model.fit(X, Y_REG)


def test_stacking_classifier_fit_names_the_member_and_fold():
    model = StackingClassifier(
        [("logistic", LogisticRegression()), ("bad", NaNClassifier())], cv=3
    )
    with pytest.raises(
        ValueError,
        match=r"^StackingClassifier: member 'bad' \(layer 1\), fold \d of 3: "
        r"predict_proba returned NaN",
    ):
        model.fit(X, Y_MULTI)


@pytest.mark.parametrize(
    "refit, which", [(True, "refit on all rows"), (False, "fold model 1 of 3")]
)
def test_stacking_predict_and_transform_name_the_member(refit, which):
    model = StackingRegressor(
        [("ridge", Ridge()), ("bad", NaNRegressor(beyond=2.0))], cv=3, refit=refit
    ).fit(X, Y_REG)
    assert np.isfinite(model.predict(X)).all()
    pattern = (
        rf"^StackingRegressor: member 'bad' \(layer 1\), {which}: predict "
        r"returned NaN for 3 of 60 rows \(the first: row 0\)"
    )
    for method in (model.predict, model.transform):
        with pytest.raises(ValueError, match=pattern):
            method(X_FAR)


def test_stacking_classifier_predict_names_the_member():
    model = StackingClassifier(
        [("logistic", LogisticRegression()), ("bad", NaNClassifier(beyond=2.0))],
        cv=3,
    ).fit(X, Y_BIN)
    for method in ("predict", "predict_proba", "decision_function", "transform"):
        with pytest.raises(
            ValueError,
            match=r"^StackingClassifier: member 'bad' \(layer 1\), refit on all "
            r"rows: predict_proba returned NaN for 3 of 60",
        ):
            getattr(model, method)(X_FAR)


# --------------------------------------------------------------------------
# The bias/variance decomposition
# --------------------------------------------------------------------------
def test_decomposition_names_the_round():
    # Before: NaN bias, variance and loss.
    with pytest.raises(
        ValueError,
        match=r"^Bias/variance round 0 \(NaNRegressor\): predict returned NaN for "
        r"\d+ of 60 rows \(the first: row 0\)",
    ):
        bias_variance_decomposition(
            NaNRegressor(beyond=2.0), X, Y_REG, X_FAR, Y_REG, n_rounds=3
        )


def test_decomposition_names_the_round_of_probabilities():
    with pytest.raises(
        ValueError,
        match=r"^Bias/variance round 0 \(NaNClassifier\): predict_proba returned NaN",
    ):
        bias_variance_decomposition(
            NaNClassifier(beyond=2.0), X, Y_BIN, X_FAR, Y_BIN, loss="brier", n_rounds=3
        )


def test_decomposition_names_an_ensemble_member_through_its_round():
    with pytest.raises(
        ValueError,
        match=r"Bias/variance round 0 failed: ValueError: BaggingRegressor: member 0 "
        r"\(NaNRegressor\): predict returned NaN",
    ):
        bias_variance_decomposition(
            BaggingRegressor(NaNRegressor(beyond=2.0), n_estimators=2),
            X,
            Y_REG,
            X_FAR,
            Y_REG,
            n_rounds=2,
        )


def test_decomposition_of_a_scikit_learn_ensemble_names_the_round():
    # scikit-learn's voting averages the NaN in; the round is named.
    voting = VotingRegressor([("ridge", Ridge()), ("bad", NaNRegressor(beyond=2.0))])
    with pytest.raises(
        ValueError, match=r"^Bias/variance round 0 \(VotingRegressor\): predict"
    ):
        bias_variance_decomposition(voting, X, Y_REG, X_FAR, Y_REG, n_rounds=2)


def test_decomposition_names_a_member_of_a_round():
    # Members read for the diversity terms are checked too (an ensemble
    # whose combination hides a member's NaN would otherwise pass it on).
    from ensembles.bias_variance import _checked_rounds

    members = np.zeros((3, 2, 5))  # rounds, members, test rows
    members[1, 1, 4] = np.nan
    with pytest.raises(
        ValueError,
        match=r"^Bias/variance round 1 \(Ridge\), member 1: predicted NaN for 1 of 5 "
        r"rows \(the first: row 4\)",
    ):
        _checked_rounds(members, Ridge(), None, of_members=True)


# --------------------------------------------------------------------------
# None in an object array (item 4)
# --------------------------------------------------------------------------
def _with_none(values, index):
    values = np.array(values, dtype=object)
    values[index] = None
    return values


def test_ensemble_selection_regressor_refuses_none():
    # Before: None read as NaN, and weights [0.9, 0, 0.1] instead of [1, 0, 0].
    y = np.arange(10.0)
    columns = np.column_stack([y, y + 3, y - 5])
    assert_array_equal(
        EnsembleSelectionRegressor(10).fit(columns, y).weights_, [1.0, 0.0, 0.0]
    )
    with_none = _with_none(columns, (4, 0))
    with pytest.raises(ValueError, match="^Input X contains None: EnsembleSelection"):
        EnsembleSelectionRegressor(10).fit(with_none, y)
    model = EnsembleSelectionRegressor(10).fit(columns, y)
    with pytest.raises(ValueError, match="^Input X contains None"):
        model.predict(with_none)
    with pytest.raises(ValueError, match="^Input y contains None"):
        EnsembleSelectionRegressor(10).fit(columns, _with_none(y, 2))


def test_ensemble_selection_classifier_refuses_none():
    # Before: NaN probabilities.
    y = np.array([0, 1, 1, 0, 1, 0])
    columns = np.column_stack([[0.1, 0.9, 0.8, 0.2, 0.7, 0.3], np.full(6, 0.5)])
    model = EnsembleSelectionClassifier(4).fit(columns, y)
    with_none = _with_none(columns, (2, 0))
    with pytest.raises(ValueError, match="^Input X contains None"):
        model.predict_proba(with_none)
    with pytest.raises(ValueError, match="^Input X contains None"):
        clone(model).fit(with_none, y)
    with pytest.raises(ValueError, match="^Input sample_weight contains None"):
        clone(model).fit(columns, y, sample_weight=_with_none(np.ones(6), 1))


def test_none_in_a_numeric_target_is_refused():
    # Before: a multi-output regressor's target took None as NaN, unchecked,
    # and predicted NaN.
    with pytest.raises(ValueError, match="^Input y contains None"):
        BaggingRegressor(n_estimators=2).fit(X, _with_none(Y_REG, 5))
    with pytest.raises(ValueError, match="^Input y contains None"):
        BaggingRegressor(n_estimators=2).fit(X, list(_with_none(Y_REG, 5)))


def test_none_is_a_missing_value_where_members_take_them():
    # Trees take missing values: None among numbers is one, as NaN is.
    with_none = _with_none(X, (3, 1))
    model = BoostingRegressor(n_estimators=3, random_state=0).fit(with_none, Y_REG)
    assert np.isfinite(model.predict(with_none)).all()
    with pytest.raises(ValueError, match="^Input X contains None: BoostingRegressor"):
        BoostingRegressor(Ridge(), n_estimators=3).fit(with_none, Y_REG)


def test_decomposition_refuses_none():
    with_none = _with_none(X, (3, 1))
    with pytest.raises(ValueError, match="^Input X_test contains None"):
        bias_variance_decomposition(Ridge(), X, Y_REG, with_none, Y_REG, n_rounds=2)
    with pytest.raises(ValueError, match="^Input y_train contains None"):
        bias_variance_decomposition(
            DecisionTreeClassifier(), X, _with_none(Y_BIN, 0), X, Y_BIN, n_rounds=2
        )


# --------------------------------------------------------------------------
# A member that ends its worker process
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["bagging", "stacking"])
def test_a_member_that_kills_its_worker_is_named(kind):
    from _registry import ProcessExitRegressor
    from joblib import parallel_config
    from sklearn.datasets import make_friedman1
    from sklearn.tree import DecisionTreeRegressor

    from ensembles import BaggingRegressor, StackingRegressor

    X, y = make_friedman1(n_samples=100, random_state=0)
    if kind == "bagging":
        model = BaggingRegressor(ProcessExitRegressor(), n_estimators=2, n_jobs=2)
        named = r"BaggingRegressor: fitting member 0"
    else:
        members = [("tree", DecisionTreeRegressor()), ("crash", ProcessExitRegressor())]
        model = StackingRegressor(members, cv=2, n_jobs=2)
        named = r"Member 'crash' \(layer 1\), fold 1 of 2"
    # Loky worker processes: the member's os._exit ends one of them, never
    # the tests' own process.
    with parallel_config(backend="loky"):
        with pytest.raises(RuntimeError, match="a worker process died") as info:
            model.fit(X, y)
    assert re.search(named, str(info.value))
