"""Side-by-side timing helpers shared by the benchmark scripts.

The machines these run on are shared and noisy: absolute times mean little,
ratios mean something. Competitors are therefore timed in alternation, run
after run, and compared by the median of their times.
"""

import os
import platform
import statistics
import time


def time_alternating(candidates, repeats):
    """Time each callable of ``candidates`` (name -> callable) ``repeats``
    times, alternating between them; return name -> median seconds."""
    times = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def machine():
    """One line describing where the benchmark ran."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def report(title, ours, theirs, target=None):
    """Print one ratio line: ours / theirs, with the target when given."""
    ratio = ours / theirs
    line = f"{title:<28} ours {ours:7.3f}s  peer {theirs:7.3f}s  ratio {ratio:5.2f}"
    if target is not None:
        met = "met" if ratio <= target else "NOT met"
        line += f"  (target <= {target:.2f}: {met})"
    print(line)
    return ratio
