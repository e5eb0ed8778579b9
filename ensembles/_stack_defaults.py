"""The default line-up of a stack built with ``estimators=None``.

:func:`default_line_up` chooses, from the training data, the members of
two layers, the number of folds and repeats, and the final estimator: an
AutoGluon-class stack (several boosting variants, forests, k-NN, a linear
model; a second layer over their predictions; ensemble selection on top) as one
scikit-learn estimator. Every member is an ordinary scikit-learn or
LightGBM estimator, preceded where it needs it by the preprocessing of a
mixed table (:func:`_prepared`). The README's stacking section has the
table of members and why each is there.
"""

from typing import NamedTuple

import numpy as np
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from ._routing import routing_enabled
from ._selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from ._sklearn_private import _num_samples

__all__ = [
    "CategoricalDtypes",
    "LineUp",
    "default_final_estimator",
    "default_line_up",
]

# Boosting members train at this rate and stop early on each fold's held-out
# rows; the round cap only bounds a fold that never stops.
LEARNING_RATE = 0.05
MAX_ROUNDS = 2000
PATIENCE = 50
# Most rows a k-NN member is worth its prediction cost on.
KNN_MAX_ROWS = 50_000
# Below this many training rows the out-of-fold scores are noisy: the folds
# are repeated, and the top selection picks from the last layer only.
SMALL_DATA_ROWS = 1000
# HistGradientBoosting bins a categorical column into at most 255 values.
HGB_MAX_CATEGORIES = 250


class LineUp(NamedTuple):
    """A stack's default configuration for one training set.

    Attributes
    ----------
    layers : list of list of (str, estimator)
        The members, one list per layer, in order of value per second
        (the order a time budget fits them in).
    cost : dict
        Per member name, its rough relative fit time (a LightGBM member is
        1): how a time budget predicts a member's time from those already
        fitted.
    final_estimator : estimator
        Ensemble selection.
    all_layers_to_final : bool
        Whether the selection picks from every layer's out-of-fold
        predictions (from :data:`SMALL_DATA_ROWS` rows) or from the last
        layer's only.
    cv : int
        Folds per repeat.
    n_repeats : int
        Repeats of the k folds: more on small data, where the out-of-fold
        predictions are noisiest and the fits cheap.
    """

    layers: list
    cost: dict
    final_estimator: object
    all_layers_to_final: bool
    cv: int
    n_repeats: int


def default_final_estimator(classifier):
    """The default line-up's final estimator: ensemble selection."""
    if classifier:
        return EnsembleSelectionClassifier(ensemble_size=40)
    return EnsembleSelectionRegressor(ensemble_size=40)


def _is_frame(X):
    return hasattr(X, "iloc") and hasattr(X, "dtypes")


def _categorical_columns(X):
    """The columns of a data frame that are not numbers (strings,
    categories, booleans stay numbers)."""
    if not _is_frame(X):
        return []
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return [
        column
        for column, dtype in X.dtypes.items()
        if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))
    ]


class CategoricalDtypes(TransformerMixin, BaseEstimator):
    """Turn a data frame's text columns into pandas categoricals.

    LightGBM and HistGradientBoosting split on a categorical column
    natively when it has the pandas ``category`` dtype; this step gives the
    columns of strings that dtype, with the categories seen during fit (a
    category unseen then is missing). Numeric columns pass unchanged.

    Attributes
    ----------
    categories_ : dict
        Per categorical column, its categories.

    Examples
    --------
    >>> import pandas as pd
    >>> from ensembles._stack_defaults import CategoricalDtypes
    >>> X = pd.DataFrame({"colour": ["red", "blue", "red"], "size": [1.0, 2.0, 3.0]})
    >>> CategoricalDtypes().fit_transform(X).dtypes.astype(str).tolist()
    ['category', 'float64']
    """

    def fit(self, X, y=None):
        self.categories_ = {
            column: X[column].astype("category").cat.categories
            for column in _categorical_columns(X)
        }
        return self

    def transform(self, X):
        import pandas as pd

        check_is_fitted(self)
        X = X.copy()
        for column, categories in self.categories_.items():
            # A category not seen during fit is missing.
            known = X[column].where(X[column].isin(categories))
            X[column] = pd.Categorical(known, categories=categories)
        return X


class NumericCodes:
    """X as float64 for the default line-up's passthrough: columns of text
    as ordinal codes (missing and unseen values NaN), the others as numbers
    (a value that is not one, NaN).

    Fitted on the stack's validated training X (an object array for a
    mixed table) and the data frame it came from, whose dtypes say which
    columns are text; :meth:`transform` keeps the column order.
    """

    def fit(self, X, given=None):
        if _is_frame(given):
            text = set(_categorical_columns(given))
            self.text_columns_ = [
                j for j, column in enumerate(given.columns) if column in text
            ]
        else:
            self.text_columns_ = [j for j in range(X.shape[1]) if not _numbers(X[:, j])]
        self.encoder_ = None
        if self.text_columns_:
            self.encoder_ = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=np.nan,
                encoded_missing_value=np.nan,
            ).fit(_as_text(X[:, self.text_columns_]))
        return self

    def transform(self, X):
        numbers = np.ones(X.shape[1], dtype=bool)
        numbers[self.text_columns_] = False
        out = np.empty(X.shape, dtype=np.float64)
        out[:, numbers] = _as_numbers(X[:, numbers])
        if self.text_columns_:
            out[:, ~numbers] = self.encoder_.transform(
                _as_text(X[:, self.text_columns_])
            )
        return out


def _numbers(column):
    try:
        np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _as_numbers(block):
    """``block`` as float64; a value that is no number (pandas' NA, a
    string) is NaN."""
    try:
        return np.asarray(block, dtype=np.float64)
    except (TypeError, ValueError):
        import pandas as pd

        frame = pd.DataFrame(block).apply(pd.to_numeric, errors="coerce")
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)


def _as_text(block):
    """``block`` as strings, its missing values (None, NaN, pandas' NA)
    as NaN: values of one kind, as the ordinal encoder needs."""
    block = np.asarray(block, dtype=object)
    missing = np.frompyfunc(_is_missing, 1, 1)(block).astype(bool)
    text = block.astype(str).astype(object)
    text[missing] = np.nan
    return text


def _is_missing(value):
    if value is None:
        return True
    try:
        return bool(value != value) or type(value).__name__ == "NAType"
    except TypeError:  # pandas' NA refuses a truth value
        return True


def _prepared(kind, estimator, X):
    """``estimator`` preceded by what a member of ``kind`` needs of X.

    Kinds: "native" (LightGBM, HistGradientBoosting: categoricals as
    pandas categories, missing values kept), "trees" (forests: categoricals
    as ordinal codes, missing values kept), "dense" (k-NN, linear: missing
    values imputed, categoricals one-hot, every column scaled).
    """
    categorical = _categorical_columns(X)
    if kind == "native":
        return (
            make_pipeline(CategoricalDtypes(), estimator) if categorical else estimator
        )
    if kind == "trees":
        if not categorical:
            return estimator
        codes = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=np.nan,
            encoded_missing_value=np.nan,
        )
        encode = ColumnTransformer(
            [("categories", codes, categorical)], remainder="passthrough"
        )
        return make_pipeline(encode, estimator)
    # Imputed even when the training rows miss nothing: new rows may.
    numeric_steps = [SimpleImputer(strategy="median"), StandardScaler()]
    if not categorical:
        return make_pipeline(*numeric_steps, estimator)
    one_hot = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    numeric = [column for column in X.columns if column not in categorical]
    encode = ColumnTransformer(
        [("categories", one_hot, categorical)]
        + ([("numbers", make_pipeline(*numeric_steps), numeric)] if numeric else [])
    )
    return make_pipeline(encode, estimator)


def _hgb_ready(X):
    """Whether HistGradientBoosting takes every categorical column of X
    natively (at most 255 categories each)."""
    return all(
        X[column].nunique() <= HGB_MAX_CATEGORIES for column in _categorical_columns(X)
    )


def weights_for_line_up(estimator, sample_weight, metadata):
    """How a member of the default line-up gets the sample weights: as
    ``sample_weight`` itself, or, for a pipeline, as its last step's
    (``<step>__sample_weight``, or through its request when metadata
    routing is enabled). Returns ``(sample_weight, metadata)`` for the
    member's fits."""
    if not isinstance(estimator, Pipeline):
        if routing_enabled():
            estimator.set_fit_request(sample_weight=True)
        return sample_weight, metadata
    name, last = estimator.steps[-1]
    if routing_enabled():
        last.set_fit_request(sample_weight=True)
        # The preprocessing steps are fitted unweighted, as without routing.
        for step in estimator[:-1].get_params(deep=True).values():
            if hasattr(step, "set_fit_request") and has_fit_parameter(
                step, "sample_weight"
            ):
                step.set_fit_request(sample_weight=False)
        return sample_weight, metadata
    return None, {**metadata, f"{name}__sample_weight": sample_weight}


def default_line_up(X, classifier, weighted=False):
    """The default members, folds, repeats and final estimator for (X, y).

    Parameters
    ----------
    X : array-like or data frame of shape (n_samples, n_features)
        The training data, as the stack's ``fit`` got it.
    classifier : bool
        Whether the stack is a classifier.
    weighted : bool, default=False
        Whether the fit has sample weights: the k-NN members, which take
        none, are left out.

    Returns
    -------
    line_up : LineUp
        The configuration.

    Examples
    --------
    >>> import numpy as np
    >>> from ensembles._stack_defaults import default_line_up
    >>> X = np.random.RandomState(0).normal(size=(200, 3))
    >>> line_up = default_line_up(X, classifier=False)
    >>> [name for name, _ in line_up.layers[0]][:3]
    ['lightgbm', 'random_forest', 'extra_trees']
    >>> line_up.cv, line_up.n_repeats
    (8, 3)
    """
    n_samples = _num_samples(X)
    if classifier:
        lgbm, hgb = LGBMClassifier, HistGradientBoostingClassifier
        forest, extra = RandomForestClassifier, ExtraTreesClassifier
        knn = KNeighborsClassifier

        def linear():
            return LogisticRegression(C=1.0, max_iter=1000)

    else:
        lgbm, hgb = LGBMRegressor, HistGradientBoostingRegressor
        forest, extra = RandomForestRegressor, ExtraTreesRegressor
        knn = KNeighborsRegressor

        def linear():
            return RidgeCV(alphas=np.logspace(-3, 3, 13))

    boosting = dict(
        learning_rate=LEARNING_RATE,
        n_estimators=MAX_ROUNDS,
        early_stopping_round=PATIENCE,
        verbose=-1,
    )
    # Forests predict their out-of-fold rows out of bag (one fit, not k):
    # bootstrap for the extra trees too, so that they have bags.
    # One thread each: a forest's threads sum its trees' predictions in no
    # fixed order, which would make predictions differ in the last digit.
    forests = dict(n_estimators=300, bootstrap=True, min_samples_leaf=1)
    knn_neighbours = int(np.clip(np.sqrt(n_samples) / 2, 5, 30))
    # In order of value per second: a time budget fits them in this order.
    first = [
        ("lightgbm", _prepared("native", lgbm(**boosting), X), 1.0),
        ("random_forest", _prepared("trees", forest(**forests), X), 1.5),
        (
            "extra_trees",
            _prepared("trees", extra(max_features=1.0, **forests), X),
            1.0,
        ),
        ("linear", _prepared("dense", linear(), X), 0.2),
    ]
    if n_samples <= KNN_MAX_ROWS and not weighted:
        first += [
            (
                "knn_uniform",
                _prepared("dense", knn(n_neighbors=knn_neighbours), X),
                0.2,
            ),
            (
                "knn_distance",
                _prepared(
                    "dense", knn(n_neighbors=knn_neighbours, weights="distance"), X
                ),
                0.2,
            ),
        ]
    first.append(
        (
            "lightgbm_xt",
            _prepared("native", lgbm(extra_trees=True, **boosting), X),
            1.0,
        )
    )
    if not _is_frame(X) or _hgb_ready(X):
        first.append(
            (
                "hist_gb",
                _prepared(
                    "native",
                    # Its trees are slower to grow than LightGBM's: a faster
                    # rate and a shorter patience keep its cost down.
                    hgb(
                        learning_rate=0.1,
                        max_iter=MAX_ROUNDS,
                        early_stopping=True,
                        n_iter_no_change=20,
                    ),
                    X,
                ),
                3.0,
            )
        )
    first.append(
        (
            "lightgbm_large",
            _prepared(
                "native",
                lgbm(
                    num_leaves=128,
                    min_child_samples=3,
                    colsample_bytree=0.9,
                    **boosting,
                ),
                X,
            ),
            3.0,
        )
    )

    # The second layer, a few strong and different learners, sees the first
    # layer's predictions only. Given X as well, it learnt how a first-layer
    # prediction moves when its own row is left out of the fit (a linear
    # member's fold weights, a forest's or k-NN's duplicate rows), which
    # the out-of-fold rows reward and new rows do not: on caravan the
    # second layer's linear model scored out-of-fold log-loss 0.191, and
    # 0.214 on the test rows (5 outer folds, benchmarks/RESULTS.md).
    second = [
        ("lightgbm_l2", lgbm(**boosting), 1.0),
        ("extra_trees_l2", extra(max_features=1.0, **forests), 1.0),
        (
            "linear_l2",
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), linear()),
            0.2,
        ),
    ]
    layers = [[(n, e) for n, e, _ in first], [(n, e) for n, e, _ in second]]
    cost = {name: c for name, _, c in first + second}
    if n_samples < SMALL_DATA_ROWS:
        n_repeats = 3
    elif n_samples < 5000:
        n_repeats = 2
    else:
        n_repeats = 1
    final = default_final_estimator(classifier)
    # On small data each out-of-fold score the selection compares rests on
    # a few hundred rows (on log-loss, a few hard rows), and the more
    # candidates it has, the likelier one scores well by chance: there it
    # picks from the second layer, whose members have already combined the
    # first. Over 20 outer folds of the benchmark's small sets this scored
    # better on wine, iris and breast_cancer (log-loss 0.059 against 0.071,
    # 0.100 against 0.113, 0.0695 against 0.0701) and worse on diabetes
    # (RMSE 55.38 against 55.16); on caravan (5822 rows) both layers score
    # better (0.2011 against 0.2039). benchmarks/RESULTS.md has the runs.
    all_layers = n_samples >= SMALL_DATA_ROWS
    return LineUp(layers, cost, final, all_layers, cv=8, n_repeats=n_repeats)
