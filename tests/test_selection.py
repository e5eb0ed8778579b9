"""EnsembleSelectionRegressor and EnsembleSelectionClassifier."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from ensembles import EnsembleSelectionClassifier, EnsembleSelectionRegressor


def test_regressor_picks_the_best_blend():
    rng = np.random.RandomState(0)
    y = rng.normal(size=500)
    good = y + rng.normal(scale=0.3, size=500)
    other = y + rng.normal(scale=0.3, size=500)  # independent errors: blend helps
    bad = rng.normal(size=500)
    model = EnsembleSelectionRegressor(ensemble_size=20).fit(
        np.column_stack([bad, good, other]), y
    )
    weights = model.weights_
    assert weights.sum() == pytest.approx(1.0)
    assert_allclose(weights * 20, np.round(weights * 20))  # multiples of 1/size
    assert weights[0] == 0.0
    assert 0.3 < weights[1] < 0.7 and 0.3 < weights[2] < 0.7
    X = np.column_stack([bad, good, other])
    assert_allclose(model.predict(X), X @ weights)


def test_first_pick_is_the_best_single_column():
    y = np.arange(20.0)
    X = np.column_stack([y + 3, y + 1, y - 2])
    model = EnsembleSelectionRegressor(ensemble_size=1).fit(X, y)
    assert_array_equal(model.weights_, [0.0, 1.0, 0.0])


def test_sample_weight_changes_the_selection():
    y = np.array([0.0, 0.0, 1.0, 1.0])
    X = np.array([[0.0, 0.5], [0.0, 0.5], [0.0, 1.0], [0.0, 1.0]])
    X[:, 0] = [0.0, 0.0, 0.6, 0.6]
    unweighted = EnsembleSelectionRegressor(ensemble_size=1).fit(X, y)
    weighted = EnsembleSelectionRegressor(ensemble_size=1).fit(
        X, y, sample_weight=[0, 0, 1, 1]
    )
    assert unweighted.weights_[0] == 1.0
    assert weighted.weights_[1] == 1.0


def test_binary_classifier_one_column_per_model():
    y = np.array([0, 1, 1, 0, 1, 0])
    sharp = np.array([0.1, 0.9, 0.8, 0.2, 0.7, 0.3])
    flat = np.full(6, 0.5)
    model = EnsembleSelectionClassifier(ensemble_size=4).fit(
        np.column_stack([flat, sharp]), y
    )
    assert_array_equal(model.weights_, [0.0, 1.0])
    proba = model.predict_proba(np.column_stack([flat, sharp]))
    assert_allclose(proba[:, 1], sharp)
    assert_array_equal(model.predict(np.column_stack([flat, sharp])), y)


def test_multiclass_classifier_blocks_and_labels():
    rng = np.random.RandomState(0)
    y = rng.randint(3, size=60)
    truth = np.eye(3)[y] * 0.8 + 0.2 / 3
    noise = rng.dirichlet(np.ones(3), size=60)
    X = np.hstack([noise, truth])  # model 0: noise, model 1: informative
    labels = np.array(["a", "b", "c"])[y]
    model = EnsembleSelectionClassifier(ensemble_size=10).fit(X, labels)
    assert model.weights_[1] == 1.0
    assert_array_equal(model.classes_, ["a", "b", "c"])
    assert_array_equal(model.predict(X), labels)


def test_classifier_input_errors():
    y = np.array([0, 1, 2, 0, 1, 2])
    with pytest.raises(
        ValueError, match="Negative values in data passed to EnsembleSelection"
    ):
        EnsembleSelectionClassifier().fit(np.full((6, 3), -0.5), y)
    with pytest.raises(ValueError, match="NaN"):
        EnsembleSelectionClassifier().fit(np.full((6, 3), np.nan), y)
    with pytest.raises(ValueError, match="infinity"):
        EnsembleSelectionClassifier().fit(np.full((6, 3), np.inf), y)
    # The number of models is the number of columns over the number of
    # classes: 4 columns cannot be models of 3 classes.
    with pytest.raises(ValueError, match="4 columns, which is not a whole number"):
        EnsembleSelectionClassifier().fit(np.full((6, 4), 0.25), y)
    with pytest.raises(ValueError, match="only one class"):
        EnsembleSelectionClassifier().fit(np.full((6, 1), 0.5), np.zeros(6))
    model = EnsembleSelectionClassifier(ensemble_size=2).fit(np.full((6, 3), 0.5), y)
    with pytest.raises(ValueError, match="Negative values"):
        model.predict(np.full((2, 3), -1.0))


def _three_class_problem():
    rng = np.random.RandomState(0)
    y = rng.randint(3, size=60)
    truth = np.eye(3)[y] * 0.7 + 0.1
    noise = rng.dirichlet(np.ones(3), size=60)
    half = rng.dirichlet(np.ones(3), size=60) * 0.5 + truth * 0.5
    return np.hstack([noise, truth, half]), y


def test_probabilities_are_used_as_given():
    X, y = _three_class_problem()
    model = EnsembleSelectionClassifier(ensemble_size=7).fit(X, y)
    blocks = X.reshape(60, 3, 3).transpose(1, 0, 2)
    expected = np.tensordot(model.weights_, blocks, axes=1)
    assert_array_equal(model.predict_proba(X), expected)  # bit for bit
    assert_array_equal(model.column_scale_, np.ones(9))


def test_non_negative_scores_are_normalised_per_model_block():
    X, y = _three_class_problem()
    rng = np.random.RandomState(1)
    # Each model's block scaled by a factor of its own per row: the same
    # probabilities once normalised, hence the same selection.
    factors = rng.uniform(0.5, 20.0, size=(60, 3))
    scores = X * np.repeat(factors, 3, axis=1)
    on_probabilities = EnsembleSelectionClassifier(ensemble_size=7).fit(X, y)
    on_scores = EnsembleSelectionClassifier(ensemble_size=7).fit(scores, y)
    assert_array_equal(on_scores.weights_, on_probabilities.weights_)
    assert_allclose(on_scores.predict_proba(scores), on_probabilities.predict_proba(X))
    assert_allclose(on_scores.predict_proba(scores).sum(axis=1), 1.0)
    # A block that sums to zero in a row is uniform.
    zero = X.copy()
    zero[0, :3] = 0.0
    fitted = EnsembleSelectionClassifier(ensemble_size=7).fit(zero, y)
    fitted.weights_ = np.array([1.0, 0.0, 0.0])
    assert_allclose(fitted.predict_proba(zero[:1]), [[1 / 3, 1 / 3, 1 / 3]])


def test_binary_score_columns_are_scaled_by_their_training_maximum():
    y = np.array([0, 1, 1, 0, 1, 0])
    sharp = np.array([0.1, 0.9, 0.8, 0.2, 0.7, 0.3])
    scores = np.array([1.0, 8.0, 6.0, 2.0, 4.0, 1.0])  # above 1: a score
    X = np.column_stack([sharp, scores])
    model = EnsembleSelectionClassifier(ensemble_size=4).fit(X, y)
    assert_array_equal(model.column_scale_, [1.0, 8.0])
    single = EnsembleSelectionClassifier(ensemble_size=1).fit(X, y)
    single.weights_ = np.array([0.0, 1.0])
    assert_allclose(single.predict_proba(X)[:, 1], scores / 8.0)
    # Beyond the training maximum a score counts as certainty.
    assert_allclose(single.predict_proba([[0.5, 16.0]]), [[0.0, 1.0]])
    # A probability column is used as given.
    single.weights_ = np.array([1.0, 0.0])
    assert_array_equal(single.predict_proba(X)[:, 1], sharp)
