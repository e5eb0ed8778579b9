"""Growing a boosted ensemble stage by stage: ``_BaseBoosting``.

The boosting loop shared by BoostingRegressor and BoostingClassifier:
preparing a fit (validation, weights, seeds drawn up front, the
early-stopping split, the warm-start checks), the starting state (the
initial model, or the stages of a warm start), one stage (the loss's
negative gradient, a member per gradient column fitted through
:func:`~ensembles._parallel.parallel_map`, per-leaf refinement or a line
search, the update and the scores), the fitted attributes, and the staged
raw predictions. The per-fit state is :mod:`ensembles._boosting_state`'s;
the losses live in :mod:`ensembles._losses`; fitting members and the tree
surgery of the per-leaf refinement in :mod:`ensembles._members`; the
public classes in :mod:`ensembles._boosting`.
"""

import contextlib
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping
from sklearn.utils.metaestimators import available_if
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_is_fitted

from ._base import (
    HomogeneousEnsemble,
    check_sample_weight,
    check_target_magnitude,
    unfitted_on_error,
    validate_X,
    validate_X_y,
)
from ._boosting_state import _StageRows, _Stages, _TrainingData
from ._members import (
    MemberFactory,
    check_finite_output,
    draw_seeds,
    fit_member,
    is_sklearn_tree,
    member_input,
    member_input_tags,
    set_tree_leaf_values,
    tree_leaves,
)
from ._parallel import arrays_sent_once, member_threads, parallel_map, progress
from ._routing import consumes, route_metadata, routing_enabled
from ._scale_safe import normalised_weights, power_of_two_scale
from ._sklearn_private import HasMethods, Interval, StrOptions, _fit_context


def _fit_stage_member(
    make_member, X, target, rows, sample_weight, seed, call_params, metadata
):
    """Fit one member to one column of the negative gradient; return it with
    its predictions on all of X (needed for the line search and the update).

    ``metadata`` is routed to its ``fit``, restricted to its rows when they
    are copied."""
    member = make_member(seed)
    fit_member(
        member,
        X,
        target,
        indices=rows,
        sample_weight=sample_weight,
        counts_as_weights=True,
        fit_params={**call_params, **metadata},
    )
    return member, _predict(member, X, call_params)


def _members_have_apply(ensemble):
    """Whether the members of ``ensemble`` have ``apply`` (trees)."""
    estimator = getattr(ensemble, "estimator_", None)
    if estimator is None:
        estimator = ensemble._get_estimator()
    return hasattr(estimator, "apply")


def _predict(member, X, call_params):
    return np.asarray(member.predict(X, **call_params), dtype=np.float64).ravel()


def _stage_predictions(members, X, call_params):
    """The predictions of a stage's members on X, a column each."""
    return np.column_stack([_predict(member, X, call_params) for member in members])


def _init_raw(init, X, loss, ensemble):
    """Raw predictions of the initial model ``init`` (or "zero") on X;
    a ValueError naming it if they are not finite."""
    if isinstance(init, str):  # "zero"
        return np.zeros((X.shape[0], loss.n_columns))
    return check_finite_output(
        loss.raw_from_init(init, X),
        f"{type(ensemble).__name__}: the initial estimator ({type(init).__name__})",
    )


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
        tree = DecisionTreeRegressor(max_depth=3)
        if routing_enabled():
            # The default members take the weights, as scikit-learn's
            # gradient boosting's trees do; the user cannot ask for it.
            tree.set_fit_request(sample_weight=True)
        return tree

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
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        monitor=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
        **fit_params,
    ):
        """Fit the boosted ensemble, one stage after another.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse matrices and missing values are accepted
            when the base estimator accepts them.
        y : array-like of shape (n_samples,)
            Target values (class labels for classification).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used in every loss and line search and passed
            to every member's ``fit`` (a member whose ``fit`` does not take
            them is an error) and to the initial estimator's. With metadata
            routing enabled, the members and a given ``init`` receive them
            only when they request them (``set_fit_request``); a member
            that does not is fitted on its subsample's rows. Weights so
            large that a sum of n_samples of them overflows float64 are
            refused, as are regression targets so large: the members sum
            them.
        monitor : callable, default=None
            Called after each stage as ``monitor(i, self, locals())``, with
            ``i`` the stage's index and ``self`` already holding the fitted
            attributes of the stages so far (it can predict); when it
            returns True, fitting stops there. For held-out estimates,
            custom early stopping or snapshots, as in scikit-learn's
            gradient boosting.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            Rows to stop early on, instead of the ``validation_fraction``
            split of X (as HistGradientBoosting's ``X_val``): every row of X
            is then trained on. Needs ``n_iter_no_change``. A stack hands a
            member its fold's held-out rows here.
        y_val : array-like of shape (n_val,), default=None
            Their targets (labels seen in y, for a classifier).
        sample_weight_val : array-like of shape (n_val,), default=None
            Their weights in the validation loss.
        **fit_params : dict
            Metadata routed to the members' and ``init``'s ``fit``, those
            that request it (only with
            ``sklearn.set_config(enable_metadata_routing=True)``); members
            fitted on a subsample get the values of their rows.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        # sample_weight is routed too: a member (or init) whose request is
        # unset is then scikit-learn's error, not silently fitted unweighted.
        routed = route_metadata(self, "fit", fit_params, sample_weight=sample_weight)
        estimator = self._checked_estimator()
        n_features_before = getattr(self, "n_features_in_", None)
        data = self._training_data(X, y, sample_weight, estimator, routed)
        loss = self._make_loss()
        split_seed, stage_seeds = self._draw_seeds(loss.n_columns)
        if X_val is None and y_val is None and sample_weight_val is None:
            train, held_out = self._hold_out(data, split_seed)
        else:
            train = data
            held_out = self._validation_data(X_val, y_val, sample_weight_val, estimator)
        n_fitted = self._warm_start_members(
            estimator,
            data.X.shape[1],
            n_features_before,
            stale=self._attributes_not_set(held_out),
        )
        if n_fitted is None:
            return self
        stages = self._starting_stages(n_fitted, train, held_out, loss)
        self._fit_stages(
            stages, estimator, loss, train, held_out, stage_seeds, monitor=monitor
        )
        self._set_fitted(stages, estimator, loss, held_out)
        return self

    def get_metadata_routing(self):
        """Get the metadata routing of this ensemble.

        ``fit`` routes metadata to the base estimator's ``fit`` (every
        member) and to ``init``'s ``fit`` when ``init`` is an estimator.
        The ensemble consumes ``sample_weight`` itself.

        Returns
        -------
        routing : MetadataRouter
            The routing of the metadata that ``fit`` receives.
        """
        router = MetadataRouter(owner=self).add_self_request(self)
        router.add(
            estimator=self._get_estimator(),
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        if self.init is not None and not isinstance(self.init, str):
            router.add(
                init=self.init,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        return router

    def _training_data(self, X, y, sample_weight, estimator, routed):
        """The validated training data: y encoded, the weights checked, the
        metadata routed to the members and to ``init``."""
        X, y = validate_X_y(
            self,
            X,
            y,
            **member_input_tags(estimator),
            y_numeric=not is_classifier(self),
        )
        y = self._encode_y(column_or_1d(y, warn=True))
        if not is_classifier(self):
            check_target_magnitude(y)
        # The members and ``init`` are fitted with the weights as given.
        sample_weight = check_sample_weight(sample_weight, X.shape[0], for_members=True)
        self._check_weighted_target(y, sample_weight)
        loss_weight = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        return _TrainingData(
            X,
            y,
            sample_weight,
            loss_weight,
            metadata=dict(routed.estimator.fit),
            init_metadata=dict(routed.get("init", {}).get("fit", {})),
        )

    def _check_weighted_target(self, y, sample_weight):
        """Hook: the classifier refuses weights that leave one class."""

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

    def _validation_data(self, X_val, y_val, sample_weight_val, estimator):
        """The validation rows given to ``fit``, checked as the training
        rows are."""
        if self.n_iter_no_change is None:
            raise ValueError(
                "X_val and y_val are the rows early stopping scores on; set "
                "n_iter_no_change to stop early, or leave them out."
            )
        if X_val is None or y_val is None:
            raise ValueError("Early stopping on given rows needs both X_val and y_val.")
        X_val = validate_X(self, X_val, **member_input_tags(estimator))
        y_val = column_or_1d(y_val)
        if len(y_val) != X_val.shape[0]:
            raise ValueError(
                f"X_val has {X_val.shape[0]} rows and y_val {len(y_val)} values."
            )
        if is_classifier(self):
            unseen = ~np.isin(y_val, self.classes_)
            if unseen.any():
                raise ValueError(
                    "y_val holds labels that y does not: "
                    f"{np.unique(y_val[unseen])[:5].tolist()}."
                )
            y_val = np.searchsorted(self.classes_, y_val)
        else:
            y_val = y_val.astype(np.float64)
        weight = check_sample_weight(sample_weight_val, len(y_val), for_members=True)
        loss_weight = np.ones(len(y_val)) if weight is None else weight
        if not np.any(loss_weight > 0):
            raise ValueError(
                "Every row of X_val has zero sample_weight_val, so no "
                "validation score can be computed."
            )
        return _TrainingData(X_val, y_val, weight, loss_weight)

    def _hold_out(self, data, split_seed):
        """The rows to fit on and those held out for early stopping (None
        without early stopping)."""
        if self.n_iter_no_change is None:
            return data, None
        # The rows are split by index (the same split as of the arrays
        # themselves), so that the metadata can follow them.
        train_rows, val_rows = train_test_split(
            np.arange(data.y.shape[0]),
            test_size=self.validation_fraction,
            random_state=split_seed,
            # Class indices as floats, as scikit-learn stratifies (the same
            # split; its error names a class too small to split as 1.0).
            stratify=data.y.astype(np.float64) if is_classifier(self) else None,
        )
        train, held_out = data.rows(train_rows), data.rows(val_rows)
        if is_classifier(self) and len(np.unique(train.y)) < self.n_classes_:
            raise ValueError(
                "The training data after the early stopping split is missing "
                "some classes: lower validation_fraction or give more samples."
            )
        if not np.any(held_out.loss_weight > 0):
            raise ValueError(
                "Every row held out for early stopping has zero "
                "sample_weight, so no validation score can be computed; "
                "raise validation_fraction or give those rows weight."
            )
        return train, held_out

    def _attributes_not_set(self, held_out):
        """Fitted attributes that a previous fit may have set and this one
        will not."""
        names = []
        if self.subsample >= 1.0:
            # Out-of-bag scores would not cover this fit's stages.
            names += ["oob_improvement_", "oob_scores_", "oob_score_"]
        if held_out is None:
            names.append("validation_score_")
        return names

    def _starting_stages(self, n_fitted, train, held_out, loss):
        """What the fit grows: a fresh initial model alone, or, for a warm
        start, the ``n_fitted`` stages already fitted."""
        if not n_fitted:
            init = self._fit_init(train, loss)
            return _Stages(
                init=init,
                raw=_init_raw(init, train.X, loss, self),
                raw_val=(
                    None
                    if held_out is None
                    else _init_raw(init, held_out.X, loss, self)
                ),
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
            validation_score=list(getattr(self, "validation_score_", [])),
            **self._oob_so_far(n_fitted),
        )

    def _oob_so_far(self, n_fitted):
        """The out-of-bag scores of the ``n_fitted`` stages a warm start
        keeps. A warm start that turns subsampling on pads them with zeros,
        as scikit-learn does; its first stage's improvement is then measured
        against the loss before it."""
        if self.subsample >= 1.0:
            return {}
        if not hasattr(self, "oob_scores_"):
            return dict(
                oob_improvement=[0.0] * n_fitted,
                oob_scores=[0.0] * n_fitted,
                first_oob_stage=n_fitted,
            )
        return dict(
            oob_improvement=list(self.oob_improvement_),
            oob_scores=list(self.oob_scores_),
        )

    def _fit_stages(
        self, stages, estimator, loss, train, held_out, stage_seeds, *, monitor
    ):
        """Add stages to ``stages`` up to n_estimators, or until the
        validation loss stops improving or ``monitor`` returns True."""
        make_member = MemberFactory(
            estimator, n_threads=member_threads(self._n_jobs(), loss.n_columns)
        )
        # With routing enabled, only members that request the weights get
        # them (None: as their fit signature says).
        member_weights = (
            consumes(estimator, "fit", "sample_weight") if routing_enabled() else None
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
            unit="stage",
        )
        # One Parallel call per stage: on Dask, X goes to the workers once
        # for the whole fit rather than once per stage. The progress bar is
        # closed as the loop ends, early stopping and errors included.
        with (
            contextlib.closing(stage_numbers),
            arrays_sent_once(train.X, train.sample_weight),
        ):
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
                    member_weights=member_weights,
                )
                if monitor is not None:
                    # The monitor sees a fitted ensemble of the stages so far.
                    self._set_fitted(stages, estimator, loss, held_out)
                    if monitor(stage, self, locals()):
                        break
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
        self,
        stage,
        stages,
        loss,
        train,
        held_out,
        seeds,
        *,
        make_member,
        refine_leaves,
        member_weights,
    ):
        """Fit one stage and add it, with its scores, to ``stages``.

        ``seeds`` holds one seed per member, then the subsample's; ``train``
        and ``held_out`` are prepared for the members. ``member_weights``:
        whether the members get the user's weights (None: when their
        ``fit`` takes them).
        """
        n_samples = train.y.shape[0]
        indices = None
        if self.subsample < 1.0:
            n_in_bag = max(1, int(self.subsample * n_samples))
            indices = np.sort(
                sample_without_replacement(n_samples, n_in_bag, random_state=seeds[-1])
            )
        rows = _StageRows.take(indices, train, stages.raw)
        if not np.any(rows.loss_weight > 0):
            raise ValueError(
                f"The subsample of stage {stage} ({len(rows.y)} of {n_samples} "
                f"rows, subsample={self.subsample}) holds only rows of zero "
                "sample_weight, so no member can be fitted to it: raise "
                "subsample or give more rows a positive weight."
            )
        loss.prepare_stage(rows.y, rows.raw, rows.loss_weight)
        gradient = loss.negative_gradient(train.y, stages.raw)
        # The members fit the gradient scaled by a power of two when it is
        # of extreme magnitude (residuals of 1e154, say), so that their own
        # sums of squares do not overflow: the stage's step along their
        # predictions is computed (a line search, or leaf values), so the
        # scale of what they fit does not change the stage.
        try:
            members, direction = self._fit_members(
                stage,
                gradient * power_of_two_scale(gradient),
                rows,
                train,
                seeds[:-1],
                make_member,
                member_weights,
            )
        except ValueError as error:
            # The gradient they fit is finite and of ordinary magnitude: a
            # member that predicts NaN or infinity, or fails, with weights
            # so large that its own weighted sums overflow, says so.
            weights = train.sample_weight
            if weights is None or power_of_two_scale(weights) >= 1.0:
                raise
            raise ValueError(
                f"{error}; sample_weight too large for it (weights reach "
                f"{np.max(weights):.3g}): its weighted sums overflow float64. "
                "Divide sample_weight by a common factor."
            ) from error
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
        with np.errstate(over="ignore", invalid="ignore"):
            raw = stages.raw + direction * step
        if not (np.all(np.isfinite(step)) and np.all(np.isfinite(raw))):
            # The targets are summable and the line searches scale-safe: only
            # members whose predictions are tiny next to the residuals (a
            # step beyond float64's range) get here.
            if not is_classifier(self) and power_of_two_scale(train.y) < 1.0:
                cause = ": targets too large for these members. Divide y by a "
                cause += "common factor."
            else:
                cause = (
                    ": the members' predictions are too small next to what "
                    "they fit (a member that barely responds to X, such as a "
                    "linear model on features of tiny scale). Scale X, or use "
                    "other members."
                )
            raise ValueError(
                f"{type(self).__name__}: stage {stage} moves the ensemble's "
                "raw predictions beyond float64's range (its step along the "
                f"members' predictions reaches infinity: {step})" + cause
            )

        stages.members.append(members)
        stages.steps.append(step)
        # Scores on scikit-learn's scale (loss.score).
        stages.train_score.append(loss.score(rows.y, rows.of(raw), rows.loss_weight))
        if indices is not None:
            # As scikit-learn defines them: the loss on this stage's
            # out-of-bag rows after it, and its fall from the previous
            # stage's score (for the first, from the loss before the stage
            # on the same rows).
            out_of_bag = np.ones(n_samples, dtype=bool)
            out_of_bag[indices] = False
            y_out, weight_out = train.y[out_of_bag], train.loss_weight[out_of_bag]
            score = loss.score(y_out, raw[out_of_bag], weight_out)
            if stage == stages.first_oob_stage:
                previous = loss.score(y_out, stages.raw[out_of_bag], weight_out)
            else:
                previous = stages.oob_scores[-1]
            stages.oob_scores.append(score)
            stages.oob_improvement.append(previous - score)
        stages.raw = raw
        if held_out is not None:
            predictions = self._check_stage(
                _stage_predictions(members, held_out.X, held_out.call_params),
                stage,
                members,
                "predict (on the rows held out for early stopping)",
            )
            stages.raw_val = stages.raw_val + predictions * step
            validation_score = loss.score(
                held_out.y, stages.raw_val, held_out.loss_weight
            )
            if not np.isfinite(validation_score):
                cause = (
                    "."
                    if is_classifier(self)
                    else ": targets too large for early stopping. Divide y by "
                    "a common factor, or set n_iter_no_change=None."
                )
                raise ValueError(
                    f"{type(self).__name__}: the validation loss of stage "
                    f"{stage} overflows float64 ({validation_score}), so early "
                    "stopping cannot compare stages" + cause
                )
            stages.validation_score.append(validation_score)

    def _fit_members(
        self, stage, gradient, rows, train, seeds, make_member, member_weights
    ):
        """Fit a member to each column of the negative gradient, in parallel.

        Returns the members and their predictions on every training row, a
        column each.
        """
        n_columns = len(seeds)
        sample_weight = None if member_weights is False else train.sample_weight
        fitted = parallel_map(
            _fit_stage_member,
            (
                (
                    make_member,
                    train.X,
                    gradient[:, column],
                    rows.indices,
                    sample_weight,
                    seed,
                    train.call_params,
                    train.metadata,
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
        # Checked before anything uses them: a NaN would otherwise surface a
        # stage later, as the next member's "Input y contains NaN".
        predictions = self._check_stage(
            np.column_stack([prediction for _, prediction in fitted]),
            stage,
            members,
            "predict",
        )
        return members, predictions

    def _check_stage(self, predictions, stage, members, method):
        """Refuse NaN or infinity in the predictions of a stage's members (a
        column each), naming the member; return the predictions."""
        name = type(self).__name__

        def find_member():
            for column, member in enumerate(members):
                in_column = f", class column {column}" if len(members) > 1 else ""
                check_finite_output(
                    predictions[:, column],
                    f"{name}: the member of stage {stage}{in_column} "
                    f"({type(member).__name__})",
                    method=method,
                )

        return check_finite_output(
            predictions,
            f"{name}: the members of stage {stage}",
            method=method,
            find_member=find_member,
        )

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
            self.oob_scores_ = np.array(stages.oob_scores)
            self.oob_score_ = float(self.oob_scores_[-1])
        if held_out is not None:
            self.validation_score_ = np.array(stages.validation_score)

    def _fit_init(self, train, loss):
        """Fit the initial model on the training rows ``train``.

        The loss's own constant model always gets the user's weights; a
        given ``init`` gets them when its ``fit`` takes them (a ValueError
        otherwise, as in scikit-learn), or, with metadata routing enabled,
        when it requests them, with the metadata routed to it.
        """
        if isinstance(self.init, str):  # "zero"
            return "zero"
        if self.init is None:
            init = loss.init_estimator()
            if train.sample_weight is None:
                return init.fit(train.X, train.y)
            # Its constant is a ratio of weighted sums: normalised weights
            # give the same constant and cannot overflow.
            return init.fit(
                train.X, train.y, sample_weight=normalised_weights(train.sample_weight)
            )
        init = clone(self.init)
        self._check_init(init)
        params = dict(train.init_metadata)
        if train.sample_weight is not None:
            if consumes(init, "fit", "sample_weight"):
                params["sample_weight"] = train.sample_weight
            elif not routing_enabled():
                raise ValueError(
                    f"The initial estimator {type(init).__name__} does not "
                    "support sample weights."
                )
        return init.fit(train.X, train.y, **params)

    def _check_init(self, init):
        """Hook: refuse an ``init`` of the wrong kind."""

    # -- prediction ---------------------------------------------------------
    def _staged_raw(self, X):
        """Yield the raw predictions after each stage, each checked to be
        finite."""
        check_is_fitted(self)
        X = validate_X(self, X, **member_input_tags(self.estimator_))
        return (
            self._check_raw(raw, X, self._loss)
            for raw in self._staged_raw_from_valid(X, self._loss)
        )

    def _staged_raw_from_valid(self, X, loss):
        raw = _init_raw(self.init_, X, loss, self)
        X, call_params = member_input(self.estimator_, X)
        for members, step in zip(self.estimators_, self.estimator_weights_):
            raw = raw + _stage_predictions(members, X, call_params) * step
            yield raw

    def _check_raw(self, raw, X, loss):
        """Refuse raw predictions that are not finite, naming the first
        member at fault: one pass over ``raw``; only when it fails are the
        stages run again, checked one by one."""

        def find_member():
            _init_raw(self.init_, X, loss, self)
            X_members, call_params = member_input(self.estimator_, X)
            for stage, members in enumerate(self.estimators_):
                self._check_stage(
                    _stage_predictions(members, X_members, call_params),
                    stage,
                    members,
                    "predict",
                )

        return check_finite_output(
            raw, f"{type(self).__name__}: the stages", find_member=find_member
        )

    def _raw_predict(self, X):
        check_is_fitted(self)
        X = validate_X(self, X, **member_input_tags(self.estimator_))
        return self._raw_from_valid(X, self._loss)

    def _raw_from_valid(self, X, loss):
        """Raw predictions of every stage for X already validated, checked
        to be finite."""
        raw = None
        for raw in self._staged_raw_from_valid(X, loss):
            pass
        if raw is None:  # no stage yet
            return _init_raw(self.init_, X, loss, self)
        return self._check_raw(raw, X, loss)

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
        X_leaves : ndarray of shape (n_samples, `n_estimators_`, K)
            The leaf index, as float, of each sample in each member; K is
            the number of members per stage (1 for regression and binary
            classification, n_classes otherwise). BoostingRegressor returns
            shape (n_samples, `n_estimators_`), as scikit-learn's does.
        """
        check_is_fitted(self)
        X = validate_X(self, X, **member_input_tags(self.estimator_))
        X, call_params = member_input(self.estimator_, X)
        n_stages, n_columns = self.estimators_.shape
        leaves = np.zeros((X.shape[0], n_stages, n_columns))
        for (stage, column), member in np.ndenumerate(self.estimators_):
            ids = np.asarray(member.apply(X, **call_params))
            if ids.ndim != 1:
                raise ValueError(
                    f"apply needs members that give one leaf per sample; "
                    f"{type(member).__name__}.apply gives shape {ids.shape}."
                )
            leaves[:, stage, column] = ids
        return leaves

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
