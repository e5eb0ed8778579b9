"""One stacking member's k-fold life.

A member of a layer is fitted once per (repeat, fold) on the other folds
and predicts the fold held out: :class:`LayerMember` says how a member is
fitted, :class:`FoldTask` is one such fit as handed to
:func:`~ensembles._parallel.parallel_map`, :func:`fit_fold` runs it, and
:func:`collect_member` averages a member's fits into its out-of-fold
columns and a fitted :class:`FoldBaggedMember`.

This module also owns the shape of what a member hands the next layer
(:func:`method_output`, :func:`stack_columns`) and how a classifier
member's columns are read back as classes (:func:`predicted_classes`).
"""

import time
import warnings
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from ._fold_fits import (
    fit_stopping_early,
    oob_output,
    rounds_kept,
    rounds_run,
    rounds_settable,
    set_prediction_rounds,
    with_oob,
    with_rounds,
    without_early_stopping_callbacks,
)
from ._members import (
    MemberFactory,
    check_finite_output,
    expand_proba,
    fit_member,
    one_column_per_pair,
)
from ._sklearn_private import _safe_indexing

__all__ = [
    "FoldBaggedMember",
    "FoldTask",
    "LayerMember",
    "OutputSpec",
    "collect_member",
    "fit_fold",
    "method_output",
    "predicted_classes",
    "stack_columns",
]


# --------------------------------------------------------------------------
# Fitting a member's folds
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LayerMember:
    """How one member of a layer is fitted and what it feeds forward.

    Parameters
    ----------
    name : str
        The member's name in the stack.
    estimator : estimator
        The member as the user gave it (never fitted itself).
    stack_method : str
        The method whose output feeds the next layer.
    n_classes : int or None
        Number of classes of a classifier member; None for a member that
        predicts numbers (a regressor, also inside a classifier stack).
    factory : MemberFactory
        Makes the seeded clone each fold fits.
    rows_as_weights : bool
        Whether a fold's training rows are given as 0/1 sample weights on
        the whole of X instead of as a copy of those rows.
    fit_params : dict
        Extra keyword arguments of the member's ``fit``.
    metadata : dict
        Metadata routed to the member's ``fit`` besides ``sample_weight``,
        for all rows: each fold fit gets its per-sample values restricted
        to its training rows.
    prefit : bool
        Whether the member is used as given, already fitted and never
        fitted again (``cv="prefit"`` or a ``FrozenEstimator``).
    label_classes : ndarray or None
        The stack's class labels when the member's models know the labels
        themselves (a prefit member), None when they were fitted on the
        stack's class indices.
    multilabel : bool
        Whether the target is a multilabel indicator matrix.
    keep_fold_models : bool
        Whether the fitted member keeps its fold models. When it does not
        (they do not predict: a refit model does), each fold fit hands back
        its out-of-fold output only and its model is freed as soon as it
        has predicted, so that the models never pile up during fit. A
        prefit member always keeps its model: it is what predicts. A
        LightGBM member that stops early hands its fold models back for
        :func:`predict_with_other_folds_rounds`, which frees them.
    stops_early : bool
        Whether each fold fit stops early on the fold's held-out rows
        (:func:`~ensembles._fold_fits.stops_early`).
    out_of_bag : bool
        Whether the member is fitted once on all rows and its out-of-fold
        output is its out-of-bag prediction
        (:func:`~ensembles._fold_fits.predicts_out_of_bag`); that one model
        predicts, and it is kept.
    """

    name: str
    estimator: object
    stack_method: str
    n_classes: int | None
    factory: MemberFactory
    rows_as_weights: bool = False
    fit_params: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    prefit: bool = False
    label_classes: np.ndarray | None = None
    multilabel: bool = False
    keep_fold_models: bool = True
    stops_early: bool = False
    out_of_bag: bool = False


class FoldTask(NamedTuple):
    """One fit of one member: a task of a layer's parallel batch.

    Attributes
    ----------
    member : LayerMember
        The member to fit.
    fold : str
        How errors name the fit, such as "fold 2 of 5" or "refit on all rows".
    train : ndarray of int or None
        The rows it is trained on; None for every row of X, given as is
        rather than copied (a refit on all rows), and for a prefit member,
        not fitted.
    test : ndarray of int or None
        The rows it predicts out of fold (a prefit member: every row of the
        layer); None for a refit on all rows.
    seed : int
        The seed of the member's clone (drawn up front, in task order).
    rounds : int or None
        The rounds to run without early stopping, for a member that stops
        early: its refit on all rows (the mean of its folds' rounds), or a
        fold fitted again to the other folds' mean (:func:`regrow_calls`).
        None otherwise.
    """

    member: LayerMember
    fold: str
    train: np.ndarray
    test: np.ndarray | None
    seed: int
    rounds: int | None = None


def fit_fold(task, X, y, sample_weight):
    """Fit ``task``'s member on its training rows and predict its test rows.

    The data are positional arguments rather than fields of ``task`` so
    that a Dask backend sends each of them to its workers once, not once
    per task.

    Parameters
    ----------
    task : FoldTask
        The fit to make.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The member's input: the layer's input, or its float32 copy for
        members that take rows as weights.
    y : ndarray of shape (n_samples,)
        The encoded target.
    sample_weight : ndarray of shape (n_samples,) or None
        The weights of all rows routed to this member.

    Returns
    -------
    model : estimator or None
        The fitted clone; None for a fold model the member does not keep
        (``member.keep_fold_models`` False), freed here rather than sent
        back.
    output : ndarray or None
        Its output on the test rows in the averageable form of
        :func:`method_output`; None for a refit.
    report : FitReport
        The fit's seconds and, for a member that stops early, its rounds.
    """
    member = task.member
    start = time.perf_counter()
    fit_params = {**member.fit_params, **member.metadata}
    if member.prefit:
        model = member.estimator
    else:
        model = member.factory(task.seed)
        if task.rounds is not None:
            with_rounds(model, task.rounds)
            fit_params = without_early_stopping_callbacks(fit_params)
        if member.out_of_bag:
            with_oob(model)
        if member.stops_early and task.rounds is None:
            fit_stopping_early(
                model, X, y, task.train, task.test, sample_weight, fit_params
            )
        else:
            # fit_member restricts per-row metadata to the rows it copies.
            with warnings.catch_warnings():
                # A row that every tree drew has no out-of-bag prediction:
                # oob_output gives it the model's own.
                warnings.filterwarnings("ignore", message=".*OOB scores.*")
                fit_member(
                    model,
                    X,
                    y,
                    indices=task.train,
                    sample_weight=sample_weight,
                    counts_as_weights=member.rows_as_weights,
                    fit_params=fit_params,
                )
    seconds = time.perf_counter() - start
    rounds = rounds_run(model) if member.stops_early and not member.prefit else None
    report = FitReport(seconds, rounds)
    if task.test is None:
        return model, None, report
    if member.out_of_bag:
        X_rows = X if task.train is None else _safe_indexing(X, task.train)
        output = oob_output(model, X_rows, member.stack_method)
        known = _Fixed(output, getattr(model, "classes_", None))
        output = method_output(known, member.stack_method, None, member)
        return model, output, report
    if member.prefit and len(task.test) == _num_rows(y):
        X_test = X  # every row, in order: X itself, as scikit-learn hands it
    else:
        X_test = _safe_indexing(X, task.test)
    output = method_output(model, member.stack_method, X_test, member)
    if not (member.keep_fold_models or member.prefit):
        # Only its out-of-fold output is needed: an instance-based model
        # (k-NN, SVC) holds a copy of its training rows.
        model = None
    return model, output, report


def other_folds_rounds(calls, results, per_repeat):
    """The rounds each fold model of a LightGBM member that stopped early
    predicts its held-out rows with: the mean of those the *other* folds of
    its repeat chose.

    A fold's own best round is chosen on the rows it predicts out of fold,
    so predictions at that round fit the rows' noise: on small data a
    second layer or the top selection then trusts such a member more than
    new data bear out (benchmarks/RESULTS.md). The other folds of the same
    repeat chose their rounds on other rows; those of another repeat held
    out about one row in k of this fold's rows, so they are left out of the
    mean. A member with a single fold per repeat keeps its own rounds.

    Parameters
    ----------
    calls : list of tuple
        The layer's ``(FoldTask, X_member, y, sample_weight)`` calls.
    results : dict
        :func:`fit_fold`'s results by call index (a time budget may have
        left some out).
    per_repeat : int
        Splits per repeat: a member's fold fits come in split order, one
        repeat after the other.

    Returns
    -------
    rounds : dict
        Call index -> rounds, for each such fold fit.
    """
    first_call = {}  # member name -> index of its first call
    by_repeat = {}  # (member name, repeat) -> call indices
    for i, (task, *_) in enumerate(calls):
        member = task.member
        split = i - first_call.setdefault(member.name, i)
        if i in results and task.test is not None and not member.out_of_bag:
            if member.stops_early and rounds_settable(member.estimator):
                key = (member.name, split // per_repeat)
                by_repeat.setdefault(key, []).append(i)
    targets = {}
    for indices in by_repeat.values():
        own = [results[i][2].rounds for i in indices]
        targets.update(zip(indices, _other_folds_means(own)))
    return targets


def _other_folds_means(own):
    """Per fold of one repeat, the mean of the other folds' ``own`` rounds
    (its own with no other fold)."""
    own = np.asarray(own, dtype=float)
    if len(own) == 1:
        return [max(1, int(round(own[0])))]
    others = (own.sum() - own) / (len(own) - 1)
    return [max(1, int(round(mean))) for mean in others]


def regrow_seconds(fold_results):
    """The fit seconds :func:`regrow_calls` will add for one repeat of a
    LightGBM member that stopped early, from its fold fits' results
    ``(model, output, report)``: each fold whose kept trees fall short of
    the other folds' mean rounds is fitted again for that many rounds, in
    about its own time per round."""
    own = [report.rounds for _, _, report in fold_results]
    return [
        report.seconds * target / max(rounds_kept(model), 1)
        for (model, _, report), target in zip(fold_results, _other_folds_means(own))
        if target > rounds_kept(model)
    ]


def regrow_calls(calls, results, targets):
    """The fold fits that must be run again to reach their ``targets``
    rounds: those whose kept trees (up to their best round and the
    patience after it) fall short. Each is fitted again on its training
    rows for that many rounds, without early stopping; with the fold's
    seed, that fit grows the same trees as one that had gone on (the
    held-out rows only ever told it when to stop).

    Returns
    -------
    regrow : dict
        Call index -> the call to run instead (its task set to the rounds).
    """
    regrow = {}
    for i, rounds in targets.items():
        model = results[i][0]
        if rounds > rounds_kept(model):
            task, *data = calls[i]
            regrow[i] = (task._replace(rounds=rounds), *data)
    return regrow


def predict_with_other_folds_rounds(calls, results, targets, regrown, keep_fold_models):
    """Set each fold model in ``targets`` to its rounds and predict its
    held-out rows with them (see :func:`other_folds_rounds`).

    A model that kept at least that many trees is cut to them (no new fit;
    a LightGBM fit is sequential, so its first trees are those a shorter
    fit grows); one that kept fewer is replaced by its regrown fit, which
    predicted its held-out rows already. Either way the fold's report
    keeps the rounds it chose itself, which the refit on all rows averages
    (and the member's ``fold_rounds_`` lists).

    Parameters
    ----------
    calls : list of tuple
        The layer's ``(FoldTask, X_member, y, sample_weight)`` calls.
    results : dict
        :func:`fit_fold`'s results by call index, updated in place.
    targets : dict
        :func:`other_folds_rounds`'s rounds by call index.
    regrown : dict
        :func:`fit_fold`'s results for the calls of :func:`regrow_calls`.
    keep_fold_models : bool
        Whether the stack keeps fold models: those kept only for this are
        dropped afterwards.
    """
    for i, rounds in targets.items():
        model, output, report = results[i]
        if i in regrown:
            model, output, again = regrown[i]
            report = report._replace(
                seconds=report.seconds + again.seconds, fits=report.fits + 1
            )
        else:
            set_prediction_rounds(model, rounds)
            if rounds != report.rounds:  # it predicted with its own
                task, X_member, *_ = calls[i]
                X_test = _safe_indexing(X_member, task.test)
                output = method_output(
                    model, task.member.stack_method, X_test, task.member
                )
        if not keep_fold_models:
            model = None
        results[i] = (model, output, report)


class FitReport(NamedTuple):
    """What a fold fit reports besides its model and output: its seconds,
    the rounds it chose (a member that stops early), and how many fits it
    took (two for a fold fitted again to the other folds' rounds)."""

    seconds: float
    rounds: int | None = None
    fits: int = 1


class _Fixed:
    """Stands for a model whose output is known (its out-of-bag prediction),
    so that :func:`method_output` shapes it as any model's."""

    def __init__(self, output, classes):
        self.output = output
        self.classes_ = classes

    def predict(self, X):
        return self.output

    predict_proba = decision_function = predict


def _num_rows(y):
    return y.shape[0]


def collect_member(
    member, fold_results, refit_result, held_out, n_samples, who, refit=False
):
    """Turn one member's fits into its out-of-fold columns and fitted member.

    Each fit's output is checked to be finite (a ValueError naming the
    member and the fold otherwise): the next layer cannot learn from NaN.

    Parameters
    ----------
    member : LayerMember
        The member the fits belong to.
    fold_results : list of (test, fold, result)
        Per fit that predicted rows out of fold, in task order: the rows it
        predicted (absolute row numbers), how errors name the fit ("fold 2
        of 5") and what :func:`fit_fold` returned. A prefit member has one,
        on every row of the layer, and so has a member fitted out of bag.
    refit_result : tuple or None
        What :func:`fit_fold` returned for the refit on all rows; None
        without refit (a member fitted out of bag predicts with its one
        fit).
    held_out : ndarray of int
        The rows some fold predicted: those the next layer is trained on.
    n_samples : int
        Number of rows of the stack's training data.
    who : str
        How errors name the member, such as "StackingRegressor: member
        'knn' (layer 1)".
    refit : bool, default=False
        Whether the stack predicts with models fitted on all rows: a member
        fitted out of bag then predicts with its one fit as its refit model.

    Returns
    -------
    fitted : FoldBaggedMember
        The member with its refit model and, when ``member`` keeps them,
        its fold models.
    columns : ndarray of shape (n_samples, n_columns)
        Its out-of-fold columns, averaged over repeats; zero on rows no
        fold predicted.
    """
    models, oof, counts = [], None, np.zeros(n_samples)
    seconds, rounds, n_fits = 0.0, [], 0
    for test, fold, (model, output, report) in fold_results:
        seconds += report.seconds
        rounds.append(report.rounds)
        n_fits += report.fits
        output = output.reshape(len(output), -1)
        producer = who if member.prefit else f"{who}, {fold}"
        check_finite_output(output, producer, method=member.stack_method, rows=test)
        if model is not None:  # None: a fold model the member does not keep
            models.append(model)
        if oof is None:
            oof = np.zeros((n_samples, output.shape[1]))
        oof[test] += output
        counts[test] += 1
    refit_model = None
    if refit_result is not None:
        refit_model, _, report = refit_result
        seconds += report.seconds
    elif member.out_of_bag and refit:
        refit_model, models = models[0], []
    oof[held_out] /= np.maximum(counts[held_out, None], 1)
    columns = stack_columns(oof, member.stack_method, member)
    fitted = FoldBaggedMember(member.estimator, member.stack_method, member.name)
    fitted._set_fitted(models, refit_model, member, columns.shape[1])
    fitted.fit_time_ = seconds
    fitted.fold_rounds_ = rounds if member.stops_early and not member.prefit else None
    fitted.n_fits_ = n_fits + (refit_result is not None)
    return fitted, columns


# --------------------------------------------------------------------------
# A fitted member: cross-validation bagging of one estimator
# --------------------------------------------------------------------------
class FoldBaggedMember(BaseEstimator):
    """A stacking member after fitting: the model it predicts with, and its
    fold models when the stack keeps them.

    Each of the ``cv x n_repeats`` fold models was trained on the other
    folds and produced the out-of-fold predictions the next layer learnt
    from. Without refit, the member predicts with the average of its fold
    models (k-fold bagging: no extra fit); with refit, with
    ``refit_estimator_``, trained on all rows, and the fold models are kept
    for inspection only when the stack's ``keep_fold_models`` is True (an
    instance-based fold model such as a k-NN holds a copy of its training
    rows). Stacking builds these (see :func:`collect_member`); they are not
    fitted on their own.

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
        The fold models, in (repeat, fold) order, when the stack keeps them
        (always with ``refit=False``, where they predict; with
        ``refit=True`` only with ``keep_fold_models=True``); an empty list
        when it does not. For a prefit member (``cv="prefit"`` or a
        ``FrozenEstimator``), the member itself, whatever
        ``keep_fold_models``.
    refit_estimator_ : estimator or None
        The model refitted on all training rows (``refit=True``); None
        without refit and for a prefit member.
    stack_method_ : str
        The method whose output feeds the next layer.
    fit_time_ : float
        Seconds its fits took, summed (its share of the stack's fit, on
        one worker).
    fold_rounds_ : list of int or None
        For a member that stops early on each fold's held-out rows, the
        rounds each fold fit chose there, in (repeat, fold) order (for
        HistGradientBoosting, its ``n_iter_``): their mean is what the
        refit runs. A LightGBM fold model predicts with the other folds'
        mean rounds instead (``booster_.current_iteration()``); one fitted
        again to reach them reports ``best_iteration_`` 0, as LightGBM does
        for a fit without early stopping. None for other members.
    """

    def __init__(self, estimator=None, stack_method="predict", name=None):
        self.estimator = estimator
        self.stack_method = stack_method
        self.name = name

    def _set_fitted(self, estimators, refit_estimator, member, n_columns):
        self.estimators_ = estimators
        self.refit_estimator_ = refit_estimator
        self.stack_method_ = self.stack_method
        self._output = OutputSpec(
            member.n_classes, member.label_classes, member.multilabel
        )
        self._prefit = member.prefit
        self._n_columns = n_columns
        return self

    def _stack_entry(self):
        """What the stack's ``estimators_`` holds for this member: a prefit
        member as given, the refit model, or this fold-averaging member."""
        if self._prefit:
            return self.estimators_[0]
        if self.refit_estimator_ is not None:
            return self.refit_estimator_
        return self

    def _predictors(self):
        if self.refit_estimator_ is not None:
            return [self.refit_estimator_]
        return self.estimators_

    def _average(self, method, X):
        total = None
        for model in self._predictors():
            output = method_output(model, method, X, self._output)
            total = output if total is None else total + output
        return total / len(self._predictors())

    def stack_output(self, X, producer=None):
        """Compute the columns this member feeds to the next layer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The layer's input.
        producer : str, default=None
            How the error names this member if its output holds NaN or
            infinity (the model at fault is added); None: by its name.

        Returns
        -------
        columns : ndarray of shape (n_samples, n_columns)
            The averaged output of :attr:`stack_method_`, shaped by
            :func:`stack_columns`.
        """
        method = self.stack_method_
        producer = producer or f"Member {self.name!r}"
        output = self._average(method, X)

        def find_model():
            # Only when the average is not finite: which model made it so.
            models = self._predictors()
            for k, model in enumerate(models, start=1):
                if self.refit_estimator_ is not None:
                    which = "refit on all rows"
                elif self._prefit:
                    which = "prefit"
                else:
                    which = f"fold model {k} of {len(models)}"
                check_finite_output(
                    method_output(model, method, X, self._output),
                    f"{producer}, {which}",
                    method=method,
                )

        check_finite_output(output, producer, method=method, find_member=find_model)
        return stack_columns(output, method, self._output)

    def stack_output_names(self, prefix):
        """Name the columns of :meth:`stack_output`.

        Parameters
        ----------
        prefix : str
            What the names start with (the stack's lowercase class name).

        Returns
        -------
        names : list of str
            ``<prefix>_<name>`` for a single column, else
            ``<prefix>_<name><j>`` for every column j.
        """
        if self._n_columns == 1:
            return [f"{prefix}_{self.name}"]
        return [f"{prefix}_{self.name}{j}" for j in range(self._n_columns)]

    def predict(self, X):
        """Predict with the refit model, or combine the fold models.

        Regressors' predictions are averaged; a classifier predicts the
        class index of the highest mean probability, or of the most votes
        when the fold models have no ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The layer's input.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted values, or class indices for a classifier (0/1 per
            label for a multilabel target).
        """
        if self.refit_estimator_ is not None:
            return self.refit_estimator_.predict(X)
        if self._output.multilabel:
            return (self._average("predict", X) > 0.5).astype(int)
        if self._output.n_classes is None:
            return self._average("predict", X)
        proba = hasattr(self.estimators_[0], "predict_proba")
        method = "predict_proba" if proba else "predict"  # "predict": votes
        return np.argmax(self._average(method, X), axis=1)

    def predict_proba(self, X):
        """Average the class probabilities of the fold models (or refit model).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The layer's input.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Mean probabilities, one column per class of the stack.
        """
        return self._average("predict_proba", X)

    def decision_function(self, X):
        """Average the decision function of the fold models (or refit model).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The layer's input.

        Returns
        -------
        score : ndarray
            Mean decision function.
        """
        return self._average("decision_function", X)


# --------------------------------------------------------------------------
# What a member hands the next layer
# --------------------------------------------------------------------------
class OutputSpec(NamedTuple):
    """What a member's outputs mean, to average and shape them.

    Attributes
    ----------
    n_classes : int or None
        Number of classes of a classifier member; None for a member that
        predicts numbers, and for a multilabel target.
    label_classes : ndarray or None
        The stack's class labels when the member's models predict labels
        (a prefit member), None when they predict class indices.
    multilabel : bool
        Whether the target is a multilabel indicator matrix.
    """

    n_classes: int | None
    label_classes: np.ndarray | None = None
    multilabel: bool = False


def _class_indices(labels, spec):
    """A model's class labels (its ``classes_`` or predictions) as the
    stack's class indices."""
    if spec.label_classes is None:
        return np.asarray(labels, dtype=np.intp)
    unknown = np.setdiff1d(labels, spec.label_classes)
    if unknown.size:
        raise ValueError(
            f"A prefit member knows classes {unknown.tolist()} that y does not "
            f"have (y's classes: {spec.label_classes.tolist()}); fit the member "
            "on the stack's classes."
        )
    return np.searchsorted(spec.label_classes, labels)


def method_output(model, method, X, spec):
    """``model.method(X)`` in a form that can be averaged over models.

    ``spec`` (an :class:`OutputSpec`, or a :class:`LayerMember`) says what
    the output means. A classifier's predicted class indices come as
    one-hot votes, so that their average is each class's share of the
    votes. With a multilabel target, ``predict_proba`` is the probability
    of each label (from a list of per-label probabilities, as forests
    give, or one column per label, as MLPClassifier gives).
    """
    output = getattr(model, method)(X)
    if spec.multilabel:
        if method == "predict_proba" and isinstance(output, list):
            return np.column_stack(
                [
                    expand_proba(proba, classes, 2)[:, 1]
                    for proba, classes in zip(output, model.classes_)
                ]
            )
        return np.asarray(output, dtype=np.float64)
    n_classes = spec.n_classes
    if method == "predict_proba":
        return expand_proba(output, _class_indices(model.classes_, spec), n_classes)
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
        votes[np.arange(len(output)), _class_indices(output, spec)] = 1.0
        return votes
    return np.asarray(output, dtype=np.float64)


def stack_columns(output, method, spec):
    """Averaged member output as the 2-D columns the next layer sees.

    A classifier's votes become the class index with the most (the lowest
    on a tie); a multilabel member's predicted labels, the majority of its
    models (0 on a tie); the redundant first probability column of a
    binary problem is dropped.
    """
    output = np.asarray(output, dtype=np.float64)
    if spec.multilabel:
        if method == "predict":
            output = (output > 0.5).astype(np.float64)
        return output.reshape(len(output), -1)
    n_classes = spec.n_classes
    if method == "predict" and n_classes is not None:
        return np.argmax(output, axis=1).astype(np.float64)[:, None]
    if output.ndim == 1:
        return output[:, None]
    if method == "predict_proba" and output.shape[1] == 2:
        return output[:, 1:]
    return output


def predicted_classes(columns, method, n_classes, estimator, multilabel=False):
    """The class indices a classifier member's stacked ``columns`` stand for.

    With a multilabel target, the 0/1 indicator matrix: a probability
    above 0.5, a decision above 0, a predicted label as is.

    The inverse of :func:`stack_columns`: a class index as is, one column
    thresholded (a probability at 0.5, a decision at 0), one column per
    pair of classes by pairwise vote (SVC's one-vs-one shape), otherwise
    the highest column.
    """
    if multilabel:
        threshold = 0.0 if method == "decision_function" else 0.5
        return (columns > threshold).astype(int)
    if method == "predict":
        return np.rint(columns[:, 0]).astype(int)
    if columns.shape[1] == 1:
        threshold = 0.5 if method == "predict_proba" else 0.0
        return (columns[:, 0] > threshold).astype(int)
    if method == "decision_function" and one_column_per_pair(estimator):
        return pairwise_vote(columns, n_classes)
    return np.argmax(columns, axis=1)


def pairwise_vote(decision, n_classes):
    """The class with the most pairwise wins.

    Column k is the pair (i, j) of ``itertools.combinations`` order,
    positive where i wins (libsvm's one-vs-one); a tie goes to the lowest
    class.
    """
    votes = np.zeros((len(decision), n_classes))
    for column, (i, j) in enumerate(combinations(range(n_classes), 2)):
        wins = decision[:, column] > 0
        votes[:, i] += wins
        votes[:, j] += ~wins
    return np.argmax(votes, axis=1)
