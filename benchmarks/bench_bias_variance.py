"""Bias/variance: ensembles.bias_variance_decomposition against mlxtend's
bias_variance_decomp (needs `pip install mlxtend`).

Same estimator, same data, same number of bootstrap rounds; timed side by
side in alternation. Prints both sets of figures with their relative
differences (Monte Carlo error: the rounds draw different bootstrap
samples) and the time ratios (ours / mlxtend's, which is serial).

Two estimators: a deep tree, and a bagged ensemble of deep trees, whose
decomposition also gives the members' figures and their diversity (from
the members' predictions of the same rounds); for it the script also
times ours without them (``diversity=False``) to show what they cost.

    python benchmarks/bench_bias_variance.py [--rounds 200] [--n-samples 3000]
        [--bagged-rounds 100] [--bagged-samples 1000] [--members 10]
"""

import argparse
import os
import sys

from mlxtend.evaluate import bias_variance_decomp
from sklearn.datasets import make_friedman1
from sklearn.tree import DecisionTreeRegressor

from ensembles import BaggingRegressor

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine, report, time_alternating  # noqa: E402

from ensembles import bias_variance_decomposition  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--bagged-rounds", type=int, default=100)
    parser.add_argument("--bagged-samples", type=int, default=1000)
    parser.add_argument("--members", type=int, default=10)
    args = parser.parse_args()
    tree(args)
    bagged(args)


def tree(args):
    X, y = make_friedman1(n_samples=2 * args.n_samples, noise=1.0, random_state=0)
    X_train, y_train = X[: args.n_samples], y[: args.n_samples]
    X_test, y_test = X[args.n_samples :], y[args.n_samples :]
    estimator = DecisionTreeRegressor(random_state=0)
    print(f"# bias/variance benchmark: {machine()}")
    print(
        f"# make_friedman1 noise=1.0, {args.n_samples} train / {args.n_samples} test "
        f"rows; DecisionTreeRegressor; {args.rounds} bootstrap rounds; "
        f"median of {args.repeats} alternating runs"
    )

    theirs = bias_variance_decomp(
        estimator,
        X_train,
        y_train,
        X_test,
        y_test,
        loss="mse",
        num_rounds=args.rounds,
        random_seed=0,
    )
    ours = bias_variance_decomposition(
        estimator,
        X_train,
        y_train,
        X_test,
        y_test,
        n_rounds=args.rounds,
        random_state=0,
    )
    print(f"{'figure':<14} {'ours':>10} {'mlxtend':>10} {'difference':>11}")
    for name, mine, other in zip(
        ["expected_loss", "bias", "variance"],
        [ours.expected_loss, ours.bias, ours.variance],
        theirs,
    ):
        change = 100 * (mine - other) / other
        verdict = "within 5 %" if abs(change) <= 5 else "OUTSIDE 5 %"
        print(f"{name:<14} {mine:>10.4f} {other:>10.4f} {change:>+10.2f}%  {verdict}")

    for n_jobs in args.n_jobs:
        times = time_alternating(
            {
                "ours": lambda: bias_variance_decomposition(
                    estimator,
                    X_train,
                    y_train,
                    X_test,
                    y_test,
                    n_rounds=args.rounds,
                    random_state=0,
                    n_jobs=n_jobs,
                ),
                "mlxtend": lambda: bias_variance_decomp(
                    estimator,
                    X_train,
                    y_train,
                    X_test,
                    y_test,
                    loss="mse",
                    num_rounds=args.rounds,
                    random_seed=0,
                ),
            },
            args.repeats,
        )
        target = {1: 1.05, 2: 0.6}.get(n_jobs)
        report(f"time n_jobs={n_jobs}", times["ours"], times["mlxtend"], target)


def bagged(args):
    n_samples, n_rounds = args.bagged_samples, args.bagged_rounds
    X, y = make_friedman1(n_samples=2 * n_samples, noise=1.0, random_state=0)
    X_train, y_train, X_test, y_test = (
        X[:n_samples],
        y[:n_samples],
        X[n_samples:],
        y[n_samples:],
    )
    estimator = BaggingRegressor(DecisionTreeRegressor(), n_estimators=args.members)
    print(
        f"\n# bagged trees: BaggingRegressor({args.members} DecisionTreeRegressor); "
        f"{n_samples} train / {n_samples} test rows; {n_rounds} bootstrap rounds"
    )

    def ours(n_jobs, diversity=True):
        return bias_variance_decomposition(
            estimator,
            X_train,
            y_train,
            X_test,
            y_test,
            n_rounds=n_rounds,
            diversity=diversity,
            random_state=0,
            n_jobs=n_jobs,
        )

    def theirs():
        return bias_variance_decomp(
            estimator,
            X_train,
            y_train,
            X_test,
            y_test,
            loss="mse",
            num_rounds=n_rounds,
            random_seed=0,
        )

    result, other = ours(1), theirs()
    errors = result.standard_errors
    print(f"{'figure':<17} {'ours':>18} {'mlxtend':>10}")
    for name, value in zip(["expected_loss", "bias", "variance"], other):
        mine = getattr(result, name)
        print(f"{name:<17} {mine:>9.4f} ± {errors[name]:.4f} {value:>10.4f}")
    for name in ["average_bias", "average_variance", "diversity"]:
        mine = getattr(result, name)
        print(f"{name:<17} {mine:>9.4f} ± {errors[name]:.4f} {'-':>10}")
    members = result.average_bias + result.average_variance - result.diversity
    print(
        f"identity: bias + variance - (average_bias + average_variance - "
        f"diversity) = {result.bias + result.variance - members:.2e}"
    )
    for n_jobs in args.n_jobs:
        times = time_alternating(
            {
                "ours": lambda: ours(n_jobs),
                "ours_without": lambda: ours(n_jobs, diversity=False),
                "mlxtend": theirs,
            },
            args.repeats,
        )
        report(
            f"diversity cost n_jobs={n_jobs}",
            times["ours"],
            times["ours_without"],
            1.1,
        )
        target = {1: 1.05, 2: 0.6}.get(n_jobs)
        report(f"vs mlxtend n_jobs={n_jobs}", times["ours"], times["mlxtend"], target)


if __name__ == "__main__":
    main()
