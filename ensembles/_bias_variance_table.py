"""Presenting decompositions: :class:`BiasVarianceTable`, one row per
estimator or parameter value, as text, records, a DataFrame, JSON, CSV or a
plot."""

import json

import numpy as np


class BiasVarianceTable:
    """Decompositions of several estimators (or parameter values), one row each.

    ``str(table)`` is an aligned text table; :meth:`to_frame` a pandas
    DataFrame; :meth:`plot` a matplotlib figure (stacked bars for a
    comparison, lines along the parameter for a curve). Rows are reached by
    name: ``table["bagged trees"]`` is a :class:`BiasVarianceResult`.

    Parameters
    ----------
    results : dict or iterable of (name, BiasVarianceResult) pairs
        The rows, in order.
    index_name : str, default="estimator"
        What the rows are: "estimator" or the parameter's name.

    Attributes
    ----------
    results : dict
        Row name -> BiasVarianceResult, in order.
    index_name : str
        What the rows are: "estimator" or the parameter's name.

    See Also
    --------
    compare_bias_variance : A table with one row per estimator.
    bias_variance_curve : A table with one row per parameter value.

    Examples
    --------
    >>> from ensembles import BiasVarianceResult, BiasVarianceTable
    >>> row = BiasVarianceResult(
    ...     loss="squared_error", expected_loss=1.5, bias=1.0, variance=0.5,
    ...     noise=None, n_rounds=10)
    >>> table = BiasVarianceTable({"tree": row})
    >>> table["tree"].variance
    0.5
    >>> print(table.to_csv(), end="")
    name,loss,n_rounds,expected_loss,bias,variance,noise,variance_unbiased,variance_biased
    tree,squared_error,10,1.5,1.0,0.5,,,
    """

    #: The figures of the text table.
    columns = ("expected_loss", "bias", "variance", "noise")
    #: Every column of :meth:`records`, :meth:`to_frame`, :meth:`to_json`
    #: and :meth:`to_csv`, after the name: the loss, the number of rounds,
    #: the figures and the zero-one loss's two variances (None elsewhere).
    record_columns = (
        "loss",
        "n_rounds",
        *columns,
        "variance_unbiased",
        "variance_biased",
    )

    def __init__(self, results, index_name="estimator"):
        self.results = dict(results)
        self.index_name = index_name

    def __getitem__(self, name):
        return self.results[name]

    def __iter__(self):
        return iter(self.results)

    def __len__(self):
        return len(self.results)

    def records(self):
        """One dict per row: its name, then every column.

        Returns
        -------
        records : list of dict
            Per row, ``name`` and the values of :attr:`record_columns`:
            the loss, the number of rounds and the figures, None where the
            row has no such figure (the noise without true targets, the
            zero-one variances for other losses).
        """
        return [
            {"name": name, **{c: getattr(r, c) for c in self.record_columns}}
            for name, r in self.results.items()
        ]

    def __str__(self):
        names = [str(name) for name in self.results]
        width = max([len(self.index_name), *map(len, names)])
        header = f"{self.index_name:<{width}}" + "".join(
            f"  {column:>13}" for column in self.columns
        )
        lines = [header]
        for name, record in zip(names, self.records()):
            cells = "".join(
                f"  {'-':>13}" if record[c] is None else f"  {record[c]:>13.4f}"
                for c in self.columns
            )
            lines.append(f"{name:<{width}}{cells}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<BiasVarianceTable of {len(self)} rows>\n{self}"

    def to_frame(self):
        """The table as a pandas DataFrame indexed by name.

        Returns
        -------
        frame : pandas.DataFrame
            One row per name, one column per entry of
            :attr:`record_columns`: the loss (str), the number of rounds
            (int) and one float column per figure (NaN where a row has no
            such figure); the index is named ``index_name``.
        """
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - depends on the install
            raise ImportError(
                "to_frame needs pandas: pip install 'ensembles[notebooks]'"
            ) from error
        frame = pd.DataFrame(
            self.records(), columns=["name", *self.record_columns]
        ).set_index("name")
        frame.index.name = self.index_name
        figures = [c for c in self.record_columns if c not in ("loss", "n_rounds")]
        return frame.astype(
            {"loss": object, "n_rounds": np.int64, **dict.fromkeys(figures, float)}
        )

    def to_json(self):
        """The rows as a JSON list of objects.

        Returns
        -------
        text : str
            The :meth:`records` as JSON (null where a row has no such
            figure).
        """
        return json.dumps(self.records(), indent=2, default=_json_value)

    def to_csv(self):
        """The rows as CSV text with a header line.

        Returns
        -------
        text : str
            A header line (``name`` and :attr:`record_columns`), then one
            line per row (an empty cell where a row has no such figure),
            each ended by a newline.
        """
        lines = [",".join(["name", *self.record_columns])]
        for record in self.records():
            cells = [_csv_value(record[c]) for c in self.record_columns]
            lines.append(",".join([_csv_cell(record["name"]), *cells]))
        return "\n".join(lines) + "\n"

    def plot(self, ax=None):
        """Plot the table with :func:`ensembles.plotting.plot_bias_variance`.

        Stacked bars of bias, variance and noise per estimator, or bias,
        variance and loss along a parameter.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        ax : matplotlib Axes
            The axes drawn on.
        """
        from .plotting import plot_bias_variance

        return plot_bias_variance(self, ax=ax)


def _json_value(value):
    """JSON for row names json cannot write: numpy scalars as numbers,
    anything else as its str."""
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _csv_value(value):
    """A figure's CSV cell: empty for None, text for a str, else its repr
    (floats round-trip)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _csv_cell(value)
    return repr(value)


def _csv_cell(value):
    text = str(value)
    if any(char in text for char in ',"\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text
