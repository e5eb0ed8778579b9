"""Parallel work: the one place that decides how tasks run.

Every estimator states its work as a list of independent tasks and hands it
to :func:`parallel_map` (joblib, results in task order, optionally longest
task group first, errors labelled with the task that failed). This module
also owns the thread budget of multi-threaded members
(:func:`member_threads`), sending arrays to Dask workers once per fit
(:func:`arrays_sent_once`) and progress reporting (:func:`progress`).
"""

import collections
import contextlib
import itertools
import multiprocessing
import os
import sys
import threading
import time
import warnings
import weakref

import numpy as np
from joblib import cpu_count, effective_n_jobs, parallel_config
from joblib._parallel_backends import LokyBackend, MultiprocessingBackend
from joblib.externals.loky.process_executor import TerminatedWorkerError
from joblib.parallel import get_active_backend
from sklearn.utils.parallel import Parallel, delayed

with warnings.catch_warnings():
    # In a Jupyter kernel without ipywidgets, tqdm.auto warns on import that
    # it falls back to text bars; progress() draws those on the kernel's
    # stderr, so the warning would only be noise in every notebook.
    warnings.filterwarnings("ignore", message="IProgress not found")
    from tqdm.auto import tqdm


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
    function,
    tasks,
    *,
    n_jobs=None,
    verbose=0,
    desc=None,
    unit="task",
    labels=None,
    groups=None,
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
        0: silent. 1: a progress bar on stderr when it is a terminal (or in
        a notebook). 2 or more: a bar wherever stderr goes (see
        :func:`progress`).
    desc : str, default=None
        The progress bar's label.
    unit : str, default="task"
        What the progress bar counts.
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
    backend, _ = get_active_backend(prefer="threads")
    context = contextlib.nullcontext()
    if _forks(backend):
        backend, context = LokyBackend, parallel_config(backend="loky")
    # Backends that cannot stream results (multiprocessing) return a list.
    streams = getattr(backend, "supports_return_generator", False)

    dispatched = set()  # tasks handed to the workers, by index

    def run(start):
        """The results of ``tasks[start:]``, in task order."""
        schedule = None if groups is None else _LongestFirst(groups[start:])
        order = range(len(tasks) - start) if schedule is None else schedule.order()
        token = None if schedule is None else schedule.token

        def calls():
            for index in order:
                dispatched.add(start + index)
                yield delayed(_run_task)(
                    token, index, labels[start + index], function, *tasks[start + index]
                )

        # One task per batch: tasks here are whole model fits, and batching
        # them would leave workers idle at the end of uneven batches. A
        # schedule learns from results as soon as they finish, and puts them
        # back in order.
        return_as = "list"
        if streams:
            return_as = "generator" if schedule is None else "generator_unordered"
        with context, _on_every_worker(_large_arguments(tasks[start:])):
            results = Parallel(
                n_jobs=n_jobs, prefer="threads", return_as=return_as, batch_size=1
            )(calls())
        return results if schedule is None else _in_task_order(results, schedule)

    def running(done):
        """What to call the tasks that may have been running when a worker
        process died, the first ``done`` results having come back."""
        return [labels[i] or f"task {i}" for i in sorted(dispatched) if i >= done]

    results = _resumed_after_worker_loss(run, desc or "tasks", running)
    return progress(
        results, len(tasks), desc or "tasks", verbose, unit=unit, items_are_results=True
    )


def _resumed_after_worker_loss(run, desc, running=None):
    """Yield ``run(0)``'s results; if Dask loses results with a worker,
    once, yield the rest from ``run(first result not yet yielded)``.

    Dask re-runs the tasks of a lost worker by itself, but a result that
    had finished on it and was being fetched can be lost for good ("already
    forgotten"). Tasks are pure functions of their arguments (seeds
    included), so running them again gives the same results. A second loss,
    or a task that killed several workers in turn, ends the work with an
    error that says so.

    A loky worker process that dies (a member that crashed, ended its
    process or ran out of memory) is not run again: the error names the
    tasks that were out, from ``running(done)``.
    """
    done, retried = 0, False
    while True:
        try:
            for result in run(done):
                yield result
                done += 1
            return
        except TerminatedWorkerError as error:
            suspects = running(done) if running is not None else []
            named = "; ".join(suspects[:6]) + (" ..." if len(suspects) > 6 else "")
            raise RuntimeError(
                f"{desc}: a worker process died while running one of: "
                f"{named or 'the tasks'}. A member that crashes, ends its "
                f"process or runs out of memory kills its worker. ({error})"
            ) from error
        except Exception as error:
            lost = _lost_with_a_worker(error)
            if lost is None:
                raise
            if lost and not retried:
                retried = True
                continue
            raise RuntimeError(
                f"{desc}: a Dask worker was lost and Dask could not recover the "
                f"work ({type(error).__name__}: {error})"
            ) from error


def _lost_with_a_worker(error):
    """True: Dask lost a result with a worker (worth running again); False:
    a task killed every worker that ran it (not worth it); None: another
    error."""
    try:
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker
    except ImportError:
        return None
    if isinstance(error, KilledWorker):
        return False
    if isinstance(error, FutureCancelledError):
        return True
    return None


def _forks(backend):
    """Whether ``backend`` is joblib's multiprocessing backend forking this
    process, in which case it is replaced by loky, with a warning.

    A forked child inherits the parent's OpenMP runtime in whatever state it
    was: once an OpenMP learner (HistGradientBoosting, LightGBM) has run in
    the parent, members that use OpenMP in the children wait forever on its
    threads, which were not forked (scikit-learn's own bagging hangs the
    same way). loky starts fresh processes and runs the same tasks.
    """
    if not isinstance(backend, MultiprocessingBackend):
        return False
    if multiprocessing.get_context().get_start_method() != "fork":
        return False
    warnings.warn(
        "joblib's 'multiprocessing' backend forks this process, and a forked "
        "OpenMP runtime (HistGradientBoosting, LightGBM) can hang its "
        "children; the members run on the 'loky' backend instead (processes "
        "started afresh, the same results).",
        RuntimeWarning,
        stacklevel=3,
    )
    return True


@contextlib.contextmanager
def arrays_sent_once(*arrays):
    """Within this block, a Dask backend keeps ``arrays`` on its workers.

    A fit that makes one Parallel call per step (boosting: one per stage)
    would otherwise send ``X`` to the cluster at every step. Here the arrays
    are broadcast to the workers once, for every :func:`parallel_map` call
    made inside the block (they must be passed to the tasks as the same
    objects). Other backends need nothing: threads share memory, and loky
    memory-maps large arrays.
    """
    with _on_every_worker([array for array in arrays if array is not None]):
        yield


# joblib's dask backend sends a task argument larger than this (in bytes) to
# the cluster ahead of the task, to one worker only.
_DASK_LARGE = 1e3


def _large_arguments(tasks):
    """The task arguments joblib's dask backend would scatter, each once."""
    backend, _ = get_active_backend()
    if not _is_dask(backend):
        return []
    from dask.sizeof import sizeof

    large = {}
    for args in tasks:
        for arg in args:
            if id(arg) not in large and _weakrefable(arg) and sizeof(arg) > _DASK_LARGE:
                large[id(arg)] = arg
    return list(large.values())


def _weakrefable(value):
    try:
        weakref.ref(value)
    except TypeError:
        return False
    return True


def _is_dask(backend):
    return type(backend).__name__ == "DaskDistributedBackend"


@contextlib.contextmanager
def _on_every_worker(arrays):
    """Within this block, a Dask backend holds ``arrays`` on every worker.

    joblib's dask backend otherwise scatters each large task argument to a
    single worker: a worker lost during the fit takes with it the only copy,
    which Dask cannot recompute, and the tasks that need it fail ("already
    forgotten"). Broadcast, the arrays survive the loss of any worker, and
    Dask re-runs the lost worker's tasks elsewhere. Arrays that an enclosing
    block already broadcast are not sent again. Other backends: nothing.
    """
    backend, n_jobs = get_active_backend()
    if not _is_dask(backend) or _in_dask_worker():
        yield
        return
    sent = getattr(backend, "data_futures", {})
    new = [array for array in arrays if id(array) not in sent]
    if not new:
        yield
        return
    # Scattered here rather than through joblib's own ``scatter`` option,
    # which hashes the data: the same array sent again by a later call would
    # get the key of the earlier copy, which Dask may be forgetting as that
    # call's futures are released ("already forgotten"; dask/distributed
    # #3703).
    try:
        futures = backend.client.scatter(new, broadcast=True, hash=False)
    except OSError:
        # A worker or the scheduler closed a connection mid-broadcast (a
        # worker being lost or restarted): joblib sends the arrays itself,
        # as it would without this block.
        yield
        return
    with parallel_config(backend="dask", n_jobs=n_jobs, client=backend.client):
        # joblib finds an argument's copy on the workers by the argument's
        # id: these arrays' and those of the enclosing block (whose arrays
        # are kept alive with their futures, so that the ids stay theirs).
        inner, _ = get_active_backend()
        inner.data_futures.update(sent)
        inner.data_futures.update({id(a): f for a, f in zip(new, futures)})
        inner._scatter.extend([*getattr(backend, "_scatter", []), *new])
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


def progress(items, n_items, desc, verbose, *, unit="task", items_are_results=False):
    """Yield from ``items`` while a tqdm bar on stderr shows how far they are.

    The one progress reporter of the package: one bar per call, labelled
    ``desc``. ``tqdm.auto`` draws it, so that it fits the terminal's width,
    redraws in place and renders as a widget in a notebook.

    Parameters
    ----------
    items : iterable
    n_items : int
        How many items ``items`` yields (the bar's total).
    desc : str
        The bar's label.
    verbose : int
        0: no bar. 1: a bar when stderr is a terminal or in a notebook,
        nothing otherwise (a log or a pipe is not filled with redraws).
        2 or more: a bar wherever stderr goes, redrawn at most every
        couple of seconds when it is not a terminal.
    unit : str, default="task"
        What the bar counts.
    items_are_results : bool, default=False
        True: each item is a finished piece of work (a task's result); it
        is counted as it arrives, and the bar closes with the last one,
        even if the caller never asks for more (a caller that takes exactly
        ``n_items`` items would otherwise leave the bar one short and
        open). False: each item is work the caller does once it has it (a
        boosting stage); it is counted when the caller asks for the next.

    Yields
    ------
    item
        The items of ``items``, unchanged.
    """
    if not verbose or not n_items:
        yield from items
        return
    stream = sys.stderr
    interactive = _is_terminal(stream) or _in_notebook(stream)
    if verbose < 2 and not interactive:
        yield from items
        return
    bar = tqdm(
        total=n_items,
        desc=desc,
        unit=unit,
        file=stream,
        disable=False,  # tqdm's own rule (None) would hide it off a terminal
        dynamic_ncols=True,
        # Off a terminal every redraw stays in the output: fewer of them.
        mininterval=0.1 if interactive else 2.0,
    )
    # Closed whatever happens (a task that fails, a caller that stops early
    # or fails), so that the next output starts on a line of its own.
    try:
        for item in items:
            if items_are_results:
                bar.update(1)
                if bar.n >= n_items:
                    bar.close()
                yield item
            else:
                yield item
                bar.update(1)
    finally:
        bar.close()


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _in_notebook(stream):
    """Whether ``stream`` shows in a notebook, where it is not a terminal but
    a bar renders well: tqdm.auto draws a widget (an IPython kernel with
    ipywidgets; it decided on import), or else the kernel's own stream,
    which Jupyter redraws in place on a carriage return."""
    return _NOTEBOOK_BARS or type(stream).__module__.startswith("ipykernel")


_NOTEBOOK_BARS = any(cls.__module__ == "tqdm.notebook" for cls in tqdm.__mro__)
