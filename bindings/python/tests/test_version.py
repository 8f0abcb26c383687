"""The version check at load (weft._lib._check_version): the loaded library's
weft_version() must be of the binding's major version and not older than
REQUIRED_VERSION (docs/abi.md); anything else is refused with an ImportError that names
the library and both versions."""

import ctypes
import ctypes.util
import os
import subprocess
import sys

import pytest

from weft import _lib

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _FakeLibrary:
    """Stands in for a CDLL whose weft_version() returns `number`."""

    def __init__(self, number):
        def weft_version():
            return number
        self.weft_version = weft_version


def test_the_loaded_library_is_accepted_and_reports_its_string():
    string = ctypes.CDLL(_lib.load_path).weft_version_string
    string.restype = ctypes.c_char_p
    assert _lib.library_version == tuple(int(p) for p in string().decode().split("."))
    assert _lib.library_version >= _lib.REQUIRED_VERSION


@pytest.mark.parametrize("number, version", [(1000, (0, 1, 0)), (2005, (0, 2, 5)),
                                             (999999, (0, 999, 999))])
def test_same_major_and_not_older_is_accepted(number, version):
    assert _lib._check_version("libweft.so", _FakeLibrary(number), (0, 1, 0)) == version


@pytest.mark.parametrize("number, shown", [(9, "0.0.9"), (1000000, "1.0.0"),
                                           (2001000, "2.1.0")])
def test_older_or_another_major_is_refused(number, shown):
    with pytest.raises(ImportError) as caught:
        _lib._check_version("/x/libweft.so", _FakeLibrary(number), (0, 1, 0))
    message = str(caught.value)
    assert "/x/libweft.so" in message and shown in message and "0.1.0" in message


def test_a_library_without_weft_version_is_refused_at_import(tmp_path):
    # any shared library without weft_version stands for one from before the version call
    libm = ctypes.util.find_library("m")
    assert libm, "no libm to stand in for an old library"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(PYTHONPATH=PKG, WEFT_LIBRARY=libm, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", "import weft"], env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr
    assert f"{libm} is too old: it has no weft_version()" in proc.stderr
