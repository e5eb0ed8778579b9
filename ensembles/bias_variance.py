"""Bias/variance decomposition: which ensemble reduces which error.

The expected loss of a learner at a test point splits into the error of
its average prediction (bias), the spread of its predictions around that
average as the training set changes (variance) and the noise of the
target. These tools estimate the split by refitting the learner on many
resampled (or freshly drawn) training sets. For an ensemble that combines
its members, the members' predictions of the same rounds give a third
term, their diversity (Wood et al. 2023): the ensemble's bias plus
variance is its members' average bias plus average variance less it.

This module runs the rounds (every seed drawn up front, the rounds fitted
through :func:`~ensembles._parallel.parallel_map`) and holds the public
entry points; the maths of each loss is :mod:`ensembles._decomposition`'s,
and presenting results as tables and plots
:mod:`ensembles._bias_variance_table`'s.
"""

import contextlib
import contextvars
from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_array, check_consistent_length

from ._base import array_options, missing_values_refused, refuse_none
from ._bias_variance_table import BiasVarianceTable
from ._decomposition import LOSSES, PROBA_LOSSES, BiasVarianceResult, decompose
from ._diversity import member_outputs
from ._members import (
    MemberFactory,
    check_finite_output,
    draw_seeds,
    expand_proba,
    fit_member,
    frame_as_given,
    member_input_tags,
)
from ._parallel import member_threads, parallel_map

__all__ = [
    "BiasVarianceResult",
    "BiasVarianceTable",
    "bias_variance_curve",
    "bias_variance_decomposition",
    "compare_bias_variance",
]

_SAMPLINGS = ("bootstrap", "subsample")

# The name of the table row being decomposed, set by compare_bias_variance and
# bias_variance_curve around each row: the label of that row's progress bar,
# so that two rows of one class ("deep tree", "stump") are told apart. Passed
# this way rather than as a keyword so that bias_variance_decomposition's
# signature stays the public one.
_row_name = contextvars.ContextVar("row_name", default=None)


@contextlib.contextmanager
def _named_row(name):
    """Within this block, the rounds' progress bar is labelled ``name``."""
    token = _row_name.set(str(name))
    try:
        yield
    finally:
        _row_name.reset(token)


def _check_options(estimator, loss, n_rounds, sampling):
    """Validate the options; return the loss, "auto" resolved."""
    # On the class: a method that depends on a fitted part (scikit-learn's
    # available_if, as stacking's predict) is not there before the fit.
    kind = type(estimator)
    if not (hasattr(kind, "fit") and hasattr(kind, "predict")):
        raise ValueError(f"estimator must have fit and predict; got {estimator!r}.")
    if loss == "auto":
        loss = "zero_one" if is_classifier(estimator) else "squared_error"
    elif loss not in LOSSES:
        raise ValueError(f"loss must be 'auto' or one of {LOSSES}; got {loss!r}.")
    elif loss == "zero_one" and is_regressor(estimator):
        raise ValueError(
            f"loss='zero_one' counts wrong labels; {type(estimator).__name__} is a "
            "regressor. Use loss='squared_error' (or 'auto')."
        )
    elif loss in PROBA_LOSSES:
        if is_regressor(estimator):
            raise ValueError(
                f"loss={loss!r} scores predicted class probabilities; "
                f"{type(estimator).__name__} is a regressor. Use "
                "loss='squared_error' (or 'auto')."
            )
        if not hasattr(estimator, "predict_proba"):
            raise ValueError(
                f"loss={loss!r} scores predicted class probabilities; "
                f"{type(estimator).__name__} has no predict_proba. Use "
                "loss='zero_one' (or 'auto'), or a classifier that predicts "
                "probabilities."
            )
    if not isinstance(n_rounds, Integral) or isinstance(n_rounds, bool) or n_rounds < 2:
        raise ValueError(
            f"n_rounds must be an int of at least 2 (variance needs two fits); "
            f"got {n_rounds!r}."
        )
    if isinstance(sampling, str):
        if sampling not in _SAMPLINGS:
            raise ValueError(
                f"sampling must be one of {_SAMPLINGS} or an object with a "
                f"sample(n_samples, random_state) method; got {sampling!r}."
            )
    elif not callable(getattr(sampling, "sample", None)):
        raise ValueError(
            "sampling must be 'bootstrap', 'subsample' or a data generator with "
            f"a sample(n_samples, random_state) method; got {sampling!r}."
        )
    return loss


def _check_data(estimator, X_train, y_train, X_test, y_test, y_test_true, loss):
    accepted = member_input_tags(estimator)
    options = array_options(**accepted)
    given_train, given_test = X_train, X_test
    X_train = check_array(X_train, input_name="X_train", **options)
    X_test = check_array(X_test, input_name="X_test", **options)
    if not accepted["allow_nan"]:
        why = missing_values_refused(type(estimator).__name__)
        refuse_none(X_train, "X_train", why)
        refuse_none(X_test, "X_test", why)
    for name, y in [
        ("y_train", y_train),
        ("y_test", y_test),
        ("y_test_true", y_test_true),
    ]:
        refuse_none(y, name, "every sample needs a target value")
    numeric = loss == "squared_error"
    y_dtype = np.float64 if numeric else None
    y_train = check_array(y_train, ensure_2d=False, dtype=y_dtype, input_name="y_train")
    y_test = check_array(y_test, ensure_2d=False, dtype=y_dtype, input_name="y_test")
    if y_test_true is not None:
        y_test_true = check_array(
            y_test_true, ensure_2d=False, dtype=y_dtype, input_name="y_test_true"
        )
    targets = [("y_train", y_train), ("y_test", y_test), ("y_test_true", y_test_true)]
    for name, y in targets:
        if y is not None and y.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional; got shape {y.shape}.")
    check_consistent_length(X_train, y_train)
    check_consistent_length(
        X_test, y_test, *([] if y_test_true is None else [y_test_true])
    )
    if X_train.shape[1] != X_test.shape[1]:
        raise ValueError(
            f"X_train has {X_train.shape[1]} features but X_test has {X_test.shape[1]}."
        )
    X_train = frame_as_given(given_train, X_train)
    X_test = frame_as_given(given_test, X_test)
    return X_train, y_train, X_test, y_test, y_test_true


# --------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------
def _fit_round(
    make_member, seeds, X_train, y_train, X_test, sampling, classes, diversity
):
    """Fit one clone on one training set; return its test predictions, and
    with ``diversity`` its members' and their weights (None, None for an
    estimator that does not combine members).

    With ``classes`` (sorted labels), ``predict_proba`` on one column per
    class instead: 0 for a class the round's training set missed.
    """
    member_seed, sample_seed = seeds
    model = make_member(member_seed)
    rng = np.random.RandomState(sample_seed)
    n_samples = X_train.shape[0]
    if sampling == "bootstrap":
        rows = rng.randint(0, n_samples, n_samples)
        fit_member(model, X_train, y_train, indices=rows)
    elif sampling == "subsample":
        rows = sample_without_replacement(n_samples, n_samples // 2, random_state=rng)
        fit_member(model, X_train, y_train, indices=rows)
    else:
        X_round, y_round = sampling.sample(n_samples, random_state=rng)
        model.fit(X_round, y_round)
    if classes is None:
        predictions = np.asarray(model.predict(X_test))
    else:
        predictions = _aligned_proba(model, X_test, classes)
    if not diversity:
        return predictions, None, None
    return (predictions, *member_outputs(model, X_test, classes))


def _aligned_proba(model, X_test, classes):
    """``model.predict_proba(X_test)`` with one column per label of
    ``classes``, placed by the model's own ``classes_``."""
    proba = np.asarray(model.predict_proba(X_test), dtype=np.float64)
    model_classes = np.asarray(getattr(model, "classes_", classes))
    columns = np.minimum(np.searchsorted(classes, model_classes), len(classes) - 1)
    if proba.ndim != 2 or proba.shape[1] != len(model_classes):
        raise ValueError(
            f"{type(model).__name__}.predict_proba must return one column per "
            f"class of classes_; got shape {proba.shape} for "
            f"{len(model_classes)} classes."
        )
    if not np.all(classes[columns] == model_classes):
        unknown = [c for c in model_classes if c not in set(classes.tolist())]
        raise ValueError(
            f"A round's {type(model).__name__} knows classes {unknown} that are "
            "in neither y_train nor y_test."
        )
    return expand_proba(proba, columns, len(classes))


def _round_predictions(
    estimator,
    X_train,
    y_train,
    X_test,
    sampling,
    n_rounds,
    random_state,
    n_jobs,
    verbose,
    classes=None,
    diversity=False,
):
    """Test predictions of every round, shape (n_rounds, n_test); with
    ``classes``, probabilities of shape (n_rounds, n_test, n_classes).

    Also the members' predictions (n_rounds, n_members, ...) and weights
    when ``diversity`` is asked for and the estimator combines members;
    else None, None.
    """
    rng = check_random_state(random_state)
    seeds = draw_seeds(rng, 2 * n_rounds).reshape(n_rounds, 2)
    # Estimators the user seeded keep their seed; the others get one per
    # round, so that results are reproducible for any n_jobs and backend.
    make_member = MemberFactory(
        estimator,
        n_threads=member_threads(n_jobs, n_rounds),
        keep_set_seeds=True,
    )
    rounds = parallel_map(
        _fit_round,
        (
            (
                make_member,
                round_seeds,
                X_train,
                y_train,
                X_test,
                sampling,
                classes,
                diversity,
            )
            for round_seeds in seeds
        ),
        n_jobs=n_jobs,
        verbose=verbose,
        # The user's name for the row, else the estimator's class.
        desc=_row_name.get() or type(estimator).__name__,
        unit="round",
        labels=[f"Bias/variance round {i}" for i in range(n_rounds)],
    )
    predictions, members, weights = zip(*rounds)
    predictions = _checked_rounds(np.stack(predictions), estimator, classes)
    if members[0] is None:
        return predictions, None, None
    if len({m.shape for m in members}) > 1 or any(
        not np.allclose(w, weights[0]) for w in weights
    ):
        # Members that change in number or weight from round to round have
        # no per-member bias and variance (none of the supported ensembles
        # does this).
        return predictions, None, None
    members = _checked_rounds(np.stack(members), estimator, classes, of_members=True)
    return predictions, members, weights[0]


def _checked_rounds(outputs, estimator, classes, *, of_members=False):
    """Refuse rounds' outputs with NaN or infinity, naming the round (and
    the member): a decomposition of them would be NaN.

    ``outputs`` has one entry per round: the estimator's test predictions,
    or with ``of_members`` its members' (one entry per member). One pass
    over all of them; only when it fails is the round at fault looked for.
    """
    name = type(estimator).__name__
    # Members are read as the ensemble combines them (probabilities or
    # votes): their method is not named.
    method = None if of_members else "predict" if classes is None else "predict_proba"

    def find_round():
        for i, output in enumerate(outputs):
            producer = f"Bias/variance round {i} ({name})"
            if not of_members:
                check_finite_output(output, producer, method=method)
                continue
            for j, member_output in enumerate(output):
                check_finite_output(member_output, f"{producer}, member {j}")

    return check_finite_output(
        outputs, f"Bias/variance rounds ({name})", method=method, find_member=find_round
    )


def bias_variance_decomposition(
    estimator,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    loss="auto",
    n_rounds=200,
    sampling="bootstrap",
    y_test_true=None,
    diversity=True,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Split a learner's expected test loss into bias, variance and noise.

    Each round fits a clone of ``estimator`` on a new training set and
    predicts ``X_test``; the spread of the predictions over rounds is the
    variance, the error of their average (or most frequent value) the bias.

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn-compatible estimator; cloned for every round.
    X_train, y_train : array-like
        The training data the rounds resample.
    X_test, y_test : array-like
        The test set the decomposition is measured on.
    loss : {"auto", "squared_error", "zero_one", "brier", "log_loss"}, \
default="auto"
        "squared_error": bias + variance (+ noise). "zero_one": Domingos'
        decomposition for labels of any type. "brier" and "log_loss": the
        rounds' ``predict_proba`` (a classifier's; one column per label of
        ``y_train`` and ``y_test``, 0 for a class a round's training set
        missed) scored against the one-hot label. "brier": squared error
        of the probability vectors summed over classes, around their
        arithmetic mean. "log_loss": Heskes' decomposition around the
        normalised geometric mean of the rounds' probabilities, clipped to
        ``[1e-15, 1]`` (see Notes). "auto": "zero_one" for a classifier,
        "squared_error" otherwise.
    n_rounds : int, default=200
        Number of fits.
    sampling : "bootstrap", "subsample" or data generator, default="bootstrap"
        "bootstrap": len(X_train) rows drawn with replacement (mlxtend's
        definition, so the squared-error figures agree with
        ``mlxtend.evaluate.bias_variance_decomp``). "subsample": half the
        rows without replacement. A generator (an object with
        ``sample(n_samples, random_state)``, see :mod:`ensembles.datasets`):
        each round draws a fresh, independent training set of len(X_train)
        rows, the textbook definition.
    y_test_true : array-like, default=None
        Noise-free test targets. Then bias is measured against them and
        ``noise`` is reported; otherwise the bias includes the noise and, for
        the squared error, ``expected_loss == bias + variance``. With them,
        ``expected_loss == bias + variance + noise`` holds in expectation
        only (see Notes).
    diversity : bool, default=True
        For an estimator that combines the predictions of its members
        (this package's Bagging* and Stacking*; scikit-learn's
        RandomForest*, ExtraTrees*, Bagging*, Voting* and Stacking*), also
        decompose its members' predictions of the same rounds (no extra
        fit): ``average_bias``, ``average_variance``, ``diversity`` and
        ``combiner_gap`` of the result (see
        :class:`BiasVarianceResult`). The members' predictions are held
        in memory, ``n_rounds * n_members * len(X_test)`` numbers (times
        the number of classes for "brier" and "log_loss"); False skips
        them. Other estimators: no effect (those figures are None).
    random_state : int, RandomState instance or None, default=None
        Controls the training sets and the seeds of estimators whose own
        random_state is None.
    n_jobs : int, default=None
        Rounds fitted at once. Results do not depend on it.
    verbose : int, default=0
        0: silent. 1: a progress bar of the rounds on stderr, labelled with
        the estimator's class, when stderr is a terminal (or in a
        notebook); nothing otherwise. 2 or more: the bar wherever stderr
        goes (a log file, a pipe).

    Returns
    -------
    result : BiasVarianceResult
        The expected loss and its bias, variance and noise, with the
        number of rounds they are estimated from, their standard errors
        and, for an ensemble that combines members, its members' average
        bias and variance and their diversity.

    See Also
    --------
    compare_bias_variance : The same for several estimators, one table.
    bias_variance_curve : The same along the values of one parameter.

    Notes
    -----
    Squared error with ``y_test_true`` (f): on a finite test set the loss
    also holds the term ``2 * mean((main - f) * (f - y_test))``, the
    correlation of the average prediction's error with the noise of the
    test targets. The noise is independent of the training sets, so the
    term is zero in expectation and shrinks as the test set grows; it is
    not reported.

    For the zero-one loss, ``variance = variance_unbiased - variance_biased``
    (net variance): variance at a point whose main prediction is wrong
    lowers the loss when it hits the right label. Without ``y_test_true``,
    ``expected_loss == bias + variance`` exactly, for any number of
    classes. With it, bias and variance are measured against the true
    labels and add up to the loss against them; the noise does not add to
    that (Domingos' c1 weight: a wrong label in ``y_test`` turns a wrong
    prediction right), so the three figures need not sum to
    ``expected_loss``. mlxtend's ``bias_variance_decomp`` reports the total
    spread as its variance (for two classes ``variance_unbiased +
    variance_biased``); its figures therefore do not add up to the loss.

    Brier score (``loss="brier"``): with P the rounds' probability vectors,
    Y the one-hot test label and main the mean of P over rounds,
    ``expected_loss = mean ||P - Y||^2 = bias + variance`` with ``bias =
    mean ||main - Y||^2`` and ``variance = mean ||P - main||^2``, exactly.
    The sum over classes is Brier's definition: for two classes it is
    twice scikit-learn's binary ``brier_score_loss``. With
    ``y_test_true``, bias is against its one-hot vectors, ``noise = mean
    ||Y - truth||^2`` and, as for the squared error, the loss also holds
    the cross term ``2 * mean((main - truth) . (truth - Y))``, not
    reported; unlike the squared error's it need not vanish in
    expectation, a flipped label not being noise of mean zero around the
    true one-hot vector.

    Log-loss (``loss="log_loss"``, Heskes 1998): probabilities are
    clipped to ``[1e-15, 1]`` and renormalised (scikit-learn's
    historical clip; a round that gives the label probability 0 would
    otherwise make the loss infinite), and every figure is computed from
    the clipped values. The main prediction is the normalised geometric
    mean, ``main = exp(mean log P) / Z``; ``bias = mean -log main(y)``
    (the one-hot label's KL divergence from main), ``variance = mean
    KL(main || P) = mean -log Z`` (at least 0), and ``expected_loss = mean
    -log P(y) = bias + variance`` exactly. With ``y_test_true``, bias is
    ``mean -log main(true label)`` and ``noise = mean (log main(true
    label) - log main(y))``, the loss the wrong test labels add at the
    main prediction (a learner-dependent figure, like Domingos' weighted
    noise; it may be negative), so that ``expected_loss == bias +
    variance + noise`` exactly.

    References
    ----------
    P. Domingos, "A unified bias-variance decomposition and its
    applications", ICML 2000.

    T. Heskes, "Bias/variance decompositions for likelihood-based
    estimators", Neural Computation 10(6), 1998.

    G. W. Brier, "Verification of forecasts expressed in terms of
    probability", Monthly Weather Review 78(1), 1950.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import bias_variance_decomposition
    >>> from ensembles.datasets import Friedman1
    >>> problem = Friedman1(noise=1.0)
    >>> X_train, y_train = problem.sample(200, random_state=0)
    >>> X_test, y_test = problem.sample(200, random_state=1)
    >>> result = bias_variance_decomposition(
    ...     DecisionTreeRegressor(), X_train, y_train, X_test, y_test,
    ...     n_rounds=20, random_state=0)
    >>> abs(result.expected_loss - (result.bias + result.variance)) < 1e-9
    True

    Bagging the tree: what its members' disagreement takes off their
    average bias and variance.

    >>> from ensembles import BaggingRegressor
    >>> bagged = bias_variance_decomposition(
    ...     BaggingRegressor(DecisionTreeRegressor(), n_estimators=10),
    ...     X_train, y_train, X_test, y_test, n_rounds=20, random_state=0)
    >>> members = bagged.average_bias + bagged.average_variance
    >>> abs(bagged.bias + bagged.variance - (members - bagged.diversity)) < 1e-9
    True
    >>> bagged.diversity > 0.5 * bagged.average_variance
    True
    """
    loss = _check_options(estimator, loss, n_rounds, sampling)
    X_train, y_train, X_test, y_test, y_test_true = _check_data(
        estimator, X_train, y_train, X_test, y_test, y_test_true, loss
    )
    classes = None
    if loss in PROBA_LOSSES:
        # The columns: every label of the training and test sets, so that
        # rounds whose training set missed a class line up (0 there).
        targets = [y_train, y_test, *([] if y_test_true is None else [y_test_true])]
        classes = np.unique(np.concatenate(targets))
    predictions, members, weights = _round_predictions(
        estimator,
        X_train,
        y_train,
        X_test,
        sampling,
        n_rounds,
        random_state,
        n_jobs,
        verbose,
        classes,
        diversity,
    )
    return decompose(predictions, y_test, y_test_true, loss, classes, members, weights)


def compare_bias_variance(estimators, X_train, y_train, X_test, y_test, **options):
    """Decompose several estimators on the same data and rounds.

    Every estimator sees the same training sets (common random numbers),
    so differences between rows are differences between the learners.

    Parameters
    ----------
    estimators : dict
        Name -> estimator.
    X_train, y_train, X_test, y_test : array-like
        As in :func:`bias_variance_decomposition`.
    **options
        Keyword arguments of :func:`bias_variance_decomposition`. With
        ``verbose``, each row's progress bar is labelled with its name.

    Returns
    -------
    table : BiasVarianceTable
        One row per estimator, named as in ``estimators``.

    See Also
    --------
    bias_variance_decomposition : The decomposition of one estimator.
    bias_variance_curve : One estimator along the values of a parameter.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import BaggingRegressor, compare_bias_variance
    >>> from ensembles.datasets import Friedman1
    >>> X, y = Friedman1().sample(200, random_state=0)
    >>> X_test, y_test = Friedman1().sample(100, random_state=1)
    >>> table = compare_bias_variance(
    ...     {"tree": DecisionTreeRegressor(),
    ...      "bagging": BaggingRegressor(n_estimators=10)},
    ...     X, y, X_test, y_test, n_rounds=10, random_state=0)
    >>> table["bagging"].variance < table["tree"].variance
    True
    """
    if not isinstance(estimators, dict) or not estimators:
        raise ValueError("estimators must be a non-empty dict of name -> estimator.")
    options = _same_rounds_for_every_row(options)
    results = {}
    for name, estimator in estimators.items():
        with _named_row(name):
            results[name] = bias_variance_decomposition(
                estimator, X_train, y_train, X_test, y_test, **options
            )
    return BiasVarianceTable(results)


def _same_rounds_for_every_row(options):
    """``options`` with ``random_state`` fixed to one int, so that every
    row of a table draws the same training sets (a None or a RandomState
    would give each row its own)."""
    random_state = options.get("random_state")
    if not isinstance(random_state, Integral):
        seed = draw_seeds(check_random_state(random_state), 1)[0]
        options = {**options, "random_state": int(seed)}
    return options


def _row_names(values):
    """Table row names for parameter values: the values themselves, or
    their repr when some are unhashable or equal (1, 1.0 and True)."""
    try:
        if len(set(values)) == len(values):
            return values
    except TypeError:
        pass
    names = [repr(value) for value in values]
    if len(set(names)) < len(names):
        raise ValueError(f"param_range holds a value twice: {values!r}.")
    return names


def bias_variance_curve(
    estimator, X_train, y_train, X_test, y_test, *, param_name, param_range, **options
):
    """Decompose ``estimator`` for each value of one parameter.

    Like scikit-learn's ``validation_curve``, for bias and variance: every
    value is decomposed on the same training sets.

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn-compatible estimator; cloned for every value.
    X_train, y_train, X_test, y_test : array-like
        As in :func:`bias_variance_decomposition`.
    param_name : str
        A parameter of ``estimator`` (nested ones as ``a__b``).
    param_range : iterable
        The values to try.
    **options
        Keyword arguments of :func:`bias_variance_decomposition`. With
        ``verbose``, each row's progress bar is labelled
        ``"<param_name>=<row name>"``.

    Returns
    -------
    table : BiasVarianceTable
        One row per value, named by the value (by its repr when the values
        are not all hashable and distinct); ``plot()`` draws bias, variance
        and loss along it. Every row sees the same training sets.

    See Also
    --------
    bias_variance_decomposition : The decomposition of one estimator.
    compare_bias_variance : Several estimators side by side.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import bias_variance_curve
    >>> from ensembles.datasets import Sine
    >>> X, y = Sine().sample(60, random_state=0)
    >>> X_test, y_test = Sine().sample(30, random_state=1)
    >>> table = bias_variance_curve(
    ...     DecisionTreeRegressor(), X, y, X_test, y_test,
    ...     param_name="max_depth", param_range=[1, 8], n_rounds=5,
    ...     random_state=0)
    >>> list(table)
    [1, 8]
    >>> table[1].bias > table[8].bias
    True
    """
    if param_name not in estimator.get_params(deep=True):
        raise ValueError(f"{type(estimator).__name__} has no parameter {param_name!r}.")
    values = list(param_range)
    if not values:
        raise ValueError("param_range must hold at least one value.")
    options = _same_rounds_for_every_row(options)
    results = {}
    for name, value in zip(_row_names(values), values):
        model = clone(estimator).set_params(**{param_name: value})
        with _named_row(f"{param_name}={name}"):
            results[name] = bias_variance_decomposition(
                model, X_train, y_train, X_test, y_test, **options
            )
    return BiasVarianceTable(results, index_name=param_name)
