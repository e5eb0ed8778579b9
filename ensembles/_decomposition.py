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

    References
    ----------
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


def _decompose_proba(proba, y_test, y_test_true, loss, classes):
    """Brier or log-loss decomposition of (rounds x test x classes)
    probabilities whose columns are ``classes``."""
    n_rounds, n_test, _ = proba.shape
    points = np.arange(n_test)
    label = _label_codes(y_test, classes)
    truth = label if y_test_true is None else _label_codes(y_test_true, classes)
    noise = None
    if loss == "brier":
        one_hot = np.eye(len(classes))
        Y, T = one_hot[label], one_hot[truth]
        main = proba.mean(axis=0)
        expected_loss = np.mean(np.sum((proba - Y) ** 2, axis=2))
        variance = np.mean(np.sum((proba - main) ** 2, axis=2))
        bias = np.mean(np.sum((main - T) ** 2, axis=1))
        if y_test_true is not None:
            noise = np.mean(np.sum((Y - T) ** 2, axis=1))
    else:
        # Heskes (1998): the main prediction is the normalised geometric
        # mean; the expected loss is the label's cross-entropy against it
        # (bias) plus the mean KL(main || round) (variance).
        proba = np.clip(proba, LOG_LOSS_EPS, 1.0)
        log_proba = np.log(proba / proba.sum(axis=2, keepdims=True))
        mean_log = log_proba.mean(axis=0)
        shift = mean_log.max(axis=1, keepdims=True)
        log_z = shift + np.log(np.sum(np.exp(mean_log - shift), axis=1, keepdims=True))
        log_main = mean_log - log_z
        main = np.exp(log_main)
        expected_loss = -np.mean(log_proba[:, points, label])
        variance = np.mean(np.sum(main * (log_main - log_proba), axis=2))
        bias = -np.mean(log_main[points, truth])
        if y_test_true is not None:
            noise = np.mean(log_main[points, truth] - log_main[points, label])
    return BiasVarianceResult(
        loss,
        float(expected_loss),
        float(bias),
        float(variance),
        None if noise is None else float(noise),
        n_rounds,
    )


def decompose(predictions, y_test, y_test_true, loss, classes=None):
    """Decompose ``predictions`` for ``loss``.

    ``predictions`` is (rounds x test points) for "squared_error" and
    "zero_one"; for "brier" and "log_loss", (rounds x test points x
    classes) probabilities whose columns are the sorted labels
    ``classes``.
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
        variance = np.mean((predictions - main) ** 2)
        target = y_test if y_test_true is None else y_test_true
        bias = np.mean((main - target) ** 2)
        noise = None if y_test_true is None else np.mean((y_test - y_test_true) ** 2)
        return BiasVarianceResult(
            loss,
            float(expected_loss),
            float(bias),
            float(variance),
            None if noise is None else float(noise),
            n_rounds,
        )

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
    counts = np.zeros((len(labels), n_test), dtype=np.int64)
    np.add.at(
        counts, (predicted, np.broadcast_to(np.arange(n_test), predicted.shape)), 1
    )
    main = np.argmax(counts, axis=0)  # most frequent prediction; ties: first label
    biased = main != target_codes
    spread = np.mean(predicted != main, axis=0)
    # Where the main prediction is wrong, only the rounds that predict the
    # right label lower the loss (Domingos' c2 * V): for two classes that is
    # every round off the main prediction, for more only some of them.
    right = counts[target_codes, np.arange(n_test)] / n_rounds
    expected_loss = np.mean(predictions != np.asarray(y_test))
    variance_unbiased = np.mean(np.where(biased, 0.0, spread))
    variance_biased = np.mean(np.where(biased, right, 0.0))
    noise = None
    if y_test_true is not None:
        noise = float(np.mean(np.asarray(y_test) != np.asarray(y_test_true)))
    return BiasVarianceResult(
        loss,
        float(expected_loss),
        float(np.mean(biased)),
        float(variance_unbiased - variance_biased),
        noise,
        n_rounds,
        float(variance_unbiased),
        float(variance_biased),
    )
