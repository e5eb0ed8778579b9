"""Data sets shared by the test modules.

Module-scoped, as the per-module copies they replace were: a test that
changed an array in place could only affect its own module.
"""

import pytest
from sklearn.datasets import make_classification, make_friedman1

from ensembles.datasets import Friedman1


@pytest.fixture(scope="module")
def regression_data():
    """Friedman #1, 300 rows, 10 features."""
    return make_friedman1(n_samples=300, noise=1.0, random_state=0)


@pytest.fixture(scope="module")
def regression_data_400():
    """Friedman #1 with 400 rows: the boosting tests' numbers were set on it."""
    return make_friedman1(n_samples=400, noise=1.0, random_state=0)


@pytest.fixture(scope="module")
def binary_data():
    """Two classes, 300 rows, 8 features."""
    return make_classification(n_samples=300, n_features=8, random_state=0)


@pytest.fixture(scope="module")
def multiclass_data():
    """Three classes, 300 rows, 8 features (5 informative)."""
    return make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )


@pytest.fixture(scope="module")
def friedman():
    """The Friedman #1 generator (noise 1) and 300 training and 300 test
    rows drawn from it: (problem, X_train, y_train, X_test, y_test)."""
    problem = Friedman1(noise=1.0)
    X_train, y_train = problem.sample(300, random_state=0)
    X_test, y_test = problem.sample(300, random_state=1)
    return problem, X_train, y_train, X_test, y_test


class RecordedBar:
    """Stands in for tqdm's bar: records what the package asks of it."""

    def __init__(self, *, total, desc, unit, file, **options):
        self.total, self.desc, self.unit, self.file = total, desc, unit, file
        self.options = options
        self.n = 0
        self.closed = False

    def update(self, n=1):
        assert not self.closed, f"{self.desc!r} updated after close"
        self.n += n

    def close(self):
        self.closed = True


@pytest.fixture
def progress_bars(monkeypatch):
    """The progress bars the package draws, recorded instead of drawn, with
    stderr taken for a terminal (where ``verbose=1`` shows bars)."""
    import ensembles._parallel

    bars = []

    def record(**options):
        bars.append(RecordedBar(**options))
        return bars[-1]

    monkeypatch.setattr(ensembles._parallel, "tqdm", record)
    monkeypatch.setattr(ensembles._parallel, "_is_terminal", lambda stream: True)
    return bars
