"""ensembles: bagging, boosting and stacking over any scikit-learn learner,
and tools that show which ensemble reduces which part of the error."""

from . import datasets
from ._bagging import BaggingClassifier, BaggingRegressor
from ._boosting import BoostingClassifier, BoostingRegressor
from ._own_data import decompose_table
from ._selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from ._stacking import StackingClassifier, StackingRegressor
from ._version import __version__
from .bias_variance import (
    BiasVarianceResult,
    BiasVarianceTable,
    bias_variance_curve,
    bias_variance_decomposition,
    compare_bias_variance,
)

__all__ = [
    "BaggingClassifier",
    "BaggingRegressor",
    "BiasVarianceResult",
    "BiasVarianceTable",
    "BoostingClassifier",
    "BoostingRegressor",
    "EnsembleSelectionClassifier",
    "EnsembleSelectionRegressor",
    "StackingClassifier",
    "StackingRegressor",
    "bias_variance_curve",
    "bias_variance_decomposition",
    "compare_bias_variance",
    "datasets",
    "decompose_table",
    "__version__",
]
