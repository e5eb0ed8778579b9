"""StackingRegressor and StackingClassifier."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn import ensemble as sk_ensemble
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_iris, make_classification, make_friedman1
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, RidgeCV
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    PredefinedSplit,
    RepeatedKFold,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from ensembles import (
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    StackingClassifier,
    StackingRegressor,
)
from ensembles._stack_member import FoldBaggedMember


def regressors():
    return [
        ("ridge", Ridge()),
        ("knn", KNeighborsRegressor()),
        ("tree", DecisionTreeRegressor(max_depth=4, random_state=0)),
    ]


def classifiers():
    return [
        ("logistic", LogisticRegression(max_iter=1000)),
        ("nb", GaussianNB()),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
    ]


# --------------------------------------------------------------------------
# scikit-learn's algorithm with refit=True
# --------------------------------------------------------------------------
def test_refit_reproduces_sklearn_regressor(regression_data):
    X, y = regression_data
    ours = StackingRegressor(regressors(), cv=KFold(5), refit=True).fit(X, y)
    theirs = sk_ensemble.StackingRegressor(regressors(), cv=KFold(5)).fit(X, y)
    assert_allclose(ours.predict(X), theirs.predict(X))
    assert_allclose(ours.transform(X), theirs.transform(X))


@pytest.mark.parametrize("data", ["binary_data", "multiclass_data"])
def test_refit_reproduces_sklearn_classifier(data, request):
    X, y = request.getfixturevalue(data)
    ours = StackingClassifier(classifiers(), cv=StratifiedKFold(5), refit=True)
    theirs = sk_ensemble.StackingClassifier(classifiers(), cv=StratifiedKFold(5))
    ours.fit(X, y)
    theirs.fit(X, y)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
    assert_allclose(ours.transform(X), theirs.transform(X))
    assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize(
    "tree",
    [
        DecisionTreeRegressor(min_samples_leaf=0.1, random_state=0),
        DecisionTreeRegressor(min_samples_split=0.3, random_state=0),
    ],
    ids=["min_samples_leaf", "min_samples_split"],
)
def test_refit_reproduces_sklearn_for_trees_sized_by_fractions(regression_data, tree):
    # A fraction of the rows is a fraction of the fold's rows, as in sklearn.
    X, y = regression_data
    members = [("tree", tree), ("ridge", Ridge())]
    ours = StackingRegressor(members, cv=KFold(5), refit=True)
    theirs = sk_ensemble.StackingRegressor(members, cv=KFold(5))
    oof = ours.fit_transform(X, y)
    theirs.fit(X, y)
    assert_allclose(oof[:, 0], cross_val_predict(tree, X, y, cv=KFold(5)))
    assert_allclose(ours.predict(X), theirs.predict(X))


def test_refit_reproduces_sklearn_with_balanced_trees_and_sample_weight(
    multiclass_data,
):
    X, y = multiclass_data
    y = np.where(np.arange(len(y)) < 200, y, 0)  # class 0 is the largest
    weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    members = [
        ("tree", DecisionTreeClassifier(class_weight="balanced", random_state=0)),
        ("logistic", LogisticRegression(max_iter=1000)),
    ]
    ours = StackingClassifier(members, cv=StratifiedKFold(5), refit=True)
    theirs = sk_ensemble.StackingClassifier(members, cv=StratifiedKFold(5))
    ours.fit(X, y, sample_weight=weight)
    theirs.fit(X, y, sample_weight=weight)
    assert_allclose(ours.transform(X), theirs.transform(X))
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))


def test_data_frames_reach_the_members_as_given(regression_data):
    # A member may select its columns by name, as with sklearn's stacking.
    pd = pytest.importorskip("pandas")
    X, y = regression_data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    by_name = make_pipeline(
        make_column_transformer((StandardScaler(), ["f0", "f1", "f3"])), Ridge()
    )
    members = [("by_name", by_name), ("tree", DecisionTreeRegressor(random_state=0))]
    ours = StackingRegressor(
        members, cv=KFold(5), refit=True, keep_fold_models=True, passthrough=True
    )
    theirs = sk_ensemble.StackingRegressor(members, cv=KFold(5), passthrough=True)
    ours.fit(frame, y)
    theirs.fit(frame, y)
    assert_allclose(ours.predict(frame), theirs.predict(frame))
    assert list(ours.get_feature_names_out()[2:]) == list(frame.columns)
    fold_model = ours.members_[0].estimators_[0]
    assert list(fold_model.feature_names_in_) == list(frame.columns)
    with pytest.raises(ValueError, match="feature names"):
        ours.predict(frame[frame.columns[::-1]])


# --------------------------------------------------------------------------
# Fold models, repeats, out-of-fold features
# --------------------------------------------------------------------------
def test_members_keep_fold_models_and_average_them(regression_data):
    X, y = regression_data
    stack = StackingRegressor(
        regressors(), cv=4, n_repeats=2, refit=False, random_state=0
    )
    stack.fit(X, y)
    layer = stack.estimators_  # one layer: a flat list, as scikit-learn's
    assert [member.name for member in layer] == ["ridge", "knn", "tree"]
    for member in layer:
        assert len(member.estimators_) == 8
        assert member.refit_estimator_ is None
        fold_mean = np.mean([m.predict(X) for m in member.estimators_], axis=0)
        assert_allclose(member.predict(X), fold_mean)
    columns = np.column_stack([member.predict(X) for member in layer])
    assert_allclose(stack.transform(X), columns)
    assert stack.named_estimators_["knn"] is layer[1]


def test_out_of_fold_features_average_over_repeats(regression_data):
    X, y = regression_data
    splitter = RepeatedKFold(n_splits=3, n_repeats=2, random_state=1)
    stack = StackingRegressor([("ols", LinearRegression())], cv=splitter)
    features = stack.fit_transform(X, y)
    expected = np.zeros(len(y))
    for train, test in splitter.split(X):
        expected[test] += LinearRegression().fit(X[train], y[train]).predict(X[test])
    assert_allclose(features[:, 0], expected / 2)
    # The final estimator learnt from exactly these features.
    final = RidgeCV().fit(features, y)
    assert_allclose(stack.final_estimator_.coef_, final.coef_)
    # Out-of-fold, unlike the fold-averaged predictions transform returns.
    assert not np.allclose(features, stack.transform(X))
    assert stack.oof_scores_["ols"] == pytest.approx(
        1 - np.sum((y - features[:, 0]) ** 2) / np.sum((y - y.mean()) ** 2)
    )


class RowCounter(RegressorMixin, BaseEstimator):
    """A final estimator that remembers how many rows it was fitted on."""

    def fit(self, X, y):
        self.n_rows_ = X.shape[0]
        self.model_ = LinearRegression().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_holdout_blending(regression_data):
    X, y = regression_data
    stack = StackingRegressor(
        regressors(),
        final_estimator=RowCounter(),
        cv=0.25,
        keep_fold_models=True,
        random_state=0,
    ).fit(X, y)
    assert stack.final_estimator_.n_rows_ == 75
    for member in stack.members_:
        assert len(member.estimators_) == 1
        assert member.estimators_[0].n_features_in_ == X.shape[1]
    assert stack.fit_transform(X, y).shape == (300, 3)
    # Two blended layers: each holds out a quarter of the rows it is given.
    deep = StackingRegressor(
        [regressors(), [("ols", LinearRegression())]],
        final_estimator=RowCounter(),
        cv=0.25,
        random_state=0,
    ).fit(X, y)
    assert deep.final_estimator_.n_rows_ == 19


def test_passthrough_and_two_layers(regression_data):
    X, y = regression_data
    stack = StackingRegressor(
        [regressors(), [("ols", LinearRegression()), ("knn2", KNeighborsRegressor())]],
        passthrough=True,
        random_state=0,
    ).fit(X, y)
    layer2 = stack.estimators_[1]
    assert layer2[0].n_features_in_ == 3 + X.shape[1]
    features = stack.transform(X)
    assert features.shape == (300, 2 + X.shape[1])
    assert_allclose(features[:, 2:], X)
    names = stack.get_feature_names_out()
    assert list(names[:2]) == ["stackingregressor_ols", "stackingregressor_knn2"]
    assert list(names[2:]) == [f"x{i}" for i in range(X.shape[1])]
    assert set(stack.oof_scores_) == {"ridge", "knn", "tree", "ols", "knn2"}


def test_verbose_draws_one_complete_bar_per_layer(regression_data, progress_bars):
    # The stack takes exactly the fits it expects: the bars must still end
    # complete and closed (they used to stop at "9/10 done").
    X, y = regression_data
    StackingRegressor(
        [regressors(), [("ols", LinearRegression())]], cv=KFold(3), verbose=1
    ).fit(X, y)
    assert [(bar.desc, bar.unit) for bar in progress_bars] == [
        ("StackingRegressor: layer 1", "fit"),
        ("StackingRegressor: layer 2", "fit"),
    ]
    assert all(bar.closed and bar.n == bar.total for bar in progress_bars)


def test_two_layer_stack_beats_members_on_held_out_data():
    X, y = make_friedman1(n_samples=1200, noise=1.0, random_state=0)
    X_test, y_test = make_friedman1(n_samples=2000, noise=1.0, random_state=1)
    members = [
        ("tree", DecisionTreeRegressor(max_depth=6, random_state=0)),
        ("knn", make_pipeline(StandardScaler(), KNeighborsRegressor())),
        ("ridge", RidgeCV()),
    ]
    stack = StackingRegressor(
        [members, [("gb", sk_ensemble.GradientBoostingRegressor(n_estimators=50))]],
        passthrough=True,
        random_state=0,
    ).fit(X, y)
    best_member = max(clone(est).fit(X, y).score(X_test, y_test) for _, est in members)
    assert stack.score(X_test, y_test) > best_member


# --------------------------------------------------------------------------
# Classification specifics
# --------------------------------------------------------------------------
def test_stack_methods(binary_data, multiclass_data):
    X, y = binary_data
    members = [("svc", LinearSVC()), ("nb", GaussianNB())]
    stack = StackingClassifier(members, random_state=0).fit(X, y)
    assert stack.stack_method_ == ["decision_function", "predict_proba"]
    # Binary: one column per member (the redundant probability is dropped).
    assert stack.transform(X).shape == (300, 2)
    X, y = multiclass_data
    stack = StackingClassifier(members, random_state=0).fit(X, y)
    assert stack.transform(X).shape == (300, 6)
    predicted = StackingClassifier(members, stack_method="predict", random_state=0)
    assert predicted.fit(X, y).transform(X).shape == (300, 2)
    with pytest.raises(ValueError, match="'svc'.*does not implement the method pred"):
        StackingClassifier(members, stack_method="predict_proba").fit(X, y)


def test_members_without_probabilities_vote(multiclass_data):
    # Class indices are never averaged: fold models and repeats vote.
    X, y = multiclass_data
    members = [("svc", LinearSVC()), ("nb", GaussianNB())]
    stack = StackingClassifier(
        members,
        cv=3,
        n_repeats=3,
        stack_method="predict",
        refit=False,
        random_state=0,
    )
    oof = stack.fit_transform(X, y)
    assert set(np.unique(oof)) <= {0.0, 1.0, 2.0}
    svc = stack.named_estimators_["svc"]
    votes = np.stack([model.predict(X) for model in svc.estimators_])
    counts = np.stack([(votes == c).sum(axis=0) for c in range(3)])
    assert_array_equal(svc.predict(X), np.argmax(counts, axis=0))
    assert_array_equal(stack.transform(X)[:, 0], np.argmax(counts, axis=0))
    assert stack.oof_scores_["svc"] == pytest.approx(np.mean(oof[:, 0] == y))
    # With refit, a member predicts with its refit model, as sklearn's does.
    refit = StackingClassifier(
        members, cv=StratifiedKFold(5), stack_method="predict", refit=True
    ).fit(X, y)
    theirs = sk_ensemble.StackingClassifier(
        members, cv=StratifiedKFold(5), stack_method="predict"
    ).fit(X, y)
    svc = refit.members_[0]
    assert refit.named_estimators_["svc"] is svc.refit_estimator_
    assert_array_equal(svc.predict(X), svc.refit_estimator_.predict(X))
    assert_allclose(refit.transform(X), theirs.transform(X))
    assert_array_equal(refit.predict(X), theirs.predict(X))


def test_regressor_members_of_a_classifier_stack_keep_their_numbers(binary_data):
    X, y = binary_data
    members = [("ridge", Ridge()), ("logistic", LogisticRegression())]
    ours = StackingClassifier(members, cv=StratifiedKFold(5), refit=True).fit(X, y)
    theirs = sk_ensemble.StackingClassifier(members, cv=StratifiedKFold(5))
    theirs.fit(X, y)
    assert_allclose(ours.transform(X), theirs.transform(X))
    assert_array_equal(ours.predict(X), theirs.predict(X))
    oof = StackingClassifier(members, random_state=0).fit_transform(X, y)
    assert len(np.unique(oof[:, 0])) > 100  # out-of-fold ridge outputs


def test_feature_names_follow_the_member_outputs():
    X, y = make_classification(
        n_samples=200, n_features=6, n_informative=4, n_classes=4, random_state=0
    )
    ovo = SVC(decision_function_shape="ovo")  # 4 classes: 6 columns
    stack = StackingClassifier(
        [("ovo", ovo), ("nb", GaussianNB())],
        stack_method="decision_function",
        passthrough=True,
        random_state=0,
    )
    with pytest.raises(ValueError, match="does not implement the method decision"):
        stack.fit(X, y)
    stack.set_params(stack_method="auto").fit(X, y)
    assert stack.stack_method_ == ["decision_function", "predict_proba"]
    names = stack.get_feature_names_out()
    assert names.shape == (6 + 4 + 6,)
    assert list(names[:2]) == ["stackingclassifier_ovo0", "stackingclassifier_ovo1"]
    assert names.shape[0] == stack.transform(X).shape[1]
    given = [f"pixel{i}" for i in range(6)]
    assert list(stack.get_feature_names_out(given)[10:]) == given
    with pytest.raises(ValueError, match="input_features should have length"):
        stack.get_feature_names_out(["a", "b"])


class LabelRecorder(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; remembers the rows it was fitted on."""

    def fit(self, X, y):
        self.rows_ = X[:, 0].astype(int)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def test_int_cv_is_shuffled_stratified_and_seeded(multiclass_data):
    _, y = multiclass_data
    X = np.arange(len(y), dtype=float)[:, None]  # each row's number

    def recorder_stack(random_state):
        return StackingClassifier(
            [("rec", LabelRecorder())],
            cv=5,
            keep_fold_models=True,
            random_state=random_state,
        )

    stack = recorder_stack(0)
    oof = stack.fit_transform(X, y)
    assert stack.stack_method_ == ["predict"]  # no proba, no decision
    folds = stack.members_[0].estimators_
    held_out = [np.setdiff1d(np.arange(len(y)), fold.rows_) for fold in folds]
    assert_array_equal(np.sort(np.concatenate(held_out)), np.arange(len(y)))
    for rows in held_out:
        assert_allclose(np.bincount(y[rows]), np.bincount(y) / 5, atol=1)
    same, other = recorder_stack(0), recorder_stack(1)
    assert_array_equal(same.fit_transform(X, y), oof)
    other.fit(X, y)
    other_rows = other.members_[0].estimators_[0].rows_
    assert not np.array_equal(other_rows, folds[0].rows_)


def test_classifier_holdout_blending_is_stratified(multiclass_data):
    _, y = multiclass_data
    X = np.arange(len(y), dtype=float)[:, None]
    stack = StackingClassifier(
        [("rec", LabelRecorder())], cv=0.2, keep_fold_models=True, random_state=0
    )
    stack.fit(X, y)
    (fold,) = stack.members_[0].estimators_
    held_out = np.setdiff1d(np.arange(len(y)), fold.rows_)
    assert len(held_out) == 60
    assert_allclose(np.bincount(y[held_out]), np.bincount(y) / 5, atol=1)


def test_default_final_estimators_and_final_methods(regression_data, binary_data):
    X, y = regression_data
    assert isinstance(
        StackingRegressor(regressors()).fit(X, y).final_estimator_, RidgeCV
    )
    X, y = binary_data
    stack = StackingClassifier(classifiers()).fit(X, y)
    assert isinstance(stack.final_estimator_, LogisticRegression)
    assert stack.final_estimator_ is not stack.final_estimator
    svc = StackingClassifier(classifiers(), final_estimator=LinearSVC()).fit(X, y)
    assert not hasattr(svc, "predict_proba")
    assert_array_equal(svc.decision_function(X) > 0, svc.predict(X) == 1)


def test_string_labels_and_probabilities(multiclass_data):
    X, y = multiclass_data
    labels = np.array(["ant", "bee", "cat"])[y]
    stack = StackingClassifier(classifiers(), random_state=0).fit(X, labels)
    assert_array_equal(stack.classes_, ["ant", "bee", "cat"])
    proba = stack.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(stack.predict(X), stack.classes_[np.argmax(proba, axis=1)])
    assert stack.score(X, labels) > 0.8
    assert hasattr(stack, "decision_function")
    selected = StackingClassifier(
        classifiers(), final_estimator=EnsembleSelectionClassifier()
    ).fit(X, labels)
    assert not hasattr(selected, "decision_function")


def test_cv_larger_than_smallest_class(multiclass_data):
    X, y = multiclass_data
    y = y.copy()
    y[:3] = 3  # a class of three samples
    with pytest.raises(ValueError, match="cv=5 stratified folds.*class 3 has only 3"):
        StackingClassifier(classifiers()).fit(X, y)


# --------------------------------------------------------------------------
# Parameters: names, drop, nested parameters
# --------------------------------------------------------------------------
def test_every_member_parameter_is_reachable(regression_data):
    X, y = regression_data
    stack = StackingRegressor(
        [regressors(), [("top", KNeighborsRegressor())]], random_state=0
    )
    params = stack.get_params()
    assert params["top__n_neighbors"] == 5
    assert params["tree__max_depth"] == 4
    stack.set_params(top__n_neighbors=3, tree__max_depth=2)
    assert stack.estimators[1][0][1].n_neighbors == 3
    stack.set_params(knn="drop").fit(X, y)
    assert [m.name for m in stack.members_[0]] == ["ridge", "tree"]
    assert stack.named_estimators_["knn"] == "drop"
    assert stack.estimators_[0][1].get_depth() <= 2
    search = GridSearchCV(
        StackingRegressor(
            [regressors(), [("top", KNeighborsRegressor())]], random_state=0
        ),
        {"top__n_neighbors": [1, 15], "ridge__alpha": [1.0, 10.0]},
        cv=3,
    ).fit(X, y)
    assert search.best_params_["top__n_neighbors"] == 15


@pytest.mark.parametrize(
    "estimators, match",
    [
        ([("a", Ridge()), ("a", Ridge())], "unique"),
        ([[("a", Ridge())], [("a", Ridge())]], "unique"),
        ([("a__b", Ridge())], "without '__'"),
        ([("cv", Ridge())], "clashes"),
        ([[("a", Ridge())], [("b", "drop")]], "layer 2 is 'drop'"),
        ([("a", "not an estimator")], "must be an estimator"),
        ([], "Invalid 'estimators' attribute"),
    ],
)
def test_invalid_member_lists(regression_data, estimators, match):
    X, y = regression_data
    stack = StackingRegressor(estimators)
    assert "cv" in stack.get_params()  # not an error before fit
    with pytest.raises(ValueError, match=match):
        stack.fit(X, y)


def test_members_as_lists_as_a_configuration_file_gives_them(regression_data):
    # [name, estimator] lists, as scikit-learn's stacking takes them.
    X, y = regression_data
    as_tuples = StackingRegressor(
        [("ridge", Ridge()), ("knn", KNeighborsRegressor())], random_state=0
    )
    as_lists = StackingRegressor(
        [["ridge", Ridge()], ["knn", KNeighborsRegressor()]], random_state=0
    )
    assert as_lists.get_params()["knn__n_neighbors"] == 5
    as_lists.set_params(knn__n_neighbors=3)
    as_tuples.set_params(knn__n_neighbors=3)
    assert_array_equal(as_lists.fit(X, y).predict(X), as_tuples.fit(X, y).predict(X))
    layers = StackingRegressor([[["ridge", Ridge()]], [["knn", KNeighborsRegressor()]]])
    layers.set_params(ridge=Ridge(alpha=2.0)).fit(X, y)
    assert [[m.name for m in layer] for layer in layers.members_] == [
        ["ridge"],
        ["knn"],
    ]
    assert layers.estimators_[0][0].alpha == 2.0
    assert layers.stack_method_ == [["predict"], ["predict"]]
    malformed = StackingRegressor([("ridge", Ridge(), "extra")])
    assert "cv" in malformed.get_params()
    with pytest.raises(ValueError, match="every member must be a"):
        malformed.fit(X, y)


# --------------------------------------------------------------------------
# Errors, determinism, integration
# --------------------------------------------------------------------------
class FailsOnSmallData(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        if len(X) < 250:
            raise ValueError("too few rows")
        return self

    def predict(self, X):
        return np.zeros(len(X))


class FailsOnWideData(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        if X.shape[1] > 5:
            raise ValueError("too many columns")
        return self

    def predict(self, X):
        return np.zeros(len(X))


def test_failing_member_is_named_with_its_fold(regression_data):
    X, y = regression_data
    stack = StackingRegressor([("ridge", Ridge()), ("fragile", FailsOnSmallData())])
    with pytest.raises(ValueError, match=r"Member 'fragile' \(layer 1\), fold 1 of 5"):
        stack.fit(X, y)
    stack.set_params(cv=3, n_repeats=2)
    with pytest.raises(
        ValueError, match=r"'fragile' \(layer 1\), fold 1 of 3, repeat 1"
    ):
        stack.fit(X, y)
    upper = StackingRegressor(
        [[("ridge", Ridge())], [("wide", FailsOnWideData())]], passthrough=True
    )
    with pytest.raises(ValueError, match=r"'wide' \(layer 2\), fold 1 of 5.*columns"):
        upper.fit(X, y)
    assert not hasattr(upper, "estimators_")


# Same results for any n_jobs and backend, untouched inputs:
# test_shared_behaviour.py, over the stacks of the registry (tests/_registry.py).
def test_set_output_pandas(regression_data):
    pd = pytest.importorskip("pandas")
    X, y = regression_data
    stack = StackingRegressor(regressors(), random_state=0).set_output(
        transform="pandas"
    )
    features = stack.fit_transform(X, y)
    assert isinstance(features, pd.DataFrame)
    assert list(features.columns) == list(stack.get_feature_names_out())
    assert isinstance(stack.transform(X), pd.DataFrame)
    assert stack.predict(X).shape == (300,)


def test_in_a_cross_validated_pipeline(regression_data):
    # Clone and pickle: test_shared_behaviour.test_clone_and_pickle
    X, y = regression_data
    pipe = make_pipeline(StandardScaler(), StackingRegressor(regressors(), cv=3))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.6


def test_parameters_are_validated_unless_the_config_skips_it(regression_data):
    X, y = regression_data
    stack = StackingRegressor([("ridge", Ridge())], n_repeats=0)
    with pytest.raises(InvalidParameterError, match="n_repeats"):
        stack.fit(X, y)
    assert not hasattr(stack, "estimators_")
    # scikit-learn's switch for trusted parameters is honoured: the
    # constraint is not checked (n_repeats=0 then fits as one repeat).
    with config_context(skip_parameter_validation=True):
        assert stack.fit(X, y).predict(X).shape == (300,)


def test_bad_input(regression_data):
    X, y = regression_data
    stack = StackingRegressor(regressors())
    with pytest.raises(NotFittedError):
        stack.predict(X)
    with pytest.raises(ValueError, match="n_repeats applies to k-fold"):
        StackingRegressor(regressors(), cv=0.3, n_repeats=2).fit(X, y)
    with pytest.raises(ValueError, match="n_repeats > 1 needs an int cv"):
        StackingRegressor(regressors(), cv=KFold(3), n_repeats=2).fit(X, y)
    stack.fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features"):
        stack.predict(X[:, :4])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        stack.fit(X_nan, y)


def test_ensemble_selection_as_final_layer(regression_data):
    X, y = regression_data
    stack = StackingRegressor(
        regressors(), final_estimator=EnsembleSelectionRegressor(), random_state=0
    ).fit(X, y)
    weights = stack.final_estimator_.weights_
    assert weights.sum() == pytest.approx(1.0)
    # The best out-of-fold member carries the largest weight.
    best = max(stack.oof_scores_, key=stack.oof_scores_.get)
    assert ["ridge", "knn", "tree"][int(np.argmax(weights))] == best
    X, y = load_iris(return_X_y=True)
    clf = StackingClassifier(
        classifiers(), final_estimator=EnsembleSelectionClassifier(), random_state=0
    ).fit(X, y)
    assert clf.final_estimator_.weights_.shape == (3,)
    assert clf.score(X, y) > 0.9


def test_ensemble_selection_on_top_of_skip_connections(multiclass_data):
    # AutoGluon's design: X reaches layer 2, the greedy selection on top
    # weighs the predictions of layer 2 only.
    X, y = multiclass_data
    layer2 = [("logistic2", LogisticRegression(max_iter=1000)), ("nb2", GaussianNB())]
    stack = StackingClassifier(
        [classifiers(), layer2],
        final_estimator=EnsembleSelectionClassifier(ensemble_size=20),
        passthrough=True,
        random_state=0,
    )
    features = stack.fit_transform(X, y)
    assert features.shape == (300, 6)  # two members x three classes
    assert stack.estimators_[1][0].n_features_in_ == 9 + 8
    assert stack.final_estimator_.weights_.shape == (2,)
    names = stack.get_feature_names_out()
    assert list(names) == [
        f"stackingclassifier_{m}{c}" for m in ("logistic2", "nb2") for c in range(3)
    ]
    expected = stack.final_estimator_.predict_proba(stack.transform(X))
    assert_allclose(stack.predict_proba(X), expected)
    regression = StackingRegressor(
        regressors(), final_estimator=EnsembleSelectionRegressor(), passthrough=True
    ).fit(*make_friedman1(n_samples=200, random_state=0))
    assert regression.final_estimator_.weights_.shape == (3,)


def test_ensemble_selection_inside_a_search_sees_predictions_only(regression_data):
    X, y = regression_data
    search = GridSearchCV(
        EnsembleSelectionRegressor(), {"ensemble_size": [5, 20]}, cv=3
    )
    stack = StackingRegressor(
        regressors(), final_estimator=search, passthrough=True, random_state=0
    ).fit(X, y)
    assert stack.final_estimator_.best_estimator_.weights_.shape == (3,)
    assert len(stack.get_feature_names_out()) == 3
    in_pipeline = StackingRegressor(
        regressors(),
        final_estimator=make_pipeline(EnsembleSelectionRegressor()),
        passthrough=True,
    ).fit(X, y)
    assert in_pipeline.final_estimator_[-1].weights_.shape == (3,)
    X_clf, y_clf = load_iris(return_X_y=True)
    search = GridSearchCV(EnsembleSelectionClassifier(), {"ensemble_size": [5]}, cv=3)
    clf = StackingClassifier(
        classifiers(), final_estimator=search, passthrough=True, random_state=0
    ).fit(X_clf, y_clf)  # raw features in [0, 1]-checked columns would fail
    assert clf.transform(X_clf).shape == (150, 9)  # three members x three classes


def test_final_estimator_is_seeded_by_random_state(regression_data):
    X, y = regression_data
    params = dict(final_estimator=RandomForestRegressor(n_estimators=3), cv=3)
    first, second = (
        StackingRegressor([("ridge", Ridge())], random_state=0, **params).fit(X, y)
        for _ in range(2)
    )
    assert_array_equal(first.predict(X), second.predict(X))
    other = StackingRegressor([("ridge", Ridge())], random_state=1, **params)
    assert not np.array_equal(other.fit(X, y).predict(X), first.predict(X))
    # A seed the user set is kept.
    params["final_estimator"] = RandomForestRegressor(n_estimators=3, random_state=7)
    kept = StackingRegressor([("ridge", Ridge())], random_state=0, **params).fit(X, y)
    assert kept.final_estimator_.random_state == 7


@pytest.mark.parametrize(
    "cv, match",
    [
        ([], "no splits"),
        ([(np.arange(150), np.array([], dtype=int))], "no training rows or no test"),
        (PredefinedSplit(np.zeros(300)), "no training rows or no test"),
        ([(np.arange(200), np.arange(200, 400))], "beyond those X has 300"),
    ],
)
def test_unusable_splits_are_clear_errors(regression_data, cv, match):
    X, y = regression_data
    with pytest.raises(ValueError, match=match):
        StackingRegressor([("ridge", Ridge())], cv=cv).fit(X, y)


def test_passthrough_needs_numeric_features(regression_data):
    pd = pytest.importorskip("pandas")
    X, y = regression_data
    frame = pd.DataFrame({"x": X[:, 0], "colour": np.where(X[:, 1] > 0.5, "a", "b")})
    encode = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
        Ridge(),
    )
    stack = StackingRegressor([("enc", encode)], passthrough=True)
    with pytest.raises(ValueError, match="so X must be numeric"):
        stack.fit(frame, y)
    assert not hasattr(stack, "estimators_")
    # Without passthrough the members see the frame as given.
    assert stack.set_params(passthrough=False).fit(frame, y).predict(frame).shape == (
        300,
    )


def test_fitted_members_are_well_formed_estimators(regression_data):
    X, y = regression_data
    stack = StackingRegressor(regressors(), random_state=0).fit(X, y)
    member = stack.members_[0]
    assert "FoldBaggedMember" in repr(member)
    assert member.get_params()["name"] == "ridge"
    assert isinstance(member.get_params()["estimator"], Ridge)
    assert not hasattr(clone(member), "estimators_")


# --------------------------------------------------------------------------
# Members and splits that scikit-learn users bring
# --------------------------------------------------------------------------
def test_decision_function_member_on_a_fold_without_a_class():
    # Sorted iris and unshuffled folds: every training fold misses a class.
    X, y = load_iris(return_X_y=True)
    stack = StackingClassifier(
        [("svc", LinearSVC()), ("nb", GaussianNB())], cv=KFold(3)
    )
    with pytest.raises(ValueError, match=r"Member 'svc'.*fold 1 of 3.*2 of the 3"):
        stack.fit(X, y)
    # With folds that hold every class it works, one column per class.
    stack.set_params(cv=StratifiedKFold(3)).fit(X, y)
    assert stack.transform(X).shape == (150, 3 + 3)


def test_predict_proba_is_offered_before_fit_for_any_final_estimator():
    from sklearn.ensemble import RandomForestClassifier

    X, y = load_iris(return_X_y=True)
    inner = StackingClassifier(
        [("nb", GaussianNB())], final_estimator=RandomForestClassifier(random_state=0)
    )
    assert hasattr(inner, "predict_proba")
    outer = StackingClassifier([("inner", inner), ("tree", DecisionTreeClassifier())])
    assert outer.fit(X, y).stack_method_ == ["predict_proba", "predict_proba"]


def test_cv_as_an_iterable_of_splits_serves_every_layer(regression_data):
    X, y = regression_data
    layers = [[("ridge", Ridge())], [("knn", KNeighborsRegressor())]]
    from_generator = StackingRegressor(layers, cv=KFold(3).split(X)).fit(X, y)
    from_splitter = StackingRegressor(layers, cv=KFold(3)).fit(X, y)
    assert_allclose(from_generator.predict(X), from_splitter.predict(X))
    # Fixed splits that leave rows out of every test fold cannot split the
    # fewer rows the next layer learns from.
    splits = [
        (np.arange(100, 300), np.arange(100)),
        (np.arange(200), np.arange(200, 300)),
    ]
    with pytest.raises(ValueError, match="layer 2 name rows beyond .* held out"):
        StackingRegressor(layers, cv=splits).fit(X, y)


def test_oof_score_of_a_one_vs_one_svc(multiclass_data):
    X, y = multiclass_data
    members = [
        ("ovo", SVC(decision_function_shape="ovo")),
        ("ovr", SVC()),
        (
            "ovo_scaled",
            make_pipeline(StandardScaler(), SVC(decision_function_shape="ovo")),
        ),
    ]
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    stack = StackingClassifier(members, cv=cv, stack_method="decision_function")
    stack.fit(X, y)
    for name, member in members:
        # One fold model per row: the out-of-fold accuracy of predict.
        expected = np.mean(cross_val_predict(member, X, y, cv=cv) == y)
        assert stack.oof_scores_[name] == pytest.approx(expected)


class DuckClassifier(BaseEstimator):
    """A classifier by its methods only, without ClassifierMixin."""

    def fit(self, X, y):
        self.model_ = LogisticRegression(max_iter=1000).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_member_without_classifier_mixin(multiclass_data):
    X, y = multiclass_data
    cv = StratifiedKFold(5)
    duck = StackingClassifier([("duck", DuckClassifier())], cv=cv, refit=True)
    logistic = StackingClassifier(
        [("duck", LogisticRegression(max_iter=1000))], cv=cv, refit=True
    )
    assert_allclose(duck.fit(X, y).transform(X), logistic.fit(X, y).transform(X))
    assert duck.oof_scores_ == logistic.oof_scores_


def test_blending_holdout_must_hold_every_class(binary_data):
    X, y = binary_data
    y = y.copy()
    y[:3] = 2  # a rare third class
    stack = StackingClassifier(
        [("logistic", LogisticRegression()), ("nb", GaussianNB())],
        cv=0.1,
        random_state=0,
    )
    with pytest.raises(ValueError, match="layer 1 holds out .* miss class 2"):
        stack.fit(X, y)
    # String labels held as objects (a pandas column) are named too.
    names = np.array(["no", "yes", "rare"], dtype=object)[y]
    with pytest.raises(ValueError, match="miss class 'rare'"):
        stack.fit(X, names)
    stack.set_params(cv=0.5).fit(X, y)
    assert stack.predict_proba(X).shape == (300, 3)


# --------------------------------------------------------------------------
# scikit-learn's fitted layout, reproducible default (issue 16, item 2)
# --------------------------------------------------------------------------
def test_fitted_layout_of_one_layer_with_and_without_refit(regression_data):
    X, y = regression_data
    members = [("ridge", Ridge()), ("gone", "drop"), ("tree", regressors()[2][1])]
    refit = StackingRegressor(members, cv=3, refit=True, keep_fold_models=True)
    refit.fit(X, y)
    # Flat lists, the refit estimators themselves, as scikit-learn's.
    assert [type(est) for est in refit.estimators_] == [
        Ridge,
        DecisionTreeRegressor,
    ]
    assert_allclose(refit.estimators_[0].coef_, Ridge().fit(X, y).coef_)
    assert refit.stack_method_ == ["predict", "predict"]
    assert list(refit.named_estimators_) == ["ridge", "gone", "tree"]
    assert refit.named_estimators_.gone == "drop"
    assert refit.named_estimators_.ridge is refit.estimators_[0]
    # The fold models are kept alongside, in members_, on request.
    assert refit.members_[0].refit_estimator_ is refit.estimators_[0]
    assert len(refit.members_[0].estimators_) == 3
    folds = StackingRegressor(members, cv=3, refit=False).fit(X, y)
    assert all(isinstance(est, FoldBaggedMember) for est in folds.estimators_)
    assert folds.estimators_ == folds.members_
    assert len(folds.estimators_[1].estimators_) == 3
    assert folds.named_estimators_.tree is folds.estimators_[1]


def test_fitted_layout_of_several_layers(regression_data):
    X, y = regression_data
    stack = StackingRegressor(
        [regressors(), [("ols", LinearRegression())]], cv=3, refit=True
    ).fit(X, y)
    assert [len(layer) for layer in stack.estimators_] == [3, 1]
    assert isinstance(stack.estimators_[1][0], LinearRegression)
    assert stack.stack_method_ == [["predict"] * 3, ["predict"]]
    assert stack.named_estimators_.ols is stack.estimators_[1][0]
    assert [len(layer) for layer in stack.members_] == [3, 1]


@pytest.mark.parametrize("Stack", [StackingRegressor, StackingClassifier])
def test_default_cv_gives_the_same_predictions_on_every_fit(Stack, binary_data):
    X, y = binary_data
    members = [("knn", KNeighborsRegressor()), ("ridge", Ridge())]
    if Stack is StackingClassifier:
        members = [("nb", GaussianNB()), ("logistic", LogisticRegression())]
    first = Stack(members).fit(X, y)
    second = Stack(members).fit(X, y)
    assert_array_equal(first.transform(X), second.transform(X))
    assert_array_equal(first.fit_transform(X, y), second.fit_transform(X, y))
    # scikit-learn's unshuffled (Stratified)KFold: its out-of-fold features.
    classifier = Stack is StackingClassifier
    cv = StratifiedKFold(5) if classifier else KFold(5)
    method = "predict_proba" if classifier else "predict"
    for (_, member), column in zip(members, first.fit_transform(X, y).T):
        expected = cross_val_predict(member, X, y, cv=cv, method=method)
        assert_allclose(column, expected[:, 1] if classifier else expected)


# --------------------------------------------------------------------------
# Metadata routing (issue 16, item 1)
# --------------------------------------------------------------------------
class GroupsRecorder(RegressorMixin, BaseEstimator):
    """Records the metadata of every fit on the class (clones share it)."""

    calls = []

    def fit(self, X, y, sample_weight=None, groups=None):
        type(self).calls.append((len(X), sample_weight, groups))
        self.mean_ = np.mean(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_routing_sends_metadata_to_those_that_request_it(regression_data):
    X, y = regression_data
    groups = np.arange(len(y)) % 7
    weight = np.linspace(0.5, 2.0, len(y))
    GroupsRecorder.calls = []
    with config_context(enable_metadata_routing=True):
        member = GroupsRecorder().set_fit_request(groups=True, sample_weight=False)
        final = LinearRegression().set_fit_request(sample_weight=True)
        stack = StackingRegressor(
            [("rec", member), ("ridge", Ridge().set_fit_request(sample_weight=True))],
            final_estimator=final,
            cv=3,
            refit=False,
        )
        stack.fit(X, y, sample_weight=weight, groups=groups)
        routing = stack.get_metadata_routing()
        assert routing.consumes("fit", {"groups", "sample_weight"}) == {
            "groups",
            "sample_weight",
        }
    # Three fold fits, each with the groups of its own rows, no weights.
    assert [(n, sw) for n, sw, _ in GroupsRecorder.calls] == [(200, None)] * 3
    folds = list(KFold(3).split(X))
    for (train, _), (_, _, got) in zip(folds, GroupsRecorder.calls):
        assert_array_equal(got, groups[train])


def test_routing_weights_reach_the_final_estimator(regression_data):
    X, y = regression_data
    weight = np.linspace(0.1, 3.0, len(y))
    with config_context(enable_metadata_routing=True):
        weighted = StackingRegressor(
            [("ridge", Ridge().set_fit_request(sample_weight=False))],
            final_estimator=LinearRegression().set_fit_request(sample_weight=True),
            cv=3,
        )
        features = weighted.fit_transform(X, y, sample_weight=weight)
        unset = StackingRegressor(
            [("ridge", Ridge().set_fit_request(sample_weight=True))],
            final_estimator=LinearRegression(),
            cv=3,
        )
        unset_features = unset.fit_transform(X, y, sample_weight=weight)
    expected = LinearRegression().fit(features, y, sample_weight=weight)
    assert_allclose(weighted.final_estimator_.coef_, expected.coef_)
    # An unset request of the final estimator: not sent, and no error.
    unweighted = LinearRegression().fit(unset_features, y)
    assert_allclose(unset.final_estimator_.coef_, unweighted.coef_)


def test_routing_refused(regression_data):
    X, y = regression_data
    groups = np.arange(len(y)) % 7
    # Routing disabled: sample_weight passes, other metadata is sklearn's error.
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        StackingRegressor([("ridge", Ridge())]).fit(X, y, groups=groups)
    with config_context(enable_metadata_routing=True):
        # A member that leaves its request unset: scikit-learn's error.
        with pytest.raises(ValueError, match="not explicitly set as requested"):
            StackingRegressor([("ridge", Ridge())]).fit(
                X, y, sample_weight=np.ones(len(y))
            )
        # Metadata nobody requests.
        with pytest.raises(TypeError, match="groups"):
            StackingRegressor([("ridge", Ridge())]).fit(X, y, groups=groups)


def test_predict_params_reach_the_final_estimator(regression_data):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.linear_model import BayesianRidge

    X, y = regression_data
    for final in (BayesianRidge(), GaussianProcessRegressor()):
        stack = StackingRegressor([("ridge", Ridge())], final, cv=3).fit(X, y)
        mean, std = stack.predict(X[:10], return_std=True)
        expected = stack.final_estimator_.predict(
            stack.transform(X[:10]), return_std=True
        )
        assert_allclose(mean, expected[0])
        assert_allclose(std, expected[1])
        assert_allclose(mean, stack.predict(X[:10]))
    with config_context(enable_metadata_routing=True):
        stack = StackingRegressor(
            [("ridge", Ridge())], BayesianRidge().set_predict_request(return_std=True)
        ).fit(X, y)
        assert len(stack.predict(X[:5], return_std=True)) == 2


# --------------------------------------------------------------------------
# Prefit, frozen members, multilabel, errors (issue 16, item 3)
# --------------------------------------------------------------------------
def test_prefit_members_are_used_as_given(regression_data):
    X, y = regression_data
    ridge = Ridge().fit(X[:150], y[:150])
    tree = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X[:150], y[:150])
    coef = ridge.coef_.copy()
    stack = StackingRegressor(
        [("ridge", ridge), ("tree", tree)], cv="prefit", refit=True
    ).fit(X[150:], y[150:])
    assert stack.estimators_[0] is ridge and stack.estimators_[1] is tree
    assert_array_equal(ridge.coef_, coef)  # not fitted again
    features = np.column_stack([ridge.predict(X[150:]), tree.predict(X[150:])])
    expected = RidgeCV().fit(features, y[150:])
    assert_allclose(stack.final_estimator_.coef_, expected.coef_)
    assert_allclose(
        stack.transform(X), np.column_stack([ridge.predict(X), tree.predict(X)])
    )
    with pytest.raises(NotFittedError):
        StackingRegressor([("ridge", Ridge())], cv="prefit").fit(X, y)


def test_frozen_members_with_any_cv(multiclass_data):
    from sklearn.frozen import FrozenEstimator

    X, y = multiclass_data
    labels = np.array(["a", "b", "c"])[y]
    fitted = LogisticRegression(max_iter=1000).fit(X[:100], labels[:100])
    stack = StackingClassifier(
        [("frozen", FrozenEstimator(fitted)), ("nb", GaussianNB())],
        cv=3,
        keep_fold_models=True,
    ).fit(X, labels)
    assert stack.estimators_[0].estimator is fitted
    assert len(stack.members_[1].estimators_) == 3
    # Its probabilities, columns by the stack's classes, on every row.
    assert_allclose(stack.transform(X)[:, :3], fitted.predict_proba(X))
    prefit = StackingClassifier(
        [("frozen", FrozenEstimator(fitted))], cv="prefit", stack_method="predict"
    ).fit(X, labels)
    codes = np.searchsorted(prefit.classes_, fitted.predict(X))
    assert_array_equal(prefit.transform(X)[:, 0], codes)


def test_multilabel_classifier():
    from sklearn.datasets import make_multilabel_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import RidgeClassifier
    from sklearn.neighbors import KNeighborsClassifier

    X, y = make_multilabel_classification(n_samples=200, n_classes=3, random_state=0)
    members = [
        ("forest", RandomForestClassifier(n_estimators=10, random_state=0)),
        ("ridge", RidgeClassifier()),
    ]
    stack = StackingClassifier(members, KNeighborsClassifier(), cv=3, refit=False).fit(
        X, y
    )
    assert stack.stack_method_ == ["predict_proba", "decision_function"]
    assert len(stack.classes_) == 3
    features = stack.transform(X)
    assert features.shape == (200, 6)
    # The forest's columns: each label's probability, over its fold models.
    forest = stack.members_[0]
    expected = np.mean(
        [[p[:, 1] for p in m.predict_proba(X)] for m in forest.estimators_], axis=0
    ).T
    assert_allclose(features[:, :3], expected)
    assert stack.predict(X).shape == (200, 3)
    proba = stack.predict_proba(X)
    assert proba.shape == (200, 3)
    final_proba = stack.final_estimator_.predict_proba(features)
    assert_allclose(proba, np.column_stack([p[:, 1] for p in final_proba]))
    assert set(stack.oof_scores_) == {"forest", "ridge"}


def test_errors_of_scikit_learns_type(regression_data):
    X, y = regression_data

    class NoWeight(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    weight = np.ones(len(y))
    with pytest.raises(TypeError, match="does not support sample weights"):
        StackingRegressor([("ridge", Ridge()), ("no", NoWeight())]).fit(
            X, y, sample_weight=weight
        )
    with pytest.raises(TypeError, match="NoWeight.*does not support sample weights"):
        StackingRegressor([("ridge", Ridge())], NoWeight()).fit(
            X, y, sample_weight=weight
        )
    assert StackingRegressor([("no", NoWeight())]).fit(X, y).predict(X).shape == (300,)
    with pytest.raises(ValueError, match="Invalid 'estimators' attribute"):
        StackingRegressor([]).fit(X, y)
    X_clf, y_clf = load_iris(return_X_y=True)
    stack = StackingClassifier(
        [("nb", GaussianNB())], final_estimator=DecisionTreeClassifier()
    ).fit(X_clf, y_clf)
    with pytest.raises(
        AttributeError, match="has no attribute 'decision_function'"
    ) as info:
        stack.decision_function(X_clf)
    assert isinstance(info.value.__cause__, AttributeError)
    assert "DecisionTreeClassifier" in str(info.value.__cause__)


def test_routing_weights_reach_a_pipeline_member_and_the_default_final(
    binary_data,
):
    X, y = binary_data
    weights = np.where(np.arange(len(y)) % 3 == 0, 5.0, 1.0)
    with config_context(enable_metadata_routing=True):
        # A Pipeline names no sample_weight in fit, but routes it to the steps
        # that request it.
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            LogisticRegression().set_fit_request(sample_weight=True),
        )
        routed = StackingClassifier([("pipe", pipe)], cv=3).fit(
            X, y, sample_weight=weights
        )
        # The default final estimator, which the user cannot reach, takes
        # the weights as without routing.
        members = [
            ("logistic", LogisticRegression().set_fit_request(sample_weight=True))
        ]
        with_routing = StackingClassifier(members, cv=3).fit(
            X, y, sample_weight=weights
        )
    unweighted = StackingClassifier([("pipe", clone(pipe))], cv=3).fit(X, y)
    assert not np.allclose(routed.predict_proba(X), unweighted.predict_proba(X)), (
        "the weights did not reach the pipeline's logistic regression"
    )
    without_routing = StackingClassifier([("logistic", LogisticRegression())], cv=3)
    without_routing.fit(X, y, sample_weight=weights)
    assert_allclose(
        with_routing.final_estimator_.coef_, without_routing.final_estimator_.coef_
    )


def test_prefit_member_with_a_class_y_lacks_is_a_clear_error():
    X, y = load_iris(return_X_y=True)
    member = LogisticRegression(max_iter=500).fit(X, y)
    two_classes = y < 2
    stack = StackingClassifier([("logistic", member)], cv="prefit")
    with pytest.raises(ValueError, match=r"classes \[2\] that y does not have"):
        stack.fit(X[two_classes], y[two_classes])


# --------------------------------------------------------------------------
# Fold models kept only when they predict (issue 18, item 5)
# --------------------------------------------------------------------------
def _fold_model_counts(stack):
    layers = stack._member_layers()
    return [[len(member.estimators_) for member in layer] for layer in layers]


def _everything_computed(stack, X, y):
    """What a fitted stack computes, with its out-of-fold features."""
    result = {
        "fit_transform": stack.fit_transform(X, y),
        "transform": stack.transform(X),
        "predict": stack.predict(X),
        "names": stack.get_feature_names_out(),
    }
    if hasattr(stack, "predict_proba"):
        result["predict_proba"] = stack.predict_proba(X)
    return result, dict(stack.oof_scores_)


@pytest.mark.parametrize("layers", [1, 2])
def test_a_refit_stack_keeps_only_its_refit_models_by_default(layers, regression_data):
    X, y = regression_data
    members = regressors() if layers == 1 else [regressors(), [("ols", Ridge())]]
    default = StackingRegressor(members, cv=3, n_repeats=2, random_state=0)
    default.fit(X, y)
    assert _fold_model_counts(default) == [[0] * 3, [0]][:layers]
    for layer in default._member_layers():
        for member in layer:
            assert member.estimators_ == []
            assert member.refit_estimator_ is not None
    kept = clone(default).set_params(keep_fold_models=True).fit(X, y)
    assert _fold_model_counts(kept) == [[6] * 3, [6]][:layers]
    dropped = clone(default).set_params(keep_fold_models=False).fit(X, y)
    assert _fold_model_counts(dropped) == _fold_model_counts(default)


@pytest.mark.parametrize("keep_fold_models", ["auto", True, False])
@pytest.mark.parametrize("Stack", [StackingRegressor, StackingClassifier])
def test_keep_fold_models_changes_no_output(
    Stack, keep_fold_models, regression_data, multiclass_data
):
    # The out-of-fold features and scores are computed during fit, before
    # the fold models are dropped; the refit models predict.
    is_regressor = Stack is StackingRegressor
    X, y = regression_data if is_regressor else multiclass_data
    members = regressors() if is_regressor else classifiers()
    layers = [members, [("top", Ridge() if is_regressor else GaussianNB())]]
    params = dict(cv=3, passthrough=True, random_state=0)
    kept = Stack(layers, keep_fold_models=True, **params)
    stack = Stack(layers, keep_fold_models=keep_fold_models, **params)
    outputs, scores = _everything_computed(stack, X, y)
    kept_outputs, kept_scores = _everything_computed(kept, X, y)
    assert scores == kept_scores
    for name, value in kept_outputs.items():
        assert_array_equal(outputs[name], value, err_msg=name)


def test_refit_false_keeps_the_fold_models_that_predict(regression_data):
    X, y = regression_data
    auto = StackingRegressor(regressors(), cv=3, n_repeats=2, refit=False).fit(X, y)
    assert _fold_model_counts(auto) == [[6, 6, 6]]
    kept = StackingRegressor(regressors(), cv=3, refit=False, keep_fold_models=True)
    assert _fold_model_counts(kept.fit(X, y)) == [[3, 3, 3]]


def test_dropping_the_fold_models_that_predict_is_an_error(regression_data):
    X, y = regression_data
    stack = StackingRegressor(regressors(), refit=False, keep_fold_models=False)
    with pytest.raises(ValueError, match="keep_fold_models=False drops the fold"):
        stack.fit(X, y)
    assert not hasattr(stack, "estimators_")
    with pytest.raises(InvalidParameterError, match="keep_fold_models"):
        StackingRegressor(regressors(), keep_fold_models="always").fit(X, y)


def test_prefit_and_frozen_members_keep_their_model(multiclass_data):
    from sklearn.frozen import FrozenEstimator

    X, y = multiclass_data
    fitted = LogisticRegression(max_iter=1000).fit(X[:100], y[:100])
    # A prefit member is what predicts: it is kept whatever keep_fold_models.
    prefit = StackingClassifier(
        [("logistic", fitted)], cv="prefit", keep_fold_models=False
    ).fit(X, y)
    assert prefit.members_[0].estimators_ == [fitted]
    assert prefit.estimators_[0] is fitted
    frozen = FrozenEstimator(fitted)
    stack = StackingClassifier([("frozen", frozen), ("nb", GaussianNB())], cv=3)
    stack.fit(X, y)
    assert stack.members_[0].estimators_ == [frozen]
    assert stack.members_[1].estimators_ == []
    assert_allclose(stack.transform(X)[:, :3], fitted.predict_proba(X))


def test_a_refit_knn_stack_pickles_to_one_copy_of_the_rows():
    # Every k-NN fold model holds a copy of its training rows: kept, they
    # multiply the stack's size by about cv; dropped, the refit k-NN's rows
    # are all that is left (scikit-learn's stack holds the same).
    import pickle

    X, y = make_friedman1(n_samples=2000, n_features=50, random_state=0)
    members = [("knn", KNeighborsRegressor()), ("ridge", Ridge())]
    default = StackingRegressor(members, cv=5).fit(X, y)
    kept = StackingRegressor(members, cv=5, keep_fold_models=True).fit(X, y)
    data = X.nbytes + y.nbytes
    assert len(pickle.dumps(default)) < 1.2 * data
    assert len(pickle.dumps(kept)) > 4.5 * data
    theirs = sk_ensemble.StackingRegressor(members, cv=KFold(5)).fit(X, y)
    assert len(pickle.dumps(default)) < 1.05 * len(pickle.dumps(theirs))
    # A pickled stack predicts as it did.
    assert_array_equal(
        pickle.loads(pickle.dumps(default)).predict(X), default.predict(X)
    )


class InputRecorder(RegressorMixin, BaseEstimator):
    """Predicts zeros; remembers the X it was fitted on."""

    def fit(self, X, y):
        self.X_ = X
        return self

    def predict(self, X):
        return np.zeros(len(X))


def test_the_refit_on_every_row_gets_x_itself(regression_data):
    # As scikit-learn's stack fits it: no copy of the rows for the refit.
    X, y = regression_data
    stack = StackingRegressor(
        [[("rec", InputRecorder())], [("top", InputRecorder())]], cv=3
    ).fit(X, y)
    assert stack.estimators_[0][0].X_ is X
    assert stack.estimators_[1][0].X_.shape == (len(y), 1)
    # With blending, the second layer is refitted on the rows held out.
    blend = StackingRegressor(
        [[("rec", InputRecorder())], [("top", InputRecorder())]], cv=0.25
    ).fit(X, y)
    assert blend.estimators_[0][0].X_ is X
    assert blend.estimators_[1][0].X_.shape == (75, 1)
