"""The default line-up (``estimators=None``) and what it is built from:
early stopping on each fold's held-out rows, out-of-fold predictions out of
bag, selection across layers, the time budget and the leaderboard."""

import copy
import inspect
import pickle
import time

import lightgbm
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_breast_cancer, load_iris, make_friedman1
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, RepeatedKFold, train_test_split
from sklearn.tree import DecisionTreeRegressor

from ensembles import (
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    StackingClassifier,
    StackingRegressor,
)
from ensembles._stack_defaults import default_line_up

# The default line-up with fewer fits, so that the tests stay quick; the
# members, layers and final estimator are the line-up's.
QUICK = dict(cv=3, n_repeats=1, random_state=0)


@pytest.fixture(scope="module")
def friedman():
    X, y = make_friedman1(n_samples=400, noise=1.0, random_state=0)
    return train_test_split(X, y, random_state=0)


@pytest.fixture(scope="module")
def default_regressor(friedman):
    X_train, _, y_train, _ = friedman
    return StackingRegressor(**QUICK).fit(X_train, y_train)


def _mixed_frame(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "size": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue", None], n),
            "shape": pd.Categorical(rng.choice(["round", "square"], n)),
            "sometimes": np.where(rng.rand(n) < 0.2, np.nan, rng.normal(size=n)),
            "flag": rng.rand(n) < 0.5,
        }
    )
    y = (
        2 * X["size"]
        + 3 * (X["colour"] == "red")
        + np.nan_to_num(X["sometimes"])
        + rng.normal(scale=0.3, size=n)
    )
    return X, y.to_numpy()


# --------------------------------------------------------------------------
# The line-up
# --------------------------------------------------------------------------
def test_line_up_is_sized_to_the_data():
    small = default_line_up(np.zeros((200, 3)), classifier=False)
    large = default_line_up(np.zeros((60_000, 3)), classifier=False)
    assert (small.cv, small.n_repeats) == (8, 3)
    assert large.n_repeats == 1
    # The top selection picks from both layers, but from the last alone on
    # small data, where out-of-fold scores are noisy.
    assert large.all_layers_to_final and not small.all_layers_to_final
    assert default_line_up(np.zeros((1000, 3)), classifier=True).all_layers_to_final
    names = [name for name, _ in small.layers[0]]
    assert {"lightgbm", "random_forest", "knn_uniform", "linear"} <= set(names)
    # k-NN is left out where its predictions cost too much, and with sample
    # weights, which it cannot take.
    assert "knn_uniform" not in [name for name, _ in large.layers[0]]
    weighted = default_line_up(np.zeros((200, 3)), classifier=True, weighted=True)
    assert "knn_uniform" not in [name for name, _ in weighted.layers[0]]
    assert isinstance(weighted.final_estimator, EnsembleSelectionClassifier)
    assert len(small.layers) == 2


def test_default_regressor_fits_and_beats_its_linear_member(
    friedman, default_regressor
):
    X_train, X_test, y_train, y_test = friedman
    stack = default_regressor
    assert isinstance(stack.final_estimator_, EnsembleSelectionRegressor)
    assert len(stack.members_) == 2  # two layers
    r2 = r2_score(y_test, stack.predict(X_test))
    linear = LinearRegression().fit(X_train, y_train)
    assert r2 > r2_score(y_test, linear.predict(X_test)) + 0.05
    assert r2 > 0.85
    # Below 1000 rows the selection picks from the second layer's members.
    first, second = stack.members_
    assert stack.final_estimator_.weights_.shape == (len(second),)
    assert stack.transform(X_test).shape == (len(X_test), len(second))
    assert len(stack.get_feature_names_out()) == len(second)
    # The second layer learns from the first layer's predictions only (no
    # passthrough: with X it learnt the out-of-fold shift, RESULTS.md).
    for member in second:
        assert {m.n_features_in_ for m in member.estimators_} == {len(first)}


def test_default_regressor_is_reproducible_and_pickles(friedman, default_regressor):
    X_train, X_test, y_train, _ = friedman
    again = StackingRegressor(**QUICK).fit(X_train, y_train)
    assert_allclose(again.predict(X_test), default_regressor.predict(X_test))
    restored = pickle.loads(pickle.dumps(default_regressor))
    assert_array_equal(restored.predict(X_test), default_regressor.predict(X_test))


def test_default_stack_has_no_member_parameters():
    stack = StackingRegressor()
    assert stack.get_params()["estimators"] is None
    assert not any("__" in key for key in stack.get_params(deep=True))
    assert clone(stack).get_params() == stack.get_params()


@pytest.mark.parametrize("loader", [load_breast_cancer, load_iris])
def test_default_classifier_binary_and_multiclass(loader):
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    stack = StackingClassifier(**QUICK).fit(X_train, y_train)
    proba = stack.predict_proba(X_test)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert accuracy_score(y_test, stack.predict(X_test)) > 0.9
    assert isinstance(stack.final_estimator_, EnsembleSelectionClassifier)
    assert not hasattr(stack, "decision_function")


def test_default_stack_on_a_mixed_data_frame():
    X, y = _mixed_frame(400)
    X_train, X_test, y_train, y_test = X.iloc[:300], X.iloc[300:], y[:300], y[300:]
    stack = StackingRegressor(**QUICK).fit(X_train, y_train)
    assert r2_score(y_test, stack.predict(X_test)) > 0.8
    # An unseen category and a missing value at prediction.
    new = X_test.iloc[:3].copy()
    new.iloc[0, new.columns.get_loc("colour")] = "purple"
    new.iloc[1, new.columns.get_loc("size")] = np.nan
    assert np.isfinite(stack.predict(new)).all()
    labels = np.where(y > np.median(y), "high", "low")
    classifier = StackingClassifier(**QUICK).fit(X_train, labels[:300])
    assert set(classifier.predict(X_test)) <= {"high", "low"}


def test_default_stack_takes_sample_weights(friedman):
    X_train, X_test, y_train, y_test = friedman
    weight = np.ones(len(y_train))
    stack = StackingRegressor(**QUICK).fit(X_train, y_train, sample_weight=weight)
    names = [member.name for layer in stack.members_ for member in layer]
    assert "knn_uniform" not in names and "linear" in names
    assert r2_score(y_test, stack.predict(X_test)) > 0.85


def test_explicit_settings_override_the_line_up(friedman):
    X_train, _, y_train, _ = friedman
    stack = StackingRegressor(cv=2, n_repeats=1, passthrough=True, time_limit=None)
    stack.set_params(oof_from_oob=False, final_input="all_layers").fit(X_train, y_train)
    # Selection across both layers: one weight per member of either.
    n_members = sum(len(layer) for layer in stack.members_)
    assert stack.final_estimator_.weights_.shape == (n_members,)
    assert stack.transform(X_train[:5]).shape == (5, n_members)
    forest = next(m for m in stack.members_[0] if m.name == "random_forest")
    assert forest.n_fits_ == 2  # two folds, no out-of-bag shortcut
    # passthrough=True hands the second layer X beside the predictions.
    n_columns = len(stack.members_[0]) + X_train.shape[1]
    for member in stack.members_[1]:
        assert {m.n_features_in_ for m in member.estimators_} == {n_columns}


# --------------------------------------------------------------------------
# Early stopping inside each fold
# --------------------------------------------------------------------------
def test_early_stopping_sees_only_the_folds_held_out_rows(monkeypatch):
    """Every fold fit of a LightGBM member that stops early validates on
    exactly the rows that fold predicts out of fold, never on its training
    rows: the first column of X is the row number."""
    rng = np.random.RandomState(0)
    X = np.column_stack([np.arange(120.0), rng.normal(size=(120, 3))])
    y = X[:, 1] + rng.normal(scale=0.1, size=120)
    seen = []
    fit = lightgbm.LGBMRegressor.fit

    def recording_fit(self, X, y, sample_weight=None, eval_X=None, **params):
        validation = eval_X or [v for v, _ in params.get("eval_set", [])]
        seen.append((X[:, 0].copy(), [v[:, 0].copy() for v in validation]))
        return fit(self, X, y, sample_weight=sample_weight, eval_X=eval_X, **params)

    monkeypatch.setattr(lightgbm.LGBMRegressor, "fit", recording_fit)
    member = lightgbm.LGBMRegressor(
        n_estimators=200, early_stopping_round=5, min_child_samples=5, verbose=-1
    )
    folds = KFold(4, shuffle=True, random_state=0)
    StackingRegressor([("gbm", member)], cv=folds, n_jobs=1).fit(X, y)
    fold_fits = [(train, held) for train, held in seen if held]
    unvalidated = [train for train, held in seen if not held]
    assert len(fold_fits) == 4
    expected = {tuple(sorted(test)) for _, test in folds.split(X)}
    for train, (held,) in fold_fits:
        assert not set(train) & set(held)
        assert tuple(sorted(held)) in expected
        assert len(train) + len(held) == 120
    # The refit: every row, no validation. The folds regrown to the other
    # folds' rounds: a fold's training rows again, no validation either.
    refits = [train for train in unvalidated if len(train) == 120]
    regrown = [train for train in unvalidated if len(train) < 120]
    assert len(refits) == 1 and regrown
    fold_train = {tuple(sorted(train)) for train, _ in fold_fits}
    assert all(tuple(sorted(train)) in fold_train for train in regrown)


def test_each_fold_stops_at_its_own_round_and_the_refit_runs_their_mean():
    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    member = lightgbm.LGBMRegressor(
        n_estimators=2000, learning_rate=0.1, early_stopping_round=10, verbose=-1
    )
    stack = StackingRegressor(
        [("gbm", member)], cv=4, random_state=0, keep_fold_models=True
    ).fit(X, y)
    fitted = stack.members_[0]
    rounds = fitted.fold_rounds_
    assert len(rounds) == 4 and len(set(rounds)) > 1 and max(rounds) < 2000
    assert fitted.refit_estimator_.n_estimators_ == round(np.mean(rounds))

    hgb = HistGradientBoostingRegressor(
        max_iter=1000, early_stopping=True, n_iter_no_change=5, random_state=0
    )
    stack = StackingRegressor(
        [("hgb", hgb)], cv=3, random_state=0, keep_fold_models=True
    ).fit(X, y)
    fitted = stack.members_[0]
    iterations = [model.n_iter_ for model in fitted.estimators_]
    assert fitted.fold_rounds_ == iterations
    assert fitted.refit_estimator_.n_iter_ == round(np.mean(iterations))


@pytest.mark.parametrize("refit", [False, True])
def test_held_out_rows_are_predicted_with_the_other_folds_rounds(refit):
    """Each LightGBM fold model predicts the rows it stopped on with the
    other folds' mean rounds, not with its own best round (chosen on those
    rows, so fitted to their noise): one that ran more is cut to it, one
    that stopped earlier is grown to it, from the trees it grew past its
    best round while waiting for the patience to run out, or by a new fit
    when even those are too few. The fold's own rounds are kept for the
    refit's mean."""
    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    member = lightgbm.LGBMRegressor(
        n_estimators=2000, learning_rate=0.1, early_stopping_round=10, verbose=-1
    )
    folds = KFold(4, shuffle=True, random_state=0)
    stack = StackingRegressor(
        [("gbm", member)], cv=folds, refit=refit, keep_fold_models=True
    )
    oof = stack.fit_transform(X, y)[:, 0]
    models = stack.members_[0].estimators_
    own = np.array(stack.members_[0].fold_rounds_)
    assert len(set(own)) > 1
    cut = grown = again = 0
    for g, (model, (train, test)) in enumerate(zip(models, folds.split(X))):
        rounds = int(round(np.delete(own, g).mean()))
        cut += rounds < own[g]
        grown += rounds > own[g]
        assert model.booster_.current_iteration() == rounds
        # Fitted again (no early stopping) only past its patience's trees.
        fitted_again = model.best_iteration_ == 0
        assert fitted_again == (rounds > own[g] + 10)
        again += fitted_again
        if not fitted_again:
            assert model.best_iteration_ == own[g]
        # What a fit of that many rounds on the fold's rows predicts.
        params = {**model.get_params(), "n_estimators": int(rounds)}
        fresh = lightgbm.LGBMRegressor(**{**params, "early_stopping_round": None})
        assert_allclose(oof[test], fresh.fit(X[train], y[train]).predict(X[test]))
        # A copy predicts as the model does (the later trees are gone).
        assert_allclose(copy.deepcopy(model).predict(X[test]), oof[test])
    assert cut and again and grown > again  # cut, grown from the kept trees, refitted
    if refit:
        assert stack.members_[0].refit_estimator_.n_estimators_ == round(own.mean())
    else:  # the fold models predict new rows with those rounds too
        X_new = X[:5]
        rounds = [model.booster_.best_iteration for model in models]
        expected = np.mean(
            [m.predict(X_new, num_iteration=r) for m, r in zip(models, rounds)], axis=0
        )
        assert_allclose(stack.transform(X_new)[:, 0], expected)


@pytest.mark.parametrize("repeated", ["n_repeats", "splitter"])
def test_other_folds_rounds_are_those_of_the_same_repeat(repeated):
    """With repeated folds (the stack's n_repeats, or a repeated splitter
    as cv), a fold model is cut to the mean rounds of the other folds of
    its own repeat: a fold of another repeat chose its rounds on rows that
    overlap this fold's held-out rows."""
    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    member = lightgbm.LGBMRegressor(
        n_estimators=2000, learning_rate=0.1, early_stopping_round=10, verbose=-1
    )
    if repeated == "n_repeats":
        folds = {"cv": 4, "n_repeats": 2}
    else:
        folds = {"cv": RepeatedKFold(n_splits=4, n_repeats=2, random_state=0)}
    stack = StackingRegressor([("gbm", member)], refit=False, random_state=0, **folds)
    stack.fit(X, y)
    models = stack.members_[0].estimators_
    own = np.array(stack.members_[0].fold_rounds_)
    differs = 0
    for g, model in enumerate(models):
        repeat = np.arange(4) + 4 * (g // 4)
        same_repeat = int(round(own[repeat[repeat != g]].mean()))
        every_other = int(round(np.delete(own, g).mean()))
        assert model.booster_.current_iteration() == same_repeat
        differs += same_repeat != every_other
    assert differs  # the two rules differ on these folds


# --------------------------------------------------------------------------
# Out-of-fold predictions out of bag
# --------------------------------------------------------------------------
@pytest.mark.parametrize("refit", [True, False])
def test_out_of_bag_member_is_fitted_once_and_feeds_its_oob_predictions(refit):
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
    forest = RandomForestRegressor(n_estimators=60, random_state=0)
    stack = StackingRegressor(
        [("forest", forest), ("tree", DecisionTreeRegressor(max_depth=3))],
        cv=4,
        oof_from_oob=True,
        refit=refit,
    )
    features = stack.fit_transform(X, y)
    fitted_forest, fitted_tree = stack.members_
    assert fitted_forest.n_fits_ == 1
    assert fitted_tree.n_fits_ == 4 + refit  # k-fold as before
    model = fitted_forest._predictors()[0]
    assert_allclose(features[:, 0], model.oob_prediction_)
    assert_allclose(stack.oof_scores_["forest"], model.oob_score_)


# --------------------------------------------------------------------------
# Selection across layers, the metric
# --------------------------------------------------------------------------
def test_selection_across_layers_can_pick_a_first_layer_member():
    X, y = make_friedman1(n_samples=300, noise=0.5, random_state=0)
    layers = [
        [("forest", RandomForestRegressor(n_estimators=50, random_state=0))],
        [("mean", DummyRegressor())],  # a useless second layer
    ]
    selection = EnsembleSelectionRegressor(ensemble_size=10)
    all_layers = StackingRegressor(
        layers, selection, final_input="all_layers", cv=3, random_state=0
    ).fit(X, y)
    last_layer = StackingRegressor(
        layers, selection, final_input="last_layer", cv=3, random_state=0
    ).fit(X, y)
    assert_allclose(all_layers.final_estimator_.weights_, [1.0, 0.0])
    board = all_layers.leaderboard()
    assert board.set_index("member").loc["forest", "weight"] == 1.0
    assert all_layers.score(X, y) > last_layer.score(X, y) + 0.5


def test_selection_metric_is_a_parameter():
    y = np.array([0, 0, 1, 1, 1])
    # Model 1 is always right but barely; model 2 is confident and wrong
    # once: log-loss prefers model 1, zero-one counts the errors only.
    confident = [0.01, 0.01, 0.99, 0.99, 0.45]
    hesitant = [0.49, 0.49, 0.51, 0.51, 0.51]
    X = np.column_stack([hesitant, confident])
    picked = {
        metric: EnsembleSelectionClassifier(ensemble_size=1, metric=metric)
        .fit(X, y)
        .weights_
        for metric in ("log_loss", "brier_score", "zero_one")
    }
    assert_array_equal(picked["zero_one"], [1.0, 0.0])
    assert_array_equal(picked["brier_score"], [0.0, 1.0])
    y_reg = np.array([0.0, 0.0, 0.0, 0.0, 10.0])
    columns = np.column_stack([np.zeros(5), np.full(5, 2.0)])
    absolute = EnsembleSelectionRegressor(ensemble_size=1, metric="absolute_error")
    squared = EnsembleSelectionRegressor(ensemble_size=1, metric="squared_error")
    assert_array_equal(absolute.fit(columns, y_reg).weights_, [1.0, 0.0])
    assert_array_equal(squared.fit(columns, y_reg).weights_, [0.0, 1.0])


# --------------------------------------------------------------------------
# Time budget and leaderboard
# --------------------------------------------------------------------------
class SlowRegressor(RegressorMixin, BaseEstimator):
    """The mean, after ``seconds`` of sleep: a member of known cost."""

    def __init__(self, seconds=0.2):
        self.seconds = seconds

    def fit(self, X, y):
        time.sleep(self.seconds)
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_time_limit_skips_what_would_overrun(capsys):
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
    members = [("ridge", Ridge())] + [
        (f"slow{i}", SlowRegressor(0.2)) for i in range(6)
    ]
    start = time.perf_counter()
    stack = StackingRegressor(
        members, cv=4, time_limit=1.5, n_jobs=2, verbose=1, random_state=0
    ).fit(X, y)
    elapsed = time.perf_counter() - start
    # Each slow member costs 2 x 0.2 s for its folds and 0.2 s to refit:
    # about 0.6 s a member, so some of the six cannot fit in 1.5 s.
    assert elapsed < 1.5 + 1.5  # at most about one member beyond
    board = stack.leaderboard()
    skipped = board[board["note"] != ""]
    assert 1 <= len(skipped) <= 5
    assert (skipped["note"] == "time limit").all() and skipped["score"].isna().all()
    assert set(skipped["member"]) | set(stack.named_estimators_) == {
        name for name, _ in members
    }
    assert np.isfinite(stack.predict(X)).all()
    assert "skipped member 'slow" in capsys.readouterr().err


def test_time_limit_on_the_default_line_up():
    X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    start = time.perf_counter()
    stack = StackingRegressor(time_limit=3, random_state=0).fit(X, y)
    # The first member's first repeat always runs: a generous tolerance.
    assert time.perf_counter() - start < 3 * 2 + 2
    assert r2_score(y, stack.predict(X)) > 0.8
    assert stack.leaderboard()["note"].str.contains("time limit").any()


def test_time_limit_that_leaves_out_a_layer_keeps_the_layout():
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
    layers = [[("slow", SlowRegressor(0.3))], [("ridge", Ridge())]]
    stack = StackingRegressor(layers, cv=2, time_limit=0.5, n_jobs=2).fit(X, y)
    assert len(stack.members_) == 2 and stack.members_[1] == []
    assert stack.estimators_[1] == []
    board = stack.leaderboard().set_index("member")
    assert board.loc["ridge", "note"] == "time limit: layer left out"
    assert np.isfinite(stack.predict(X)).all()


def test_leaderboard_lists_every_member(default_regressor):
    board = default_regressor.leaderboard()
    assert list(board.columns) == [
        "member",
        "layer",
        "score",
        "fit_time",
        "n_fits",
        "weight",
        "note",
    ]
    n_members = sum(len(layer) for layer in default_regressor.members_)
    assert len(board) == n_members
    assert board["score"].is_monotonic_decreasing
    assert (board["fit_time"] > 0).all()
    assert_allclose(board["weight"].sum(), 1.0)
    assert dict(zip(board["member"], board["score"])) == pytest.approx(
        default_regressor.oof_scores_
    )
    assert set(board["layer"]) == {1, 2}


def test_our_boosting_stops_early_on_the_fold_rows():
    from ensembles import BoostingRegressor

    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    booster = BoostingRegressor(
        n_estimators=500, learning_rate=0.3, n_iter_no_change=5, random_state=0
    )
    stack = StackingRegressor(
        [("boost", booster)], cv=3, random_state=0, keep_fold_models=True
    ).fit(X, y)
    fitted = stack.members_[0]
    stages = [model.n_estimators_ for model in fitted.estimators_]
    assert max(stages) < 500
    assert fitted.refit_estimator_.n_estimators_ == round(np.mean(stages))
    # Given rows replace the validation_fraction split: every row trains.
    alone = clone(booster).fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    assert alone.n_estimators_ < 500
    with pytest.raises(ValueError, match="set n_iter_no_change"):
        BoostingRegressor().fit(X, y, X_val=X, y_val=y)
    from ensembles import BoostingClassifier

    labels = np.where(y > np.median(y), "high", "low")
    classifier = BoostingClassifier(n_estimators=50, n_iter_no_change=3)
    classifier.fit(X[:200], labels[:200], X_val=X[200:], y_val=labels[200:])
    assert set(classifier.predict(X[200:])) <= {"high", "low"}
    with pytest.raises(ValueError, match="labels that y does not"):
        classifier.fit(X[:200], labels[:200], X_val=X[200:], y_val=["other"] * 100)


def test_default_stack_on_small_data_uses_fewer_folds():
    X, y = load_iris(return_X_y=True)
    keep = np.r_[0:5, 50:80, 100:130]  # 5 rows of the first class
    stack = StackingClassifier(n_repeats=1, random_state=0).fit(X[keep], y[keep])
    assert stack._cv == 5
    assert accuracy_score(y[keep], stack.predict(X[keep])) > 0.9


@pytest.mark.parametrize(
    "params, error",
    [
        ({"time_limit": 0}, "time_limit"),
        ({"final_input": "middle"}, "final_input"),
        ({"refit": "sometimes"}, "refit"),
        ({"oof_from_oob": "maybe"}, "oof_from_oob"),
    ],
)
def test_new_settings_are_validated(params, error):
    X, y = make_friedman1(n_samples=50, random_state=0)
    with pytest.raises(ValueError, match=error):
        StackingRegressor(**params).fit(X, y)


def test_default_stack_refuses_bad_input_clearly():
    X, y = make_friedman1(n_samples=50, random_state=0)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        StackingRegressor().fit(X_inf, y)
    labels = np.zeros((50, 2), dtype=int)
    labels[::2, 1] = 1
    labels[1::2, 0] = 1
    with pytest.raises(ValueError, match="one target"):
        StackingClassifier().fit(X, labels)
    with pytest.raises(ValueError, match="only one class"):
        StackingClassifier().fit(X, np.zeros(50))


def test_rows_no_tree_left_out_get_the_forests_own_prediction():
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
    y = y + 50  # an uncovered row left at 0 would stand out
    forest = RandomForestRegressor(n_estimators=4, random_state=0)
    stack = StackingRegressor(
        [("forest", forest), ("ridge", Ridge())], cv=4, oof_from_oob=True
    )
    features = stack.fit_transform(X, y)
    assert features[:, 0].min() > 40
    assert stack.oof_scores_["forest"] > 0


def test_out_of_bag_only_for_probabilities_and_predictions():
    from sklearn.ensemble import BaggingClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    members = [
        ("bag", BaggingClassifier(LogisticRegression(max_iter=1000), n_estimators=10)),
        ("lr", LogisticRegression(max_iter=1000)),
    ]
    stack = StackingClassifier(
        members, stack_method="decision_function", oof_from_oob=True, cv=3
    ).fit(X, y)
    assert stack.members_[0].n_fits_ == 4  # k folds and the refit
    assert stack.predict(X).shape == (150,)


def test_lightgbm_patience_under_any_alias():
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
    for alias in ("n_iter_no_change", "early_stopping", "early_stopping_rounds"):
        member = lightgbm.LGBMRegressor(n_estimators=300, verbose=-1, **{alias: 5})
        stack = StackingRegressor([("gbm", member)], cv=3).fit(X, y)
        assert stack.estimators_[0].n_estimators_ < 300, alias


def test_each_fold_stops_where_lightgbm_itself_would():
    """A fold's rounds are those LightGBM's own early stopping chooses on
    the fold's held-out rows, whichever aliases set the patience (LightGBM
    resolves them in its own order), and the kept fold models keep their
    parameters."""
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=0)
    params = dict(
        n_estimators=500,
        learning_rate=0.1,
        early_stopping_rounds=60,
        n_iter_no_change=5,
        verbose=-1,
    )
    folds = KFold(3, shuffle=True, random_state=0)
    stack = StackingRegressor(
        [("gbm", lightgbm.LGBMRegressor(**params))], cv=folds, refit=False
    ).fit(X, y)
    member = stack.members_[0]
    for rounds, (train, test) in zip(member.fold_rounds_, folds.split(X)):
        alone = lightgbm.LGBMRegressor(**params, random_state=0)
        if "eval_X" in inspect.signature(alone.fit).parameters:  # LightGBM >= 4.7
            held_out = {"eval_X": (X[test],), "eval_y": (y[test],)}
        else:
            held_out = {"eval_set": [(X[test], y[test])]}
        alone.fit(X[train], y[train], **held_out)
        assert rounds == alone.best_iteration_
    for model in member.estimators_:
        if model.best_iteration_:  # not fitted again, without early stopping
            assert model.get_params()["n_iter_no_change"] == 5
    # Every fit is counted, those of folds grown to the others' rounds too.
    regrown = sum(model.best_iteration_ == 0 for model in member.estimators_)
    assert member.n_fits_ == 3 + regrown


@pytest.mark.filterwarnings("ignore:Early stopping is not available in dart mode")
def test_lightgbm_dart_in_a_stack_runs_its_rounds():
    """DART boosting ignores early stopping (LightGBM's rule), so such a
    member runs all its rounds in every fold."""
    X, y = make_friedman1(n_samples=150, noise=1.0, random_state=0)
    dart = lightgbm.LGBMRegressor(
        n_estimators=30, boosting_type="dart", early_stopping_round=5, verbose=-1
    )
    stack = StackingRegressor([("dart", dart)], cv=3, refit=False).fit(X, y)
    rounds = [m.booster_.current_iteration() for m in stack.members_[0].estimators_]
    assert rounds == [30, 30, 30]
    assert np.isfinite(stack.predict(X)).all()


@pytest.mark.parametrize("refit", [False, True])
def test_users_early_stopping_callback_in_a_stack(refit):
    """A LightGBM early-stopping callback of the user's, routed to the
    member's fit, stops each fold fit on its held-out rows (before the
    member's own, longer patience); the fits of chosen rounds (the refit on
    all rows, a fold grown to the others' rounds) have no held-out rows and
    run without it."""
    from sklearn import config_context

    X, y = make_friedman1(n_samples=150, noise=1.0, random_state=0)
    member = lightgbm.LGBMRegressor(
        n_estimators=300, learning_rate=0.2, early_stopping_round=50, verbose=-1
    )
    folds = KFold(3, shuffle=True, random_state=0)
    with config_context(enable_metadata_routing=True):
        member.set_fit_request(callbacks=True)
        stack = StackingRegressor([("gbm", member)], cv=folds, refit=refit)
        stack.fit(X, y, callbacks=[lightgbm.early_stopping(3, verbose=False)])
    assert np.isfinite(stack.predict(X)).all()
    fitted = stack.members_[0]
    # Each fold's rounds are those the callback's patience of 3 chooses.
    for rounds, (train, test) in zip(fitted.fold_rounds_, folds.split(X)):
        alone = lightgbm.LGBMRegressor(
            n_estimators=300, learning_rate=0.2, verbose=-1, random_state=0
        )
        if "eval_X" in inspect.signature(alone.fit).parameters:  # LightGBM >= 4.7
            held_out = {"eval_X": (X[test],), "eval_y": (y[test],)}
        else:
            held_out = {"eval_set": [(X[test], y[test])]}
        callback = lightgbm.early_stopping(3, verbose=False)
        alone.fit(X[train], y[train], callbacks=[callback], **held_out)
        assert rounds == alone.best_iteration_
    if refit:
        assert fitted.refit_estimator_.n_estimators_ == round(
            np.mean(fitted.fold_rounds_)
        )


def test_default_stack_weights_on_a_mixed_frame_and_with_routing():
    from sklearn import config_context

    X, y = _mixed_frame(150)
    weight = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    unweighted = StackingRegressor(**QUICK).fit(X, y).predict(X)
    weighted = StackingRegressor(**QUICK).fit(X, y, sample_weight=weight)
    assert not np.allclose(weighted.predict(X), unweighted)
    with config_context(enable_metadata_routing=True):
        routed = StackingRegressor(**QUICK).fit(X, y, sample_weight=weight)
        assert_allclose(routed.predict(X), weighted.predict(X))


def test_default_line_up_with_a_split_of_the_users():
    X, y = make_friedman1(n_samples=150, noise=1.0, random_state=0)
    blended = StackingRegressor(cv=0.3, random_state=0).fit(X, y)
    assert blended._n_repeats == 1 and not blended._out_of_bag
    folds = StackingRegressor(cv=KFold(3), random_state=0).fit(X, y)
    assert np.isfinite(folds.predict(X)).all()


def test_default_line_up_with_the_users_final_estimator_and_missing_values():
    from sklearn.linear_model import RidgeCV

    X, y = make_friedman1(n_samples=150, noise=1.0, random_state=0)
    X = X.copy()
    X[::7, 2] = np.nan
    stack = StackingRegressor(final_estimator=RidgeCV(), **QUICK).fit(X, y)
    # The second layer's predictions (150 rows: the last layer's only), no X.
    assert stack.transform(X).shape == (150, len(stack.members_[-1]))
