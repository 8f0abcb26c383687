"""Builds libweft.so from the repository's Rust crate with cargo (setuptools-rust, a
no-binding cdylib) and ships it inside the package as weft/_native/libweft.so.

The metadata is in pyproject.toml; this file only says where the crate is and adjusts
three setuptools commands:

* the crate: in a clone it is the repository root (../../Cargo.toml); in an sdist it is
  the copy that `sdist` below puts in rust/ (the sdist is built from a clone);
* build_ext: the library keeps its C name, libweft.so, instead of a CPython extension
  module's name (libweft.cpython-311-x86_64-linux-gnu.so): it is loaded with ctypes;
* bdist_wheel: the wheel carries a native library for one platform. With the optional
  accelerator weft._speedups (a C extension on CPython's stable ABI, 3.10+) it is tagged
  cp310-abi3-<platform>; when that could not be built (no C compiler or Python headers,
  or Python 3.9) it is tagged py3-none-<platform>: any Python 3 there loads the
  library with ctypes alone (weft/_hot.py).
"""

import os
import re
import shutil

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist
from setuptools_rust import Binding, RustExtension

try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1
except ImportError:  # an older setuptools (a --no-build-isolation build) with `wheel`
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
SDIST_CRATE = "rust"                         # where an sdist carries the crate
REPO_ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
LIBRARY_MODULE = "weft._native.libweft"      # -> weft/_native/libweft.so
# What building libweft needs from the repository (the sdist copies exactly this).
CRATE_FILES = ["Cargo.toml", "Cargo.lock", "build.rs", "cbindgen.toml"]
CRATE_DIRS = ["src", "include"]
# The optional accelerator: CPython's stable ABI as of 3.10 (its source defines
# Py_LIMITED_API 0x030A0000), so one build serves every later CPython.
# It calls nothing from libc, but it is linked to it anyway so that auditwheel can tell
# which libc the wheel is for (it refuses an extension that names none).
SPEEDUPS = Extension("weft._speedups", ["weft/_speedups.c"], py_limited_api=True,
                     optional=True, extra_compile_args=["-O2"],
                     extra_link_args=["-Wl,--no-as-needed", "-lc"])
SPEEDUPS_ABI = "cp310"


def _is_weft_crate(manifest):
    try:
        with open(manifest, encoding="utf-8") as f:
            return re.search(r'(?m)^\[package\]\s*\nname = "weft"$', f.read()) is not None
    except OSError:
        return False


def _crate_dir():
    bundled = os.path.join(HERE, SDIST_CRATE)
    if _is_weft_crate(os.path.join(bundled, "Cargo.toml")):
        return bundled
    if _is_weft_crate(os.path.join(REPO_ROOT, "Cargo.toml")):
        return REPO_ROOT
    raise RuntimeError(
        f"weft: the Rust crate is neither in {bundled} (an sdist) nor at {REPO_ROOT} "
        "(a clone of the repository, building bindings/python)")


def _cargo_env(crate_dir):
    env = dict(os.environ)
    if crate_dir == REPO_ROOT:
        # Not the clone's target/release: cargo builds the cdylib with other flags here
        # (`cargo rustc --crate-type cdylib`), so sharing that directory would make this
        # build and `cargo build --release` (CMake) rebuild each other's library in turn.
        env.setdefault("CARGO_TARGET_DIR", os.path.join(REPO_ROOT, "target", "python"))
    return env


def _single_package_manifest(text):
    """The crate's Cargo.toml with its workspace reduced to itself: the other members
    (tests, benchmarks) are not in the sdist, and cargo refuses a missing member."""
    new, n = re.subn(r'(?ms)^(\[workspace\]\s*\nmembers = )\[[^\]]*\]', r'\1["."]', text)
    if n != 1:
        raise RuntimeError("weft sdist: Cargo.toml has no `[workspace]\\nmembers = [...]` "
                           "to reduce; update _single_package_manifest in setup.py")
    return new


class sdist_with_crate(sdist):
    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        crate = _crate_dir()
        dest = os.path.join(base_dir, SDIST_CRATE)
        os.makedirs(dest, exist_ok=True)
        for name in CRATE_FILES:
            shutil.copy2(os.path.join(crate, name), os.path.join(dest, name))
        with open(os.path.join(crate, "Cargo.toml"), encoding="utf-8") as f:
            manifest = _single_package_manifest(f.read())
        with open(os.path.join(dest, "Cargo.toml"), "w", encoding="utf-8") as f:
            f.write(manifest)
        for name in CRATE_DIRS:
            shutil.copytree(os.path.join(crate, name), os.path.join(dest, name),
                            dirs_exist_ok=True)


class build_ext_c_library(build_ext):
    def get_ext_filename(self, fullname):
        if fullname.split(".")[-1] == LIBRARY_MODULE.split(".")[-1]:
            return os.path.join(*fullname.split(".")) + ".so"
        return super().get_ext_filename(fullname)


class bdist_wheel_for_platform(bdist_wheel):
    def _speedups_built(self):
        build_ext_cmd = self.get_finalized_command("build_ext")
        return any(os.path.exists(path) and "_speedups" in os.path.basename(path)
                   for path in build_ext_cmd.get_outputs())

    def get_tag(self):
        _, _, platform = super().get_tag()
        if self._speedups_built():
            return SPEEDUPS_ABI, "abi3", platform
        return "py3", "none", platform


CRATE_DIR = _crate_dir()
setup(
    rust_extensions=[RustExtension(
        LIBRARY_MODULE,
        path=os.path.join(CRATE_DIR, "Cargo.toml"),
        binding=Binding.NoBinding,
        debug=False,   # an editable install gets the same optimized library as a wheel
        env=_cargo_env(CRATE_DIR),
    )],
    ext_modules=[SPEEDUPS],
    cmdclass={"sdist": sdist_with_crate, "build_ext": build_ext_c_library,
              "bdist_wheel": bdist_wheel_for_platform},
    zip_safe=False,
)
