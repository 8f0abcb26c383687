"""`pip install ./bindings/python` (pure Python, no compiler) and how the package finds
libweft.so: WEFT_LIBRARY, a copy bundled in the package, the system library path, and
the error naming all three when none works."""

import os
import shutil
import subprocess
import sys

import pytest

from weft import _lib

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)


def _run(code, env, cwd):
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def _clean_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("WEFT_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    # build offline with the installed setuptools when it can make wheels (it needs the
    # wheel package before setuptools 70.1); otherwise let pip fetch a build backend
    offline = []
    try:
        import setuptools
        try:
            import wheel  # noqa: F401
            offline = ["--no-build-isolation"]
        except ImportError:
            if tuple(int(x) for x in setuptools.__version__.split(".")[:2]) >= (70, 1):
                offline = ["--no-build-isolation"]
    except ImportError:
        pass
    work = tmp_path_factory.mktemp("install")
    src = work / "src"
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info",
                                                           "build", "_native"))
    native = src / "weft" / "_native"
    native.mkdir()
    shutil.copy(_lib.load_path, native / "libweft.so")
    target = work / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *offline,
         "--disable-pip-version-check", "--target", str(target), str(src)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail("pip install failed:\n" + proc.stdout + proc.stderr)
    return target


def test_pip_install_bundled_library(installed):
    env = _clean_env()
    env["PYTHONPATH"] = str(installed)
    proc = _run("import weft, weft.threading, weft.queue; l = weft.Lock();"
                "print(weft.load_path)", env, cwd=str(installed))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(os.path.join("weft", "_native", "libweft.so"))


def test_env_var_wins(installed):
    env = _clean_env()
    env["PYTHONPATH"] = str(installed)
    env["WEFT_LIBRARY"] = os.path.realpath(_lib.load_path)
    proc = _run("import weft; print(weft.load_path)", env, cwd=str(installed))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == env["WEFT_LIBRARY"]


def test_system_path_and_error_message(tmp_path):
    # the source tree has no bundled copy: without WEFT_LIBRARY it needs the system path
    env = _clean_env()
    env["PYTHONPATH"] = PKG
    libdir = tmp_path / "lib"
    libdir.mkdir()
    # laid out as installed: the file under its soname (find_library answers with the
    # soname), and the development link
    soname = f"libweft.so.{_lib.library_version[0]}"
    shutil.copy(_lib.load_path, libdir / soname)
    os.symlink(soname, libdir / "libweft.so")
    env["LD_LIBRARY_PATH"] = str(libdir)
    proc = _run("import weft; print(weft.load_path)", env, cwd=str(tmp_path))
    if not os.path.exists(os.path.join(PKG, "weft", "_native", "libweft.so")):
        assert proc.returncode == 0, proc.stderr
    del env["LD_LIBRARY_PATH"]
    env["WEFT_LIBRARY"] = str(tmp_path / "missing" / "libweft.so")
    proc = _run("import weft", env, cwd=str(tmp_path))
    assert proc.returncode != 0
    assert "WEFT_LIBRARY" in proc.stderr and "bundled" in proc.stderr
    assert "system library path" in proc.stderr
