"""Bootstrap bagging: BaggingRegressor and BaggingClassifier.

This module owns the public classes and combining their members'
predictions: mean and spread for the regressor, soft and hard votes for
the classifier, and the out-of-bag scores. Drawing each member's bag and
fitting the members is :mod:`ensembles._bags`' job.
"""

from warnings import warn

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if

from ._bags import _BaseBagging
from ._base import ProbaClassifierMixin, encode_classes
from ._members import expand_proba
from ._scale_safe import r2_score
from ._sklearn_private import StrOptions

__all__ = ["BaggingClassifier", "BaggingRegressor"]


# --------------------------------------------------------------------------
# Regressor
# --------------------------------------------------------------------------
class BaggingRegressor(RegressorMixin, _BaseBagging):
    """A bagging regressor: base regressors fitted on bootstrap samples, averaged.

    The prediction is the mean of base regressors, each fitted on a
    bootstrap sample of the training set.

    A drop-in replacement for :class:`sklearn.ensemble.BaggingRegressor`
    (same parameters, defaults, fitted attributes and, for a given
    ``random_state``, the same members), whose members are fitted and
    queried in parallel threads, and whose ``predict`` can also return the
    spread of the members' predictions.

    Bagging mainly reduces variance: it helps most with unstable learners
    such as deep trees.

    Parameters
    ----------
    estimator : object, default=None
        The base regressor, cloned for each member. None means a
        :class:`~sklearn.tree.DecisionTreeRegressor`.
    n_estimators : int, default=10
        Number of members.
    max_samples : int or float, default=None
        Rows drawn per member: None means n_samples, an int that many, a
        float that fraction of n_samples (of the sum of sample weights when
        given).
    max_features : int or float, default=1.0
        Features drawn per member: an int that many, a float that fraction.
    bootstrap : bool, default=True
        Draw rows with replacement. A member whose ``fit`` takes
        ``sample_weight`` receives the draw as integer weights instead of
        copied rows; with metadata routing enabled, a member that requests
        ``sample_weight`` does (``set_fit_request(sample_weight=False)``
        makes it copied rows), as in scikit-learn's bagging.
    bootstrap_features : bool, default=False
        Draw features with replacement.
    oob_score : bool, default=False
        Estimate the generalisation score on the out-of-bag rows.
    warm_start : bool, default=False
        Keep the members of the previous fit and add new ones.
    n_jobs : int, default=None
        Members fitted and queried at once. None means 1 unless in a
        :func:`joblib.parallel_config` context; -1 means all processors.
        Members run in threads unless the caller picks another joblib
        backend.
    random_state : int, RandomState instance or None, default=None
        Controls the bags and the members' own randomness.
    verbose : int, default=0
        0: silent. 1: a progress bar of the members' fits on stderr when it is a
        terminal (or in a notebook), nothing otherwise. 2 or more: the bar
        wherever stderr goes (a log file, a pipe).

    Attributes
    ----------
    estimator_ : estimator
        The base estimator the members were cloned from.
    estimators_ : list of estimators
        The fitted members.
    estimators_features_ : list of ndarray
        The features each member was trained on.
    estimators_samples_ : list of ndarray
        The rows drawn into each member's bag.
    oob_score_ : float
        R² of the out-of-bag predictions (with ``oob_score=True``).
    oob_prediction_ : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Out-of-bag prediction of each training row; NaN for a row that was
        in every bag.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X had string column names.

    See Also
    --------
    BaggingClassifier : The classification counterpart.

    References
    ----------
    L. Breiman, "Bagging predictors", Machine Learning, 24(2), 123-140, 1996.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from ensembles import BaggingRegressor
    >>> X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    >>> model = BaggingRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> mean, std = model.predict(X[:2], return_std=True)
    >>> mean.shape, std.shape
    ((2,), (2,))
    """

    _member_kind = "regressor"
    _routed_methods = ("fit", "predict")

    def _default_estimator(self):
        return DecisionTreeRegressor()

    def _validate_y(self, y):
        if y.ndim == 1 or y.shape[1] == 1:
            return column_or_1d(y, warn=True)
        return y

    def predict(self, X, *, return_std=False, **params):
        """Predict targets as the mean of the members' predictions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        return_std : bool, default=False
            Also return the standard deviation of the members' predictions
            for each sample (ddof=0): a cheap uncertainty estimate.
        **params : dict
            Metadata routed to the members' ``predict``. Only with metadata
            routing enabled (``sklearn.set_config(enable_metadata_routing=True)``);
            see scikit-learn's Metadata Routing User Guide.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Mean prediction.
        y_std : ndarray of the same shape
            Standard deviation of the members' predictions; only with
            ``return_std=True``.
        """
        member_params = self._member_params("predict", params)
        X = self._validate_X_predict(X)
        total, spread = _mean_and_spread(
            self._member_predictions(X, "predict", params=member_params),
            with_spread=return_std,
        )
        self._check_combined(total, X, "predict", params=member_params)
        n_members = len(self.estimators_)
        mean = total / n_members
        if return_std:
            return mean, np.sqrt(spread / n_members)
        return mean

    def _set_oob_score(self, X, y):
        oob_rows = self._oob_rows()
        total = np.zeros(y.shape, dtype=np.float64)
        counts = np.zeros(y.shape[0])
        predictions = self._member_predictions(X, "predict", oob_rows)
        for rows, prediction in zip(oob_rows, predictions):
            total[rows] += prediction
            counts[rows] += 1
        self._check_combined(total, X, "predict", oob_rows)
        covered = _warn_if_uncovered(counts)
        with np.errstate(invalid="ignore", divide="ignore"):
            oob = total / (counts if total.ndim == 1 else counts[:, None])
        self.oob_prediction_ = oob
        self.oob_score_ = r2_score(y[covered], oob[covered])


def _mean_and_spread(predictions, with_spread):
    """Sum of ``predictions`` in order and, optionally, the sum of squared
    deviations from their mean (Welford's update: stable, O(n_samples) memory).
    """
    total = spread = mean = None
    for k, prediction in enumerate(predictions, start=1):
        prediction = np.asarray(prediction, dtype=np.float64)
        if total is None:
            total = prediction.copy()
            if with_spread:
                mean = prediction.copy()
                spread = np.zeros_like(prediction)
            continue
        total += prediction
        if with_spread:
            delta = prediction - mean
            mean += delta / k
            spread += delta * (prediction - mean)
    return total, spread


def _warn_if_uncovered(counts):
    covered = counts > 0
    if not covered.all():
        warn(
            "Some inputs do not have OOB scores. This probably means too few "
            "estimators were used to compute any reliable oob estimates.",
            UserWarning,
        )
    return covered


# --------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------
def _members_have(method):
    def check(ensemble):
        if hasattr(ensemble, "estimators_"):
            return all(hasattr(member, method) for member in ensemble.estimators_)
        return hasattr(ensemble._get_estimator(), method)

    return check


class BaggingClassifier(ProbaClassifierMixin, ClassifierMixin, _BaseBagging):
    """A bagging classifier: base classifiers fitted on bootstrap samples, combined.

    The members, each fitted on a bootstrap sample of the training set, are
    combined by averaging their probabilities (soft voting) or by majority
    vote (hard voting).

    A drop-in replacement for :class:`sklearn.ensemble.BaggingClassifier`
    (same parameters, defaults, fitted attributes and, for a given
    ``random_state``, the same members), whose members are fitted and
    queried in parallel threads.

    Parameters
    ----------
    estimator : object, default=None
        The base classifier, cloned for each member. None means a
        :class:`~sklearn.tree.DecisionTreeClassifier`.
    n_estimators : int, default=10
        Number of members.
    max_samples : int or float, default=None
        Rows drawn per member: None means n_samples, an int that many, a
        float that fraction of n_samples (of the sum of sample weights when
        given).
    max_features : int or float, default=1.0
        Features drawn per member: an int that many, a float that fraction.
    bootstrap : bool, default=True
        Draw rows with replacement. A member whose ``fit`` takes
        ``sample_weight`` receives the draw as integer weights instead of
        copied rows; with metadata routing enabled, a member that requests
        ``sample_weight`` does (``set_fit_request(sample_weight=False)``
        makes it copied rows), as in scikit-learn's bagging.
    bootstrap_features : bool, default=False
        Draw features with replacement.
    oob_score : bool, default=False
        Estimate the generalisation accuracy on the out-of-bag rows.
    warm_start : bool, default=False
        Keep the members of the previous fit and add new ones.
    n_jobs : int, default=None
        Members fitted and queried at once. None means 1 unless in a
        :func:`joblib.parallel_config` context; -1 means all processors.
        Members run in threads unless the caller picks another joblib
        backend.
    random_state : int, RandomState instance or None, default=None
        Controls the bags and the members' own randomness.
    verbose : int, default=0
        0: silent. 1: a progress bar of the members' fits on stderr when it is a
        terminal (or in a notebook), nothing otherwise. 2 or more: the bar
        wherever stderr goes (a log file, a pipe).
    voting : {"soft", "hard"}, default="soft"
        "soft" averages the members' ``predict_proba`` (members without it
        vote); "hard" takes the majority of the members' ``predict``, and
        ``predict_proba`` then returns the share of votes.

    Attributes
    ----------
    estimator_ : estimator
        The base estimator the members were cloned from.
    estimators_ : list of estimators
        The fitted members.
    estimators_features_ : list of ndarray
        The features each member was trained on.
    estimators_samples_ : list of ndarray
        The rows drawn into each member's bag.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    oob_score_ : float
        Accuracy of the out-of-bag predictions (with ``oob_score=True``).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities of each training row; NaN for a row
        that was in every bag.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X had string column names.

    See Also
    --------
    BaggingRegressor : The regression counterpart.

    References
    ----------
    L. Breiman, "Bagging predictors", Machine Learning, 24(2), 123-140, 1996.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from ensembles import BaggingClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = BaggingClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> model.predict(X[:3])
    array([0, 0, 0])
    """

    _parameter_constraints: dict = {
        **_BaseBagging._parameter_constraints,
        "voting": [StrOptions({"soft", "hard"})],
    }

    def __init__(
        self,
        estimator=None,
        n_estimators=10,
        *,
        max_samples=None,
        max_features=1.0,
        bootstrap=True,
        bootstrap_features=False,
        oob_score=False,
        warm_start=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        voting="soft",
    ):
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            max_samples=max_samples,
            max_features=max_features,
            bootstrap=bootstrap,
            bootstrap_features=bootstrap_features,
            oob_score=oob_score,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.voting = voting

    _member_kind = "classifier"
    _routed_methods = (
        "fit",
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
    )

    def _default_estimator(self):
        return DecisionTreeClassifier()

    def _member_method(self, caller):
        # As scikit-learn's bagging: the members' probabilities when they
        # have them (and soft voting is asked for), else their votes.
        estimator = self._get_estimator()
        soft = self.voting == "soft" and hasattr(estimator, "predict_proba")
        if caller in ("predict", "predict_proba"):
            return "predict_proba" if soft else "predict"
        if caller == "predict_log_proba":
            if not soft:
                return "predict"
            if hasattr(estimator, "predict_log_proba"):
                return "predict_log_proba"
            return "predict_proba"
        return caller

    def _validate_y(self, y):
        self.classes_, y = encode_classes(column_or_1d(y, warn=True), ensemble=self)
        self.n_classes_ = len(self.classes_)
        return y

    def _vote_method(self):
        """The member method the ensemble combines: predict_proba or predict."""
        if self.voting == "soft" and all(
            hasattr(member, "predict_proba") for member in self.estimators_
        ):
            return "predict_proba"
        return "predict"

    def _class_scores(self, X, rows_per_member=None, params=None):
        """Yield each member's contribution as an (n_rows, n_classes) array;
        ``params`` are routed to the members' method."""
        method = self._vote_method()
        predictions = self._member_predictions(X, method, rows_per_member, params)
        for i, (member, prediction) in enumerate(zip(self.estimators_, predictions)):
            n_rows = prediction.shape[0]
            if method == "predict_proba":
                scores = expand_proba(prediction, member.classes_, self.n_classes_)
            else:
                scores = np.zeros((n_rows, self.n_classes_))
                scores[np.arange(n_rows), self._vote_codes(i, prediction)] = 1.0
            yield scores

    def _vote_codes(self, i, prediction):
        """Member ``i``'s hard votes as class indices. Members are fit on the
        indices 0..n_classes-1, so anything else is an error, not a vote."""
        prediction = np.asarray(prediction)
        with np.errstate(invalid="ignore"):
            codes = prediction.astype(np.intp)
        bad = (codes != prediction) | (codes < 0) | (codes >= self.n_classes_)
        if prediction.ndim != 1 or np.any(bad):
            example = (
                f"{prediction[bad][0].item()!r}"
                if np.any(bad)
                else f"an array of shape {prediction.shape}"
            )
            raise ValueError(
                f"Member {i} predicted values that are not class labels (for "
                f"example {example}); BaggingClassifier needs a classifier as "
                "its estimator."
            )
        return codes

    def predict(self, X, **params):
        """Predict the class with the highest :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        **params : dict
            Metadata routed to the members' ``predict_proba`` (soft voting)
            or ``predict`` (hard voting, or members without
            ``predict_proba``). Only with metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``); see
            scikit-learn's Metadata Routing User Guide.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted class label of each sample.
        """
        member_params = self._member_params("predict", params)
        proba = self._proba(self._validate_X_predict(X), member_params)
        return self.classes_.take(np.argmax(proba, axis=1), axis=0)

    def predict_proba(self, X, **params):
        """Predict class probabilities from the members' probabilities or votes.

        The mean of the members' probabilities (soft voting) or the share of
        members voting for each class (hard voting).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        **params : dict
            Metadata routed to the members' ``predict_proba`` (soft voting)
            or ``predict`` (hard voting, or members without
            ``predict_proba``). Only with metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``); see
            scikit-learn's Metadata Routing User Guide.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        member_params = self._member_params("predict_proba", params)
        return self._proba(self._validate_X_predict(X), member_params)

    def _proba(self, X, member_params):
        total = None
        for scores in self._class_scores(X, params=member_params):
            total = scores if total is None else total + scores
        self._check_combined(total, X, self._vote_method(), params=member_params)
        return total / len(self.estimators_)

    def predict_log_proba(self, X, **params):
        """Logarithm of :meth:`predict_proba` (-inf where it is 0).

        With soft voting and members that have ``predict_log_proba``, the
        log of the mean of their probabilities is computed from their
        log-probabilities, as scikit-learn's bagging does.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        **params : dict
            Metadata routed to the members' ``predict_log_proba``, or to the
            method that stands in for it (``predict_proba``, then
            ``predict``). Only with metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``); see
            scikit-learn's Metadata Routing User Guide.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        member_params = self._member_params("predict_log_proba", params)
        X = self._validate_X_predict(X)
        if self._vote_method() == "predict_proba" and all(
            hasattr(member, "predict_log_proba") for member in self.estimators_
        ):
            outputs = self._member_predictions(
                X, "predict_log_proba", params=member_params
            )
            total = None
            for member, log_proba in zip(self.estimators_, outputs):
                log_proba = expand_proba(
                    log_proba, member.classes_, self.n_classes_, fill=-np.inf
                )
                # A member's NaN is the error below, not a warning here.
                with np.errstate(invalid="ignore"):
                    total = (
                        log_proba if total is None else np.logaddexp(total, log_proba)
                    )
            self._check_combined(
                total, X, "predict_log_proba", params=member_params, log_proba=True
            )
            return total - np.log(len(self.estimators_))
        with np.errstate(divide="ignore"):
            return np.log(self._proba(X, member_params))

    @available_if(_members_have("decision_function"))
    def decision_function(self, X, **params):
        """Mean of the members' decision functions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        **params : dict
            Metadata routed to the members' ``decision_function``. Only with
            metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``); see
            scikit-learn's Metadata Routing User Guide.

        Returns
        -------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The averaged scores; one column per class, except for binary
            problems (the positive class's score).
        """
        member_params = self._member_params("decision_function", params)
        X = self._validate_X_predict(X)
        n_samples = X.shape[0]
        shape = (n_samples,) if self.n_classes_ == 2 else (n_samples, self.n_classes_)

        def checked(outputs):
            # Scores of one shape are averaged, as scikit-learn's bagging
            # does (one column per class, or a shape of the members' own).
            # Members whose bags missed a class score fewer columns than
            # the others: that is an error, naming the odd member.
            first = None
            for i, output in enumerate(outputs):
                if first is None:
                    first = (i, np.shape(output))
                elif np.shape(output) != first[1]:
                    odd, odd_shape = (
                        (i, np.shape(output)) if np.shape(output) != shape else first
                    )
                    raise ValueError(
                        f"Member {odd}'s decision_function has shape "
                        f"{odd_shape}, not {shape}: its bag held rows of "
                        f"fewer than the {self.n_classes_} classes, and such "
                        "scores cannot be averaged. Use predict_proba, or larger "
                        "bags (max_samples)."
                    )
                yield output

        total, _ = _mean_and_spread(
            checked(
                self._member_predictions(X, "decision_function", params=member_params)
            ),
            with_spread=False,
        )
        self._check_combined(total, X, "decision_function", params=member_params)
        return total / len(self.estimators_)

    def _set_oob_score(self, X, y):
        oob_rows = self._oob_rows()
        total = np.zeros((y.shape[0], self.n_classes_))
        for rows, scores in zip(oob_rows, self._class_scores(X, oob_rows)):
            total[rows] += scores
        self._check_combined(total, X, self._vote_method(), oob_rows)
        covered = _warn_if_uncovered(total.sum(axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oob_decision_function_ = total / total.sum(axis=1, keepdims=True)
        self.oob_score_ = accuracy_score(y[covered], np.argmax(total[covered], axis=1))
