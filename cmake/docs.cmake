# The API reference: Doxygen HTML from the comments of include/weft.h (which cbindgen
# copies from src/ffi), include/weft_loop.h, include/weft_uv.h, include/weft_glib.h and include/weft.hpp,
# configured by docs/api/Doxyfile.in.
#   cmake --build build --target docs        -> build/docs/html/index.html
# The api_reference test builds it once more with every Doxygen warning an error: an
# undocumented function, type, constant or status, or a malformed comment, fails it.
# Without Doxygen (scripts/setup-deps.sh installs it) both are skipped, with a message.
find_package(Doxygen)
if(NOT DOXYGEN_FOUND)
  message(STATUS "weft: doxygen not found: no 'docs' target, no api_reference test")
  return()
endif()

set(WEFT_DOCS_INPUT "${WEFT_SOURCE_DIR}/docs/api/mainpage.md")
foreach(header IN ITEMS weft.h weft_loop.h weft_uv.h weft_glib.h weft.hpp)
  string(APPEND WEFT_DOCS_INPUT " ${WEFT_SOURCE_DIR}/include/${header}")
endforeach()

# weft_doxyfile(<output dir> <WARN_AS_ERROR value>): writes <output dir>.Doxyfile.
function(weft_doxyfile WEFT_DOCS_OUTPUT WEFT_DOCS_WARN_AS_ERROR)
  configure_file("${WEFT_SOURCE_DIR}/docs/api/Doxyfile.in" "${WEFT_DOCS_OUTPUT}.Doxyfile" @ONLY)
endfunction()

weft_doxyfile("${CMAKE_CURRENT_BINARY_DIR}/docs" NO)
add_custom_target(docs
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/docs"
  COMMAND Doxygen::doxygen "${CMAKE_CURRENT_BINARY_DIR}/docs.Doxyfile"
  WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
  COMMENT "API reference: ${CMAKE_CURRENT_BINARY_DIR}/docs/html/index.html")

if(BUILD_TESTING)
  weft_doxyfile("${CMAKE_CURRENT_BINARY_DIR}/docs-check" FAIL_ON_WARNINGS)
  add_test(NAME api_reference
    COMMAND Doxygen::doxygen "${CMAKE_CURRENT_BINARY_DIR}/docs-check.Doxyfile"
    WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  set_tests_properties(api_reference PROPERTIES TIMEOUT 120 LABELS docs)
endif()
