"""Diversity in the bias/variance decomposition (Wood et al. 2023).

The figures are checked against a short independent implementation
written here with loops over rounds and members (explicit KL divergences,
modes by counting, a brute-force jackknife), against figures worked out by
hand, and against the behaviour the theory predicts: identical members
have no diversity, independent ones have ``average variance * (1 - 1/M)``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_wine
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import BaggingClassifier as SkBaggingClassifier
from sklearn.ensemble import (
    RandomForestClassifier,
    RandomForestRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.ensemble import StackingRegressor as SkStackingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    BoostingRegressor,
    StackingClassifier,
    StackingRegressor,
    bias_variance_decomposition,
)
from ensembles._decomposition import decompose
from ensembles._diversity import member_outputs

MEMBER_FIGURES = ("average_bias", "average_variance", "diversity", "combiner_gap")


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    return X[::2], y[::2], X[1::2], y[1::2]


def _identity_gap(result):
    """bias + variance less the members' side of the identity."""
    members = result.average_bias + result.average_variance - result.diversity
    return result.bias + result.variance - members


# --------------------------------------------------------------------------
# An independent implementation: loops, explicit divergences
# --------------------------------------------------------------------------
def _naive_member_terms(loss, members, weights, target):
    """(average_bias, average_variance, diversity) of members (rounds x
    members x points [x classes]) by loops. ``target``: numbers, or label
    indices for the classification losses (whose members hold
    probabilities, or label indices for "zero_one")."""
    n_rounds, n_members, n_points = members.shape[:3]
    average_bias = average_variance = diversity = 0.0
    for i in range(n_members):
        rounds = members[:, i]
        if loss in ("squared_error", "brier"):
            truth = (
                target if loss == "squared_error" else np.eye(rounds.shape[2])[target]
            )
            main = rounds.mean(axis=0)
            bias = np.mean(_squared_norm(main - truth))
            variance = np.mean([_squared_norm(r - main).mean() for r in rounds])
        elif loss == "log_loss":
            p = _clipped(rounds)
            geometric = np.exp(np.log(p).mean(axis=0))
            main = geometric / geometric.sum(axis=1, keepdims=True)
            bias = -np.mean(np.log(main[np.arange(n_points), target]))
            variance = np.mean(
                [np.sum(main * np.log(main / r), axis=1).mean() for r in p]
            )
        else:
            modes = [np.bincount(rounds[:, t]).argmax() for t in range(n_points)]
            bias = variance = 0.0
            for t in range(n_points):
                off = np.mean(rounds[:, t] != modes[t])
                if modes[t] == target[t]:
                    variance += off / n_points
                else:
                    bias += 1 / n_points
                    variance -= np.mean(rounds[:, t] == target[t]) / n_points
        average_bias += weights[i] * bias
        average_variance += weights[i] * variance
    for r in range(n_rounds):
        if loss in ("squared_error", "brier"):
            combined = np.tensordot(weights, members[r], axes=1)
            for i in range(n_members):
                spread = _squared_norm(members[r, i] - combined).mean()
                diversity += weights[i] * spread / n_rounds
        elif loss == "log_loss":
            p = _clipped(members[r])
            geometric = np.exp(np.tensordot(weights, np.log(p), axes=1))
            combined = geometric / geometric.sum(axis=1, keepdims=True)
            for i in range(n_members):
                kl = np.sum(combined * np.log(combined / p[i]), axis=1)
                diversity += weights[i] * kl.mean() / n_rounds
    return average_bias, average_variance, diversity


def _squared_norm(difference):
    """Per point: the square, or the squared length of a probability vector."""
    if difference.ndim == 1:
        return difference**2
    return np.sum(difference**2, axis=-1)


def _clipped(proba):
    proba = np.clip(proba, 1e-15, 1.0)
    return proba / proba.sum(axis=-1, keepdims=True)


def _brute_jackknife(values_without_each_round):
    values = np.asarray(values_without_each_round)
    n = len(values)
    return np.sqrt((n - 1) / n * np.sum((values - values.mean()) ** 2))


def _synthetic(loss, n_rounds=9, n_members=3, n_points=15, n_classes=3, seed=0):
    """Members' outputs for ``loss``, their weights, the labels or targets,
    and the ensemble's outputs (the combination the decomposition
    assumes; a majority vote for the zero-one loss)."""
    rng = np.random.RandomState(seed)
    weights = rng.dirichlet(np.ones(n_members))
    if loss == "squared_error":
        target = rng.normal(size=n_points)
        members = target + rng.normal(size=(n_rounds, n_members, n_points))
        members += rng.normal(size=(1, n_members, n_points))  # members' own biases
        return members, weights, target, np.tensordot(members, weights, axes=(1, 0))
    target = rng.randint(n_classes, size=n_points)
    if loss == "zero_one":
        members = np.where(
            rng.rand(n_rounds, n_members, n_points) < 0.7,
            target,
            rng.randint(n_classes, size=(n_rounds, n_members, n_points)),
        )
        votes = np.stack([(members == c).sum(axis=1) for c in range(n_classes)])
        return members, np.full(n_members, 1 / n_members), target, votes.argmax(0)
    members = rng.dirichlet(np.ones(n_classes), size=(n_rounds, n_members, n_points))
    if loss == "brier":
        return members, weights, target, np.tensordot(members, weights, axes=(1, 0))
    geometric = np.exp(np.tensordot(np.log(members), weights, axes=(1, 0)))
    return members, weights, target, geometric / geometric.sum(axis=2, keepdims=True)


@pytest.mark.parametrize("loss", ["squared_error", "brier", "log_loss", "zero_one"])
def test_member_figures_and_their_errors_agree_with_loops(loss):
    members, weights, target, ensemble = _synthetic(loss)
    classes = np.arange(3) if loss in ("brier", "log_loss") else None
    result = decompose(ensemble, target, None, loss, classes, members, weights)
    expected = _naive_member_terms(loss, members, weights, target)
    if loss == "zero_one":
        # The diversity effect: the members' mean loss less the ensemble's.
        member_loss = np.tensordot(np.mean(members != target, axis=(0, 2)), weights, 1)
        expected = (*expected[:2], member_loss - np.mean(ensemble != target))
    figures = (result.average_bias, result.average_variance, result.diversity)
    assert_allclose(figures, expected, rtol=1e-10, atol=1e-12)
    # The ensemble combines as the decomposition assumes: the identity holds.
    assert abs(result.combiner_gap) < 1e-10
    assert abs(_identity_gap(result)) < 1e-10
    # The standard errors: a brute-force delete-one jackknife over rounds.
    without = []
    for r in range(members.shape[0]):
        keep = np.arange(members.shape[0]) != r
        terms = _naive_member_terms(loss, members[keep], weights, target)
        if loss == "zero_one":
            member_loss = np.tensordot(
                np.mean(members[keep] != target, axis=(0, 2)), weights, 1
            )
            terms = (*terms[:2], member_loss - np.mean(ensemble[keep] != target))
        without.append(terms)
    without = np.array(without)
    for column, name in enumerate(MEMBER_FIGURES[:3]):
        assert result.standard_errors[name] == pytest.approx(
            _brute_jackknife(without[:, column]), rel=1e-8, abs=1e-12
        )


def test_with_true_targets_the_identity_is_against_them():
    members, weights, truth, ensemble = _synthetic("squared_error")
    noisy = truth + np.random.RandomState(1).normal(size=truth.shape)
    result = decompose(ensemble, noisy, truth, "squared_error", None, members, weights)
    assert abs(_identity_gap(result)) < 1e-10
    expected = _naive_member_terms("squared_error", members, weights, truth)
    assert_allclose(
        (result.average_bias, result.average_variance, result.diversity), expected
    )
    # The loss against the noisy targets: + noise + the finite test set's
    # cross term, as for the ensemble's own figures.
    main = ensemble.mean(axis=0)
    cross = 2 * np.mean((main - truth) * (truth - noisy))
    members_side = result.average_bias + result.average_variance - result.diversity
    assert result.expected_loss == pytest.approx(members_side + result.noise + cross)


# --------------------------------------------------------------------------
# What the theory predicts
# --------------------------------------------------------------------------
def test_independent_members_have_diversity_variance_times_one_minus_one_over_m():
    rng = np.random.RandomState(0)
    n_rounds, n_members, n_points, sigma = 400, 4, 200, 1.5
    truth = rng.normal(size=n_points)
    members = truth + sigma * rng.normal(size=(n_rounds, n_members, n_points))
    weights = np.full(n_members, 1 / n_members)
    ensemble = members.mean(axis=1)
    result = decompose(ensemble, truth, None, "squared_error", None, members, weights)
    expected = result.average_variance * (1 - 1 / n_members)
    assert result.diversity == pytest.approx(expected, rel=0.02)
    assert result.average_variance == pytest.approx(sigma**2, rel=0.02)
    # What the ensemble keeps: the variance of a mean of M.
    assert result.variance == pytest.approx(sigma**2 / n_members, rel=0.03)
    assert abs(result.diversity - sigma**2 * (1 - 1 / n_members)) < (
        4 * result.standard_errors["diversity"] + 0.01
    )


@pytest.mark.parametrize("loss", ["squared_error", "brier", "log_loss", "zero_one"])
def test_identical_members_have_no_diversity(friedman, wine, loss):
    # Without bootstrap every member is fitted on the same rows: identical.
    if loss == "squared_error":
        _, X_train, y_train, X_test, y_test = friedman
        model = BaggingRegressor(LinearRegression(), n_estimators=4, bootstrap=False)
    else:
        X_train, y_train, X_test, y_test = wine
        member = make_pipeline(StandardScaler(), LogisticRegression())
        model = BaggingClassifier(member, n_estimators=4, bootstrap=False)
    result = bias_variance_decomposition(
        model, X_train, y_train, X_test, y_test, loss=loss, n_rounds=5, random_state=0
    )
    assert abs(result.diversity) < 1e-9
    assert result.average_bias == pytest.approx(result.bias, abs=1e-9)
    assert result.average_variance == pytest.approx(result.variance, abs=1e-9)
    assert abs(result.combiner_gap) < 1e-9


def test_bagged_deep_trees_buy_diversity(friedman):
    problem, X_train, y_train, X_test, _ = friedman
    result = bias_variance_decomposition(
        BaggingRegressor(DecisionTreeRegressor(), n_estimators=20),
        X_train,
        y_train,
        X_test,
        problem.f(X_test),
        sampling=problem,
        n_rounds=10,
        random_state=0,
    )
    assert result.diversity > 0.5 * result.average_variance
    # Averaging leaves the members' bias: the ensemble's is close to it.
    assert result.bias == pytest.approx(result.average_bias, rel=0.25)
    assert result.variance < 0.5 * result.average_variance
    assert abs(_identity_gap(result)) < 1e-9 and abs(result.combiner_gap) < 1e-9
    for name in MEMBER_FIGURES:
        assert result.standard_errors[name] >= 0


def test_constant_members_by_hand(friedman):
    # Two constant members weighted 3:1. Nothing varies over the rounds, so
    # every variance and standard error is 0, and by hand: the weighted mean
    # is 1.5, the diversity 0.75 * 0.5**2 + 0.25 * 1.5**2 = 0.75.
    _, X_train, y_train, X_test, y_test = friedman
    members = [
        ("one", DummyRegressor(strategy="constant", constant=1.0)),
        ("three", DummyRegressor(strategy="constant", constant=3.0)),
    ]
    model = VotingRegressor(members, weights=[3, 1])
    result = bias_variance_decomposition(
        model, X_train, y_train, X_test, y_test, n_rounds=4, random_state=0
    )
    assert result.average_variance == 0 and result.variance == 0
    assert result.diversity == pytest.approx(0.75)
    expected_bias = 0.75 * np.mean((1 - y_test) ** 2) + 0.25 * np.mean(
        (3 - y_test) ** 2
    )
    assert result.average_bias == pytest.approx(expected_bias)
    assert result.bias == pytest.approx(np.mean((1.5 - y_test) ** 2))
    assert result.expected_loss == pytest.approx(expected_bias - 0.75)
    assert all(result.standard_errors[name] == 0 for name in MEMBER_FIGURES)


def test_standard_errors_shrink_like_one_over_root_rounds():
    rng = np.random.RandomState(0)
    truth = rng.normal(size=50)
    errors = []
    offsets = rng.normal(size=(1, 3, 50))  # members biased: a bias to estimate
    for n_rounds in (50, 800):
        noise = rng.normal(size=(n_rounds, 3, 50)) * [[[0.5], [1.0], [2.0]]]
        members = truth + offsets + noise
        weights = np.full(3, 1 / 3)
        result = decompose(
            members.mean(axis=1), truth, None, "squared_error", None, members, weights
        )
        errors.append(result.standard_errors)
    for name in ("average_variance", "diversity", "average_bias"):
        assert 2.5 < errors[0][name] / errors[1][name] < 6.5  # sqrt(16) = 4


# --------------------------------------------------------------------------
# Which estimators combine members, and how they are read
# --------------------------------------------------------------------------
def test_estimators_that_do_not_combine_members_have_none(friedman):
    _, X_train, y_train, X_test, y_test = friedman
    for model in [DecisionTreeRegressor(), BoostingRegressor(n_estimators=5)]:
        result = bias_variance_decomposition(
            model, X_train, y_train, X_test, y_test, n_rounds=3, random_state=0
        )
        assert all(getattr(result, name) is None for name in MEMBER_FIGURES)
        assert "diversity" not in result.standard_errors
    # diversity=False skips the members of an ensemble.
    bagging = BaggingRegressor(n_estimators=3)
    result = bias_variance_decomposition(
        bagging, X_train, y_train, X_test, y_test, n_rounds=3, diversity=False
    )
    assert result.diversity is None and result.average_bias is None


def test_members_combine_into_the_ensembles_own_predictions(friedman, wine):
    _, X_train, y_train, X_test, _ = friedman
    regressors = [
        BaggingRegressor(DecisionTreeRegressor(), n_estimators=5, max_features=0.6),
        RandomForestRegressor(n_estimators=5, random_state=0),
        VotingRegressor(
            [("tree", DecisionTreeRegressor()), ("ridge", Ridge())], weights=[1, 3]
        ),
    ]
    for model in regressors:
        model.fit(X_train, y_train)
        outputs, weights = member_outputs(model, X_test)
        assert outputs.shape == (len(model.estimators_), len(X_test))
        assert_allclose(weights @ outputs, model.predict(X_test))
    X_train, y_train, X_test, _ = wine
    labels = np.array(["a", "b", "c"])[y_train]  # labels that are not indices
    classes = np.array(["a", "b", "c", "d"])  # "d": in no training set
    classifiers = [
        BaggingClassifier(DecisionTreeClassifier(), n_estimators=5, random_state=0),
        SkBaggingClassifier(GaussianNB(), n_estimators=5, max_features=0.5),
        RandomForestClassifier(n_estimators=5, random_state=0),
        VotingClassifier(
            [("tree", DecisionTreeClassifier()), ("nb", GaussianNB())],
            voting="soft",
            weights=[2, 1],
        ),
    ]
    for model in classifiers:
        model.fit(X_train, labels)
        proba, weights = member_outputs(model, X_test, classes)
        assert proba.shape == (len(model.estimators_), len(X_test), 4)
        assert_allclose(proba[..., 3], 0)
        assert_allclose(
            np.tensordot(weights, proba, 1)[:, :3], model.predict_proba(X_test)
        )
        predicted, _ = member_outputs(model, X_test)
        assert set(np.unique(predicted)) <= {"a", "b", "c"}
        assert_array_equal_labels(predicted, classes[proba.argmax(axis=2)])


def assert_array_equal_labels(a, b):
    assert (np.asarray(a) == np.asarray(b)).all()


@pytest.mark.parametrize("refit", [True, False])
def test_a_stacks_members_are_its_last_layer(friedman, refit):
    _, X_train, y_train, X_test, y_test = friedman
    layers = [
        [("tree", DecisionTreeRegressor(max_depth=4)), ("knn", KNeighborsRegressor())],
        [("ridge", Ridge()), ("knn2", KNeighborsRegressor(n_neighbors=10))],
    ]
    stack = StackingRegressor(layers, refit=refit, random_state=0).fit(X_train, y_train)
    outputs, weights = member_outputs(stack, X_test)
    assert_allclose(outputs.T, stack.transform(X_test))  # what the final sees
    assert_allclose(weights, [0.5, 0.5])
    # The final estimator is not a plain average: the gap says what it adds.
    result = bias_variance_decomposition(
        StackingRegressor(layers[0], refit=refit),
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=4,
        random_state=0,
    )
    assert abs(result.combiner_gap) > 1e-6
    assert abs(_identity_gap(result) - result.combiner_gap) < 1e-9


def test_classifier_stacks_and_scikit_learns_stack(friedman, wine):
    X_train, y_train, X_test, y_test = wine
    stack = StackingClassifier(
        [("tree", DecisionTreeClassifier(max_depth=3)), ("nb", GaussianNB())]
    ).fit(X_train, y_train)
    proba, _ = member_outputs(stack, X_test, np.arange(3))
    assert_allclose(proba[0], stack.transform(X_test)[:, :3])
    assert_allclose(proba[1], stack.transform(X_test)[:, 3:])
    for loss in ["zero_one", "brier", "log_loss"]:
        result = bias_variance_decomposition(
            stack, X_train, y_train, X_test, y_test, loss=loss, n_rounds=4
        )
        assert abs(_identity_gap(result) - result.combiner_gap) < 1e-9
    _, X_train, y_train, X_test, y_test = friedman
    theirs = SkStackingRegressor(
        [("tree", DecisionTreeRegressor()), ("ridge", Ridge())]
    )
    result = bias_variance_decomposition(
        theirs, X_train, y_train, X_test, y_test, n_rounds=4, random_state=0
    )
    assert result.diversity > 0 and abs(result.combiner_gap) > 1e-6


def test_log_loss_of_an_arithmetic_average_reports_its_gap(wine):
    # Bagging averages probabilities arithmetically; the log-loss diversity
    # is defined around the normalised geometric mean: the gap is reported.
    X_train, y_train, X_test, y_test = wine
    model = BaggingClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=5)
    result = bias_variance_decomposition(
        model, X_train, y_train, X_test, y_test, loss="log_loss", n_rounds=6
    )
    assert abs(result.combiner_gap) > 1e-3
    assert abs(_identity_gap(result) - result.combiner_gap) < 1e-9
    # For the Brier score the arithmetic mean is the assumed combiner.
    result = bias_variance_decomposition(
        model, X_train, y_train, X_test, y_test, loss="brier", n_rounds=6
    )
    assert abs(result.combiner_gap) < 1e-10
