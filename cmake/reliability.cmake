# Reliability checks (docs/reliability.md).
#
# - soak / soak_asan: tests/soak/soak.c for 10 s each (every primitive and queue kind at
#   once; the program defaults to 60 s when run by hand), plain and under AddressSanitizer
#   with LeakSanitizer. Built -O2 so that 10 s do real work.
# - soak_tsan: the same under ThreadSanitizer (scripts/soak-tsan.sh): local runs with a
#   nightly toolchain that has rust-src; skipped (exit 77) otherwise and under CI.
# - fuzz_abi_smoke: 30 s of libFuzzer on fuzz/ (scripts/fuzz-smoke.sh): local runs with
#   nightly and cargo-fuzz; skipped otherwise and under CI.
# (The stable-toolchain random-argument run, tests/c/test_random_args.c, is part of the C
# suite; the property tests tests/model_*.rs run in cargo_tests; the loom models
# tests/loom*.rs each get their own ctest.)
#   ctest --test-dir build -L reliability --output-on-failure
# Follows BUILD_TESTING where the build defines it.
if(DEFINED BUILD_TESTING AND NOT BUILD_TESTING)
  return()
endif()
foreach(exe IN ITEMS soak soak_asan)
  add_executable(${exe} "${WEFT_SOURCE_DIR}/tests/soak/soak.c")
  target_link_libraries(${exe} PRIVATE weft::weft Threads::Threads)
  set_target_properties(${exe} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
  target_compile_options(${exe} PRIVATE -Wall -Wextra -Werror -O2 -g)
  add_test(NAME ${exe} COMMAND ${exe} --seconds 10)
endforeach()
target_compile_options(soak_asan PRIVATE -fsanitize=address -fno-omit-frame-pointer)
target_link_options(soak_asan PRIVATE -fsanitize=address)
set_tests_properties(soak PROPERTIES TIMEOUT 300 LABELS "reliability;soak")
set_tests_properties(soak_asan PROPERTIES TIMEOUT 300 LABELS "reliability;soak;asan"
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1")

add_test(NAME soak_tsan COMMAND bash "${WEFT_SOURCE_DIR}/scripts/soak-tsan.sh" 10)
add_test(NAME fuzz_abi_smoke
  COMMAND bash "${WEFT_SOURCE_DIR}/scripts/fuzz-smoke.sh" 30 "${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus")
set_tests_properties(soak_tsan fuzz_abi_smoke PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE
  SKIP_RETURN_CODE 77 LABELS "reliability;nightly")
# soak_tsan builds the standard library with ThreadSanitizer (nightly, -Zbuild-std):
# minutes of CPU, so it is not part of the default run; run it by hand with
# `bash scripts/soak-tsan.sh 60` (its last result is in docs/reliability.md). The race it
# found (finding 1: `Popped::complete` read a thread waiter after the CAS that lets it
# return) is fixed; since then it reports nothing.
set_tests_properties(soak_tsan PROPERTIES DISABLED TRUE)
