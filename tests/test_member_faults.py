"""Members whose outputs cannot be combined (NaN, infinity) are an error that
names them, with their fold, stage or round, wherever an ensemble combines
them; and None in an object array is refused as a missing value (issue #18,
items 2 and 4)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeClassifier

from ensembles import (
    BaggingRegressor,
    BoostingRegressor,
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    bias_variance_decomposition,
)

RNG = np.random.RandomState(0)
X = RNG.uniform(size=(60, 4))
Y_REG = X @ [1.0, 2.0, -1.0, 0.5] + 0.1 * RNG.normal(size=60)
Y_BIN = (X[:, 0] + X[:, 1] > 1).astype(int)


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
