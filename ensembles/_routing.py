"""Metadata routing: which member receives which metadata.

The one place where the package meets scikit-learn's metadata routing
(``sklearn.set_config(enable_metadata_routing=True)``), so that every
estimator routes as scikit-learn's own meta-estimators do:

- with routing enabled, metadata passed to ``fit``, ``predict``, ... goes
  to the members (and other children) that request it, through
  :func:`sklearn.utils.metadata_routing.process_routing`; metadata no child
  requests is scikit-learn's error;
- with routing disabled, only the parameters an estimator names itself
  (``sample_weight``) are accepted; any other metadata is scikit-learn's
  error telling the user to enable routing.

The private scikit-learn helpers this needs (``_raise_for_params``,
``_check_method_params``: scikit-learn has no public equivalent) are imported
here only; the other private names are in ensembles/_sklearn_private.py.
"""

from sklearn import get_config
from sklearn.utils.metadata_routing import (
    _raise_for_params,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.validation import _check_method_params, has_fit_parameter

__all__ = [
    "consumes",
    "explicit_requests",
    "metadata_rows",
    "raise_for_params",
    "route_metadata",
    "routing_enabled",
]


def routing_enabled():
    """Whether scikit-learn's metadata routing is enabled."""
    return get_config().get("enable_metadata_routing", False)


def route_metadata(ensemble, method, params, **named):
    """The metadata of ``ensemble.<method>`` that each child receives.

    ``params`` is what the caller passed as ``**params``; ``named`` are the
    metadata the method names in its signature (``sample_weight``), routed
    with them when routing is enabled and left to the caller otherwise.

    Returns
    -------
    routed : Bunch
        ``routed[child][child_method]`` is a dict of metadata, for every
        child of ``ensemble``'s ``get_metadata_routing()``; empty dicts
        when routing is disabled.

    Raises
    ------
    ValueError
        When routing is disabled and ``params`` is not empty (scikit-learn's
        message, naming the setting that enables routing).
    """
    raise_for_params(params, ensemble, method)
    if not routing_enabled():
        return process_routing(ensemble, method)  # empty routing
    named = {key: value for key, value in named.items() if value is not None}
    return process_routing(ensemble, method, **named, **params)


def consumes(estimator, method, param):
    """Whether ``estimator.<method>`` takes the metadata ``param``.

    With routing enabled, whether it requests it (a user's
    ``set_fit_request(sample_weight=False)`` is honoured); otherwise,
    whether its signature accepts it.
    """
    if routing_enabled():
        return bool(get_routing_for_object(estimator).consumes(method, {param}))
    return has_fit_parameter(estimator, param) if method == "fit" else False


def metadata_rows(params, X, indices):
    """``params`` for a fit on the rows ``indices`` of ``X`` (None: all rows).

    Per-sample metadata (an array-like with one entry per row of ``X``)
    follows the rows it belongs to; anything else (a scalar, an array of
    another length) is passed on as is, as scikit-learn's meta-estimators
    do.
    """
    if not params or indices is None:
        return dict(params or {})
    return _check_method_params(X, params=params, indices=indices)


def raise_for_params(params, ensemble, method):
    """scikit-learn's error for metadata ``params`` passed to
    ``ensemble.<method>`` while routing is disabled (nothing otherwise)."""
    _raise_for_params(params, ensemble, method)


def explicit_requests(estimator, method):
    """The routing request of ``estimator`` in which ``method``'s unset
    requests count as "not requested".

    A child added to a ``MetadataRouter`` with this request receives the
    metadata it explicitly requests (``set_<method>_request(param=True)``
    or an alias) and nothing else, and a request left unset is not an
    error. A child that routes itself (a Pipeline, a search) is returned
    as is: its own children's requests decide.
    """
    routing = get_routing_for_object(estimator)  # a copy
    request = getattr(routing, method, None)
    if getattr(routing, "_type", None) != "metadata_request" or request is None:
        return routing
    for param, alias in list(request.requests.items()):
        if alias is None:
            request.add_request(param=param, alias=False)
    return routing
