"""Bias/variance decomposition, tables, curves and the synthetic data sets."""

import dataclasses
import json

import numpy as np
import pytest
from _registry import backend_config
from joblib import cpu_count
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingRegressor,
    BiasVarianceResult,
    BoostingRegressor,
    bias_variance_curve,
    bias_variance_decomposition,
    compare_bias_variance,
)
from ensembles._decomposition import LOG_LOSS_EPS, decompose
from ensembles.bias_variance import _round_predictions
from ensembles.datasets import Friedman1, Sine


# --------------------------------------------------------------------------
# Known answers and identities
# --------------------------------------------------------------------------
def test_constant_predictor_has_no_variance(friedman):
    problem, X_train, y_train, X_test, y_test = friedman
    result = bias_variance_decomposition(
        DummyRegressor(strategy="constant", constant=7.0),
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=5,
        random_state=0,
    )
    assert result.variance == 0.0
    assert result.expected_loss == pytest.approx(np.mean((y_test - 7.0) ** 2))
    assert result.bias == pytest.approx(result.expected_loss)
    # With the true function f: loss = (c - f)^2 + (f - y)^2 + 2 (c - f)(f - y),
    # bias + noise + the cross term of the test noise.
    truth = problem.f(X_test)
    with_truth = bias_variance_decomposition(
        DummyRegressor(strategy="constant", constant=7.0),
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=3,
        y_test_true=truth,
        random_state=0,
    )
    cross = 2 * np.mean((7.0 - truth) * (truth - y_test))
    assert with_truth.bias == pytest.approx(np.mean((7.0 - truth) ** 2))
    assert with_truth.expected_loss == pytest.approx(
        with_truth.bias + with_truth.noise + cross, rel=1e-12
    )
    assert result.noise is None


def test_squared_error_identity(friedman):
    _, X_train, y_train, X_test, y_test = friedman
    result = bias_variance_decomposition(
        DecisionTreeRegressor(),
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=20,
        random_state=0,
    )
    assert result.expected_loss == pytest.approx(
        result.bias + result.variance, rel=1e-12
    )
    assert result.variance > 0


def test_true_function_separates_noise(friedman):
    problem, X_train, y_train, X_test, y_test = friedman
    truth = problem.f(X_test)
    result = bias_variance_decomposition(
        LinearRegression(),
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=30,
        y_test_true=truth,
        sampling=problem,
        random_state=0,
    )
    assert result.noise == pytest.approx(np.mean((y_test - truth) ** 2))
    assert result.noise == pytest.approx(problem.noise_variance, rel=0.2)
    # Cross terms average out: the three parts add up to the loss.
    assert result.bias + result.variance + result.noise == pytest.approx(
        result.expected_loss, rel=0.05
    )


def test_zero_one_decomposition_by_hand():
    # 3 rounds x 4 test points; labels of any type.
    predictions = np.array(
        [["a", "b", "b", "a"], ["a", "b", "a", "a"], ["b", "b", "a", "a"]],
        dtype=object,
    )
    y_test = np.array(["a", "a", "a", "b"], dtype=object)
    result = decompose(predictions, y_test, None, "zero_one")
    # Main predictions: a, b, a, a -> wrong at points 1 and 3.
    assert result.bias == pytest.approx(2 / 4)
    # Spread around the main prediction: 1/3, 0, 1/3, 0.
    assert result.variance_unbiased == pytest.approx((1 / 3 + 1 / 3) / 4)
    assert result.variance_biased == pytest.approx(0.0)
    assert result.expected_loss == pytest.approx(np.mean(predictions != y_test))
    # Two classes: the decomposition adds up exactly.
    assert result.expected_loss == pytest.approx(result.bias + result.variance)


def test_zero_one_net_variance_can_be_negative():
    # The main prediction is wrong; rounds that differ from it are right.
    predictions = np.array([[1], [1], [0]])
    result = decompose(predictions, np.array([0]), None, "zero_one")
    assert result.bias == 1.0
    assert result.variance == pytest.approx(-1 / 3)
    assert result.expected_loss == pytest.approx(2 / 3)


def test_zero_one_with_more_classes_by_hand():
    # The main prediction (1) is wrong; of the two rounds off it, only the
    # one predicting 0 is right: Domingos weighs the biased variance by that.
    predictions = np.array([[1], [1], [2], [0]])
    result = decompose(predictions, np.array([0]), None, "zero_one")
    assert result.bias == 1.0
    assert result.variance_biased == pytest.approx(1 / 4)
    assert result.variance == pytest.approx(-1 / 4)
    assert result.expected_loss == pytest.approx(3 / 4)
    assert result.expected_loss == pytest.approx(result.bias + result.variance)


def test_zero_one_adds_up_for_three_classes():
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    result = bias_variance_decomposition(
        DecisionTreeClassifier(max_depth=1),
        X[:150],
        y[:150],
        X[150:],
        y[150:],
        n_rounds=20,
        random_state=0,
    )
    assert result.variance_biased > 0
    assert result.expected_loss == pytest.approx(result.bias + result.variance)


def noisy_labels(n_samples):
    """X, labels with one in five flipped, and the true labels."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, 3))
    truth = (X[:, 0] > 0).astype(int)
    y = np.where(rng.rand(n_samples) < 0.2, 1 - truth, truth)
    return X, y, truth


def test_zero_one_with_true_labels():
    X, y, truth = noisy_labels(400)
    data = (X[:200], y[:200], X[200:])
    options = dict(n_rounds=15, random_state=0)
    model = DecisionTreeClassifier(max_depth=3)
    noisy = bias_variance_decomposition(
        model, *data, y[200:], y_test_true=truth[200:], **options
    )
    clean = bias_variance_decomposition(model, *data, truth[200:], **options)
    assert noisy.noise == pytest.approx(np.mean(y[200:] != truth[200:]))
    # Bias and variance are measured against the true labels, and add up
    # to the loss against them; the loss itself is against y_test.
    assert (noisy.bias, noisy.variance) == (clean.bias, clean.variance)
    assert noisy.bias + noisy.variance == pytest.approx(clean.expected_loss)
    assert noisy.expected_loss > clean.expected_loss + 0.1


def test_zero_one_on_a_classifier_adds_up():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 4))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=400) > 0, "yes", "no")
    result = bias_variance_decomposition(
        DecisionTreeClassifier(max_depth=3),
        X[:200],
        y[:200],
        X[200:],
        y[200:],
        loss="zero_one",
        n_rounds=25,
        random_state=0,
    )
    assert result.expected_loss == pytest.approx(result.bias + result.variance)
    assert 0 < result.bias < 0.5


def test_default_loss_follows_the_estimator():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    data = (X[:100], y[:100], X[100:], y[100:])
    options = dict(n_rounds=5, random_state=0)
    classifier = DecisionTreeClassifier(max_depth=2)
    auto = bias_variance_decomposition(classifier, *data, **options)
    assert auto == bias_variance_decomposition(
        classifier, *data, loss="zero_one", **options
    )
    assert auto.loss == "zero_one"
    regressor = DecisionTreeRegressor(max_depth=2)
    auto = bias_variance_decomposition(regressor, *data, **options)
    assert auto.loss == "squared_error"
    with pytest.raises(ValueError, match="loss must be 'auto' or one of"):
        bias_variance_decomposition(regressor, *data, loss="hinge", **options)


# --------------------------------------------------------------------------
# Probabilistic losses: Brier score and log-loss (Heskes 1998)
# --------------------------------------------------------------------------
def brier_by_loops(proba, labels, truth):
    """Brier decomposition written out point by point and round by round."""
    n_rounds, n_test, n_classes = proba.shape
    losses, biases, variances = [], [], []
    for i in range(n_test):
        y, t = np.zeros(n_classes), np.zeros(n_classes)
        y[labels[i]] = t[truth[i]] = 1.0
        main = sum(proba[r, i] for r in range(n_rounds)) / n_rounds
        losses += [np.sum((proba[r, i] - y) ** 2) for r in range(n_rounds)]
        variances += [np.sum((proba[r, i] - main) ** 2) for r in range(n_rounds)]
        biases.append(np.sum((main - t) ** 2))
    return np.mean(losses), np.mean(biases), np.mean(variances)


def log_loss_by_loops(proba, labels, truth, eps=1e-15):
    """Heskes' decomposition with the geometric mean as a product and the
    variance as Kullback-Leibler divergences."""
    from scipy.stats import entropy

    proba = np.clip(proba, eps, 1.0)
    proba = proba / proba.sum(axis=2, keepdims=True)
    n_rounds, n_test, _ = proba.shape
    losses, biases, variances = [], [], []
    for i in range(n_test):
        geometric = np.prod(proba[:, i, :], axis=0) ** (1 / n_rounds)
        main = geometric / geometric.sum()
        losses += [-np.log(proba[r, i, labels[i]]) for r in range(n_rounds)]
        variances += [entropy(main, proba[r, i]) for r in range(n_rounds)]
        biases.append(-np.log(main[truth[i]]))
    return np.mean(losses), np.mean(biases), np.mean(variances)


# The options of _round_predictions, which these tests call directly.
ROUNDS = dict(sampling="bootstrap", n_rounds=6, random_state=0, n_jobs=None, verbose=0)


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=240,
        n_features=6,
        n_informative=4,
        n_classes=3,
        flip_y=0.1,
        random_state=0,
    )
    labels = np.array(["ant", "bee", "cat"])[y]
    return X[:120], labels[:120], X[120:], labels[120:]


@pytest.mark.parametrize("loss", ["brier", "log_loss"])
@pytest.mark.parametrize(
    "estimator",
    [DecisionTreeClassifier(max_depth=3), LogisticRegression(max_iter=200)],
    ids=["tree", "logistic"],
)
def test_probabilistic_identities_on_a_classifier(three_classes, loss, estimator):
    result = bias_variance_decomposition(
        estimator, *three_classes, loss=loss, n_rounds=6, random_state=0
    )
    assert result.loss == loss and result.noise is None
    assert result.bias > 0 and result.variance > 0
    assert_allclose(result.expected_loss, result.bias + result.variance, rtol=1e-12)


@pytest.mark.parametrize("loss", ["brier", "log_loss"])
def test_probabilistic_losses_agree_with_loops(loss):
    # A Dirichlet draw with exact zeros, which the log-loss must clip.
    rng = np.random.RandomState(0)
    proba = rng.dirichlet([0.5, 0.5, 0.5], size=(5, 40))
    proba[proba < 0.05] = 0.0
    proba /= proba.sum(axis=2, keepdims=True)
    classes = np.array([10, 20, 30])
    labels, truth = rng.randint(0, 3, 40), rng.randint(0, 3, 40)
    by_loops = brier_by_loops if loss == "brier" else log_loss_by_loops
    result = decompose(proba, classes[labels], None, loss, classes)
    expected = by_loops(proba, labels, labels)
    assert_allclose(
        [result.expected_loss, result.bias, result.variance], expected, rtol=1e-12
    )
    assert np.isfinite(result.expected_loss)
    assert_allclose(result.expected_loss, result.bias + result.variance, rtol=1e-12)
    # With true labels: bias against them; loss against the test labels.
    with_truth = decompose(proba, classes[labels], classes[truth], loss, classes)
    _, bias, variance = by_loops(proba, labels, truth)
    assert_allclose([with_truth.bias, with_truth.variance], [bias, variance])
    assert_allclose(with_truth.expected_loss, result.expected_loss, rtol=1e-12)


def test_brier_and_log_loss_with_true_labels(three_classes):
    X_train, y_train, X_test, y_test = three_classes
    rng = np.random.RandomState(1)
    noisy = np.where(rng.rand(len(y_test)) < 0.2, np.roll(y_test, 1), y_test)
    assert np.mean(noisy != y_test) > 0.1
    options = dict(n_rounds=ROUNDS["n_rounds"], random_state=ROUNDS["random_state"])
    model = DecisionTreeClassifier(max_depth=3)
    proba, _, _ = _round_predictions(
        model,
        X_train,
        y_train,
        X_test,
        **ROUNDS,
        classes=np.unique(y_train),
    )
    codes = {"ant": 0, "bee": 1, "cat": 2}
    label = np.array([codes[v] for v in noisy])
    truth = np.array([codes[v] for v in y_test])
    brier = bias_variance_decomposition(
        model,
        X_train,
        y_train,
        X_test,
        noisy,
        loss="brier",
        y_test_true=y_test,
        **options,
    )
    Y, T = np.eye(3)[label], np.eye(3)[truth]
    assert_allclose(brier.noise, np.mean(np.sum((Y - T) ** 2, axis=1)))
    assert_allclose(brier.noise, 2 * np.mean(noisy != y_test))
    # The loss also holds the finite-test-set cross term.
    cross = 2 * np.mean(np.sum((proba.mean(axis=0) - T) * (T - Y), axis=1))
    assert_allclose(
        brier.expected_loss,
        brier.bias + brier.variance + brier.noise + cross,
        rtol=1e-12,
    )
    log = bias_variance_decomposition(
        model,
        X_train,
        y_train,
        X_test,
        noisy,
        loss="log_loss",
        y_test_true=y_test,
        **options,
    )
    clean = bias_variance_decomposition(
        model, X_train, y_train, X_test, y_test, loss="log_loss", **options
    )
    # Bias and variance against the true labels; noise closes the sum.
    assert (log.bias, log.variance) == (clean.bias, clean.variance)
    assert_allclose(log.expected_loss, log.bias + log.variance + log.noise, rtol=1e-12)
    assert log.noise > 0 and log.expected_loss > clean.expected_loss


class ConstantProba(ClassifierMixin, BaseEstimator):
    """Predicts the same probabilities everywhere, whatever it is fitted on."""

    def __init__(self, proba=(0.7, 0.3, 0.0)):
        self.proba = proba

    def fit(self, X, y):
        self.classes_ = np.array([0, 1, 2])
        return self

    def predict(self, X):
        return np.full(len(X), int(np.argmax(self.proba)))

    def predict_proba(self, X):
        return np.tile(np.asarray(self.proba, dtype=float), (len(X), 1))


def test_constant_predictor_probabilities_by_hand():
    X = np.arange(8.0).reshape(-1, 1)
    y = np.array([0, 1, 2, 0, 0, 1, 2, 0])
    options = dict(n_rounds=4, random_state=0)
    brier = bias_variance_decomposition(
        ConstantProba(), X, y, X, y, loss="brier", **options
    )
    # Per class 0: 0.3^2 + 0.3^2; 1: 0.7^2 + 0.7^2; 2: 0.7^2 + 0.3^2 + 1.
    by_hand = (4 * 0.18 + 2 * 0.98 + 2 * 1.58) / 8
    assert brier.variance == 0.0
    assert brier.bias == pytest.approx(by_hand, rel=1e-12)
    assert brier.expected_loss == pytest.approx(by_hand, rel=1e-12)
    log = bias_variance_decomposition(
        ConstantProba(), X, y, X, y, loss="log_loss", **options
    )
    # The 0 of class 2 is clipped to 1e-15 and the vector renormalised.
    total = 1 + LOG_LOSS_EPS
    by_hand = (
        -(
            4 * np.log(0.7 / total)
            + 2 * np.log(0.3 / total)
            + 2 * np.log(LOG_LOSS_EPS / total)
        )
        / 8
    )
    assert log.variance == pytest.approx(0.0, abs=1e-15)
    assert log.bias == pytest.approx(by_hand, rel=1e-12)
    assert log.expected_loss == pytest.approx(by_hand, rel=1e-12)
    # A uniform guess: Brier (K - 1) / K, log-loss log K. (Every class
    # appears often enough that no bootstrap misses one.)
    X, y = np.arange(60.0).reshape(-1, 1), np.tile([0, 1, 2], 20)
    uniform = DummyClassifier(strategy="uniform")
    brier = bias_variance_decomposition(uniform, X, y, X, y, loss="brier", **options)
    assert (brier.bias, brier.variance) == (pytest.approx(2 / 3), 0.0)
    log = bias_variance_decomposition(uniform, X, y, X, y, loss="log_loss", **options)
    assert log.bias == pytest.approx(np.log(3))
    assert log.variance == pytest.approx(0.0, abs=1e-15)


def test_rounds_that_miss_a_class_get_zero_there():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    y = np.array(["a"] * 15 + ["b"] * 14 + ["c"])  # one "c": bootstraps miss it
    classes = np.unique(y)
    proba, _, _ = _round_predictions(
        DecisionTreeClassifier(max_depth=2), X, y, X, **ROUNDS, classes=classes
    )
    assert proba.shape == (6, 30, 3)
    assert_allclose(proba.sum(axis=2), 1.0)
    missed = np.all(proba[:, :, 2] == 0, axis=1)
    assert missed.any() and not missed.all()
    # The predict path is untouched: labels, one per round and point.
    labels, _, _ = _round_predictions(
        DecisionTreeClassifier(max_depth=2), X, y, X, **ROUNDS
    )
    assert labels.shape == (6, 30)
    assert_array_equal(classes[proba.argmax(axis=2)], labels)
    result = bias_variance_decomposition(
        DecisionTreeClassifier(max_depth=2),
        X,
        y,
        X,
        y,
        loss="log_loss",
        n_rounds=6,
        random_state=0,
    )
    assert np.isfinite(result.expected_loss)
    assert_allclose(result.expected_loss, result.bias + result.variance, rtol=1e-12)


def test_probabilistic_losses_need_predict_proba(three_classes):
    for loss in ["brier", "log_loss"]:
        with pytest.raises(ValueError, match="RidgeClassifier has no predict_proba"):
            bias_variance_decomposition(
                RidgeClassifier(), *three_classes, loss=loss, n_rounds=2
            )
        with pytest.raises(ValueError, match="LinearRegression is a regressor"):
            bias_variance_decomposition(
                LinearRegression(), *three_classes, loss=loss, n_rounds=2
            )


def test_tables_carry_every_column(three_classes):
    pytest.importorskip("pandas")
    estimators = {
        "stump": DecisionTreeClassifier(max_depth=1),
        "tree": DecisionTreeClassifier(max_depth=4),
    }
    options = dict(n_rounds=3, random_state=0)
    log = compare_bias_variance(estimators, *three_classes, loss="log_loss", **options)
    frame = log.to_frame()
    assert list(frame["loss"]) == ["log_loss", "log_loss"]
    assert frame.loc["tree", "variance"] == log["tree"].variance
    assert frame["variance_unbiased"].isna().all()
    records = json.loads(log.to_json())
    assert records[0]["loss"] == "log_loss" and records[0]["variance_biased"] is None
    zero_one = compare_bias_variance(estimators, *three_classes, **options)
    frame = zero_one.to_frame()
    assert list(frame["loss"]) == ["zero_one", "zero_one"]
    for column in ["variance_unbiased", "variance_biased"]:
        assert frame.loc["tree", column] == getattr(zero_one["tree"], column)
    records = json.loads(zero_one.to_json())
    assert records[1]["variance_biased"] == zero_one["tree"].variance_biased
    lines = zero_one.to_csv().splitlines()
    header = lines[0].split(",")
    cells = dict(zip(header, lines[2].split(",")))
    assert cells["name"] == "tree" and cells["loss"] == "zero_one"
    assert float(cells["variance_unbiased"]) == zero_one["tree"].variance_unbiased
    assert cells["noise"] == ""
    assert str(zero_one).splitlines()[0].split()[1:] == list(zero_one.columns)


# --------------------------------------------------------------------------
# Sampling schemes
# --------------------------------------------------------------------------
class RowRecorder(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.n_rows_ = len(X)
        self.n_distinct_ = len(np.unique(X[:, 0]))
        return self

    def predict(self, X):
        return np.full(len(X), float(self.n_distinct_))


def test_sampling_schemes(friedman):
    problem, X_train, y_train, X_test, y_test = friedman
    options = dict(n_rounds=5, random_state=0)
    # RowRecorder predicts how many distinct rows it was fitted on; the
    # average prediction over rounds is y_test[0] + sqrt(bias).
    predictions = []
    for sampling in ["bootstrap", "subsample", problem]:
        result = bias_variance_decomposition(
            RowRecorder(),
            X_train,
            y_train,
            X_test[:1],
            y_test[:1],
            sampling=sampling,
            **options,
        )
        predictions.append(np.sqrt(result.bias) + y_test[0])
    distinct_boot, distinct_half, distinct_fresh = predictions
    # A bootstrap sample of 300 rows holds about 63 % distinct rows.
    assert 160 < distinct_boot < 220
    assert distinct_half == pytest.approx(150)
    assert distinct_fresh == pytest.approx(300)


def test_same_results_for_any_n_jobs_and_backend(friedman):
    _, X_train, y_train, X_test, y_test = friedman
    options = dict(n_rounds=8, random_state=3)
    estimator = DecisionTreeRegressor(max_features=0.5)  # random: seeded per round
    expected = bias_variance_decomposition(
        estimator, X_train, y_train, X_test, y_test, n_jobs=1, **options
    )
    for backend in ["threading", "loky", "multiprocessing"]:
        with backend_config(backend):
            result = bias_variance_decomposition(
                estimator, X_train, y_train, X_test, y_test, n_jobs=2, **options
            )
        assert result == expected


# --------------------------------------------------------------------------
# The expected shape: which ensemble reduces which error
# --------------------------------------------------------------------------
class ThreadProbe(RegressorMixin, BaseEstimator):
    """Predicts its own n_jobs: the threads it was allowed."""

    def __init__(self, n_jobs=None):
        self.n_jobs = n_jobs

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.full(len(X), float(self.n_jobs))


def test_parallel_rounds_share_the_cores(friedman):
    # Rounds run two at a time: a member asking for every core gets half.
    _, X_train, y_train, X_test, y_test = friedman
    result = bias_variance_decomposition(
        ThreadProbe(n_jobs=-1), X_train, y_train, X_test, y_test, n_rounds=4, n_jobs=2
    )
    threads = max(1, cpu_count() // 2)
    assert result.bias == pytest.approx(np.mean((threads - y_test) ** 2))


def test_bagging_cuts_variance_boosting_cuts_bias(friedman):
    problem, X_train, y_train, X_test, y_test = friedman
    table = compare_bias_variance(
        {
            "deep tree": DecisionTreeRegressor(),
            "bagged trees": BaggingRegressor(n_estimators=30),
            "stump": DecisionTreeRegressor(max_depth=1),
            "boosted stumps": BoostingRegressor(
                DecisionTreeRegressor(max_depth=1),
                n_estimators=150,
                learning_rate=0.3,
            ),
        },
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=15,
        sampling=problem,
        y_test_true=problem.f(X_test),
        random_state=0,
        n_jobs=2,
    )
    tree, bagged = table["deep tree"], table["bagged trees"]
    assert bagged.variance < 0.5 * tree.variance
    assert abs(bagged.bias - tree.bias) < 0.25 * tree.bias
    stump, boosted = table["stump"], table["boosted stumps"]
    assert boosted.bias < 0.5 * stump.bias


# --------------------------------------------------------------------------
# Error bars and the bias corrected for the finite number of rounds
# --------------------------------------------------------------------------
SE_FIGURES = ["expected_loss", "bias", "variance", "bias_corrected"]


def test_standard_errors_shrink_like_one_over_root_rounds():
    # The test set held fixed, four times the rounds halve the standard
    # errors; averaged over 8 seeds so that the ratio is steady (one
    # seed's ratio ranges about 0.4-0.7).
    problem = Friedman1(noise=1.0)
    X_train, y_train = problem.sample(200, random_state=0)
    X_test, y_test = problem.sample(200, random_state=1)
    errors = {}
    for n_rounds in (16, 64):
        results = [
            bias_variance_decomposition(
                DecisionTreeRegressor(max_depth=4),
                X_train,
                y_train,
                X_test,
                y_test,
                n_rounds=n_rounds,
                sampling=problem,
                y_test_true=problem.f(X_test),
                random_state=seed,
            )
            for seed in range(8)
        ]
        errors[n_rounds] = {
            f: np.mean([r.standard_errors[f] for r in results]) for f in SE_FIGURES
        }
        assert all(r.standard_errors["noise"] == 0 for r in results)
    for figure in SE_FIGURES:
        assert 0.38 < errors[64][figure] / errors[16][figure] < 0.65, figure


def probabilities(rng, alpha, n_rounds):
    """(rounds x points x classes) Dirichlet draws, one alpha per point."""
    return np.stack([rng.dirichlet(a, size=n_rounds) for a in alpha], axis=1)


@pytest.mark.parametrize("loss", ["squared_error", "brier", "log_loss"])
def test_standard_errors_match_the_spread_of_repeated_runs(loss):
    # The jackknife's standard error is the spread the figure has from one
    # set of rounds to another (the test points fixed).
    rng = np.random.default_rng(0)
    n_test, n_rounds = 60, 20
    labels = rng.integers(0, 3, n_test)
    mu, sd = rng.normal(size=n_test), rng.uniform(0.5, 2.0, n_test)
    alpha = rng.uniform(0.5, 3.0, (n_test, 3))
    figures, errors = [], []
    for _ in range(300):
        if loss == "squared_error":
            # Heavy-tailed rounds: no normality is assumed.
            predictions = mu + sd * rng.standard_t(5, size=(n_rounds, n_test))
            result = decompose(predictions, mu + 0.5, None, loss)
        else:
            proba = probabilities(rng, alpha, n_rounds)
            result = decompose(proba, labels, None, loss, np.arange(3))
        names = [f for f in SE_FIGURES if getattr(result, f) is not None]
        figures.append([getattr(result, f) for f in names])
        errors.append([result.standard_errors[f] for f in names])
    ratio = np.std(figures, axis=0, ddof=1) / np.mean(errors, axis=0)
    assert_allclose(ratio, 1.0, atol=0.15)


def test_zero_one_standard_errors_are_conservative():
    # The majority vote is not smooth in the rounds: the delete-one
    # jackknife overstates the spread of the bias and variances (about
    # twice here), never understates it much; the loss's is right.
    rng = np.random.default_rng(1)
    alpha = rng.uniform(0.5, 3.0, (100, 3))
    labels = rng.integers(0, 3, 100)
    figures, errors = [], []
    names = ["expected_loss", "bias", "variance", "variance_unbiased"]
    for _ in range(200):
        predictions = probabilities(rng, alpha, 20).argmax(axis=2)
        result = decompose(predictions, labels, None, "zero_one")
        assert result.bias_corrected is None
        figures.append([getattr(result, f) for f in names])
        errors.append([result.standard_errors[f] for f in names])
    ratio = np.std(figures, axis=0, ddof=1) / np.mean(errors, axis=0)
    assert 0.85 < ratio[0] < 1.15
    assert np.all(ratio[1:] < 1.0)


def test_standard_errors_agree_with_refitting_nothing_and_leaving_rounds_out():
    # The closed-form jackknife equals the one that decomposes the rounds
    # with each left out in turn, for every loss and figure.
    rng = np.random.default_rng(2)
    n_rounds, n_test = 6, 30
    labels = rng.integers(0, 3, n_test)
    truth = np.where(rng.random(n_test) < 0.2, (labels + 1) % 3, labels)
    y = rng.normal(size=n_test)
    cases = [
        (rng.normal(size=(n_rounds, n_test)) + y, y, y + 0.1, "squared_error", None),
        (
            rng.dirichlet(np.ones(3), (n_rounds, n_test)),
            labels,
            truth,
            "brier",
            [0, 1, 2],
        ),
        (
            rng.dirichlet(np.ones(3), (n_rounds, n_test)),
            labels,
            truth,
            "log_loss",
            [0, 1, 2],
        ),
        (rng.integers(0, 3, (n_rounds, n_test)), labels, truth, "zero_one", None),
    ]
    for predictions, y_test, y_true, loss, classes in cases:
        for y_test_true in (None, y_true):
            result = decompose(predictions, y_test, y_test_true, loss, classes)
            left_out = [
                decompose(
                    np.delete(predictions, i, 0), y_test, y_test_true, loss, classes
                )
                for i in range(n_rounds)
            ]
            for figure, error in result.standard_errors.items():
                values = np.array([getattr(r, figure) for r in left_out])
                expected = np.sqrt(
                    (n_rounds - 1) / n_rounds * np.sum((values - values.mean()) ** 2)
                )
                assert error == pytest.approx(expected, abs=1e-12), (loss, figure)


class NoisyConstant(RegressorMixin, BaseEstimator):
    """Predicts ``value`` plus independent noise of ``scale`` at each point."""

    def __init__(self, value=0.0, scale=1.0, random_state=None):
        self.value, self.scale, self.random_state = value, scale, random_state

    def fit(self, X, y):
        self.rng_ = np.random.default_rng(self.random_state)
        return self

    def predict(self, X):
        return self.value + self.scale * self.rng_.normal(size=len(X))


def test_corrected_bias_is_unbiased(friedman):
    # Predictions c + N(0, s^2): the true bias is mean((c - y)^2) exactly;
    # the plug-in bias exceeds it by s^2 / n_rounds on average, the
    # corrected one does not.
    _, X_train, y_train, X_test, y_test = friedman
    X_test, y_test = X_test[:50], y_test[:50]
    true_bias = np.mean((15.0 - y_test) ** 2)
    n_rounds, scale = 4, 2.0
    results = [
        bias_variance_decomposition(
            NoisyConstant(15.0, scale),
            X_train,
            y_train,
            X_test,
            y_test,
            n_rounds=n_rounds,
            random_state=seed,
        )
        for seed in range(400)
    ]
    plug_in = np.mean([r.bias for r in results])
    corrected = np.array([r.bias_corrected for r in results])
    # 400 repetitions: the mean is within 3 standard errors of the truth.
    spread = 3 * corrected.std() / np.sqrt(len(corrected))
    assert abs(corrected.mean() - true_bias) < spread
    assert plug_in - true_bias == pytest.approx(scale**2 / n_rounds, rel=0.15)
    for r in results[:5]:
        assert r.bias_corrected == pytest.approx(r.bias - r.variance / (n_rounds - 1))
        # The identity with the unbiased variance.
        assert r.bias_corrected + r.variance * n_rounds / (
            n_rounds - 1
        ) == pytest.approx(r.expected_loss)


def test_corrected_brier_bias_is_unbiased():
    # Dirichlet rounds with known mean m: the true Brier bias is
    # mean |m - onehot(label)|^2.
    rng = np.random.default_rng(3)
    alpha = rng.uniform(0.5, 3.0, (40, 3))
    labels = rng.integers(0, 3, 40)
    mean = alpha / alpha.sum(axis=1, keepdims=True)
    true_bias = np.mean(np.sum((mean - np.eye(3)[labels]) ** 2, axis=1))
    results = [
        decompose(probabilities(rng, alpha, 3), labels, None, "brier", np.arange(3))
        for _ in range(2000)
    ]
    corrected = np.array([r.bias_corrected for r in results])
    plug_in = np.array([r.bias for r in results])
    spread = 3 * corrected.std() / np.sqrt(len(corrected))
    assert abs(corrected.mean() - true_bias) < spread
    assert plug_in.mean() - true_bias > 10 * spread


def test_no_corrected_bias_for_the_zero_one_and_log_loss(three_classes):
    options = dict(n_rounds=3, random_state=0)
    for loss in ["zero_one", "log_loss"]:
        result = bias_variance_decomposition(
            DecisionTreeClassifier(max_depth=2), *three_classes, loss=loss, **options
        )
        assert result.bias_corrected is None
        assert "bias_corrected" not in result.standard_errors
        assert set(result.standard_errors) >= {"expected_loss", "bias", "variance"}
    result = BiasVarianceResult("squared_error", 2.0, 1.5, 0.5, None, 10)
    assert result.standard_errors is None and result.bias_corrected is None
    hash(dataclasses.replace(result, standard_errors={"bias": 0.1}))


# --------------------------------------------------------------------------
# Tables, curves, plots
# --------------------------------------------------------------------------
def test_compare_table_text_frame_and_plot(friedman):
    _, X_train, y_train, X_test, y_test = friedman
    table = compare_bias_variance(
        {"linear": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=3)},
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=5,
        random_state=0,
    )
    lines = str(table).splitlines()
    assert lines[0].split() == [
        "estimator",
        "expected_loss",
        "bias",
        "bias_corrected",
        "variance",
        "noise",
    ]
    # Each figure with its standard error; no noise without the truth.
    assert all(line.count("±") == 4 and line.endswith(" -") for line in lines[1:])
    assert lines[1].split()[0] == "linear" and lines[2].split()[0] == "tree"
    assert len({len(line) for line in lines}) == 1  # aligned
    frame = table.to_frame()
    assert list(frame.columns) == [
        "loss",
        "n_rounds",
        "expected_loss",
        "bias",
        "variance",
        "noise",
        "variance_unbiased",
        "variance_biased",
        "bias_corrected",
        "average_bias",
        "average_variance",
        "diversity",
        "combiner_gap",
        "expected_loss_se",
        "bias_se",
        "variance_se",
        "noise_se",
        "variance_unbiased_se",
        "variance_biased_se",
        "bias_corrected_se",
        "average_bias_se",
        "average_variance_se",
        "diversity_se",
        "combiner_gap_se",
    ]
    assert list(frame["loss"]) == ["squared_error", "squared_error"]
    # Neither estimator combines members: no members' figures.
    assert frame["diversity"].isna().all() and frame["diversity_se"].isna().all()
    assert frame.loc["tree", "variance_se"] == table["tree"].standard_errors["variance"]
    assert frame["variance_biased_se"].isna().all()
    assert list(frame["n_rounds"]) == [5, 5]
    assert frame["variance_unbiased"].isna().all()
    assert list(frame.index) == ["linear", "tree"]
    assert frame.loc["tree", "variance"] == table["tree"].variance
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = table.plot()
    assert ax.get_title().startswith("Bias/variance decomposition")
    assert ax.get_ylabel() and ax.get_legend() is not None
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["expected loss", "bias²", "variance"]
    # Computed results carry standard errors: drawn as error bars.
    assert ax.get_legend().get_title().get_text() == "error bars: ± 1 standard error"


def test_curve_along_a_parameter(friedman):
    _, X_train, y_train, X_test, y_test = friedman
    table = bias_variance_curve(
        DecisionTreeRegressor(),
        X_train,
        y_train,
        X_test,
        y_test,
        param_name="max_depth",
        param_range=[1, 3, None],
        n_rounds=8,
        random_state=0,
    )
    assert list(table) == [1, 3, None]
    assert table.index_name == "max_depth"
    # Deeper trees: less bias, more variance.
    assert table[1].bias > table[None].bias
    assert table[1].variance < table[None].variance
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = table.plot()
    assert ax.get_xlabel() == "max_depth"
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["expected loss", "bias²", "variance"]
    assert ax.get_legend().get_title().get_text() == "bands: ± 1 standard error"
    with pytest.raises(ValueError, match="no parameter 'depth'"):
        bias_variance_curve(
            DecisionTreeRegressor(),
            X_train,
            y_train,
            X_test,
            y_test,
            param_name="depth",
            param_range=[1],
        )


def test_data_frames_reach_the_estimator_as_given():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {"colour": rng.choice(["red", "green", "blue"], 120), "size": rng.rand(120)}
    )
    y = frame["size"] * 2 + (frame["colour"] == "red") + 0.1 * rng.normal(size=120)
    model = make_pipeline(
        ColumnTransformer(
            [("colour", OneHotEncoder(), ["colour"])], remainder="passthrough"
        ),
        Ridge(),
    )
    options = dict(n_rounds=4, random_state=0)
    result = bias_variance_decomposition(
        model, frame[:80], y[:80], frame[80:], y[80:], **options
    )
    # The same figures as on the one-hot encoded array.
    encoded = np.column_stack(
        [pd.get_dummies(frame["colour"]).to_numpy(float), frame["size"]]
    )
    on_array = bias_variance_decomposition(
        Ridge(), encoded[:80], y[:80], encoded[80:], y[80:], **options
    )
    assert result.expected_loss == pytest.approx(on_array.expected_loss)
    assert result.variance == pytest.approx(on_array.variance)


def test_curve_over_a_numpy_range_to_json_and_csv(friedman):
    _, X_train, y_train, X_test, y_test = friedman
    table = bias_variance_curve(
        DecisionTreeRegressor(),
        X_train,
        y_train,
        X_test,
        y_test,
        param_name="max_depth",
        param_range=np.arange(1, 3),
        n_rounds=3,
        random_state=0,
    )
    records = json.loads(table.to_json())
    assert [record["name"] for record in records] == [1, 2]
    assert records[1]["variance"] == table[2].variance
    assert records[0]["noise"] is None
    assert records[0]["loss"] == "squared_error" and records[0]["n_rounds"] == 3
    assert records[0]["variance_unbiased"] is None
    lines = table.to_csv().splitlines()
    assert lines[0] == (
        "name,loss,n_rounds,expected_loss,bias,variance,noise,"
        "variance_unbiased,variance_biased,bias_corrected,"
        "average_bias,average_variance,diversity,combiner_gap,"
        "expected_loss_se,bias_se,variance_se,noise_se,"
        "variance_unbiased_se,variance_biased_se,bias_corrected_se,"
        "average_bias_se,average_variance_se,diversity_se,combiner_gap_se"
    )
    cells = lines[1].split(",")
    assert cells[:3] == ["1", "squared_error", "3"]
    assert cells[6:9] == ["", "", ""] and cells[17:20] == ["", "", ""]
    assert cells[10:14] == ["", "", "", ""]  # no members
    assert float(cells[9]) == table[1].bias_corrected
    assert float(lines[2].split(",")[5]) == table[2].variance


def test_zero_one_plot_does_not_stack_the_noise():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    X, y, truth = noisy_labels(200)
    table = compare_bias_variance(
        {"stump": DecisionTreeClassifier(max_depth=1)},
        X[:100],
        y[:100],
        X[100:],
        y[100:],
        y_test_true=truth[100:],
        n_rounds=3,
        random_state=0,
    )
    assert table["stump"].noise > 0
    ax = table.plot()
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["expected loss", "bias", "net variance", "noise"]
    # Side by side, each from zero: the net variance (which can be
    # negative) and the noise are bars of their own, not stacked.
    result = table["stump"]
    assert [patch.get_y() for patch in ax.patches] == [0, 0, 0]
    assert [patch.get_height() for patch in ax.patches] == pytest.approx(
        [result.bias, result.variance, result.noise]
    )


@pytest.mark.parametrize("random_state", [None, np.random.RandomState(0)])
def test_every_row_sees_the_same_training_sets(friedman, random_state):
    _, X_train, y_train, X_test, y_test = friedman
    options = dict(n_rounds=5, random_state=random_state)
    table = compare_bias_variance(
        {"a": LinearRegression(), "b": LinearRegression()},
        X_train,
        y_train,
        X_test,
        y_test,
        **options,
    )
    assert table["a"] == table["b"]
    curve = bias_variance_curve(
        LinearRegression(),
        X_train,
        y_train,
        X_test,
        y_test,
        param_name="copy_X",  # no effect on the fit
        param_range=[True, False],
        **options,
    )
    assert curve[True] == curve[False]


def test_curve_rows_for_values_that_are_not_keys():
    X, y = Sine(noise=0.3).sample(120, random_state=0)
    y = (y > 0).astype(int)
    options = dict(param_name="class_weight", n_rounds=3, random_state=0)
    curve = bias_variance_curve(
        DecisionTreeClassifier(max_depth=2),
        X,
        y,
        X,
        y,
        param_range=[None, {0: 1, 1: 3}],
        **options,
    )
    assert list(curve) == ["None", "{0: 1, 1: 3}"]
    assert curve["None"] != curve["{0: 1, 1: 3}"]
    with pytest.raises(ValueError, match="param_range holds a value twice"):
        bias_variance_curve(
            DecisionTreeClassifier(), X, y, X, y, param_range=[None, None], **options
        )


def test_result_is_a_frozen_dataclass():
    result = BiasVarianceResult("squared_error", 2.0, 1.5, 0.5, None, 10)
    assert result.as_dict()["bias"] == 1.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.bias = 0.0


def test_progress_bar_per_row_named_by_the_user(friedman, progress_bars, capsys):
    _, X_train, y_train, X_test, y_test = friedman
    data = (X_train, y_train, X_test, y_test)
    compare_bias_variance(
        {
            "deep tree": DecisionTreeRegressor(),
            "stump": DecisionTreeRegressor(max_depth=1),
        },
        *data,
        n_rounds=5,
        verbose=1,
        random_state=0,
    )
    assert [(bar.desc, bar.unit, bar.total) for bar in progress_bars] == [
        ("deep tree", "round", 5),
        ("stump", "round", 5),
    ]
    assert all(bar.n == 5 and bar.closed for bar in progress_bars)
    progress_bars.clear()
    bias_variance_curve(
        DecisionTreeRegressor(),
        *data,
        param_name="max_depth",
        param_range=[1, 3],
        n_rounds=4,
        verbose=1,
        random_state=0,
    )
    assert [bar.desc for bar in progress_bars] == ["max_depth=1", "max_depth=3"]
    progress_bars.clear()
    # Alone, the estimator is named by its class.
    bias_variance_decomposition(
        LinearRegression(), *data, n_rounds=3, verbose=1, random_state=0
    )
    assert [bar.desc for bar in progress_bars] == ["LinearRegression"]
    progress_bars.clear()
    compare_bias_variance({"line": LinearRegression()}, *data, n_rounds=3)
    assert progress_bars == []
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options, match",
    [
        ({"loss": "hinge"}, "loss must be .auto. or one of"),
        ({"n_rounds": 0}, "n_rounds must be an int of at least 2"),
        ({"n_rounds": 1}, "n_rounds must be an int of at least 2"),
        ({"sampling": "jackknife"}, "sampling must be one of"),
        ({"sampling": object()}, "data generator"),
    ],
)
def test_invalid_options(friedman, options, match):
    _, X_train, y_train, X_test, y_test = friedman
    with pytest.raises(ValueError, match=match):
        bias_variance_decomposition(
            LinearRegression(), X_train, y_train, X_test, y_test, **options
        )


def test_invalid_data(friedman):
    _, X_train, y_train, X_test, y_test = friedman
    est = LinearRegression()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        bias_variance_decomposition(est, X_train, y_train[:-1], X_test, y_test)
    with pytest.raises(ValueError, match="X_train has 10 features but X_test has 3"):
        bias_variance_decomposition(est, X_train, y_train, X_test[:, :3], y_test)
    X_nan = X_train.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="contains NaN"):
        bias_variance_decomposition(est, X_nan, y_train, X_test, y_test)
    with pytest.raises(ValueError, match="fit and predict"):
        bias_variance_decomposition("tree", X_train, y_train, X_test, y_test)
    with pytest.raises(ValueError, match="non-empty dict"):
        compare_bias_variance([est], X_train, y_train, X_test, y_test)
    with pytest.raises(ValueError, match="y_test_true must be 1-dimensional"):
        bias_variance_decomposition(
            est, X_train, y_train, X_test, y_test, y_test_true=y_test[:, None]
        )
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        bias_variance_decomposition(
            est, X_train, y_train, X_test, y_test, y_test_true=y_test[:-1]
        )
    with pytest.raises(ValueError, match="LinearRegression is a regressor"):
        bias_variance_decomposition(
            est, X_train, y_train, X_test, y_test, loss="zero_one"
        )


# --------------------------------------------------------------------------
# Data sets
# --------------------------------------------------------------------------
@pytest.mark.parametrize("problem", [Friedman1(noise=0.5), Sine(noise=0.2)])
def test_generators(problem):
    X, y = problem.sample(2000, random_state=0)
    X_again, y_again = problem.sample(2000, random_state=0)
    assert_allclose(X, X_again)
    assert_allclose(y, y_again)
    residual = y - problem.f(X)
    assert np.var(residual) == pytest.approx(problem.noise_variance, rel=0.1)
    assert not np.allclose(problem.sample(10, random_state=1)[0], X[:10])


def test_friedman1_matches_sklearn():
    from sklearn.datasets import make_friedman1

    X, y = make_friedman1(n_samples=50, n_features=7, noise=0.0, random_state=0)
    assert_allclose(Friedman1(noise=0.0, n_features=7).f(X), y)
    with pytest.raises(ValueError, match="at least 5"):
        Friedman1(n_features=3)
