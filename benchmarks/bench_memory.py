"""Memory: peak RSS of fitting Bagging and Stacking on a >= 1 GB array with n_jobs=2.

Each configuration runs in a fresh process: the data (float64) are made,
the resident set size measured, the model fitted, and the peak RSS read
from the operating system (Linux ru_maxrss). Prints peak RSS and the
memory added by the fit, both as multiples of the data size.

    python benchmarks/bench_memory.py [--gigabytes 1.0]
"""

import argparse
import os
import resource
import subprocess
import sys

CASES = ["bagging", "stacking"]


def _rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_case(case, gigabytes):
    import numpy as np
    from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor

    from ensembles import BaggingRegressor, StackingRegressor

    n_features = 500
    n_samples = int(gigabytes * 1e9 / (8 * n_features))
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(n_samples, n_features))
    y = X[:, 0] * 10 + X[:, 1] * 5 + rng.normal(size=n_samples)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--case", choices=CASES)
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.gigabytes)
        return
    print(f"# memory benchmark: {os.cpu_count()} cores, n_jobs=2, threads")
    for case in CASES:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--case",
                case,
                "--gigabytes",
                str(args.gigabytes),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
