# Event loop integration (issue 5, loop part): include/weft_uv.h and include/weft_glib.h are
# header-only; this file builds their examples, the loop tests (plain, ASan+LSan, valgrind)
# and the wake-up benchmark. Included from CMakeLists.txt. Everything here is skipped, with
# a message, when libuv or GLib is not found through pkg-config. The examples follow
# WEFT_BUILD_EXAMPLES, the tests and the benchmark BUILD_TESTING.
if(NOT WEFT_BUILD_EXAMPLES AND NOT BUILD_TESTING)
  return()
endif()
find_package(PkgConfig)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(WEFT_LIBUV IMPORTED_TARGET libuv)
  pkg_check_modules(WEFT_GLIB IMPORTED_TARGET glib-2.0)
endif()
if(NOT WEFT_LIBUV_FOUND OR NOT WEFT_GLIB_FOUND)
  message(STATUS "weft loops: libuv or glib-2.0 not found (pkg-config): loop examples, tests and benchmarks skipped")
  return()
endif()

# weft_loop_exe(<name> <source> [ASAN]): a C11 program against libweft.so, libuv and GLib,
# with every warning an error.
function(weft_loop_exe name source)
  add_executable(${name} "${source}")
  target_link_libraries(${name} PRIVATE weft::weft PkgConfig::WEFT_LIBUV PkgConfig::WEFT_GLIB
                        Threads::Threads)
  set_target_properties(${name} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
  target_compile_options(${name} PRIVATE -Wall -Wextra -Werror -g)
  if("ASAN" IN_LIST ARGN)
    target_compile_options(${name} PRIVATE -fsanitize=address -fno-omit-frame-pointer)
    target_link_options(${name} PRIVATE -fsanitize=address)
  endif()
endfunction()

# --- examples: each checks its own invariants and exits non-zero on failure
foreach(name IN ITEMS headline_uv glib_uv_queue pool_uv_semaphore)
  if(WEFT_BUILD_EXAMPLES AND EXISTS "${WEFT_SOURCE_DIR}/examples/${name}.c")
    weft_loop_exe(${name} "${WEFT_SOURCE_DIR}/examples/${name}.c")
    if(BUILD_TESTING)
      add_test(NAME ${name} COMMAND ${name})
      set_tests_properties(${name} PROPERTIES TIMEOUT 120 LABELS "loops;example")
      weft_loop_exe(${name}_asan "${WEFT_SOURCE_DIR}/examples/${name}.c" ASAN)
      add_test(NAME ${name}_asan COMMAND ${name}_asan)
      set_tests_properties(${name}_asan PROPERTIES TIMEOUT 300 LABELS "loops;example;asan"
        ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1")
    endif()
  endif()
endforeach()
if(NOT BUILD_TESTING)
  return()
endif()

# --- tests/loops: each test_*.c runs plain, under ASan+LSan and under valgrind, like the
# C suite (weft_c_test in CMakeLists.txt).
file(GLOB WEFT_LOOP_TESTS CONFIGURE_DEPENDS "${WEFT_SOURCE_DIR}/tests/loops/test_*.c")
foreach(source IN LISTS WEFT_LOOP_TESTS)
  weft_c_test("${source}" LABEL loops LIBS PkgConfig::WEFT_LIBUV PkgConfig::WEFT_GLIB)
endforeach()

# --- benches/loops: thread -> loop wake-up round trips, weft against the loops' own
# wake-ups (docs/performance.md, issue 5). Not a test; only a quick smoke run is registered.
weft_loop_exe(bench_wake "${WEFT_SOURCE_DIR}/benches/loops/bench_wake.c")
target_compile_options(bench_wake PRIVATE -O2)
add_test(NAME bench_wake_smoke COMMAND bench_wake)
set_tests_properties(bench_wake_smoke PROPERTIES TIMEOUT 120 LABELS "loops;bench"
  ENVIRONMENT "WEFT_BENCH_QUICK=1")
