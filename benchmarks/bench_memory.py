"""Memory: peak RSS of fitting Bagging and Stacking on a >= 1 GB array, and
what a fitted stack holds and pickles to, against scikit-learn's stack.

Each configuration runs in a fresh process: the data (float64) are made,
the resident set size measured, the model fitted, and the peak RSS read
from the operating system (Linux ru_maxrss). All figures are multiples of
the data size (X and y).

The first part fits trees (Bagging, and a stack with cv=3) on 500 features
and prints the peak RSS and the memory added by the fit.

The second part fits three stacks with cv=5 (a tree stack, a k-NN stack,
and a pipeline stack: StandardScaler + k-NN) four ways: ours by default
(refit, fold models not kept), ours with keep_fold_models=True (refit, fold
models kept: what every stack did before keep_fold_models), ours with
refit=False (the fold models predict, so they are kept) and scikit-learn's
StackingRegressor on the same members and folds (on threads, as ours, so
that its workers' memory is counted in the one process measured). It
prints the peak RSS of the fit (the data included), what the fitted stack
holds (RSS after the fit, freed memory given back, less RSS before it: what
stays alive because of the stack) and the size of its pickle, with the
verdict "under 2x" on the last two. These data are
wide (10000 features, 12500 rows a GB) so that the k-NN's out-of-fold
predictions, whose cost grows with the square of the number of rows, take
seconds rather than hours at this size; memory depends on the bytes only.

    python benchmarks/bench_memory.py [--gigabytes 1.0]
"""

import argparse
import ctypes
import gc
import os
import pickle
import resource
import subprocess
import sys

CASES = ["bagging", "stacking"]
STACKS = ["tree", "knn", "pipeline"]
VARIANTS = {
    "ours": "ours (default: refit)",
    "ours-kept": "ours keep_fold_models",
    "ours-no-refit": "ours refit=False",
    "sklearn": "scikit-learn",
}
STACK_FEATURES = 10000


def _rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _give_back_freed_memory():
    """Collect garbage and return freed heap pages to the system, so that
    RSS counts what is still alive (large arrays are returned on free
    anyway; this covers smaller blocks left in malloc's arenas)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS may overstate a little
        pass


class _ByteCounter:
    """A file that counts what is written to it: a pickle's size without
    holding the pickle (protocol 5 writes large arrays straight through)."""

    def __init__(self):
        self.n_bytes = 0

    def write(self, data):
        self.n_bytes += memoryview(data).nbytes
        return memoryview(data).nbytes


def _pickle_bytes(model):
    counter = _ByteCounter()
    pickle.dump(model, counter, protocol=5)
    return counter.n_bytes


def _make_data(gigabytes, n_features):
    import numpy as np

    n_samples = int(gigabytes * 1e9 / (8 * n_features))
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(n_samples, n_features))
    y = X[:, 0] * 10 + X[:, 1] * 5 + rng.normal(size=n_samples)
    return X, y


def run_case(case, gigabytes):
    from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor

    from ensembles import BaggingRegressor, StackingRegressor

    X, y = _make_data(gigabytes, n_features=500)
    data = X.nbytes + y.nbytes
    before = _rss_bytes()
    tree = DecisionTreeRegressor(max_depth=4, max_features=20)
    if case == "bagging":
        model = BaggingRegressor(tree, n_estimators=4, n_jobs=2, random_state=0)
    else:
        model = StackingRegressor(
            [("tree", tree), ("extra", ExtraTreeRegressor(max_depth=4))],
            cv=3,
            n_jobs=2,
            random_state=0,
        )
    model.fit(X, y)
    peak = _peak_bytes()
    print(
        f"{case:<9} data {data / 1e9:.2f} GB: peak RSS {peak / 1e9:.2f} GB "
        f"= {peak / data:.2f}x the data; added by fit {(peak - before) / 1e9:.2f} GB "
        f"= {(peak - before) / data:.2f}x (target: peak < 2x)"
    )


def _stack_members(stack):
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor

    tree = DecisionTreeRegressor(max_depth=4, max_features=20, random_state=0)
    if stack == "tree":
        return [("tree", tree), ("extra", ExtraTreeRegressor(max_depth=4))]
    if stack == "knn":
        return [("knn", KNeighborsRegressor()), ("tree", tree)]
    scaled_knn = make_pipeline(StandardScaler(), KNeighborsRegressor())
    return [("scaled_knn", scaled_knn), ("tree", tree)]


def run_stack(stack, variant, gigabytes):
    from joblib import parallel_config
    from sklearn import ensemble as sk_ensemble
    from sklearn.model_selection import KFold

    from ensembles import StackingRegressor

    X, y = _make_data(gigabytes, n_features=STACK_FEATURES)
    data = X.nbytes + y.nbytes
    members = _stack_members(stack)
    if variant == "sklearn":
        # KFold(5) unshuffled: the folds of ours with cv=5, random_state=None.
        model = sk_ensemble.StackingRegressor(members, cv=KFold(5), n_jobs=2)
    else:
        model = StackingRegressor(
            members,
            cv=5,
            refit=variant != "ours-no-refit",
            keep_fold_models=True if variant == "ours-kept" else "auto",
            n_jobs=2,
        )
    _give_back_freed_memory()
    before = _rss_bytes()
    # scikit-learn's stack would fit in loky processes, whose memory the
    # parent's RSS does not show (nor the copies their results come back as).
    with parallel_config(backend="threading"):
        model.fit(X, y)
    peak = _peak_bytes()
    _give_back_freed_memory()
    held = _rss_bytes() - before
    pickled = _pickle_bytes(model)
    met = held < 2 * data and pickled < 2 * data
    print(
        f"{stack:<9} {VARIANTS[variant]:<22} {peak / data:>8.2f}x "
        f"{held / data:>7.2f}x {pickled / data:>7.2f}x   "
        f"{'met' if met else 'NOT met'}",
        flush=True,
    )


def _run_child(*args):
    subprocess.run([sys.executable, __file__, *args], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--stack", choices=STACKS)
    parser.add_argument("--variant", choices=list(VARIANTS))
    args = parser.parse_args()
    size = ["--gigabytes", str(args.gigabytes)]
    if args.case:
        run_case(args.case, args.gigabytes)
        return
    if args.stack:
        run_stack(args.stack, args.variant or "ours", args.gigabytes)
        return
    print(f"# memory benchmark: {os.cpu_count()} cores, n_jobs=2, threads")
    for case in CASES:
        _run_child("--case", case, *size)
    n_samples = int(args.gigabytes * 1e9 / (8 * STACK_FEATURES))
    print(
        f"# fitted stacks: X {args.gigabytes:.2f} GB ({n_samples} x "
        f"{STACK_FEATURES} float64), cv=5, n_jobs=2; multiples of the data "
        "(X and y)"
    )
    print(
        f"{'stack':<9} {'variant':<22} {'peak fit':>9} {'held':>8} {'pickle':>8}"
        "   under 2x (held and pickle)"
    )
    for stack in STACKS:
        for variant in VARIANTS:
            _run_child("--stack", stack, "--variant", variant, *size)


if __name__ == "__main__":
    main()
