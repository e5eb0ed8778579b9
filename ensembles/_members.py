"""Making, preparing and fitting members.

Everything that turns the user's base estimator into fitted members lives
here, and so does every special case for a particular learner:

- seeds and clones: :func:`draw_seeds` and :class:`MemberFactory` (one
  ``check_random_state`` per fit, every per-task seed drawn up front, thread
  caps for multi-threaded learners such as LightGBM);
- what input members accept: :func:`member_input_tags` (a Pipeline, a
  ColumnTransformer or a FeatureUnion checks its own missing values);
- fitting a member on a subset of rows: :func:`fit_member`, with the data
  prepared once for all members by :func:`member_input` (scikit-learn trees
  get float32 X and no per-call check, see :func:`is_sklearn_tree`);
- shaping members' outputs: :func:`expand_proba` (a member that missed
  classes) and :func:`one_column_per_pair` (SVC's one-vs-one shape);
- refusing members' outputs that cannot be combined:
  :func:`check_finite_output` (NaN or infinity, naming the member);
- rewriting a fitted scikit-learn tree's leaves, for boosting's step per
  leaf: :func:`tree_leaves` and :func:`set_tree_leaf_values`.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)
from sklearn.utils import get_tags

from ._routing import consumes, metadata_rows
from ._sklearn_private import _safe_indexing

MAX_INT = np.iinfo(np.int32).max


# --------------------------------------------------------------------------
# Seeds and clones
# --------------------------------------------------------------------------
def draw_seeds(random_state, n_seeds):
    """Draw ``n_seeds`` int32 seeds from a ``RandomState``, before any dispatch.

    Every task receives its own seed, so results never depend on the number
    of workers, the joblib backend or the order in which tasks finish.
    """
    return random_state.randint(MAX_INT, size=n_seeds)


class MemberFactory:
    """Makes the members of an ensemble from one ``estimator``.

    A member is a clone (the user's estimator is never fitted) whose every
    ``random_state`` parameter, nested ones included, gets its own integer
    derived from the member's seed, and whose ``n_jobs`` parameters are
    capped at ``n_threads`` (see :func:`member_threads`). The parameter names
    are looked up once, not per member. With ``keep_set_seeds=True`` only
    the ``random_state`` parameters left at None are seeded: a member the
    user seeded keeps the user's seed.

    Random-state parameters are visited in sorted order, as scikit-learn's
    ensembles do, so a member seeded here equals the member scikit-learn
    builds from the same seed.
    """

    def __init__(self, estimator, *, n_threads=None, keep_set_seeds=False):
        self.estimator = estimator
        params = estimator.get_params(deep=True)
        self._seed_keys = sorted(
            key
            for key in params
            if (key == "random_state" or key.endswith("__random_state"))
            and not (keep_set_seeds and params[key] is not None)
        )
        self._caps = {}
        if n_threads is not None:
            for key, value in params.items():
                if key != "n_jobs" and not key.endswith("__n_jobs"):
                    continue
                owner = params.get(key[: -len("__n_jobs")], estimator)
                if value is None and _library(owner) == "sklearn":
                    continue  # scikit-learn's None already means one job
                # Values <= 0, and None elsewhere (LightGBM), mean "as many
                # threads as the library likes".
                if value is None or value <= 0 or value > n_threads:
                    self._caps[key] = n_threads

    def __call__(self, seed=None):
        member = clone(self.estimator)
        updates = dict(self._caps)
        if seed is not None:
            rng = np.random.RandomState(seed)
            updates.update({key: rng.randint(MAX_INT) for key in self._seed_keys})
        if updates:
            member.set_params(**updates)
        return member


def _library(estimator):
    return type(estimator).__module__.split(".")[0]


# --------------------------------------------------------------------------
# Input the members accept
# --------------------------------------------------------------------------
def _accepts_nan(estimator):
    if get_tags(estimator).input_tags.allow_nan:
        return True
    # A pipeline copes with missing values when its first step does (an
    # imputer, say); its own tags do not say so.
    if isinstance(estimator, Pipeline):
        steps = [
            step for _, step in estimator.steps if step not in (None, "passthrough")
        ]
        return bool(steps) and _accepts_nan(steps[0])
    # A ColumnTransformer or FeatureUnion hands the data to transformers of
    # its own (imputers, say), and its tags do not say what they accept: it
    # is left to check its input itself.
    return isinstance(estimator, (ColumnTransformer, FeatureUnion))


def member_input_tags(*estimators):
    """What input every one of ``estimators`` accepts, as the keyword
    arguments of :func:`validate_X_y` and :func:`validate_X`:
    ``{"allow_nan": bool, "sparse": bool}``."""
    return {
        "allow_nan": all(_accepts_nan(est) for est in estimators),
        "sparse": all(get_tags(est).input_tags.sparse for est in estimators),
    }


# --------------------------------------------------------------------------
# Fitting and predicting members
# --------------------------------------------------------------------------
_SKLEARN_TREES = (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)


def frame_as_given(given, X):
    """What members are handed for the input ``given``, validated as ``X``:
    a data frame as given, as scikit-learn's meta-estimators do (a member,
    such as a ColumnTransformer, may select its columns by name); other
    input as validated."""
    if hasattr(given, "__dataframe__") or hasattr(given, "iloc"):
        return given
    return X


def is_sklearn_tree(estimator):
    """Whether ``estimator`` is one of scikit-learn's single trees (not a
    subclass): the learners whose input is prepared once for every member,
    that can take a subset of rows as weights, and whose leaves boosting
    sets itself."""
    return type(estimator) in _SKLEARN_TREES


def member_input(estimator, X):
    """``X`` prepared once for every member cloned from ``estimator``.

    scikit-learn's trees convert X to float32 and re-validate it in every
    ``fit`` and ``predict``; for them X is converted here once and the
    per-call check is skipped with ``check_input=False``, as scikit-learn's
    own forests and gradient boosting do. Other members, and data with
    missing values (which the tree's own check must see), are left alone.

    Returns
    -------
    X : array
        The data to hand to the members.
    call_params : dict
        Keyword arguments for the members' ``fit`` and ``predict``.
    """
    if is_sklearn_tree(estimator) and isinstance(X, np.ndarray):
        if X.dtype.kind in "fiu":
            X32 = np.asarray(X, dtype=np.float32)
            if np.isfinite(X32).all():
                return X32, {"check_input": False}
    return X, {}


def rows_as_weights(estimator):
    """Whether ``estimator`` can be fitted on a subset of rows by giving the
    other rows zero weight, with exactly the same result.

    True for scikit-learn's trees, whose builder leaves zero-weight rows out;
    the subset is then never copied. (Not in general: HistGradientBoosting,
    for one, bins on every row.) Not for a tree whose ``min_samples_leaf`` or
    ``min_samples_split`` is a fraction, or whose ``class_weight`` is
    "balanced": those are computed from every row the tree is given,
    zero-weight ones included.
    """
    if not is_sklearn_tree(estimator):
        return False
    params = estimator.get_params(deep=False)
    fractions = [params["min_samples_leaf"], params["min_samples_split"]]
    if any(isinstance(v, Real) and not isinstance(v, Integral) for v in fractions):
        return False
    return not isinstance(params.get("class_weight"), str)


def expand_proba(proba, member_classes, n_classes, fill=0.0):
    """A member's ``predict_proba`` on all ``n_classes`` columns.

    A member trained on rows that missed some classes knows fewer classes;
    its columns are placed by its own ``classes_`` (class indices, sorted),
    and the classes it never saw get ``fill`` (0 for probabilities, -inf
    for log-probabilities).
    """
    member_classes = np.asarray(member_classes, dtype=np.intp)
    proba = np.asarray(proba, dtype=np.float64)
    if len(member_classes) == n_classes:
        return proba
    full = np.full((proba.shape[0], n_classes), fill)
    full[:, member_classes] = proba
    return full


def check_finite_output(
    output, producer, *, method=None, rows=None, log_proba=False, find_member=None
):
    """Refuse NaN or infinity in what members predicted, naming who did it.

    No combiner of the package (a mean, a vote, a boosting update, the next
    layer of a stack, a decomposition) gives anything but NaN or nonsense
    from a non-finite prediction, so it is an error where the outputs are
    combined. The normal path is one vectorised pass over ``output``.

    ``output`` is one member's output, or the combination of several (a
    sum, say: a NaN or an infinity of any member survives in it). For a
    combination, ``find_member`` is called only when the pass fails: it
    checks the members' own outputs with this function, so that the error
    names the first member at fault; when it finds none, ``producer`` is
    named.

    Parameters
    ----------
    output : array-like of shape (n_rows, ...)
        Predictions, one row per sample. Outputs that are not floating
        point (class labels) cannot be NaN and are not checked.
    producer : str
        Who produced ``output``, as the error names it, such as
        "BaggingRegressor: member 3 (Ridge)" or "StackingRegressor: member
        'knn' (layer 1), fold 2 of 5".
    method : str, default=None
        The method that produced it, named in the error.
    rows : array-like of int, default=None
        The row number of each row of ``output`` in the caller's data (a
        fold's test rows, say), for the error; None: its own row numbers.
    log_proba : bool, default=False
        Whether ``output`` holds log-probabilities: -inf, the log of a zero
        probability, is then legitimate (the probabilities are what must
        be finite).
    find_member : callable, default=None
        Called without arguments when ``output`` is not finite; raises the
        error that names the member at fault.

    Returns
    -------
    output : array-like
        ``output`` itself, when it is finite.
    """
    values = np.asarray(output)
    if values.dtype.kind not in "fc":
        return output
    # -inf < inf; NaN and +inf are not. One pass either way.
    finite = np.all(values < np.inf) if log_proba else np.isfinite(values).all()
    if finite:
        return output
    if find_member is not None:
        find_member()
    raise ValueError(_non_finite_message(values, producer, method, rows, log_proba))


def _non_finite_message(values, producer, method, rows, log_proba):
    """The error of :func:`check_finite_output` (the slow path only)."""
    per_row = values.reshape(len(values), -1) if values.ndim else values.reshape(1, 1)
    nan = np.isnan(per_row)
    infinite = per_row == np.inf if log_proba else np.isinf(per_row)
    kinds = [
        kind for kind, found in (("NaN", nan), ("infinity", infinite)) if found.any()
    ]
    bad = np.flatnonzero((nan | infinite).any(axis=1))
    first = bad[0] if rows is None else np.asarray(rows)[bad[0]]
    verb = f"{method} returned" if method else "predicted"
    zero = " (-inf, the log of a zero probability, is fine)" if log_proba else ""
    return (
        f"{producer}: {verb} {' and '.join(kinds)} for {len(bad)} of "
        f"{len(per_row)} rows (the first: row {first}). Predictions are combined "
        f"only when they are finite{zero}: check that model, its "
        "parameters and the data it was given."
    )


def tree_leaves(tree, X, call_params):
    """The leaf of each row of ``X`` in a fitted scikit-learn tree.

    Parameters
    ----------
    tree : DecisionTreeRegressor or ExtraTreeRegressor
        A fitted tree (see :func:`is_sklearn_tree`).
    X : array
        Data prepared by :func:`member_input`.
    call_params : dict
        The keyword arguments :func:`member_input` returned with ``X``.

    Returns
    -------
    leaves : ndarray of shape (n_samples,)
        The node id of each row's leaf.
    n_nodes : int
        The tree's number of nodes (leaf ids are below it).
    """
    return tree.apply(X, **call_params), tree.tree_.node_count


def set_tree_leaf_values(tree, node_values, leaves):
    """Overwrite the leaf values of a fitted scikit-learn regression tree.

    The tree's ``predict`` then returns the new values, as scikit-learn's
    gradient boosting does with its trees' leaves.

    Parameters
    ----------
    tree : DecisionTreeRegressor or ExtraTreeRegressor
        A fitted single-output tree, changed in place.
    node_values : ndarray of shape (n_nodes,)
        The new value of each leaf, by node id; values of internal nodes
        are ignored.
    leaves : ndarray of shape (n_samples,)
        Leaf ids of some rows, from :func:`tree_leaves`.

    Returns
    -------
    predictions : ndarray of shape (n_samples,)
        The tree's new predictions for those rows.
    """
    nodes = tree.tree_
    is_leaf = nodes.children_left == -1
    nodes.value[is_leaf, 0, 0] = node_values[is_leaf]
    return nodes.value[leaves, 0, 0]


def one_column_per_pair(estimator):
    """Whether ``estimator``'s decision_function has a column per pair of
    classes (an SVC with decision_function_shape="ovo", or a pipeline
    ending in one) rather than one per class."""
    if isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    return getattr(estimator, "decision_function_shape", None) == "ovo"


def select_features(X, features):
    """``X[:, features]``, or ``X`` itself when ``features`` is None."""
    if features is None:
        return X
    return X[:, features]


def fit_member(
    member,
    X,
    y,
    *,
    indices=None,
    features=None,
    sample_weight=None,
    counts_as_weights=False,
    fit_params=None,
):
    """Fit ``member`` on the rows ``indices`` (repeats allowed) of ``X``, ``y``.

    With ``counts_as_weights=True`` and a member that takes
    ``sample_weight``, the rows are not copied: the member sees all of ``X``
    with each row weighted by how often it was drawn (a bootstrap sample
    expressed as integer counts). Whether it takes them is
    :func:`ensembles._routing.consumes`'s answer: its signature, or, with
    metadata routing enabled, its request (a member set with
    ``set_fit_request(sample_weight=False)`` gets copied rows, as in
    scikit-learn's bagging). ``sample_weight`` is the user's weights,
    restricted to the same rows.

    ``features``, when given, selects the columns the member is trained on;
    ``fit_params`` are extra keyword arguments of its ``fit``, metadata
    routed to it among them: values with one entry per row of ``X`` follow
    the rows when they are copied (see
    :func:`ensembles._routing.metadata_rows`).
    Returns the fitted member.
    """
    fit_params = fit_params or {}
    X = select_features(X, features)
    # The request decides under routing (a Pipeline or a search routes the
    # weights itself, though its fit names no sample_weight).
    takes_weights = consumes(member, "fit", "sample_weight")
    if sample_weight is not None and not takes_weights:
        raise ValueError(
            f"{type(member).__name__}.fit does not accept sample_weight; fit "
            "without sample_weight or use a base estimator that accepts it."
        )
    if indices is None:
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        return member.fit(X, y, **fit_params)

    if counts_as_weights and takes_weights:
        weights = np.bincount(indices, minlength=X.shape[0]).astype(np.float64)
        if sample_weight is not None:
            weights *= sample_weight
        return member.fit(X, y, sample_weight=weights, **fit_params)

    fit_params = metadata_rows(fit_params, X, indices)
    X_rows = _safe_indexing(X, indices)
    y_rows = _safe_indexing(y, indices)
    if sample_weight is not None:
        fit_params = {**fit_params, "sample_weight": sample_weight[indices]}
    return member.fit(X_rows, y_rows, **fit_params)


def combines_predictions(estimator):
    """Whether ``estimator`` weighs its members' predictions only, itself or
    inside a search, a pipeline or another meta-estimator.

    Such an estimator (ensemble selection) declares it with a class
    attribute ``combines_predictions = True``; a stack then hands it the
    last layer's predictions without the passthrough features.
    """
    if getattr(estimator, "combines_predictions", False) is True:
        return True
    if isinstance(estimator, Pipeline):
        return combines_predictions(estimator.steps[-1][1])
    inner = getattr(estimator, "estimator", None)
    return inner is not None and combines_predictions(inner)
