"""The main job on a user's own table.

Reading a CSV or Parquet file (through pandas, an optional dependency),
telling the task from the target, the held-out split, the one
preprocessing every estimator of the line-up is wrapped in, a line-up of
the user's own from a file or a module, and the public
:func:`decompose_table` that puts them together. The command line
(``python -m ensembles --data FILE --target COLUMN``) runs the same steps.
"""

import importlib
import importlib.util
import math
import os
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import check_random_state

from ._experiment import Experiment, line_up
from ._members import draw_seeds
from .bias_variance import compare_bias_variance

__all__ = ["decompose_table"]

#: A numeric target of whole numbers with at most this many distinct values
#: is taken for class labels (classification); more, for a quantity.
MAX_CLASS_LABELS = 10
#: The most columns one categorical feature is one-hot encoded into: the
#: rarest categories beyond these share one column, so that an identifier or
#: free-text column does not blow the table up.
MAX_CATEGORIES = 20
#: File endings read as a table, and how (a CSV may be compressed).
TABLE_FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".csv.bz2": "csv",
    ".csv.zip": "csv",
    ".csv.xz": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
TASKS = ("regression", "classification")
# Learners whose predictions do not change when a feature is rescaled:
# trees and the ensembles made of them split on the order of the values.
_SCALE_FREE_MODULES = ("sklearn.tree", "sklearn.ensemble", "lightgbm", "xgboost")
# Parameters that make an estimator a meta-estimator even when None (its
# default member is then its own, a tree for every ensemble here).
_MEMBER_PARAMETERS = ("estimator", "estimators", "base_estimator")


@dataclass
class TableExperiment(Experiment):
    """An experiment on a user's table: the split, and what it was made of."""

    target: str = ""
    task: str = "regression"
    task_reason: str = ""
    numeric_features: tuple = ()
    categorical_features: tuple = ()
    n_rows_without_target: int = 0


def _pandas():
    try:
        import pandas
    except ImportError as error:
        raise ImportError(
            "a table needs pandas: pip install pandas (or 'scikit-ensembles[data]')"
        ) from error
    return pandas


# --------------------------------------------------------------------------
# Reading the table
# --------------------------------------------------------------------------
def table_format(path):
    """The format of the file ``path`` by its ending ("csv", "tsv" or
    "parquet"); ValueError for another ending."""
    lowered = os.fspath(path).lower()
    for ending, kind in TABLE_FORMATS.items():
        if lowered.endswith(ending):
            return kind
    raise ValueError(
        f"cannot tell the format of {os.fspath(path)!r}: give a file ending in "
        f"{', '.join(TABLE_FORMATS)}"
    )


def read_table(path):
    """The table in the CSV or Parquet file ``path``, as a DataFrame.

    Every failure is one line: ImportError without pandas (or without a
    Parquet engine), FileNotFoundError, ValueError for a file that is not
    a table or holds no rows.
    """
    pd = _pandas()
    kind = table_format(path)
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a folder, not a table")
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, sep="\t" if kind == "tsv" else ",")
    except ImportError as error:
        # pandas reads Parquet through pyarrow or fastparquet, neither of
        # which it depends on; its own message runs over several lines.
        raise ImportError(
            f"reading the Parquet file {path!r} needs pyarrow: pip install pyarrow"
        ) from error
    except pd.errors.EmptyDataError as error:
        raise ValueError(f"{path!r} is empty") from error
    except (OSError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error) else ""
        raise ValueError(
            f"cannot read {path!r} as {kind.upper()}: "
            f"{type(error).__name__}: {first_line}"
        ) from error
    if len(frame) == 0:
        raise ValueError(f"{path!r} holds no rows")
    return frame


# --------------------------------------------------------------------------
# The task, the features and the split
# --------------------------------------------------------------------------
def infer_task(y):
    """The task the target ``y`` (a pandas Series, no missing values) asks
    for, and why.

    Classification for a non-numeric target (text, categories, booleans)
    and for whole numbers with at most :data:`MAX_CLASS_LABELS` distinct
    values; regression otherwise.
    """
    pd = _pandas()
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return "classification", "the target is not numeric"
    values = y.to_numpy(dtype=np.float64)
    n_distinct = y.nunique()
    if not np.all(values == np.round(values)):
        return "regression", "the target holds fractional numbers"
    if n_distinct <= MAX_CLASS_LABELS:
        return "classification", f"the target holds {n_distinct} whole numbers"
    return "regression", (
        f"the target holds {n_distinct} distinct whole numbers, more than "
        f"{MAX_CLASS_LABELS}"
    )


def _clean_features(X):
    """The feature columns in two kinds the preprocessing knows: float
    numbers (pandas' nullable integers and their NA become floats and NaN)
    and text (categories, booleans, mixed objects become strings, their
    missing values NaN, as the imputer and the encoder expect). Columns
    with no value at all are left out: they say nothing."""
    pd = _pandas()
    X = X.loc[:, X.notna().any()]
    columns = {}
    numeric, categorical = [], []
    for name in X.columns:
        column = X[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(
            column
        ):
            columns[str(name)] = column.astype(np.float64)
            numeric.append(str(name))
        else:
            text = column.astype(object).map(str, na_action="ignore")
            columns[str(name)] = text.where(column.notna(), np.nan).astype(object)
            categorical.append(str(name))
    return pd.DataFrame(columns, index=X.index), numeric, categorical


def _check_split_size(n_rows, test_size, y, target, task):
    """Refuse a table too small for the split (or, for classification, a
    target with one class or a class too rare to stratify on)."""
    n_test = math.ceil(test_size * n_rows)
    n_train = n_rows - n_test
    if task == "classification":
        labels, counts = np.unique(y.astype(str), return_counts=True)
        if len(labels) < 2:
            raise ValueError(
                f"the target {target!r} has one class only ({labels[0]!r}): "
                "nothing to classify; choose another target column"
            )
        rare = labels[counts < 2]
        if len(rare):
            raise ValueError(
                f"the class {rare[0]!r} of the target {target!r} has only one row: the "
                "stratified split needs at least 2 rows of each class; drop "
                "it or add rows"
            )
        least = len(labels)
        what = f"one row of each of the {least} classes"
    else:
        least = 2
        what = "2 rows"
    if min(n_train, n_test) < least:
        raise ValueError(
            f"{n_rows} rows with a target are too few for a split with "
            f"test_size={test_size}: the training and the test part each "
            f"need at least {what}"
        )


def table_experiment(
    data, target, *, task="auto", test_size=0.3, random_state=0, name=None
):
    """Split a user's table into the training and the test part.

    Parameters
    ----------
    data : DataFrame or path
        The table (a CSV or Parquet file is read with :func:`read_table`).
    target : str
        The column to predict; the other columns are the features. Rows
        without a target value are left out.
    task : {"auto", "regression", "classification"}, default="auto"
        "auto": told from the target by :func:`infer_task`.
    test_size : float, default=0.3
        Share of the rows held out as the test part, in (0, 1).
    random_state : int, default=0
        Seed of the split (stratified on the target for classification).
    name : str, default=None
        What the table is called in the output: the file's name, or "table".

    Returns
    -------
    experiment : TableExperiment
    """
    pd = _pandas()
    if task not in ("auto", *TASKS):
        raise ValueError(f"task must be 'auto' or one of {TASKS}; got {task!r}")
    if (
        not isinstance(test_size, Real)
        or isinstance(test_size, bool)
        or not 0 < test_size < 1
    ):
        raise ValueError(f"test_size must be a share in (0, 1); got {test_size!r}")
    if isinstance(data, pd.DataFrame):
        frame, name = data, name or "table"
    elif isinstance(data, (str, os.PathLike)):
        frame, name = read_table(data), name or os.path.basename(os.fspath(data))
    else:
        raise ValueError(
            f"data must be a pandas DataFrame or the path of a CSV or Parquet "
            f"file; got {type(data).__name__}"
        )
    if len(frame) == 0 or len(frame.columns) == 0:
        raise ValueError(f"{name} is empty")
    columns = [str(column) for column in frame.columns]
    if target not in frame.columns:
        raise ValueError(
            f"no column {target!r} in {name}; its columns: {', '.join(columns)}"
        )
    has_target = frame[target].notna()
    frame = frame.loc[has_target]
    if len(frame) == 0:
        raise ValueError(f"the target column {target!r} holds no value")
    y = frame[target]
    X, numeric, categorical = _clean_features(frame.drop(columns=[target]))
    if X.shape[1] == 0:
        raise ValueError(
            f"{name} has no feature column besides the target {target!r} "
            "(or only empty ones)"
        )
    if task == "auto":
        task, reason = infer_task(y)
    else:
        reason = "as asked"
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            raise ValueError(
                f"the target {target!r} is not numeric ({y.dtype}): it cannot "
                "be regressed; use task 'classification'"
            )
        y = y.astype(np.float64)
    _check_split_size(len(frame), test_size, y, target, task)
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y.to_numpy(),
        test_size=test_size,
        stratify=y.to_numpy() if task == "classification" else None,
        random_state=random_state,
    )
    return TableExperiment(
        name,
        X_train,
        y_train,
        X_test,
        y_test,
        "zero_one" if task == "classification" else "squared_error",
        target=target,
        task=task,
        task_reason=reason,
        numeric_features=tuple(numeric),
        categorical_features=tuple(categorical),
        n_rows_without_target=int((~has_target).sum()),
    )


# --------------------------------------------------------------------------
# Preprocessing and the line-up
# --------------------------------------------------------------------------
def preprocessing(scale):
    """The one preprocessing of a table's features: numbers imputed with
    their median (and standardised when ``scale``), the other columns
    imputed with their most frequent value and one-hot encoded."""
    numbers = [SimpleImputer(strategy="median")]
    if scale:
        numbers.append(StandardScaler())
    categories = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        # A category the training part of a round never saw is all zeros.
        OneHotEncoder(
            handle_unknown="ignore",
            max_categories=MAX_CATEGORIES,
            sparse_output=False,
        ),
    )
    return ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(*numbers),
                make_column_selector(dtype_include="number"),
            ),
            ("categories", categories, make_column_selector(dtype_exclude="number")),
        ],
        # Dense output: every member accepts it, sparse not all.
        sparse_threshold=0,
    )


def _members(estimator):
    """The estimators ``estimator`` hands the features to, or None for a
    learner of its own (not a meta-estimator)."""
    params = estimator.get_params(deep=False)
    members, meta = [], False
    for key, value in params.items():
        if key == "final_estimator" and params.get("passthrough") is not True:
            continue  # it sees the members' predictions, not the features
        found = _estimators_in(value)
        meta = meta or bool(found) or key in _MEMBER_PARAMETERS
        members.extend(found)
    return members if meta else None


def _estimators_in(value):
    if hasattr(value, "fit") and hasattr(value, "get_params"):
        return [value]
    if isinstance(value, (list, tuple)):
        return [found for item in value for found in _estimators_in(item)]
    return []


def needs_scaling(estimator):
    """Whether rescaling the numeric features may change ``estimator``'s
    predictions: True unless it is a tree, a tree ensemble or LightGBM, or
    a meta-estimator all of whose members are (an ensemble whose member is
    left to its default, a tree)."""
    members = _members(estimator)
    if members is None:
        return not type(estimator).__module__.startswith(_SCALE_FREE_MODULES)
    return any(needs_scaling(member) for member in members)


def check_line_up(estimators, task, source="estimators"):
    """``estimators`` checked: a non-empty dict of name -> estimator, each a
    classifier for classification and a regressor for regression (where it
    says which it is)."""
    if not isinstance(estimators, dict) or not estimators:
        raise ValueError(
            f"{source} must be a non-empty dict of name -> estimator; got "
            f"{type(estimators).__name__}"
        )
    for name, estimator in estimators.items():
        if not isinstance(name, str):
            raise ValueError(f"{source}: the name {name!r} is not a string")
        kind = type(estimator)
        if not (
            hasattr(kind, "fit")
            and hasattr(kind, "predict")
            and hasattr(estimator, "get_params")
        ):
            raise ValueError(
                f"{source}[{name!r}] is not an estimator (fit, predict and "
                f"get_params): {kind.__name__}"
            )
        wrong = is_regressor if task == "classification" else is_classifier
        if wrong(estimator):
            other = "regressor" if task == "classification" else "classifier"
            raise ValueError(
                f"{source}[{name!r}] is a {other} ({kind.__name__}) but the "
                f"task is {task}"
            )
    return estimators


def load_estimators(spec):
    """The line-up ``spec`` names: ``path/to/file.py`` (its ``ESTIMATORS``),
    ``path/to/file.py:NAME`` or ``package.module:NAME`` (an importable
    module's ``NAME``; ``ESTIMATORS`` without ``:NAME``)."""
    location, attribute = spec, "ESTIMATORS"
    head, colon, tail = spec.rpartition(":")
    if colon and tail.isidentifier():
        location, attribute = head, tail
    try:
        if location.endswith(".py") or os.sep in location or "/" in location:
            if not os.path.isfile(location):
                raise FileNotFoundError(f"--estimators: no such file: {location!r}")
            module_spec = importlib.util.spec_from_file_location(
                "_ensembles_user_estimators", location
            )
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(location)
    except FileNotFoundError:
        raise
    except Exception as error:  # the user's code may raise anything
        message = str(error).strip().splitlines()
        raise ValueError(
            f"--estimators: cannot load {location!r}: {type(error).__name__}"
            + (f": {message[0]}" if message else "")
        ) from error
    if not hasattr(module, attribute):
        raise ValueError(f"--estimators: {location!r} defines no {attribute}")
    return getattr(module, attribute)


def decompose_experiment(
    experiment, estimators, *, n_rounds, random_state, n_jobs, verbose
):
    """The bias/variance table of ``estimators`` on a :class:`TableExperiment`,
    each estimator behind the one preprocessing (scaling the numbers when
    any estimator needs it)."""
    scale = any(needs_scaling(estimator) for estimator in estimators.values())
    shared = preprocessing(scale)
    pipelines = {
        name: make_pipeline(clone(shared), estimator)
        for name, estimator in estimators.items()
    }
    return compare_bias_variance(
        pipelines,
        experiment.X_train,
        experiment.y_train,
        experiment.X_test,
        experiment.y_test,
        loss=experiment.loss,
        n_rounds=n_rounds,
        sampling=experiment.sampling,
        random_state=random_state,
        n_jobs=n_jobs,
        verbose=verbose,
    )


def decompose_table(
    data,
    target,
    *,
    task="auto",
    estimators=None,
    test_size=0.3,
    n_rounds=50,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Decompose a line-up of estimators on your own table: the main job.

    The table is split into a training part and a held-out test part
    (stratified on the target for classification); every round fits each
    estimator on a bootstrap sample of the training part. Each estimator
    is fitted behind one shared preprocessing: numeric columns get missing
    values replaced by the column's median (and are standardised when an
    estimator of the line-up is not a tree, a tree ensemble or LightGBM),
    the other columns (text, categories, booleans) get missing values
    replaced by the most frequent one and are one-hot encoded (at most 20
    columns each; a category unseen in a round's training set is all
    zeros). The loss is the squared error for regression and the 0-1
    loss for classification, as on the built-in data sets.

    Parameters
    ----------
    data : pandas DataFrame, str or path-like
        The table, or the path of a CSV (``.csv``, compressed ``.csv.gz``
        and the like, tab-separated ``.tsv``) or Parquet (``.parquet``,
        ``.pq``; needs pyarrow) file. Needs pandas.
    target : str
        The column to predict; every other column is a feature. Rows with
        no target value are left out.
    task : {"auto", "regression", "classification"}, default="auto"
        "auto": classification when the target is not numeric, or holds
        whole numbers with at most 10 distinct values; regression
        otherwise.
    estimators : dict, default=None
        Name -> estimator (classifiers for classification, regressors for
        regression), each cloned for every round. None: the main job's
        line-up (a deep tree, bagged trees, a stump, boosted stumps, a
        stack of them and LightGBM).
    test_size : float, default=0.3
        Share of the rows held out as the test set, in (0, 1).
    n_rounds : int, default=50
        Bootstrap training sets per estimator, at least 2.
    random_state : int, RandomState instance or None, default=None
        Controls the split and the training sets of the rounds.
    n_jobs : int, default=None
        Rounds fitted at once. Results do not depend on it.
    verbose : int, default=0
        0: silent. 1: a progress bar per estimator on stderr, labelled with
        its name, when stderr is a terminal (or in a notebook), nothing
        otherwise. 2 or more: the bars wherever stderr goes.

    Returns
    -------
    table : BiasVarianceTable
        One row per estimator, named as in ``estimators``.

    Raises
    ------
    ValueError
        For a table the experiment cannot run on: no such target column
        (the message lists the columns), a one-class target, too few rows
        for the split, an unreadable file, estimators of the wrong kind.
    ImportError
        Without pandas, or without pyarrow for a Parquet file.

    See Also
    --------
    compare_bias_variance : The same on arrays already split and prepared.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import BaggingClassifier, decompose_table
    >>> wine = load_wine(as_frame=True).frame
    >>> wine["hue"] = np.where(wine["hue"] > 1, "light", "deep")  # text
    >>> table = decompose_table(
    ...     wine, "target",
    ...     estimators={"tree": DecisionTreeClassifier(),
    ...                 "bagging": BaggingClassifier(n_estimators=10)},
    ...     n_rounds=5, random_state=0)
    >>> list(table), table["tree"].loss
    (['tree', 'bagging'], 'zero_one')
    >>> table["bagging"].variance < table["tree"].variance
    True
    """
    # One seed for the split and the rounds: an int stays as given, so that
    # a seed gives the same split as on the command line.
    if not isinstance(random_state, Integral):
        random_state = int(draw_seeds(check_random_state(random_state), 1)[0])
    experiment = table_experiment(
        data, target, task=task, test_size=test_size, random_state=random_state
    )
    if estimators is None:
        estimators = line_up(experiment.classification)
    check_line_up(estimators, experiment.task)
    return decompose_experiment(
        experiment,
        estimators,
        n_rounds=n_rounds,
        random_state=random_state,
        n_jobs=n_jobs,
        verbose=verbose,
    )
