"""Scale-safe arithmetic with targets, predictions and sample weights.

Targets and weights may be as large or as small as float64 allows; their
sums, products and squares may not be. The ensembles' own arithmetic with
them (probabilities and weighted means of weights, squared errors, line
searches, scores) goes through these helpers, which first bring values of
extreme magnitude to an ordinary one by a power of two. Multiplying by a
power of two is exact in floating point (short of overflow, and of
underflow below the normal range), so ratios, means and comparisons come
out as they would in exact-range arithmetic; values of ordinary magnitude
are not touched at all, so results on ordinary input are the same, bit for
bit, as without these helpers.

Where a result itself lies beyond float64's range (a mean squared error
above 1.8e308, say), it is infinite: the callers decide whether that is an
error.
"""

import numpy as np
from sklearn.metrics import r2_score as sklearn_r2_score

#: Magnitudes left as they are: from 2**-100 to 2**100 (about 8e-31 to
#: 1.3e30). Their squares, their products with each other, and sums of
#: those over 2**40 rows, all stay well inside float64's normal range.
_ORDINARY = 2.0**100

#: The largest float64, about 1.8e308.
FLOAT_MAX = float(np.finfo(np.float64).max)


def _largest_magnitude(values):
    """The largest finite |value| of ``values`` (0.0 for none)."""
    magnitudes = np.abs(np.asarray(values, dtype=np.float64))
    if magnitudes.size == 0:
        return 0.0
    largest = float(np.max(magnitudes))
    if np.isfinite(largest):
        return largest
    finite = magnitudes[np.isfinite(magnitudes)]
    return float(np.max(finite)) if finite.size else 0.0


def power_of_two_scale(*arrays):
    """The power of two that brings ``arrays`` to an ordinary magnitude.

    Parameters
    ----------
    *arrays : array-like or None
        Values sharing one unit (None entries are skipped).

    Returns
    -------
    scale : float
        1.0 when their largest finite magnitude is ordinary (from
        ``2**-100`` to ``2**100``) or zero; otherwise the power of two that
        brings it into [0.5, 1), but kept within ``2**-1023`` to
        ``2**1023``, so that its inverse is representable too (magnitudes
        from ``2**1023`` up come to [1, 2)).
    """
    largest = max(
        (_largest_magnitude(values) for values in arrays if values is not None),
        default=0.0,
    )
    if largest == 0.0 or 1 / _ORDINARY <= largest <= _ORDINARY:
        return 1.0
    _, exponent = np.frexp(largest)
    # 2**1023 is float64's largest power of two: the smallest subnormals
    # then come up to about 2**-51, ordinary enough. A step along values
    # scaled down is a step scaled up alike: its scale's inverse must be
    # representable too.
    return float(np.ldexp(1.0, int(np.clip(-exponent, -1023, 1023))))


def normalised_weights(sample_weight):
    """``sample_weight`` scaled by a power of two to an ordinary magnitude.

    The weights' ratios are exactly those given, so every probability or
    weighted mean formed from them is the same; only their sum can no
    longer overflow, nor their products with ordinary values.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative, finite weights.

    Returns
    -------
    weights : ndarray of shape (n_samples,) or None
        The scaled weights (the array itself when already ordinary).
    """
    if sample_weight is None:
        return None
    scale = power_of_two_scale(sample_weight)
    return sample_weight if scale == 1.0 else sample_weight * scale


def weighted_mean(values, sample_weight, *, squared=False):
    """The weighted mean of ``values`` (of their squares with ``squared``).

    Rows of zero weight take no part, even where their value is infinite.
    The result is infinite only when the mean itself exceeds float64's
    range.

    Parameters
    ----------
    values : ndarray of shape (n_samples,)
        The values to average.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.
    squared : bool, default=False
        Average the squares of ``values`` instead, without forming squares
        that overflow.

    Returns
    -------
    mean : float
        NaN when the weights sum to zero: there is nothing to average.
    """
    weights = normalised_weights(sample_weight)
    total_weight = np.sum(weights)
    if not total_weight > 0:
        return np.nan
    values = np.where(weights > 0, values, 0.0)
    scale = power_of_two_scale(values)
    scaled = values * scale if scale != 1.0 else values
    mean = np.sum(weights * (scaled**2 if squared else scaled)) / total_weight
    if scale == 1.0:
        return float(mean)
    # Undo the scale once per power (its square may not be representable).
    with np.errstate(over="ignore", under="ignore"):
        mean = mean / scale
        return float(mean / scale if squared else mean)


def r2_score(y_true, y_pred, *, sample_weight=None):
    """scikit-learn's ``r2_score``, safe for targets of any magnitude.

    R² does not change when targets and predictions are scaled alike, nor
    when the weights are: both are brought to an ordinary magnitude by a
    power of two first, so that the squared errors do not overflow
    (targets of 1e154 would give inf / inf, NaN).

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    y_pred : ndarray of the same shape
        Predictions.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float
        R², as scikit-learn's ``r2_score`` gives it.
    """
    scale = power_of_two_scale(y_true, y_pred)
    return sklearn_r2_score(
        y_true * scale,
        y_pred * scale,
        sample_weight=normalised_weights(sample_weight),
    )
