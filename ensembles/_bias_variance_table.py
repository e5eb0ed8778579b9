"""Presenting decompositions: :class:`BiasVarianceTable`, one row per
estimator or parameter value, as text, records, a DataFrame, JSON, CSV or a
plot."""

import json

import numpy as np


class BiasVarianceTable:
    """Decompositions of several estimators (or parameter values), one row each.

    ``str(table)`` is an aligned text table; :meth:`to_frame` a pandas
    DataFrame; :meth:`plot` a matplotlib figure (a bar per figure and
    estimator for a comparison, lines along the parameter for a curve).
    Rows are reached by name: ``table["bagged trees"]`` is a
    :class:`BiasVarianceResult`.

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
    >>> print(table.to_csv().splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
    name,loss,n_rounds,expected_loss,bias,variance,noise,variance_unbiased,variance_biased,bias_corrected,average_bias,average_variance,diversity,combiner_gap,expected_loss_se,bias_se,variance_se,noise_se,variance_unbiased_se,variance_biased_se,bias_corrected_se,average_bias_se,average_variance_se,diversity_se,combiner_gap_se
    >>> print(table)
    estimator  expected_loss    bias  variance  noise
    tree              1.5000  1.0000    0.5000      -
    """

    #: The figures of the text table (and ``bias_corrected`` after
    #: ``bias`` where a row has it, and :attr:`member_columns` where a row
    #: is an ensemble that combines members).
    columns = ("expected_loss", "bias", "variance", "noise")
    #: The members' figures of an ensemble that combines them
    #: (``combiner_gap`` shown in the text only where it is not 0).
    member_columns = ("average_bias", "average_variance", "diversity", "combiner_gap")
    #: Every figure of a row: the text table's, the zero-one loss's two
    #: variances, the bias corrected for the finite number of rounds and
    #: the members' figures.
    figures = (
        *columns,
        "variance_unbiased",
        "variance_biased",
        "bias_corrected",
        *member_columns,
    )
    #: Every column of :meth:`records`, :meth:`to_frame`, :meth:`to_json`
    #: and :meth:`to_csv`, after the name: the loss, the number of rounds,
    #: the figures (None where a row has no such figure), then each
    #: figure's standard error, ``<figure>_se`` (None where the row has no
    #: standard errors, as for results made by hand).
    record_columns = (
        "loss",
        "n_rounds",
        *figures,
        *(f"{figure}_se" for figure in figures),
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
            the loss, the number of rounds, the figures and their standard
            errors, None where the row has no such figure (the noise
            without true targets, the zero-one variances for other losses,
            the corrected bias for the zero-one and log-loss, the members'
            figures for an estimator that does not combine members).
        """
        records = []
        for name, result in self.results.items():
            errors = result.standard_errors or {}
            record = {"name": name, "loss": result.loss, "n_rounds": result.n_rounds}
            record.update({f: getattr(result, f) for f in self.figures})
            record.update({f"{f}_se": errors.get(f) for f in self.figures})
            records.append(record)
        return records

    def __str__(self):
        """Aligned text: one row per name, each figure as ``value ± se``
        (the value alone where the row has no standard errors, ``-`` where
        it has no such figure); then, where some rows are ensembles that
        combine members, a second block of their members' figures."""
        columns = list(self.columns)
        results = self.results.values()
        if any(r.bias_corrected is not None for r in results):
            columns.insert(columns.index("bias") + 1, "bias_corrected")
        records = self.records()
        text = self._block(records, columns)
        members = [r for r in records if r["diversity"] is not None]
        if not members:
            return text
        member_columns = list(self.member_columns[:3])
        # A gap that prints as 0 says only that the ensemble combines its
        # members as the decomposition does; shown where it is not.
        if any(abs(r["combiner_gap"]) >= 5e-5 for r in members):
            member_columns.append("combiner_gap")
        return text + "\n\n" + self._block(members, member_columns)

    def _block(self, records, columns):
        names = [str(record["name"]) for record in records]
        rows = [
            [_cell(record[c], record[f"{c}_se"]) for c in columns] for record in records
        ]
        width = max([len(self.index_name), *map(len, names)])
        widths = [
            max([len(column), *(len(row[i]) for row in rows)])
            for i, column in enumerate(columns)
        ]
        lines = [
            f"{self.index_name:<{width}}"
            + "".join(f"  {c:>{w}}" for c, w in zip(columns, widths))
        ]
        for name, row in zip(names, rows):
            cells = "".join(f"  {cell:>{w}}" for cell, w in zip(row, widths))
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
                "to_frame needs pandas: pip install 'scikit-ensembles[data]'"
            ) from error
        frame = pd.DataFrame(
            self.records(), columns=["name", *self.record_columns]
        ).set_index("name")
        frame.index.name = self.index_name
        figures = self.record_columns[2:]
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

        A bar from zero for each figure of each estimator (the members'
        diversity as a negative bar), or lines along a parameter, with
        ± one standard error.

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


def _cell(value, error):
    """A figure in the text table: ``value ± se`` to four decimals."""
    if value is None:
        return "-"
    # A figure of 0 up to rounding (a combiner gap) prints without a sign.
    text = f"{value:.4f}".replace("-0.0000", "0.0000")
    if error is None:
        return text
    return f"{text} ± {error:.4f}"


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
