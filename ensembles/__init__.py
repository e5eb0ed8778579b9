"""ensembles: bagging, boosting and stacking over any scikit-learn learner,
and tools that show which ensemble reduces which part of the error."""

from ._bagging import BaggingClassifier, BaggingRegressor
from ._boosting import BoostingClassifier, BoostingRegressor
from ._selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from ._stacking import StackingClassifier, StackingRegressor

__version__ = "0.1.0"

__all__ = [
    "BaggingClassifier",
    "BaggingRegressor",
    "BoostingClassifier",
    "BoostingRegressor",
    "EnsembleSelectionClassifier",
    "EnsembleSelectionRegressor",
    "StackingClassifier",
    "StackingRegressor",
    "__version__",
]
