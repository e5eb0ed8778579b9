"""Fitted estimators round-trip through pickle, joblib and skops."""

import io
import pickle

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_friedman1
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    BoostingClassifier,
    BoostingRegressor,
    EnsembleSelectionRegressor,
    StackingClassifier,
    StackingRegressor,
)

X_REG, Y_REG = make_friedman1(n_samples=150, noise=1.0, random_state=0)
X_CLF, Y_CLF = make_classification(
    n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
)

FITTED = [
    BaggingRegressor(n_estimators=4, oob_score=True, random_state=0).fit(X_REG, Y_REG),
    BaggingClassifier(n_estimators=4, random_state=0).fit(X_CLF, Y_CLF),
    BoostingRegressor(n_estimators=5, loss="huber", subsample=0.8, random_state=0).fit(
        X_REG, Y_REG
    ),
    BoostingClassifier(n_estimators=4, random_state=0).fit(X_CLF, Y_CLF),
    StackingRegressor(
        [
            [("tree", DecisionTreeRegressor(max_depth=3)), ("ridge", Ridge())],
            [("top", Ridge())],
        ],
        final_estimator=EnsembleSelectionRegressor(),
        passthrough=True,
        cv=3,
        random_state=0,
    ).fit(X_REG, Y_REG),
    StackingClassifier(
        [
            ("tree", DecisionTreeClassifier(max_depth=3)),
            ("logistic", LogisticRegression(max_iter=500)),
        ],
        cv=3,
        random_state=0,
    ).fit(X_CLF, Y_CLF),
]
IDS = [type(model).__name__ for model in FITTED]


def _output(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return model.predict(X)


def _X(model):
    return X_CLF if hasattr(model, "classes_") else X_REG


@pytest.mark.parametrize("model", FITTED, ids=IDS)
def test_pickle_and_joblib(model):
    X = _X(model)
    assert_array_equal(_output(pickle.loads(pickle.dumps(model)), X), _output(model, X))
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    assert_array_equal(_output(joblib.load(buffer), X), _output(model, X))


@pytest.mark.parametrize("model", FITTED, ids=IDS)
def test_skops_secure_round_trip(model):
    sio = pytest.importorskip("skops.io")
    X = _X(model)
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    # What the user is asked to trust is this package's own classes, and a
    # few scikit-learn internals (the tree structure, Bunch): nothing else.
    assert any(name.startswith("ensembles.") for name in untrusted)
    assert all(name.startswith(("ensembles.", "sklearn.")) for name in untrusted)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.loads(data)  # refuses to load unreviewed types
    restored = sio.loads(data, trusted=untrusted)
    assert_array_equal(_output(restored, X), _output(model, X))
    assert np.isfinite(_output(restored, X)).all()
