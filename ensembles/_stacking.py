"""k-fold multi-layer stacking: StackingRegressor and StackingClassifier.

This module owns the public classes: their parameters, the default final
estimator and stack method of each, the out-of-fold scores, and
``predict``, ``predict_proba`` and ``decision_function`` through the final
estimator. Fitting the layers in order is :mod:`ensembles._stack_base`'s
job; one member's k-fold life, :mod:`ensembles._stack_member`'s; the
``estimators`` parameter, :mod:`ensembles._stack_layers`'.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if

from ._base import encode_classes
from ._stack_base import _BaseStacking, final_estimator_has
from ._stack_member import (
    FoldBaggedMember,  # noqa: F401  (pickles made before the split name it here)
    predicted_classes,
)

__all__ = ["StackingClassifier", "StackingRegressor"]


# --------------------------------------------------------------------------
# Regressor
# --------------------------------------------------------------------------
class StackingRegressor(RegressorMixin, _BaseStacking):
    """Multi-layer k-fold stacking of regressors.

    Each layer's members are trained by k-fold cross-validation on the
    layer below: their out-of-fold predictions are the next layer's
    training input, so no layer learns from overfit in-sample predictions.
    The k fold models of every member are kept and averaged at predict time
    (k-fold bagging), so no member is refitted on all rows unless
    ``refit=True``. A flat list of (name, estimator) is one layer, as in
    :class:`sklearn.ensemble.StackingRegressor`; a list of such lists gives
    several layers.

    Parameters
    ----------
    estimators : list of (str, estimator) or list of lists of them
        The members: one layer, or one list per layer. Names are unique
        across layers; a member can be set to "drop".
    final_estimator : estimator, default=None
        Trained on the last layer's out-of-fold predictions. None means
        :class:`~sklearn.linear_model.RidgeCV`.
    cv : int, float or CV splitter, default=5
        An int k: shuffled KFold with k folds. A float in (0, 1): holdout
        blending, that fraction of each layer's rows held out for the next
        layer. A splitter: its splits (each row in at most one test fold).
    n_repeats : int, default=1
        Repeated k-fold: out-of-fold predictions are averaged over repeats,
        and every member keeps cv x n_repeats fold models.
    passthrough : bool, default=False
        Concatenate the original features to the input of every layer
        above the first and of the final estimator (skip connections). An
        ensemble selection final estimator, which weighs predictions, gets
        the last layer's predictions only.
    refit : bool, default=False
        Also refit every member on all rows and predict with that model
        (scikit-learn's algorithm, one more fit per member).
    n_jobs : int, default=None
        Fits running at once; all (member, repeat, fold) fits of a layer
        form one batch. Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds and seeds members whose own random_state is None.
    verbose : int, default=0
        When > 0, report progress on stderr.

    Attributes
    ----------
    estimators_ : list of lists of FoldBaggedMember
        Per layer, per member, the fitted member; its ``estimators_`` are
        its fold models.
    named_estimators_ : Bunch
        The fitted members by name.
    final_estimator_ : estimator
        The fitted final estimator.
    oof_scores_ : dict
        Out-of-fold R² of every member, by name: a leaderboard.
    stack_methods_ : list of lists of str
        The method each member feeds forward ("predict").
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when X had string column names.

    See Also
    --------
    StackingClassifier : The classification counterpart.
    EnsembleSelectionRegressor : A final estimator that selects a blend.

    References
    ----------
    D. H. Wolpert, "Stacked generalization", Neural Networks, 5(2), 1992.
    N. Erickson et al., "AutoGluon-Tabular: robust and accurate AutoML for
    structured data", 2020.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.linear_model import RidgeCV
    >>> from sklearn.neighbors import KNeighborsRegressor
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import StackingRegressor
    >>> X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    >>> stack = StackingRegressor(
    ...     [[("tree", DecisionTreeRegressor(max_depth=4)),
    ...       ("knn", KNeighborsRegressor())],
    ...      [("ridge", RidgeCV())]],
    ...     passthrough=True, random_state=0,
    ... ).fit(X, y)
    >>> sorted(stack.oof_scores_)
    ['knn', 'ridge', 'tree']
    >>> len(stack.estimators_[0][0].estimators_)
    5
    """

    def __init__(
        self,
        estimators,
        final_estimator=None,
        *,
        cv=5,
        n_repeats=1,
        passthrough=False,
        refit=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.cv = cv
        self.n_repeats = n_repeats
        self.passthrough = passthrough
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _encode_y(self, y):
        return y.astype(np.float64, copy=False)

    def _stack_method(self, name, estimator):
        return "predict"

    def _default_final_estimator(self):
        return RidgeCV()

    def _oof_score(self, y, columns, method, sample_weight, estimator):
        return r2_score(y, columns[:, 0], sample_weight=sample_weight)

    def predict(self, X):
        """Predict with the final estimator on :meth:`transform`'s features.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted target values.
        """
        features = self._transform(X)
        return self.final_estimator_.predict(features)


# --------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------
class StackingClassifier(ClassifierMixin, _BaseStacking):
    """Multi-layer k-fold stacking of classifiers.

    Each layer's members are trained by (stratified) k-fold cross-validation
    on the layer below: their out-of-fold outputs (probabilities by default)
    are the next layer's training input. The k fold models of every member
    are kept and averaged at predict time (k-fold bagging), so no member is
    refitted unless ``refit=True``. A flat list of (name, estimator) is one
    layer, as in :class:`sklearn.ensemble.StackingClassifier`; a list of
    such lists gives several layers.

    Parameters
    ----------
    estimators : list of (str, estimator) or list of lists of them
        The members: one layer, or one list per layer. Names are unique
        across layers; a member can be set to "drop".
    final_estimator : estimator, default=None
        Trained on the last layer's out-of-fold outputs. None means
        :class:`~sklearn.linear_model.LogisticRegression`.
    cv : int, float or CV splitter, default=5
        An int k: shuffled StratifiedKFold with k folds. A float in (0, 1):
        holdout blending, that fraction of each layer's rows held out
        (stratified) for the next layer. A splitter: its splits.
    n_repeats : int, default=1
        Repeated k-fold: out-of-fold outputs are averaged over repeats, and
        every member keeps cv x n_repeats fold models.
    stack_method : {"auto", "predict_proba", "decision_function", "predict"}, \
            default="auto"
        What members feed forward. "auto" takes the first of predict_proba,
        decision_function and predict that the member has. For two classes
        the redundant first probability column is dropped.
    passthrough : bool, default=False
        Concatenate the original features to the input of every layer
        above the first and of the final estimator (skip connections). An
        ensemble selection final estimator, which weighs predictions, gets
        the last layer's predictions only.
    refit : bool, default=False
        Also refit every member on all rows and predict with that model
        (scikit-learn's algorithm, one more fit per member).
    n_jobs : int, default=None
        Fits running at once; all (member, repeat, fold) fits of a layer
        form one batch. Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds and seeds members whose own random_state is None.
    verbose : int, default=0
        When > 0, report progress on stderr.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    estimators_ : list of lists of FoldBaggedMember
        Per layer, per member, the fitted member; its ``estimators_`` are
        its fold models.
    named_estimators_ : Bunch
        The fitted members by name.
    final_estimator_ : estimator
        The fitted final estimator.
    oof_scores_ : dict
        Out-of-fold accuracy of every member, by name: a leaderboard.
    stack_methods_ : list of lists of str
        The method each member feeds forward.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when X had string column names.

    See Also
    --------
    StackingRegressor : The regression counterpart.
    EnsembleSelectionClassifier : A final estimator that selects a blend.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import StackingClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> stack = StackingClassifier(
    ...     [("tree", DecisionTreeClassifier(max_depth=3)), ("nb", GaussianNB())],
    ...     n_repeats=2, random_state=0,
    ... ).fit(X, y)
    >>> stack.predict_proba(X[:1]).shape
    (1, 3)
    >>> len(stack.named_estimators_["nb"].estimators_)
    10
    """

    _parameter_constraints: dict = {
        **_BaseStacking._parameter_constraints,
        "stack_method": [
            StrOptions({"auto", "predict_proba", "decision_function", "predict"})
        ],
    }

    def __init__(
        self,
        estimators,
        final_estimator=None,
        *,
        cv=5,
        n_repeats=1,
        stack_method="auto",
        passthrough=False,
        refit=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.cv = cv
        self.n_repeats = n_repeats
        self.stack_method = stack_method
        self.passthrough = passthrough
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _encode_y(self, y):
        self.classes_, encoded = encode_classes(y)
        return encoded

    def _stack_method(self, name, estimator):
        if self.stack_method == "auto":
            for method in ("predict_proba", "decision_function", "predict"):
                if hasattr(estimator, method):
                    return method
        if not hasattr(estimator, self.stack_method):
            raise ValueError(
                f"Member {name!r} ({type(estimator).__name__}) has no "
                f"{self.stack_method}; choose another stack_method."
            )
        return self.stack_method

    def _default_final_estimator(self):
        return LogisticRegression()

    def _oof_score(self, y, columns, method, sample_weight, estimator):
        predicted = predicted_classes(columns, method, len(self.classes_), estimator)
        return accuracy_score(y, predicted, sample_weight=sample_weight)

    def predict(self, X):
        """Predict classes with the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        features = self._transform(X)
        predicted = self.final_estimator_.predict(features)
        return self.classes_.take(np.asarray(predicted, dtype=np.intp))

    @available_if(final_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Predict class probabilities with the final estimator.

        Available when the final estimator has ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        features = self._transform(X)
        return self.final_estimator_.predict_proba(features)

    @available_if(final_estimator_has("decision_function"))
    def decision_function(self, X):
        """Compute the decision function of the final estimator.

        Available when the final estimator has ``decision_function``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The final estimator's decision function.
        """
        features = self._transform(X)
        return self.final_estimator_.decision_function(features)
