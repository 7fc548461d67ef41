"""The command line: listing, and one-line errors for bad input."""

from __future__ import annotations

import subprocess
import sys


def cli(*args):
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True)


def test_list_shows_every_framework_with_variants_and_devices():
    out = cli("list")
    assert out.returncode == 0, out.stderr
    for name, variant in [("numpy", "richardson"), ("torch", "autograd"), ("tensorflow", "forward_accumulator"),
                          ("jax", "linearize")]:
        line = next(line for line in out.stdout.splitlines() if line.startswith(name))
        assert variant in line and "cpu" in line


def test_unknown_framework_is_one_line_listing_known_ones():
    out = cli("run", "--framework", "mxnet", "--no-report")
    assert out.returncode == 2
    err = [line for line in out.stderr.splitlines() if line.startswith("conformance: error")]
    assert len(err) == 1 and "mxnet" in err[0] and "torch" in err[0] and "jax" in err[0]


def test_unknown_device_lists_devices():
    out = cli("run", "--framework", "numpy", "--device", "cuda:3", "--no-report", "--cases", "*")
    assert out.returncode == 2
    assert "devices found: cpu" in out.stderr
