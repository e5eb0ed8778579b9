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
from sklearn.metrics import accuracy_score
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target

from ._base import encode_classes
from ._members import expand_proba
from ._routing import route_metadata, routing_enabled
from ._scale_safe import normalised_weights, r2_score
from ._sklearn_private import StrOptions
from ._stack_base import _BaseStacking, final_estimator_has
from ._stack_member import (
    FoldBaggedMember,  # noqa: F401  (pickles made before the split name it here)
    predicted_classes,
)


def _predict_params(stack, predict_params):
    """The parameters of the final estimator's ``predict``: all of them with
    routing disabled (``return_std=True``, say), those it requests
    otherwise, as scikit-learn's stacking does."""
    if not routing_enabled():
        return predict_params
    routed = route_metadata(stack, "predict", predict_params)
    return routed["final_estimator_"]["predict"]


__all__ = ["StackingClassifier", "StackingRegressor"]


# --------------------------------------------------------------------------
# Regressor
# --------------------------------------------------------------------------
class StackingRegressor(RegressorMixin, _BaseStacking):
    """Multi-layer k-fold stacking of regressors.

    Each layer's members are trained by k-fold cross-validation on the
    layer below: their out-of-fold predictions are the next layer's
    training input, so no layer learns from overfit in-sample predictions.
    With explicit members, each member is then refitted on all rows and
    predicts with that model, as in scikit-learn; with ``refit=False`` (the
    default line-up's) it predicts with the average of its k fold models
    instead (k-fold bagging, no extra fit). A flat list of (name,
    estimator) is one layer, as in :class:`sklearn.ensemble.StackingRegressor`;
    a list of such lists gives several layers; no ``estimators`` gives the
    default line-up, an AutoGluon-class stack in one line.

    Parameters
    ----------
    estimators : list of (str, estimator), list of lists of them, or None, \
            default=None
        The members: one layer, or one list per layer. Names are unique
        across layers; a member can be set to "drop". None: the default
        line-up, chosen at fit from the data (rows, column types) and
        listed in the README: LightGBM (default, extra-trees, large
        leaves), HistGradientBoosting, RandomForest and ExtraTrees, two
        scaled k-NN and a linear model, then a second layer of LightGBM,
        ExtraTrees and a linear model over the first layer's
        predictions, ensemble selection on top (over both layers from
        1000 training rows, over the second below). It
        encodes and imputes a mixed data frame per member as each needs.
        The settings below marked "auto" (and ``cv=None``) then take its
        values.
    final_estimator : estimator, default=None
        Trained on the last layer's out-of-fold predictions (every layer's
        with ``final_input="all_layers"``). None means
        :class:`~sklearn.linear_model.RidgeCV`, and
        :class:`EnsembleSelectionRegressor` for the default line-up.
    cv : int, float, CV splitter, "prefit" or None, default=None
        None: 5 folds (8 for the default line-up). An int k: KFold with k
        folds, as scikit-learn's: unshuffled with ``random_state=None``
        (the same folds, so the same predictions, on every fit), shuffled
        by ``random_state`` otherwise. A float in
        (0, 1): holdout blending, that fraction of each layer's rows held
        out for the next layer. A splitter: its splits (each row in at most
        one test fold). "prefit": the members are already fitted and used
        as given, never fitted again; the final estimator learns from their
        predictions on X. A :class:`~sklearn.frozen.FrozenEstimator`
        member is used so with any cv.
    n_repeats : int or "auto", default="auto"
        Repeated k-fold: out-of-fold predictions are averaged over repeats,
        and every member is fitted cv x n_repeats times (the fold models it
        keeps with ``refit=False``; a member fitted out of bag, once).
        "auto": 1; for the default line-up with an int cv 3 below 1000
        rows, 2 below 5000, 1 from there.
    passthrough : bool, default=False
        Concatenate the original features to the input of every layer
        above the first and of the final estimator (skip connections). An
        ensemble selection final estimator, which weighs predictions, gets
        the members' predictions only; the default line-up's text columns
        are passed as ordinal codes. The default line-up's second layer
        does better without X: beside the first layer's out-of-fold
        predictions, X lets a member learn how each prediction moved when
        its own row was left out, a leak its out-of-fold score rewards and
        new data does not (benchmarks/RESULTS.md).
    final_input : {"auto", "last_layer", "all_layers"}, default="auto"
        What the final estimator learns from: the last layer's out-of-fold
        outputs, or every layer's (AutoGluon's ensemble selection picks
        from all its models). "auto": "last_layer"; for the default
        line-up "all_layers" from 1000 training rows (below, the more
        candidates the selection has, the likelier one of them scores well
        out of fold by chance).
    oof_from_oob : bool or "auto", default="auto"
        Members that predict out of bag (RandomForest, ExtraTrees or a
        bagging ensemble with ``bootstrap=True``, or a pipeline ending in
        one) are fitted once on all rows and give their out-of-bag
        predictions as their out-of-fold ones, instead of k fold fits
        (AutoGluon's ``use_child_oof``): about k times cheaper. An
        approximation: each row is predicted by the ~37% of the trees that
        did not draw it rather than by a model that never saw it, and the
        next layer learns from those; RESULTS.md has its measured effect.
        "auto": False; True for the default line-up.
    time_limit : float or None, default=None
        Seconds for the whole fit. Members are fitted in their order (the
        default line-up's is by value per second), each repeat after every
        member's first, and a member or repeat predicted to overrun its
        layer's share of the budget is skipped; a layer above the first is
        left out when nothing of it fits. The stack is always valid: every
        fitted layer keeps its first member. ``verbose=1`` says what was
        fitted and why the rest was skipped; :meth:`leaderboard` lists it.
        A single fit cannot be interrupted, so the limit is kept to within
        about one member's fits.
    refit : bool or "auto", default="auto"
        Refit every member on all rows and predict with that model
        (scikit-learn's algorithm, one more fit per member). False: predict
        with the average of the member's fold models (k-fold bagging, as
        AutoGluon does), which saves the refit; on the benchmarks its
        held-out scores tie with the refit stack's with explicit members
        and beat it with the default line-up. It keeps the
        cv x n_repeats fold models, though: a k-NN, SVC or other
        instance-based member then holds that many copies of its training
        rows. "auto": True; False for the default line-up. A member that
        stops early (LightGBM with ``early_stopping_round``,
        HistGradientBoosting with ``early_stopping=True``) stops each fold
        fit on that fold's held-out rows; its refit runs the mean rounds of
        its folds. A round chosen on those rows fits their noise, so a
        LightGBM fold model predicts with the mean rounds of the other
        folds of its repeat instead: cut to them, or grown to them from
        the trees it grew past its best round (a new fit when those are
        too few).
        HistGradientBoosting and our boosting predict with their own, so
        their out-of-fold scores lean slightly optimistic (as AutoGluon's
        do).
    keep_fold_models : bool or "auto", default="auto"
        Whether every member keeps its fold models once fitted
        (``members_[i].estimators_``). "auto": only when they predict, with
        ``refit=False``; with ``refit=True`` a member keeps only its refit
        model, as scikit-learn's stack does, so a k-NN or SVC member costs
        one copy of its training rows, not cv x n_repeats more, in memory
        and in a pickle. True: keep them with refit too, to inspect them.
        False: never; an error with ``refit=False``. It changes nothing
        else: the out-of-fold predictions, ``oof_scores_`` and
        ``fit_transform`` are computed during fit, and the predictions are
        the same.
    n_jobs : int, default=None
        Fits running at once; all (member, repeat, fold) fits of a layer
        form one batch (with ``time_limit``, one batch per member and
        repeat). Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds and seeds the members and the final estimator
        whose own random_state is None. None: an int cv is not shuffled
        and the members' random_state are left as they are (as in
        scikit-learn); repeats and holdout blending are shuffled
        differently on every fit.
    verbose : int, default=0
        0: silent. 1: a progress bar of the fits, one per layer on stderr when it is a
        terminal (or in a notebook), nothing otherwise. 2 or more: the bar
        wherever stderr goes (a log file, a pipe).

    Attributes
    ----------
    estimators_ : list of estimators, or list of such lists
        The fitted members, without those set to "drop", as
        :class:`sklearn.ensemble.StackingRegressor` has them: a flat list
        for one layer, one list per layer for several. With ``refit=True``
        each is the member refitted on all rows (``estimators_[0].coef_``
        as in scikit-learn); with ``refit=False`` the
        :class:`FoldBaggedMember` that averages its fold models (its
        ``estimators_``); a prefit member (``cv="prefit"`` or a
        :class:`~sklearn.frozen.FrozenEstimator`) as given.
    members_ : list of FoldBaggedMember, or list of such lists
        Shaped as ``estimators_``: every member's refit model
        (``members_[i].refit_estimator_``, None with ``refit=False``) and
        fold models (``members_[i].estimators_``, an empty list when they
        are not kept: by default with ``refit=True``, see
        ``keep_fold_models``).
    named_estimators_ : Bunch
        The entries of ``estimators_`` by name, across layers; a member set
        to "drop" maps to "drop".
    final_estimator_ : estimator
        The fitted final estimator.
    oof_scores_ : dict
        Out-of-fold R² of every member, by name; :meth:`leaderboard` gives
        them as a table with fit times and blend weights.
    stack_method_ : list of str, or list of such lists
        Shaped as ``estimators_``: the method each member feeds forward ("predict").
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
    >>> stack.estimators_[0][0].get_depth()  # the tree refitted on all rows
    4
    >>> stack.members_[0][0].estimators_  # its fold models: not kept by default
    []

    With no members given, the default line-up (within a time budget):

    >>> auto = StackingRegressor(time_limit=10, random_state=0).fit(X, y)
    >>> auto.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        estimators=None,
        final_estimator=None,
        *,
        cv=None,
        n_repeats="auto",
        passthrough=False,
        final_input="auto",
        oof_from_oob="auto",
        time_limit=None,
        refit="auto",
        keep_fold_models="auto",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.cv = cv
        self.n_repeats = n_repeats
        self.passthrough = passthrough
        self.final_input = final_input
        self.oof_from_oob = oof_from_oob
        self.time_limit = time_limit
        self.refit = refit
        self.keep_fold_models = keep_fold_models
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

    def predict(self, X, **predict_params):
        """Predict with the final estimator on :meth:`transform`'s features.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        **predict_params : dict
            Parameters of the final estimator's ``predict``, such as
            ``return_std=True`` for a GaussianProcessRegressor or
            BayesianRidge (the uncertainty of the final estimator only).
            With metadata routing enabled, routed to it when it requests
            them.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or tuple of ndarray
            Predicted target values, or what the final estimator's
            ``predict`` returns with ``predict_params``.
        """
        params = _predict_params(self, predict_params)
        features = self._transform(X)
        return self.final_estimator_.predict(features, **params)


# --------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------
class StackingClassifier(ClassifierMixin, _BaseStacking):
    """Multi-layer k-fold stacking of classifiers.

    Each layer's members are trained by (stratified) k-fold cross-validation
    on the layer below: their out-of-fold outputs (probabilities by default)
    are the next layer's training input. With explicit members, each member
    is then refitted on all rows and predicts with that model, as in
    scikit-learn; with ``refit=False`` (the default line-up's) it predicts
    with the average of its k fold models instead (k-fold bagging, no extra
    fit). A flat list of (name, estimator) is one layer, as in
    :class:`sklearn.ensemble.StackingClassifier`; a list of such lists gives
    several layers; no ``estimators`` gives the default line-up, an
    AutoGluon-class stack in one line.

    Parameters
    ----------
    estimators : list of (str, estimator), list of lists of them, or None, \
            default=None
        The members: one layer, or one list per layer. Names are unique
        across layers; a member can be set to "drop". None: the default
        line-up, chosen at fit from the data (rows, column types) and
        listed in the README: LightGBM (default, extra-trees, large
        leaves), HistGradientBoosting, RandomForest and ExtraTrees, two
        scaled k-NN and a linear model, then a second layer of LightGBM,
        ExtraTrees and a linear model over the first layer's
        predictions, ensemble selection on top (over both layers from
        1000 training rows, over the second below). It
        encodes and imputes a mixed data frame per member as each needs.
        The settings below marked "auto" (and ``cv=None``) then take its
        values.
    final_estimator : estimator, default=None
        Trained on the last layer's out-of-fold outputs (every layer's with
        ``final_input="all_layers"``). None means
        :class:`~sklearn.linear_model.LogisticRegression`, and
        :class:`EnsembleSelectionClassifier` (log-loss) for the default
        line-up.
    cv : int, float, CV splitter, "prefit" or None, default=None
        None: 5 folds (8 for the default line-up). An int k:
        StratifiedKFold with k folds (KFold for a multilabel target), as
        scikit-learn's: unshuffled with ``random_state=None`` (the same
        folds, so the same predictions, on every fit), shuffled by
        ``random_state`` otherwise. A float in (0, 1): holdout blending,
        that fraction of each layer's rows held out (stratified) for the
        next layer. A splitter: its splits. "prefit": the members are
        already fitted and used as given, never fitted again; the final
        estimator learns from their outputs on X. A
        :class:`~sklearn.frozen.FrozenEstimator` member is used so with any
        cv.
    n_repeats : int or "auto", default="auto"
        Repeated k-fold: out-of-fold outputs are averaged over repeats, and
        every member is fitted cv x n_repeats times (the fold models it
        keeps with ``refit=False``; a member fitted out of bag, once).
        "auto": 1; for the default line-up with an int cv 3 below 1000
        rows, 2 below 5000, 1 from there.
    stack_method : {"auto", "predict_proba", "decision_function", "predict"}, \
            default="auto"
        What members feed forward. "auto" takes the first of predict_proba,
        decision_function and predict that the member has. For two classes
        the redundant first probability column is dropped.
    passthrough : bool, default=False
        Concatenate the original features to the input of every layer
        above the first and of the final estimator (skip connections). An
        ensemble selection final estimator, which weighs predictions, gets
        the members' predictions only; the default line-up's text columns
        are passed as ordinal codes. The default line-up's second layer
        does better without X: beside the first layer's out-of-fold
        predictions, X lets a member learn how each prediction moved when
        its own row was left out, a leak its out-of-fold score rewards and
        new data does not (benchmarks/RESULTS.md).
    final_input : {"auto", "last_layer", "all_layers"}, default="auto"
        What the final estimator learns from: the last layer's out-of-fold
        outputs, or every layer's (AutoGluon's ensemble selection picks
        from all its models). "auto": "last_layer"; for the default
        line-up "all_layers" from 1000 training rows (below, the more
        candidates the selection has, the likelier one of them scores well
        out of fold by chance).
    oof_from_oob : bool or "auto", default="auto"
        Members that predict out of bag (RandomForest, ExtraTrees or a
        bagging ensemble with ``bootstrap=True``, or a pipeline ending in
        one) are fitted once on all rows and give their out-of-bag
        predictions as their out-of-fold ones, instead of k fold fits
        (AutoGluon's ``use_child_oof``): about k times cheaper. An
        approximation: each row is predicted by the ~37% of the trees that
        did not draw it rather than by a model that never saw it, and the
        next layer learns from those; RESULTS.md has its measured effect.
        "auto": False; True for the default line-up.
    time_limit : float or None, default=None
        Seconds for the whole fit. Members are fitted in their order (the
        default line-up's is by value per second), each repeat after every
        member's first, and a member or repeat predicted to overrun its
        layer's share of the budget is skipped; a layer above the first is
        left out when nothing of it fits. The stack is always valid: every
        fitted layer keeps its first member. ``verbose=1`` says what was
        fitted and why the rest was skipped; :meth:`leaderboard` lists it.
        A single fit cannot be interrupted, so the limit is kept to within
        about one member's fits.
    refit : bool or "auto", default="auto"
        Refit every member on all rows and predict with that model
        (scikit-learn's algorithm, one more fit per member). False: predict
        with the average of the member's fold models (k-fold bagging, as
        AutoGluon does), which saves the refit; on the benchmarks its
        held-out scores tie with the refit stack's with explicit members
        and beat it with the default line-up. It keeps the
        cv x n_repeats fold models, though: a k-NN, SVC or other
        instance-based member then holds that many copies of its training
        rows. "auto": True; False for the default line-up. A member that
        stops early (LightGBM with ``early_stopping_round``,
        HistGradientBoosting with ``early_stopping=True``) stops each fold
        fit on that fold's held-out rows; its refit runs the mean rounds of
        its folds. A round chosen on those rows fits their noise, so a
        LightGBM fold model predicts with the mean rounds of the other
        folds of its repeat instead: cut to them, or grown to them from
        the trees it grew past its best round (a new fit when those are
        too few).
        HistGradientBoosting and our boosting predict with their own, so
        their out-of-fold scores lean slightly optimistic (as AutoGluon's
        do).
    keep_fold_models : bool or "auto", default="auto"
        Whether every member keeps its fold models once fitted
        (``members_[i].estimators_``). "auto": only when they predict, with
        ``refit=False``; with ``refit=True`` a member keeps only its refit
        model, as scikit-learn's stack does, so a k-NN or SVC member costs
        one copy of its training rows, not cv x n_repeats more, in memory
        and in a pickle. True: keep them with refit too, to inspect them.
        False: never; an error with ``refit=False``. It changes nothing
        else: the out-of-fold predictions, ``oof_scores_`` and
        ``fit_transform`` are computed during fit, and the predictions are
        the same.
    n_jobs : int, default=None
        Fits running at once; all (member, repeat, fold) fits of a layer
        form one batch (with ``time_limit``, one batch per member and
        repeat). Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds and seeds the members and the final estimator
        whose own random_state is None. None: an int cv is not shuffled
        and the members' random_state are left as they are (as in
        scikit-learn); repeats and holdout blending are shuffled
        differently on every fit.
    verbose : int, default=0
        0: silent. 1: a progress bar of the fits, one per layer on stderr when it is a
        terminal (or in a notebook), nothing otherwise. 2 or more: the bar
        wherever stderr goes (a log file, a pipe).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        The class labels; for a multilabel target, those of each label.
    estimators_ : list of estimators, or list of such lists
        The fitted members, without those set to "drop", as
        :class:`sklearn.ensemble.StackingClassifier` has them: a flat list
        for one layer, one list per layer for several. With ``refit=True``
        each is the member refitted on all rows (``estimators_[0].coef_``
        as in scikit-learn); with ``refit=False`` the
        :class:`FoldBaggedMember` that averages its fold models (its
        ``estimators_``); a prefit member (``cv="prefit"`` or a
        :class:`~sklearn.frozen.FrozenEstimator`) as given.
    members_ : list of FoldBaggedMember, or list of such lists
        Shaped as ``estimators_``: every member's refit model
        (``members_[i].refit_estimator_``, None with ``refit=False``) and
        fold models (``members_[i].estimators_``, an empty list when they
        are not kept: by default with ``refit=True``, see
        ``keep_fold_models``).
    named_estimators_ : Bunch
        The entries of ``estimators_`` by name, across layers; a member set
        to "drop" maps to "drop".
    final_estimator_ : estimator
        The fitted final estimator.
    oof_scores_ : dict
        Out-of-fold accuracy of every member, by name; :meth:`leaderboard`
        gives them as a table with fit times and blend weights.
    stack_method_ : list of str, or list of such lists
        Shaped as ``estimators_``: the method each member feeds forward.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
    ...     n_repeats=2, keep_fold_models=True, random_state=0,
    ... ).fit(X, y)
    >>> stack.predict_proba(X[:1]).shape
    (1, 3)
    >>> len(stack.members_[1].estimators_)  # the naive Bayes' fold models, kept
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
        estimators=None,
        final_estimator=None,
        *,
        cv=None,
        n_repeats="auto",
        stack_method="auto",
        passthrough=False,
        final_input="auto",
        oof_from_oob="auto",
        time_limit=None,
        refit="auto",
        keep_fold_models="auto",
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
        self.final_input = final_input
        self.oof_from_oob = oof_from_oob
        self.time_limit = time_limit
        self.refit = refit
        self.keep_fold_models = keep_fold_models
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _encode_y(self, y):
        if y.ndim == 2 and y.shape[1] > 1:
            if type_of_target(y) != "multilabel-indicator":
                raise ValueError(
                    "StackingClassifier takes a 1-D target or a multilabel "
                    "indicator matrix; got a multiclass-multioutput target."
                )
            # Per label, its classes and the column as their indices.
            encoded = [encode_classes(column) for column in np.asarray(y).T]
            self.classes_ = [classes for classes, _ in encoded]
            return np.column_stack([column for _, column in encoded])
        self.classes_, encoded = encode_classes(column_or_1d(y, warn=True))
        return encoded

    def _multilabel(self):
        return isinstance(self.classes_, list)

    def _stack_method(self, name, estimator):
        if self.stack_method == "auto":
            for method in ("predict_proba", "decision_function", "predict"):
                if hasattr(estimator, method):
                    return method
        if not hasattr(estimator, self.stack_method):
            raise ValueError(
                f"Underlying estimator {name!r} ({type(estimator).__name__}) does "
                f"not implement the method {self.stack_method}; choose another "
                "stack_method."
            )
        return self.stack_method

    def _default_final_estimator(self):
        return LogisticRegression()

    def _oof_score(self, y, columns, method, sample_weight, estimator):
        multilabel = self._multilabel()
        n_classes = None if multilabel else len(self.classes_)
        predicted = predicted_classes(columns, method, n_classes, estimator, multilabel)
        return accuracy_score(
            y, predicted, sample_weight=normalised_weights(sample_weight)
        )

    def predict(self, X, **predict_params):
        """Predict classes with the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        **predict_params : dict
            Parameters of the final estimator's ``predict``; with metadata
            routing enabled, routed to it when it requests them.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted class labels (per label for a multilabel target).
        """
        params = _predict_params(self, predict_params)
        features = self._transform(X)
        predicted = np.asarray(self.final_estimator_.predict(features, **params))
        if self._multilabel():
            return np.column_stack(
                [
                    classes.take(predicted[:, k].astype(np.intp))
                    for k, classes in enumerate(self.classes_)
                ]
            )
        return self.classes_.take(predicted.astype(np.intp))

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
        proba : ndarray of shape (n_samples, n_classes) or (n_samples, n_labels)
            Class probabilities, columns in the order of ``classes_``; for a
            multilabel target, the probability of each label (of its second
            class, 1).
        """
        features = self._transform(X)
        proba = self.final_estimator_.predict_proba(features)
        if self._multilabel() and isinstance(proba, list):
            # One (n_samples, n_classes of the label) array per label.
            classes = self.final_estimator_.classes_
            return np.column_stack(
                [expand_proba(p, c, 2)[:, 1] for p, c in zip(proba, classes)]
            )
        return proba

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
