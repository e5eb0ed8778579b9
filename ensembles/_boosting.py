"""Gradient boosting over any base regressor: BoostingRegressor and BoostingClassifier.

This module owns the public classes: their parameters, the loss each
``loss`` name stands for, and turning the raw predictions into values,
probabilities and classes. The boosting loop they share, stage by stage,
is :mod:`ensembles._boosting_stages`; the losses are
:mod:`ensembles._losses`.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier
from sklearn.utils.metaestimators import available_if

from ._base import ProbaClassifierMixin, encode_classes
from ._boosting_stages import _BaseBoosting, _members_have_apply
from ._losses import (
    AbsoluteError,
    BinomialLogLoss,
    ExponentialLoss,
    HuberLoss,
    MultinomialLogLoss,
    QuantileLoss,
    SquaredError,
)
from ._sklearn_private import HasMethods, Interval, StrOptions

__all__ = ["BoostingClassifier", "BoostingRegressor"]


# --------------------------------------------------------------------------
# Regressor
# --------------------------------------------------------------------------
class BoostingRegressor(RegressorMixin, _BaseBoosting):
    """Gradient boosting over any base regressor.

    Each stage fits a clone of ``estimator`` to the negative gradient of the
    loss (the residuals ``y - F`` for squared error), finds the step along
    its predictions by a line search (the best step, for every loss), and
    adds it, shrunk by ``learning_rate``, to the ensemble ``F``. A
    scikit-learn tree gets a step per leaf instead (Friedman's TreeBoost).
    Boosting mainly reduces bias: it turns weak learners (stumps, shallow
    trees, linear models) into a strong one.

    With ``estimator=DecisionTreeRegressor(max_depth=3)`` and squared error
    it is the algorithm of :class:`sklearn.ensemble.GradientBoostingRegressor`.

    Parameters
    ----------
    estimator : object, default=None
        The base regressor, cloned for every stage. None means
        ``DecisionTreeRegressor(max_depth=3)``.
    n_estimators : int, default=100
        Number of boosting stages.
    learning_rate : float, default=0.1
        Shrinks every stage's step.
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, \
            default="squared_error"
        The loss to minimise.
    alpha : float, default=0.9
        For "huber": the quantile of the absolute residuals beyond which the
        loss turns linear. For "quantile": the quantile predicted.
    subsample : float, default=1.0
        Fraction of the rows, drawn without replacement, that each stage is
        fitted on (stochastic gradient boosting).
    init : estimator, "zero" or None, default=None
        Start of the ensemble: None means the loss's best constant (mean,
        median or alpha-quantile of y); an estimator starts from its
        predictions; "zero" starts from 0.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=None
        With an int, stop once the validation loss has not improved by
        ``tol`` for that many stages.
    tol : float, default=1e-4
        Least improvement of the validation loss that counts.
    warm_start : bool, default=False
        Keep the stages of the previous fit and add new ones.
    random_state : int, RandomState instance or None, default=None
        Controls the members' randomness, the subsamples and the
        validation split.
    verbose : int, default=0
        0: silent. 1: a progress bar of the stages on stderr when it is a
        terminal (or in a notebook), nothing otherwise. 2 or more: the bar
        wherever stderr goes (a log file, a pipe).

    Attributes
    ----------
    estimator_ : estimator
        The base estimator the members were cloned from.
    estimators_ : ndarray of shape (`n_estimators_`, 1)
        The fitted members, one row per stage.
    estimator_weights_ : ndarray of shape (`n_estimators_`, 1)
        Each member's step: line-search step times learning rate (the
        learning rate alone for scikit-learn trees, whose leaf values hold
        their steps, unless they have ``monotonic_cst``).
    init_ : estimator or "zero"
        The fitted initial estimator.
    n_estimators_ : int
        Number of stages kept (fewer than n_estimators after early stopping).
    train_score_ : ndarray of shape (`n_estimators_`,)
        Training loss after each stage (in-bag rows when subsampling).
        Computed without overflow where it is representable; infinite
        where it is not (a mean squared error beyond float64's 1.8e308,
        for residuals beyond about 1.3e154).
    oob_improvement_ : ndarray of shape (`n_estimators_`,)
        Fall of the out-of-bag loss at each stage, as scikit-learn defines
        it: ``oob_scores_[i - 1] - oob_scores_[i]``, the first stage's
        measured against the initial model (with subsample < 1; zeros for
        the stages of an earlier fit without subsampling).
    oob_scores_ : ndarray of shape (`n_estimators_`,)
        Loss of the ensemble after each stage on the rows that stage was
        not fitted on (with subsample < 1); NaN for a stage whose
        out-of-bag rows have no weight (none left out, or all of zero
        ``sample_weight``): there is nothing to score.
    oob_score_ : float
        ``oob_scores_[-1]`` (with subsample < 1).
    validation_score_ : ndarray of shape (`n_estimators_`,)
        Validation loss after each stage (with early stopping).
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Importances summing to 1, when the members have them; for
        scikit-learn trees computed as in scikit-learn's gradient boosting.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X had string column names.

    See Also
    --------
    BoostingClassifier : The classification counterpart.

    References
    ----------
    J. H. Friedman, "Greedy function approximation: a gradient boosting
    machine", Annals of Statistics, 29(5), 1189-1232, 2001.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.linear_model import Ridge
    >>> from ensembles import BoostingRegressor
    >>> X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    >>> model = BoostingRegressor(n_estimators=50, random_state=0).fit(X, y)
    >>> bool(model.train_score_[-1] < model.train_score_[0])
    True
    >>> ridge = BoostingRegressor(Ridge(), n_estimators=5).fit(X, y)
    >>> ridge.estimators_.shape
    (5, 1)
    """

    _parameter_constraints: dict = {
        **_BaseBoosting._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "quantile"})],
        "alpha": [Interval(Real, 0.0, 1.0, closed="neither")],
        "init": [StrOptions({"zero"}), None, HasMethods(["fit", "predict"])],
    }

    def __init__(
        self,
        estimator=None,
        n_estimators=100,
        *,
        learning_rate=0.1,
        loss="squared_error",
        alpha=0.9,
        subsample=1.0,
        init=None,
        validation_fraction=0.1,
        n_iter_no_change=None,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.loss = loss
        self.alpha = alpha
        self.subsample = subsample
        self.init = init
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _encode_y(self, y):
        return y.astype(np.float64, copy=False)

    def _check_init(self, init):
        if is_classifier(init):
            raise ValueError(
                f"init={type(init).__name__} is a classifier; the initial "
                "model of BoostingRegressor must be a regressor (its "
                "predictions are the start of the ensemble)."
            )

    def _make_loss(self):
        if self.loss == "squared_error":
            return SquaredError()
        if self.loss == "absolute_error":
            return AbsoluteError()
        if self.loss == "huber":
            return HuberLoss(self.alpha)
        return QuantileLoss(self.alpha)

    def predict(self, X):
        """Predict regression targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted target of each sample.
        """
        return self._raw_predict(X)[:, 0]

    def staged_predict(self, X):
        """Yield the prediction after each stage.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        y_pred : ndarray of shape (n_samples,)
            The predicted targets after one more stage.
        """
        for raw in self._staged_raw(X):
            yield raw[:, 0]

    @available_if(_members_have_apply)
    def apply(self, X):
        """Apply every stage's member to X: the leaf each sample ends in.

        For members that are single trees (their ``apply`` gives one leaf
        index per sample), as scikit-learn's gradient boosting.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        X_leaves : ndarray of shape (n_samples, `n_estimators_`)
            The leaf index, as float, of each sample in each stage's member.
        """
        return super().apply(X)[:, :, 0]


# --------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------
class BoostingClassifier(ProbaClassifierMixin, ClassifierMixin, _BaseBoosting):
    """Gradient boosting for classification over any base regressor.

    Each stage fits, per class, a clone of the base regressor to the
    negative gradient of the log-loss (``onehot(y) - probability``) and
    moves the class scores along its predictions by one damped Newton step,
    shrunk by ``learning_rate``; a scikit-learn tree gets a Newton step per
    leaf instead (Friedman's TreeBoost), so that with
    ``DecisionTreeRegressor(max_depth=3)`` it is the algorithm of
    :class:`sklearn.ensemble.GradientBoostingClassifier`. Binary problems
    use one regressor per stage, multiclass problems one per class
    (softmax), fitted in parallel with ``n_jobs``. ``loss="exponential"``
    gives AdaBoost's loss (binary only).

    Parameters
    ----------
    estimator : object, default=None
        The base **regressor**, cloned for every stage and class. None means
        ``DecisionTreeRegressor(max_depth=3)``.
    n_estimators : int, default=100
        Number of boosting stages.
    learning_rate : float, default=0.1
        Shrinks every stage's step.
    loss : {"log_loss", "exponential"}, default="log_loss"
        The loss to minimise.
    subsample : float, default=1.0
        Fraction of the rows, drawn without replacement, that each stage is
        fitted on (stochastic gradient boosting).
    init : estimator, "zero" or None, default=None
        Start of the ensemble: None means the class priors; a classifier
        starts from its ``predict_proba``; "zero" starts from uniform scores.
    validation_fraction : float, default=0.1
        Share of the rows held out (stratified) for early stopping.
    n_iter_no_change : int, default=None
        With an int, stop once the validation loss has not improved by
        ``tol`` for that many stages.
    tol : float, default=1e-4
        Least improvement of the validation loss that counts.
    warm_start : bool, default=False
        Keep the stages of the previous fit and add new ones.
    n_jobs : int, default=None
        Per-class members of a stage fitted at once; results do not depend
        on it.
    random_state : int, RandomState instance or None, default=None
        Controls the members' randomness, the subsamples and the
        validation split.
    verbose : int, default=0
        0: silent. 1: a progress bar of the stages on stderr when it is a
        terminal (or in a notebook), nothing otherwise. 2 or more: the bar
        wherever stderr goes (a log file, a pipe).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    estimator_ : estimator
        The base estimator the members were cloned from.
    estimators_ : ndarray of shape (`n_estimators_`, K)
        The fitted members; K is 1 for binary problems, else n_classes.
    estimator_weights_ : ndarray of shape (`n_estimators_`, K)
        Each member's step: line-search step times learning rate (the
        learning rate alone for scikit-learn trees, whose leaf values hold
        their steps, unless they have ``monotonic_cst``).
    init_ : estimator or "zero"
        The fitted initial estimator.
    n_estimators_ : int
        Number of stages kept (fewer than n_estimators after early stopping).
    train_score_ : ndarray of shape (`n_estimators_`,)
        Training loss after each stage (in-bag rows when subsampling), on
        scikit-learn's scale: the binomial deviance (twice the mean
        log-loss) for binary log-loss, the mean log-loss for multiclass,
        the mean exponential loss.
    oob_improvement_ : ndarray of shape (`n_estimators_`,)
        Fall of the out-of-bag loss at each stage, as scikit-learn defines
        it: ``oob_scores_[i - 1] - oob_scores_[i]``, the first stage's
        measured against the initial model (with subsample < 1; zeros for
        the stages of an earlier fit without subsampling).
    oob_scores_ : ndarray of shape (`n_estimators_`,)
        Loss of the ensemble after each stage on the rows that stage was
        not fitted on (with subsample < 1); NaN for a stage whose
        out-of-bag rows have no weight (none left out, or all of zero
        ``sample_weight``): there is nothing to score.
    oob_score_ : float
        ``oob_scores_[-1]`` (with subsample < 1).
    validation_score_ : ndarray of shape (`n_estimators_`,)
        Validation loss after each stage (with early stopping).
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Importances summing to 1, when the members have them; for
        scikit-learn trees computed as in scikit-learn's gradient boosting.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X had string column names.

    See Also
    --------
    BoostingRegressor : The regression counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from ensembles import BoostingClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = BoostingClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> model.predict_proba(X[:1]).shape
    (1, 3)
    """

    _parameter_constraints: dict = {
        **_BaseBoosting._parameter_constraints,
        "loss": [StrOptions({"log_loss", "exponential"})],
        "n_jobs": [None, Integral],
        "init": [StrOptions({"zero"}), None, HasMethods(["fit", "predict_proba"])],
    }

    def __init__(
        self,
        estimator=None,
        n_estimators=100,
        *,
        learning_rate=0.1,
        loss="log_loss",
        subsample=1.0,
        init=None,
        validation_fraction=0.1,
        n_iter_no_change=None,
        tol=1e-4,
        warm_start=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.loss = loss
        self.subsample = subsample
        self.init = init
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _n_jobs(self):
        return self.n_jobs

    def _encode_y(self, y):
        classes, encoded = encode_classes(y, ensemble=self)
        self.classes_ = classes
        self.n_classes_ = len(classes)
        if self.loss == "exponential" and self.n_classes_ > 2:
            raise ValueError(
                "loss='exponential' is only suitable for a binary "
                f"classification problem, you have n_classes={self.n_classes_}. "
                "Please use loss='log_loss' instead."
            )
        return encoded

    def _check_weighted_target(self, y, sample_weight):
        # scikit-learn's error: weights that leave one class cannot be fitted.
        if sample_weight is None:
            return
        n_kept = np.count_nonzero(np.bincount(y, weights=sample_weight))
        if n_kept < 2:
            raise ValueError(
                f"y contains {n_kept} class after sample_weight trimmed classes "
                "with zero weights, while a minimum of 2 classes are required."
            )

    def _make_loss(self):
        if self.loss == "exponential":
            return ExponentialLoss()
        if self.n_classes_ == 2:
            return BinomialLogLoss()
        return MultinomialLogLoss(self.n_classes_)

    def _decision(self, raw):
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def decision_function(self, X):
        """Compute the raw class scores of the ensemble.

        The log-odds of the positive class for binary problems, one score
        per class otherwise.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The raw scores: shape (n_samples,) for binary problems.
        """
        return self._decision(self._raw_predict(X))

    def staged_decision_function(self, X):
        """Yield :meth:`decision_function` after each stage.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The raw scores after one more stage.
        """
        for raw in self._staged_raw(X):
            yield self._decision(raw)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        raw = self._raw_predict(X)
        return self._loss.proba(raw)

    def staged_predict_proba(self, X):
        """Yield :meth:`predict_proba` after each stage.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        proba : ndarray of shape (n_samples, n_classes)
            The class probabilities after one more stage.
        """
        for raw in self._staged_raw(X):
            yield self._loss.proba(raw)

    def staged_predict(self, X):
        """Yield :meth:`predict` after each stage.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        y_pred : ndarray of shape (n_samples,)
            The predicted class labels after one more stage.
        """
        for proba in self.staged_predict_proba(X):
            yield self.classes_[np.argmax(proba, axis=1)]
