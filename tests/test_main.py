"""The command line: python -m ensembles."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from ensembles import BiasVarianceResult, BiasVarianceTable
from ensembles.__main__ import main
from ensembles._experiment import verdicts

FAST = ["--dataset", "sine", "--rounds", "3", "--n-jobs", "1", "--quiet"]
NAMES = ["deep tree", "bagged trees", "stump", "boosted stumps", "stack", "lightgbm"]


def test_text_output_with_table_and_verdicts(capsys):
    assert main(FAST) == 0
    out = capsys.readouterr().out
    assert out.startswith("sine: 200 training rows, 500 test rows")
    for name in NAMES:
        assert f"\n{name} " in out
    assert "bagging (bagged trees vs deep tree): variance" in out
    assert "boosting (boosted stumps vs stump):" in out
    # Each figure with its standard error, the corrected bias among them.
    header, first = out.split("\n\n")[1].splitlines()[:2]
    assert header.split()[1:] == [
        "expected_loss",
        "bias",
        "bias_corrected",
        "variance",
        "noise",
    ]
    assert first.count("±") == 5


def test_json_output(capsys):
    assert main([*FAST, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {key: document[key] for key in ("dataset", "loss", "n_rounds")} == {
        "dataset": "sine",
        "loss": "squared_error",
        "n_rounds": 3,
    }
    rows = document["rows"]
    assert [row["name"] for row in rows] == NAMES
    for row in rows:
        figures = {
            "expected_loss",
            "bias",
            "variance",
            "noise",
            "variance_unbiased",
            "variance_biased",
            "bias_corrected",
            "average_bias",
            "average_variance",
            "diversity",
            "combiner_gap",
        }
        errors = {f"{figure}_se" for figure in figures}
        assert set(row) == {"name", "loss", "n_rounds", *figures, *errors}
        assert row["loss"] == "squared_error" and row["variance_biased"] is None
        assert row["variance_biased_se"] is None and row["noise_se"] == 0
        assert row["variance_se"] > 0 and row["bias_corrected_se"] > 0
        assert row["bias_corrected"] == pytest.approx(row["bias"] - row["variance"] / 2)
        # Generated data: the noise is known (0.3 ** 2 on 500 test rows).
        assert row["noise"] == pytest.approx(0.09, rel=0.2)
    # The options take effect: another seed, other data and rounds.
    assert main([*FAST, "--format", "json", "--random-state", "1"]) == 0
    other = json.loads(capsys.readouterr().out)["rows"]
    assert other[0]["expected_loss"] != rows[0]["expected_loss"]
    assert main([*FAST, "--format", "json", "--n-jobs", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == rows  # any n_jobs


def test_quiet_and_progress(capsys, progress_bars, monkeypatch):
    # progress_bars takes stderr for a terminal: one bar per estimator,
    # named as in the table; --quiet draws none.
    assert main(FAST) == 0
    assert capsys.readouterr().err == "" and progress_bars == []
    not_quiet = [arg for arg in FAST if arg != "--quiet"]
    assert main(not_quiet) == 0
    assert [bar.desc for bar in progress_bars] == NAMES
    assert all(bar.closed and bar.n == bar.total == 3 for bar in progress_bars)
    # Off a terminal (a log, a pipe): no bar, nothing on stderr.
    import ensembles._parallel

    monkeypatch.setattr(ensembles._parallel, "_is_terminal", lambda stream: False)
    progress_bars.clear()
    capsys.readouterr()
    assert main(not_quiet) == 0
    assert capsys.readouterr().err == "" and progress_bars == []


def test_csv_output_classification(capsys):
    assert (
        main(["--dataset", "iris", "--rounds", "3", "--quiet", "--format", "csv"]) == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == (
        "name,loss,n_rounds,expected_loss,bias,variance,noise,"
        "variance_unbiased,variance_biased,bias_corrected,"
        "average_bias,average_variance,diversity,combiner_gap,"
        "expected_loss_se,bias_se,variance_se,noise_se,"
        "variance_unbiased_se,variance_biased_se,bias_corrected_se,"
        "average_bias_se,average_variance_se,diversity_se,combiner_gap_se,dataset"
    )
    assert len(lines) == 1 + len(NAMES)
    cells = lines[1].split(",")
    assert cells[:3] == ["deep tree", "zero_one", "3"] and cells[-1] == "iris"
    assert cells[6] == ""  # no noise
    # The zero-one loss's two variances, whose difference is the variance.
    assert float(cells[7]) - float(cells[8]) == pytest.approx(float(cells[5]))
    assert cells[9] == "" and cells[20] == ""  # no corrected bias for 0-1
    assert cells[10:14] == ["", "", "", ""]  # a tree has no members
    assert float(cells[16]) >= 0 and cells[17] == ""  # variance_se; no noise
    # Bagged trees: the members' figures, their diversity effect among them.
    bagged = dict(zip(lines[0].split(","), lines[2].split(",")))
    assert bagged["name"] == "bagged trees" and bagged["diversity_se"] != ""
    members = float(bagged["average_bias"]) + float(bagged["average_variance"])
    ensemble = float(bagged["bias"]) + float(bagged["variance"])
    assert members - float(bagged["diversity"]) == pytest.approx(ensemble)


@pytest.mark.parametrize(
    "extension, headers",
    [("png", [b"\x89PNG\r\n\x1a\n"]), ("svg", [b"<?xml", b"<svg"]), ("pdf", [b"%PDF"])],
)
def test_plot(extension, headers, tmp_path, capsys):
    # Any format matplotlib writes, picked by the extension (in any case).
    pytest.importorskip("matplotlib")
    target = tmp_path / f"decomposition.{extension.upper()}"
    verbose = [arg for arg in FAST if arg != "--quiet"]
    assert main([*verbose, "--plot", str(target)]) == 0
    assert target.stat().st_size > 0
    assert any(target.read_bytes().startswith(header) for header in headers)
    assert f"plot written to {target}" in capsys.readouterr().err


def test_verdicts_in_percent_or_in_points():
    def result(loss, expected_loss, bias, variance):
        return BiasVarianceResult(loss, expected_loss, bias, variance, None, 10)

    regression = BiasVarianceTable(
        {
            "deep tree": result("squared_error", 4.0, 1.0, 3.0),
            "bagged trees": result("squared_error", 2.5, 1.1, 1.5),
        }
    )
    assert verdicts(regression) == [
        "bagging (bagged trees vs deep tree): "
        "variance -50 %, bias +10 %, expected loss -38 %"
    ]
    # Zero-one figures are shares of the test points and the net variance
    # can be negative: changes in points, not a ratio to a negative number.
    classification = BiasVarianceTable(
        {
            "stump": result("zero_one", 0.30, 0.35, -0.05),
            "boosted stumps": result("zero_one", 0.18, 0.114, 0.066),
        }
    )
    assert verdicts(classification) == [
        "boosting (boosted stumps vs stump): "
        "variance +11.6 points, bias -23.6 points, expected loss -12.0 points"
    ]


def test_verdict_within_noise():
    # Changes within two standard errors of the difference, sqrt(se1² +
    # se2²), say so; the bias compared is the corrected one.
    def result(expected_loss, bias, variance, errors):
        return BiasVarianceResult(
            "squared_error",
            expected_loss,
            bias,
            variance,
            None,
            10,
            bias_corrected=bias - variance / 9,
            standard_errors=dict(
                zip(["expected_loss", "bias_corrected", "variance"], errors)
            ),
        )

    table = BiasVarianceTable(
        {
            "deep tree": result(4.0, 1.0, 0.9, [0.1, 0.03, 0.02]),
            "bagged trees": result(3.0, 1.03, 0.9 * 0.9, [0.1, 0.04, 0.02]),
        }
    )
    # bias_corrected 0.9 -> 0.94: +0.04 within 2 * 0.05; variance -0.09
    # beyond 2 * 0.028; the loss -1.0 far beyond 2 * 0.141. The plug-in
    # bias, 1.0 -> 1.03, would read +3 %.
    assert verdicts(table) == [
        "bagging (bagged trees vs deep tree): variance -10 %, "
        "bias +4 % (within noise), expected loss -25 %"
    ]
    # Exactly two standard errors still counts as noise; beyond does not.
    assert (
        "(within noise)"
        in verdicts(
            BiasVarianceTable(
                {
                    "deep tree": result(4.0, 1.0, 0.9, [0.3, 0.03, 0.05]),
                    "bagged trees": result(3.0, 1.0, 0.9, [0.4, 0.03, 0.05]),
                }
            )
        )[0].split("expected loss")[1]
    )


def test_output_in_a_narrow_encoding():
    done = subprocess.run(
        [sys.executable, "-m", "ensembles", *FAST],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert b"bagging (bagged trees vs deep tree): variance" in done.stdout


def test_plot_to_a_folder(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "x.png"
    folder.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main([*FAST, "--plot", str(folder)])
    assert exit_info.value.code == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--rounds", "1"], "--rounds must be at least 2"),
        (["--rounds", "many"], "invalid int value"),
        (["--format", "xml"], "invalid choice: 'xml'"),
        pytest.param(
            ["--plot", "out.xyz"],
            "--plot needs a file name ending in one of",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("matplotlib") is None,
                reason="the formats are matplotlib's",
            ),
        ),
        (["--colour"], "unrecognized arguments"),
        (["--random-state", "-1"], "--random-state must be in [0, 2**32 - 2]"),
        (["--random-state", str(2**32 - 1)], "--random-state must be in"),
        (["--plot", "/no/such/folder/x.png"], "--plot: no folder"),
    ],
)
def test_bad_options_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_module_entry_point():
    done = subprocess.run(
        [sys.executable, "-m", "ensembles", "--dataset", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("ensembles: error:")
