"""Real tables from the ISLP wheel (the data of "An Introduction to
Statistical Learning, with Applications in Python"), for benchmarks only.

The wheel is downloaded once with pip into ``benchmarks/.data/`` (ignored
by git) and the CSV files are read straight out of it; ISLP itself is not
installed.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

CACHE = Path(__file__).resolve().parent / ".data"

# The order of ISLP's own load_data("Bikeshare") (not alphabetical).
MONTHS = [
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]


def wheel():
    """Path of the ISLP wheel in the cache, downloading it when absent."""
    found = sorted(CACHE.glob("islp-*.whl"))
    if not found:
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"# downloading the ISLP wheel into {CACHE}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps"]
            + ["--only-binary=:all:", "ISLP", "-d", str(CACHE)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        found = sorted(CACHE.glob("islp-*.whl"))
    return found[-1]


def read_table(name):
    """One of the wheel's ``ISLP/data/<name>.csv`` tables as read by pandas."""
    with zipfile.ZipFile(wheel()) as archive:
        with archive.open(f"ISLP/data/{name}.csv") as file:
            return pd.read_csv(file)


def load_caravan():
    """Caravan insurance: 5822 rows, 85 integer features; the target is
    ``Purchase`` ("Yes"/"No", 6% "Yes")."""
    frame = read_table("Caravan")
    return frame.drop(columns="Purchase"), frame["Purchase"].to_numpy(dtype=object)


def load_bikeshare():
    """Hourly bike rentals (Washington D.C., 2011): 8645 rows, 12 features;
    the target is ``bikers``.

    ``casual`` and ``registered`` are dropped: they add up to the target.
    ``mnth``, ``hr`` and ``weathersit`` are pandas categoricals, as ISLP's
    ``load_data`` makes them; the other columns stay numeric (``season``,
    ``weekday``: small integer codes; ``day``: day of the year).
    """
    frame = read_table("Bikeshare")
    frame["mnth"] = pd.Categorical(frame["mnth"], categories=MONTHS)
    frame["hr"] = pd.Categorical(frame["hr"], categories=range(24))
    frame["weathersit"] = pd.Categorical(frame["weathersit"])
    y = frame["bikers"].to_numpy(dtype=float)
    return frame.drop(columns=["casual", "registered", "bikers"]), y
