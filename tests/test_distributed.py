"""The same results on a Dask cluster as in one process, with the data
sent to the workers once.

The Dask tests start a LocalCluster with 2 worker processes; they are
skipped when the `distributed` extra is not installed.
"""

import numpy as np
import pytest
from _registry import TASK_DATA, assert_same_outputs, entries, fit_outputs, ids, seeded
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    BoostingClassifier,
    StackingClassifier,
    bias_variance_decomposition,
)

# Same results for any n_jobs and local backend:
# test_shared_behaviour.test_same_results_for_any_n_jobs_and_backend.
WITH_N_JOBS = entries(with_param="n_jobs")

# Six bagged members leave a few rows out of no bag; the oob variants say so.
pytestmark = pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize("entry", WITH_N_JOBS, ids=ids(WITH_N_JOBS))
def test_dask_cluster_gives_local_results(dask_client, entry):
    X, y = entry.data
    expected = fit_outputs(seeded(entry, n_jobs=1), X, y)
    with parallel_config(backend="dask"):
        actual = fit_outputs(seeded(entry, n_jobs=2), X, y)
    assert_same_outputs(actual, expected)
    # The work really went to the cluster's workers.
    assert dask_client.run(lambda: True)


def test_bias_variance_on_dask(dask_client):
    X, y = TASK_DATA["regression"]()
    options = dict(n_rounds=6, random_state=0)
    tree = DecisionTreeRegressor(max_features=0.5)
    expected = bias_variance_decomposition(
        tree, X, y, X[:50], y[:50], n_jobs=1, **options
    )
    for backend in ["threading", "loky", "dask"]:
        with parallel_config(backend=backend):
            result = bias_variance_decomposition(
                tree, X, y, X[:50], y[:50], n_jobs=2, **options
            )
        assert result == expected


def test_dask_members_still_seeded_identically(dask_client):
    X, y = TASK_DATA["regression"]()
    with parallel_config(backend="dask"):
        model = BaggingRegressor(n_estimators=4, n_jobs=2, random_state=3)
        model.fit(X, y)
    local = BaggingRegressor(n_estimators=4, random_state=3).fit(X, y)
    assert [m.random_state for m in model.estimators_] == [
        m.random_state for m in local.estimators_
    ]
    assert np.all(model.predict(X) == local.predict(X))


@pytest.fixture
def scattered(dask_client, monkeypatch):
    """Shapes of the arrays sent to the Dask workers with Client.scatter."""
    distributed = pytest.importorskip("distributed")
    shapes = []
    original = distributed.Client.scatter

    def scatter(self, data, *args, **kwargs):
        for item in data if isinstance(data, (list, tuple)) else [data]:
            shapes.append(getattr(item, "shape", None))
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "scatter", scatter)
    return shapes


X_BIG, Y_BIG = make_classification(
    n_samples=2000, n_features=7, n_informative=5, n_classes=3, random_state=0
)


@pytest.mark.parametrize(
    "estimator, n_tasks, n_copies",
    [
        # n_copies: the distinct arrays of X's shape the members are given.
        (BaggingClassifier(n_estimators=8, n_jobs=2), 8, 1),
        # One parallel call per stage, 3 class columns each.
        (BoostingClassifier(n_estimators=6, n_jobs=2), 18, 1),
        # Trees get one float32 copy of X; the logistic regression X itself.
        (
            StackingClassifier(
                [
                    ("tree", DecisionTreeClassifier()),
                    ("logistic", LogisticRegression(max_iter=200)),
                ],
                cv=3,
                n_jobs=2,
            ),
            6,
            2,
        ),
    ],
    ids=["bagging", "boosting", "stacking"],
)
def test_dask_sends_X_to_the_workers_once(scattered, estimator, n_tasks, n_copies):
    with parallel_config(backend="dask"):
        estimator.set_params(random_state=0).fit(X_BIG, Y_BIG)
    assert scattered.count(X_BIG.shape) == n_copies < n_tasks


def test_dask_sends_bias_variance_data_once(scattered):
    X_train, X_test = X_BIG[:1500], X_BIG[1500:]
    with parallel_config(backend="dask"):
        bias_variance_decomposition(
            DecisionTreeRegressor(max_depth=4),
            X_train,
            Y_BIG[:1500].astype(float),
            X_test,
            Y_BIG[1500:].astype(float),
            n_rounds=8,
            n_jobs=2,
            random_state=0,
        )
    assert scattered.count(X_train.shape) == 1
    assert scattered.count(X_test.shape) == 1
