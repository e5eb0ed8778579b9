"""scikit-learn's own estimator checks over every public estimator."""

import inspect

from _registry import ENTRIES, PLAIN
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import ensembles

_TREE_WEIGHTS = (
    "a weighted row and its repeats are summed in different orders, so the "
    "starting mean and every stage's residuals differ in their last bits; "
    "that flips the tree member's choice between splits that tie, and "
    "different trees grow (a single tree passes this check; scikit-learn "
    "lists the same failure for its gradient boosting)"
)

_OUT_OF_FOLD = (
    "by design fit_transform returns the out-of-fold features the final "
    "estimator was trained on, while transform returns the members' "
    "predictions for new data (refit or fold-averaged models), so the two "
    "differ on the training rows"
)
_STACKING_TRANSFORM = {
    "check_transformer_general": _OUT_OF_FOLD,
    "check_transformer_general(readonly_memmap=True)": _OUT_OF_FOLD,
    "check_transformer_data_not_an_array": _OUT_OF_FOLD,
}


# EnsembleSelectionClassifier reads its input as one block of n_classes
# columns per model (one column per model for two classes), and accepts any
# finite non-negative columns (tagged positive_only, so the checks shift
# their data to non-negative values). These checks fit a multi-class
# problem on a column count that is not a multiple of the number of classes:
# no rule can tell which columns belong to which model, and the clear
# ValueError comes before anything else can be checked. Its behaviour on
# valid input is tested in test_selection.
def _not_whole_models(n_columns, n_classes):
    return (
        f"fits {n_classes} classes on {n_columns} columns, not a whole number of "
        f"models with {n_classes} class probabilities each: a clear ValueError"
    )


_SELECTION_CLASSIFIER_CHECKS = {
    "check_estimators_overwrite_params": _not_whole_models(2, 3),
    "check_estimators_fit_returns_self": _not_whole_models(2, 3),
    "check_readonly_memmap_input": _not_whole_models(2, 3),
    "check_classifiers_classes": _not_whole_models(2, 3),
    "check_n_features_in_after_fitting": _not_whole_models(4, 3),
    "check_dtype_object": _not_whole_models(10, 4),
    **dict.fromkeys(
        [
            "check_classifiers_train",
            "check_classifiers_train(readonly_memmap=True)",
            "check_classifiers_train(readonly_memmap=True,X_dtype=float32)",
        ],
        "its binary problem reads two blob coordinates as two models' "
        "probabilities, which do not reach the required training accuracy of "
        "0.83, and its multi-class problem "
        + _not_whole_models(2, 3).replace(": a clear ValueError", ""),
    ),
}

# Known deviations, each with its reason (as scikit-learn lists its own).
EXPECTED_FAILED_CHECKS = {
    "EnsembleSelectionClassifier": _SELECTION_CLASSIFIER_CHECKS,
    "StackingClassifier": _STACKING_TRANSFORM,
    "StackingRegressor": _STACKING_TRANSFORM,
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
    """The plain registry instance of every public estimator."""
    return [entry.build() for entry in PLAIN]


def expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    list(public_estimators()), expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_public_estimator_is_in_the_registry():
    exported = {
        name
        for name in ensembles.__all__
        if inspect.isclass(getattr(ensembles, name))
        and issubclass(getattr(ensembles, name), BaseEstimator)
    }
    # The estimators exported today are found (a new one joins this set).
    assert exported >= {
        "BaggingClassifier",
        "BaggingRegressor",
        "BoostingClassifier",
        "BoostingRegressor",
        "EnsembleSelectionClassifier",
        "EnsembleSelectionRegressor",
        "StackingClassifier",
        "StackingRegressor",
    }
    # One plain instance of each, checked by scikit-learn above...
    assert sorted(type(entry.build()).__name__ for entry in PLAIN) == sorted(exported)
    # ...and every entry, variants included, is of an exported class.
    assert {type(entry.build()).__name__ for entry in ENTRIES} == exported
    assert len({entry.id for entry in ENTRIES}) == len(ENTRIES)
