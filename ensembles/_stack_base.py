"""What every stack does: ``_BaseStacking``, the orchestration.

Fitting the layers in order (each layer's members in one parallel batch,
through :func:`~ensembles._parallel.parallel_map`), routing metadata to
the members and the final estimator, fitting the final estimator, the
fitted layout, and ``transform`` through the fitted layers. One member's
k-fold life (its fold fits and out-of-fold columns) lives in
:mod:`ensembles._stack_member`; the ``estimators`` parameter in
:mod:`ensembles._stack_layers`; each layer's splits in
:mod:`ensembles._stack_splits`; the public classes in
:mod:`ensembles._stacking`.
"""

import time
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    TransformerMixin,
    is_classifier,
)
from sklearn.frozen import FrozenEstimator
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping
from sklearn.utils.validation import check_is_fitted

from ._base import (
    check_sample_weight,
    check_target_magnitude,
    unfitted_on_error,
    validate_X,
    validate_X_y,
)
from ._fold_fits import predicts_out_of_bag, rounds_settable, stops_early
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
from ._routing import (
    consumes,
    explicit_requests,
    raise_for_params,
    route_metadata,
    routing_enabled,
)
from ._scale_safe import power_of_two_scale
from ._sklearn_private import (
    HasMethods,
    Interval,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    _safe_indexing,
)
from ._stack_budget import TimeBudget
from ._stack_defaults import (
    NumericCodes,
    default_final_estimator,
    default_line_up,
    weights_for_line_up,
)
from ._stack_layers import LayeredMembersMixin, is_drop, is_member
from ._stack_member import (
    FoldTask,
    LayerMember,
    collect_member,
    fit_fold,
    other_folds_rounds,
    predict_with_other_folds_rounds,
    regrow_calls,
    regrow_seconds,
)
from ._stack_splits import LayerSplitsMixin


class TrainingTarget(NamedTuple):
    """What every layer and the final estimator are fitted to.

    Attributes
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        The target: class indices for a classifier (a 0/1 indicator
        matrix for a multilabel one), float64 otherwise.
    sample_weight : ndarray of shape (n_samples,) or None
        The validated sample weights passed to ``fit`` (they weigh the
        out-of-fold scores).
    n_classes : int or None
        Number of classes; None for a regressor and a multilabel target.
    multilabel : bool
        Whether y is a multilabel indicator matrix.
    """

    y: np.ndarray
    sample_weight: np.ndarray | None
    n_classes: int | None
    multilabel: bool = False


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
    splitter : cross-validation splitter or None
        Splits ``rows`` into folds; None with ``cv="prefit"``.
    member_seed : int or None
        Seeds the seeds of its fits; None leaves the members' own
        ``random_state`` as they are (``random_state=None``).
    metadata : dict
        Per member name, the metadata routed to its ``fit``.
    """

    number: int
    members: list
    X_layer: object
    rows: np.ndarray
    splitter: object
    member_seed: int | None
    metadata: dict


# --------------------------------------------------------------------------
# Shared base
# --------------------------------------------------------------------------
def _with_fold_rounds(call, calls, results):
    """The refit ``call`` of a member that stops early, set to run the mean
    rounds its fold fits (those in ``results``) chose."""
    task, *data = call
    rounds = [
        results[i][2].rounds
        for i, (other, *_) in enumerate(calls)
        if i in results and other.member is task.member and other.test is not None
    ]
    mean_rounds = max(1, int(round(np.mean(rounds))))
    return (task._replace(rounds=mean_rounds), *data)


def _add_overflow_cause(error, target, regression):
    """Re-raise a member's ValueError, with the likely cause when weights or
    targets are extreme: its own error ("array must not contain infs"), or
    its predictions that are not finite, do not say that they made it
    overflow."""
    cause = _overflow_cause(target, regression)
    if cause == ".":
        raise error
    raise ValueError(f"{error}{cause}") from error


def _overflow_cause(target, regression):
    """The likely cause of a member's failure or of its predictions that
    are not finite, as the end of an error message: weights or targets of
    extreme magnitude, for which its own arithmetic overflows ("." when
    neither is extreme)."""
    if target.sample_weight is not None and (
        power_of_two_scale(target.sample_weight) < 1.0
    ):
        largest = np.max(target.sample_weight)
        return (
            f"; sample_weight too large for it (weights reach {largest:.3g}): "
            "its weighted sums overflow float64. Divide sample_weight by a "
            "common factor."
        )
    if regression and power_of_two_scale(target.y) < 1.0:
        largest = np.max(np.abs(target.y))
        return (
            f"; targets too large for it (|y| reaches {largest:.3g}): its "
            "arithmetic with such values or their squares overflows float64. "
            "Divide y by a common factor."
        )
    return "."


class _BaseStacking(
    LayeredMembersMixin,
    LayerSplitsMixin,
    TransformerMixin,
    MetaEstimatorMixin,
    BaseEstimator,
):
    _parameter_constraints: dict = {
        "estimators": [list, None],
        "final_estimator": [None, HasMethods("fit")],
        "cv": [
            "cv_object",
            Interval(Real, 0, 1, closed="neither"),
            StrOptions({"prefit"}),
        ],
        "n_repeats": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "passthrough": ["boolean"],
        "final_input": [StrOptions({"auto", "last_layer", "all_layers"})],
        "oof_from_oob": ["boolean", StrOptions({"auto"})],
        "time_limit": [None, Interval(Real, 0, None, closed="neither")],
        "refit": ["boolean", StrOptions({"auto"})],
        "keep_fold_models": ["boolean", StrOptions({"auto"})],
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

    # -- fitting --------------------------------------------------------------
    @unfitted_on_error
    @_fit_context(prefer_skip_nested_validation=False)  # members validate theirs
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the stack: each layer, then the final estimator.

        Each layer is fitted on the out-of-fold predictions of the one
        below (the first on X).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Target values (class labels for classification, or a multilabel
            indicator matrix for :class:`StackingClassifier`).
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member and to the final estimator, restricted
            to the rows each is fitted on; with metadata routing enabled,
            to those that request it.
        **fit_params : dict
            Other metadata, routed to the members and the final estimator
            that request it (``groups`` for a member's inner
            cross-validation, say), restricted to the rows each is fitted
            on. Only with ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
            The fitted stack.
        """
        self._fit(X, y, sample_weight, fit_params)
        return self

    @unfitted_on_error
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y, sample_weight=None, **fit_params):
        """Fit, and return the features the final estimator was trained on.

        With k-fold cv every row's features are out-of-fold predictions
        (what the final estimator learnt from, unlike scikit-learn's
        in-sample predictions). With holdout blending only the held-out
        rows are out-of-sample; the others get :meth:`transform`'s values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Target values (class labels for classification).
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member and to the final estimator, restricted
            to the rows each is fitted on; with metadata routing enabled,
            to those that request it.
        **fit_params : dict
            Other metadata, routed as in :meth:`fit`.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            The final estimator's training input.
        """
        X_final, rows = self._fit(X, y, sample_weight, fit_params)
        if len(rows) == X_final.shape[0]:
            return X_final
        features = self._transform(X)
        features[rows] = X_final[rows]
        return features

    def _route_fit_metadata(self, sample_weight, fit_params):
        """The metadata of ``fit`` that each member and the final
        estimator receive: ``(by_member, final)``, ``by_member`` a dict of
        dicts by member name.

        With routing disabled, ``sample_weight`` goes to every member that
        is fitted and to the final estimator (a TypeError, scikit-learn's,
        for one whose ``fit`` does not take it) and other metadata is
        scikit-learn's error. With routing enabled, every piece goes to
        those that request it.
        """
        if not routing_enabled():
            raise_for_params(fit_params, self, "fit")
        if self.estimators is None:
            # The default line-up's members are the stack's own: each takes
            # the weights (prepare_weights), and nothing else.
            if routing_enabled():
                route_metadata(self, "fit", fit_params, sample_weight=sample_weight)
            weights = {} if sample_weight is None else {"sample_weight": sample_weight}
            by_member = {
                name: dict(weights)
                for layer in self._line_up.layers
                for name, _ in layer
            }
            return by_member, dict(weights)
        members = [
            item
            for item in self._named_members()
            if is_member(item) and not is_drop(item[1])
        ]
        if not routing_enabled():
            if sample_weight is None:
                return {name: {} for name, _ in members}, {}
            final = self._final_estimator()
            fitted = [(name, est) for name, est in members if not self._is_prefit(est)]
            for name, est in [*fitted, ("final_estimator", final)]:
                if not consumes(est, "fit", "sample_weight"):
                    raise TypeError(
                        f"Underlying estimator {type(est).__name__} ({name!r}) does "
                        "not support sample weights: fit without sample_weight or "
                        "use an estimator whose fit takes it."
                    )
            by_member = {name: {"sample_weight": sample_weight} for name, _ in members}
            return by_member, {"sample_weight": sample_weight}
        routed = route_metadata(self, "fit", fit_params, sample_weight=sample_weight)
        by_member = {name: dict(routed[name]["fit"]) for name, _ in members}
        return by_member, dict(routed["final_estimator_"]["fit"])

    def _final_estimator(self):
        if self.final_estimator is not None:
            return self.final_estimator
        if self.estimators is None:
            # The default line-up's: ensemble selection.
            final = default_final_estimator(is_classifier(self))
        else:
            final = self._default_final_estimator()
        if routing_enabled():
            # The user never holds the default final estimator, so cannot
            # request the weights for it: it takes them, as scikit-learn's
            # stack hands its final estimator every weight.
            final.set_fit_request(sample_weight=True)
        return final

    def _keeps_fold_models(self):
        """Whether fitted members keep their fold models: "auto" keeps them
        only when they predict (without refit)."""
        if self.keep_fold_models == "auto":
            return not self._refit
        return bool(self.keep_fold_models)

    def _is_prefit(self, estimator):
        """Whether ``estimator`` is used as given, never fitted by the stack."""
        return self._prefit() or isinstance(estimator, FrozenEstimator)

    def _seeds(self, rng, n_seeds):
        """``n_seeds`` seeds from ``rng``; None each with random_state=None,
        which leaves the members' own random_state as they are."""
        if self.random_state is None:
            return np.full(n_seeds, None, dtype=object)
        return draw_seeds(rng, n_seeds)

    def _resolve_configuration(self, X, weighted):
        """Read the "auto" and None settings for this fit.

        With ``estimators=None`` the default line-up for X (see
        :func:`~ensembles._stack_defaults.default_line_up`) gives the
        members, the folds, the repeats, the final estimator and whether
        it selects across layers (from 1000 rows); out-of-bag out-of-fold
        predictions are on, and members predict with their fold models. With explicit
        estimators the settings are scikit-learn's: 5 folds, one repeat,
        the final estimator on the last layer, k fold fits for every
        member and a refit on all rows.
        """
        line_up = None
        if self.estimators is None:
            line_up = default_line_up(
                X, classifier=is_classifier(self), weighted=weighted
            )
        self._line_up = line_up
        default = line_up is not None
        if self.cv is None:
            self._cv = line_up.cv if default else 5
        else:
            self._cv = self.cv
        # The line-up's repeats and out-of-bag shortcut apply to k-fold cv
        # (an int); a split of the user's (a float, a splitter, "prefit")
        # is used as given.
        k_fold = isinstance(self._cv, Integral)
        if self.n_repeats == "auto":
            self._n_repeats = line_up.n_repeats if default and k_fold else 1
        else:
            self._n_repeats = self.n_repeats
        self._passthrough = bool(self.passthrough)
        if self.final_input == "auto":
            self._all_layers_to_final = default and line_up.all_layers_to_final
        else:
            self._all_layers_to_final = self.final_input == "all_layers"
        self._out_of_bag = (
            default and k_fold
            if self.oof_from_oob == "auto"
            else bool(self.oof_from_oob)
        )
        # The default line-up predicts with its fold models (AutoGluon's
        # k-fold bagging), which scored better than refitting on the
        # benchmarks; explicit members refit, as scikit-learn's do.
        self._refit = (not default) if self.refit == "auto" else bool(self.refit)

    def _size_line_up_folds(self, y):
        """The default line-up's folds on small data: no more than the
        smallest class has rows (every row for a regressor), and at least
        2; a multilabel target is refused (LightGBM predicts one)."""
        if y.ndim > 1:
            raise ValueError(
                "The default line-up (estimators=None) predicts one target; "
                "for a multilabel target give the members (estimators=...)."
            )
        if self.cv is not None:
            return
        rows = np.bincount(y).min() if is_classifier(self) else len(y)
        self._cv = int(max(2, min(self._cv, rows)))

    def _fit(self, X, y, sample_weight, fit_params):
        """Fit every layer and the final estimator; return the final
        estimator's training input (out-of-fold) and the rows it was
        fitted on."""
        self._resolve_configuration(X, sample_weight is not None)
        routed, final_metadata = self._route_fit_metadata(sample_weight, fit_params)
        layers = self._checked_layers()
        if self._prefit() and self._n_repeats != 1:
            raise ValueError("n_repeats applies to k-fold cv, not to cv='prefit'.")
        if not self._refit and not self._keeps_fold_models():
            raise ValueError(
                "keep_fold_models=False drops the fold models, but with "
                "refit=False they are what the members predict with. Set "
                "refit=True (each member predicts with a model refitted on all "
                "rows, and only that model is kept) or keep_fold_models='auto'."
            )
        self._input_options = self._accepted_input(layers, self._passthrough)
        given = X
        X, y = validate_X_y(
            self,
            X,
            y,
            **self._input_options,
            multi_output=is_classifier(self),
            y_numeric=not is_classifier(self),
        )
        y = self._encode_y(y)
        if not is_classifier(self):
            check_target_magnitude(y)
        if self._line_up is not None:
            self._size_line_up_folds(y)
        self._check_class_counts(y)
        multilabel = y.ndim > 1
        target = TrainingTarget(
            y=y,
            # The members are fitted with the weights as given.
            sample_weight=check_sample_weight(
                sample_weight, X.shape[0], for_members=True
            ),
            n_classes=(
                len(self.classes_) if is_classifier(self) and not multilabel else None
            ),
            multilabel=multilabel,
        )

        rng = check_random_state(self.random_state)
        # Per layer: a seed for its splits and one for its members' seeds.
        layer_seeds = self._seeds(rng, 2 * len(layers)).reshape(len(layers), 2)
        final_seed = self._seeds(rng, 1)[0]
        final = self._final_estimator()
        # Ensemble selection weighs predictions: passthrough features are not.
        self._final_sees_X = self._passthrough and not combines_predictions(final)
        X_passthrough = self._passthrough_input(X, fit=True, given=given)
        X_layer, rows = frame_as_given(given, X), np.arange(X.shape[0])
        # An iterable of splits can be read only once: check_cv lists it.
        shared_splitter = None if self._seeded_cv() else self._splitter(None)
        fitted_layers = []
        below = []  # every layer's columns so far (all layers to the final)
        self.oof_scores_ = {}
        self._budget = None
        if self.time_limit is not None:
            self._budget = TimeBudget(self.time_limit, self.n_jobs, self.verbose)
        cost = self._line_up.cost if self._line_up is not None else {}
        self._member_costs = {
            name: cost.get(name, 1.0) for layer in layers for name, _ in layer
        }
        columns = None
        for number, (members, seeds) in enumerate(zip(layers, layer_seeds), start=1):
            if self._budget is not None and not self._layer_fits_budget(number, layers):
                break
            if columns is not None:  # the layer below's output
                X_layer = self._next_layer_input(columns, X_passthrough, False, below)
                below += columns
            split_seed, member_seed = seeds
            splitter = shared_splitter
            if splitter is None:
                splitter = self._splitter(split_seed, multilabel)
            layer = LayerPlan(
                number, members, X_layer, rows, splitter, member_seed, routed
            )
            fitted, columns, rows = self._fit_layer(layer, target)
            fitted_layers.append(fitted)
        X_layer = self._next_layer_input(columns, X_passthrough, True, below)
        below += columns

        # Seeded as the members are: the whole stack is reproducible.
        self.final_estimator_ = MemberFactory(final, keep_set_seeds=True)(final_seed)
        indices = None if len(rows) == X.shape[0] else rows
        final_weight = final_metadata.pop("sample_weight", None)
        final_weight = check_sample_weight(final_weight, X.shape[0], for_members=True)
        try:
            fit_member(
                self.final_estimator_,
                X_layer,
                target.y,
                indices=indices,
                sample_weight=final_weight,
                fit_params=final_metadata,
            )
        except ValueError as error:
            # Its own error ("Eigenvalues did not converge") does not say
            # that the weights or targets made its arithmetic overflow.
            cause = _overflow_cause(target, regression=not is_classifier(self))
            if cause == ".":
                raise
            raise ValueError(
                f"The final estimator ({type(self.final_estimator_).__name__}) "
                f"failed: {type(error).__name__}: {error}{cause}"
            ) from error
        self._check_final_predictions(X_layer, indices, target)
        self._set_layout(fitted_layers, len(layers))
        self._fit_layers = layers  # what was planned, for leaderboard()
        return X_layer, rows

    def _layer_fits_budget(self, number, layers):
        """Give layer ``number`` its share of the time budget; False when it
        is above the first and its first member's first repeat is not
        predicted to fit in the time left (the stack then ends below it)."""
        budget, cost = self._budget, self._member_costs
        layer_costs = [sum(cost[name] for name, _ in layer) for layer in layers]
        if number > 1:
            n_folds = self._cv if isinstance(self._cv, Integral) else 1
            predicted = budget.predict(cost[layers[number - 1][0][0]], n_folds)
            if not budget.fits_in_total(predicted):
                budget.say(
                    f"left out layer {number} and above: its first member is "
                    f"predicted to take {predicted:.1f}s, more than the "
                    f"{max(budget.remaining(), 0):.1f}s left"
                )
                for layer in layers[number - 1 :]:
                    for name, _ in layer:
                        budget.skipped.setdefault(name, "time limit: layer left out")
                return False
        budget.open_layer(layer_costs[number - 1], sum(layer_costs[number:]))
        return True

    def _check_final_predictions(self, X_final, indices, target):
        """Refuse a final estimator that predicts values that are not finite
        on its own training input, which happens with targets of extreme
        magnitude (a linear final estimator squares its inputs, the
        members' predictions of them). Only checked for such targets, so
        that ordinary fits pay nothing for it."""
        if is_classifier(self) or power_of_two_scale(target.y) == 1.0:
            return
        rows = X_final if indices is None else _safe_indexing(X_final, indices)
        if np.all(np.isfinite(self.final_estimator_.predict(rows))):
            return
        raise ValueError(
            f"The final estimator ({type(self.final_estimator_).__name__}) "
            "predicts values that are not finite (NaN or infinity) on the "
            "out-of-fold predictions it was fitted on"
            + _overflow_cause(target, regression=True)
        )

    def _set_layout(self, fitted_layers, n_layers):
        """Set the fitted attributes in scikit-learn's shape: flat lists for
        one layer, one list per layer of the ``n_layers`` configured
        otherwise (an empty list for a layer a time budget left out)."""
        self._one_layer_fitted = n_layers == 1
        self._n_layers_fitted = len(fitted_layers)
        padded = fitted_layers + [[] for _ in range(n_layers - len(fitted_layers))]

        def shaped(per_layer):
            return per_layer[0] if self._one_layer_fitted else per_layer

        self.members_ = shaped(padded)
        self.estimators_ = shaped(
            [[member._stack_entry() for member in layer] for layer in padded]
        )
        self.stack_method_ = shaped(
            [[member.stack_method_ for member in layer] for layer in padded]
        )
        entries = {
            member.name: member._stack_entry()
            for layer in fitted_layers
            for member in layer
        }
        # The default line-up's members are not parameters: those fitted.
        # A member a time budget skipped is not there; "drop" is the user's.
        named = dict.fromkeys(
            name for name, est in self._named_members() if is_drop(est)
        )
        self.named_estimators_ = Bunch(
            **{
                name: entries.get(name, "drop")
                for name, _ in self._named_members()
                if name in entries or name in named
            }
            or entries
        )

    def leaderboard(self):
        """Every member's out-of-fold score, fit time and weight in the blend.

        Like AutoGluon's ``leaderboard()``: one row per member of every
        layer (members a ``time_limit`` skipped included, with why), the
        best out-of-fold score first. Needs pandas.

        Returns
        -------
        leaderboard : pandas.DataFrame
            Columns ``member``, ``layer``, ``score`` (out-of-fold R² for a
            regressor, accuracy for a classifier: ``oof_scores_``),
            ``fit_time`` (seconds of its fits, summed over folds, repeats
            and refit), ``n_fits``, ``weight`` (its weight in an ensemble
            selection final estimator; NaN for another final estimator or
            a member it does not combine) and ``note`` (why a member was
            not fitted, empty otherwise).
        """
        check_is_fitted(self)
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - pandas is a test dependency
            raise ImportError(
                "leaderboard() returns a pandas DataFrame: pip install pandas "
                "(or the 'data' extra); oof_scores_ holds the scores as a dict."
            ) from error
        layers = self._member_layers()
        weights = self._member_weights(layers)
        skipped = {} if self._budget is None else self._budget.skipped
        rows = [
            {
                "member": member.name,
                "layer": number,
                "score": self.oof_scores_[member.name],
                "fit_time": member.fit_time_,
                "n_fits": member.n_fits_,
                "weight": weights.get(member.name, np.nan),
                "note": skipped.get(member.name, ""),
            }
            for number, layer in enumerate(layers, start=1)
            for member in layer
        ]
        fitted = {row["member"] for row in rows}
        rows += [
            {
                "member": name,
                "layer": number,
                "score": np.nan,
                "fit_time": 0.0,
                "n_fits": 0,
                "weight": np.nan,
                "note": skipped[name],
            }
            for number, layer in enumerate(self._fit_layers, start=1)
            for name, _ in layer
            if name not in fitted and name in skipped
        ]
        board = pd.DataFrame(rows)
        board = board.sort_values("score", ascending=False, na_position="last")
        return board.reset_index(drop=True)

    def _combined_weights(self):
        """The weights an ensemble selection final estimator gives the
        members it combines, in :meth:`_combined_members`' order (None for
        another final estimator)."""
        layers = self._member_layers()
        by_name = self._member_weights(layers)
        if not by_name:
            return None
        combined = layers if self._all_layers_to_final else layers[-1:]
        return np.array([by_name[m.name] for layer in combined for m in layer])

    def _member_weights(self, layers):
        """Each combined member's weight in an ensemble selection final
        estimator, by name (empty for another final estimator)."""
        weights = getattr(self.final_estimator_, "weights_", None)
        if weights is None or not combines_predictions(self.final_estimator_):
            return {}
        combined = layers if self._all_layers_to_final else layers[-1:]
        members = [member for layer in combined for member in layer]
        columns = [member._n_columns for member in members]
        if len(weights) == len(members):  # one weight per model
            return {m.name: float(w) for m, w in zip(members, weights)}
        if len(weights) == sum(columns):  # one weight per column
            bounds = np.cumsum([0, *columns])
            return {
                m.name: float(weights[bounds[i] : bounds[i + 1]].sum())
                for i, m in enumerate(members)
            }
        return {}

    def _member_layers(self):
        """``members_`` as one list per layer."""
        # NotFittedError, also after a refit that failed (which leaves the
        # private layout of the fit before it).
        check_is_fitted(self)
        layers = [self.members_] if self._one_layer_fitted else self.members_
        # Those fitted: a time budget may have left out the last ones.
        return layers[: getattr(self, "_n_layers_fitted", len(layers))]

    def _fit_layer(self, layer, target):
        """Fit every (member, repeat, fold) of ``layer`` in one parallel batch.

        Returns the fitted members, their out-of-fold columns and the rows
        some fold held out: the rows the next layer is trained on.
        """
        splits, held_out = self._layer_splits(layer, target)
        fold_labels = self._fold_labels(len(splits))
        folds = [
            (train, test, label) for (train, test), label in zip(splits, fold_labels)
        ]
        if self._refit:
            # On every row, the refit gets X itself, not a copy of its rows,
            # as scikit-learn's stack fits it: an instance-based member
            # (k-NN) then holds no copy of the data of its own.
            every_row = len(layer.rows) == target.y.shape[0]
            folds.append((None if every_row else layer.rows, None, "refit on all rows"))
        planned = self._layer_members(layer, target, len(splits))
        every_row = len(layer.rows) == target.y.shape[0]
        member_folds = []
        for member, _, _ in planned:
            if member.prefit:
                # Not fitted: it predicts every row of the layer.
                member_folds.append([(None, layer.rows, "prefit")])
            elif member.out_of_bag:
                member_folds.append(
                    [
                        (
                            None if every_row else layer.rows,
                            layer.rows,
                            "fit on all rows (out-of-bag predictions)",
                        )
                    ]
                )
            else:
                member_folds.append(folds)
        n_tasks = sum(len(member_fold) for member_fold in member_folds)
        seeds = iter(
            np.full(n_tasks, None, dtype=object)
            if layer.member_seed is None
            else draw_seeds(np.random.RandomState(layer.member_seed), n_tasks)
        )
        # The arguments of fit_fold, in (member, fold) order: the order the
        # seeds are drawn in and the results are collected in.
        calls = [
            (
                FoldTask(member, label, train, test, next(seeds)),
                X_member,
                target.y,
                weight,
            )
            for (member, X_member, weight), member_fold in zip(planned, member_folds)
            for train, test, label in member_fold
        ]
        regression = not is_classifier(self)
        try:
            if self._budget is None:
                run = self._run_layer_fits(calls, layer, len(splits))
            else:
                run = self._run_layer_within_budget(calls, layer, len(splits))
        except ValueError as error:
            _add_overflow_cause(error, target, regression)
        results, targets, regrown = run
        predict_with_other_folds_rounds(
            calls, results, targets, regrown, self._keeps_fold_models()
        )

        # Each member's results, in task order; a member the time budget
        # skipped has none.
        fold_results, refit_results = {}, {}
        for i, (task, *_) in enumerate(calls):
            if i not in results:
                continue
            if task.test is None:
                refit_results[task.member.name] = results[i]
            else:
                fold_results.setdefault(task.member.name, []).append(
                    (task.test, task.fold, results[i])
                )
        fitted, columns = [], []
        stack = type(self).__name__
        weight = target.sample_weight
        held_out_weight = None if weight is None else weight[held_out]
        for member, _, _ in planned:
            if member.name not in fold_results:
                continue
            who = f"{stack}: member {member.name!r} (layer {layer.number})"
            try:
                fitted_member, member_columns = collect_member(
                    member,
                    fold_results[member.name],
                    refit_results.get(member.name),
                    held_out,
                    len(target.y),
                    who,
                    refit=self._refit,
                )
            except ValueError as error:
                _add_overflow_cause(error, target, regression)
            fitted_member.layer_ = layer.number
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

    def _run_layer_fits(self, calls, layer, n_splits):
        """Run every fit of ``layer``: one parallel batch, then those that
        wait for its fold fits (:meth:`_run_after_folds`). Returns what
        :meth:`_run_after_folds` does."""
        deferred = {
            i
            for i, (task, *_) in enumerate(calls)
            if task.member.stops_early and task.test is None
        }
        first = [i for i in range(len(calls)) if i not in deferred]
        results = dict(zip(first, self._run_fits([calls[i] for i in first], layer)))
        return self._run_after_folds(calls, results, sorted(deferred), layer, n_splits)

    def _run_after_folds(self, calls, results, refits, layer, n_splits):
        """Run, in one parallel batch, the fits that wait for the fold fits
        in ``results``: the refits on all rows (call indices ``refits``; a
        member that stops early runs the mean rounds of its folds) and the
        fold fits of LightGBM members regrown to the other folds' rounds
        (:func:`regrow_calls`).

        Returns
        -------
        results : dict
            Every result by call index, the refits' added.
        targets : dict
            :func:`other_folds_rounds`'s rounds by call index.
        regrown : dict
            The regrown fold fits' results by call index.
        """
        targets = other_folds_rounds(calls, results, self._splits_per_repeat(n_splits))
        regrow = regrow_calls(calls, results, targets)
        refit_calls = [
            _with_fold_rounds(calls[i], calls, results)
            if calls[i][0].member.stops_early
            else calls[i]
            for i in refits
        ]
        batch = list(regrow.values()) + refit_calls
        ran = self._run_fits(batch, layer) if batch else []
        regrown = dict(zip(regrow, ran))
        results.update(zip(refits, ran[len(regrow) :]))
        return results, targets, regrown

    def _splits_per_repeat(self, n_splits):
        """Of a layer's ``n_splits`` splits, those of one repeat: of the
        stack's ``n_repeats``, or of a repeated splitter given as ``cv``
        (scikit-learn's RepeatedKFold lists its splits repeat by repeat)."""
        # max: with parameter validation skipped, n_repeats may be 0.
        n_repeats = max(self._n_repeats, 1) if n_splits > 1 else 1
        given = getattr(self._cv, "n_repeats", 1)
        if n_repeats == 1 and isinstance(given, Integral) and given > 1:
            if n_splits % given == 0:
                n_repeats = given
        return max(n_splits // n_repeats, 1)

    def _run_layer_within_budget(self, calls, layer, n_splits):
        """Run the fits of ``layer`` unit by unit within the time budget:
        each member's first repeat in order, then their further repeats,
        then the refits. Returns what :meth:`_run_after_folds` does, for
        the calls that ran."""
        budget = self._budget
        per_repeat = self._splits_per_repeat(n_splits)
        units = {}  # (repeat, member's rank) -> call indices
        refits, rank, seen = [], {}, {}
        for i, (task, *_) in enumerate(calls):
            name = task.member.name
            rank.setdefault(name, len(rank))
            if task.test is None:
                refits.append(i)
                continue
            repeat = seen.get(name, 0) // per_repeat
            seen[name] = seen.get(name, 0) + 1
            units.setdefault((repeat, rank[name]), []).append(i)
        cost = self._member_costs
        results, first_repeat_seconds = {}, {}
        refit_seconds = 0.0  # predicted, of the refits still to run
        for repeat, member_rank in sorted(units):
            indices = units[(repeat, member_rank)]
            task = calls[indices[0]][0]
            name = task.member.name
            if repeat > 0 and name not in first_repeat_seconds:
                continue  # its first repeat was skipped
            refits_it = self._refit and not task.member.out_of_bag
            if repeat == 0:
                predicted = budget.predict(cost[name], len(indices))
                if predicted is not None and refits_it:
                    # and its refit, about one fit's time
                    predicted += budget.predict(cost[name], 1)
            else:
                predicted = first_repeat_seconds[name]
            if results and not budget.fits_in_layer(
                None if predicted is None else predicted + refit_seconds
            ):
                what = f"repeat {repeat + 1}" if repeat else "all its fits"
                budget.skip(
                    name,
                    "time limit: repeats skipped" if repeat else "time limit",
                    f"member {name!r} (layer {layer.number}), {what}: predicted "
                    f"{predicted:.1f}s, beyond the layer's share of time_limit",
                )
                continue
            start = time.perf_counter()
            ran = self._run_fits([calls[i] for i in indices], layer)
            results.update(zip(indices, ran))
            seconds = time.perf_counter() - start
            regrow = 0.0  # predicted, of its folds regrown after all units
            if task.member.stops_early and rounds_settable(task.member.estimator):
                regrow = budget.batch_seconds(regrow_seconds(ran))
                refit_seconds += regrow
            if repeat == 0:
                first_repeat_seconds[name] = seconds + regrow
                budget.record(cost[name], len(indices), seconds)
                if refits_it:
                    refit_seconds += budget.one_fit(seconds, len(indices))
            budget.say(
                f"fitted member {name!r} (layer {layer.number}), "
                f"repeat {repeat + 1}: {seconds:.1f}s"
            )
        # Every member that has folds gets its refit (it predicts).
        refits = [i for i in refits if calls[i][0].member.name in first_repeat_seconds]
        return self._run_after_folds(calls, results, refits, layer, n_splits)

    def _run_fits(self, calls, layer):
        """Run the :func:`fit_fold` calls of ``layer`` in one parallel batch;
        their results, in order."""
        tasks = [call[0] for call in calls]
        return list(
            parallel_map(
                fit_fold,
                calls,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                desc=f"{type(self).__name__}: layer {layer.number}",
                unit="fit",
                labels=[
                    f"Member {task.member.name!r} (layer {layer.number}), {task.fold}"
                    for task in tasks
                ],
                # The slowest member's folds go first.
                groups=[task.member.name for task in tasks],
            )
        )

    def _layer_members(self, layer, target, n_splits):
        """How each member of ``layer`` is fitted: a (LayerMember, X_member,
        sample_weight) triple per member, X_member being the input its fits
        are handed and sample_weight the weights routed to it."""
        n_threads = member_threads(self.n_jobs, len(layer.members) * max(n_splits, 1))
        methods = [self._stack_method(name, est) for name, est in layer.members]
        planned = []
        tree_input = None  # X prepared once for every scikit-learn tree member
        for (name, estimator), method in zip(layer.members, methods):
            X_member, as_weights, fit_params = layer.X_layer, False, {}
            prefit = self._is_prefit(estimator)
            if prefit:
                check_is_fitted(estimator)
            elif rows_as_weights(estimator):
                # Folds as 0/1 weights on one float32 copy of X, instead of a
                # copy of the training rows per fold.
                if tree_input is None:
                    tree_input = member_input(estimator, layer.X_layer)
                (X_member, fit_params), as_weights = tree_input, True
            metadata = dict(layer.metadata.get(name, {}))
            weight = check_sample_weight(
                metadata.pop("sample_weight", None), target.y.shape[0]
            )
            if self.estimators is None and weight is not None:
                weight, metadata = weights_for_line_up(estimator, weight, metadata)
            # A regressor member of a classifier stack predicts numbers, not
            # classes; a member with predict_proba or decision_function is a
            # classifier, ClassifierMixin or not.
            is_classifier_member = is_classifier(estimator) or method != "predict"
            out_of_bag = (
                not prefit
                and self._out_of_bag
                and not target.multilabel
                and predicts_out_of_bag(estimator, method)
            )
            if self._budget is not None:
                # Fitted unit by unit: the threads of the unit's fits.
                n_threads = member_threads(
                    self.n_jobs, 1 if out_of_bag else self._splits_per_repeat(n_splits)
                )
            member = LayerMember(
                name=name,
                estimator=estimator,
                stack_method=method,
                n_classes=target.n_classes if is_classifier_member else None,
                # Members the user seeded keep their seed; the others get one
                # from random_state, so the whole stack is reproducible.
                factory=None
                if prefit
                else MemberFactory(estimator, n_threads=n_threads, keep_set_seeds=True),
                rows_as_weights=as_weights,
                fit_params=fit_params,
                metadata=metadata,
                prefit=prefit,
                # A prefit member was fitted on the labels, not on indices.
                label_classes=self.classes_
                if prefit and is_classifier_member and not target.multilabel
                else None,
                multilabel=target.multilabel and is_classifier_member,
                # predict_with_other_folds_rounds needs them back, and
                # frees those the stack does not keep.
                keep_fold_models=self._keeps_fold_models()
                or (not prefit and rounds_settable(estimator)),
                stops_early=not prefit and stops_early(estimator),
                out_of_bag=out_of_bag,
            )
            planned.append((member, X_member, weight))
        return planned

    def _passthrough_input(self, X, fit=False, given=None):
        """X as passthrough hands it to the layers above the first and to the
        final estimator, next to the predictions: as numbers (None without
        passthrough). The default line-up codes text columns (fitted on the
        training X, with ``fit=True``)."""
        if not self._passthrough:
            return None
        if self._line_up is not None and not sparse.issparse(X):
            if fit:
                self._passthrough_codes = NumericCodes().fit(X, given)
            return self._passthrough_codes.transform(X)
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

    def _next_layer_input(self, columns, X_passthrough, last, below=()):
        """Input of the next layer (of the final estimator after the
        ``last`` layer): the members' columns, then X with passthrough.
        With ``final_input="all_layers"`` the final estimator gets the
        columns of the layers ``below`` first.
        With blending, rows a layer held out of the next one's training
        hold zeros there and are never used."""
        if last and self._all_layers_to_final:
            columns = [*below, *columns]
        predictions = np.hstack(columns)
        if not (self._final_sees_X if last else self._passthrough):
            return predictions
        if sparse.issparse(X_passthrough):
            return sparse.hstack([predictions, X_passthrough], format="csr")
        return np.hstack([predictions, X_passthrough])

    # -- prediction -----------------------------------------------------------
    def _transform(self, X):
        return self._run_layers(X, len(self._member_layers()))

    def _combined_members(self, X):
        """Every member whose output the final estimator gets for X (the
        last layer's, or every layer's with ``final_input="all_layers"``),
        with the input it predicts from: (member, X_member) pairs (the
        bias/variance decomposition reads their predictions)."""
        inputs = []
        self._run_layers(X, len(self._member_layers()), inputs)
        layers = self._member_layers()
        pairs = [
            (member, X_member)
            for layer, X_member in zip(layers, inputs)
            for member in layer
        ]
        if self._all_layers_to_final:
            return pairs
        return [(member, inputs[-1]) for member in layers[-1]]

    def _run_layers(self, X, n_layers, inputs=None):
        """X through the first ``n_layers`` layers of members; ``inputs``,
        when given, receives each layer's input."""
        check_is_fitted(self)
        given = X
        X = validate_X(self, X, **self._input_options)
        X_layer = frame_as_given(given, X)
        X_passthrough = self._passthrough_input(X)
        layers = self._member_layers()
        stack = type(self).__name__
        below = []
        for number, layer in enumerate(layers[:n_layers], start=1):
            if inputs is not None:
                inputs.append(X_layer)
            columns = [
                member.stack_output(
                    X_layer, f"{stack}: member {member.name!r} (layer {number})"
                )
                for member in layer
            ]
            last = number == len(layers)
            X_layer = self._next_layer_input(columns, X_passthrough, last, below)
            below += columns
        return X_layer

    def transform(self, X):
        """Compute the features the final estimator sees for X.

        They are the last layer's outputs (every layer's with
        ``final_input="all_layers"``), then X itself with passthrough
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
        layers = self._member_layers()
        combined = layers if self._all_layers_to_final else layers[-1:]
        for member in (member for layer in combined for member in layer):
            names.extend(member.stack_output_names(prefix))
        if self._final_sees_X:
            names.extend(input_features)
        return np.asarray(names, dtype=object)

    @property
    def n_features_out_(self):
        return len(self.get_feature_names_out())

    def get_metadata_routing(self):
        """Get the metadata routing of this stack.

        ``fit`` routes to every member's ``fit`` and to the final
        estimator's; ``predict`` to the final estimator's ``predict``. The
        final estimator's ``fit`` receives the metadata it explicitly
        requests, and a request it leaves unset is not an error
        (scikit-learn's stacking hands its final estimator the metadata
        of ``fit`` without checking requests).

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating routing information.
        """
        router = MetadataRouter(owner=self)
        try:
            members = self._named_members()
        except (TypeError, ValueError):  # estimators not valid: fit says
            members = []
        for name, estimator in members:
            if is_member((name, estimator)) and not is_drop(estimator):
                router.add(
                    **{name: estimator},
                    method_mapping=MethodMapping().add(caller="fit", callee="fit"),
                )
        final = getattr(self, "final_estimator_", None)
        if final is None:
            final = self._final_estimator()
        router.add(
            final_estimator_=explicit_requests(final, "fit"),
            method_mapping=MethodMapping()
            .add(caller="fit", callee="fit")
            .add(caller="predict", callee="predict"),
        )
        return router

    def _accepted_input(self, layers, passthrough):
        """The input every member that sees X accepts: the first layer's, and
        with passthrough every layer's. The default line-up takes missing
        values (its members handle or impute them), not sparse matrices."""
        if self.estimators is None:
            return {"allow_nan": True, "sparse": False}
        if passthrough:
            members = [est for layer in layers for _, est in layer]
        else:
            members = [est for _, est in layers[0]]
        return member_input_tags(*members)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            layers = [] if self.estimators is None else self._checked_layers()
        except (TypeError, ValueError):
            return tags
        accepted = self._accepted_input(layers, self.passthrough is True)
        if self.estimators is None:
            accepted = {"allow_nan": True, "sparse": False}
        tags.input_tags.allow_nan = accepted["allow_nan"]
        tags.input_tags.sparse = accepted["sparse"]
        return tags


def final_estimator_has(method):
    """Whether the stack's final estimator (fitted, given, or the default)
    has ``method``: the check of ``available_if``. When it has not, the
    final estimator's AttributeError is raised, and ``available_if`` chains
    it to the stack's, naming the cause."""

    def check(stack):
        final = getattr(stack, "final_estimator_", None)
        if final is None:
            final = stack._final_estimator()
        getattr(final, method)
        return True

    return check
