"""Matplotlib helpers, imported only when a plot is asked for."""

import dataclasses

import numpy as np

#: How the axes name each loss.
_LOSS_NAMES = {
    "squared_error": "squared error",
    "zero_one": "0-1 loss",
    "brier": "Brier score",
    "log_loss": "log-loss",
}


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "Plotting needs matplotlib: pip install 'scikit-ensembles[plot]'"
        ) from error
    return plt


@dataclasses.dataclass(frozen=True)
class _Term:
    """One figure of a result as the plot shows it.

    ``sign`` is -1 for a figure that lowers the loss (the diversity), so
    that it is drawn below zero; ``hatch`` marks the members' averages,
    drawn in the colour of the ensemble's own figure.
    """

    name: str
    colour: str
    sign: int = 1
    hatch: str | None = None

    def label(self, loss):
        """The legend's name of the figure for ``loss``."""
        # The squared error's bias is a squared distance; the zero-one
        # loss's variance is Domingos' net variance, which can be negative.
        squared = "²" if loss == "squared_error" else ""
        net = "net " if loss == "zero_one" else ""
        return {
            "bias": f"bias{squared}",
            "variance": f"{net}variance",
            "noise": "noise",
            "average_bias": f"average member bias{squared}",
            "average_variance": f"average member {net}variance",
            "diversity": "− diversity",
        }[self.name]

    def value(self, result):
        """The drawn value for ``result`` (signed), None where it has none.

        Read with ``getattr``: results made before the ensemble figures
        existed, or by hand, lack them.
        """
        value = getattr(result, self.name, None)
        return None if value is None else self.sign * float(value)

    def error(self, result):
        """The standard error of the figure for ``result``, None where it
        has none (results made by hand, or a figure without one)."""
        errors = getattr(result, "standard_errors", None) or {}
        error = errors.get(self.name)
        return None if error is None else float(error)


#: The figures a plot can show, in drawing order. The ensemble's bias and
#: variance equal its members' average bias and variance less the
#: diversity, so the diversity is drawn as what it is, a reduction.
_TERMS = (
    _Term("bias", "tab:blue"),
    _Term("variance", "tab:orange"),
    _Term("noise", "tab:gray"),
    _Term("average_bias", "tab:blue", hatch="//"),
    _Term("average_variance", "tab:orange", hatch="//"),
    _Term("diversity", "tab:green", sign=-1),
)
_EXPECTED_LOSS = _Term("expected_loss", "black")


def plot_bias_variance(table, ax=None):
    """Draw a :class:`~ensembles.BiasVarianceTable`, each figure from zero.

    A comparison (rows are estimators) becomes a group of side-by-side
    bars per estimator, one bar per figure, each starting at zero so that
    a negative figure (the zero-one loss's net variance, Domingos) goes
    below the line at zero; the expected loss is a black diamond at the
    left of each group. A curve (rows are values of a parameter) becomes
    lines of the same figures and the expected loss along the parameter,
    on a y axis not clipped at zero.

    The figures drawn: the bias (``bias²`` for the squared error), the
    variance (``net variance`` for the zero-one loss), the noise (bars
    only, where a row has one; it does not change along a curve) and,
    for the rows of ensembles that average members, the members' average
    bias and average variance (hatched) and the diversity, drawn as
    ``− diversity`` below zero since it lowers the loss: the ensemble's
    ``bias + variance == average_bias + average_variance - diversity``.
    A row without a figure has no bar (its slot in the group stays empty)
    or a gap in the line.

    Error bars (and the shaded bands of a curve) are plus and minus one
    standard error of each figure, from the result's
    ``standard_errors``: the jackknife over the rounds (see
    :class:`~ensembles.BiasVarianceResult`), the test set held fixed. A
    figure without a standard error (a result made by hand) has none.

    The legend sits outside the axes, on their right; a figure made here
    (``ax=None``) is laid out to hold it (constrained layout).

    Parameters
    ----------
    table : BiasVarianceTable
        The table to draw, from :func:`~ensembles.compare_bias_variance`
        or :func:`~ensembles.bias_variance_curve`.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    ensembles.BiasVarianceTable.plot : The same, as a method of the table.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")  # draw without a display
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import compare_bias_variance
    >>> from ensembles.datasets import Sine
    >>> from ensembles.plotting import plot_bias_variance
    >>> X, y = Sine().sample(40, random_state=0)
    >>> X_test, y_test = Sine().sample(20, random_state=1)
    >>> table = compare_bias_variance(
    ...     {"stump": DecisionTreeRegressor(max_depth=1),
    ...      "tree": DecisionTreeRegressor()},
    ...     X, y, X_test, y_test, n_rounds=3, random_state=0)
    >>> ax = plot_bias_variance(table)
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['stump', 'tree']
    >>> ax.get_legend_handles_labels()[1]
    ['expected loss', 'bias²', 'variance']
    """
    results = list(table.results.values())
    comparison = table.index_name == "estimator"
    terms = [
        term
        for term in _TERMS
        if (comparison or term.name != "noise")
        and any(term.value(result) is not None for result in results)
    ]
    if ax is None:
        # Wider for more estimators, so that the bars keep a readable width;
        # 2 inches more for the legend, outside the axes.
        width = max(7.0, 1.2 * len(results)) + 2.0 if comparison else 9.0
        _, ax = _pyplot().subplots(figsize=(width, 4), layout="constrained")
    loss = results[0].loss
    if comparison:
        _draw_comparison(ax, table, terms, loss)
    else:
        _draw_curve(ax, table, terms, loss)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_ylabel(_LOSS_NAMES.get(loss, loss))
    has_errors = any(getattr(result, "standard_errors", None) for result in results)
    shown_as = "error bars" if comparison else "bands"
    # Outside the axes: the bars reach above and below zero.
    ax.legend(
        title=f"{shown_as}: ± 1 standard error" if has_errors else None,
        fontsize="small",
        title_fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    return ax


def _draw_comparison(ax, table, terms, loss):
    """Side-by-side bars of ``terms`` per estimator, the expected loss
    first in each group."""
    results = list(table.results.values())
    centres = np.arange(len(results), dtype=float)
    slots = 1 + len(terms)
    width = 0.8 / slots
    offsets = (np.arange(slots) - (slots - 1) / 2) * width
    for offset, term in zip(offsets[1:], terms):
        rows = [i for i, result in enumerate(results) if term.value(result) is not None]
        heights = [term.value(results[i]) for i in rows]
        ax.bar(
            centres[rows] + offset,
            heights,
            width,
            label=term.label(loss),
            color=term.colour,
            hatch=term.hatch,
            alpha=0.5 if term.hatch else 1.0,
            edgecolor="white" if term.hatch else None,
        )
        _error_bars(
            ax, centres[rows] + offset, heights, [term.error(results[i]) for i in rows]
        )
    expected = [_EXPECTED_LOSS.value(result) for result in results]
    ax.plot(
        centres + offsets[0],
        expected,
        linestyle="none",
        marker="D",
        markersize=5,
        color="black",
        label="expected loss",
        zorder=3,
    )
    _error_bars(
        ax,
        centres + offsets[0],
        expected,
        [_EXPECTED_LOSS.error(result) for result in results],
    )
    ax.set_xticks(centres)
    ax.set_xticklabels([str(name) for name in table], rotation=20, ha="right")
    ax.set_xlabel("estimator")
    ax.set_title(f"Bias/variance decomposition ({_LOSS_NAMES.get(loss, loss)})")


def _error_bars(ax, x, values, errors):
    """Black error bars of ± ``errors`` at (``x``, ``values``), skipping
    the points whose error is None."""
    known = [i for i, error in enumerate(errors) if error is not None]
    if known:
        ax.errorbar(
            np.asarray(x, dtype=float)[known],
            np.asarray(values, dtype=float)[known],
            yerr=np.asarray(errors, dtype=float)[known],
            fmt="none",
            ecolor="black",
            elinewidth=1,
            capsize=2,
            zorder=4,
        )


def _draw_curve(ax, table, terms, loss):
    """Lines of the expected loss and ``terms`` along the parameter, each
    in a band of ± one standard error."""
    values = list(table)
    numeric = all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
        for v in values
    )
    x = np.asarray(values, dtype=float) if numeric else np.arange(len(values))
    results = list(table.results.values())
    for term in [_EXPECTED_LOSS, *terms]:
        label = "expected loss" if term is _EXPECTED_LOSS else term.label(loss)
        y = _floats([term.value(result) for result in results])
        (line,) = ax.plot(
            x,
            y,
            marker="o",
            color=term.colour,
            linestyle="--" if term.hatch else "-",
            label=label,
        )
        error = _floats([term.error(result) for result in results])
        shown = np.isfinite(y) & np.isfinite(error)
        if shown.any():
            ax.fill_between(
                x,
                y - error,
                y + error,
                where=shown,
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
    if not numeric:
        ax.set_xticks(x)
        ax.set_xticklabels([str(v) for v in values])
    ax.set_xlabel(table.index_name)
    ax.set_title(f"Bias and variance along {table.index_name}")


def _floats(values):
    """``values`` as a float array, NaN for None (a gap in a line)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)
