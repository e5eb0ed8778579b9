"""numpydoc validation of every public class, method and function.

The same checks and the same ignore list as scikit-learn's own
``sklearn/tests/test_docstrings.py``, so that our docstrings read like
scikit-learn's in an IDE, in ``help()`` and in rendered documentation.
"""

import inspect

import pytest

import ensembles
from ensembles import datasets, plotting

validate = pytest.importorskip("numpydoc.validate").validate


def _public_objects():
    """(import path, owning class or None, method name or None) of every
    public class, its public methods and properties, and every public
    function."""
    modules = [(ensembles, ensembles.__all__), (datasets, datasets.__all__)]
    modules.append((plotting, [n for n in dir(plotting) if not n.startswith("_")]))
    for module, names in modules:
        for name in names:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                path = f"{obj.__module__}.{obj.__name__}"
                yield path, obj, None
                for attr in sorted(dir(obj)):
                    if attr.startswith("_"):
                        continue
                    member = getattr(obj, attr)
                    if callable(member) or isinstance(member, property):
                        yield f"{path}.{attr}", obj, attr
            elif inspect.isfunction(obj) and obj.__module__.startswith("ensembles"):
                yield f"{obj.__module__}.{obj.__name__}", None, None


def _errors(result, owner, method):
    """scikit-learn's filter: errors it does not hold its own code to."""
    for code, message in result["errors"]:
        # The Returns line may name the returned object; the summary may
        # start on the line of the opening quotes; short property docstrings.
        if code in ("RT02", "GL01", "GL02"):
            continue
        # A property has no signature to check its parameters against.
        if code in ("PR02", "GL08") and method is not None:
            if isinstance(getattr(owner, method), property):
                continue
        # Extended summary, See Also and Examples: class docstrings only.
        if method is not None and code in ("ES01", "SA01", "EX01"):
            continue
        yield code, message


_OBJECTS = list(_public_objects())


@pytest.mark.parametrize(
    "path, owner, method", _OBJECTS, ids=[path for path, _, _ in _OBJECTS]
)
def test_docstring(path, owner, method):
    errors = list(_errors(validate(path), owner, method))
    assert not errors, f"{path}:\n" + "\n".join(f"{c}: {m}" for c, m in errors)
