"""The estimator skeleton shared by every estimator of the package.

- :class:`HomogeneousEnsemble`, the base of the ensembles whose members are
  clones of one ``estimator`` (bagging, boosting), and
  :class:`ProbaClassifierMixin`;
- :func:`unfitted_on_error`: a fit that fails leaves the estimator
  unfitted (or, for a warm start, as it was);
- validation: :func:`validate_X_y`, :func:`validate_X`,
  :func:`check_sample_weight`, :func:`refuse_none`,
  :func:`check_target_magnitude`, :func:`encode_classes`,
  :func:`check_n_features` and the warm-start checks.

Parallel work lives in :mod:`ensembles._parallel`; making and fitting
members, with every special case for a particular learner, in
:mod:`ensembles._members`.
"""

import functools
from numbers import Integral, Real
from warnings import warn

import numpy as np
from scipy import sparse as sp
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    is_classifier,
    is_regressor,
)
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._members import member_input_tags
from ._scale_safe import FLOAT_MAX, power_of_two_scale


def unfitted_on_error(fit):
    """Decorate ``fit`` so that a fit that fails leaves the estimator unfitted.

    Whatever interrupts it (an error in a member, bad input found late,
    KeyboardInterrupt), the fitted attributes are removed before the error
    propagates, so the estimator never predicts with a half-built ensemble:
    ``predict`` raises NotFittedError instead. A warm start that fails
    leaves the ensemble as it was before the call, as if the call had not
    been made: what was fitted before is kept.
    """

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        before = None
        if getattr(self, "warm_start", False):
            # Lists (of members) grow in place: keep copies.
            before = {
                name: list(value) if isinstance(value, list) else value
                for name, value in vars(self).items()
            }
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            if before is not None:
                vars(self).clear()
                vars(self).update(before)
            else:
                for name in [
                    name
                    for name in vars(self)
                    if name.endswith("_") and not name.startswith("__")
                ]:
                    delattr(self, name)
            raise

    return wrapper


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
def array_options(allow_nan, sparse, check_finite=True):
    """Keyword arguments of ``check_array`` for input the members accept.

    With ``check_finite=False``, missing and infinite values are not
    checked at all: they are left to the members, whose own errors say
    what they refuse (scikit-learn's bagging does so).
    """
    if not check_finite:
        finite = False
    else:
        finite = "allow-nan" if allow_nan else True
    return dict(
        accept_sparse=["csr", "csc"] if sparse else False,
        ensure_all_finite=finite,
        dtype=None,
    )


def validate_X_y(
    ensemble,
    X,
    y,
    *,
    allow_nan,
    sparse,
    multi_output=False,
    y_numeric=False,
    check_finite=True,
):
    """Validate training data and record ``n_features_in_``/``feature_names_in_``.

    ``X`` keeps its dtype (members may take strings or categories); missing
    values (NaN, and None in an object array) and sparse matrices are
    accepted only where every member accepts them, so the error comes from
    here, in scikit-learn's words, rather than from deep inside a member.
    ``check_finite=False`` leaves missing and infinite values in ``X`` to
    the members (see :func:`array_options`). ``y`` never has missing values.
    """
    X, y_valid = validate_data(
        ensemble,
        X,
        y,
        multi_output=multi_output,
        y_numeric=y_numeric,
        **array_options(allow_nan, sparse, check_finite),
    )
    _refuse_missing_X(ensemble, X, allow_nan, check_finite)
    # The target as given: scikit-learn turns None into NaN in a numeric
    # target, unchecked for a multi-output one.
    refuse_none(y, "y", "every sample needs a target value")
    return X, y_valid


def validate_X(ensemble, X, *, allow_nan, sparse, check_finite=True):
    """Validate prediction data against what was seen in fit."""
    X = validate_data(
        ensemble, X, reset=False, **array_options(allow_nan, sparse, check_finite)
    )
    _refuse_missing_X(ensemble, X, allow_nan, check_finite)
    return X


def _refuse_missing_X(ensemble, X, allow_nan, check_finite):
    if check_finite and not allow_nan:
        refuse_none(X, "X", missing_values_refused(type(ensemble).__name__))


def missing_values_refused(name):
    """Why ``X`` may not hold None (a missing value) for ``name``."""
    return (
        f"{name} does not accept missing values (as with NaN); impute them "
        "first, with sklearn.impute.SimpleImputer for example"
    )


# None as an element of an object array, elementwise (``== None`` would ask
# each element, and some answer neither True nor False).
_is_none = np.frompyfunc(lambda value: value is None, 1, 1)


def refuse_none(values, input_name, why):
    """Raise a ValueError if ``values`` (an array-like) holds None.

    ``check_array``'s finiteness check finds NaN in an object array but not
    None, which a later conversion to float turns into NaN unseen. Numeric
    arrays, sparse matrices and extension dtypes are not looked at (they
    cannot hold None); an object array costs one pass.

    Parameters
    ----------
    values : array-like
        The input as given, or as validated.
    input_name : str
        Its name in the error ("X", "y", "sample_weight").
    why : str
        Why None is refused, for the error.
    """
    if values is None or sp.issparse(values):
        return
    if getattr(values, "dtype", None) is None:
        dtypes = getattr(values, "dtypes", None)  # a data frame
        if dtypes is not None and not any(dtype.kind == "O" for dtype in dtypes):
            return
        try:
            values = np.asarray(values)
        except (TypeError, ValueError):  # ragged: scikit-learn's error says so
            return
    if values.dtype != object:
        return
    if _is_none(np.asarray(values)).any():
        raise ValueError(f"Input {input_name} contains None: {why}.")


def encode_classes(y, ensemble=None):
    """Class labels of a classification target and y as class indices.

    Raises a ValueError for a continuous target or a single class, and,
    when ``ensemble`` is being warm-started, for classes other than those
    its fitted members were trained on.
    """
    check_classification_targets(y)
    classes, encoded = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"The target y has only one class ({np.asarray(classes[0]).item()!r}): "
            "a classifier needs samples of at least two classes."
        )
    warm = getattr(ensemble, "warm_start", False) and hasattr(ensemble, "estimators_")
    if warm and not np.array_equal(classes, ensemble.classes_):
        raise ValueError(
            "y has different classes from the ensemble being warm-started; "
            "use warm_start=False."
        )
    return classes, encoded


def check_warm_start_estimator(ensemble, estimator):
    """Refuse to warm-start ``ensemble`` with a base estimator of another
    type than its fitted members: their input is prepared for their type
    (scikit-learn trees get float32 X and no per-call check), and a mix of
    types would be prepared for one of them only."""
    warm = getattr(ensemble, "warm_start", False) and hasattr(ensemble, "estimators_")
    fitted = getattr(ensemble, "estimator_", None)
    if warm and fitted is not None and type(fitted) is not type(estimator):
        raise ValueError(
            f"The ensemble being warm-started has {type(fitted).__name__} "
            f"members; the estimator is now a {type(estimator).__name__}. A "
            "warm start adds members of the same type; use warm_start=False to "
            "change the estimator."
        )


def check_sample_weight(sample_weight, n_samples, *, for_members=False):
    """Validate ``sample_weight`` (None, a number or an array) for ``n_samples`` rows.

    Returns None or a float64 array of shape (n_samples,) that is finite,
    non-negative and not all zero. The ensembles' own arithmetic with the
    weights is scale-safe (:mod:`ensembles._scale_safe`), so weights of any
    finite size are accepted; with ``for_members=True`` (the weights are
    handed to the members' ``fit`` as they are), weights so large that a
    sum of ``n_samples`` of them overflows float64 are refused: members
    sum them.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
    refuse_none(
        sample_weight, "sample_weight", "every sample needs a weight (0 leaves it out)"
    )
    sample_weight = check_array(
        sample_weight,
        ensure_2d=False,
        dtype=np.float64,
        input_name="sample_weight",
    )
    if sample_weight.ndim != 1:
        raise ValueError(
            "sample_weight must be 1-dimensional, got an array of shape "
            f"{sample_weight.shape}."
        )
    if sample_weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {sample_weight.shape[0]} values for "
            f"{n_samples} samples."
        )
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must not contain negative values.")
    if not np.any(sample_weight > 0):
        raise ValueError(
            "sample_weight must not be all zero: at least one weight must be positive."
        )
    if for_members:
        largest = float(np.max(sample_weight))
        if largest > FLOAT_MAX / n_samples:
            factor = largest / (FLOAT_MAX / n_samples)
            raise ValueError(
                f"sample_weight too large: weights reach {largest:.3g}, and "
                f"sums of {n_samples} such weights, which the members form "
                "when they are fitted with them, overflow float64 (it ends at "
                f"{FLOAT_MAX:.3g}). Divide sample_weight by a common factor "
                f"of at least {factor:.3g}."
            )
    return sample_weight


def check_target_magnitude(y, n_terms=None):
    """Refuse regression targets too large to be summed over the rows.

    A regression ensemble and its members sum targets over rows (the mean
    it starts from, a leaf's or a bag's mean) and subtract predictions from
    them (residuals): targets whose sum can exceed float64's range give
    infinite or NaN predictions there, so they are refused, with the
    factor to divide them by.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Validated, finite regression targets.
    n_terms : int, default=None
        None: the sum of |y| over the rows must be finite (one target of
        1e308 among ordinary ones passes). An int: so must a sum of
        ``n_terms`` targets as large as the largest, for sums that may
        repeat a row (a bootstrap bag) or add up predictions of it (the
        members of a bag).
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return
    magnitudes = np.abs(y)
    largest = float(np.max(magnitudes))
    if n_terms is None:
        # The sum of |y|, scaled by a power of two so that it cannot
        # overflow: its ratio to FLOAT_MAX is the factor to divide y by.
        scale = power_of_two_scale(magnitudes)
        factor = float(np.max(np.sum(magnitudes * scale, axis=0)) / FLOAT_MAX / scale)
        what = f"the sum of |y| over the {y.shape[0]} rows"
    else:
        factor = largest / (FLOAT_MAX / n_terms)
        what = f"a sum of {n_terms} targets as large"
    if factor > 1:
        raise ValueError(
            f"targets too large: |y| reaches {largest:.3g}, and {what}, "
            "which the ensemble and its members form (means, residuals), "
            f"overflows float64 (it ends at {FLOAT_MAX:.3g}). Divide y by a "
            f"common factor of at least {factor:.3g}."
        )


def check_n_features(value, n_features, name):
    """Turn an int or a fraction of ``n_features`` into a count in [1, n_features]."""
    if isinstance(value, Integral):
        count = int(value)
    else:
        count = int(value * n_features)
    if count > n_features:
        raise ValueError(
            f"{name}={value} selects {count} features but X has only {n_features}."
        )
    return max(1, count)


class HomogeneousEnsemble(MetaEstimatorMixin, BaseEstimator):
    """Base of the ensembles whose members are clones of one ``estimator``.

    Subclasses name their default member in ``_default_estimator``; the
    fitted members live in ``estimators_``.
    """

    # The kind of member the ensemble fits: "classifier" or "regressor".
    _member_kind = None
    _member_kind_reason = ""

    # The warm-start messages, formatted with ``n_estimators`` and
    # ``n_fitted``. These are scikit-learn's words for its bagging, which
    # ours replaces as is; boosting names its members stages.
    _warm_start_too_many_fitted = (
        "n_estimators={n_estimators} must be larger or equal to "
        "len(estimators_)={n_fitted} when warm_start==True"
    )
    _warm_start_nothing_new = (
        "Warm-start fitting without increasing n_estimators does not fit new "
        "estimators."
    )

    def _default_estimator(self):
        raise NotImplementedError

    def _get_estimator(self):
        if self.estimator is None:
            return self._default_estimator()
        return self.estimator

    def _checked_estimator(self):
        """The base estimator for ``fit``; a ValueError if it is known to be
        of the other kind (an estimator that does not say is let through)."""
        estimator = self._get_estimator()
        other = is_regressor if self._member_kind == "classifier" else is_classifier
        if self._member_kind is not None and other(estimator):
            raise ValueError(
                f"{type(self).__name__} needs a {self._member_kind} as its "
                f"estimator{self._member_kind_reason}; got {estimator!r}."
            )
        return estimator

    def _warm_start_members(self, estimator, n_features, n_features_before, stale):
        """The number of fitted members a fit keeps, or None if it adds none.

        Called once the training data is validated, and before anything is
        fitted. A fresh fit (no ``warm_start``, or nothing fitted yet)
        keeps 0. A warm start must keep the estimator's type and the number
        of features (``n_features_before``, read before validation reset
        it) and may not ask for fewer members than are fitted; asking for
        as many warns, and the fit adds nothing (None).

        Parameters
        ----------
        estimator : estimator
            The base estimator of this fit.
        n_features : int
            The number of features of the validated training data.
        n_features_before : int or None
            ``n_features_in_`` of the previous fit.
        stale : iterable of str
            Fitted attributes of a previous fit that this fit does not set
            (an out-of-bag score it does not compute, say): they are dropped
            when the fit goes ahead, so that they cannot be mistaken for
            this fit's.

        Returns
        -------
        n_fitted : int or None
            How many of ``estimators_`` the fit keeps, or None when a warm
            start has nothing to add.
        """
        n_fitted = 0
        if self.warm_start and hasattr(self, "estimators_"):
            check_warm_start_estimator(self, estimator)
            if n_features != n_features_before:
                raise ValueError(
                    f"X has {n_features} features, but the ensemble being "
                    f"warm-started was fitted with {n_features_before}. Use "
                    "warm_start=False to fit on new data."
                )
            n_fitted = len(self.estimators_)
            if n_fitted > self.n_estimators:
                raise ValueError(
                    self._warm_start_too_many_fitted.format(
                        n_estimators=self.n_estimators, n_fitted=n_fitted
                    )
                )
            if n_fitted == self.n_estimators:
                warn(self._warm_start_nothing_new, UserWarning)
                return None
        for name in stale:
            if hasattr(self, name):
                delattr(self, name)
        return n_fitted

    def __len__(self):
        return len(self.estimators_)

    def __getitem__(self, index):
        return self.estimators_[index]

    def __iter__(self):
        return iter(self.estimators_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        accepted = member_input_tags(self._get_estimator())
        tags.input_tags.allow_nan = accepted["allow_nan"]
        tags.input_tags.sparse = accepted["sparse"]
        return tags


class ProbaClassifierMixin:
    """``predict`` and ``predict_log_proba`` of a classifier defined by its
    ``predict_proba`` and ``classes_``."""

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (-inf where it is 0).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predict the class with the highest :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted class label of each sample.
        """
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1), axis=0)
