"""Synthetic problems with a known true function.

Each problem is a small object with

- ``sample(n_samples, random_state)`` -> ``(X, y)``: a fresh, independent
  training or test set;
- ``f(X)``: the noise-free target, so that bias can be measured against
  the truth rather than against noisy labels;
- ``noise_variance``: the irreducible error of the squared loss.

They plug into :func:`ensembles.bias_variance_decomposition` as
``sampling=`` (each round draws its own training set: the textbook
definition of bias and variance) and give ``y_test_true`` for its test set.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["Friedman1", "Sine"]


class _NoisyProblem:
    """What every problem shares: uniform features on [0, 1] and Gaussian
    noise added to the true function ``f``, which subclasses define along
    with their ``noise`` and ``n_features``."""

    def __post_init__(self):
        if self.noise < 0:
            raise ValueError(f"noise={self.noise} must be non-negative.")

    @property
    def noise_variance(self):
        """Variance of the noise: the irreducible squared error."""
        return float(self.noise**2)

    def sample(self, n_samples, random_state=None):
        """Draw ``n_samples`` rows: ``(X, y)`` with ``y = f(X) + noise``.

        Parameters
        ----------
        n_samples : int
            Number of rows.
        random_state : int, RandomState instance or None, default=None
            Controls the features and the noise.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Features, uniform on [0, 1].
        y : ndarray of shape (n_samples,)
            Noisy targets.
        """
        rng = check_random_state(random_state)
        X = rng.uniform(size=(n_samples, self.n_features))
        y = self.f(X) + self.noise * rng.standard_normal(n_samples)
        return X, y


@dataclass(frozen=True)
class Friedman1(_NoisyProblem):
    """Friedman's regression problem #1 (the one of Breiman's bagging paper).

    ``y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + noise * N(0, 1)``
    with features uniform on [0, 1]; features beyond the fifth are
    irrelevant.

    Parameters
    ----------
    noise : float, default=1.0
        Standard deviation of the Gaussian noise.
    n_features : int, default=10
        Number of features, at least 5.

    See Also
    --------
    sklearn.datasets.make_friedman1 : The same problem, without ``f``.
    Sine : A one-dimensional problem.

    Examples
    --------
    >>> from ensembles.datasets import Friedman1
    >>> problem = Friedman1(noise=1.0)
    >>> X, y = problem.sample(200, random_state=0)
    >>> X.shape, problem.noise_variance
    ((200, 10), 1.0)
    """

    noise: float = 1.0
    n_features: int = 10

    def __post_init__(self):
        if self.n_features < 5:
            raise ValueError(f"n_features={self.n_features} must be at least 5.")
        super().__post_init__()

    def f(self, X):
        """The noise-free target.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points to evaluate the true function at.

        Returns
        -------
        f : ndarray of shape (n_samples,)
            The target without noise.
        """
        X = np.asarray(X, dtype=np.float64)
        return (
            10 * np.sin(np.pi * X[:, 0] * X[:, 1])
            + 20 * (X[:, 2] - 0.5) ** 2
            + 10 * X[:, 3]
            + 5 * X[:, 4]
        )


@dataclass(frozen=True)
class Sine(_NoisyProblem):
    """A one-dimensional wave: ``y = sin(2 pi x) + noise * N(0, 1)``, x in [0, 1].

    Small enough to plot a learner's fits round by round.

    Parameters
    ----------
    noise : float, default=0.3
        Standard deviation of the Gaussian noise.

    See Also
    --------
    Friedman1 : A ten-dimensional problem.

    Examples
    --------
    >>> from ensembles.datasets import Sine
    >>> X, y = Sine(noise=0.1).sample(50, random_state=0)
    >>> X.shape
    (50, 1)
    """

    noise: float = 0.3

    @property
    def n_features(self):
        """Number of features: one (a property, not a setting)."""
        return 1

    def f(self, X):
        """The noise-free target.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points to evaluate the true function at.

        Returns
        -------
        f : ndarray of shape (n_samples,)
            The target without noise.
        """
        X = np.asarray(X, dtype=np.float64)
        return np.sin(2 * np.pi * X[:, 0])
