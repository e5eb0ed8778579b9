"""scikit-learn's GradientBoosting* parameters on our Boosting* classes.

scikit-learn's gradient boosting takes its trees' settings (``max_depth``,
``min_samples_leaf``, ...) as its own parameters; ours takes any
``estimator``. These two thin subclasses accept scikit-learn's signature
and build ``estimator=DecisionTreeRegressor(<those settings>)``, so that
scikit-learn's own test file ``ensemble/tests/test_gradient_boosting.py``
can run on our boosting unchanged (see ``peer_suites.py``). Everything
else (losses, stages, early stopping, warm start, prediction) is ours; the
adapter adds only ``max_features_``, the trees' own resolved setting.
"""

from sklearn.ensemble import GradientBoostingClassifier as _SkClassifier
from sklearn.ensemble import GradientBoostingRegressor as _SkRegressor
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils.metadata_routing import _routing_enabled

from ensembles import BoostingClassifier, BoostingRegressor

# scikit-learn's tree settings, handed to each stage's DecisionTreeRegressor.
TREE_PARAMS = (
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_depth",
    "min_impurity_decrease",
    "max_features",
    "max_leaf_nodes",
    "ccp_alpha",
)


def _constraints(ours, theirs):
    """Ours, less ``estimator``, plus scikit-learn's rules for the tree
    settings (and its deprecated ``criterion``)."""
    rules = {name: rule for name, rule in ours.items() if name != "estimator"}
    for name in (*TREE_PARAMS, "criterion"):
        rules[name] = theirs[name]
    return rules


class _TreeSettings:
    def _get_estimator(self):
        tree = DecisionTreeRegressor(
            **{name: getattr(self, name) for name in TREE_PARAMS}
        )
        if _routing_enabled():
            # scikit-learn's gradient boosting always weighs its trees.
            tree.set_fit_request(sample_weight=True)
        return tree

    @property
    def max_features_(self):
        """The trees' resolved ``max_features``, as scikit-learn exposes it."""
        return self.estimators_[0, 0].max_features_


class GradientBoostingRegressor(_TreeSettings, BoostingRegressor):
    _parameter_constraints = _constraints(
        BoostingRegressor._parameter_constraints, _SkRegressor._parameter_constraints
    )

    def __init__(
        self,
        *,
        loss="squared_error",
        learning_rate=0.1,
        n_estimators=100,
        subsample=1.0,
        criterion="deprecated",
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_depth=3,
        min_impurity_decrease=0.0,
        init=None,
        random_state=None,
        max_features=None,
        alpha=0.9,
        verbose=0,
        max_leaf_nodes=None,
        warm_start=False,
        validation_fraction=0.1,
        n_iter_no_change=None,
        tol=1e-4,
        ccp_alpha=0.0,
    ):
        # Stored as given, as scikit-learn stores its parameters.
        vars(self).update(
            (name, value) for name, value in locals().items() if name != "self"
        )


class GradientBoostingClassifier(_TreeSettings, BoostingClassifier):
    _parameter_constraints = _constraints(
        BoostingClassifier._parameter_constraints, _SkClassifier._parameter_constraints
    )
    n_jobs = None  # ours fits a stage's class columns in parallel; theirs not

    def __init__(
        self,
        *,
        loss="log_loss",
        learning_rate=0.1,
        n_estimators=100,
        subsample=1.0,
        criterion="deprecated",
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_depth=3,
        min_impurity_decrease=0.0,
        init=None,
        random_state=None,
        max_features=None,
        verbose=0,
        max_leaf_nodes=None,
        warm_start=False,
        validation_fraction=0.1,
        n_iter_no_change=None,
        tol=1e-4,
        ccp_alpha=0.0,
    ):
        # Stored as given, as scikit-learn stores its parameters.
        vars(self).update(
            (name, value) for name, value in locals().items() if name != "self"
        )
