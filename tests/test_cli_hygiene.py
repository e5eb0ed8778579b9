"""The command line as a well-behaved Unix tool (issue #19, item 3): quiet
broken pipes and Ctrl-C, refusals before the run rather than failures
after it, failed writes that say so, and output that names its data."""

import json
import os
import pty
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ensembles.__main__ import _parser, main

REPO_ROOT = Path(__file__).resolve().parent.parent
FAST = ["--dataset", "sine", "--rounds", "3", "--n-jobs", "1", "--quiet"]
# The worktree's code, whatever is installed.
ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
COMMAND = [sys.executable, "-m", "ensembles"]


def _refused(argv, capsys):
    """The one error line of ``main(argv)``, which must exit with status 2
    and print nothing on stdout."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_reader_gone_before_the_results_is_a_quiet_exit():
    # The read end closed before anything is written: the write fails with
    # EPIPE for sure (a reader that reads a line first races the writer).
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [*COMMAND, *FAST], stdout=write_end, stderr=subprocess.PIPE, env=ENV
    )
    os.close(write_end)
    os.close(read_end)
    stderr = process.communicate(timeout=120)[1]
    assert stderr == b""
    assert process.returncode == 128 + signal.SIGPIPE


def test_piped_into_head_ends_quietly():
    # Whether head is gone before the results are written or not, no
    # traceback and no "Exception ignored" at exit.
    command = " ".join([f"'{sys.executable}'", "-m", "ensembles", *FAST])
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} --format csv | head -n 1"],
        capture_output=True,
        env=ENV,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert done.stdout.startswith(b"name,loss,")
    assert done.stderr == b""
    assert done.returncode in (0, 128 + signal.SIGPIPE)


def _sigint_by_default():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_interrupt_is_status_130_and_one_line():
    # stderr on a terminal, so that progress bars are drawn: the first one
    # says the experiment is running.
    terminal, stderr_end = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, "--dataset", "sine", "--rounds", "500", "--n-jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=stderr_end,
        env=ENV,
        # A shell starts a background job (`.ci/run &`) with SIGINT ignored,
        # and a child inherits that: Python would then never see the Ctrl-C.
        preexec_fn=_sigint_by_default,
    )
    os.close(stderr_end)
    first = os.read(terminal, 1)
    # The terminal is read while the process runs, so that its output can
    # never fill the terminal's buffer and block it before it exits.
    chunks = [first]

    def drain():
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the terminal's other end is closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    process.send_signal(signal.SIGINT)
    try:
        stdout, _ = process.communicate(timeout=120)
    finally:
        # A run the signal did not stop would slow every later test.
        process.kill()
    reader.join(timeout=30)
    os.close(terminal)
    stderr = b"".join(chunks)
    stderr = stderr.replace(b"\r\n", b"\n")
    assert process.returncode == 130
    assert stdout == b""
    assert b"Traceback" not in stderr
    assert stderr.decode().rstrip().endswith("\nensembles: interrupted")
    assert stderr.count(b"interrupted") == 1


def test_closed_stdout_is_refused_before_running():
    done = subprocess.run(
        [*COMMAND, *FAST],
        stderr=subprocess.PIPE,
        env=ENV,
        preexec_fn=lambda: os.close(1),  # as the shell's >&-
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "ensembles: error: standard output is closed: the results would be lost"
    ]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_failed_write_is_status_1_and_one_line():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*COMMAND, *FAST], stdout=full, stderr=subprocess.PIPE, env=ENV, timeout=120
        )
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "ensembles: error: cannot write the results: No space left on device"
    ]


@pytest.mark.parametrize("rounds", [10**12, 1_000_001])
def test_absurd_rounds_refused(rounds, capsys):
    line = _refused([*FAST, "--rounds", str(rounds)], capsys)
    assert line == f"ensembles: error: --rounds must be at most 1000000, got {rounds}"


def test_rounds_that_do_not_fit_in_memory_refused(monkeypatch, capsys):
    # A machine of 1 GiB: 100000 rounds of 500 test predictions, with the
    # bagged trees' 30 members' each, do not fit in half of it.
    monkeypatch.setattr("ensembles.__main__._physical_memory", lambda: 2**30)
    line = _refused([*FAST, "--rounds", "100000"], capsys)
    assert line.startswith("ensembles: error: --rounds 100000 on 500 test rows ")
    assert "more than half this machine's 1.0 GiB; at most 2155 rounds fit" in line


@pytest.mark.parametrize(
    "path, message",
    [
        ("/proc/x.png", "cannot write '/proc/x.png'"),
        ("/no/such/folder/x.png", "--plot: no folder"),
    ],
)
def test_unwritable_plot_refused_before_running(path, message, capsys):
    pytest.importorskip("matplotlib")
    if path.startswith("/proc") and not os.path.isdir("/proc"):
        pytest.skip("no /proc")
    assert message in _refused([*FAST, "--plot", path], capsys)


def test_unwritable_plot_folder_refused(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    if os.geteuid() == 0:
        pytest.skip("root writes in any folder")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = _refused([*FAST, "--plot", str(folder / "x.png")], capsys)
    finally:
        folder.chmod(0o700)
    assert "Permission denied" in line


def test_plot_check_leaves_no_file_and_keeps_an_existing_one(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    # A refusal after the check opened the file: no empty file left.
    target = tmp_path / "x.png"
    _refused([*FAST, "--plot", str(target), "--rounds", "1"], capsys)
    assert not target.exists()
    existing = tmp_path / "old.png"
    existing.write_bytes(b"old")
    _refused([*FAST, "--plot", str(existing), "--rounds", str(10**12)], capsys)
    assert existing.read_bytes() == b"old"


def test_quiet_plot_prints_results_only(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "x.png"
    assert main([*FAST, "--plot", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("sine: ")
    assert target.stat().st_size > 0


def test_help_describes_every_option(capsys):
    for action in _parser()._actions:
        assert action.help, action.option_strings
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for action in _parser()._actions:
        assert any(option in help_text for option in action.option_strings)


def test_json_and_csv_name_the_data_set_and_the_loss(capsys):
    assert main(["--dataset", "iris", *FAST[2:], "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["dataset"] == "iris" and document["loss"] == "zero_one"
    assert document["n_rounds"] == 3 and len(document["rows"]) == 6
    assert main([*FAST, "--format", "csv"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    columns = header.split(",")
    assert columns[:2] == ["name", "loss"] and columns[-1] == "dataset"
    for row in rows:
        cells = dict(zip(columns, row.split(",")))
        assert cells["dataset"] == "sine" and cells["loss"] == "squared_error"
