"""Same results for any n_jobs and joblib backend, Dask included.

The Dask tests start a LocalCluster with 2 worker processes; they are
skipped when the `distributed` extra is not installed.
"""

import numpy as np
import pytest
from joblib import parallel_config
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_friedman1
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    BoostingClassifier,
    BoostingRegressor,
    StackingClassifier,
    StackingRegressor,
    bias_variance_decomposition,
)

X_REG, Y_REG = make_friedman1(n_samples=200, noise=1.0, random_state=0)
X_CLF, Y_CLF = make_classification(
    n_samples=200, n_features=6, n_informative=4, n_classes=3, random_state=0
)


def _estimators():
    return [
        (BaggingRegressor(n_estimators=6, max_features=0.8), "regression"),
        (BaggingClassifier(n_estimators=6), "classification"),
        (BoostingRegressor(n_estimators=8, subsample=0.8), "regression"),
        (BoostingClassifier(n_estimators=5, subsample=0.8), "classification"),
        (
            StackingRegressor(
                [("tree", DecisionTreeRegressor(max_features=0.7)), ("ridge", Ridge())],
                cv=3,
                n_repeats=2,
            ),
            "regression",
        ),
        (
            StackingClassifier(
                [
                    ("tree", DecisionTreeClassifier(max_features=0.7)),
                    ("logistic", LogisticRegression(max_iter=500)),
                ],
                cv=3,
            ),
            "classification",
        ),
    ]


def _outputs(estimator, task, n_jobs):
    X, y = (X_REG, Y_REG) if task == "regression" else (X_CLF, Y_CLF)
    model = (
        estimator.set_params(n_jobs=n_jobs, random_state=0)
        if "n_jobs" in (estimator.get_params())
        else estimator.set_params(random_state=0)
    )
    model.fit(X, y)
    if task == "regression":
        return model.predict(X)
    return model.predict_proba(X)


ESTIMATORS = _estimators()
IDS = [type(est).__name__ for est, _ in ESTIMATORS]


@pytest.mark.parametrize("estimator, task", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("backend", ["threading", "loky", "multiprocessing"])
def test_same_results_for_local_backends(estimator, task, backend):
    expected = _outputs(estimator, task, n_jobs=1)
    for n_jobs in [2, -1]:
        with parallel_config(backend=backend):
            assert_array_equal(_outputs(estimator, task, n_jobs), expected)


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


@pytest.mark.parametrize("estimator, task", ESTIMATORS, ids=IDS)
def test_dask_cluster_gives_local_results(dask_client, estimator, task):
    expected = _outputs(estimator, task, n_jobs=1)
    with parallel_config(backend="dask"):
        assert_array_equal(_outputs(estimator, task, n_jobs=2), expected)
    # The work really went to the cluster's workers.
    assert dask_client.run(lambda: True)


def test_bias_variance_on_dask(dask_client):
    options = dict(n_rounds=6, random_state=0)
    tree = DecisionTreeRegressor(max_features=0.5)
    expected = bias_variance_decomposition(
        tree, X_REG, Y_REG, X_REG[:50], Y_REG[:50], n_jobs=1, **options
    )
    for backend in ["threading", "loky", "dask"]:
        with parallel_config(backend=backend):
            result = bias_variance_decomposition(
                tree, X_REG, Y_REG, X_REG[:50], Y_REG[:50], n_jobs=2, **options
            )
        assert result == expected


def test_dask_members_still_seeded_identically(dask_client):
    with parallel_config(backend="dask"):
        model = BaggingRegressor(n_estimators=4, n_jobs=2, random_state=3)
        model.fit(X_REG, Y_REG)
    local = BaggingRegressor(n_estimators=4, random_state=3).fit(X_REG, Y_REG)
    assert [m.random_state for m in model.estimators_] == [
        m.random_state for m in local.estimators_
    ]
    assert np.all(model.predict(X_REG) == local.predict(X_REG))


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
