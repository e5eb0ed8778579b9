"""ensembles: bagging, boosting and stacking over any scikit-learn learner,
and tools that show which ensemble reduces which part of the error."""

from ._bagging import BaggingClassifier, BaggingRegressor
from ._boosting import BoostingClassifier, BoostingRegressor

__version__ = "0.1.0"

__all__ = [
    "BaggingClassifier",
    "BaggingRegressor",
    "BoostingClassifier",
    "BoostingRegressor",
    "__version__",
]
