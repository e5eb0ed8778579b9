"""The main job on a user's own table: python -m ensembles --data FILE
--target COLUMN, and ensembles.decompose_table."""

import json
import sys

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    StackingRegressor,
    bias_variance_decomposition,
    decompose_table,
)
from ensembles.__main__ import main
from ensembles._experiment import line_up
from ensembles._own_data import infer_task, needs_scaling

pd = pytest.importorskip("pandas")

FAST = ["--rounds", "3", "--n-jobs", "1", "--quiet"]
NAMES = ["deep tree", "bagged trees", "stump", "boosted stumps", "stack", "lightgbm"]
SMALL_LINE_UP = """
from sklearn.tree import {tree}
from ensembles import {bagging}

ESTIMATORS = {{
    "tree": {tree}(max_depth=3),
    "bagged trees": {bagging}({tree}(max_depth=3), n_estimators=5),
}}
"""


def _wine():
    """Wine with a text target, a text column and missing values."""
    wine = load_wine(as_frame=True).frame
    wine["colour"] = np.where(wine["hue"] > 1, "light", "deep")
    wine.loc[[3, 40], "alcohol"] = np.nan
    wine.loc[7, "colour"] = np.nan
    names = {0: "barolo", 1: "grignolino", 2: "barbera"}
    return wine.assign(target=wine["target"].map(names)).rename(
        columns={"target": "cultivar"}
    )


def _diabetes():
    """Diabetes with its sex column as text and a missing value."""
    diabetes = load_diabetes(as_frame=True).frame
    diabetes["sex"] = np.where(diabetes["sex"] > 0, "m", "f")
    diabetes.loc[5, "bmi"] = np.nan
    return diabetes


@pytest.fixture
def wine_csv(tmp_path):
    path = tmp_path / "wine.csv"
    _wine().to_csv(path, index=False)
    return path


@pytest.fixture
def line_up_file(tmp_path):
    path = tmp_path / "my_line_up.py"
    path.write_text(
        SMALL_LINE_UP.format(tree="DecisionTreeClassifier", bagging="BaggingClassifier")
    )
    return path


def _fails(argv, capsys):
    """The error line of ``main(argv)``, which must exit with status 2,
    one line on stderr and nothing on stdout."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("ensembles: error: ")
    return lines[0]


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------
def test_csv_with_text_target_and_missing_values(wine_csv, capsys):
    argv = ["--data", str(wine_csv), "--target", "cultivar", *FAST]
    assert main(argv) == 0
    out = capsys.readouterr().out
    # 178 rows, 30 % held out (rounded up), stratified on the three cultivars.
    assert out.startswith(
        "wine.csv: 124 training rows, 54 test rows, zero_one loss, 3 rounds "
        "(bootstrap samples of the training part)\n"
        "target 'cultivar': classification (the target is not numeric); "
        "features: 13 numeric, 1 categorical (one-hot)\n"
    )
    for name in NAMES:
        assert f"\n{name} " in out
    # The built-in line-up's verdicts, and its ensembles' members read
    # through the preprocessing.
    assert "bagging (bagged trees vs deep tree): variance" in out
    assert "  diversity effect" in out


def test_parquet_regression_with_own_line_up(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    path = tmp_path / "diabetes.parquet"
    _diabetes().to_parquet(path)
    line_up_path = tmp_path / "regressors.py"
    line_up_path.write_text(
        SMALL_LINE_UP.format(tree="DecisionTreeRegressor", bagging="BaggingRegressor")
    )
    argv = ["--data", str(path), "--target", "target", *FAST, "--format", "json"]
    assert main([*argv, "--estimators", str(line_up_path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["dataset"] == "diabetes.parquet"
    rows = document["rows"]
    assert [row["name"] for row in rows] == ["tree", "bagged trees"]
    assert {row["loss"] for row in rows} == {"squared_error"}
    assert rows[1]["variance"] < rows[0]["variance"]
    assert rows[1]["diversity"] > 0


def test_own_line_up_from_a_file_and_the_task_forced(wine_csv, line_up_file, capsys):
    argv = ["--data", str(wine_csv), "--target", "cultivar", *FAST]
    assert main([*argv, "--estimators", str(line_up_file)]) == 0
    out = capsys.readouterr().out
    table = out.split("\n\n")[1].splitlines()
    assert [line.split("  ")[0] for line in table[1:]] == ["tree", "bagged trees"]
    # No row of the built-in names a verdict pairs: no verdict.
    assert "bagging (" not in out


def test_own_line_up_from_a_module(wine_csv, tmp_path, monkeypatch, capsys):
    package = tmp_path / "my_models"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "line_ups.py").write_text(
        SMALL_LINE_UP.format(
            tree="DecisionTreeClassifier", bagging="BaggingClassifier"
        ).replace("ESTIMATORS", "SMALL")
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    argv = ["--data", str(wine_csv), "--target", "cultivar", *FAST, "--format", "csv"]
    assert main([*argv, "--estimators", "my_models.line_ups:SMALL"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["tree", "bagged trees"]
    assert {line.split(",")[-1] for line in lines[1:]} == {"wine.csv"}


def test_whole_number_target_is_classification_unless_told(tmp_path, capsys):
    wine = _wine().assign(cultivar=load_wine().target)  # 0, 1, 2
    path = tmp_path / "wine.csv"
    wine.to_csv(path, index=False)
    argv = ["--data", str(path), "--target", "cultivar", *FAST]
    assert main(argv) == 0
    assert "classification (the target holds 3 whole numbers)" in (
        capsys.readouterr().out
    )
    assert main([*argv, "--task", "regression", "--test-size", "0.5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wine.csv: 89 training rows, 89 test rows, squared_error")
    assert "regression (as asked)" in out


@pytest.mark.parametrize(
    "make_argv, message",
    [
        (
            lambda p: ["--data", str(p / "nope.csv"), "--target", "y"],
            "--data: no such file:",
        ),
        (lambda p: ["--data", str(p), "--target", "y"], "cannot tell the format"),
        (
            lambda p: ["--data", _write(p / "folder.csv", None), "--target", "y"],
            "is a folder",
        ),
        (
            lambda p: [
                "--data",
                _write(p / "bad.csv", "a,b\n1,2\n1,2,3,4\n"),
                "--target",
                "a",
            ],
            "cannot read",
        ),
        (
            lambda p: ["--data", _write(p / "empty.csv", ""), "--target", "a"],
            "is empty",
        ),
        (
            lambda p: ["--data", _write(p / "header.csv", "a,b\n"), "--target", "a"],
            "holds no rows",
        ),
        (
            lambda p: ["--data", _wine_file(p), "--target", "price"],
            "no column 'price' in wine.csv; its columns: alcohol, malic_acid,",
        ),
        (
            lambda p: [
                "--data",
                _write(p / "one.csv", "a,b\n1,x\n2,x\n3,x\n"),
                "--target",
                "b",
            ],
            "the target 'b' has one class only ('x')",
        ),
        (
            lambda p: [
                "--data",
                _write(p / "tiny.csv", "a,b\n1,1.5\n2,2.5\n"),
                "--target",
                "b",
            ],
            "2 rows with a target are too few for a split",
        ),
        (
            lambda p: [
                "--data",
                _write(p / "rare.csv", "a,b\n1,x\n2,x\n3,y\n4,x\n"),
                "--target",
                "b",
            ],
            "the class 'y' of the target 'b' has only one row",
        ),
        (
            lambda p: ["--data", _write(p / "only.csv", "b\nx\ny\n"), "--target", "b"],
            "no feature column besides the target",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--task",
                "regression",
            ],
            "is not numeric (",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--estimators",
                _write(p / "l.py", "ESTIMATORS = [1]"),
            ],
            "l.py must be a non-empty dict of name -> estimator; got list",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--estimators",
                _write(p / "l.py", "ESTIMATORS = {'a': 3}"),
            ],
            "l.py['a'] is not an estimator",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--estimators",
                _write(p / "l.py", "X = 1"),
            ],
            "defines no ESTIMATORS",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--estimators",
                _write(p / "l.py", "1 +"),
            ],
            "cannot load",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--estimators",
                str(p / "none.py"),
            ],
            "--estimators: no such file",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--estimators",
                "sklearn.tree:NOPE",
            ],
            "'sklearn.tree' defines no NOPE",
        ),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--estimators",
                _write(
                    p / "l.py",
                    "from sklearn.linear_model import Ridge\n"
                    "ESTIMATORS = {'ridge': Ridge()}",
                ),
            ],
            "is a regressor (Ridge) but the task is classification",
        ),
        (lambda p: ["--data", _wine_file(p)], "--data needs --target COLUMN"),
        (
            lambda p: ["--data", _wine_file(p), "--dataset", "iris", "--target", "y"],
            "not allowed with argument",
        ),
        (lambda p: ["--task", "regression"], "--task goes with --data FILE"),
        (
            lambda p: [
                "--data",
                _wine_file(p),
                "--target",
                "cultivar",
                "--test-size",
                "1",
            ],
            "--test-size must be a share in (0, 1)",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_2(make_argv, message, tmp_path, capsys):
    line = _fails([*make_argv(tmp_path), *FAST], capsys)
    assert message in line


def _write(path, text):
    if text is None:
        path.mkdir()
    else:
        path.write_text(text)
    return str(path)


def _wine_file(folder):
    path = folder / "wine.csv"
    if not path.exists():
        _wine().to_csv(path, index=False)
    return str(path)


def test_parquet_without_an_engine(tmp_path, monkeypatch, capsys):
    path = _write(tmp_path / "data.parquet", "not read")
    # None in sys.modules makes an import fail, as if not installed.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    line = _fails(["--data", path, "--target", "y", *FAST], capsys)
    assert line.endswith("needs pyarrow: pip install pyarrow")


def test_without_pandas(wine_csv, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pandas", None)
    line = _fails(["--data", str(wine_csv), "--target", "cultivar", *FAST], capsys)
    assert line == (
        "ensembles: error: --data: a table needs pandas: pip install pandas "
        "(or 'scikit-ensembles[data]')"
    )


def test_own_line_up_on_built_in_data(line_up_file, capsys):
    assert main(["--dataset", "iris", *FAST, "--estimators", str(line_up_file)]) == 0
    assert "\nbagged trees " in capsys.readouterr().out
    message = _fails(
        ["--dataset", "sine", *FAST, "--estimators", str(line_up_file)], capsys
    )
    assert "is a classifier (DecisionTreeClassifier) but the task is regression" in (
        message
    )


# --------------------------------------------------------------------------
# The public function
# --------------------------------------------------------------------------
def test_decompose_table_on_a_data_frame():
    wine = _wine()
    estimators = {
        "tree": DecisionTreeClassifier(),
        "bagging": BaggingClassifier(n_estimators=5),
        "logistic": LogisticRegression(max_iter=500),
    }
    table = decompose_table(
        wine, "cultivar", estimators=estimators, n_rounds=3, random_state=0, n_jobs=1
    )
    assert list(table) == ["tree", "bagging", "logistic"]
    assert {table[name].loss for name in table} == {"zero_one"}
    assert table["bagging"].diversity is not None
    # The same seed, the same split and rounds; the frame is left as given.
    again = decompose_table(
        wine, "cultivar", estimators=estimators, n_rounds=3, random_state=0, n_jobs=1
    )
    assert again.records() == table.records()
    assert wine.equals(_wine())


def test_decompose_table_from_a_path_with_the_task_given(tmp_path):
    path = tmp_path / "diabetes.csv"
    _diabetes().to_csv(path, index=False)
    table = decompose_table(
        path,
        "target",
        task="regression",
        estimators={"linear": LinearRegression(), "tree": DecisionTreeRegressor()},
        test_size=0.5,
        n_rounds=3,
        random_state=0,
    )
    assert table["linear"].loss == "squared_error"
    assert table["linear"].variance < table["tree"].variance


@pytest.mark.parametrize(
    "options, error",
    [
        ({"task": "ranking"}, "task must be 'auto' or one of"),
        ({"test_size": 0}, "test_size must be a share in (0, 1)"),
        ({"estimators": {}}, "must be a non-empty dict"),
        ({"estimators": {"tree": DecisionTreeRegressor()}}, "is a regressor"),
    ],
)
def test_decompose_table_refuses(options, error):
    with pytest.raises(ValueError, match=error.replace("(", r"\(").replace(")", r"\)")):
        decompose_table(_wine(), "cultivar", n_rounds=2, **options)


def test_task_from_the_target():
    assert infer_task(pd.Series(["a", "b"]))[0] == "classification"
    assert infer_task(pd.Series([True, False]))[0] == "classification"
    assert infer_task(pd.Series(np.arange(10) % 5))[0] == "classification"
    assert infer_task(pd.Series(np.arange(11)))[0] == "regression"
    assert infer_task(pd.Series([0.0, 1.0, 0.0]))[0] == "classification"
    assert infer_task(pd.Series([0.5, 1.0, 0.0]))[0] == "regression"


def test_numbers_scaled_only_for_a_member_that_needs_it():
    assert not any(needs_scaling(estimator) for estimator in line_up(False).values())
    assert not any(needs_scaling(estimator) for estimator in line_up(True).values())
    assert needs_scaling(LogisticRegression())
    assert needs_scaling(BaggingRegressor(LinearRegression()))
    trees = [("tree", DecisionTreeRegressor())]
    assert not needs_scaling(
        StackingRegressor(trees, final_estimator=LinearRegression())
    )
    # With passthrough the final estimator sees the features too.
    assert needs_scaling(
        StackingRegressor(trees, final_estimator=LinearRegression(), passthrough=True)
    )


def test_members_of_an_ensemble_behind_preprocessing():
    # The decomposition reads a Pipeline's last step's members, fed the test
    # set through the steps before it: the members' figures add up.
    X, y = load_diabetes(return_X_y=True)
    model = make_pipeline(StandardScaler(), BaggingRegressor(n_estimators=5))
    result = bias_variance_decomposition(
        model, X[:300], y[:300], X[300:], y[300:], n_rounds=3, random_state=0
    )
    assert result.diversity > 0
    members = result.average_bias + result.average_variance - result.diversity
    assert members == pytest.approx(result.bias + result.variance)
