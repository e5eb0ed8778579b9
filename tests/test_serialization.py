"""Fitted estimators round-trip through joblib and skops, over the registry
(pickle: test_shared_behaviour.test_clone_and_pickle)."""

import functools
import io

import joblib
import numpy as np
import pytest
from _registry import assert_same_outputs, entries, ids, outputs, seeded

ALL = entries()

# Six bagged members leave a few rows out of no bag; the oob variants say so.
pytestmark = pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")


@functools.cache
def _fitted(entry):
    """The entry fitted once, shared by the tests of this module."""
    X, y = entry.data
    return seeded(entry).fit(X, y)


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_joblib_round_trip(entry):
    model = _fitted(entry)
    X, _ = entry.data
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    assert_same_outputs(outputs(joblib.load(buffer), X), outputs(model, X))


@pytest.mark.parametrize("entry", ALL, ids=ids(ALL))
def test_skops_secure_round_trip(entry):
    sio = pytest.importorskip("skops.io")
    model = _fitted(entry)
    X, _ = entry.data
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    # What the user is asked to trust is this package's own classes, and a
    # few scikit-learn internals (the tree structure, Bunch): nothing else.
    assert any(name.startswith("ensembles.") for name in untrusted)
    assert all(name.startswith(("ensembles.", "sklearn.")) for name in untrusted)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.loads(data)  # refuses to load unreviewed types
    restored = sio.loads(data, trusted=untrusted)
    expected = outputs(model, X)
    assert_same_outputs(outputs(restored, X), expected)
    assert all(np.isfinite(value).all() for value in expected.values())
