"""How a stack splits each layer's rows: ``LayerSplitsMixin``.

The ``cv`` and ``n_repeats`` parameters read as a splitter per layer (an
int: scikit-learn's (Stratified)KFold, shuffled only with a
``random_state``; a float: holdout blending; a splitter or iterable of
splits; ``"prefit"``), the names errors give each split, and the checks
that a layer's splits can be fitted on. The stack's orchestration is
:mod:`ensembles._stack_base`'s.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    check_cv,
)

__all__ = ["LayerSplitsMixin"]


class LayerSplitsMixin:
    """The splits of each layer of a stack, from its ``cv`` and
    ``n_repeats`` (and ``classes_`` for the checks)."""

    def _prefit(self):
        return isinstance(self.cv, str) and self.cv == "prefit"

    def _splitter(self, seed, multilabel=False):
        """The splitter of one layer's rows.

        An int cv is scikit-learn's: (Stratified)KFold, unshuffled with
        ``random_state=None`` (the same folds on every fit), shuffled by
        ``seed`` otherwise. Repeats and holdout blending always shuffle:
        with ``random_state=None`` they differ from fit to fit, as
        scikit-learn's splitters with ``random_state=None`` do.
        """
        if self._prefit():
            return None
        stratified = is_classifier(self) and not multilabel
        if isinstance(self._cv, Real) and not isinstance(self._cv, Integral):
            if self._n_repeats != 1:
                raise ValueError("n_repeats applies to k-fold cv, not to blending.")
            holdout = StratifiedShuffleSplit if stratified else ShuffleSplit
            return holdout(n_splits=1, test_size=self._cv, random_state=seed)
        if isinstance(self._cv, Integral) or self._cv is None:
            # cv=1 never gets here: the "cv_object" constraint rejects it.
            n_splits = 5 if self._cv is None else self._cv
            if self._n_repeats > 1:
                repeated = RepeatedStratifiedKFold if stratified else RepeatedKFold
                return repeated(
                    n_splits=n_splits, n_repeats=self._n_repeats, random_state=seed
                )
            kfold = StratifiedKFold if stratified else KFold
            if seed is None:
                return kfold(n_splits=n_splits)
            return kfold(n_splits=n_splits, shuffle=True, random_state=seed)
        if self._n_repeats != 1:
            raise ValueError(
                "n_repeats > 1 needs an int cv; a CV splitter object decides its "
                "own splits (use e.g. RepeatedKFold)."
            )
        return check_cv(self._cv, classifier=stratified)

    def _seeded_cv(self):
        """Whether cv is an int or float, whose splits each layer draws
        with its own seed (else a CV splitter object or iterable of splits,
        checked once and shared by every layer)."""
        return self._cv is None or isinstance(self._cv, Real) or self._prefit()

    def _fold_labels(self, n_splits):
        """How errors name each split of a layer."""
        if isinstance(self._cv, Real) and not isinstance(self._cv, Integral):
            return ["holdout blending fit"] * n_splits
        if isinstance(self._cv, Integral) and self._n_repeats > 1:
            return [
                f"fold {i % self._cv + 1} of {self._cv}, repeat {i // self._cv + 1}"
                for i in range(n_splits)
            ]
        return [f"fold {i + 1} of {n_splits}" for i in range(n_splits)]

    def _check_class_counts(self, y):
        if not is_classifier(self) or not isinstance(self._cv, Integral) or y.ndim > 1:
            return
        counts = np.bincount(y)
        if counts.min() < self._cv:
            smallest = np.asarray(self.classes_[np.argmin(counts)]).item()
            raise ValueError(
                f"cv={self._cv} stratified folds need at least {self._cv} samples "
                f"of every class; class {smallest!r} has only {counts.min()}. "
                "Lower cv or give more samples."
            )

    def _layer_splits(self, layer, target):
        """The (train, test) splits of ``layer``'s rows, as row numbers of
        X, and the rows some split tests (the next layer's rows); a
        ValueError for splits no layer can be fitted on."""
        rows, number = layer.rows, layer.number
        if layer.splitter is None:  # cv="prefit": no folds, every row
            return [], rows
        splits = list(layer.splitter.split(np.zeros((len(rows), 1)), target.y[rows]))
        if not splits:
            raise ValueError(f"cv gave no splits for the rows of layer {number}.")
        if any(len(train) == 0 or len(test) == 0 for train, test in splits):
            raise ValueError(
                f"cv gave layer {number} a split with no training rows or no "
                "test rows; every split needs both."
            )
        if any(max(train.max(), test.max()) >= len(rows) for train, test in splits):
            below = (
                "X has"
                if number == 1
                else "the layer below held out (fixed splits need every row in "
                "a test fold when there are several layers); it has"
            )
            raise ValueError(
                f"cv's splits of layer {number} name rows beyond those {below} "
                f"{len(rows)}."
            )
        splits = [(rows[train], rows[test]) for train, test in splits]
        held_out = np.unique(np.concatenate([test for _, test in splits]))
        if target.n_classes is not None:
            missing = np.setdiff1d(np.arange(target.n_classes), target.y[held_out])
            if len(missing):
                label = np.asarray(self.classes_[missing[0]]).item()
                raise ValueError(
                    f"The rows layer {number} holds out for the layer above "
                    f"miss class {label!r}, which the next "
                    "layer would never learn. Hold out more rows (a larger cv "
                    "fraction) or give more samples of that class."
                )
        return splits, held_out
