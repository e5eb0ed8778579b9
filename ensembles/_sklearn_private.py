"""The one place, with ensembles/_routing.py, that imports scikit-learn's
private names.

scikit-learn has no public equivalent of these; each is used as scikit-learn's
own estimators use it, and a scikit-learn release that moves or changes one
breaks here first. That is why ``setup.cfg`` bounds scikit-learn from above.

- ``_fit_context``: the decorator that validates ``_parameter_constraints``
  and sets the nested-validation context around ``fit``;
- ``HasMethods``, ``Interval``, ``RealNotInt``, ``StrOptions``: the
  parameter constraints that ``_fit_context`` checks;
- ``_safe_indexing``: rows of an array, DataFrame or list (in
  ``sklearn.utils.__all__`` and in scikit-learn's API reference, but with a
  private name);
- ``_num_samples``: the number of rows of any array-like;
- ``_check_feature_names_in``: ``get_feature_names_out``'s check of
  ``input_features``.

The metadata-routing privates (``_raise_for_params``,
``_check_method_params``) are imported in ensembles/_routing.py only.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.validation import _check_feature_names_in, _num_samples

__all__ = [
    "HasMethods",
    "Interval",
    "RealNotInt",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "_num_samples",
    "_safe_indexing",
]
