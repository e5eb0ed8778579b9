"""The decomposition itself: from the predictions of many rounds to bias,
variance and noise.

:func:`decompose` takes a (rounds x test points) matrix of predictions and
returns a :class:`BiasVarianceResult` for each supported loss (squared
error; Domingos' 0-1 loss). It knows nothing of estimators or resampling:
those are :mod:`ensembles.bias_variance`'s.
"""

import dataclasses

import numpy as np

LOSSES = ("squared_error", "zero_one")


@dataclasses.dataclass(frozen=True)
class BiasVarianceResult:
    """The figures of one decomposition.

    Returned by :func:`bias_variance_decomposition`; a frozen dataclass whose
    fields are the figures, so results compare equal when their figures do.
    Every field is also an attribute of the same name.

    Parameters
    ----------
    loss : str
        "squared_error" or "zero_one".
    expected_loss : float
        Mean loss over rounds and test points.
    bias : float
        Squared error: mean squared bias of the average prediction (against
        the true function when known, else against the noisy targets, so
        that it includes the noise). Zero-one: share of test points whose
        most frequent prediction is wrong.
    variance : float
        Squared error: mean spread of the predictions around their average.
        Zero-one: net variance, ``variance_unbiased - variance_biased``.
    noise : float or None
        Mean squared (or zero-one) difference between the test targets and
        the true ones; None when the truth is not given.
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


def decompose(predictions, y_test, y_test_true, loss):
    n_rounds = predictions.shape[0]
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
