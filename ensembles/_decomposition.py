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

from ._scale_safe import power_of_two_scale

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
    average_bias, average_variance : float or None
        For an ensemble that combines members (see
        :func:`bias_variance_decomposition`): the members' bias and
        variance for this loss, each member decomposed over the rounds as
        the ensemble is, averaged with the members' weights in the
        combination. None for other estimators.
    diversity : float or None
        The members' diversity (Wood et al. 2023), what the combination
        takes off their average: ``bias + variance == average_bias +
        average_variance - diversity + combiner_gap``. Squared error and
        Brier: the mean weighted squared distance of the members from
        their (weighted) mean; log-loss: the mean weighted KL divergence of
        the members from their normalised geometric mean; zero-one: the
        diversity effect, the members' mean loss less the ensemble's. None
        for other estimators. See Notes.
    combiner_gap : float or None
        The ensemble's ``bias + variance`` less ``average_bias +
        average_variance - diversity``: 0 (to float precision) when the
        ensemble combines its members as the decomposition assumes (the
        weighted mean for squared error and Brier, always for zero-one);
        otherwise what its own combiner adds (a negative gap: it does
        better), such as an arithmetic mean of probabilities under the
        log-loss or a stack's learnt final estimator. None for other
        estimators.
    standard_errors : dict or None
        Figure name -> Monte Carlo standard error from the finite number of
        rounds, for every figure above that is not None (``expected_loss``,
        ``bias``, ``variance``, ``noise``, ``variance_unbiased``,
        ``variance_biased``, ``bias_corrected``, ``average_bias``,
        ``average_variance``, ``diversity``, ``combiner_gap``); None for
        results made by hand. A delete-one jackknife over the rounds; see
        Notes.

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

    Diversity (Wood et al. 2023): in every round the combination's loss is
    its members' weighted mean loss less an ambiguity term, exactly, for
    the squared error and the Brier score with a weighted arithmetic mean
    (Krogh & Vedelsby's ambiguity, ``sum_i w_i ||P_i - P||^2``) and for
    the log-loss with a weighted normalised geometric mean (``sum_i w_i
    KL(P || P_i) = -log Z``). Averaged over the rounds, each member's loss
    splits into its own bias and variance, so ``bias + variance ==
    average_bias + average_variance - diversity`` for such a combination:
    diversity is a term of the decomposition, and the ensemble gains from
    its members' disagreement exactly what it pays in their average
    variance and bias. Members that are identical have no diversity;
    members drawn independently with variance ``s2`` have diversity
    ``s2 * (1 - 1/M)`` in expectation, the ensemble keeping ``s2 / M``.
    For the zero-one loss with a vote no such split of the ambiguity
    exists; ``diversity`` is Wood et al.'s diversity effect, the members'
    mean loss less the ensemble's, which depends on the bias as well and
    can be negative (disagreement that hurts). The identity is exact on
    the rounds drawn, and with ``y_test_true`` holds against the true
    targets (the noise and, for squared error and Brier, the finite test
    set's cross term lie outside it, as for the ensemble's own figures).

    References
    ----------
    D. Wood, T. Mu, A. M. Webb, H. W. J. Reeve, M. Luján and G. Brown,
    "A unified theory of diversity in ensemble learning", Journal of
    Machine Learning Research 24, 2023.

    A. Krogh and J. Vedelsby, "Neural network ensembles, cross
    validation, and active learning", NIPS 1994.

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
    average_bias: float | None = None
    average_variance: float | None = None
    diversity: float | None = None
    combiner_gap: float | None = None
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


def _point_mean(values, point_weights):
    """Mean over the last axis (the test points), weighted when
    ``point_weights`` is given (members' points weigh as their member)."""
    if point_weights is None:
        return values.mean(axis=-1)
    return values @ point_weights


def _squared_terms(predictions, target, point_weights=None):
    """Bias and variance of the squared error (summed over the last axis
    when ``predictions`` has a class axis), and both with each round left
    out in turn.

    ``predictions`` is (rounds x points [x classes]), ``target`` (points [x
    classes]). Left out round i, the mean moves by ``-centred_i / (R - 1)``
    and the sum of squares about it is ``sum_k centred_k^2 - centred_i^2 R
    / (R - 1)``, ``centred`` the predictions less their mean.
    """
    n_rounds = predictions.shape[0]
    main = predictions.mean(axis=0)
    centred = predictions - main
    squares = centred**2
    off = (main - target) ** 2
    loo_off = (main - centred / (n_rounds - 1) - target) ** 2
    if predictions.ndim == 3:
        squares, off, loo_off = (a.sum(axis=-1) for a in (squares, off, loo_off))
    spread = (squares.sum(axis=0) - squares * n_rounds / (n_rounds - 1)) / (
        n_rounds - 1
    )
    return dict(
        bias=_point_mean(off, point_weights),
        variance=_point_mean(squares.mean(axis=0), point_weights),
        loo_bias=_point_mean(loo_off, point_weights),
        loo_variance=_point_mean(spread, point_weights),
    )


def _heskes_terms(log_proba, truth, point_weights=None):
    """Heskes' bias and variance of the log-loss, and both with each round
    left out in turn.

    ``log_proba`` is (rounds x points x classes) normalised
    log-probabilities, ``truth`` the column of each point's label. The
    main prediction is the normalised geometric mean ``exp(mean log P) /
    Z``; the bias is the label's cross-entropy against it and the variance,
    the mean KL(main || round), is ``-log Z``. Left out round i, the mean
    log-probability moves by ``-(log_proba_i - mean_log) / (R - 1)``.
    """
    n_rounds, n_points, _ = log_proba.shape
    points = np.arange(n_points)
    mean_log = log_proba.mean(axis=0)
    log_z = _log_sum_exp(mean_log)
    log_main = mean_log - log_z
    loo_mean_log = mean_log - (log_proba - mean_log) / (n_rounds - 1)
    loo_log_z = _log_sum_exp(loo_mean_log)
    loo_log_main = loo_mean_log - loo_log_z
    return dict(
        bias=_point_mean(-log_main[points, truth], point_weights),
        variance=_point_mean(-log_z[:, 0], point_weights),
        loo_bias=_point_mean(-loo_log_main[:, points, truth], point_weights),
        loo_variance=_point_mean(-loo_log_z[..., 0], point_weights),
        log_main=log_main,
        loo_log_main=loo_log_main,
    )


def _domingos_terms(predicted, target, n_labels, point_weights=None):
    """Domingos' bias and net variance of the zero-one loss (with its two
    parts), and each with each round left out in turn.

    ``predicted`` is (rounds x points) label codes, ``target`` the code of
    each point's label, ``n_labels`` the number of codes.
    """
    n_rounds, n_points = predicted.shape
    points = np.arange(n_points)
    counts = np.zeros((n_labels, n_points), dtype=np.int64)
    np.add.at(counts, (predicted, np.broadcast_to(points, predicted.shape)), 1)
    main = np.argmax(counts, axis=0)  # most frequent prediction; ties: first label
    biased = main != target
    spread = np.mean(predicted != main, axis=0)
    # Where the main prediction is wrong, only the rounds that predict the
    # right label lower the loss (Domingos' c2 * V): for two classes that is
    # every round off the main prediction, for more only some of them.
    right = counts[target, points] / n_rounds
    terms = dict(
        bias=_point_mean(biased.astype(np.float64), point_weights),
        variance_unbiased=_point_mean(np.where(biased, 0.0, spread), point_weights),
        variance_biased=_point_mean(np.where(biased, right, 0.0), point_weights),
    )
    # The same with each round left out in turn: its vote off the counts.
    votes = counts[None] - (predicted[:, None, :] == np.arange(n_labels)[:, None])
    loo_main = np.argmax(votes, axis=1)
    loo_biased = loo_main != target
    majority = np.take_along_axis(votes, loo_main[:, None, :], axis=1)[:, 0]
    loo_spread = 1 - majority / (n_rounds - 1)
    loo_right = votes[:, target, points] / (n_rounds - 1)
    terms["loo_bias"] = _point_mean(loo_biased.astype(np.float64), point_weights)
    terms["loo_variance_unbiased"] = _point_mean(
        np.where(loo_biased, 0.0, loo_spread), point_weights
    )
    terms["loo_variance_biased"] = _point_mean(
        np.where(loo_biased, loo_right, 0.0), point_weights
    )
    for key in ("", "loo_"):
        terms[f"{key}variance"] = (
            terms[f"{key}variance_unbiased"] - terms[f"{key}variance_biased"]
        )
    return terms


def _corrected(bias, variance, n_rounds):
    """Bias less its finite-rounds leakage ``variance / (n_rounds - 1)``."""
    return bias - variance / (n_rounds - 1)


def _result(loss, figures, leave_one_out, n_rounds, scale=1.0):
    """The BiasVarianceResult of ``figures`` (name -> value or None), with
    the jackknife standard error of each from ``leave_one_out`` (name ->
    its values with each round left out; a name missing: 0, the figure
    does not depend on the rounds).

    ``scale``: the power of two the squared-error figures were computed
    at (the predictions and targets multiplied by it), undone here: they
    are squares, so divided by it twice. A figure beyond float64's range
    is an error that names the cause."""

    def unscaled(value):
        if scale == 1.0:
            return float(value)
        with np.errstate(over="ignore", under="ignore"):
            return float(value / scale / scale)

    figures = {k: None if v is None else unscaled(v) for k, v in figures.items()}
    errors = {
        name: unscaled(_jackknife(leave_one_out[name]))
        if name in leave_one_out
        else 0.0
        for name, value in figures.items()
        if value is not None
    }
    overflowed = [
        name
        for name, value in figures.items()
        if loss == "squared_error" and value is not None and not np.isfinite(value)
    ]
    if overflowed:
        raise ValueError(
            f"targets too large: the {loss} figures {', '.join(overflowed)} "
            "exceed float64's range (squared errors of these targets and "
            "predictions overflow it). Divide y by a common factor: the "
            "squared-error figures scale with its square."
        )
    return BiasVarianceResult(
        loss=loss, n_rounds=n_rounds, standard_errors=errors, **figures
    )


def _log_sum_exp(values):
    """log of the sum of exp over the last axis, kept as a length-1 axis."""
    shift = values.max(axis=-1, keepdims=True)
    return shift + np.log(np.sum(np.exp(values - shift), axis=-1, keepdims=True))


def _normalised_log(proba):
    """Log-probabilities clipped to ``[LOG_LOSS_EPS, 1]`` and renormalised."""
    proba = np.clip(proba, LOG_LOSS_EPS, 1.0)
    return np.log(proba / proba.sum(axis=-1, keepdims=True))


def _split(terms):
    """(figures, leave-one-out values) of a terms dict."""
    loo = {k[4:]: v for k, v in terms.items() if k.startswith("loo_")}
    return {k: v for k, v in terms.items() if not k.startswith("loo_")}, loo


# --------------------------------------------------------------------------
# The losses
# --------------------------------------------------------------------------
def _squared_error_figures(predictions, y_test, y_test_true):
    predictions = predictions.astype(np.float64)
    target = np.asarray(y_test if y_test_true is None else y_test_true, np.float64)
    losses = np.mean((predictions - y_test) ** 2, axis=1)
    figures, loo = _split(_squared_terms(predictions, target))
    figures["expected_loss"] = losses.mean()
    loo["expected_loss"] = _loo_mean(losses)
    figures["noise"] = (
        None if y_test_true is None else np.mean((y_test - y_test_true) ** 2)
    )
    return figures, loo


def _brier_figures(proba, label, truth, n_classes):
    one_hot = np.eye(n_classes)
    Y, T = one_hot[label], one_hot[truth]
    losses = np.mean(np.sum((proba - Y) ** 2, axis=2), axis=1)
    figures, loo = _split(_squared_terms(proba, T))
    figures["expected_loss"] = losses.mean()
    loo["expected_loss"] = _loo_mean(losses)
    figures["noise"] = None if label is truth else np.mean(np.sum((Y - T) ** 2, axis=1))
    return figures, loo


def _log_loss_figures(proba, label, truth):
    # Heskes (1998): the main prediction is the normalised geometric mean;
    # the expected loss is the label's cross-entropy against it (bias) plus
    # the mean KL(main || round) (variance).
    log_proba = _normalised_log(proba)
    points = np.arange(log_proba.shape[1])
    losses = -np.mean(log_proba[:, points, label], axis=1)
    terms = _heskes_terms(log_proba, truth)
    log_main, loo_log_main = terms.pop("log_main"), terms.pop("loo_log_main")
    figures, loo = _split(terms)
    figures["expected_loss"] = losses.mean()
    loo["expected_loss"] = _loo_mean(losses)
    figures["noise"] = None
    if label is not truth:
        figures["noise"] = np.mean(log_main[points, truth] - log_main[points, label])
        loo["noise"] = np.mean(
            loo_log_main[:, points, truth] - loo_log_main[:, points, label], axis=1
        )
    return figures, loo


def _zero_one_figures(predicted, label, target, n_labels):
    """Domingos (2000) on label codes; ``label`` the test labels' codes,
    ``target`` the codes bias is measured against (the true labels')."""
    losses = np.mean(predicted != label, axis=1)
    figures, loo = _split(_domingos_terms(predicted, target, n_labels))
    figures["expected_loss"] = losses.mean()
    loo["expected_loss"] = _loo_mean(losses)
    figures["noise"] = None if label is target else np.mean(label != target)
    return figures, loo


# --------------------------------------------------------------------------
# The members of an averaging ensemble (Wood et al. 2023)
# --------------------------------------------------------------------------
def _as_points(members, target, weights):
    """Members' (rounds x members x test [x classes]) outputs as (rounds x
    points [x classes]), one point per (member, test point), with the target
    repeated per member and each point weighted by its member's weight
    over the test points."""
    n_rounds, n_members, n_test = members.shape[:3]
    points = members.reshape(n_rounds, n_members * n_test, *members.shape[3:])
    repeated = np.tile(target, (n_members,) + (1,) * (np.ndim(target) - 1))
    return points, repeated, np.repeat(weights / n_test, n_test)


def _member_figures(loss, members, weights, target, ensemble_losses=None):
    """average_bias, average_variance and diversity (with their
    leave-one-out values) of members combined with ``weights``.

    ``target``: what bias is measured against (numbers, one-hot vectors,
    or label codes). ``ensemble_losses``: for the zero-one loss, the
    ensemble's own loss in each round against the same labels.
    """
    points, repeated, point_weights = _as_points(members, target, weights)
    if loss in ("squared_error", "brier"):
        terms = _squared_terms(points, repeated, point_weights)
        # The weighted mean of the members and each one's squared distance
        # from it (the ambiguity), summed over classes.
        combined = np.tensordot(weights, members, axes=(0, 1))
        ambiguity = (members - combined[:, None]) ** 2
        if loss == "brier":
            ambiguity = ambiguity.sum(axis=-1)
        per_round = np.tensordot(ambiguity, weights, axes=(1, 0)).mean(axis=1)
    elif loss == "log_loss":
        log_members = _normalised_log(members)
        terms = _heskes_terms(
            log_members.reshape(points.shape), repeated, point_weights
        )
        del terms["log_main"], terms["loo_log_main"]
        # For the normalised geometric mean, the weighted mean KL(combined ||
        # member) is -log Z of the combination.
        combined_log = np.tensordot(weights, log_members, axes=(0, 1))
        per_round = -_log_sum_exp(combined_log)[..., 0].mean(axis=1)
    else:
        n_labels = int(max(points.max(), repeated.max())) + 1
        terms = _domingos_terms(points, repeated, n_labels, point_weights)
        # The diversity effect: the members' mean loss less the ensemble's.
        member_losses = _point_mean((points != repeated).astype(float), point_weights)
        per_round = member_losses - ensemble_losses
        del terms["variance_unbiased"], terms["variance_biased"]
        del terms["loo_variance_unbiased"], terms["loo_variance_biased"]
    figures, loo = _split(terms)
    figures = {f"average_{k}": v for k, v in figures.items()}
    loo = {f"average_{k}": v for k, v in loo.items()}
    figures["diversity"] = per_round.mean()
    loo["diversity"] = _loo_mean(per_round)
    return figures, loo


def _combiner_gap(figures, loo):
    """The ensemble's bias + variance less what the members' terms give for
    the combination they assume, and its leave-one-out values."""

    def gap(f):
        members = f["average_bias"] + f["average_variance"] - f["diversity"]
        return f["bias"] + f["variance"] - members

    return gap(figures), gap(loo)


def decompose(
    predictions,
    y_test,
    y_test_true,
    loss,
    classes=None,
    members=None,
    member_weights=None,
):
    """Decompose ``predictions`` for ``loss``.

    ``predictions`` is (rounds x test points) for "squared_error" and
    "zero_one"; for "brier" and "log_loss", (rounds x test points x
    classes) probabilities whose columns are the sorted labels
    ``classes``. ``members``, when given, holds the same for every member
    of an ensemble, (rounds x members x test points [x classes]), combined
    with ``member_weights``: the result then also has ``average_bias``,
    ``average_variance``, ``diversity`` and ``combiner_gap``. The result
    carries the bias corrected for the finite number of rounds and the
    jackknife standard errors (see :class:`BiasVarianceResult`); nothing
    is refitted.
    """
    n_rounds = predictions.shape[0]
    ensemble_losses = None
    scale = 1.0
    if loss == "squared_error":
        # Predictions and targets of extreme magnitude are scaled by a power
        # of two (exactly) so that their squares do not overflow where the
        # figures do not; _result undoes it.
        scale = power_of_two_scale(predictions, y_test, y_test_true, members)
        if scale != 1.0:
            predictions = np.asarray(predictions, dtype=np.float64) * scale
            y_test = np.asarray(y_test, dtype=np.float64) * scale
            if y_test_true is not None:
                y_test_true = np.asarray(y_test_true, dtype=np.float64) * scale
            if members is not None:
                members = np.asarray(members, dtype=np.float64) * scale
    if loss in PROBA_LOSSES:
        classes = np.asarray(classes)
        label = _label_codes(y_test, classes)
        truth = label if y_test_true is None else _label_codes(y_test_true, classes)
        proba = np.asarray(predictions, dtype=np.float64)
        if loss == "brier":
            figures, loo = _brier_figures(proba, label, truth, len(classes))
            target = np.eye(len(classes))[truth]
        else:
            figures, loo = _log_loss_figures(proba, label, truth)
            target = truth
    elif loss == "squared_error":
        figures, loo = _squared_error_figures(predictions, y_test, y_test_true)
        target = np.asarray(
            y_test if y_test_true is None else y_test_true, dtype=np.float64
        )
    else:
        # Labels of any type are coded as ints, the members' among them.
        given = [predictions, y_test, *([] if y_test_true is None else [y_test_true])]
        if members is not None:
            given.append(members)
        labels, codes = np.unique(
            np.concatenate([np.asarray(a).ravel() for a in given]),
            return_inverse=True,
        )
        sizes = np.cumsum([np.size(a) for a in given])[:-1]
        coded = [c.reshape(np.shape(a)) for c, a in zip(np.split(codes, sizes), given)]
        predicted, label = coded[0], coded[1]
        target = label if y_test_true is None else coded[2]
        if members is not None:
            members = coded[-1]
        figures, loo = _zero_one_figures(predicted, label, target, len(labels))
        ensemble_losses = np.mean(predicted != target, axis=1)

    corrected = loss in ("squared_error", "brier")
    figures["bias_corrected"] = (
        _corrected(figures["bias"], figures["variance"], n_rounds)
        if corrected
        else None
    )
    if corrected and n_rounds > 2:
        loo["bias_corrected"] = _corrected(loo["bias"], loo["variance"], n_rounds - 1)
    if members is not None:
        weights = np.asarray(member_weights, dtype=np.float64)
        member_figures, member_loo = _member_figures(
            loss, members, weights, target, ensemble_losses
        )
        figures.update(member_figures)
        loo.update(member_loo)
        figures["combiner_gap"], loo["combiner_gap"] = _combiner_gap(figures, loo)
    return _result(loss, figures, loo, n_rounds, scale)
