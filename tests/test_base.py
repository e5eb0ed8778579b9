"""The shared machinery in ensembles._base."""

import contextlib
import io
import sys
import time

import numpy as np
import pytest
from _registry import backend_config
from joblib import cpu_count, parallel_config
from lightgbm import LGBMRegressor
from numpy.testing import assert_array_equal
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ensembles._base import check_sample_weight
from ensembles._members import (
    MAX_INT,
    MemberFactory,
    draw_seeds,
)
from ensembles._parallel import member_threads, parallel_map, progress


def _slow_square(value, delay):
    time.sleep(delay)
    return value * value


@pytest.mark.parametrize("backend", ["threading", "loky", "multiprocessing"])
def test_parallel_map_yields_in_task_order(backend):
    # Early tasks are the slowest, so they finish last.
    tasks = [(i, 0.02 * (5 - i)) for i in range(6)]
    with backend_config(backend):
        results = list(parallel_map(_slow_square, tasks, n_jobs=3))
    assert results == [i * i for i in range(6)]


@pytest.mark.parametrize("backend", ["threading", "loky", "multiprocessing"])
def test_parallel_map_with_groups_yields_in_task_order(backend):
    tasks = [(i, 0.02 * (i % 3)) for i in range(9)]
    with backend_config(backend):
        results = list(
            parallel_map(
                _slow_square, tasks, n_jobs=2, groups=[i % 3 for i in range(9)]
            )
        )
    assert results == [i * i for i in range(9)]


def _timed_sleep(name, delay):
    start = time.time()  # wall clock: comparable across processes
    time.sleep(delay)
    return name, start


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_parallel_map_dispatches_the_longest_group_first(backend):
    # Six quick tasks listed before three slow ones: in task order the slow
    # ones would run last, one of them alone while the other worker idles.
    tasks = [(f"quick{i}", 0.01) for i in range(6)] + [
        (f"slow{i}", 0.5) for i in range(3)
    ]
    groups = [name[:4] for name, _ in tasks]
    with parallel_config(backend=backend):
        list(parallel_map(_timed_sleep, tasks[:2], n_jobs=2))  # warm workers
        results = list(parallel_map(_timed_sleep, tasks, n_jobs=2, groups=groups))
    assert [name for name, _ in results] == [name for name, _ in tasks]
    started = dict(results)
    # Each group is measured early, then the slow group goes first.
    assert started["slow0"] < started["quick2"]
    assert started["slow2"] < started["quick5"]


def test_parallel_map_progress_bar(progress_bars):
    tasks = [(i, 0) for i in range(4)]
    assert list(parallel_map(_slow_square, tasks, verbose=1, desc="sq")) == [0, 1, 4, 9]
    [bar] = progress_bars
    assert (bar.desc, bar.total, bar.n, bar.closed) == ("sq", 4, 4, True)
    assert bar.file is sys.stderr and bar.options["disable"] is False


def test_parallel_map_without_verbose_draws_no_bar(progress_bars, capsys):
    list(parallel_map(_slow_square, [(i, 0) for i in range(4)], desc="sq"))
    assert progress_bars == []
    assert capsys.readouterr().err == ""


def test_progress_bar_is_complete_and_closed_with_the_last_result(progress_bars):
    # A caller that takes exactly the results it expects (the stacking
    # layers do) never resumes the generator after the last one.
    results = parallel_map(_slow_square, [(i, 0) for i in range(3)], verbose=1)
    assert [next(results) for _ in range(3)] == [0, 1, 4]
    [bar] = progress_bars
    assert bar.n == 3 and bar.closed


def test_progress_bar_is_closed_when_a_task_fails(progress_bars):
    tasks = [(1, 0), ("two", 0), (3, 0)]
    with pytest.raises(TypeError, match="square 1 failed"):
        list(
            parallel_map(
                _slow_square,
                tasks,
                verbose=1,
                labels=[f"square {i}" for i in range(3)],
            )
        )
    [bar] = progress_bars
    assert bar.closed and bar.n < 3


def test_progress_bar_is_closed_when_the_caller_stops_early(progress_bars):
    numbers = progress(range(10), 10, "numbers", verbose=1)
    with contextlib.closing(numbers):
        for number in numbers:
            if number == 3:
                break
    [bar] = progress_bars
    assert bar.closed and bar.n == 3  # the fourth was not finished


def test_progress_bar_in_a_notebook_kernel(monkeypatch):
    # A Jupyter kernel's stderr is not a terminal, but shows a bar well.
    kernel_stream = type(
        "OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"}
    )
    monkeypatch.setattr(sys, "stderr", kernel_stream())
    list(parallel_map(_slow_square, [(i, 0) for i in range(4)], verbose=1, desc="sq"))
    assert "sq: 100%" in sys.stderr.getvalue()


def test_progress_off_a_terminal(capsys):
    # pytest's captured stderr is not a terminal: verbose=1 draws nothing,
    # verbose=2 draws the bar anyway (real tqdm here).
    tasks = [(i, 0) for i in range(4)]
    list(parallel_map(_slow_square, tasks, verbose=1, desc="squares"))
    assert capsys.readouterr().err == ""
    list(parallel_map(_slow_square, tasks, verbose=2, desc="squares"))
    err = capsys.readouterr().err
    assert "squares: 100%" in err and "4/4" in err
    assert err.endswith("\n")  # closed: what follows starts a new line


def test_draw_seeds_are_reproducible_int32():
    seeds = draw_seeds(np.random.RandomState(0), 5)
    assert_array_equal(seeds, draw_seeds(np.random.RandomState(0), 5))
    assert seeds.dtype.kind == "i" and seeds.max() < MAX_INT
    # Drawing in two steps continues the same stream (warm start relies on it).
    rng = np.random.RandomState(0)
    assert_array_equal(np.concatenate([draw_seeds(rng, 2), draw_seeds(rng, 3)]), seeds)


def make_member(estimator, seed=None, n_threads=None):
    return MemberFactory(estimator, n_threads=n_threads)(seed)


def test_member_factory_clones_and_seeds_every_random_state():
    template = make_pipeline(StandardScaler(), RandomForestRegressor(n_estimators=2))
    member = make_member(template, seed=42)
    assert member is not template
    assert template.get_params()["randomforestregressor__random_state"] is None
    seeded = member.get_params()["randomforestregressor__random_state"]
    assert isinstance(seeded, int)
    key = "randomforestregressor__random_state"
    assert make_member(template, seed=42).get_params()[key] == seeded
    assert make_member(template, seed=43).get_params()[key] != seeded


def test_member_factory_caps_threads_only_where_needed():
    capped = make_member(LGBMRegressor(n_jobs=-1), n_threads=3)
    assert capped.n_jobs == 3
    assert make_member(LGBMRegressor(n_jobs=2), n_threads=3).n_jobs == 2
    assert make_member(LGBMRegressor(), n_threads=None).n_jobs is None
    assert make_member(Ridge(), n_threads=3).get_params() == Ridge().get_params()
    # scikit-learn's None already means one job: left as the user set it.
    assert make_member(RandomForestRegressor(), n_threads=2).n_jobs is None
    forest = make_member(make_pipeline(RandomForestRegressor(n_jobs=-1)), n_threads=2)
    assert forest.get_params()["randomforestregressor__n_jobs"] == 2


def test_member_threads():
    assert member_threads(1) is None
    assert member_threads(None) is None
    assert member_threads(4, n_tasks=1) is None
    # The cores are shared between the workers.
    assert member_threads(2) == max(1, cpu_count() // 2)
    assert member_threads(-1) == (None if cpu_count() == 1 else 1)
    assert member_threads(cpu_count() * 4) == 1


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.ones(3), "3 values for 5 samples"),
        (np.ones((5, 2)), "1-dimensional"),
        (np.array([1, 1, -1, 1, 1.0]), "negative"),
        (np.zeros(5), "all zero"),
        (np.array([1, np.nan, 1, 1, 1]), "NaN"),
        (np.inf, "infinity"),
        (np.nan, "NaN"),
    ],
)
def test_check_sample_weight_errors(weights, match):
    with pytest.raises(ValueError, match=match):
        check_sample_weight(weights, 5)


def test_check_sample_weight_values():
    assert check_sample_weight(None, 4) is None
    assert_array_equal(check_sample_weight(2, 3), [2.0, 2.0, 2.0])
    weights = [1, 2, 3]
    assert check_sample_weight(weights, 3).dtype == np.float64


def test_rows_as_weights_is_exact_for_scikit_learn_trees():
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor

    from ensembles._members import rows_as_weights

    rng = np.random.RandomState(0)
    X, y = rng.uniform(size=(300, 4)), rng.normal(size=300)
    train = np.arange(300) % 3 != 0
    for tree in [
        DecisionTreeRegressor(random_state=0),
        ExtraTreeRegressor(random_state=0),
    ]:
        assert rows_as_weights(tree)
        subset = tree.fit(X[train], y[train]).predict(X)
        weighted = tree.fit(X, y, sample_weight=train.astype(float)).predict(X)
        assert_array_equal(subset, weighted)
    assert not rows_as_weights(HistGradientBoostingRegressor())
    assert not rows_as_weights(Ridge())
