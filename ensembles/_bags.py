"""Drawing the members' bags and fitting the members on them: ``_BaseBagging``.

What BaggingRegressor and BaggingClassifier share when they fit: the
parameters, each member's bag of rows and features (drawn as
scikit-learn's bagging draws them, from the member's own seed, and redrawn
on demand rather than stored), the warm start, fitting the members through
:func:`~ensembles._parallel.parallel_map`, and querying them. Combining
the members' predictions and the out-of-bag scores are
:mod:`ensembles._bagging`'s.
"""

from numbers import Integral
from warnings import warn

import numpy as np
from sklearn.base import is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_is_fitted

from ._base import (
    HomogeneousEnsemble,
    check_n_features,
    check_sample_weight,
    check_target_magnitude,
    unfitted_on_error,
    validate_X,
    validate_X_y,
)
from ._members import (
    MemberFactory,
    check_finite_output,
    draw_seeds,
    fit_member,
    member_input,
    member_input_tags,
    select_features,
)
from ._parallel import member_threads, parallel_map
from ._routing import route_metadata
from ._scale_safe import normalised_weights
from ._sklearn_private import HasMethods, Interval, RealNotInt, _fit_context


# --------------------------------------------------------------------------
# Drawing a bag
# --------------------------------------------------------------------------
def _draw(rng, n_population, n_draws, replace, p=None):
    if p is not None:
        return rng.choice(n_population, n_draws, replace=replace, p=p)
    if replace:
        return rng.randint(0, n_population, n_draws)
    return sample_without_replacement(n_population, n_draws, random_state=rng)


def _draw_bag(seed, plan):
    """The (feature indices, row indices) of the bag of the member seeded ``seed``.

    Features are drawn first, then rows, from one ``RandomState(seed)``: the
    same draws as scikit-learn's bagging, so members agree with its members.
    ``sample_weight``, when given, makes rows proportionally more likely to
    be drawn.
    """
    rng = np.random.RandomState(seed)
    features = _draw(
        rng, plan["n_features"], plan["n_draw_features"], plan["bootstrap_features"]
    )
    # Normalised first: the sum of weights of 1e307 overflows.
    weights = normalised_weights(plan["sample_weight"])
    p = None if weights is None else weights / weights.sum()
    rows = _draw(rng, plan["n_samples"], plan["n_draw_samples"], plan["bootstrap"], p)
    return features, rows


def _member_columns(features, n_features):
    """Columns a member reads: None when it reads all of them, in order."""
    if len(features) == n_features and np.array_equal(features, np.arange(n_features)):
        return None
    return features


def _fit_bagged_member(make_member, X, y, seed, plan, fit_params):
    member = make_member(seed)
    features, rows = _draw_bag(seed, plan)
    fit_member(
        member,
        X,
        y,
        indices=rows,
        features=_member_columns(features, X.shape[1]),
        counts_as_weights=True,
        fit_params=fit_params,
    )
    return member, features


def _predict_member(member, features, X, method, rows, call_params, params):
    if rows is not None:
        X = X[rows]
    X = select_features(X, _member_columns(features, X.shape[1]))
    if method in ("predict", "predict_proba"):
        params = {**call_params, **params}
    if method == "predict_log_proba":
        # The log of a zero probability is -inf by design, not a warning.
        with np.errstate(divide="ignore"):
            return member.predict_log_proba(X, **params)
    return getattr(member, method)(X, **params)


# --------------------------------------------------------------------------
# Shared base
# --------------------------------------------------------------------------
class _BaseBagging(HomogeneousEnsemble):
    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [
            None,
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "max_features": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "bootstrap": ["boolean"],
        "bootstrap_features": ["boolean"],
        "oob_score": ["boolean"],
        "warm_start": ["boolean"],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        n_estimators=10,
        *,
        max_samples=None,
        max_features=1.0,
        bootstrap=True,
        bootstrap_features=False,
        oob_score=False,
        warm_start=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.bootstrap_features = bootstrap_features
        self.oob_score = oob_score
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- hooks filled by the regressor and the classifier ------------------
    def _validate_y(self, y):
        raise NotImplementedError

    def _set_oob_score(self, X, y):
        raise NotImplementedError

    # -- fitting -----------------------------------------------------------
    @unfitted_on_error
    # Meta-estimators: members validate their own parameters.
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Build the ensemble from the training set (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse matrices are accepted when the base
            estimator accepts them; missing and infinite values are left to
            the members (a member that refuses them fails, named in the
            error).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (class labels for classification).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used as the probabilities with which rows are
            drawn into each bag (as scikit-learn's bagging does); not passed
            on to the members. Only their ratios matter: weights of any
            finite magnitude are accepted (with a float ``max_samples``,
            their sum must be finite).
        **fit_params : dict
            Metadata routed to the members' ``fit`` (each member receives
            its bag's rows of per-sample metadata when it is fitted on
            copied rows). Only with metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``); see
            scikit-learn's Metadata Routing User Guide.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        routed = route_metadata(self, "fit", fit_params)
        estimator = self._checked_estimator()
        n_features_before = getattr(self, "n_features_in_", None)
        X, y = validate_X_y(
            self,
            X,
            y,
            **member_input_tags(estimator),
            multi_output=is_regressor(self),
            y_numeric=is_regressor(self),
            check_finite=False,
        )
        y = self._validate_y(y)
        n_samples, n_features = X.shape
        if is_regressor(self):
            # The members average their bag's targets; the ensemble, the
            # members' predictions.
            check_target_magnitude(y, max(n_samples, self.n_estimators))
        sample_weight = check_sample_weight(sample_weight, n_samples)
        if sample_weight is not None and not self.bootstrap:
            warn(
                f"When fitting {type(self).__name__} with sample_weight it is "
                "recommended to use bootstrap=True.",
                UserWarning,
            )
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        if self.oob_score and self.warm_start:
            raise ValueError("Out of bag estimate only available if warm_start=False")

        plan = self._bag_plan(n_samples, n_features, sample_weight)
        # scikit-learn's name for the number of rows drawn per bag.
        self._max_samples = plan["n_draw_samples"]
        n_fitted = self._warm_start_members(
            estimator,
            n_features,
            n_features_before,
            stale=("oob_score_", "oob_prediction_", "oob_decision_function_"),
        )
        if n_fitted is None:
            return self
        if n_fitted == 0:
            self.estimators_ = []
            self.estimators_features_ = []
        n_new = self.n_estimators - n_fitted

        # With an int random_state, the first n_fitted seeds are those of the
        # members already fitted: growing an ensemble by warm start gives the
        # same members as fitting the larger ensemble at once. Whatever the
        # random_state, the fitted members keep their own seeds and plans
        # (the data they were drawn from), which estimators_samples_ redraws.
        seeds = draw_seeds(check_random_state(self.random_state), self.n_estimators)
        plans = [plan] * self.n_estimators
        if n_fitted:
            seeds[:n_fitted] = self._seeds[:n_fitted]
            plans[:n_fitted] = self._plans[:n_fitted]
        self.estimator_ = estimator
        self._plans = plans
        self._seeds = seeds

        make_member = MemberFactory(
            estimator, n_threads=member_threads(self.n_jobs, n_new)
        )
        X_members, call_params = member_input(estimator, X)
        fit_params = {**call_params, **routed.estimator.get("fit", {})}
        fitted = parallel_map(
            _fit_bagged_member,
            (
                (make_member, X_members, y, seed, plan, fit_params)
                for seed in seeds[n_fitted:]
            ),
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            desc=f"{type(self).__name__}: fitting members",
            unit="member",
            labels=[
                f"{type(self).__name__}: fitting member {i}"
                for i in range(n_fitted, self.n_estimators)
            ],
        )
        for member, features in fitted:
            self.estimators_.append(member)
            self.estimators_features_.append(features)
        if self.oob_score:
            self._set_oob_score(X, y)
        return self

    def _bag_plan(self, n_samples, n_features, sample_weight):
        """What every new member's bag is drawn from (see :func:`_draw_bag`)."""
        return {
            "n_samples": n_samples,
            "n_features": n_features,
            "n_draw_samples": self._n_draw_samples(n_samples, sample_weight),
            "n_draw_features": check_n_features(
                self.max_features, n_features, "max_features"
            ),
            "bootstrap": self.bootstrap,
            "bootstrap_features": self.bootstrap_features,
            "sample_weight": sample_weight,
        }

    def _n_draw_samples(self, n_samples, sample_weight):
        if self.max_samples is None:
            n_draws = n_samples
        elif isinstance(self.max_samples, Integral):
            n_draws = int(self.max_samples)
        else:
            with np.errstate(over="ignore"):
                total = n_samples if sample_weight is None else sample_weight.sum()
            if not np.isfinite(total):
                raise ValueError(
                    "sample_weight too large: max_samples="
                    f"{self.max_samples} draws that fraction of the sum of the "
                    "sample weights, and their sum overflows float64. Pass "
                    "max_samples as an integer, or divide sample_weight by a "
                    "common factor."
                )
            n_draws = max(int(self.max_samples * total), 1)
            # A fraction of weights that sum to little (normalised weights
            # sum to 1) is a tiny bag, whatever the number of rows.
            tiny = n_draws < min(n_samples * self.max_samples, 10)
            if sample_weight is not None and tiny:
                # scikit-learn's words, for code that looks for them.
                warn(
                    f"Using the fractional value max_samples={self.max_samples} "
                    f"when the total sum of sample weights is {total} results "
                    f"in a low number ({n_draws}) of bootstrap samples. We "
                    "recommend passing `max_samples` as an integer instead.",
                    UserWarning,
                )
        if not self.bootstrap and n_draws > n_samples:
            raise ValueError(
                f"Effective max_samples={n_draws} must be <= n_samples={n_samples} "
                "to be able to sample without replacement."
            )
        if not self.bootstrap and sample_weight is not None:
            n_weighted = np.count_nonzero(sample_weight)
            if n_draws > n_weighted:
                raise ValueError(
                    f"max_samples={n_draws} rows are drawn without replacement, "
                    f"but only {n_weighted} rows have a positive sample_weight."
                )
        return n_draws

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        return validate_X(
            self, X, **member_input_tags(self.estimator_), check_finite=False
        )

    # -- metadata routing --------------------------------------------------
    def _member_method(self, caller):
        """The members' method that the ensemble's ``caller`` uses."""
        return caller

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Metadata of ``fit`` goes to the members' ``fit``; metadata of the
        prediction methods goes to the members' method that each one calls
        (see scikit-learn's Metadata Routing User Guide). ``sample_weight``
        of ``fit`` is the ensemble's own: it draws the bags.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating the routing information.
        """
        mapping = MethodMapping()
        for caller in self._routed_methods:
            mapping.add(caller=caller, callee=self._member_method(caller))
        return MetadataRouter(owner=self).add(
            estimator=self._get_estimator(), method_mapping=mapping
        )

    def _member_params(self, caller, params):
        """The metadata of ``caller``'s ``params`` each member receives (a
        ValueError when routing is disabled and ``params`` is not empty)."""
        routed = route_metadata(self, caller, params)
        return routed.estimator.get(self._member_method(caller), {})

    @property
    def estimators_samples_(self):
        """Row indices drawn into each member's bag.

        Regenerated from the members' seeds on each access rather than
        stored, to keep fitted ensembles small.
        """
        check_is_fitted(self)
        return [
            _draw_bag(seed, plan)[1] for seed, plan in zip(self._seeds, self._plans)
        ]

    def _member_predictions(self, X, method, rows_per_member=None, params=None):
        """Yield each member's ``method`` output on X, in member order;
        ``params`` are the routed metadata of the members' ``method``."""
        if rows_per_member is None:
            rows_per_member = [None] * len(self.estimators_)
        X, call_params = member_input(self.estimator_, X)
        params = params or {}
        return parallel_map(
            _predict_member,
            (
                (member, features, X, method, rows, call_params, params)
                for member, features, rows in zip(
                    self.estimators_, self.estimators_features_, rows_per_member
                )
            ),
            n_jobs=self.n_jobs,
            labels=[
                f"{type(self).__name__}: member {i}'s {method}"
                for i in range(len(self.estimators_))
            ],
        )

    def _check_combined(
        self, combined, X, method, rows_per_member=None, params=None, log_proba=False
    ):
        """Refuse a combination of the members' ``method`` outputs that
        holds NaN or infinity, naming the first member at fault.

        ``combined`` (a sum, say, before any division) is checked in one
        pass; only when it fails are the members queried again, to find
        which one. ``X``, ``rows_per_member`` and ``params`` are what the
        members were queried with; ``log_proba``: see
        :func:`~ensembles._members.check_finite_output`.
        """
        name = type(self).__name__
        if rows_per_member is None:
            rows_per_member = [None] * len(self.estimators_)

        def find_member():
            outputs = self._member_predictions(X, method, rows_per_member, params)
            for i, (member, rows, output) in enumerate(
                zip(self.estimators_, rows_per_member, outputs)
            ):
                check_finite_output(
                    output,
                    f"{name}: member {i} ({type(member).__name__})",
                    method=method if rows is None else f"{method} (out of bag)",
                    rows=rows,
                    log_proba=log_proba,
                )

        return check_finite_output(
            combined,
            f"{name}: the combined members",
            method=method,
            log_proba=log_proba,
            find_member=find_member,
        )

    def _oob_rows(self):
        oob = []
        for in_bag, plan in zip(self.estimators_samples_, self._plans):
            mask = np.ones(plan["n_samples"], dtype=bool)
            mask[in_bag] = False
            oob.append(np.flatnonzero(mask))
        return oob
