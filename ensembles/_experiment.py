"""The bias/variance experiment behind the command line: its data sets, its
line-up of learners and ensembles, and the verdicts it prints."""

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ._bagging import BaggingClassifier, BaggingRegressor
from ._boosting import BoostingClassifier, BoostingRegressor
from ._stacking import StackingClassifier, StackingRegressor
from .datasets import Friedman1, Sine


@dataclass
class Experiment:
    """Data and settings of one bias/variance experiment."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    loss: str
    sampling: object = "bootstrap"
    y_test_true: np.ndarray | None = None

    @property
    def classification(self):
        return self.loss == "zero_one"


def _generated(name, problem, n_train, n_test, random_state):
    X_train, y_train = problem.sample(n_train, random_state=random_state)
    X_test, y_test = problem.sample(n_test, random_state=random_state + 1)
    return Experiment(
        name,
        X_train,
        y_train,
        X_test,
        y_test,
        "squared_error",
        sampling=problem,
        y_test_true=problem.f(X_test),
    )


def _bundled(name, loader, loss, random_state):
    X, y = loader(return_X_y=True)
    stratify = y if loss == "zero_one" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=stratify, random_state=random_state
    )
    return Experiment(name, X_train, y_train, X_test, y_test, loss)


DATASETS = {
    "friedman1": lambda rs: _generated(
        "friedman1", Friedman1(noise=1.0), 500, 1000, rs
    ),
    "sine": lambda rs: _generated("sine", Sine(noise=0.3), 200, 500, rs),
    "diabetes": lambda rs: _bundled("diabetes", load_diabetes, "squared_error", rs),
    "breast_cancer": lambda rs: _bundled(
        "breast_cancer", load_breast_cancer, "zero_one", rs
    ),
    "wine": lambda rs: _bundled("wine", load_wine, "zero_one", rs),
    "iris": lambda rs: _bundled("iris", load_iris, "zero_one", rs),
    "digits": lambda rs: _bundled("digits", load_digits, "zero_one", rs),
}


def load_experiment(name, random_state=0):
    """The experiment on data set ``name`` (a key of DATASETS)."""
    return DATASETS[name](random_state)


def line_up(classification):
    """Base learners and the ensembles built on them, by name.

    A deep tree and bagged deep trees (bagging cuts variance), a stump and
    boosted stumps (boosting cuts bias), a stack of the three, and LightGBM.
    None is seeded here: the decomposition seeds every member of every round.
    """
    # Imported here: only the experiment uses LightGBM, not the estimators.
    from lightgbm import LGBMClassifier, LGBMRegressor

    if classification:
        Tree, Bagging, Boosting, Stacking, LightGBM = (
            DecisionTreeClassifier,
            BaggingClassifier,
            BoostingClassifier,
            StackingClassifier,
            LGBMClassifier,
        )
        n_stages = 100  # each log-loss stage moves further than a squared one
    else:
        Tree, Bagging, Boosting, Stacking, LightGBM = (
            DecisionTreeRegressor,
            BaggingRegressor,
            BoostingRegressor,
            StackingRegressor,
            LGBMRegressor,
        )
        n_stages = 200

    def boosted_stumps(n_estimators):
        # Boosting fits regression stumps to the gradient, for classifiers too.
        return Boosting(
            DecisionTreeRegressor(max_depth=1),
            n_estimators=n_estimators,
            learning_rate=0.3,
        )

    stack = Stacking(
        [
            ("deep tree", Tree()),
            ("bagged trees", Bagging(n_estimators=10)),
            ("boosted stumps", boosted_stumps(n_stages // 2)),
        ],
        cv=3,
    )
    return {
        "deep tree": Tree(),
        "bagged trees": Bagging(Tree(), n_estimators=30),
        "stump": Tree(max_depth=1),
        "boosted stumps": boosted_stumps(n_stages),
        "stack": stack,
        "lightgbm": LightGBM(n_estimators=100, verbose=-1, n_jobs=1),
    }


# (ensemble, base learner it is judged against, what the method is called)
VERDICTS = [
    ("bagged trees", "deep tree", "bagging"),
    ("boosted stumps", "stump", "boosting"),
    ("stack", "bagged trees", "stacking"),
    ("lightgbm", "stump", "lightgbm"),
]


def verdicts(table):
    """One line per ensemble: how its bias, variance and loss moved against
    its base learner.

    The bias is the one corrected for the finite number of rounds
    (``bias_corrected``) where both rows have it, so that the variance the
    plug-in bias holds does not pass for a change of bias. A change within
    two standard errors of the difference says so: "bias +3 % (within
    noise)". The difference's standard error is ``sqrt(se_new**2 +
    se_old**2)``, as if the two rows' rounds were independent draws;
    :func:`compare_bias_variance` fits every row on the same training
    sets, which makes the rows' errors positively correlated and this
    standard error conservative (too large) when they are. Rows without
    standard errors (made by hand) get no such remark.

    An ensemble that combines members gets a second line: its members'
    diversity, as a share of their average variance (what averaging took
    off it), and where its combiner is not the average the decomposition
    assumes (a stack's final estimator), what that combiner adds.
    """
    lines = []
    for ensemble, base, method in VERDICTS:
        if ensemble not in table.results or base not in table.results:
            continue
        new, old = table[ensemble], table[base]
        corrected = new.bias_corrected is not None and old.bias_corrected is not None
        parts = []
        for label, field in [
            ("variance", "variance"),
            ("bias", "bias_corrected" if corrected else "bias"),
            ("expected loss", "expected_loss"),
        ]:
            change = _change(getattr(new, field), getattr(old, field), new.loss)
            if _within_noise(new, old, field):
                change += " (within noise)"
            parts.append(f"{label} {change}")
        lines.append(f"{method} ({ensemble} vs {base}): " + ", ".join(parts))
        if new.diversity is not None:
            lines.append(_diversity_line(new))
    return lines


def _diversity_line(result):
    """How much the members' disagreement took off the loss, and what the
    ensemble's own combiner adds to a plain average of its members."""
    errors = result.standard_errors or {}

    def figure(name):
        value = getattr(result, name)
        error = errors.get(name)
        return f"{value:.4f}" + ("" if error is None else f" ± {error:.4f}")

    if result.loss == "zero_one":
        line = (
            f"  diversity effect {figure('diversity')} (the members' mean loss "
            "less the ensemble's)"
        )
    else:
        share = result.diversity / result.average_variance
        line = (
            f"  diversity {figure('diversity')}: {100 * share:.0f} % of its "
            f"members' average variance {figure('average_variance')}"
        )
    if abs(result.combiner_gap) >= 5e-5:
        line += (
            f"; its combiner adds {figure('combiner_gap')} to their plain "
            "average (negative: better)"
        )
    return line


def _within_noise(new, old, field):
    """Whether ``field`` differs between the rows by at most two standard
    errors of the difference (False where a row has no standard error)."""
    errors = [(r.standard_errors or {}).get(field) for r in (new, old)]
    if None in errors:
        return False
    difference = getattr(new, field) - getattr(old, field)
    return bool(abs(difference) <= 2 * np.hypot(*errors))


def _change(new, old, loss):
    """The relative change in %; for the zero-one loss, whose figures are
    shares of the test points (the net variance may be negative or near
    zero, where a ratio means nothing), the change in percentage points."""
    if loss == "zero_one":
        return f"{100 * (new - old):+.1f} points"
    change = (new - old) / abs(old) if old != 0 else np.nan
    if np.isnan(change):  # from nothing, or a figure that is not a number
        return "n/a"
    return f"{100 * change:+.0f} %"
