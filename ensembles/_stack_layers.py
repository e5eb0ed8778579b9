"""The layer specification of a stack: its ``estimators`` parameter.

:class:`LayeredMembersMixin` reads ``estimators`` as one layer (a flat list
of (name, estimator) pairs) or several (a list of such lists), validates
the members and their names, and makes every member reachable by name
through ``get_params``/``set_params`` (``<name>`` and ``<name>__<param>``,
"drop" included), as scikit-learn's ``_BaseHeterogeneousEnsemble`` does for
one layer. It knows nothing of fitting.
"""

__all__ = ["LayeredMembersMixin", "is_drop", "is_member"]


def is_member(item):
    """Whether ``item`` is a (name, estimator) pair.

    A tuple, or a list as a configuration file (JSON, YAML) gives it.
    """
    return (
        isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str)
    )


def is_drop(estimator):
    """Whether ``estimator`` is the "drop" that leaves a member out."""
    return isinstance(estimator, str) and estimator == "drop"


class LayeredMembersMixin:
    """``estimators`` as layers of named members, for a meta-estimator.

    The estimator it is mixed into (before ``BaseEstimator``) has an
    ``estimators`` parameter: a list of (name, estimator) pairs, one layer,
    or a list of such lists, one per layer. Names are unique across layers
    and every member, "drop" included, is a parameter ``<name>`` whose own
    parameters are ``<name>__<param>``.
    """

    def _one_layer(self):
        """Whether ``estimators`` is one layer (a flat list of members)."""
        return all(
            isinstance(item, tuple) or is_member(item) for item in self.estimators
        )

    def _layers(self):
        """``estimators`` as a list of layers of (name, estimator) tuples;
        none for ``estimators=None`` (a stack's default line-up, chosen at
        fit and not a parameter)."""
        estimators = self.estimators
        if estimators is None:
            return []
        if not estimators:
            raise ValueError(
                "Invalid 'estimators' attribute, 'estimators' should be a "
                "non-empty list of (name, estimator) tuples (one layer) or of "
                "such lists (one per layer)."
            )
        if self._one_layer():
            estimators = [estimators]
        if all(isinstance(layer, list) for layer in estimators):
            return [
                [tuple(item) if is_member(item) else item for item in layer]
                for layer in estimators
            ]
        raise ValueError(
            "estimators must be a list of (name, estimator) tuples (one "
            "layer) or a list of such lists (one per layer)."
        )

    def _named_members(self):
        """Every (name, estimator) of every layer, in order."""
        return [pair for layer in self._layers() for pair in layer]

    def _checked_layers(self):
        """The layers to fit: validated, without the members set to "drop".

        Raises a ValueError for an empty layer, a layer of "drop" only, an
        item that is not a (name, estimator) pair, a name that is empty,
        holds "__", repeats another or is a parameter of the estimator, and
        a member without ``fit`` and ``predict``.
        """
        if self.estimators is None:
            return self._line_up.layers
        layers = self._layers()
        names = []
        for number, layer in enumerate(layers, start=1):
            if not layer:
                raise ValueError(f"Layer {number} of estimators is empty.")
            for item in layer:
                self._check_member(number, item)
                names.append(item[0])
            if all(is_drop(estimator) for _, estimator in layer):
                raise ValueError(
                    f"Every member of layer {number} is 'drop': a layer needs "
                    "at least one estimator."
                )
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(
                f"Member names must be unique across layers; repeated: {duplicates}."
            )
        return [
            [(name, est) for name, est in layer if not is_drop(est)] for layer in layers
        ]

    def _check_member(self, number, item):
        """Raise a ValueError unless ``item`` of layer ``number`` is a valid
        (name, estimator) pair."""
        if not (isinstance(item, tuple) and len(item) == 2):
            raise ValueError(
                f"Layer {number} holds {item!r}; every member must be a "
                "(name, estimator) tuple."
            )
        name, estimator = item
        if not isinstance(name, str) or "__" in name or not name:
            raise ValueError(
                f"Member name {name!r} must be a non-empty string without '__'."
            )
        if name in self.get_params(deep=False):
            raise ValueError(
                f"Member name {name!r} clashes with a parameter of "
                f"{type(self).__name__}."
            )
        if not is_drop(estimator) and not (
            hasattr(estimator, "fit") and hasattr(estimator, "predict")
        ):
            raise ValueError(
                f"Member {name!r} must be an estimator with fit and "
                f"predict, or 'drop'; got {estimator!r}."
            )

    # -- parameters: every member reachable as <name>__<param> --------------
    def get_params(self, deep=True):
        """Get the parameters of this estimator and of every member.

        Parameters
        ----------
        deep : bool, default=True
            If True, also return every member of every layer as ``<name>``
            and its parameters as ``<name>__<param>``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        if not deep:
            return params
        try:
            members = self._named_members()
        except (TypeError, ValueError):
            return params
        for name, estimator in filter(is_member, members):
            params[name] = estimator
            if hasattr(estimator, "get_params"):
                for key, value in estimator.get_params(deep=True).items():
                    params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator and of its members.

        A member is replaced (or set to "drop") by its name; its own
        parameters are set as ``<name>__<param>``.

        Parameters
        ----------
        **params : keyword arguments
            Parameters of the estimator, members by name, and members'
            parameters as ``<name>__<param>``.

        Returns
        -------
        self : object
            This estimator.
        """
        if "estimators" in params:
            self.estimators = params.pop("estimators")
        try:
            names = {name for name, _ in self._named_members()}
        except (TypeError, ValueError):  # estimators not valid (yet): fit says
            names = set()
        for name in [key for key in params if key in names]:
            self._replace_member(name, params.pop(name))
        return super().set_params(**params)

    def _replace_member(self, name, estimator):
        """Put ``estimator`` in the place of the member called ``name``,
        keeping the layout (one layer or several) of ``estimators``."""

        def replace(layer):
            return [(n, estimator if n == name else e) for n, e in layer]

        if self._one_layer():
            self.estimators = replace(self.estimators)
        else:
            self.estimators = [replace(layer) for layer in self.estimators]
