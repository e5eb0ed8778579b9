"""Greedy ensemble selection (Caruana et al., 2004).

EnsembleSelectionRegressor and EnsembleSelectionClassifier weigh columns
of predictions (a stack's last layer) by forward selection with
replacement; this module owns them and the selection loop itself.

The selection compares losses of running averages: targets, predictions
and weights of extreme magnitude are first scaled by a power of two
(:mod:`ensembles._scale_safe`), which changes no comparison, so that sums of
predictions and squared errors do not overflow.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, check_non_negative, column_or_1d

from ._base import (
    check_sample_weight,
    encode_classes,
    unfitted_on_error,
    validate_X,
    validate_X_y,
)
from ._scale_safe import normalised_weights, power_of_two_scale
from ._sklearn_private import Interval, StrOptions, _fit_context

__all__ = ["EnsembleSelectionClassifier", "EnsembleSelectionRegressor"]


def _greedy_selection(candidates, loss, ensemble_size):
    """Forward selection with replacement.

    ``candidates`` has shape (n_candidates, n_samples, ...): one prediction
    per candidate. At every step the candidate whose addition gives the
    lowest ``loss`` of the running average joins the ensemble (ties: the
    first). Returns how often each candidate was picked.
    """
    counts = np.zeros(len(candidates), dtype=np.int64)
    total = np.zeros_like(candidates[0])
    for size in range(1, ensemble_size + 1):
        losses = [loss((total + candidate) / size) for candidate in candidates]
        best = int(np.argmin(losses))
        counts[best] += 1
        total += candidates[best]
    return counts


class _BaseSelection(BaseEstimator):
    _parameter_constraints: dict = {
        "ensemble_size": [Interval(Integral, 1, None, closed="left")],
    }
    # Public and documented: a stack reads it (through
    # ensembles._members.combines_predictions) to hand its final estimator
    # the last layer's predictions only, without the passthrough features.
    combines_predictions = True

    def __init__(self, ensemble_size=50, metric="auto"):
        self.ensemble_size = ensemble_size
        self.metric = metric

    def _fit_weights(self, candidates, loss):
        counts = _greedy_selection(candidates, loss, self.ensemble_size)
        self.weights_ = counts / self.ensemble_size
        return self


class EnsembleSelectionRegressor(RegressorMixin, _BaseSelection):
    """Greedy ensemble selection over prediction columns (Caruana et al., 2004).

    Each column of X is one model's prediction. Starting from an empty
    ensemble, the column whose addition most lowers the (weighted) mean
    squared error of the ensemble's average is added, with replacement,
    ``ensemble_size`` times. The prediction is the weighted average of the
    columns. Used as the ``final_estimator`` of a stack it gives
    AutoGluon's top layer: a sparse, non-negative blend that resists
    overfitting better than a free linear model.

    Parameters
    ----------
    ensemble_size : int, default=50
        Number of selection steps; weights are multiples of
        ``1 / ensemble_size``.
    metric : {"auto", "squared_error", "absolute_error"}, default="auto"
        The loss the selection lowers: "auto" is "squared_error".

    Attributes
    ----------
    weights_ : ndarray of shape (`n_features_in_`,)
        Non-negative weight of each column, summing to 1.
    n_features_in_ : int
        Number of columns seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during fit, when X had string column names.
    combines_predictions : bool
        Class attribute, True: the estimator weighs predictions, so a stack
        whose final estimator it is hands it no passthrough features.

    See Also
    --------
    EnsembleSelectionClassifier : The classification counterpart.
    StackingRegressor : A stack whose final estimator it can be.

    References
    ----------
    R. Caruana, A. Niculescu-Mizil, G. Crew and A. Ksikes, "Ensemble
    selection from libraries of models", ICML 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from ensembles import EnsembleSelectionRegressor
    >>> y = np.arange(10.0)
    >>> predictions = np.column_stack([y + 1, y - 1, np.zeros(10)])
    >>> model = EnsembleSelectionRegressor(ensemble_size=10).fit(predictions, y)
    >>> model.weights_
    array([0.5, 0.5, 0. ])
    """

    _parameter_constraints: dict = {
        **_BaseSelection._parameter_constraints,
        "metric": [StrOptions({"auto", "squared_error", "absolute_error"})],
    }

    @unfitted_on_error
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Select the ensemble.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_models)
            One column of predictions per model.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the selection loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_X_y(self, X, y, allow_nan=False, sparse=False, y_numeric=True)
        y = column_or_1d(y).astype(np.float64)
        weight = normalised_weights(check_sample_weight(sample_weight, len(y)))
        weight = np.ones(len(y)) if weight is None else weight
        # Targets and predictions in one unit scaled by a power of two: the
        # same choices, without squares or sums that overflow.
        X = np.asarray(X, dtype=np.float64)
        scale = power_of_two_scale(y, X)
        y = y * scale

        if self.metric == "absolute_error":

            def loss(prediction):
                return np.average(np.abs(y - prediction), weights=weight)

        else:

            def loss(prediction):
                return np.average((y - prediction) ** 2, weights=weight)

        return self._fit_weights((X * scale).T.copy(), loss)

    def predict(self, X):
        """Predict the weighted average of the columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_models)
            One column of predictions per model.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The blended predictions.
        """
        check_is_fitted(self)
        X = validate_X(self, X, allow_nan=False, sparse=False)
        return np.asarray(X, dtype=np.float64) @ self.weights_


class EnsembleSelectionClassifier(ClassifierMixin, _BaseSelection):
    """Greedy ensemble selection over predicted probabilities.

    The algorithm of Caruana et al. (2004). X holds the class probabilities
    of several models, laid out as a :class:`StackingClassifier` with
    ``stack_method="predict_proba"`` lays them out: for two classes one
    column per model (the probability of the second class); for K > 2
    classes K consecutive columns per model. The number of models is
    therefore the number of columns (two classes) or the number of columns
    divided by K (K > 2 classes; a column count that is not a multiple of K
    is an error). The model whose addition most lowers the log-loss of the
    averaged probabilities joins the ensemble, with replacement,
    ``ensemble_size`` times.

    Any finite, non-negative columns are accepted, read as probabilities
    by this rule (probabilities themselves are used as given):

    - K > 2 classes: each model's block of K columns is divided, row by
      row, by its sum (non-negative class scores become probabilities); a
      block whose row sums to 0 is uniform, 1/K per class;
    - two classes: a column is the probability of the second class when its
      training values lie in [0, 1]; a column with training values above 1
      is read as a score and divided by its largest training value
      (``column_scale_``), and at prediction values beyond it count as 1.

    Negative values, NaN and infinity are an error.

    Parameters
    ----------
    ensemble_size : int, default=50
        Number of selection steps; weights are multiples of
        ``1 / ensemble_size``.
    metric : {"auto", "log_loss", "brier_score", "zero_one"}, default="auto"
        The loss of the averaged probabilities the selection lowers: "auto"
        is "log_loss", which keeps the blend's probabilities calibrated;
        "brier_score" is the mean squared error of the probabilities over
        the classes; "zero_one" the error rate of their most probable class
        (ties go to the first class).

    Attributes
    ----------
    weights_ : ndarray of shape (n_models,)
        Non-negative weight of each model, summing to 1.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    column_scale_ : ndarray of shape (`n_features_in_`,)
        What each column is divided by before it is read as a probability
        of the second class: 1, or, for two classes, the largest training
        value of a column that exceeds 1. Ones for K > 2 classes, whose
        blocks are normalised row by row instead.
    n_features_in_ : int
        Number of columns seen during fit.
    combines_predictions : bool
        Class attribute, True: the estimator weighs predictions, so a stack
        whose final estimator it is hands it no passthrough features.

    See Also
    --------
    EnsembleSelectionRegressor : The regression counterpart.
    StackingClassifier : A stack whose final estimator it can be (with
        ``stack_method="predict_proba"``).

    References
    ----------
    R. Caruana, A. Niculescu-Mizil, G. Crew and A. Ksikes, "Ensemble
    selection from libraries of models", ICML 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from ensembles import EnsembleSelectionClassifier
    >>> y = np.array([0, 1, 1, 0])
    >>> probabilities = np.array([[0.1, 0.5], [0.8, 0.5], [0.9, 0.5], [0.3, 0.5]])
    >>> EnsembleSelectionClassifier(ensemble_size=5).fit(probabilities, y).weights_
    array([1., 0.])
    """

    _parameter_constraints: dict = {
        **_BaseSelection._parameter_constraints,
        "metric": [StrOptions({"auto", "log_loss", "brier_score", "zero_one"})],
    }

    @unfitted_on_error
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Select the ensemble.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Probabilities (or non-negative scores) of each model, see the
            class description.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the selection loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_X_y(self, X, y, allow_nan=False, sparse=False)
        X = self._checked_columns(X)
        self.classes_, encoded = encode_classes(column_or_1d(y))
        weight = normalised_weights(check_sample_weight(sample_weight, len(y)))
        weight = np.ones(len(y)) if weight is None else weight
        self._check_models(X)
        self.column_scale_ = np.ones(X.shape[1])
        if len(self.classes_) == 2:
            # Probabilities (up to rounding) keep a scale of 1.
            largest = X.max(axis=0)
            self.column_scale_ = np.where(largest > 1 + 1e-9, largest, 1.0)
        candidates = self._candidates(X)
        eps = np.finfo(np.float64).eps
        rows = np.arange(len(encoded))

        if self.metric == "brier_score":
            one_hot = np.eye(len(self.classes_))[encoded]

            def loss(proba):
                squares = ((proba - one_hot) ** 2).sum(axis=1)
                return np.average(squares, weights=weight)

        elif self.metric == "zero_one":

            def loss(proba):
                wrong = np.argmax(proba, axis=1) != encoded
                return np.average(wrong, weights=weight)

        else:

            def loss(proba):
                picked = np.clip(proba[rows, encoded], eps, 1.0)
                return -np.average(np.log(picked), weights=weight)

        return self._fit_weights(candidates, loss)

    def _checked_columns(self, X):
        """X as float64, refused if it has negative values (probabilities
        and scores are non-negative)."""
        X = np.asarray(X, dtype=np.float64)
        # Rounding may leave a probability a hair below 0.
        X = np.where((X < 0) & (X > -1e-9), 0.0, X)
        check_non_negative(
            X,
            f"{type(self).__name__}, which combines predicted probabilities "
            "(or non-negative scores): feed it predict_proba outputs (for a "
            "stack: stack_method='predict_proba')",
        )
        return X

    def _check_models(self, X):
        n_classes = len(self.classes_)
        if n_classes > 2 and X.shape[1] % n_classes:
            raise ValueError(
                f"X has {X.shape[1]} columns, which is not a whole number of "
                f"models with {n_classes} class probabilities each."
            )

    def _candidates(self, X):
        """Per model, its (n_samples, n_classes) probabilities (see the class
        description for how non-negative columns are read)."""
        n_classes = len(self.classes_)
        if n_classes == 2:
            X = np.minimum(X / self.column_scale_, 1.0)
            return np.stack([np.column_stack([1 - col, col]) for col in X.T])
        n_models = X.shape[1] // n_classes
        blocks = X.reshape(len(X), n_models, n_classes).transpose(1, 0, 2).copy()
        sums = blocks.sum(axis=2, keepdims=True)
        # Rows that already sum to 1 (probabilities, up to rounding) are
        # used as given; the others are normalised, or uniform if all zero.
        rescale = np.abs(sums - 1.0) > 1e-9
        if np.any(rescale):
            with np.errstate(invalid="ignore", divide="ignore"):
                normalised = np.where(sums > 0, blocks / sums, 1.0 / n_classes)
            blocks = np.where(rescale, normalised, blocks)
        return blocks

    def predict_proba(self, X):
        """Predict the weighted average of the models' probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Probabilities (or non-negative scores) of each model, see the
            class description.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The blended class probabilities.
        """
        check_is_fitted(self)
        X = validate_X(self, X, allow_nan=False, sparse=False)
        X = self._checked_columns(X)
        return np.tensordot(self.weights_, self._candidates(X), axes=1)

    def predict(self, X):
        """Predict the most probable class of the blend.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Probabilities (or non-negative scores) of each model, see the
            class description.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The class labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
