"""scikit-learn's own estimator checks over every public estimator."""

import inspect

from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import ensembles

# Small, fast settings for the checks; a later estimator joins automatically.
FAST_PARAMS = {"n_estimators": 5}

_TREE_WEIGHTS = (
    "the default member, a decision tree, places split thresholds between "
    "neighbouring rows, zero-weight rows included, so a zero weight is not "
    "the same as a removed row (scikit-learn lists this for its trees and "
    "its gradient boosting)"
)

# Known deviations, each with its reason (as scikit-learn lists its own).
EXPECTED_FAILED_CHECKS = {
    "BoostingClassifier": {
        "check_sample_weight_equivalence_on_dense_data": _TREE_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _TREE_WEIGHTS,
    },
    "BoostingRegressor": {
        "check_sample_weight_equivalence_on_dense_data": _TREE_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _TREE_WEIGHTS,
    },
    "BaggingClassifier": {
        "check_sample_weight_equivalence_on_dense_data": (
            "sample_weight is used as sampling probabilities of the bootstrap, "
            "as in scikit-learn's bagging: weighting a row is only equivalent "
            "to repeating it in expectation"
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "sample_weight is used as sampling probabilities of the bootstrap"
        ),
    },
    "BaggingRegressor": {
        "check_sample_weight_equivalence_on_dense_data": (
            "sample_weight is used as sampling probabilities of the bootstrap, "
            "as in scikit-learn's bagging: weighting a row is only equivalent "
            "to repeating it in expectation"
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "sample_weight is used as sampling probabilities of the bootstrap"
        ),
    },
}


def public_estimators():
    """Every estimator class exported by the package, with fast settings."""
    for name in sorted(ensembles.__all__):
        obj = getattr(ensembles, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            params = {
                key: value
                for key, value in FAST_PARAMS.items()
                if key in inspect.signature(obj).parameters
            }
            yield obj(**params)


def expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    list(public_estimators()), expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_public_estimator_is_checked():
    names = {type(est).__name__ for est in public_estimators()}
    assert {
        "BaggingClassifier",
        "BaggingRegressor",
        "BoostingClassifier",
        "BoostingRegressor",
    } <= names
