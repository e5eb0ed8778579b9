"""k-fold multi-layer stacking: StackingRegressor and StackingClassifier."""

from itertools import combinations
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    TransformerMixin,
    is_classifier,
)
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    check_cv,
)
from sklearn.pipeline import Pipeline
from sklearn.utils import Bunch, _safe_indexing, check_random_state, column_or_1d
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._base import (
    check_sample_weight,
    encode_classes,
    unfitted_on_error,
    validate_X,
    validate_X_y,
)
from ._members import (
    MemberFactory,
    draw_seeds,
    expand_proba,
    fit_member,
    frame_as_given,
    member_input,
    member_input_tags,
    one_column_per_pair,
    rows_as_weights,
)
from ._parallel import member_threads, parallel_map

__all__ = ["StackingClassifier", "StackingRegressor"]


# --------------------------------------------------------------------------
# A fitted member: cross-validation bagging of one estimator
# --------------------------------------------------------------------------
class FoldBaggedMember(BaseEstimator):
    """A stacking member after fitting: its fold models, and the model it
    predicts with.

    Each of the ``cv x n_repeats`` fold models was trained on the other
    folds and produced the out-of-fold predictions the next layer learnt
    from. Without refit, the member predicts with the average of its fold
    models (k-fold bagging: no extra fit); with refit, with
    ``refit_estimator_``, trained on all rows. Stacking builds these; they
    are not fitted on their own.

    Parameters
    ----------
    estimator : estimator
        The member as given to the stack.
    stack_method : str
        The method whose output feeds the next layer.
    name : str
        The member's name in the stack.

    Attributes
    ----------
    estimators_ : list of estimators
        The fold models, in (repeat, fold) order.
    refit_estimator_ : estimator or None
        The model refitted on all training rows (``refit=True``).
    stack_method_ : str
        The method whose output feeds the next layer.
    """

    def __init__(self, estimator=None, stack_method="predict", name=None):
        self.estimator = estimator
        self.stack_method = stack_method
        self.name = name

    def _set_fitted(self, estimators, refit_estimator, n_classes, n_columns):
        self.estimators_ = estimators
        self.refit_estimator_ = refit_estimator
        self.stack_method_ = self.stack_method
        self._n_classes = n_classes
        self._n_columns = n_columns
        return self

    def _predictors(self):
        if self.refit_estimator_ is not None:
            return [self.refit_estimator_]
        return self.estimators_

    def _average(self, method, X):
        total = None
        for model in self._predictors():
            output = _method_output(model, method, X, self._n_classes)
            total = output if total is None else total + output
        return total / len(self._predictors())

    def stack_output(self, X):
        """The columns this member feeds to the next layer."""
        output = self._average(self.stack_method_, X)
        return _stack_columns(output, self.stack_method_, self._n_classes)

    def predict(self, X):
        """The refit model's prediction, or the fold models' combined one:
        their mean for regressors; for classifiers the class index of the
        highest mean probability, or of the most votes when the fold models
        have no ``predict_proba``."""
        if self.refit_estimator_ is not None:
            return self.refit_estimator_.predict(X)
        if self._n_classes is None:
            return self._average("predict", X)
        proba = hasattr(self.estimators_[0], "predict_proba")
        method = "predict_proba" if proba else "predict"  # "predict": votes
        return np.argmax(self._average(method, X), axis=1)

    def predict_proba(self, X):
        """Mean class probabilities of the fold models (or the refit model)."""
        return self._average("predict_proba", X)

    def decision_function(self, X):
        """Mean decision function of the fold models (or the refit model)."""
        return self._average("decision_function", X)


def _method_output(model, method, X, n_classes):
    """``model.method(X)`` in a form that can be averaged over models.

    A classifier's predicted class indices come as one-hot votes, so that
    their average is each class's share of the votes.
    """
    output = getattr(model, method)(X)
    if method == "predict_proba":
        return expand_proba(output, model.classes_, n_classes)
    known = getattr(model, "classes_", None)
    if method == "decision_function" and known is not None and n_classes is not None:
        if len(known) != n_classes:
            raise ValueError(
                f"its training rows hold {len(known)} of the {n_classes} "
                "classes, and decision_function columns cannot be matched to "
                "classes it has not seen. Use folds that hold every class "
                "(an int cv is stratified) or stack_method='predict_proba'."
            )
    if method == "predict" and n_classes is not None:
        votes = np.zeros((len(output), n_classes))
        votes[np.arange(len(output)), np.asarray(output, dtype=np.intp)] = 1.0
        return votes
    return np.asarray(output, dtype=np.float64)


def _stack_columns(output, method, n_classes):
    """Averaged member output as the 2-D columns the next layer sees: a
    classifier's votes become the class index with the most (the lowest on
    a tie); the redundant first probability column of a binary problem is
    dropped."""
    output = np.asarray(output, dtype=np.float64)
    if method == "predict" and n_classes is not None:
        return np.argmax(output, axis=1).astype(np.float64)[:, None]
    if output.ndim == 1:
        return output[:, None]
    if method == "predict_proba" and output.shape[1] == 2:
        return output[:, 1:]
    return output


def _fit_fold(
    make_member, seed, X, y, sample_weight, train, test, method, n_classes, how
):
    """Fit a member on rows ``train``; return it with its output on rows
    ``test`` (None for a refit on all rows), in the averageable form of
    :func:`_method_output`. ``how`` is (rows given as 0/1 weights rather
    than copied, extra fit parameters)."""
    as_weights, fit_params = how
    model = make_member(seed)
    fit_member(
        model,
        X,
        y,
        indices=train,
        sample_weight=sample_weight,
        counts_as_weights=as_weights,
        fit_params=fit_params,
    )
    if test is None:
        return model, None
    return model, _method_output(model, method, _safe_indexing(X, test), n_classes)


def _is_member(item):
    """Whether ``item`` is a (name, estimator) pair: a tuple, or a list as a
    configuration file gives it."""
    return (
        isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str)
    )


def _combines_predictions(estimator):
    """Whether ``estimator`` weighs member predictions only (ensemble
    selection), itself or inside a search, a pipeline or another
    meta-estimator: passthrough features are then not handed to it."""
    if getattr(estimator, "_combines_predictions", False):
        return True
    if isinstance(estimator, Pipeline):
        return _combines_predictions(estimator.steps[-1][1])
    inner = getattr(estimator, "estimator", None)
    return inner is not None and _combines_predictions(inner)


# --------------------------------------------------------------------------
# Shared base
# --------------------------------------------------------------------------
class _BaseStacking(TransformerMixin, MetaEstimatorMixin, BaseEstimator):
    _parameter_constraints: dict = {
        "estimators": [list],
        "final_estimator": [None, HasMethods("fit")],
        "cv": ["cv_object", Interval(Real, 0, 1, closed="neither")],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "passthrough": ["boolean"],
        "refit": ["boolean"],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- the layers ---------------------------------------------------------
    def _one_layer(self):
        """Whether ``estimators`` is one layer (a flat list of members)."""
        return all(
            isinstance(item, tuple) or _is_member(item) for item in self.estimators
        )

    def _layers(self):
        """``estimators`` as a list of layers of (name, estimator) tuples."""
        estimators = self.estimators
        if not estimators:
            raise ValueError("estimators must name at least one member.")
        if self._one_layer():
            estimators = [estimators]
        if all(isinstance(layer, list) for layer in estimators):
            return [
                [tuple(item) if _is_member(item) else item for item in layer]
                for layer in estimators
            ]
        raise ValueError(
            "estimators must be a list of (name, estimator) tuples (one "
            "layer) or a list of such lists (one per layer)."
        )

    def _named_members(self):
        return [pair for layer in self._layers() for pair in layer]

    def _validate_members(self):
        layers = self._layers()
        names = []
        for number, layer in enumerate(layers, start=1):
            if not layer:
                raise ValueError(f"Layer {number} of estimators is empty.")
            for item in layer:
                if not (isinstance(item, tuple) and len(item) == 2):
                    raise ValueError(
                        f"Layer {number} holds {item!r}; every member must be a "
                        "(name, estimator) tuple."
                    )
                name, estimator = item
                if not isinstance(name, str) or "__" in name or not name:
                    raise ValueError(
                        f"Member name {name!r} must be a non-empty string without '__'."
                    )
                if name in self.get_params(deep=False):
                    raise ValueError(
                        f"Member name {name!r} clashes with a parameter of "
                        f"{type(self).__name__}."
                    )
                if estimator != "drop" and not (
                    hasattr(estimator, "fit") and hasattr(estimator, "predict")
                ):
                    raise ValueError(
                        f"Member {name!r} must be an estimator with fit and "
                        f"predict, or 'drop'; got {estimator!r}."
                    )
                names.append(name)
            if all(estimator == "drop" for _, estimator in layer):
                raise ValueError(
                    f"Every member of layer {number} is 'drop': a layer needs "
                    "at least one estimator."
                )
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(
                f"Member names must be unique across layers; repeated: {duplicates}."
            )
        return [
            [(name, est) for name, est in layer if not _is_drop(est)]
            for layer in layers
        ]

    # -- parameters: every member reachable as <name>__<param> --------------
    def get_params(self, deep=True):
        """Parameters of the stack and, with ``deep=True``, of every member
        of every layer as ``<name>`` and ``<name>__<param>``."""
        params = super().get_params(deep=deep)
        if not deep:
            return params
        try:
            members = self._named_members()
        except (TypeError, ValueError):
            return params
        for name, estimator in filter(_is_member, members):
            params[name] = estimator
            if hasattr(estimator, "get_params"):
                for key, value in estimator.get_params(deep=True).items():
                    params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set parameters; a member is replaced (or set to "drop") by name."""
        if "estimators" in params:
            self.estimators = params.pop("estimators")
        try:
            names = {name for name, _ in self._named_members()}
        except (TypeError, ValueError):  # estimators not valid (yet): fit says
            names = set()
        for name in [key for key in params if key in names]:
            self._replace_member(name, params.pop(name))
        return super().set_params(**params)

    def _replace_member(self, name, estimator):
        def replace(layer):
            return [(n, estimator if n == name else e) for n, e in layer]

        if self._one_layer():
            self.estimators = replace(self.estimators)
        else:
            self.estimators = [replace(layer) for layer in self.estimators]

    # -- hooks ----------------------------------------------------------------
    def _stack_method(self, name, estimator):
        raise NotImplementedError

    def _default_final_estimator(self):
        raise NotImplementedError

    def _oof_score(self, y, columns, method, sample_weight, estimator):
        raise NotImplementedError

    # -- fitting --------------------------------------------------------------
    def _splitter(self, seed):
        """The splitter of one layer's rows."""
        stratified = is_classifier(self)
        if isinstance(self.cv, Real) and not isinstance(self.cv, Integral):
            if self.n_repeats != 1:
                raise ValueError("n_repeats applies to k-fold cv, not to blending.")
            holdout = StratifiedShuffleSplit if stratified else ShuffleSplit
            return holdout(n_splits=1, test_size=self.cv, random_state=seed)
        if isinstance(self.cv, Integral) or self.cv is None:
            n_splits = 5 if self.cv is None else self.cv
            if n_splits < 2:
                raise ValueError(f"cv={n_splits} must be at least 2 folds.")
            if self.n_repeats > 1:
                repeated = RepeatedStratifiedKFold if stratified else RepeatedKFold
                return repeated(
                    n_splits=n_splits, n_repeats=self.n_repeats, random_state=seed
                )
            kfold = StratifiedKFold if stratified else KFold
            return kfold(n_splits=n_splits, shuffle=True, random_state=seed)
        if self.n_repeats != 1:
            raise ValueError(
                "n_repeats > 1 needs an int cv; a CV splitter object decides its "
                "own splits (use e.g. RepeatedKFold)."
            )
        return check_cv(self.cv, classifier=stratified)

    def _seeded_cv(self):
        """Whether cv is an int or float, whose splits each layer draws
        with its own seed (else a CV splitter object or iterable of splits,
        checked once and shared by every layer)."""
        return self.cv is None or isinstance(self.cv, Real)

    def _check_class_counts(self, y):
        if not is_classifier(self) or not isinstance(self.cv, Integral):
            return
        counts = np.bincount(y)
        if counts.min() < self.cv:
            smallest = np.asarray(self.classes_[np.argmin(counts)]).item()
            raise ValueError(
                f"cv={self.cv} stratified folds need at least {self.cv} samples "
                f"of every class; class {smallest!r} has only {counts.min()}. "
                "Lower cv or give more samples."
            )

    def _fit(self, X, y, sample_weight):
        """Fit every layer and the final estimator; return the final
        estimator's training features (out-of-fold) and their rows."""
        self._validate_params()
        layers = self._validate_members()
        self._input_options = self._accepted_input(layers)
        given = X
        X, y = validate_X_y(
            self, X, y, **self._input_options, y_numeric=not is_classifier(self)
        )
        y = self._encode_y(column_or_1d(y, warn=True))
        self._check_class_counts(y)
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        n_classes = len(self.classes_) if is_classifier(self) else None

        rng = check_random_state(self.random_state)
        # Per layer: a seed for its splits and one for its members' seeds.
        layer_seeds = draw_seeds(rng, 2 * len(layers)).reshape(len(layers), 2)
        final_seed = draw_seeds(rng, 1)[0]
        final = self.final_estimator
        if final is None:
            final = self._default_final_estimator()
        # Ensemble selection weighs predictions: passthrough features are not.
        self._final_sees_X = self.passthrough and not _combines_predictions(final)
        passed_on = self._passed_on(X)
        rows = np.arange(X.shape[0])
        features = frame_as_given(given, X)
        # An iterable of splits can be read only once: check_cv lists it.
        shared = None if self._seeded_cv() else self._splitter(None)
        self.estimators_ = []
        self.oof_scores_ = {}
        for number, (layer, seeds) in enumerate(zip(layers, layer_seeds), start=1):
            split_seed, member_seed = seeds
            splitter = self._splitter(split_seed) if shared is None else shared
            members, columns, rows = self._fit_layer(
                number,
                layer,
                features,
                y,
                rows,
                sample_weight,
                n_classes,
                splitter,
                member_seed,
            )
            self.estimators_.append(members)
            features = self._next_input(columns, passed_on, number == len(layers))

        # Seeded as the members are: the whole stack is reproducible.
        self.final_estimator_ = MemberFactory(final, keep_set_seeds=True)(final_seed)
        fit_member(
            self.final_estimator_,
            features,
            y,
            indices=None if len(rows) == X.shape[0] else rows,
            sample_weight=sample_weight,
        )
        self.named_estimators_ = Bunch(
            **{member.name: member for layer in self.estimators_ for member in layer}
        )
        self.stack_methods_ = [
            [member.stack_method_ for member in layer] for layer in self.estimators_
        ]
        return features, rows

    def _fit_layer(
        self, number, layer, X, y, rows, sample_weight, n_classes, splitter, seed
    ):
        """Fit every (member, repeat, fold) of a layer in one parallel batch,
        on the ``rows`` the layer below held out, split by ``splitter``."""
        splits = list(splitter.split(np.zeros((len(rows), 1)), y[rows]))
        if not splits:
            raise ValueError(f"cv gave no splits for the rows of layer {number}.")
        if any(len(train) == 0 or len(test) == 0 for train, test in splits):
            raise ValueError(
                f"cv gave layer {number} a split with no training rows or no "
                "test rows; every split needs both."
            )
        if any(max(train.max(), test.max()) >= len(rows) for train, test in splits):
            below = (
                "X has"
                if number == 1
                else "the layer below held out (fixed splits need every row in "
                "a test fold when there are several layers); it has"
            )
            raise ValueError(
                f"cv's splits of layer {number} name rows beyond those {below} "
                f"{len(rows)}."
            )
        splits = [(rows[train], rows[test]) for train, test in splits]
        held_out = np.unique(np.concatenate([test for _, test in splits]))
        if n_classes is not None:
            missing = np.setdiff1d(np.arange(n_classes), y[held_out])
            if len(missing):
                label = np.asarray(self.classes_[missing[0]]).item()
                raise ValueError(
                    f"The rows layer {number} holds out for the layer above "
                    f"miss class {label!r}, which the next "
                    "layer would never learn. Hold out more rows (a larger cv "
                    "fraction) or give more samples of that class."
                )
        fold_labels = self._fold_labels(len(splits))
        n_threads = member_threads(self.n_jobs, len(layer) * len(splits))
        methods = [self._stack_method(name, est) for name, est in layer]

        tasks, labels, groups = [], [], []
        # A regressor member of a classifier stack predicts numbers, not
        # classes; a member with predict_proba or decision_function is a
        # classifier, ClassifierMixin or not.
        member_classes = [
            n_classes if is_classifier(estimator) or method != "predict" else None
            for (_, estimator), method in zip(layer, methods)
        ]
        tree_input = None  # X prepared once for every scikit-learn tree member
        for (name, estimator), method, classes in zip(layer, methods, member_classes):
            member_X, how = X, (False, {})
            if rows_as_weights(estimator):
                # Folds as 0/1 weights on one float32 copy of X, instead of a
                # copy of the training rows per fold.
                if tree_input is None:
                    tree_input = member_input(estimator, X)
                member_X, how = tree_input[0], (True, tree_input[1])
            # Members the user seeded keep their seed; the others get one
            # from random_state, so the whole stack is reproducible.
            make_member = MemberFactory(
                estimator, n_threads=n_threads, keep_set_seeds=True
            )
            fits = [
                (train, test, label)
                for (train, test), label in zip(splits, fold_labels)
            ]
            if self.refit:
                fits.append((rows, None, "refit on all rows"))
            for train, test, label in fits:
                tasks.append(
                    [
                        make_member,
                        member_X,
                        y,
                        sample_weight,
                        train,
                        test,
                        method,
                        classes,
                        how,
                    ]
                )
                labels.append(f"Member {name!r} (layer {number}), {label}")
                groups.append(name)
        seeds = draw_seeds(np.random.RandomState(seed), len(tasks))
        results = iter(
            parallel_map(
                _fit_fold,
                [
                    (task[0], task_seed, *task[1:])
                    for task, task_seed in zip(tasks, seeds)
                ],
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                desc=f"{type(self).__name__}: layer {number} fits",
                labels=labels,
                groups=groups,  # the slowest member's folds go first
            )
        )

        members, columns = [], []
        for (name, estimator), method, classes in zip(layer, methods, member_classes):
            models, oof, counts = [], None, np.zeros(len(y))
            for _, test in splits:
                model, output = next(results)
                output = output.reshape(len(output), -1)
                models.append(model)
                if oof is None:
                    oof = np.zeros((len(y), output.shape[1]))
                oof[test] += output
                counts[test] += 1
            refit_model = next(results)[0] if self.refit else None
            oof[held_out] /= counts[held_out, None]
            oof = _stack_columns(oof, method, classes)
            member = FoldBaggedMember(estimator, method, name)._set_fitted(
                models, refit_model, classes, oof.shape[1]
            )
            members.append(member)
            columns.append(oof)
            weight = None if sample_weight is None else sample_weight[held_out]
            self.oof_scores_[name] = self._oof_score(
                y[held_out], oof[held_out], method, weight, estimator
            )
        return members, columns, held_out

    def _fold_labels(self, n_splits):
        """How errors name each split of a layer."""
        if isinstance(self.cv, Real) and not isinstance(self.cv, Integral):
            return ["holdout blending fit"] * n_splits
        if isinstance(self.cv, Integral) and self.n_repeats > 1:
            return [
                f"fold {i % self.cv + 1} of {self.cv}, repeat {i // self.cv + 1}"
                for i in range(n_splits)
            ]
        return [f"fold {i + 1} of {n_splits}" for i in range(n_splits)]

    def _passed_on(self, X):
        """X as passthrough hands it to the layers above the first and to the
        final estimator, next to the predictions: as numbers (None without
        passthrough)."""
        if not self.passthrough:
            return None
        if sparse.issparse(X):
            return X
        try:
            return np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(
                "passthrough hands X to the layers above the first and to the "
                "final estimator next to the members' predictions, so X must "
                f"be numeric ({error}). Encode X before the stack (for "
                "example a ColumnTransformer in a Pipeline) or set "
                "passthrough=False."
            ) from error

    def _next_input(self, columns, passed_on, last):
        """Input of the next layer (of the final estimator after the
        ``last`` layer): the members' columns, then X (``passed_on``) with
        passthrough. With blending, rows a layer held out of the next one's
        training hold zeros there and are never used."""
        predictions = np.hstack(columns)
        if not (self._final_sees_X if last else self.passthrough):
            return predictions
        if sparse.issparse(passed_on):
            return sparse.hstack([predictions, passed_on], format="csr")
        return np.hstack([predictions, passed_on])

    @unfitted_on_error
    def fit(self, X, y, sample_weight=None):
        """Fit the stack: each layer on out-of-fold predictions of the one
        below, then the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values (class labels for classification).
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member and to the final estimator, restricted
            to the rows each is fitted on.

        Returns
        -------
        self : object
        """
        self._fit(X, y, sample_weight)
        return self

    @unfitted_on_error
    def fit_transform(self, X, y, sample_weight=None):
        """Fit, and return the features the final estimator was trained on.

        With k-fold cv every row's features are out-of-fold predictions
        (what the final estimator learnt from, unlike scikit-learn's
        in-sample predictions). With holdout blending only the held-out
        rows are out-of-sample; the others get :meth:`transform`'s values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
        """
        features, rows = self._fit(X, y, sample_weight)
        n_samples = features.shape[0]
        if len(rows) == n_samples:
            return features
        out = self._transform(X)
        out[rows] = features[rows]
        return out

    # -- prediction -----------------------------------------------------------
    def _transform(self, X):
        check_is_fitted(self)
        given = X
        X = validate_X(self, X, **self._input_options)
        features = frame_as_given(given, X)
        passed_on = self._passed_on(X)
        for number, layer in enumerate(self.estimators_, start=1):
            columns = [member.stack_output(features) for member in layer]
            last = number == len(self.estimators_)
            features = self._next_input(columns, passed_on, last)
        return features

    def transform(self, X):
        """The features the final estimator sees for X: the last layer's
        outputs (then X itself with passthrough).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
        """
        return self._transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names of the features :meth:`transform` returns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names for the passthrough columns; by default
            ``feature_names_in_`` or x0, x1, ...

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self)
        input_features = _check_feature_names_in(self, input_features)
        prefix = type(self).__name__.lower()
        names = []
        for member in self.estimators_[-1]:
            if member._n_columns == 1:
                names.append(f"{prefix}_{member.name}")
            else:
                names.extend(
                    f"{prefix}_{member.name}{j}" for j in range(member._n_columns)
                )
        if self._final_sees_X:
            names.extend(input_features)
        return np.asarray(names, dtype=object)

    @property
    def n_features_out_(self):
        return len(self.get_feature_names_out())

    def _accepted_input(self, layers):
        """The input every member that sees X accepts: the first layer's, and
        with passthrough every layer's."""
        if self.passthrough:
            members = [est for layer in layers for _, est in layer]
        else:
            members = [est for _, est in layers[0]]
        return member_input_tags(*members)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            layers = self._validate_members()
        except (TypeError, ValueError):
            return tags
        accepted = self._accepted_input(layers)
        tags.input_tags.allow_nan = accepted["allow_nan"]
        tags.input_tags.sparse = accepted["sparse"]
        return tags


def _pairwise_vote(decision, n_classes):
    """The class with the most pairwise wins; column k is the pair (i, j)
    of ``itertools.combinations`` order, positive where i wins (libsvm's
    one-vs-one)."""
    votes = np.zeros((len(decision), n_classes))
    for column, (i, j) in enumerate(combinations(range(n_classes), 2)):
        wins = decision[:, column] > 0
        votes[:, i] += wins
        votes[:, j] += ~wins
    return np.argmax(votes, axis=1)


def _is_drop(estimator):
    return isinstance(estimator, str) and estimator == "drop"


def _final_has(method):
    def check(stack):
        final = getattr(stack, "final_estimator_", None)
        if final is None:
            final = stack.final_estimator
        if final is None:
            final = stack._default_final_estimator()
        return hasattr(final, method)

    return check


# --------------------------------------------------------------------------
# Regressor
# --------------------------------------------------------------------------
class StackingRegressor(RegressorMixin, _BaseStacking):
    """k-fold multi-layer stacking of regressors.

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

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        features = self._transform(X)
        return self.final_estimator_.predict(features)


# --------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------
class StackingClassifier(ClassifierMixin, _BaseStacking):
    """k-fold multi-layer stacking of classifiers.

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
        if method == "predict":
            predicted = np.rint(columns[:, 0]).astype(int)
        elif columns.shape[1] == 1:
            threshold = 0.5 if method == "predict_proba" else 0.0
            predicted = (columns[:, 0] > threshold).astype(int)
        elif method == "decision_function" and one_column_per_pair(estimator):
            predicted = _pairwise_vote(columns, len(self.classes_))
        else:
            predicted = np.argmax(columns, axis=1)
        return accuracy_score(y, predicted, sample_weight=sample_weight)

    def predict(self, X):
        """Predict classes with the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        features = self._transform(X)
        predicted = self.final_estimator_.predict(features)
        return self.classes_.take(np.asarray(predicted, dtype=np.intp))

    @available_if(_final_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        features = self._transform(X)
        return self.final_estimator_.predict_proba(features)

    @available_if(_final_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        features = self._transform(X)
        return self.final_estimator_.decision_function(features)
