"""A Dask worker lost in the middle of a fit does not lose the fit.

Every task gets only what Dask can re-run or holds on every worker (large
arguments are broadcast), so when a worker process dies Dask re-runs its
tasks on the others and the fit ends with the same results as an
undisturbed one. Each test kills one of two worker processes (its nanny
starts a new one) while the fit's tasks are running.

Skipped when the `distributed` extra is not installed.
"""

import os
import signal
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from joblib import parallel_config
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_friedman1
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingRegressor,
    BoostingClassifier,
    StackingRegressor,
    bias_variance_decomposition,
)

distributed = pytest.importorskip("distributed")


@pytest.fixture
def client():
    # A cluster per test: each starts with its two workers, whatever the
    # restart of the one a previous test killed.
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


class WorkerKiller(threading.Thread):
    """Kills the process of a worker that is running a task, once the
    scheduler reports tasks running, and records when it did."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client = client
        self.pids = client.run(os.getpid)  # worker address -> process id
        self.killed_at = None
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            busy = [w for w, tasks in self.client.processing().items() if tasks]
            if busy:
                time.sleep(0.2)  # into the task, not at its start
                os.kill(self.pids[busy[0]], signal.SIGKILL)
                self.killed_at = time.perf_counter()
                return
            time.sleep(0.02)


def _fit_losing_a_worker(client, run):
    """``run()`` on the Dask backend while a worker is killed; its result,
    after checking that the kill came before the end."""
    killer = WorkerKiller(client)
    outcome = {}

    def fit():
        try:
            with parallel_config(backend="dask"):
                outcome["result"] = run()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error
        outcome["finished"] = time.perf_counter()

    # In a daemon thread: a fit that hung would fail the test, not the run.
    fitting = threading.Thread(target=fit, daemon=True)
    killer.start()
    fitting.start()
    fitting.join(timeout=180)
    killer.stop.set()
    killer.join()
    if fitting.is_alive():
        pytest.fail("the fit did not end within 180 s of losing a worker")
    if "error" in outcome:
        raise outcome["error"]
    finished = outcome["finished"]
    result = outcome["result"]
    assert killer.killed_at is not None and killer.killed_at < finished, (
        "the fit ended before a worker was lost: make it longer"
    )
    return result


# Sizes that make each fit last a few seconds, so that the kill lands in it.
X_REG, Y_REG = make_friedman1(n_samples=8000, noise=1.0, random_state=0)
X_CLF, Y_CLF = make_classification(
    n_samples=5000, n_features=10, n_informative=6, n_classes=3, random_state=0
)


def _stacking():
    members = [("tree", DecisionTreeRegressor()), ("knn", KNeighborsRegressor())]
    stack = StackingRegressor(members, cv=6, n_repeats=2, n_jobs=2, random_state=0)
    return stack.fit(X_REG, Y_REG).predict(X_REG)


def _boosting():
    model = BoostingClassifier(
        DecisionTreeRegressor(max_depth=6), n_estimators=30, n_jobs=2, random_state=0
    )
    return model.fit(X_CLF, Y_CLF).predict_proba(X_CLF)


def _bagging():
    model = BaggingRegressor(
        DecisionTreeRegressor(), n_estimators=40, n_jobs=2, random_state=0
    )
    return model.fit(X_REG, Y_REG).predict(X_REG)


def _decomposition():
    result = bias_variance_decomposition(
        DecisionTreeClassifier(),
        X_CLF[:3000],
        Y_CLF[:3000],
        X_CLF[3000:],
        Y_CLF[3000:],
        loss="brier",
        n_rounds=40,
        n_jobs=2,
        random_state=0,
    )
    return np.array([result.expected_loss, result.bias, result.variance])


@pytest.mark.parametrize(
    "run",
    [_stacking, _boosting, _bagging, _decomposition],
    ids=["stacking", "boosting", "bagging", "decomposition"],
)
def test_a_lost_worker_does_not_change_the_result(client, run):
    expected = run()  # local threads: the same results on any backend
    actual = _fit_losing_a_worker(client, run)
    assert_array_equal(actual, expected)


def _losing_results(failures):
    """A ``run(start)`` of six tasks whose results are lost, with the given
    errors, the first times it reaches task 3."""
    calls = []

    def run(start):
        calls.append(start)
        for index in range(start, 6):
            if index == 3 and failures:
                raise failures.pop(0)
            yield index * 10

    return run, calls


def test_results_lost_with_a_worker_are_computed_again():
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    from ensembles._parallel import _resumed_after_worker_loss

    lost = FutureCancelledError("key", reason="already forgotten")
    run, calls = _losing_results([lost])
    assert list(_resumed_after_worker_loss(run, "fits")) == [0, 10, 20, 30, 40, 50]
    assert calls == [0, 3]  # resumed at the first result not yet yielded
    # Lost twice: an error that says a worker was lost.
    run, _ = _losing_results([lost, FutureCancelledError("key", reason="gone")])
    with pytest.raises(RuntimeError, match="fits: a Dask worker was lost"):
        list(_resumed_after_worker_loss(run, "fits"))
    # A task that killed every worker it ran on is not run again.
    run, calls = _losing_results(
        [KilledWorker("task", SimpleNamespace(address="tcp://worker"), 3)]
    )
    with pytest.raises(RuntimeError, match="a Dask worker was lost") as info:
        list(_resumed_after_worker_loss(run, "fits"))
    assert calls == [0] and isinstance(info.value.__cause__, KilledWorker)
    # Any other error is the task's own.
    run, _ = _losing_results([ValueError("bad member")])
    with pytest.raises(ValueError, match="bad member"):
        list(_resumed_after_worker_loss(run, "fits"))
