"""The members of an ensemble that combines them, and what each predicts.

The diversity terms of the bias/variance decomposition (Wood et al. 2023)
need every member's prediction on the test set in each round; this module
reads them from a fitted ensemble, with no extra fit. It knows which
estimators combine members and how: this package's bagging and stacking,
scikit-learn's random forests, extra trees, bagging, voting and stacking,
each also as the last step of a Pipeline. The maths is
:mod:`ensembles._decomposition`'s.
"""

import numpy as np
from sklearn import ensemble as sk_ensemble
from sklearn.pipeline import Pipeline

from ._bagging import BaggingClassifier, BaggingRegressor
from ._members import expand_proba
from ._stacking import StackingClassifier, StackingRegressor


def member_outputs(model, X_test, classes=None):
    """Each member's predictions on ``X_test``, as the ensemble combines them.

    Parameters
    ----------
    model : estimator
        A fitted estimator.
    X_test : array-like
        The test set, as the decomposition validated it.
    classes : ndarray or None
        None: each member's ``predict`` (numbers for a regressor, labels of
        ``model.classes_`` for a classifier). The sorted labels of the
        decomposition: each member's class probabilities on one column per
        label (one-hot votes for a member the ensemble counts by its
        votes), 0 for a label the member does not know.

    Returns
    -------
    outputs : ndarray or None
        (n_members, n_test) predictions, or (n_members, n_test, n_classes)
        probabilities; None when ``model`` is not an ensemble that combines
        its members' predictions (boosting, a single learner, a multi-output
        target). A Pipeline whose last step combines members gives that
        step's members, fed ``X_test`` through the steps before it.
    weights : ndarray or None
        The members' weights in the combination, summing to 1 (equal
        unless a voting ensemble was given ``weights``); None with
        ``outputs``.
    """
    model, X_test = _last_step(model, X_test)
    reader = _reader(model)
    if reader is None or _multi_output(model):
        return None, None
    codes = reader(model, X_test, proba=classes is not None)
    codes = np.stack([np.asarray(c, dtype=np.float64) for c in codes])
    weights = _weights(model, codes.shape[0])
    if classes is None:
        if not hasattr(model, "classes_"):
            return codes, weights
        if codes.ndim == 3:  # class scores: the member's label is the highest
            codes = np.argmax(codes, axis=2)
        return np.asarray(model.classes_).take(codes.astype(np.intp)), weights
    # Class scores on the model's classes, placed among the decomposition's.
    columns = np.searchsorted(classes, np.asarray(model.classes_))
    placed = np.zeros((*codes.shape[:2], len(classes)))
    placed[..., columns] = codes
    return placed, weights


def _last_step(model, X_test):
    """An ensemble behind preprocessing (the main job on a user's table
    wraps every estimator so) and the test set as it reaches it; any other
    model as it is."""
    if isinstance(model, Pipeline) and len(model.steps) > 1:
        last = model.steps[-1][1]
        if _reader(last) is not None:
            return last, model[:-1].transform(X_test)
    return model, X_test


def _multi_output(model):
    outputs = getattr(model, "n_outputs_", 1)
    return outputs != 1 or np.ndim(getattr(model, "classes_", [])) != 1


def _weights(model, n_members):
    """Equal weights, or a voting ensemble's own (of its kept members), or
    the blend weights of a stack's ensemble selection."""
    weights = None
    if isinstance(model, (sk_ensemble.VotingClassifier, sk_ensemble.VotingRegressor)):
        weights = model._weights_not_none
    if isinstance(model, (StackingRegressor, StackingClassifier)):
        weights = model._combined_weights()
    if weights is None:
        return np.full(n_members, 1.0 / n_members)
    weights = np.asarray(weights, dtype=np.float64)
    return weights / weights.sum()


# --------------------------------------------------------------------------
# One reader per kind of ensemble: each yields the members' outputs in the
# ensemble's own coding (class indices or class-score columns of classes_).
# --------------------------------------------------------------------------
def _reader(model):
    for kinds, reader in _READERS:
        if isinstance(model, kinds):
            return reader
    return None


def _one_hot(codes, n_classes):
    codes = np.asarray(codes, dtype=np.intp)
    votes = np.zeros((len(codes), n_classes))
    votes[np.arange(len(codes)), codes] = 1.0
    return votes


def _read_our_bagging(model, X, proba):
    X = model._validate_X_predict(X)
    if isinstance(model, BaggingRegressor):
        return list(model._member_predictions(X, "predict"))
    # Class scores: probabilities (soft voting) or one-hot votes (hard),
    # what the ensemble averages.
    return list(model._class_scores(X))


def _read_sklearn_members(model, X, proba):
    """Forests, bagging and voting: members fitted on class indices (of
    ``classes_``), on feature subsets for bagging."""
    X = np.asarray(X) if not hasattr(X, "iloc") else X
    features = getattr(model, "estimators_features_", None)
    outputs = []
    for i, member in enumerate(model.estimators_):
        X_member = X if features is None else _columns(X, features[i])
        if not hasattr(model, "classes_"):
            outputs.append(member.predict(X_member))
            continue
        n_classes = len(model.classes_)
        soft = getattr(model, "voting", "soft") == "soft" and hasattr(
            member, "predict_proba"
        )
        if soft:
            member_classes = getattr(member, "classes_", np.arange(n_classes))
            outputs.append(
                expand_proba(member.predict_proba(X_member), member_classes, n_classes)
            )
        else:
            outputs.append(_one_hot(member.predict(X_member), n_classes))
    return outputs


def _columns(X, features):
    return X.iloc[:, features] if hasattr(X, "iloc") else X[:, features]


def _read_our_stacking(model, X, proba):
    """The members the final estimator combines (the last layer's, or every
    layer's), each predicting from its layer's input (refit or
    fold-averaged models)."""
    combined = model._combined_members(X)
    if not hasattr(model, "classes_"):
        return [member.predict(X_layer) for member, X_layer in combined]
    n_classes = len(model.classes_)
    outputs = []
    for member, X_layer in combined:
        if hasattr(member, "predict_proba") and _has_proba(member):
            outputs.append(member.predict_proba(X_layer))
        else:
            outputs.append(_one_hot(member.predict(X_layer), n_classes))
    return outputs


def _has_proba(member):
    models = member.estimators_
    if member.refit_estimator_ is not None:
        models = [member.refit_estimator_]
    return all(hasattr(m, "predict_proba") for m in models)


def _read_sklearn_stacking(model, X, proba):
    outputs = []
    for member in model.estimators_:
        if not hasattr(model, "classes_"):
            outputs.append(member.predict(X))
        elif hasattr(member, "predict_proba"):
            n_classes = len(model.classes_)
            outputs.append(
                expand_proba(member.predict_proba(X), member.classes_, n_classes)
            )
        else:
            outputs.append(_one_hot(member.predict(X), len(model.classes_)))
    return outputs


_READERS = (
    ((BaggingRegressor, BaggingClassifier), _read_our_bagging),
    ((StackingRegressor, StackingClassifier), _read_our_stacking),
    (
        (sk_ensemble.StackingRegressor, sk_ensemble.StackingClassifier),
        _read_sklearn_stacking,
    ),
    (
        (
            sk_ensemble.RandomForestRegressor,
            sk_ensemble.RandomForestClassifier,
            sk_ensemble.ExtraTreesRegressor,
            sk_ensemble.ExtraTreesClassifier,
            sk_ensemble.BaggingRegressor,
            sk_ensemble.BaggingClassifier,
            sk_ensemble.VotingRegressor,
            sk_ensemble.VotingClassifier,
        ),
        _read_sklearn_members,
    ),
)
