# The Python binding (bindings/python): its pytest suite, which also runs CPython's
# test.lock_tests and test.test_queue against weft.threading / weft.queue and runs the
# examples in examples/python, against the libweft.so cargo built here (WEFT_LIBRARY).
# scripts/setup-deps.sh installs what it needs (pytest, trio, anyio, and the
# libpython3-testsuite package for CPython's test modules). Pass
# -DPython3_EXECUTABLE=... to choose the interpreter.
if(NOT BUILD_TESTING)
  return()
endif()
find_package(Python3 COMPONENTS Interpreter OPTIONAL_COMPONENTS Development.Module)
if(Python3_Interpreter_FOUND)
  # The optional accelerator weft._speedups (bindings/python/weft/_speedups.c), built
  # here as pip builds it (CPython's stable ABI, no libpython linked) and handed to the
  # suite through WEFT_SPEEDUPS; python_tests_ctypes runs the hot-path tests again
  # without it (WEFT_SPEEDUPS=0), the way a user without a C compiler gets the package.
  if(Python3_Development.Module_FOUND)
    add_library(weft_py_speedups MODULE "${WEFT_SOURCE_DIR}/bindings/python/weft/_speedups.c")
    target_include_directories(weft_py_speedups PRIVATE ${Python3_INCLUDE_DIRS})
    target_compile_options(weft_py_speedups PRIVATE -Wall -Wextra -Werror)
    set_target_properties(weft_py_speedups PROPERTIES
      PREFIX "" OUTPUT_NAME "_speedups" SUFFIX ".abi3.so"
      LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/python")
    set(weft_speedups "$<TARGET_FILE:weft_py_speedups>")
  else()
    message(WARNING "weft: no Python headers (Debian: python3-dev); python_tests run "
                    "without the weft._speedups accelerator")
    set(weft_speedups "0")
  endif()
  add_test(NAME python_tests
    COMMAND "${Python3_EXECUTABLE}" -m pytest -q -p no:cacheprovider
            "${WEFT_SOURCE_DIR}/bindings/python/tests"
            --ignore "${WEFT_SOURCE_DIR}/bindings/python/tests/test_install.py"
    WORKING_DIRECTORY "${WEFT_SOURCE_DIR}/bindings/python")
  set_tests_properties(python_tests PROPERTIES
    ENVIRONMENT "WEFT_LIBRARY=${WEFT_SHARED};WEFT_SPEEDUPS=${weft_speedups};PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 900 RUN_SERIAL TRUE LABELS python)
  # the hot paths (locks, queues, the handles) once more over ctypes alone
  add_test(NAME python_tests_ctypes
    COMMAND "${Python3_EXECUTABLE}" -m pytest -q -p no:cacheprovider
            tests/test_hot.py tests/test_lock_tests.py tests/test_stdlib_queue.py
            tests/test_queue_extra.py tests/test_handles.py
    WORKING_DIRECTORY "${WEFT_SOURCE_DIR}/bindings/python")
  set_tests_properties(python_tests_ctypes PROPERTIES
    ENVIRONMENT "WEFT_LIBRARY=${WEFT_SHARED};WEFT_SPEEDUPS=0;PYTHONDONTWRITEBYTECODE=1"
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
