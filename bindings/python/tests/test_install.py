"""What a new user gets: `pip install ./bindings/python`, `pip install -e` and `pip wheel`
build libweft.so from the repository's crate with cargo and bundle it, the wheel is tagged
for its platform, an sdist builds on its own, and WEFT_LIBRARY still overrides the copy.

Every pip and Python below runs without the variables that could hand weft a library or a
build from elsewhere (WEFT_LIBRARY, PYTHONPATH, LD_LIBRARY_PATH, CARGO_TARGET_DIR...); the
rest of the environment stays (the build backend comes from the package index).
This module never imports weft itself: it runs with no WEFT_LIBRARY (ctest python_install).
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)                      # bindings/python
DIST = "weft-sync"                               # the distribution name; the import is weft
NATIVE = os.path.join("weft", "_native", "libweft.so")

# A weft.Lock handed between a thread and an asyncio task, both ways: each waits in line
# while the other holds it, and gets it when the other releases.
LOCK_ACROSS_THREAD_AND_TASK = r"""
import asyncio, os, sys, threading, weft

assert "WEFT_LIBRARY" not in os.environ
print(weft.load_path)
lock = weft.Lock()
order = []

async def wait_until(predicate):
    for _ in range(1000):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")

async def main():
    # a thread holds it; a task waits in line, then gets it
    held, go = threading.Event(), threading.Event()
    def holder():
        with lock:
            order.append("thread")
            held.set()
            go.wait()
    t = threading.Thread(target=holder)
    t.start()
    await wait_until(held.is_set)
    async def task():
        async with lock:
            order.append("task")
    waiter = asyncio.create_task(task())
    await wait_until(lambda: lock.waiting == 1)
    assert not waiter.done()
    go.set()
    await waiter
    t.join()
    # the task holds it; a thread waits in line, then gets it
    async with lock:
        t = threading.Thread(target=lambda: (lock.green_acquire(), order.append("thread 2"),
                                             lock.green_release()))
        t.start()
        await wait_until(lambda: lock.waiting == 1)
        order.append("task 2")
    await asyncio.get_running_loop().run_in_executor(None, t.join)

asyncio.run(main())
assert order == ["thread", "task", "task 2", "thread 2"], order
print("ok")
"""


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("WEFT_LIBRARY", "PYTHONPATH", "PYTHONHOME", "LD_LIBRARY_PATH",
                        "CARGO_TARGET_DIR", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def _run(cmd, cwd, timeout=900, check=True, **env):
    proc = subprocess.run(cmd, cwd=cwd, env=_clean_env(**env), capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                    f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def _new_venv(path):
    _run([sys.executable, "-m", "venv", str(path)], cwd=str(path.parent), timeout=300)
    return str(path / "bin" / "python")


def _pip(python, *args, cwd):
    return _run([python, "-m", "pip", "--disable-pip-version-check", "--no-input", *args],
                cwd=cwd)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh venv (no system site-packages) with `pip install ./bindings/python` done."""
    work = tmp_path_factory.mktemp("venv")
    python = _new_venv(work / "env")
    _pip(python, "install", PKG, cwd=str(work))
    return python


def test_pip_install_bundles_the_library(venv, tmp_path):
    proc = _run([venv, "-c", LOCK_ACROSS_THREAD_AND_TASK], cwd=str(tmp_path))
    path, status = proc.stdout.split()
    site = _run([venv, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                cwd=str(tmp_path)).stdout.strip()
    assert path == os.path.join(site, NATIVE)
    assert status == "ok"
    # the accelerator was built and is the way the hot calls go
    proc = _run([venv, "-c", "from weft import _hot; print(_hot.active)"], cwd=str(tmp_path))
    assert proc.stdout.strip() == "speedups"


def test_dependencies_are_declared(venv, tmp_path):
    # what the package imports from outside the standard library came with it
    proc = _run([venv, "-m", "pip", "show", DIST], cwd=str(tmp_path))
    assert re.search(r"(?m)^Requires: .*\bsniffio\b", proc.stdout), proc.stdout
    _run([venv, "-c", "import sniffio"], cwd=str(tmp_path))


def test_weft_library_overrides_the_bundled_copy(venv, tmp_path):
    site = _run([venv, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                cwd=str(tmp_path)).stdout.strip()
    other = tmp_path / "elsewhere" / "libweft.so"
    other.parent.mkdir()
    shutil.copy(os.path.join(site, NATIVE), other)
    proc = _run([venv, "-c", "import weft; print(weft.load_path)"], cwd=str(tmp_path),
                WEFT_LIBRARY=str(other))
    assert proc.stdout.strip() == str(other)


def test_without_a_bundled_copy_the_system_path_is_used(venv, tmp_path):
    site = _run([venv, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                cwd=str(tmp_path)).stdout.strip()
    shutil.copytree(os.path.join(site, "weft"), tmp_path / "pkg" / "weft",
                    ignore=shutil.ignore_patterns("_native"))
    libdir = tmp_path / "lib"
    libdir.mkdir()
    # laid out as installed: the file under its soname, and the development link
    shutil.copy(os.path.join(site, NATIVE), libdir / "libweft.so.0")
    os.symlink("libweft.so.0", libdir / "libweft.so")
    proc = _run([venv, "-c", "import weft; print(weft.load_path)"], cwd=str(tmp_path),
                PYTHONPATH=str(tmp_path / "pkg"), LD_LIBRARY_PATH=str(libdir))
    # found by name through ld.so, not by a path of ours
    assert proc.stdout.strip() in ("libweft.so.0", "libweft.so")


def test_a_wrong_override_fails_and_names_every_place(venv, tmp_path):
    missing = tmp_path / "missing" / "libweft.so"
    proc = _run([venv, "-c", "import weft"], cwd=str(tmp_path), check=False,
                WEFT_LIBRARY=str(missing))
    assert proc.returncode != 0
    # an explicit choice that fails never falls back to the bundled copy silently
    assert f"WEFT_LIBRARY: {missing}" in proc.stderr
    assert "bundled" in proc.stderr and "system library path" in proc.stderr


def test_editable_install(tmp_path):
    native = os.path.join(PKG, NATIVE)
    speedups = os.path.join(PKG, "weft", "_speedups.abi3.so")
    had_copy = os.path.exists(native)
    had_speedups = os.path.exists(speedups)
    python = _new_venv(tmp_path / "env")
    try:
        _pip(python, "install", "-e", PKG, cwd=str(tmp_path))
        proc = _run([python, "-c", LOCK_ACROSS_THREAD_AND_TASK], cwd=str(tmp_path))
        path, status = proc.stdout.split()
        assert path == native and status == "ok"   # the source tree's modules and library
    finally:
        if not had_copy and os.path.exists(native):
            os.remove(native)  # leave the checkout as it was
        if not had_speedups and os.path.exists(speedups):
            os.remove(speedups)


def _wheel_tags(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        return names, z.read(meta).decode()


def test_wheel_is_tagged_for_its_platform(tmp_path):
    python = _new_venv(tmp_path / "env")
    _pip(python, "wheel", "--no-deps", "-w", str(tmp_path / "dist"), PKG, cwd=str(tmp_path))
    (wheel,) = (tmp_path / "dist").iterdir()
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    # with the accelerator (a C compiler and the Python headers are there, as
    # scripts/setup-deps.sh installs): CPython's stable ABI as of 3.10
    assert wheel.name == f"weft_sync-0.1.0-cp310-abi3-{platform}.whl"
    names, meta = _wheel_tags(wheel)
    assert "weft/_native/libweft.so" in names and "weft/_speedups.abi3.so" in names
    assert "Root-Is-Purelib: false" in meta and f"Tag: cp310-abi3-{platform}" in meta
    if not platform.startswith("linux_"):
        return
    # auditwheel: only system libraries every manylinux system has, symbol versions no
    # newer than glibc 2.34 (what README.md states for a build on Debian 12)
    proc = _run([sys.executable, "-m", "auditwheel", "show", str(wheel)], cwd=str(tmp_path))
    text = " ".join(proc.stdout.split())
    m = re.search(r'consistent with the following platform tag: "manylinux_2_(\d+)_(\w+)"',
                  text)
    assert m, text
    assert int(m.group(1)) <= 34 and m.group(2) == platform[len("linux_"):], text


def test_sdist_builds_from_source(tmp_path):
    _run([sys.executable, "-m", "build", "--sdist", "-o", str(tmp_path / "sdist"), PKG],
         cwd=str(tmp_path))
    (sdist,) = (tmp_path / "sdist").iterdir()
    root = "weft_sync-0.1.0/"
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
        for needed in ("setup.py", "pyproject.toml", "weft/_lib.py", "weft/_speedups.c",
                       "rust/Cargo.toml",
                       "rust/Cargo.lock", "rust/build.rs", "rust/src/lib.rs",
                       "rust/src/ffi/mod.rs", "rust/include/weft.h"):
            assert root + needed in names, needed
        manifest = tar.extractfile(root + "rust/Cargo.toml").read().decode()
    # the crate stands alone: its workspace is reduced to itself
    assert re.search(r'(?m)^\[workspace\]\nmembers = \["\."\]$', manifest), manifest
    # pip unpacks it in a directory of its own, away from this clone, and runs cargo there
    python = _new_venv(tmp_path / "env")
    _pip(python, "wheel", "--no-deps", "-w", str(tmp_path / "dist"), str(sdist),
         cwd=str(tmp_path))
    (wheel,) = (tmp_path / "dist").iterdir()
    names, _ = _wheel_tags(wheel)
    assert "weft/_native/libweft.so" in names
    assert "weft/_speedups.abi3.so" in names  # the accelerator builds from the sdist too
    with zipfile.ZipFile(wheel) as z:
        z.extract("weft/_native/libweft.so", tmp_path / "unpacked")
    check = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]);"
             "lib.weft_status_str.restype = ctypes.c_char_p;"
             "print(lib.weft_status_str(0).decode())")
    proc = _run([python, "-c", check, str(tmp_path / "unpacked" / NATIVE)],
                cwd=str(tmp_path))
    assert proc.stdout.strip() == "WEFT_OK"
