"""The decomposition itself: from the predictions of many rounds to bias,
variance and noise.

:func:`decompose` takes a (rounds x test points) matrix of predictions and
returns a :class:`BiasVarianceResult` for each supported loss (squared
error; Domingos' 0-1 loss); for the probabilistic losses (Brier score;
log-loss, Heskes 1998) a (rounds x test points x classes) array of
probabilities. It knows nothing of estimators or resampling: those are
:mod:`ensembles.bias_variance`'s.
"""

import dataclasses

import numpy as np

LOSSES = ("squared_error", "zero_one", "log_loss", "brier")
#: The losses of predicted probabilities: the rounds collect predict_proba.
PROBA_LOSSES = ("log_loss", "brier")
#: Probabilities are clipped to [LOG_LOSS_EPS, 1] (then renormalised) for
#: the log-loss, as scikit-learn's ``log_loss`` long did, so that a round
#: giving a label probability 0 has a finite loss.
LOG_LOSS_EPS = 1e-15


@dataclasses.dataclass(frozen=True)
class BiasVarianceResult:
    """The figures of one decomposition.

    Returned by :func:`bias_variance_decomposition`; a frozen dataclass whose
    fields are the figures, so results compare equal when their figures do.
    Every field is also an attribute of the same name.

    Parameters
    ----------
    loss : str
        "squared_error", "zero_one", "brier" or "log_loss".
    expected_loss : float
        Mean loss over rounds and test points.
    bias : float
        Squared error: mean squared bias of the average prediction (against
        the true function when known, else against the noisy targets, so
        that it includes the noise). Zero-one: share of test points whose
        most frequent prediction is wrong. Brier: mean squared distance of
        the rounds' mean probability vector from the one-hot label.
        Log-loss: mean cross-entropy of the label against the normalised
        geometric mean of the rounds' probabilities (the label's KL
        divergence from it). Labels are the true ones when given.
    variance : float
        Squared error: mean spread of the predictions around their average.
        Zero-one: net variance, ``variance_unbiased - variance_biased``.
        Brier: mean squared distance of the rounds' probability vectors
        from their mean. Log-loss: mean over rounds of KL(main || round),
        main the normalised geometric mean.
    noise : float or None
        None when the truth is not given. Squared error: mean squared
        difference between the test targets and the true ones. Zero-one:
        share of test labels that differ from the true ones. Brier: mean
        squared distance of their one-hot vectors (twice that share).
        Log-loss: the loss the wrong labels add
        at the main prediction, mean of ``log main(true label) - log
        main(test label)``, so that ``expected_loss == bias + variance +
        noise`` exactly; like Domingos' weighted noise it depends on the
        learner, and it may be negative.
    n_rounds : int
        Number of fits the figures are estimated from.
    variance_unbiased, variance_biased : float or None
        Zero-one loss only. ``variance_unbiased``: the variance at test
        points whose main prediction is right (it adds to the loss).
        ``variance_biased``: at points whose main prediction is wrong, the
        share of rounds that predict the right label (it subtracts).
        For two classes that is all the variance there; for more classes a
        round may leave one wrong label for another (Domingos' weight
        ``P(right | not main)``).
    bias_corrected : float or None
        The bias less its finite-rounds leakage (Kohavi & Wolpert 1996):
        ``bias - variance / (n_rounds - 1)`` for "squared_error" and
        "brier"; None for "zero_one" and "log_loss", and for results made
        by hand. See Notes.
    standard_errors : dict or None
        Figure name -> Monte Carlo standard error from the finite number of
        rounds, for every figure above that is not None (``expected_loss``,
        ``bias``, ``variance``, ``noise``, ``variance_unbiased``,
        ``variance_biased``, ``bias_corrected``); None for results made by
        hand. A delete-one jackknife over the rounds; see Notes.

    See Also
    --------
    bias_variance_decomposition : Computes these figures.
    BiasVarianceTable : Several results, one row each.

    Notes
    -----
    Brier score: the squared error of the probability vector against the
    one-hot label, summed over classes (Brier's definition; for two
    classes twice scikit-learn's binary ``brier_score_loss``). With main
    the rounds' mean probability vector, ``expected_loss == bias +
    variance`` exactly without true labels; with them, as for the squared
    error, the loss also holds the finite-test-set cross term
    ``2 * mean((main - truth) . (truth - label))``, not reported.

    Log-loss (Heskes 1998): probabilities are clipped to ``[1e-15, 1]`` and
    renormalised (scikit-learn's historical ``log_loss`` clip), and every
    figure is computed from the clipped values. The main prediction is the
    normalised geometric mean of the rounds' probabilities, and
    ``expected_loss == bias + variance`` exactly without true labels
    (``+ noise`` with them). The variance is ``-log Z``, Z the sum of the
    unnormalised geometric mean, at least 0.

    Finite rounds (Kohavi & Wolpert 1996): at a test point let the R
    rounds' predictions be independent with mean ``mu`` and variance
    ``s2``, and ``main`` their mean. Then ``E (main - target)^2 = (mu -
    target)^2 + s2 / R``: the plug-in ``bias`` holds ``s2 / R`` of
    variance. The plug-in ``variance`` (divisor R) has expectation
    ``s2 (R - 1) / R``, so ``variance / (R - 1)`` is an unbiased estimate of
    ``s2 / R`` and ``bias_corrected = bias - variance / (R - 1)`` is an
    unbiased estimate of ``mean (mu - target)^2``. The Brier score is the
    same sum over the classes' probabilities. It may come out slightly
    negative when the true bias is near zero. With it, ``expected_loss ==
    bias_corrected + variance * R / (R - 1)`` (``+ noise``). No such
    simple correction holds for the majority vote of the zero-one loss nor
    for the geometric mean of the log-loss (their leakage is not a
    function of the variance alone): None there.

    Standard errors: the uncertainty of each figure that comes from
    drawing only ``n_rounds`` rounds (training sets and seeds), the test
    points held fixed: it shrinks like ``1 / sqrt(n_rounds)``. Delete-one
    jackknife over the rounds: with ``F_i`` the figure recomputed without
    round i and ``F.`` their mean, ``se = sqrt((R - 1) / R * sum (F_i -
    F.)^2)``. The leave-one-out figures are computed in closed form from
    sums over the rounds (no refit, no loop over rounds; about the cost of
    the decomposition itself). It does not cover the sampling of the test
    set, which the rows of a comparison share, nor, for data resampled by
    bootstrap from one training set, that training set itself. The
    jackknife assumes a figure smooth in the rounds; the zero-one loss's
    majority vote is not, so its bias and variances' standard errors are a
    rougher guide, too large on average (about twice the spread of
    repeated runs in the tests): verdicts on them err towards "within
    noise". The noise does not depend on the rounds (0), except
    the log-loss's, which is taken at the main prediction.

    References
    ----------
    R. Kohavi and D. H. Wolpert, "Bias plus variance decomposition for
    zero-one loss functions", ICML 1996.

    B. Efron and C. Stein, "The jackknife estimate of variance", Annals of
    Statistics 9(3), 1981.

    T. Heskes, "Bias/variance decompositions for likelihood-based
    estimators", Neural Computation 10(6), 1998.

    G. W. Brier, "Verification of forecasts expressed in terms of
    probability", Monthly Weather Review 78(1), 1950.

    Examples
    --------
    >>> from ensembles import BiasVarianceResult
    >>> result = BiasVarianceResult(
    ...     loss="squared_error", expected_loss=1.5, bias=1.0, variance=0.5,
    ...     noise=None, n_rounds=10)
    >>> result.bias + result.variance == result.expected_loss
    True
    >>> result.as_dict()["n_rounds"]
    10
    """

    loss: str
    expected_loss: float
    bias: float
    variance: float
    noise: float | None
    n_rounds: int
    variance_unbiased: float | None = None
    variance_biased: float | None = None
    bias_corrected: float | None = None
    standard_errors: dict | None = dataclasses.field(default=None, hash=False)

    def as_dict(self):
        """The figures as a plain dict.

        Returns
        -------
        figures : dict
            Field name -> value, in the order of the fields.
        """
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _label_codes(labels, classes):
    """Column of each label among ``classes`` (sorted, holding them all)."""
    labels = np.asarray(labels)
    codes = np.searchsorted(classes, labels)
    codes = np.minimum(codes, len(classes) - 1)
    if not np.all(classes[codes] == labels):
        raise ValueError("Test labels must be among the classes.")
    return codes


def _jackknife(leave_one_out):
    """Delete-one jackknife standard error of a figure from its values
    with each round left out in turn (Efron & Stein 1981)."""
    values = np.asarray(leave_one_out, dtype=np.float64)
    n = len(values)
    return float(np.sqrt((n - 1) / n * np.sum((values - values.mean()) ** 2)))


def _loo_mean(per_round):
    """The mean of ``per_round`` (one value a round) with each round left
    out in turn."""
    n = len(per_round)
    return (per_round.sum() - per_round) / (n - 1)


def _squared_figures(centred, main, target):
    """Variance and bias of the squared error (summed over the last axis
    when ``centred`` has a class axis), with each round left out in turn.

    ``centred`` is predictions - main (rounds x test [x classes]). Left out
    round i, the mean moves by ``-centred_i / (R - 1)`` and the sum of
    squares about it is ``sum_k centred_k^2 - centred_i^2 R / (R - 1)``.
    """
    n_rounds = centred.shape[0]
    squares = centred**2
    if centred.ndim == 3:
        squares = squares.sum(axis=2)
    spread = (squares.sum(axis=0) - squares * n_rounds / (n_rounds - 1)) / (
        n_rounds - 1
    )
    variance = spread.mean(axis=1)
    off = (main - centred / (n_rounds - 1) - target) ** 2
    if centred.ndim == 3:
        off = off.sum(axis=2)
    return variance, off.mean(axis=1)


def _corrected(bias, variance, n_rounds):
    """Bias less its finite-rounds leakage ``variance / (n_rounds - 1)``."""
    return bias - variance / (n_rounds - 1)


def _result(loss, figures, leave_one_out, n_rounds):
    """The BiasVarianceResult of ``figures`` (name -> value or None), with
    the jackknife standard error of each from ``leave_one_out`` (name ->
    its values with each round left out; a name missing: 0, the figure
    does not depend on the rounds)."""
    figures = {k: None if v is None else float(v) for k, v in figures.items()}
    errors = {
        name: _jackknife(leave_one_out[name]) if name in leave_one_out else 0.0
        for name, value in figures.items()
        if value is not None
    }
    return BiasVarianceResult(
        loss=loss, n_rounds=n_rounds, standard_errors=errors, **figures
    )


def _decompose_proba(proba, y_test, y_test_true, loss, classes):
    """Brier or log-loss decomposition of (rounds x test x classes)
    probabilities whose columns are ``classes``."""
    n_rounds, n_test, _ = proba.shape
    points = np.arange(n_test)
    label = _label_codes(y_test, classes)
    truth = label if y_test_true is None else _label_codes(y_test_true, classes)
    noise = None
    loo = {}
    if loss == "brier":
        one_hot = np.eye(len(classes))
        Y, T = one_hot[label], one_hot[truth]
        main = proba.mean(axis=0)
        expected_loss = np.mean(np.sum((proba - Y) ** 2, axis=2))
        round_loss = np.mean(np.sum((proba - Y) ** 2, axis=2), axis=1)
        variance = np.mean(np.sum((proba - main) ** 2, axis=2))
        bias = np.mean(np.sum((main - T) ** 2, axis=1))
        if y_test_true is not None:
            noise = np.mean(np.sum((Y - T) ** 2, axis=1))
        loo["variance"], loo["bias"] = _squared_figures(proba - main, main, T)
        bias_corrected = _corrected(bias, variance, n_rounds)
        if n_rounds > 2:
            loo["bias_corrected"] = _corrected(
                loo["bias"], loo["variance"], n_rounds - 1
            )
    else:
        # Heskes (1998): the main prediction is the normalised geometric
        # mean; the expected loss is the label's cross-entropy against it
        # (bias) plus the mean KL(main || round) (variance).
        proba = np.clip(proba, LOG_LOSS_EPS, 1.0)
        log_proba = np.log(proba / proba.sum(axis=2, keepdims=True))
        mean_log = log_proba.mean(axis=0)
        log_main = mean_log - _log_sum_exp(mean_log)
        main = np.exp(log_main)
        expected_loss = -np.mean(log_proba[:, points, label])
        round_loss = -np.mean(log_proba[:, points, label], axis=1)
        variance = np.mean(np.sum(main * (log_main - log_proba), axis=2))
        bias = -np.mean(log_main[points, truth])
        if y_test_true is not None:
            noise = np.mean(log_main[points, truth] - log_main[points, label])
        bias_corrected = None
        # Left out round i, the mean log-probability moves by
        # -(log_proba_i - mean_log) / (R - 1); the variance is -log Z.
        loo_mean_log = mean_log - (log_proba - mean_log) / (n_rounds - 1)
        loo_log_z = _log_sum_exp(loo_mean_log)
        loo_log_main = loo_mean_log - loo_log_z
        loo["variance"] = -loo_log_z[..., 0].mean(axis=1)
        loo["bias"] = -loo_log_main[:, points, truth].mean(axis=1)
        if noise is not None:
            loo["noise"] = np.mean(
                loo_log_main[:, points, truth] - loo_log_main[:, points, label],
                axis=1,
            )
    loo["expected_loss"] = _loo_mean(round_loss)
    figures = dict(
        expected_loss=expected_loss,
        bias=bias,
        variance=variance,
        noise=noise,
        bias_corrected=bias_corrected,
    )
    return _result(loss, figures, loo, n_rounds)


def _log_sum_exp(values):
    """log of the sum of exp over the last axis, kept as a length-1 axis."""
    shift = values.max(axis=-1, keepdims=True)
    return shift + np.log(np.sum(np.exp(values - shift), axis=-1, keepdims=True))


def decompose(predictions, y_test, y_test_true, loss, classes=None):
    """Decompose ``predictions`` for ``loss``.

    ``predictions`` is (rounds x test points) for "squared_error" and
    "zero_one"; for "brier" and "log_loss", (rounds x test points x
    classes) probabilities whose columns are the sorted labels
    ``classes``. The result carries the bias corrected for the finite
    number of rounds and the jackknife standard errors (see
    :class:`BiasVarianceResult`); nothing is refitted.
    """
    n_rounds = predictions.shape[0]
    if loss in PROBA_LOSSES:
        return _decompose_proba(
            np.asarray(predictions, dtype=np.float64),
            y_test,
            y_test_true,
            loss,
            np.asarray(classes),
        )
    if loss == "squared_error":
        predictions = predictions.astype(np.float64)
        main = predictions.mean(axis=0)
        expected_loss = np.mean((predictions - y_test) ** 2)
        round_loss = np.mean((predictions - y_test) ** 2, axis=1)
        variance = np.mean((predictions - main) ** 2)
        target = y_test if y_test_true is None else y_test_true
        bias = np.mean((main - target) ** 2)
        noise = None if y_test_true is None else np.mean((y_test - y_test_true) ** 2)
        loo = {"expected_loss": _loo_mean(round_loss)}
        loo["variance"], loo["bias"] = _squared_figures(
            predictions - main, main, np.asarray(target, dtype=np.float64)
        )
        if n_rounds > 2:
            loo["bias_corrected"] = _corrected(
                loo["bias"], loo["variance"], n_rounds - 1
            )
        figures = dict(
            expected_loss=expected_loss,
            bias=bias,
            variance=variance,
            noise=noise,
            bias_corrected=_corrected(bias, variance, n_rounds),
        )
        return _result(loss, figures, loo, n_rounds)

    # Zero-one loss, Domingos (2000). Labels of any type are coded as ints.
    target = y_test if y_test_true is None else y_test_true
    labels, codes = np.unique(
        np.concatenate([predictions.ravel(), np.asarray(target).ravel()]),
        return_inverse=True,
    )
    codes = codes.reshape(-1)
    predicted = codes[: predictions.size].reshape(predictions.shape)
    target_codes = codes[predictions.size :]
    n_test = predicted.shape[1]
    points = np.arange(n_test)
    counts = np.zeros((len(labels), n_test), dtype=np.int64)
    np.add.at(counts, (predicted, np.broadcast_to(points, predicted.shape)), 1)
    main = np.argmax(counts, axis=0)  # most frequent prediction; ties: first label
    biased = main != target_codes
    spread = np.mean(predicted != main, axis=0)
    # Where the main prediction is wrong, only the rounds that predict the
    # right label lower the loss (Domingos' c2 * V): for two classes that is
    # every round off the main prediction, for more only some of them.
    right = counts[target_codes, points] / n_rounds
    expected_loss = np.mean(predictions != np.asarray(y_test))
    variance_unbiased = np.mean(np.where(biased, 0.0, spread))
    variance_biased = np.mean(np.where(biased, right, 0.0))
    noise = None
    if y_test_true is not None:
        noise = np.mean(np.asarray(y_test) != np.asarray(y_test_true))
    figures = dict(
        expected_loss=expected_loss,
        bias=np.mean(biased),
        variance=variance_unbiased - variance_biased,
        noise=noise,
        variance_unbiased=variance_unbiased,
        variance_biased=variance_biased,
    )
    # The same with each round left out in turn: its vote off the counts.
    round_loss = np.mean(predictions != np.asarray(y_test), axis=1)
    votes = counts[None] - (predicted[:, None, :] == np.arange(len(labels))[:, None])
    loo_main = np.argmax(votes, axis=1)
    loo_biased = loo_main != target_codes
    majority = np.take_along_axis(votes, loo_main[:, None, :], axis=1)[:, 0]
    loo_spread = 1 - majority / (n_rounds - 1)
    loo_right = votes[:, target_codes, points] / (n_rounds - 1)
    loo = {
        "expected_loss": _loo_mean(round_loss),
        "bias": np.mean(loo_biased, axis=1),
        "variance_unbiased": np.mean(np.where(loo_biased, 0.0, loo_spread), axis=1),
        "variance_biased": np.mean(np.where(loo_biased, loo_right, 0.0), axis=1),
    }
    loo["variance"] = loo["variance_unbiased"] - loo["variance_biased"]
    return _result("zero_one", figures, loo, n_rounds)
