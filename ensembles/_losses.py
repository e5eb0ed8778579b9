"""Loss functions for residual-fitting (gradient) boosting.

One small class per loss. Raw predictions (the additive model ``F``) are
2-D arrays of shape (n_samples, K): K=1 for regression and binary
classification, K=n_classes for multiclass log-loss. Each loss knows:

- its best constant (the default start of the ensemble) and how to turn an
  initial estimator's predictions into raw predictions;
- its value, negative gradient and (diagonal) hessian;
- the line search: the step ``rho`` (one per column) along a member's
  predictions ``h`` that lowers the loss of ``F + rho * h``: its minimum
  for the regression losses, one damped Newton step for the classification
  losses. Because the step is computed rather than assumed, the update
  is correct for any base learner, not only for trees whose leaves can be
  re-fitted.

Every sum over the rows goes through :mod:`ensembles._scale_safe`: weights
and values of extreme magnitude (targets of 1e154, weights of 1e307) are
first brought to an ordinary one by a power of two, so that no square,
product or sum overflows where the result itself is representable; on
ordinary values nothing changes.
"""

import numpy as np
from scipy.special import expit
from sklearn.dummy import DummyClassifier, DummyRegressor

from ._scale_safe import normalised_weights, power_of_two_scale, weighted_mean
from ._sklearn_private import _num_samples


def weighted_quantile(values, weights, q):
    """The smallest value whose cumulative weight reaches a fraction ``q``."""
    order = np.argsort(values, kind="stable")
    # Normalised: a cumulative sum of weights of 1e307 would overflow.
    cumulative = np.cumsum(normalised_weights(weights)[order])
    if cumulative[-1] <= 0:
        return 0.0
    position = np.searchsorted(cumulative, q * cumulative[-1], side="left")
    return float(values[order][min(position, len(values) - 1)])


def _softmax(raw):
    """Softmax of each row and the log of its normaliser."""
    top = raw.max(axis=1, keepdims=True)
    exp = np.exp(raw - top)
    total = exp.sum(axis=1, keepdims=True)
    return exp / total, (top + np.log(total))[:, 0]


_EPS = np.finfo(np.float64).eps


def _init_proba(init_estimator, X, n_classes):
    """``predict_proba`` of an initial estimator, checked to have a column
    per class, clipped away from 0 and 1."""
    proba = np.asarray(init_estimator.predict_proba(X), dtype=np.float64)
    expected = (_num_samples(X), n_classes)
    if proba.shape != expected:
        raise ValueError(
            f"The initial estimator {type(init_estimator).__name__}'s "
            f"predict_proba gives an array of shape {proba.shape}; the "
            f"ensemble starts from probabilities of shape {expected}."
        )
    return np.clip(proba, _EPS, 1 - _EPS)


class _Loss:
    """Base: a smooth loss with a damped-Newton line search."""

    #: Number of raw columns K; the multinomial loss sets it per problem.
    n_columns = 1

    #: The factor between the loss minimised here and the scores reported
    #: (``train_score_``, the out-of-bag and validation scores), so that
    #: they are on scikit-learn's gradient boosting's scale: its binomial
    #: deviance is twice the binary log-loss.
    score_scale = 1.0

    def init_estimator(self):
        """An unfitted estimator whose predictions are the best constant."""
        raise NotImplementedError

    def raw_from_init(self, init_estimator, X):
        """Raw predictions (n_samples, K) of a fitted initial estimator."""
        predictions = np.asarray(init_estimator.predict(X), dtype=np.float64)
        n_samples = _num_samples(X)
        if predictions.shape not in ((n_samples,), (n_samples, 1)):
            raise ValueError(
                f"The initial estimator {type(init_estimator).__name__} predicts "
                f"an array of shape {predictions.shape} for {n_samples} "
                "samples; the ensemble starts from one value per sample."
            )
        return predictions.reshape(-1, 1)

    def __call__(self, y, raw, sample_weight):
        """Weighted mean loss."""
        return weighted_mean(self.pointwise(y, raw), sample_weight)

    def score(self, y, raw, sample_weight):
        """The weighted mean loss as reported, on scikit-learn's scale."""
        return self.score_scale * self(y, raw, sample_weight)

    def pointwise(self, y, raw):
        raise NotImplementedError

    def negative_gradient(self, y, raw):
        raise NotImplementedError

    def hessian(self, y, raw):
        raise NotImplementedError

    def gradient_and_hessian(self, y, raw):
        """Negative gradient and diagonal hessian, in one pass where shared."""
        return self.negative_gradient(y, raw), self.hessian(y, raw)

    def prepare_stage(self, y, raw, sample_weight):
        """Hook run before each stage (the Huber loss sets its threshold)."""

    def line_search(self, y, raw, direction, sample_weight):
        """Per-column step along ``direction``: one damped Newton step.

        The Newton step of every column from 0, halved until the loss does
        not increase. One step, as Friedman's TreeBoost takes per leaf:
        searching on to the exact minimum along every stage overfits the
        probabilities, because on nearly separable training rows the loss
        keeps falling along the direction and the steps grow without bound.
        """
        # Normalised weights: the step is a ratio of two weighted sums.
        w = normalised_weights(sample_weight)[:, None]
        current = self(y, raw, sample_weight)
        negative_gradient, hessian = self.gradient_and_hessian(y, raw)
        slope = -np.sum(w * negative_gradient * direction, axis=0)
        curvature = np.sum(w * hessian * direction**2, axis=0)
        step = np.divide(
            -slope, curvature, out=np.zeros_like(slope), where=curvature > 0
        )
        for _ in range(30):
            if self(y, raw + direction * step, sample_weight) <= current:
                return step
            step = step / 2
        return np.zeros_like(step)

    #: Whether a tree's leaf values are worth re-computing for this loss
    #: (for the squared error the leaf means already are the best values).
    refines_leaves = True

    def leaf_values(self, y, raw, sample_weight, column, leaves, n_nodes):
        """The value of each leaf of a tree fitted for ``column`` (an array
        over the tree's ``n_nodes`` nodes, leaves indexed by ``leaves``): the
        line search of a constant, leaf by leaf (Friedman's TreeBoost)."""
        values = np.zeros(n_nodes)
        for leaf, rows in _rows_by_leaf(leaves):
            constant = np.zeros((len(rows), self.n_columns))
            constant[:, column] = 1.0
            values[leaf] = self.line_search(
                y[rows], raw[rows], constant, sample_weight[rows]
            )[column]
        return values


def _rows_by_leaf(leaves):
    """(leaf, the positions of its rows) for every leaf that holds rows."""
    order = np.argsort(leaves, kind="stable")
    starts = np.flatnonzero(np.diff(leaves[order])) + 1
    return [(leaves[rows[0]], rows) for rows in np.split(order, starts)]


class _NewtonLeaves:
    """Leaf values by one Newton step each, summed with bincount, as
    scikit-learn's gradient boosting computes them for its log-losses and
    the exponential loss (no halving, a zero where the hessian vanishes)."""

    #: Friedman's (K - 1) / K factor of the multinomial update.
    leaf_scale = 1.0

    def leaf_values(self, y, raw, sample_weight, column, leaves, n_nodes):
        negative_gradient, hessian = self.gradient_and_hessian(y, raw)
        # Normalised weights (each leaf's value is a ratio of weighted sums);
        # the threshold below which a leaf's hessian counts as zero applies
        # to the sums of the given weights.
        scale = power_of_two_scale(sample_weight)
        sample_weight = sample_weight * scale
        numerator = np.bincount(
            leaves,
            weights=sample_weight * negative_gradient[:, column],
            minlength=n_nodes,
        )
        denominator = np.bincount(
            leaves, weights=sample_weight * hessian[:, column], minlength=n_nodes
        )
        with np.errstate(over="ignore"):
            safe = np.abs(denominator) / scale >= 1e-150
        values = np.divide(numerator, denominator, out=np.zeros(n_nodes), where=safe)
        return self.leaf_scale * values


# --------------------------------------------------------------------------
# Regression
# --------------------------------------------------------------------------
class SquaredError(_Loss):
    """Mean squared error; negative gradient = residuals ``y - F``."""

    refines_leaves = False

    def init_estimator(self):
        return DummyRegressor(strategy="mean")

    def __call__(self, y, raw, sample_weight):
        # Not the mean of pointwise(): squares of residuals beyond 1.3e154
        # overflow where their mean may not.
        return weighted_mean(y - raw[:, 0], sample_weight, squared=True)

    def pointwise(self, y, raw):
        return (y - raw[:, 0]) ** 2

    def negative_gradient(self, y, raw):
        return (y - raw[:, 0])[:, None]

    def hessian(self, y, raw):
        return np.ones_like(raw)

    def line_search(self, y, raw, direction, sample_weight):
        # Exact: a least-squares fit of the residuals (a tree's leaf means)
        # gives rho = 1, the plain residual update. rho = <w r, h> / <w h, h>
        # is computed with w, r and h each scaled by a power of two, which
        # their products and squares then cannot overflow (residuals and
        # predictions of 1e154 would), and the scales undone on the ratio.
        residual = y - raw[:, 0]
        h = direction[:, 0]
        weights = normalised_weights(sample_weight)
        residual_scale = power_of_two_scale(residual)
        direction_scale = power_of_two_scale(h)
        residual = residual * residual_scale
        h = h * direction_scale
        denominator = np.sum(weights * h * h)
        if denominator <= 0:
            return np.zeros(1)
        step = np.sum(weights * residual * h) / denominator
        # A step beyond float64's range is infinite: the caller refuses it.
        with np.errstate(over="ignore"):
            return np.array([step * direction_scale / residual_scale])


class _PinballLoss(_Loss):
    """Pinball (quantile) loss at level ``alpha``; alpha=0.5 is half the
    absolute error. Its line search is exact: a weighted quantile."""

    def __init__(self, alpha):
        self.alpha = alpha

    def init_estimator(self):
        return DummyRegressor(strategy="quantile", quantile=self.alpha)

    def pointwise(self, y, raw):
        residual = y - raw[:, 0]
        return np.where(
            residual >= 0, self.alpha * residual, (self.alpha - 1) * residual
        )

    def negative_gradient(self, y, raw):
        residual = y - raw[:, 0]
        return np.where(residual > 0, self.alpha, self.alpha - 1)[:, None]

    def line_search(self, y, raw, direction, sample_weight):
        # sum_i w_i * pinball(r_i - rho * h_i) is convex and piecewise linear
        # in rho with kinks at r_i / h_i; its minimum is the weighted
        # quantile of the kinks with weights w_i |h_i| at the level where the
        # slope changes sign.
        residual = y - raw[:, 0]
        h = direction[:, 0]
        moving = h != 0
        if not np.any(moving & (sample_weight > 0)):
            return np.zeros(1)
        kinks = residual[moving] / h[moving]
        # The weights w |h|, each factor normalised first: their product
        # and sum could overflow (weights of 1e307, predictions of 1e154).
        weights = normalised_weights(sample_weight)[moving] * np.abs(
            h[moving] * power_of_two_scale(h)
        )
        share = np.where(h[moving] > 0, self.alpha, 1 - self.alpha)
        level = np.sum(weights * share) / np.sum(weights)
        return np.array([weighted_quantile(kinks, weights, level)])


class AbsoluteError(_PinballLoss):
    """Mean absolute error; negative gradient = sign of the residuals."""

    def __init__(self):
        super().__init__(alpha=0.5)

    def init_estimator(self):
        return DummyRegressor(strategy="median")

    def __call__(self, y, raw, sample_weight):
        return weighted_mean(np.abs(y - raw[:, 0]), sample_weight)

    def negative_gradient(self, y, raw):
        return np.sign(y - raw[:, 0])[:, None]


class QuantileLoss(_PinballLoss):
    """Pinball loss: fits the ``alpha``-quantile of y given X."""


class HuberLoss(_Loss):
    """Huber loss: squared near zero, linear beyond ``delta``, where delta is
    re-set before every stage to the ``alpha``-quantile of |residuals|."""

    def __init__(self, alpha):
        self.alpha = alpha
        self.delta = None

    def init_estimator(self):
        return DummyRegressor(strategy="median")

    def prepare_stage(self, y, raw, sample_weight):
        self.delta = weighted_quantile(np.abs(y - raw[:, 0]), sample_weight, self.alpha)

    def _delta(self, y, raw):
        if self.delta is None:
            self.prepare_stage(y, raw, np.ones_like(y))
        return self.delta

    def __call__(self, y, raw, sample_weight):
        # The loss is quadratic in (residual, delta): computed on both scaled
        # by one power of two, whose square is then undone, so that squares
        # of residuals of 1e154 do not overflow where the mean does not.
        delta = self._delta(y, raw)
        residual = y - raw[:, 0]
        scale = power_of_two_scale(residual, [delta])
        if scale == 1.0:
            return weighted_mean(self._pointwise(residual, delta), sample_weight)
        scaled = self._pointwise(residual * scale, delta * scale)
        with np.errstate(over="ignore", under="ignore"):
            return weighted_mean(scaled, sample_weight) / scale / scale

    def pointwise(self, y, raw):
        return self._pointwise(y - raw[:, 0], self._delta(y, raw))

    @staticmethod
    def _pointwise(residual, delta):
        residual = np.abs(residual)
        return np.where(
            residual <= delta, 0.5 * residual**2, delta * (residual - 0.5 * delta)
        )

    def negative_gradient(self, y, raw):
        delta = self._delta(y, raw)
        residual = y - raw[:, 0]
        return np.clip(residual, -delta, delta)[:, None]

    def hessian(self, y, raw):
        delta = self._delta(y, raw)
        return (np.abs(y - raw[:, 0]) <= delta).astype(np.float64)[:, None]

    def line_search(self, y, raw, direction, sample_weight):
        # Exact, as Friedman's M-TreeBoost takes it. Along the direction the
        # loss is convex and piecewise quadratic, so its slope is piecewise
        # linear and non-decreasing, with kinks where a row crosses +-delta:
        # bisect the kinks for the sign change, then interpolate. (A Newton
        # step does not move at all when every moved row is an outlier.)
        delta = self._delta(y, raw)
        h = direction[:, 0]
        moving = (h != 0) & (sample_weight > 0)
        if delta <= 0 or not np.any(moving):
            return np.zeros(1)
        residual, h, w = (y - raw[:, 0])[moving], h[moving], sample_weight[moving]
        # Only the slope's sign and the ratio of two slopes matter: w, h and
        # the clipped residuals are each scaled by a power of two, so that
        # their products cannot overflow.
        w = normalised_weights(w)
        h_scaled = h * power_of_two_scale(h)
        clip_scale = power_of_two_scale([delta])

        def slope(step):
            clipped = np.clip(residual - step * h, -delta, delta) * clip_scale
            return -np.sum(w * h_scaled * clipped)

        kinks = np.unique(
            np.concatenate([(residual - delta) / h, (residual + delta) / h])
        )
        # The slope is -delta * sum(w |h|) < 0 at the first kink and its
        # negative at the last.
        low, high = 0, len(kinks) - 1
        while high - low > 1:
            middle = (low + high) // 2
            if slope(kinks[middle]) < 0:
                low = middle
            else:
                high = middle
        at_low, at_high = slope(kinks[low]), slope(kinks[high])
        step = kinks[low] - at_low * (kinks[high] - kinks[low]) / (at_high - at_low)
        return np.array([step])

    def leaf_values(self, y, raw, sample_weight, column, leaves, n_nodes):
        """Friedman's Huber leaf (scikit-learn's too): the leaf's median
        residual plus the mean of the deviations from it, clipped to delta.
        A Newton step would not move a leaf of outliers at all: beyond
        delta the loss has no curvature."""
        delta = self._delta(y, raw)
        residual = y - raw[:, 0]
        values = np.zeros(n_nodes)
        for leaf, rows in _rows_by_leaf(leaves):
            weights = sample_weight[rows]
            if np.sum(weights) <= 0:
                continue
            median = weighted_quantile(residual[rows], weights, 0.5)
            deviation = np.clip(residual[rows] - median, -delta, delta)
            values[leaf] = median + weighted_mean(deviation, weights)
        return values


# --------------------------------------------------------------------------
# Classification (y holds class indices 0..K-1)
# --------------------------------------------------------------------------


class BinomialLogLoss(_NewtonLeaves, _Loss):
    """Binary log-loss on the log-odds ``F``; scores are reported as the
    binomial deviance (twice the log-loss), as scikit-learn reports them."""

    score_scale = 2.0

    def init_estimator(self):
        return DummyClassifier(strategy="prior")

    def raw_from_init(self, init_estimator, X):
        proba = _init_proba(init_estimator, X, 2)[:, 1]
        return np.log(proba / (1 - proba))[:, None]

    def pointwise(self, y, raw):
        # log(1 + exp(F)) - y * F, computed stably.
        return np.logaddexp(0, raw[:, 0]) - y * raw[:, 0]

    def negative_gradient(self, y, raw):
        return (y - expit(raw[:, 0]))[:, None]

    def hessian(self, y, raw):
        p = expit(raw)
        return p * (1 - p)

    def proba(self, raw):
        p = expit(raw[:, 0])
        return np.column_stack([1 - p, p])


class ExponentialLoss(_NewtonLeaves, _Loss):
    """AdaBoost's exponential loss ``exp(-s F)`` with s = 2y - 1 (binary)."""

    def init_estimator(self):
        return DummyClassifier(strategy="prior")

    def raw_from_init(self, init_estimator, X):
        proba = _init_proba(init_estimator, X, 2)[:, 1]
        return 0.5 * np.log(proba / (1 - proba))[:, None]

    def pointwise(self, y, raw):
        return np.exp(-(2 * y - 1) * raw[:, 0])

    def negative_gradient(self, y, raw):
        sign = 2 * y - 1
        return (sign * np.exp(-sign * raw[:, 0]))[:, None]

    def hessian(self, y, raw):
        return np.exp(-(2 * y - 1) * raw[:, 0])[:, None]

    def proba(self, raw):
        p = expit(2 * raw[:, 0])
        return np.column_stack([1 - p, p])


class MultinomialLogLoss(_NewtonLeaves, _Loss):
    """Multiclass log-loss on K raw scores, probabilities by softmax."""

    def __init__(self, n_classes):
        self.n_columns = n_classes
        self.leaf_scale = (n_classes - 1) / n_classes

    def init_estimator(self):
        return DummyClassifier(strategy="prior")

    def raw_from_init(self, init_estimator, X):
        proba = _init_proba(init_estimator, X, self.n_columns)
        log_proba = np.log(proba)
        return log_proba - log_proba.mean(axis=1, keepdims=True)

    def pointwise(self, y, raw):
        _, log_normaliser = _softmax(raw)
        return log_normaliser - raw[np.arange(len(y)), y]

    def proba(self, raw):
        return _softmax(raw)[0]

    def negative_gradient(self, y, raw):
        gradient = -self.proba(raw)
        gradient[np.arange(len(y)), y] += 1
        return gradient

    def hessian(self, y, raw):
        p = self.proba(raw)
        return p * (1 - p)

    def gradient_and_hessian(self, y, raw):
        p = self.proba(raw)
        gradient = -p
        gradient[np.arange(len(y)), y] += 1
        return gradient, p * (1 - p)
