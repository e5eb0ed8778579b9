"""Growing a boosted ensemble stage by stage: ``_BaseBoosting``.

The boosting loop shared by BoostingRegressor and BoostingClassifier:
preparing a fit (validation, weights, seeds drawn up front, the
early-stopping split, the warm-start checks), the starting state (the
initial model, or the stages of a warm start), one stage (the loss's
negative gradient, a member per gradient column fitted through
:func:`~ensembles._parallel.parallel_map`, per-leaf refinement or a line
search, the update and the scores), the fitted attributes, and the staged
raw predictions. The losses live in :mod:`ensembles._losses`; fitting
members and the tree surgery of the per-leaf refinement in
:mod:`ensembles._members`; the public classes in :mod:`ensembles._boosting`.
"""

from dataclasses import dataclass, field, replace
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import _fit_context, clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_is_fitted

from ._base import (
    HomogeneousEnsemble,
    check_sample_weight,
    unfitted_on_error,
    validate_X,
    validate_X_y,
)
from ._members import (
    MemberFactory,
    draw_seeds,
    fit_member,
    is_sklearn_tree,
    member_input,
    member_input_tags,
    set_tree_leaf_values,
    tree_leaves,
)
from ._parallel import arrays_sent_once, member_threads, parallel_map, progress


def _fit_stage_member(make_member, X, target, rows, sample_weight, seed, call_params):
    """Fit one member to one column of the negative gradient; return it with
    its predictions on all of X (needed for the line search and the update)."""
    member = make_member(seed)
    fit_member(
        member,
        X,
        target,
        indices=rows,
        sample_weight=sample_weight,
        counts_as_weights=True,
        fit_params=call_params,
    )
    return member, _predict(member, X, call_params)


def _predict(member, X, call_params):
    return np.asarray(member.predict(X, **call_params), dtype=np.float64).ravel()


def _init_raw(init, X, loss):
    """Raw predictions of the initial model ``init`` (or "zero") on X."""
    if isinstance(init, str):  # "zero"
        return np.zeros((X.shape[0], loss.n_columns))
    return loss.raw_from_init(init, X)


# --------------------------------------------------------------------------
# The state of one fit
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class _TrainingData:
    """Rows of the training data: those the stages are fitted on, or those
    held out for early stopping.

    ``sample_weight`` is the user's weights as given, for the members and
    the initial model (None when none were given: they are then fitted
    without weights); ``loss_weight`` is the same weights as an array, ones
    when none were given, for the losses and line searches. ``call_params``
    go with ``X`` once it is prepared for the members (:meth:`for_members`).
    """

    X: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    loss_weight: np.ndarray
    call_params: dict = field(default_factory=dict)

    def for_members(self, estimator):
        """These rows, with ``X`` prepared for members cloned from ``estimator``."""
        X, call_params = member_input(estimator, self.X)
        return replace(self, X=X, call_params=call_params)


class _StageRows(NamedTuple):
    """The training rows one stage is fitted on, taken once: its subsample
    (``indices``, sorted), or every row (``indices`` None)."""

    indices: np.ndarray | None
    y: np.ndarray
    raw: np.ndarray
    loss_weight: np.ndarray

    @classmethod
    def take(cls, indices, train, raw):
        """The rows ``indices`` of ``train`` and of its raw predictions ``raw``."""
        if indices is None:
            return cls(None, train.y, raw, train.loss_weight)
        return cls(indices, train.y[indices], raw[indices], train.loss_weight[indices])

    def of(self, values):
        """``values``, one per training row, on these rows only."""
        return values if self.indices is None else values[self.indices]


@dataclass
class _Stages:
    """The ensemble being grown: its initial model, its stages with their
    steps and scores, and its raw predictions on the training rows and on
    the rows held out for early stopping (None without)."""

    init: object
    raw: np.ndarray
    raw_val: np.ndarray | None
    members: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    train_score: list = field(default_factory=list)
    oob_improvement: list = field(default_factory=list)
    validation_score: list = field(default_factory=list)


def _refine_leaves(tree, loss, train, rows, column):
    """Give each leaf of a scikit-learn tree, fitted to ``column`` of the
    negative gradient, the loss's best step for the stage's rows in it, as
    scikit-learn's gradient boosting does. Returns the tree's new
    predictions on every training row."""
    leaves, n_nodes = tree_leaves(tree, train.X, train.call_params)
    values = loss.leaf_values(
        rows.y, rows.raw, rows.loss_weight, column, rows.of(leaves), n_nodes
    )
    return set_tree_leaf_values(tree, values, leaves)


class _BaseBoosting(HomogeneousEnsemble):
    _warm_start_too_many_fitted = (
        "n_estimators={n_estimators} must be larger or equal to the "
        "{n_fitted} stages already fitted when warm_start=True"
    )
    _warm_start_nothing_new = (
        "Warm-start fitting without increasing n_estimators does not fit new stages."
    )

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0.0, None, closed="neither")],
        "subsample": [Interval(Real, 0.0, 1.0, closed="right")],
        "init": [StrOptions({"zero"}), HasMethods(["fit"]), None],
        "validation_fraction": [Interval(Real, 0.0, 1.0, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    _member_kind = "regressor"
    _member_kind_reason = " (its members fit the loss's gradient, for classifiers too)"

    def _default_estimator(self):
        return DecisionTreeRegressor(max_depth=3)

    # -- hooks --------------------------------------------------------------
    def _encode_y(self, y):
        raise NotImplementedError

    def _make_loss(self):
        raise NotImplementedError

    def _n_jobs(self):
        return None

    # -- fitting ------------------------------------------------------------
    @unfitted_on_error
    # Meta-estimators: members validate their own parameters.
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit the boosted ensemble, one stage after another.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse matrices and missing values are accepted
            when the base estimator accepts them.
        y : array-like of shape (n_samples,)
            Target values (class labels for classification).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to every member's ``fit`` (a member
            whose ``fit`` does not take them is an error) and used in every
            loss and line search.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        estimator = self._checked_estimator()
        n_features_before = getattr(self, "n_features_in_", None)
        data = self._training_data(X, y, sample_weight, estimator)
        loss = self._make_loss()
        split_seed, stage_seeds = self._draw_seeds(loss.n_columns)
        train, held_out = self._hold_out(data, split_seed)
        n_fitted = self._warm_start_members(
            estimator,
            data.X.shape[1],
            n_features_before,
            stale=self._attributes_not_set(held_out),
        )
        if n_fitted is None:
            return self
        stages = self._starting_stages(n_fitted, train, held_out, loss)
        self._fit_stages(stages, estimator, loss, train, held_out, stage_seeds)
        self._set_fitted(stages, estimator, loss, held_out)
        return self

    def _training_data(self, X, y, sample_weight, estimator):
        """The validated training data: y encoded, the weights checked."""
        X, y = validate_X_y(
            self,
            X,
            y,
            **member_input_tags(estimator),
            y_numeric=not is_classifier(self),
        )
        y = self._encode_y(column_or_1d(y, warn=True))
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        loss_weight = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        return _TrainingData(X, y, sample_weight, loss_weight)

    def _draw_seeds(self, n_columns):
        """The seed of the early-stopping split, and the seeds of every stage.

        One random state per fit, every seed drawn up front in a fixed
        order, so that warm starts continue the same streams. Per stage
        (a row): one seed per member, then one for the stage's subsample.
        Stage-major order, so the first stages' seeds do not depend on
        n_estimators.
        """
        rng = check_random_state(self.random_state)
        split_seed = draw_seeds(rng, 1)[0]
        stage_seeds = draw_seeds(rng, self.n_estimators * (n_columns + 1))
        return split_seed, stage_seeds.reshape(self.n_estimators, n_columns + 1)

    def _hold_out(self, data, split_seed):
        """The rows to fit on and those held out for early stopping (None
        without early stopping)."""
        if self.n_iter_no_change is None:
            return data, None
        X, X_val, y, y_val, weight, weight_val = train_test_split(
            data.X,
            data.y,
            data.loss_weight,
            test_size=self.validation_fraction,
            random_state=split_seed,
            stratify=data.y if is_classifier(self) else None,
        )
        if is_classifier(self) and len(np.unique(y)) < self.n_classes_:
            raise ValueError(
                "The training rows left after holding out "
                "validation_fraction miss some classes; lower "
                "validation_fraction or give more samples."
            )
        if not np.any(weight_val > 0):
            raise ValueError(
                "Every row held out for early stopping has zero "
                "sample_weight, so no validation score can be computed; "
                "raise validation_fraction or give those rows weight."
            )
        weighted = data.sample_weight is not None
        return (
            _TrainingData(X, y, weight if weighted else None, weight),
            _TrainingData(X_val, y_val, weight_val if weighted else None, weight_val),
        )

    def _attributes_not_set(self, held_out):
        """Fitted attributes that a previous fit may have set and this one
        will not."""
        names = []
        if self.subsample >= 1.0:
            names.append("oob_improvement_")
        if held_out is None:
            names.append("validation_score_")
        return names

    def _starting_stages(self, n_fitted, train, held_out, loss):
        """What the fit grows: a fresh initial model alone, or, for a warm
        start, the ``n_fitted`` stages already fitted."""
        if not n_fitted:
            init = self._fit_init(train.X, train.y, train.sample_weight, loss)
            return _Stages(
                init=init,
                raw=_init_raw(init, train.X, loss),
                raw_val=None if held_out is None else _init_raw(init, held_out.X, loss),
            )
        return _Stages(
            init=self.init_,
            raw=self._raw_from_valid(train.X, loss),
            raw_val=(
                None if held_out is None else self._raw_from_valid(held_out.X, loss)
            ),
            members=[list(row) for row in self.estimators_],
            steps=list(self.estimator_weights_),
            train_score=list(self.train_score_),
            oob_improvement=list(getattr(self, "oob_improvement_", [])),
            validation_score=list(getattr(self, "validation_score_", [])),
        )

    def _fit_stages(self, stages, estimator, loss, train, held_out, stage_seeds):
        """Add stages to ``stages`` up to n_estimators, or until the
        validation loss stops improving."""
        make_member = MemberFactory(
            estimator, n_threads=member_threads(self._n_jobs(), loss.n_columns)
        )
        train = train.for_members(estimator)
        if held_out is not None:
            # Its own call parameters: missing values may lie in one part only.
            held_out = held_out.for_members(estimator)
        # A tree under monotonic constraints keeps its own leaf values (a
        # positive step keeps it monotone; values leaf by leaf would not).
        refine_leaves = (
            loss.refines_leaves
            and is_sklearn_tree(estimator)
            and getattr(estimator, "monotonic_cst", None) is None
        )
        best_val = min(stages.validation_score, default=np.inf)
        n_stalled = 0
        stage_numbers = progress(
            range(len(stages.members), self.n_estimators),
            self.n_estimators - len(stages.members),
            f"{type(self).__name__}: fitting stages",
            self.verbose,
        )
        # One Parallel call per stage: on Dask, X goes to the workers once
        # for the whole fit rather than once per stage.
        with arrays_sent_once(train.X, train.sample_weight):
            for stage in stage_numbers:
                self._fit_stage(
                    stage,
                    stages,
                    loss,
                    train,
                    held_out,
                    stage_seeds[stage],
                    make_member=make_member,
                    refine_leaves=refine_leaves,
                )
                if held_out is None:
                    continue
                if stages.validation_score[-1] + self.tol < best_val:
                    best_val = stages.validation_score[-1]
                    n_stalled = 0
                else:
                    n_stalled += 1
                    if n_stalled >= self.n_iter_no_change:
                        break

    def _fit_stage(
        self, stage, stages, loss, train, held_out, seeds, *, make_member, refine_leaves
    ):
        """Fit one stage and add it, with its scores, to ``stages``.

        ``seeds`` holds one seed per member, then the subsample's; ``train``
        and ``held_out`` are prepared for the members.
        """
        n_samples = train.y.shape[0]
        indices = None
        if self.subsample < 1.0:
            n_in_bag = max(1, int(self.subsample * n_samples))
            indices = np.sort(
                sample_without_replacement(n_samples, n_in_bag, random_state=seeds[-1])
            )
        rows = _StageRows.take(indices, train, stages.raw)
        loss.prepare_stage(rows.y, rows.raw, rows.loss_weight)
        gradient = loss.negative_gradient(train.y, stages.raw)
        members, direction = self._fit_members(
            stage, gradient, rows, train, seeds[:-1], make_member
        )
        if refine_leaves:
            # Trees: a step per leaf, so the stage moves by its leaf values
            # times the learning rate.
            for column, member in enumerate(members):
                direction[:, column] = _refine_leaves(member, loss, train, rows, column)
            step = np.full(loss.n_columns, self.learning_rate)
        else:
            step = self.learning_rate * loss.line_search(
                rows.y, rows.raw, rows.of(direction), rows.loss_weight
            )
        raw = stages.raw + direction * step

        stages.members.append(members)
        stages.steps.append(step)
        stages.train_score.append(loss(rows.y, rows.of(raw), rows.loss_weight))
        if indices is not None:
            out_of_bag = np.ones(n_samples, dtype=bool)
            out_of_bag[indices] = False
            y_out, weight_out = train.y[out_of_bag], train.loss_weight[out_of_bag]
            before = loss(y_out, stages.raw[out_of_bag], weight_out)
            stages.oob_improvement.append(
                before - loss(y_out, raw[out_of_bag], weight_out)
            )
        stages.raw = raw
        if held_out is not None:
            stages.raw_val = stages.raw_val + self._stage_raw(
                members, step, held_out.X, held_out.call_params
            )
            stages.validation_score.append(
                loss(held_out.y, stages.raw_val, held_out.loss_weight)
            )

    def _fit_members(self, stage, gradient, rows, train, seeds, make_member):
        """Fit a member to each column of the negative gradient, in parallel.

        Returns the members and their predictions on every training row, a
        column each.
        """
        n_columns = len(seeds)
        fitted = parallel_map(
            _fit_stage_member,
            (
                (
                    make_member,
                    train.X,
                    gradient[:, column],
                    rows.indices,
                    train.sample_weight,
                    seed,
                    train.call_params,
                )
                for column, seed in enumerate(seeds)
            ),
            n_jobs=self._n_jobs(),
            labels=[
                f"{type(self).__name__}: member of stage {stage}"
                + (f", class column {column}" if n_columns > 1 else "")
                for column in range(n_columns)
            ],
        )
        fitted = list(fitted)
        members = [member for member, _ in fitted]
        return members, np.column_stack([prediction for _, prediction in fitted])

    def _set_fitted(self, stages, estimator, loss, held_out):
        """Set the fitted attributes from the grown ensemble."""
        n_stages = len(stages.members)
        self.estimator_ = estimator
        self.init_ = stages.init
        self._loss = loss
        self.estimators_ = np.empty((n_stages, loss.n_columns), dtype=object)
        for i, members in enumerate(stages.members):
            self.estimators_[i, :] = members
        self.estimator_weights_ = np.array(stages.steps).reshape(
            n_stages, loss.n_columns
        )
        self.n_estimators_ = n_stages
        self.train_score_ = np.array(stages.train_score)
        if self.subsample < 1.0:
            self.oob_improvement_ = np.array(stages.oob_improvement)
        if held_out is not None:
            self.validation_score_ = np.array(stages.validation_score)

    def _fit_init(self, X, y, sample_weight, loss):
        """Fit the initial model; the user's weights (or None) go to it."""
        if isinstance(self.init, str):  # "zero"
            return "zero"
        init = loss.init_estimator() if self.init is None else clone(self.init)
        if is_classifier(self) and not hasattr(init, "predict_proba"):
            raise ValueError(
                f"init={type(init).__name__} has no predict_proba; the initial "
                f"model of {type(self).__name__} must predict class probabilities."
            )
        if sample_weight is None:
            return init.fit(X, y)
        try:
            return init.fit(X, y, sample_weight=sample_weight)
        except TypeError:
            raise ValueError(
                f"The initial estimator {type(init).__name__} does not support "
                "sample weights."
            ) from None

    # -- prediction ---------------------------------------------------------
    @staticmethod
    def _stage_raw(members, step, X, call_params):
        predictions = [_predict(member, X, call_params) for member in members]
        return np.column_stack(predictions) * step

    def _staged_raw(self, X):
        """Yield the raw predictions after each stage."""
        check_is_fitted(self)
        X = validate_X(self, X, **member_input_tags(self.estimator_))
        return self._staged_raw_from_valid(X, self._loss)

    def _staged_raw_from_valid(self, X, loss):
        raw = _init_raw(self.init_, X, loss)
        X, call_params = member_input(self.estimator_, X)
        for members, step in zip(self.estimators_, self.estimator_weights_):
            raw = raw + self._stage_raw(members, step, X, call_params)
            yield raw

    def _raw_predict(self, X):
        check_is_fitted(self)
        X = validate_X(self, X, **member_input_tags(self.estimator_))
        return self._raw_from_valid(X, self._loss)

    def _raw_from_valid(self, X, loss):
        """Raw predictions of every stage for X already validated."""
        raw = None
        for raw in self._staged_raw_from_valid(X, loss):
            pass
        return _init_raw(self.init_, X, loss) if raw is None else raw  # no stage yet

    @property
    def feature_importances_(self):
        """Feature importances of the stages' members, summing to 1.

        For scikit-learn trees, their impurity decreases summed over all
        stages, then normalised, as in scikit-learn's gradient boosting
        (early stages, fitted to larger residuals, weigh more); for other
        members, the mean of their normalised ``feature_importances_``.
        Only available when the members expose ``feature_importances_``.
        """
        check_is_fitted(self)
        members = [m for m in self.estimators_.ravel()]
        if not all(hasattr(m, "feature_importances_") for m in members):
            raise AttributeError(
                "feature_importances_ is available only when the members "
                "have feature_importances_."
            )
        total = np.zeros(self.n_features_in_)
        for member in members:
            if hasattr(member, "tree_"):
                total += member.tree_.compute_feature_importances(normalize=False)
                continue
            importance = np.asarray(member.feature_importances_, dtype=np.float64)
            if importance.sum() > 0:
                total += importance / importance.sum()
        if total.sum() == 0:
            return total
        return total / total.sum()
