"""The package's version, defined here only.

``setup.cfg`` reads it (``version = attr: ensembles._version.__version__``)
and ``ensembles.__version__`` re-exports it. This module imports nothing, so
building the package does not need its dependencies.
"""

__version__ = "0.2.0"
