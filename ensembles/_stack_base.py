"""What every stack does: ``_BaseStacking``, the orchestration.

The splitter of each layer's rows, fitting the layers in order (each
layer's members in one parallel batch, through
:func:`~ensembles._parallel.parallel_map`), the final estimator, and
``transform`` through the fitted layers. One member's k-fold life (its
fold fits and out-of-fold columns) lives in :mod:`ensembles._stack_member`;
reading and validating the ``estimators`` parameter in
:mod:`ensembles._stack_layers`; the public classes in
:mod:`ensembles._stacking`.
"""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    TransformerMixin,
    _fit_context,
    is_classifier,
)
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    check_cv,
)
from sklearn.utils import Bunch, check_random_state, column_or_1d
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._base import (
    check_sample_weight,
    unfitted_on_error,
    validate_X,
    validate_X_y,
)
from ._members import (
    MemberFactory,
    combines_predictions,
    draw_seeds,
    fit_member,
    frame_as_given,
    member_input,
    member_input_tags,
    rows_as_weights,
)
from ._parallel import member_threads, parallel_map
from ._stack_layers import LayeredMembersMixin
from ._stack_member import (
    FoldTask,
    LayerMember,
    collect_member,
    fit_fold,
)


class TrainingTarget(NamedTuple):
    """What every layer and the final estimator are fitted to.

    Attributes
    ----------
    y : ndarray of shape (n_samples,)
        The target: class indices for a classifier, float64 otherwise.
    sample_weight : ndarray of shape (n_samples,) or None
        The validated sample weights.
    n_classes : int or None
        Number of classes; None for a regressor.
    """

    y: np.ndarray
    sample_weight: np.ndarray | None
    n_classes: int | None


class LayerPlan(NamedTuple):
    """One layer to fit.

    Attributes
    ----------
    number : int
        Its position, 1 for the first layer (as errors name it).
    members : list of (str, estimator)
        Its members, without those set to "drop".
    X_layer : {array-like, sparse matrix} of shape (n_samples, n_features)
        Its input: X for the first layer (a data frame as the user gave
        it), the columns of the layer below (then X, with passthrough)
        above.
    rows : ndarray of int
        The rows it is trained on: all of them, or with holdout blending
        those the layer below held out.
    splitter : cross-validation splitter
        Splits ``rows`` into folds.
    member_seed : int
        Seeds the seeds of its fits.
    """

    number: int
    members: list
    X_layer: object
    rows: np.ndarray
    splitter: object
    member_seed: int


# --------------------------------------------------------------------------
# Shared base
# --------------------------------------------------------------------------
class _BaseStacking(
    LayeredMembersMixin, TransformerMixin, MetaEstimatorMixin, BaseEstimator
):
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

    # -- hooks ----------------------------------------------------------------
    def _encode_y(self, y):
        raise NotImplementedError

    def _stack_method(self, name, estimator):
        raise NotImplementedError

    def _default_final_estimator(self):
        raise NotImplementedError

    def _oof_score(self, y, columns, method, sample_weight, estimator):
        raise NotImplementedError

    # -- splits ---------------------------------------------------------------
    def _splitter(self, seed):
        """The splitter of one layer's rows."""
        stratified = is_classifier(self)
        if isinstance(self.cv, Real) and not isinstance(self.cv, Integral):
            if self.n_repeats != 1:
                raise ValueError("n_repeats applies to k-fold cv, not to blending.")
            holdout = StratifiedShuffleSplit if stratified else ShuffleSplit
            return holdout(n_splits=1, test_size=self.cv, random_state=seed)
        if isinstance(self.cv, Integral) or self.cv is None:
            # cv=1 never gets here: the "cv_object" constraint rejects it.
            n_splits = 5 if self.cv is None else self.cv
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

    def _layer_splits(self, layer, target):
        """The (train, test) splits of ``layer``'s rows, as row numbers of
        X, and the rows some split tests (the next layer's rows); a
        ValueError for splits no layer can be fitted on."""
        rows, number = layer.rows, layer.number
        splits = list(layer.splitter.split(np.zeros((len(rows), 1)), target.y[rows]))
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
        if target.n_classes is not None:
            missing = np.setdiff1d(np.arange(target.n_classes), target.y[held_out])
            if len(missing):
                label = np.asarray(self.classes_[missing[0]]).item()
                raise ValueError(
                    f"The rows layer {number} holds out for the layer above "
                    f"miss class {label!r}, which the next "
                    "layer would never learn. Hold out more rows (a larger cv "
                    "fraction) or give more samples of that class."
                )
        return splits, held_out

    # -- fitting --------------------------------------------------------------
    @unfitted_on_error
    @_fit_context(prefer_skip_nested_validation=False)  # members validate theirs
    def fit(self, X, y, sample_weight=None):
        """Fit the stack: each layer, then the final estimator.

        Each layer is fitted on the out-of-fold predictions of the one
        below (the first on X).

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
            The fitted stack.
        """
        self._fit(X, y, sample_weight)
        return self

    @unfitted_on_error
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y, sample_weight=None):
        """Fit, and return the features the final estimator was trained on.

        With k-fold cv every row's features are out-of-fold predictions
        (what the final estimator learnt from, unlike scikit-learn's
        in-sample predictions). With holdout blending only the held-out
        rows are out-of-sample; the others get :meth:`transform`'s values.

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
        features : ndarray of shape (n_samples, n_features_out)
            The final estimator's training input.
        """
        X_final, rows = self._fit(X, y, sample_weight)
        if len(rows) == X_final.shape[0]:
            return X_final
        features = self._transform(X)
        features[rows] = X_final[rows]
        return features

    def _fit(self, X, y, sample_weight):
        """Fit every layer and the final estimator; return the final
        estimator's training input (out-of-fold) and the rows it was
        fitted on."""
        layers = self._checked_layers()
        self._input_options = self._accepted_input(layers)
        given = X
        X, y = validate_X_y(
            self, X, y, **self._input_options, y_numeric=not is_classifier(self)
        )
        y = self._encode_y(column_or_1d(y, warn=True))
        self._check_class_counts(y)
        target = TrainingTarget(
            y=y,
            sample_weight=check_sample_weight(sample_weight, X.shape[0]),
            n_classes=len(self.classes_) if is_classifier(self) else None,
        )

        rng = check_random_state(self.random_state)
        # Per layer: a seed for its splits and one for its members' seeds.
        layer_seeds = draw_seeds(rng, 2 * len(layers)).reshape(len(layers), 2)
        final_seed = draw_seeds(rng, 1)[0]
        final = self.final_estimator
        if final is None:
            final = self._default_final_estimator()
        # Ensemble selection weighs predictions: passthrough features are not.
        self._final_sees_X = self.passthrough and not combines_predictions(final)
        X_passthrough = self._passthrough_input(X)
        X_layer, rows = frame_as_given(given, X), np.arange(X.shape[0])
        # An iterable of splits can be read only once: check_cv lists it.
        shared_splitter = None if self._seeded_cv() else self._splitter(None)
        self.estimators_ = []
        self.oof_scores_ = {}
        for number, (members, seeds) in enumerate(zip(layers, layer_seeds), start=1):
            split_seed, member_seed = seeds
            splitter = shared_splitter
            if splitter is None:
                splitter = self._splitter(split_seed)
            layer = LayerPlan(number, members, X_layer, rows, splitter, member_seed)
            fitted, columns, rows = self._fit_layer(layer, target)
            self.estimators_.append(fitted)
            last = number == len(layers)
            X_layer = self._next_layer_input(columns, X_passthrough, last)

        # Seeded as the members are: the whole stack is reproducible.
        self.final_estimator_ = MemberFactory(final, keep_set_seeds=True)(final_seed)
        fit_member(
            self.final_estimator_,
            X_layer,
            target.y,
            indices=None if len(rows) == X.shape[0] else rows,
            sample_weight=target.sample_weight,
        )
        self.named_estimators_ = Bunch(
            **{member.name: member for layer in self.estimators_ for member in layer}
        )
        self.stack_methods_ = [
            [member.stack_method_ for member in layer] for layer in self.estimators_
        ]
        return X_layer, rows

    def _fit_layer(self, layer, target):
        """Fit every (member, repeat, fold) of ``layer`` in one parallel batch.

        Returns the fitted members, their out-of-fold columns and the rows
        some fold held out: the rows the next layer is trained on.
        """
        splits, held_out = self._layer_splits(layer, target)
        folds = [
            (train, test, label)
            for (train, test), label in zip(splits, self._fold_labels(len(splits)))
        ]
        if self.refit:
            folds.append((layer.rows, None, "refit on all rows"))
        planned = self._layer_members(layer, target, len(splits))
        n_tasks = len(planned) * len(folds)
        seeds = iter(draw_seeds(np.random.RandomState(layer.member_seed), n_tasks))
        # The arguments of fit_fold, in (member, fold) order: the order the
        # seeds are drawn in and the results are collected in.
        calls = [
            (
                FoldTask(member, label, train, test, next(seeds)),
                X_member,
                target.y,
                target.sample_weight,
            )
            for member, X_member in planned
            for train, test, label in folds
        ]
        tasks = [call[0] for call in calls]
        results = iter(
            parallel_map(
                fit_fold,
                calls,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                desc=f"{type(self).__name__}: layer {layer.number} fits",
                labels=[
                    f"Member {task.member.name!r} (layer {layer.number}), {task.fold}"
                    for task in tasks
                ],
                # The slowest member's folds go first.
                groups=[task.member.name for task in tasks],
            )
        )

        fitted, columns = [], []
        tests = [test for _, test in splits]
        weight = target.sample_weight
        held_out_weight = None if weight is None else weight[held_out]
        for member, _ in planned:
            fitted_member, member_columns = collect_member(
                member, results, tests, held_out, len(target.y), self.refit
            )
            fitted.append(fitted_member)
            columns.append(member_columns)
            self.oof_scores_[member.name] = self._oof_score(
                target.y[held_out],
                member_columns[held_out],
                member.stack_method,
                held_out_weight,
                member.estimator,
            )
        return fitted, columns, held_out

    def _layer_members(self, layer, target, n_splits):
        """How each member of ``layer`` is fitted: a (LayerMember, X_member)
        pair per member, X_member being the input its fits are handed."""
        n_threads = member_threads(self.n_jobs, len(layer.members) * n_splits)
        methods = [self._stack_method(name, est) for name, est in layer.members]
        planned = []
        tree_input = None  # X prepared once for every scikit-learn tree member
        for (name, estimator), method in zip(layer.members, methods):
            X_member, as_weights, fit_params = layer.X_layer, False, {}
            if rows_as_weights(estimator):
                # Folds as 0/1 weights on one float32 copy of X, instead of a
                # copy of the training rows per fold.
                if tree_input is None:
                    tree_input = member_input(estimator, layer.X_layer)
                (X_member, fit_params), as_weights = tree_input, True
            # A regressor member of a classifier stack predicts numbers, not
            # classes; a member with predict_proba or decision_function is a
            # classifier, ClassifierMixin or not.
            is_classifier_member = is_classifier(estimator) or method != "predict"
            member = LayerMember(
                name=name,
                estimator=estimator,
                stack_method=method,
                n_classes=target.n_classes if is_classifier_member else None,
                # Members the user seeded keep their seed; the others get one
                # from random_state, so the whole stack is reproducible.
                factory=MemberFactory(
                    estimator, n_threads=n_threads, keep_set_seeds=True
                ),
                rows_as_weights=as_weights,
                fit_params=fit_params,
            )
            planned.append((member, X_member))
        return planned

    def _passthrough_input(self, X):
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

    def _next_layer_input(self, columns, X_passthrough, last):
        """Input of the next layer (of the final estimator after the
        ``last`` layer): the members' columns, then X with passthrough.
        With blending, rows a layer held out of the next one's training
        hold zeros there and are never used."""
        predictions = np.hstack(columns)
        if not (self._final_sees_X if last else self.passthrough):
            return predictions
        if sparse.issparse(X_passthrough):
            return sparse.hstack([predictions, X_passthrough], format="csr")
        return np.hstack([predictions, X_passthrough])

    # -- prediction -----------------------------------------------------------
    def _transform(self, X):
        check_is_fitted(self)
        given = X
        X = validate_X(self, X, **self._input_options)
        X_layer = frame_as_given(given, X)
        X_passthrough = self._passthrough_input(X)
        for number, layer in enumerate(self.estimators_, start=1):
            columns = [member.stack_output(X_layer) for member in layer]
            last = number == len(self.estimators_)
            X_layer = self._next_layer_input(columns, X_passthrough, last)
        return X_layer

    def transform(self, X):
        """Compute the features the final estimator sees for X.

        They are the last layer's outputs, then X itself with passthrough
        (unless the final estimator weighs predictions only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            The final estimator's input.
        """
        return self._transform(X)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the features :meth:`transform` returns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names for the passthrough columns; by default
            ``feature_names_in_`` or x0, x1, ...

        Returns
        -------
        names : ndarray of str
            ``<stack>_<member>`` per member column, then the passthrough
            features.
        """
        check_is_fitted(self)
        input_features = _check_feature_names_in(self, input_features)
        prefix = type(self).__name__.lower()
        names = []
        for member in self.estimators_[-1]:
            names.extend(member.stack_output_names(prefix))
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
            layers = self._checked_layers()
        except (TypeError, ValueError):
            return tags
        accepted = self._accepted_input(layers)
        tags.input_tags.allow_nan = accepted["allow_nan"]
        tags.input_tags.sparse = accepted["sparse"]
        return tags


def final_estimator_has(method):
    """Whether the stack's final estimator (fitted, given, or the default)
    has ``method``: the check of ``available_if``."""

    def check(stack):
        final = getattr(stack, "final_estimator_", None)
        if final is None:
            final = stack.final_estimator
        if final is None:
            final = stack._default_final_estimator()
        return hasattr(final, method)

    return check
