# The Go binding (bindings/go, package weft): go vet, its tests (plain and under the race
# detector), a benchmark smoke run, and the example in examples/go, all labelled "go".
#
# The package finds include/ and target/release (with an rpath) relative to its own
# directory; this file adds the cargo target directory CMake uses (it may be a custom
# CARGO_TARGET_DIR) through CGO_LDFLAGS. Installed users add pkg-config's flags. The go
# command gets its build cache and GOPATH under the build directory (CI runs as root with
# no HOME to speak of, and no network: the module has no dependencies, GOPROXY=off
# makes sure nothing is fetched). scripts/setup-deps.sh installs Debian's golang-go.
# Nothing to do in a library-only build (-DBUILD_TESTING=OFF, where CTest defines it).
if(DEFINED BUILD_TESTING AND NOT BUILD_TESTING)
  return()
endif()
find_program(GO_EXECUTABLE go)
if(NOT GO_EXECUTABLE)
  message(WARNING "weft: no go command found; the Go binding's tests are not registered")
  return()
endif()

set(WEFT_GO_DIR "${CMAKE_CURRENT_BINARY_DIR}/go")
set(WEFT_GO_ENV
  "CGO_LDFLAGS=-L${WEFT_TARGET_DIR}/release -Wl,-rpath,${WEFT_TARGET_DIR}/release"
  "GOCACHE=${WEFT_GO_DIR}/cache"
  "GOPATH=${WEFT_GO_DIR}/path"
  "GOPROXY=off"
  "GOFLAGS="
  "CGO_ENABLED=1")

# weft_go_test(<name> <dir> <go args>...): runs "go <args>" in <dir> with WEFT_GO_ENV.
function(weft_go_test name dir)
  add_test(NAME ${name}
    COMMAND "${CMAKE_COMMAND}" -E env ${WEFT_GO_ENV} "${GO_EXECUTABLE}" ${ARGN}
    WORKING_DIRECTORY "${dir}")
  set_tests_properties(${name} PROPERTIES TIMEOUT 900 LABELS go)
endfunction()

set(WEFT_GO_PACKAGE "${WEFT_SOURCE_DIR}/bindings/go")
weft_go_test(go_vet "${WEFT_GO_PACKAGE}" vet ./...)
weft_go_test(go_tests "${WEFT_GO_PACKAGE}" test -count=1 ./...)
weft_go_test(go_tests_race "${WEFT_GO_PACKAGE}" test -race -count=1 ./...)
weft_go_test(go_bench_smoke "${WEFT_GO_PACKAGE}"
  test -count=1 -run "^$" -bench "CgoCall|Mutex|Semaphore|QueueHandoff" -benchtime 100x .)
if(NOT DEFINED WEFT_BUILD_EXAMPLES OR WEFT_BUILD_EXAMPLES)
  weft_go_test(go_example "${WEFT_SOURCE_DIR}/examples/go" run .)
endif()
# The two test runs each take both CPUs and up to ~1 GB (100,000 waiting goroutines).
set_tests_properties(go_tests go_tests_race PROPERTIES RUN_SERIAL TRUE)
