"""The bias/variance plot shows each figure honestly: from zero (a negative
net variance below it), the diversity as a reduction, ± one standard error.

Rows are stand-ins with every attribute a result has or will have
(including the ensemble figures average_bias, average_variance, diversity),
so that these tests do not depend on how the figures are computed.
"""

import types

import numpy as np
import pytest

from ensembles import BiasVarianceResult, BiasVarianceTable
from ensembles.__main__ import main

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402

from ensembles.plotting import plot_bias_variance  # noqa: E402

FIGURES = (
    "expected_loss",
    "bias",
    "variance",
    "noise",
    "average_bias",
    "average_variance",
    "diversity",
)


def row(loss="squared_error", errors=True, **figures):
    """A result stand-in: ``figures`` (the others None) and, when
    ``errors``, a standard error of a tenth of each figure plus 0.01."""
    values = dict.fromkeys(FIGURES) | figures
    standard_errors = None
    if errors:
        standard_errors = {
            name: 0.1 * abs(value) + 0.01
            for name, value in values.items()
            if value is not None
        }
    return types.SimpleNamespace(
        loss=loss,
        n_rounds=10,
        standard_errors=standard_errors,
        combiner_gap=None,
        variance_unbiased=None,
        variance_biased=None,
        bias_corrected=None,
        **values,
    )


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def bars(ax, label):
    """The bar patches of the legend entry ``label``."""
    found = [c for c in ax.containers if isinstance(c, BarContainer)]
    return [patch for c in found if c.get_label() == label for patch in c]


def bar_labels(ax):
    return [c.get_label() for c in ax.containers if isinstance(c, BarContainer)]


def error_bars(ax):
    """(x, low, high) of every vertical error bar drawn."""
    segments = [
        segment
        for collection in ax.collections
        if isinstance(collection, LineCollection)
        for segment in collection.get_segments()
    ]
    return [(s[0, 0], s[0, 1], s[1, 1]) for s in segments if s[0, 0] == s[1, 0]]


def error_at(ax, x):
    """The (low, high) of the error bar at ``x``, None where there is none."""
    found = [(low, high) for at, low, high in error_bars(ax) if at == pytest.approx(x)]
    assert len(found) <= 1
    return found[0] if found else None


def centre(patch):
    return patch.get_x() + patch.get_width() / 2


def expected_loss_marker(ax):
    (line,) = [line for line in ax.get_lines() if line.get_label() == "expected loss"]
    return line


ENSEMBLES = BiasVarianceTable(
    {
        "tree": row(expected_loss=4.1, bias=1.0, variance=3.0, noise=0.1),
        "bagged trees": row(
            expected_loss=2.6,
            bias=1.1,
            variance=1.4,
            noise=0.1,
            average_bias=1.0,
            average_variance=3.0,
            diversity=1.5,
        ),
    }
)


def test_a_negative_net_variance_is_a_bar_below_zero():
    table = BiasVarianceTable(
        {"stump": row("zero_one", expected_loss=0.3, bias=0.35, variance=-0.05)}
    )
    ax = plot_bias_variance(table)
    (variance,) = bars(ax, "net variance")
    assert variance.get_height() == pytest.approx(-0.05)
    bottom, top = sorted([variance.get_y(), variance.get_y() + variance.get_height()])
    assert bottom == pytest.approx(-0.05) and top == 0
    # Not hidden inside the bias: the bias bar is a bar of its own, from 0.
    (bias,) = bars(ax, "bias")
    assert (bias.get_y(), bias.get_height()) == (0, pytest.approx(0.35))
    assert centre(bias) != centre(variance)
    assert ax.get_ylim()[0] < -0.05
    # The line at zero the bars start from.
    assert any(list(line.get_ydata()) == [0, 0] for line in ax.get_lines())


def test_zero_one_noise_is_a_bar_of_its_own():
    table = BiasVarianceTable(
        {
            "stump": row(
                "zero_one", expected_loss=0.3, bias=0.35, variance=-0.05, noise=0.1
            )
        }
    )
    ax = plot_bias_variance(table)
    assert bar_labels(ax) == ["bias", "net variance", "noise"]
    (noise,) = bars(ax, "noise")
    assert (noise.get_y(), noise.get_height()) == (0, pytest.approx(0.1))


def test_diversity_is_a_reduction_below_zero():
    ax = plot_bias_variance(ENSEMBLES)
    (diversity,) = bars(ax, "− diversity")
    assert diversity.get_height() == pytest.approx(-1.5)
    assert diversity.get_y() == 0
    assert ax.get_ylim()[0] < -1.5


def test_ensemble_bars_only_for_the_rows_that_have_them():
    ax = plot_bias_variance(ENSEMBLES)
    assert bar_labels(ax) == [
        "bias²",
        "variance",
        "noise",
        "average member bias²",
        "average member variance",
        "− diversity",
    ]
    # One bar each, in the second group (the tree's slots stay empty).
    for label, height in [
        ("average member bias²", 1.0),
        ("average member variance", 3.0),
        ("− diversity", -1.5),
    ]:
        (bar,) = bars(ax, label)
        assert bar.get_height() == pytest.approx(height)
        assert 0.5 < centre(bar) < 1.5
    # Every figure at the same place in its group.
    for label in ["bias²", "variance", "noise"]:
        tree, bagged = bars(ax, label)
        assert centre(bagged) - centre(tree) == pytest.approx(1.0)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == [
        "tree",
        "bagged trees",
    ]


def test_error_bars_are_one_standard_error():
    ax = plot_bias_variance(ENSEMBLES)
    results = list(ENSEMBLES.results.values())
    for label, figure, sign in [
        ("bias²", "bias", 1),
        ("variance", "variance", 1),
        ("noise", "noise", 1),
        ("average member bias²", "average_bias", 1),
        ("average member variance", "average_variance", 1),
        ("− diversity", "diversity", -1),
    ]:
        owners = [result for result in results if getattr(result, figure) is not None]
        patches = bars(ax, label)
        assert len(patches) == len(owners)
        for patch, result in zip(patches, owners):
            value = sign * getattr(result, figure)
            error = result.standard_errors[figure]
            assert patch.get_height() == pytest.approx(value)
            assert error_at(ax, centre(patch)) == (
                pytest.approx(value - error),
                pytest.approx(value + error),
            )
    # Nine bars and two expected-loss markers: eleven error bars.
    assert len(error_bars(ax)) == 11


def test_expected_loss_markers_at_the_expected_loss_with_error_bars():
    ax = plot_bias_variance(ENSEMBLES)
    marker = expected_loss_marker(ax)
    assert list(marker.get_ydata()) == [4.1, 2.6]
    assert marker.get_color() == "black"
    for x, result in zip(marker.get_xdata(), ENSEMBLES.results.values()):
        error = result.standard_errors["expected_loss"]
        low, high = error_at(ax, x)
        assert (low, high) == (
            pytest.approx(result.expected_loss - error),
            pytest.approx(result.expected_loss + error),
        )
    # In its estimator's group, beside the bars, not on one.
    tree_bars = [bars(ax, label)[0] for label in ["bias²", "variance", "noise"]]
    assert -0.5 < marker.get_xdata()[0] < min(centre(bar) for bar in tree_bars)


def test_no_error_bars_without_standard_errors():
    # Results made by hand have none; a figure missing from them has none.
    table = BiasVarianceTable(
        {
            "by hand": BiasVarianceResult("squared_error", 1.5, 1.0, 0.5, None, 10),
            "some": BiasVarianceResult(
                "squared_error",
                1.5,
                1.0,
                0.5,
                None,
                10,
                standard_errors={"variance": 0.05},
            ),
        }
    )
    ax = plot_bias_variance(table)
    assert bar_labels(ax) == ["bias²", "variance"]
    ((x, low, high),) = error_bars(ax)
    assert (low, high) == (pytest.approx(0.45), pytest.approx(0.55))
    assert x == pytest.approx(centre(bars(ax, "variance")[1]))


def test_curve_lines_with_bands_and_the_diversity_below_zero():
    table = BiasVarianceTable(
        {
            n: row(
                expected_loss=4.0 - n / 20,
                bias=1.0,
                variance=3.0 / n,
                noise=0.1,
                average_bias=1.0,
                average_variance=3.0,
                diversity=3.0 - 3.0 / n,
            )
            for n in [1, 2, 5, 10]
        },
        index_name="n_estimators",
    )
    ax = plot_bias_variance(table)
    lines = {line.get_label(): line for line in ax.get_lines()}
    lines = {label: line for label, line in lines.items() if label[0] != "_"}
    # The noise does not change along the parameter: not drawn.
    assert set(lines) == {
        "expected loss",
        "bias²",
        "variance",
        "average member bias²",
        "average member variance",
        "− diversity",
    }
    assert "noise" not in lines
    assert list(lines["variance"].get_xdata()) == [1, 2, 5, 10]
    diversity = [-(3.0 - 3.0 / n) for n in [1, 2, 5, 10]]
    assert lines["− diversity"].get_ydata() == pytest.approx(diversity)
    assert ax.get_ylim()[0] < min(diversity)  # not clipped at zero
    assert ax.get_xlabel() == "n_estimators"
    # One band of ± one standard error per line.
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 6


def test_curve_band_is_one_standard_error_wide():
    table = BiasVarianceTable(
        {
            depth: row(expected_loss=2.0, bias=1.0, variance=1.0 * depth)
            for depth in [1, 2]
        },
        index_name="max_depth",
    )
    ax = plot_bias_variance(table)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    variance = [line for line in ax.get_lines() if line.get_label() == "variance"]
    assert len(bands) == 3 and len(variance) == 1
    # The variance's band: 1.0 ± 0.11 at depth 1, 2.0 ± 0.21 at depth 2.
    vertices = np.concatenate([band.get_paths()[0].vertices for band in bands])
    for x, value, error in [(1, 1.0, 0.11), (2, 2.0, 0.21)]:
        at = vertices[np.isclose(vertices[:, 0], x), 1]
        assert np.any(np.isclose(at, value - error))
        assert np.any(np.isclose(at, value + error))


def test_curve_over_values_that_are_not_numbers():
    table = BiasVarianceTable(
        {depth: row(expected_loss=2.0, bias=1.0, variance=0.5) for depth in [1, None]},
        index_name="max_depth",
    )
    ax = plot_bias_variance(table)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["1", "None"]


@pytest.mark.parametrize("name", ["out", "out.xyz"])
def test_plot_file_format_matplotlib_cannot_write(name, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--plot", str(tmp_path / name)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--plot needs a file name ending in one of" in err
    for extension in [".png", ".svg", ".pdf"]:
        assert extension in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / name).exists()
