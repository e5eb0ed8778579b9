"""Matplotlib helpers, imported only when a plot is asked for."""

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "Plotting needs matplotlib: pip install 'ensembles[notebooks]'"
        ) from error
    return plt


def plot_bias_variance(table, ax=None):
    """Draw a :class:`~ensembles.BiasVarianceTable`.

    A comparison (rows are estimators) becomes stacked bars of bias,
    variance and (squared error only) noise per estimator, with the
    expected loss marked; a
    curve (rows are values of a parameter) becomes lines of bias, variance
    and expected loss along the parameter.

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
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    results = list(table.results.values())
    names = list(table.results)
    loss_name = results[0].loss.replace("_", " ")
    bias = np.array([r.bias for r in results])
    variance = np.array([r.variance for r in results])
    noise = np.array([r.noise or 0.0 for r in results])
    expected = np.array([r.expected_loss for r in results])

    if table.index_name == "estimator":
        positions = np.arange(len(names))
        ax.bar(
            positions,
            bias,
            label="bias²" if results[0].loss == "squared_error" else "bias",
            color="tab:blue",
        )
        ax.bar(positions, variance, bottom=bias, label="variance", color="tab:orange")
        # A squared-error noise adds to the loss; a zero-one noise does not
        # (a wrong test label can turn a wrong prediction right), so it is
        # not stacked there.
        if np.any(noise) and results[0].loss == "squared_error":
            ax.bar(
                positions,
                noise,
                bottom=bias + variance,
                label="noise",
                color="tab:gray",
            )
        ax.scatter(
            positions,
            expected,
            marker="_",
            s=400,
            color="black",
            label="expected loss",
            zorder=3,
        )
        ax.set_xticks(positions)
        ax.set_xticklabels(names, rotation=20, ha="right")
        ax.set_xlabel("estimator")
        ax.set_title(f"Bias/variance decomposition ({loss_name} loss)")
    else:
        values = names
        numeric = all(isinstance(v, (int, float, np.number)) for v in values)
        x = np.asarray(values, dtype=float) if numeric else np.arange(len(values))
        ax.plot(
            x,
            bias,
            marker="o",
            label="bias²" if results[0].loss == "squared_error" else "bias",
        )
        ax.plot(x, variance, marker="o", label="variance")
        ax.plot(x, expected, marker="o", color="black", label="expected loss")
        if not numeric:
            ax.set_xticks(x)
            ax.set_xticklabels([str(v) for v in values])
        ax.set_xlabel(table.index_name)
        ax.set_title(f"Bias and variance along {table.index_name}")
    ax.set_ylabel(f"{loss_name} loss")
    ax.legend()
    return ax
