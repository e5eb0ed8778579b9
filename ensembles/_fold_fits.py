"""Learners a stack fits in a special way inside its folds.

Two kinds of member get more out of k-fold stacking than a plain fit:

- a member that **stops early** (LightGBM with ``early_stopping_round``,
  HistGradientBoosting with ``early_stopping=True``, our boosting with
  ``n_iter_no_change``) stops each fold fit
  on that fold's held-out rows, the rows it predicts out of fold, instead
  of on a split of its training rows; its refit on all rows, which has no
  held-out rows, runs the mean number of rounds its folds chose
  (AutoGluon's way). Rounds chosen on the held-out rows fit those rows'
  noise, so a LightGBM fold model then predicts with the mean rounds the
  *other* folds of its repeat chose (:func:`set_prediction_rounds`). It
  keeps the trees it grew past its best round while its patience ran out
  (:class:`_StopKeepingLaterTrees`; LightGBM itself drops them), so most
  folds reach that mean with no new fit; the stack fits the others again
  for that many rounds. This takes the rounds fitted to the held-out rows'
  noise out of the out-of-fold predictions the selection above them
  relies on;
- a member that **predicts out of bag** (a RandomForest, ExtraTrees or
  bagging ensemble with ``bootstrap=True``) can give its out-of-fold
  predictions from one fit on all rows, each row predicted by the trees
  that did not draw it, instead of k fold fits (AutoGluon's
  ``use_child_oof``).

A member may be a :class:`~sklearn.pipeline.Pipeline` ending in such a
learner: its preprocessing steps are fitted on the training rows and
transform the held-out ones.
"""

import inspect
from functools import partial

import numpy as np
from sklearn.pipeline import Pipeline

from ._members import fit_member
from ._routing import metadata_rows
from ._sklearn_private import _safe_indexing

__all__ = [
    "fit_stopping_early",
    "oob_output",
    "predicts_out_of_bag",
    "rounds_kept",
    "rounds_run",
    "rounds_settable",
    "set_prediction_rounds",
    "stops_early",
    "with_rounds",
    "without_early_stopping_callbacks",
]


def _last_step(estimator):
    return estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator


# LightGBM's names for its early-stopping patience, in the order LightGBM
# resolves them when several are set.
_LIGHTGBM_PATIENCE = (
    "early_stopping_round",
    "early_stopping",
    "n_iter_no_change",
    "early_stopping_rounds",
)


def _lightgbm_patience(estimator):
    """LightGBM's early-stopping patience in its parameters (0: none)."""
    params = estimator.get_params()
    for key in _LIGHTGBM_PATIENCE:
        value = params.get(key)
        if value is not None and not isinstance(value, bool):
            return int(value)
    return 0


def _is_lightgbm(estimator):
    return type(estimator).__module__.startswith("lightgbm")


def _is_hist_gradient_boosting(estimator):
    return type(estimator).__name__ in {
        "HistGradientBoostingRegressor",
        "HistGradientBoostingClassifier",
    } and type(estimator).__module__.startswith("sklearn")


def _is_our_boosting(estimator):
    return type(estimator).__name__ in {
        "BoostingRegressor",
        "BoostingClassifier",
    } and type(estimator).__module__.startswith("ensembles")


def stops_early(estimator):
    """Whether ``estimator`` (or the last step of a pipeline) stops early on
    validation data: LightGBM with a positive ``early_stopping_round``,
    HistGradientBoosting with ``early_stopping=True``, our boosting with
    ``n_iter_no_change``."""
    last = _last_step(estimator)
    if _is_lightgbm(last):
        return _lightgbm_patience(last) > 0
    if _is_hist_gradient_boosting(last):
        return last.early_stopping is True
    if _is_our_boosting(last):
        return last.n_iter_no_change is not None
    return False


def _validation_params(estimator, X_val, y_val, weight_val):
    """The keyword arguments of ``estimator.fit`` that give it the
    validation rows."""
    if _is_lightgbm(estimator):
        if "eval_X" in inspect.signature(estimator.fit).parameters:
            # LightGBM >= 4.7 (eval_set is deprecated there).
            params = {"eval_X": (X_val,), "eval_y": (y_val,)}
        else:
            params = {"eval_set": [(X_val, y_val)]}
        if weight_val is not None:
            params["eval_sample_weight"] = [weight_val]
        return params
    params = {"X_val": X_val, "y_val": y_val}
    if weight_val is not None:
        params["sample_weight_val"] = weight_val
    return params


class _StopKeepingLaterTrees:
    """LightGBM's early stopping, except that the fit keeps the trees it
    grew past its best round (LightGBM drops them): a stack can then
    predict a fold's held-out rows with more rounds than the fold chose
    itself, up to its best round plus the patience, without a new fit.

    It wraps LightGBM's own callback, so it stops where that one does;
    ``best_rounds`` is then the round that callback chose.
    """

    def __init__(self, patience, first_metric_only=False, min_delta=0.0):
        from lightgbm import early_stopping

        self._stop = early_stopping(
            patience,
            first_metric_only=first_metric_only,
            verbose=False,
            min_delta=min_delta,
        )
        self.order = self._stop.order  # its place among the fit's callbacks
        self.before_iteration = False
        self.best_rounds = None

    def __call__(self, env):
        from lightgbm.callback import EarlyStopException

        try:
            self._stop(env)
        except EarlyStopException as stop:
            self.best_rounds = stop.best_iteration + 1
            # LightGBM keeps the trees up to the round this names: all.
            raise EarlyStopException(env.iteration, stop.best_score) from None


def _fit_lightgbm_keeping_later_trees(estimator, fit, fit_params):
    """Call ``fit(**fit_params)`` on the unfitted LightGBM ``estimator`` with
    its early stopping turned into a :class:`_StopKeepingLaterTrees`
    callback, then have it predict with, and report, the round that chose.
    The estimator's parameters are restored after the fit."""
    params = estimator.get_params()
    stop = _StopKeepingLaterTrees(
        _lightgbm_patience(estimator),
        first_metric_only=bool(params.get("first_metric_only", False)),
        min_delta=params.get("early_stopping_min_delta", 0.0) or 0.0,
    )
    patience = {key: params[key] for key in _LIGHTGBM_PATIENCE if key in params}
    estimator.set_params(**dict.fromkeys(patience))
    try:
        fit(**{**fit_params, "callbacks": [*(fit_params.get("callbacks") or []), stop]})
    finally:
        estimator.set_params(**patience)
    # None: it never stopped (LightGBM does not stop DART boosting early),
    # or another early stopping among the user's callbacks stopped the fit
    # first and LightGBM kept the trees up to the round that chose.
    if stop.best_rounds is not None:
        estimator.booster_.best_iteration = stop.best_rounds
        # What best_iteration_ reports: LightGBM's wrapper copied it from
        # the booster at the end of fit, when it named every tree.
        estimator._best_iteration = stop.best_rounds
    return estimator


def fit_stopping_early(model, X, y, train, test, sample_weight, fit_params):
    """Fit ``model`` on the rows ``train``, stopping early on the rows ``test``.

    Parameters
    ----------
    model : estimator
        An unfitted member for which :func:`stops_early` holds.
    X : {array-like, data frame} of shape (n_samples, n_features)
        The layer's input.
    y : ndarray of shape (n_samples,)
        The encoded target.
    train, test : ndarray of int
        The fold's training rows and the held-out rows it predicts.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights of every row (both sets get theirs).
    fit_params : dict
        Other keyword arguments of the member's ``fit``.

    Returns
    -------
    model : estimator
        The fitted member.
    """
    X_val = _safe_indexing(X, test)
    y_val = y[test]
    weight_val = None if sample_weight is None else sample_weight[test]
    if not isinstance(model, Pipeline):
        params = {**fit_params, **_validation_params(model, X_val, y_val, weight_val)}

        def fit(**kwargs):
            fit_member(
                model,
                X,
                y,
                indices=train,
                sample_weight=sample_weight,
                fit_params=kwargs,
            )

        if _is_lightgbm(model):
            _fit_lightgbm_keeping_later_trees(model, fit, params)
        else:
            fit(**params)
        return model
    # A pipeline cannot pass validation rows through its steps: fit them on
    # the training rows here, and the last step on their output. Its
    # parameters come as "<last step>__<name>" (weights among them, all
    # rows long: each set gets its rows').
    head, (last_name, last) = model[:-1], model.steps[-1]
    prefix = f"{last_name}__"
    unknown = [key for key in fit_params if not key.startswith(prefix)]
    if unknown:
        raise ValueError(
            f"The pipeline's fit parameters {unknown} are not its last step's; "
            "a pipeline that stops early in a stack takes only those."
        )
    given = {key[len(prefix) :]: value for key, value in fit_params.items()}
    if sample_weight is not None:
        given["sample_weight"] = sample_weight
    if weight_val is None and given.get("sample_weight") is not None:
        weight_val = np.asarray(given["sample_weight"])[test]
    last_params = metadata_rows(given, X, train)
    X_train, y_train = _safe_indexing(X, train), y[train]
    X_train = head.fit_transform(X_train, y_train)
    last_params.update(
        _validation_params(last, head.transform(X_val), y_val, weight_val)
    )
    if _is_lightgbm(last):
        fit = partial(last.fit, X_train, y_train)
        _fit_lightgbm_keeping_later_trees(last, fit, last_params)
    else:
        last.fit(X_train, y_train, **last_params)
    return model


def rounds_run(model):
    """The rounds a fitted early-stopping member chose: LightGBM's best
    iteration, HistGradientBoosting's iterations, our boosting's stages."""
    last = _last_step(model)
    if _is_lightgbm(last):
        best = getattr(last, "best_iteration_", 0) or 0
        return int(best) if best > 0 else int(last.n_estimators_)
    if _is_our_boosting(last):
        return int(last.n_estimators_)
    return int(last.n_iter_)


def rounds_settable(estimator):
    """Whether a fitted fold model of ``estimator`` can be set to predict
    with other rounds than it chose (:func:`set_prediction_rounds`):
    LightGBM that stops early."""
    last = _last_step(estimator)
    return _is_lightgbm(last) and _lightgbm_patience(last) > 0


def rounds_kept(model):
    """The trees per class a fitted LightGBM ``model`` (or a pipeline ending
    in it) holds: up to its best round and the patience after it when it
    stopped early in a stack's fold."""
    return int(_last_step(model).booster_.current_iteration())


def set_prediction_rounds(model, rounds):
    """Cut the fitted LightGBM ``model`` (or a pipeline ending in it) to its
    first ``rounds`` trees, and have it predict with them; one that kept
    fewer predicts with all it kept.

    A LightGBM fit is sequential, so these trees are the ones a fit of
    ``rounds`` rounds would grow. The trees past them are dropped, not
    masked, so that copies and pickles predict the same. The model's
    ``best_iteration_`` still reports the round its early stopping chose."""
    booster = _last_step(model).booster_
    kept = booster.current_iteration()
    rounds = int(max(1, rounds))
    if rounds < kept:
        booster.model_from_string(booster.model_to_string(num_iteration=rounds))
    booster.best_iteration = min(rounds, kept)


def without_early_stopping_callbacks(fit_params):
    """``fit_params`` without the LightGBM early-stopping callbacks a user
    passed (``callbacks``, or ``<step>__callbacks`` for a pipeline): a fit
    of chosen rounds has no held-out rows for them to stop on."""

    def is_early_stopping(callback):
        return hasattr(callback, "stopping_rounds") and callable(callback)

    kept = dict(fit_params)
    for key, value in fit_params.items():
        if key.rpartition("__")[2] == "callbacks" and value:
            kept[key] = [c for c in value if not is_early_stopping(c)]
    return kept


def with_rounds(model, rounds):
    """``model`` (unfitted) set to run ``rounds`` rounds without early
    stopping: the refit on all rows of a member whose folds stopped early."""
    last = _last_step(model)
    if _is_lightgbm(last):
        params = {"n_estimators": rounds}
        for key in _LIGHTGBM_PATIENCE:
            if key in last.get_params():
                params[key] = None
        last.set_params(**params)
    elif _is_our_boosting(last):
        last.set_params(n_estimators=rounds, n_iter_no_change=None)
    else:
        last.set_params(max_iter=rounds, early_stopping=False)
    return model


# --------------------------------------------------------------------------
# Out-of-bag predictions
# --------------------------------------------------------------------------
def predicts_out_of_bag(estimator, method):
    """Whether ``estimator`` (or a pipeline's last step) can give its
    output ``method`` out of bag: it has ``oob_score`` and
    ``bootstrap=True``, and ``method`` is ``predict`` or ``predict_proba``
    (its out-of-bag scores are probabilities, not decision values)."""
    params = _last_step(estimator).get_params(deep=False)
    return (
        "oob_score" in params
        and params.get("bootstrap") is True
        and method in ("predict", "predict_proba")
    )


def with_oob(model):
    """``model`` (unfitted) set to keep its out-of-bag predictions."""
    _last_step(model).set_params(oob_score=True)
    return model


def oob_output(model, X, method):
    """The out-of-bag output of a fitted ``model`` on its training rows ``X``,
    in the form ``method`` gives for new rows.

    A row that every member drew (rare with a hundred members or more) has
    no out-of-bag prediction (scikit-learn's forests leave 0 there, our
    bagging NaN); it gets the model's own prediction instead.
    """
    last = _last_step(model)
    if hasattr(last, "oob_decision_function_"):
        output = np.array(last.oob_decision_function_, dtype=np.float64)
        if method == "predict":
            output = np.argmax(np.nan_to_num(output, nan=-1.0), axis=1).astype(float)
    else:
        output = np.array(last.oob_prediction_, dtype=np.float64)
    missing = _never_out_of_bag(last, len(output))
    missing |= np.isnan(output.reshape(len(output), -1)).any(axis=1)
    if missing.any():
        rows = np.flatnonzero(missing)
        own = getattr(model, method)(_safe_indexing(X, rows))
        output[rows] = own.reshape(output[rows].shape)
    return output


def _never_out_of_bag(model, n_samples):
    """Rows that every member of ``model`` drew into its bag."""
    samples = getattr(model, "estimators_samples_", None)
    if samples is None:
        return np.zeros(n_samples, dtype=bool)
    out_of_bag = np.zeros(n_samples, dtype=np.int64)
    for drawn in samples:
        in_bag = np.zeros(n_samples, dtype=bool)
        in_bag[drawn] = True
        out_of_bag += ~in_bag
    return out_of_bag == 0
