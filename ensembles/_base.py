"""Machinery shared by every estimator of the package.

Each shared concern has exactly one home here, so that bagging, boosting,
stacking and the bias/variance rounds behave alike:

- parallel work: :func:`parallel_map` (joblib, in task order, with progress,
  optionally longest task group first) and :func:`arrays_sent_once` (data
  sent to Dask workers once per fit);
- randomness: :func:`draw_seeds` and :class:`MemberFactory` (one
  ``check_random_state`` per fit, every per-task seed drawn up front);
- thread budget of multi-threaded members: :func:`member_threads`;
- validation: :func:`member_input_tags`, :func:`validate_X_y`,
  :func:`validate_X` and :func:`check_sample_weight`;
- fitting a member on a subset of rows: :func:`fit_member`, with the data
  prepared once for all members by :func:`member_input`.
"""

import collections
import contextlib
import functools
import itertools
import os
import sys
import threading
import time
import weakref
from numbers import Integral, Real

import numpy as np
from joblib import cpu_count, effective_n_jobs, parallel_config
from joblib.parallel import get_active_backend
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)
from sklearn.utils import _safe_indexing, check_array, get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import has_fit_parameter, validate_data

MAX_INT = np.iinfo(np.int32).max


# --------------------------------------------------------------------------
# Randomness
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
# Parallel work
# --------------------------------------------------------------------------
def member_threads(n_jobs, n_tasks=None):
    """Threads each member may use while ``n_jobs`` members run at once.

    Returns None when members run one at a time (they keep their own
    setting). Otherwise the machine's cores are shared between the workers,
    so that multi-threaded members (LightGBM, a RandomForest with n_jobs=-1)
    never run ``n_jobs x member-threads`` threads.
    """
    n_workers = effective_n_jobs(n_jobs)
    if n_tasks is not None:
        n_workers = min(n_workers, n_tasks)
    if n_workers <= 1:
        return None
    return max(1, cpu_count() // n_workers)


def parallel_map(
    function, tasks, *, n_jobs=None, verbose=0, desc=None, labels=None, groups=None
):
    """Run ``function(*args)`` for every ``args`` in ``tasks`` with joblib.

    Results are yielded in task order as they become available, so callers
    can reduce them in a fixed order (identical results for any ``n_jobs``)
    without holding every result in memory.

    The work prefers threads: the learners this package combines (trees,
    linear models, LightGBM) release the GIL, and threads share ``X`` instead
    of copying it to processes. A backend chosen by the caller through
    ``joblib.parallel_config`` (loky, dask, ...) takes precedence. Large
    arguments should be passed as positional arguments of the tasks (not
    inside ``function``): joblib's dask backend then scatters each of them
    to the workers once, not once per task.

    Parameters
    ----------
    function : callable
    tasks : iterable of tuples
        Positional arguments of each call.
    n_jobs : int, default=None
        Number of workers, as in joblib.
    verbose : int, default=0
        When > 0, progress is written to stderr.
    desc : str, default=None
        What the progress line calls the tasks.
    labels : list of str, default=None
        What to call each task in an error: an exception raised by a task is
        re-raised, with the same type, as "<label> failed: <message>".
    groups : list of hashable, default=None
        One per task; tasks of a group are expected to take about as long as
        each other (e.g. the folds of one stacking member). Tasks are then
        dispatched longest group first, the durations being learnt as tasks
        run, so that a slow group does not end up alone at the tail of the
        work while the other workers idle. Only the dispatch order changes:
        results are the same and still yielded in task order.
    """
    tasks = list(tasks)
    if labels is None:
        labels = [None] * len(tasks)
    schedule = None if groups is None else _LongestFirst(groups)
    order = range(len(tasks)) if schedule is None else schedule.order()
    token = None if schedule is None else schedule.token
    calls = (
        delayed(_run_task)(token, index, labels[index], function, *tasks[index])
        for index in order
    )
    # One task per batch: tasks here are whole model fits, and batching them
    # would leave workers idle at the end of uneven batches. A schedule
    # learns from results as soon as they finish, and puts them back in order.
    # Backends that cannot stream results (multiprocessing) return a list.
    backend, _ = get_active_backend(prefer="threads")
    if getattr(backend, "supports_return_generator", False):
        return_as = "generator" if schedule is None else "generator_unordered"
    else:
        return_as = "list"
    results = Parallel(
        n_jobs=n_jobs, prefer="threads", return_as=return_as, batch_size=1
    )(calls)
    results = progress(results, len(tasks), desc or "tasks", verbose)
    if schedule is None:
        return results
    return _in_task_order(results, schedule)


@contextlib.contextmanager
def arrays_sent_once(*arrays):
    """Within this block, a Dask backend keeps ``arrays`` on its workers.

    joblib's dask backend scatters each large argument of a Parallel call
    once per call; a fit that makes one call per step (boosting: one per
    stage) would send ``X`` to the cluster at every step. Here the arrays
    are broadcast to the workers once, for every :func:`parallel_map` call
    made inside the block (they must be passed to the tasks as the same
    objects). Other backends need nothing: threads share memory, and loky
    memory-maps large arrays.
    """
    backend, n_jobs = get_active_backend()
    arrays = [array for array in arrays if array is not None]
    if type(backend).__name__ != "DaskDistributedBackend" or _in_dask_worker():
        yield
        return
    with parallel_config(
        backend="dask", n_jobs=n_jobs, client=backend.client, scatter=arrays
    ):
        yield


def _in_dask_worker():
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return False
    return True


def _in_task_order(results, schedule):
    """Yield the results of scheduled tasks, received as they finish, in task
    order; tasks timed in another process report their duration here."""
    waiting, next_index = {}, 0
    for index, duration, result in results:
        if duration is not None:
            schedule.record(index, duration)
        waiting[index] = result
        while next_index in waiting:
            yield waiting.pop(next_index)
            next_index += 1


def _run_task(token, index, label, function, *args):
    """One task of :func:`parallel_map`, labelled if it fails.

    A scheduled task (``token`` not None) returns ``(index, duration,
    result)``: it is timed live by its schedule when it runs in the process
    that dispatched it (then ``duration`` is None), and otherwise reports
    its duration with its result.
    """
    schedule = None if token is None else _SCHEDULES.get(token)
    start = time.perf_counter()
    if schedule is not None:
        schedule.started(index, start)
    try:
        result = function(*args)
    except Exception as error:
        if label is None:
            raise
        message = f"{label} failed: {type(error).__name__}: {error}"
        try:
            relabelled = type(error)(message)
        except Exception:  # an exception type with a signature of its own
            relabelled = RuntimeError(message)
        raise relabelled from error
    finally:
        if schedule is not None:
            schedule.finished(index)
    if token is None:
        return result
    duration = None if schedule is not None else time.perf_counter() - start
    return index, duration, result


# token -> _LongestFirst, for the tasks run in this process; an entry lasts as
# long as the parallel_map that made it.
_SCHEDULES = weakref.WeakValueDictionary()
_tokens = itertools.count()


class _LongestFirst:
    """Longest-processing-time-first dispatch with durations learnt online.

    Each time joblib takes a task, the one returned is the next task of the
    group that looks longest. A group is estimated by the mean duration of
    its finished tasks; failing that, by how long its unfinished tasks have
    been out (a lower bound of their duration, counted from their start when
    a thread of this process runs them, else from their dispatch); and a
    group with no task dispatched yet looks endless, so that every group
    gets measured early. Ties keep the task order. Tasks run in another
    process (loky, dask) count as finished once their result is back.
    """

    def __init__(self, groups):
        self.groups = list(groups)
        self.pending = {}  # group -> task indices not yet dispatched
        for index, group in enumerate(self.groups):
            self.pending.setdefault(group, collections.deque()).append(index)
        self.durations = collections.defaultdict(list)
        self.out_since = {}  # unfinished task index -> dispatch or start time
        self.lock = threading.Lock()
        self.token = (os.getpid(), next(_tokens))
        _SCHEDULES[self.token] = self

    def started(self, index, start):
        with self.lock:
            self.out_since[index] = start

    def finished(self, index):
        with self.lock:
            start = self.out_since.pop(index)
            self.durations[self.groups[index]].append(time.perf_counter() - start)

    def record(self, index, duration):
        """The duration of a task timed in another process."""
        with self.lock:
            self.out_since.pop(index, None)
            self.durations[self.groups[index]].append(duration)

    def _estimate(self, group, now):
        if self.durations[group]:
            return np.mean(self.durations[group])
        since = [
            t for index, t in self.out_since.items() if self.groups[index] == group
        ]
        return now - min(since) if since else np.inf

    def order(self):
        while self.pending:
            with self.lock:
                now = time.perf_counter()
                group = max(self.pending, key=lambda g: self._estimate(g, now))
                tasks = self.pending[group]
                index = tasks.popleft()
                self.out_since[index] = now
                if not tasks:
                    del self.pending[group]
            yield index


def progress(items, n_items, desc, verbose):
    """Yield from ``items`` while reporting progress on stderr.

    The one progress reporter of the package. verbose=0 is silent. On a
    terminal the report is a single line redrawn as items complete; written
    to a file or pipe, verbose=1 reports about every tenth of the work and
    verbose>=2 every item.
    """
    if not verbose or not n_items:
        yield from items
        return
    stream = sys.stderr
    redraw = stream.isatty()
    start = time.perf_counter()
    step = 1 if (verbose >= 2 or redraw) else max(1, n_items // 10)
    for done, item in enumerate(items, start=1):
        yield item  # reported once the caller has finished with it
        if done % step and done != n_items:
            continue
        elapsed = time.perf_counter() - start
        left = elapsed / done * (n_items - done)
        line = (
            f"{desc}: {done}/{n_items} done, {elapsed:.1f}s elapsed, ~{left:.1f}s left"
        )
        if redraw:
            stream.write("\r" + line + ("\n" if done == n_items else ""))
        else:
            stream.write(line + "\n")
        stream.flush()


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


def array_options(allow_nan, sparse):
    """Keyword arguments of ``check_array`` for input the members accept."""
    return dict(
        accept_sparse=["csr", "csc"] if sparse else False,
        ensure_all_finite="allow-nan" if allow_nan else True,
        dtype=None,
    )


def validate_X_y(
    ensemble, X, y, *, allow_nan, sparse, multi_output=False, y_numeric=False
):
    """Validate training data and record ``n_features_in_``/``feature_names_in_``.

    ``X`` keeps its dtype (members may take strings or categories); missing
    values and sparse matrices are accepted only where every member accepts
    them, so the error comes from here, in scikit-learn's words, rather than
    from deep inside a member.
    """
    return validate_data(
        ensemble,
        X,
        y,
        multi_output=multi_output,
        y_numeric=y_numeric,
        **array_options(allow_nan, sparse),
    )


def validate_X(ensemble, X, *, allow_nan, sparse):
    """Validate prediction data against what was seen in fit."""
    return validate_data(ensemble, X, reset=False, **array_options(allow_nan, sparse))


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


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight`` (None, a number or an array) for ``n_samples`` rows.

    Returns None or a float64 array of shape (n_samples,) that is finite,
    non-negative and not all zero.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
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
    return sample_weight


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
    if type(estimator) in _SKLEARN_TREES and isinstance(X, np.ndarray):
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
    if type(estimator) not in _SKLEARN_TREES:
        return False
    params = estimator.get_params(deep=False)
    fractions = [params["min_samples_leaf"], params["min_samples_split"]]
    if any(isinstance(v, Real) and not isinstance(v, Integral) for v in fractions):
        return False
    return not isinstance(params.get("class_weight"), str)


def accepts_sample_weight(estimator):
    """Whether ``estimator.fit`` takes a ``sample_weight`` argument."""
    return has_fit_parameter(estimator, "sample_weight")


def expand_proba(proba, member_classes, n_classes):
    """A member's ``predict_proba`` on all ``n_classes`` columns.

    A member trained on rows that missed some classes knows fewer classes;
    its columns are placed by its own ``classes_`` (class indices).
    """
    member_classes = np.asarray(member_classes, dtype=np.intp)
    if len(member_classes) == n_classes:
        return np.asarray(proba, dtype=np.float64)
    full = np.zeros((proba.shape[0], n_classes))
    full[:, member_classes] = proba
    return full


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

    With ``counts_as_weights=True`` and a member whose ``fit`` takes
    ``sample_weight``, the rows are not copied: the member sees all of ``X``
    with each row weighted by how often it was drawn (a bootstrap sample
    expressed as integer counts). ``sample_weight`` is the user's weights,
    restricted to the same rows.

    ``features``, when given, selects the columns the member is trained on;
    ``fit_params`` are extra keyword arguments of its ``fit``.
    Returns the fitted member.
    """
    fit_params = fit_params or {}
    X = select_features(X, features)
    takes_weights = accepts_sample_weight(member)
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

    X_rows = _safe_indexing(X, indices)
    y_rows = _safe_indexing(y, indices)
    if sample_weight is not None:
        fit_params = {**fit_params, "sample_weight": sample_weight[indices]}
    return member.fit(X_rows, y_rows, **fit_params)


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
        """
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1), axis=0)
