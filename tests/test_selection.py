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


def test_classifier_rejects_non_probabilities():
    y = np.array([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="must lie in \\[0, 1\\]"):
        EnsembleSelectionClassifier().fit(np.full((6, 3), 2.0), y)
    with pytest.raises(ValueError, match="not a whole number of models"):
        EnsembleSelectionClassifier().fit(np.full((6, 4), 0.25), y)
    with pytest.raises(ValueError, match="only one class"):
        EnsembleSelectionClassifier().fit(np.full((6, 1), 0.5), np.zeros(6))
