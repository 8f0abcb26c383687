# C++: include/weft.hpp (header-only over weft.h), its tests and its example.
#
# Every tests/cpp/test_*.cpp is one program, built -std=c++17 -Wall -Wextra -Werror and
# linked against the real libweft.so, run plain (cpp_<name>) and under AddressSanitizer
# with LeakSanitizer (cpp_<name>_asan). tests/cpp/header_alone.cpp (the header on its own
# in a second translation unit) is linked into every one of them.
#   ctest --test-dir build -R cpp --output-on-failure
# The tests follow BUILD_TESTING and WEFT_BUILD_CXX_TESTS, the example WEFT_BUILD_EXAMPLES;
# a C++ compiler is needed only when one of them is on.
set(WEFT_CXX_TESTS OFF)
if(BUILD_TESTING AND WEFT_BUILD_CXX_TESTS)
  set(WEFT_CXX_TESTS ON)
endif()
if(NOT WEFT_CXX_TESTS AND NOT WEFT_BUILD_EXAMPLES)
  return()
endif()
enable_language(CXX)

set(WEFT_CPP_FLAGS -Wall -Wextra -Werror -Wpedantic -g)

# (weft.hpp is installed beside weft.h by the install(DIRECTORY include/ ...) rule.)

if(WEFT_CXX_TESTS)
  file(GLOB WEFT_CPP_TESTS CONFIGURE_DEPENDS "${WEFT_SOURCE_DIR}/tests/cpp/test_*.cpp")
  foreach(source IN LISTS WEFT_CPP_TESTS)
    get_filename_component(name "${source}" NAME_WE)
    foreach(exe IN ITEMS cpp_${name} cpp_${name}_asan)
      add_executable(${exe} "${source}" "${WEFT_SOURCE_DIR}/tests/cpp/header_alone.cpp")
      target_include_directories(${exe} PRIVATE "${WEFT_SOURCE_DIR}/tests/cpp")
      target_link_libraries(${exe} PRIVATE weft::weft Threads::Threads)
      set_target_properties(${exe} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
        CXX_EXTENSIONS OFF)
      target_compile_options(${exe} PRIVATE ${WEFT_CPP_FLAGS})
      add_test(NAME ${exe} COMMAND ${exe})
    endforeach()
    target_compile_options(cpp_${name}_asan PRIVATE -fsanitize=address -fno-omit-frame-pointer)
    target_link_options(cpp_${name}_asan PRIVATE -fsanitize=address)
    set_tests_properties(cpp_${name} PROPERTIES TIMEOUT 300 LABELS cpp)
    set_tests_properties(cpp_${name}_asan PROPERTIES TIMEOUT 300 LABELS "cpp;asan"
      ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1")
  endforeach()
endif()

# The example: std::scoped_lock over weft mutexes shared with a plain C (pthread) thread.
if(WEFT_BUILD_EXAMPLES)
  add_executable(cpp_scoped_lock examples/cpp_scoped_lock.cpp)
  target_link_libraries(cpp_scoped_lock PRIVATE weft::weft Threads::Threads)
  set_target_properties(cpp_scoped_lock PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF)
  target_compile_options(cpp_scoped_lock PRIVATE ${WEFT_CPP_FLAGS})
  if(BUILD_TESTING)
    add_test(NAME cpp_example_scoped_lock COMMAND cpp_scoped_lock)
    set_tests_properties(cpp_example_scoped_lock PROPERTIES TIMEOUT 120 LABELS cpp)
  endif()
endif()

# The installed weft.hpp, used by a consumer built through pkg-config.
if(WEFT_CXX_TESTS)
  add_test(NAME cpp_install_header
    COMMAND bash "${WEFT_SOURCE_DIR}/tests/cpp/check_install.sh" "${CMAKE_CURRENT_BINARY_DIR}"
            "${CMAKE_CXX_COMPILER}")
  set_tests_properties(cpp_install_header PROPERTIES TIMEOUT 300 LABELS cpp)
endif()
