# The Python binding (bindings/python): its pytest suite, which also runs CPython's
# test.lock_tests and test.test_queue against weft.threading / weft.queue and runs the
# examples in examples/python, against the libweft.so cargo built here (WEFT_LIBRARY).
# scripts/setup-deps.sh installs what it needs (pytest, trio, anyio, and the
# libpython3-testsuite package for CPython's test modules). Pass
# -DPython3_EXECUTABLE=... to choose the interpreter.
if(NOT BUILD_TESTING)
  return()
endif()
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME python_tests
    COMMAND "${Python3_EXECUTABLE}" -m pytest -q -p no:cacheprovider
            "${WEFT_SOURCE_DIR}/bindings/python/tests"
            --ignore "${WEFT_SOURCE_DIR}/bindings/python/tests/test_install.py"
    WORKING_DIRECTORY "${WEFT_SOURCE_DIR}/bindings/python")
  set_tests_properties(python_tests PROPERTIES
    ENVIRONMENT "WEFT_LIBRARY=${WEFT_SHARED};PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 900 RUN_SERIAL TRUE LABELS python)
  # The package as a user gets it (every pip and python it runs has no WEFT_LIBRARY):
  # pip install / install -e / wheel in fresh venvs build libweft.so with cargo (into
  # target/python) and bundle it; an sdist builds on its own (a second, cold cargo build
  # in pip's temporary directory).
  # Needs the package index for the build backend (setuptools, setuptools-rust) and
  # sniffio, and python3-venv, build and auditwheel (scripts/setup-deps.sh).
  add_test(NAME python_install
    COMMAND "${Python3_EXECUTABLE}" -m pytest -q -p no:cacheprovider
            "${WEFT_SOURCE_DIR}/bindings/python/tests/test_install.py"
    WORKING_DIRECTORY "${WEFT_SOURCE_DIR}/bindings/python")
  set_tests_properties(python_install PROPERTIES
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 1200 LABELS python)
else()
  message(WARNING "weft: no Python 3 interpreter found; python_tests and python_install not registered")
endif()
