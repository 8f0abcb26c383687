# The libraries as `cmake --install` puts them: copies of cargo's output, stripped of
# debug info (WEFT_STRIP), staged in <build>/installed-lib under their versioned names
# with the link chain packagers expect (docs/abi.md):
#
#   libweft.so -> libweft.so.0 -> libweft.so.0.1.0   (the soname is libweft.so.0: build.rs)
#   libweft.a
#
# The in-tree targets keep using cargo's unstripped files (symbols for sanitizer and
# debugger backtraces). Included from CMakeLists.txt's install section.
option(WEFT_STRIP "Install the libraries stripped of debug info (OFF: a packager's tools split it)" ON)

set(WEFT_REAL_NAME "libweft.so.${PROJECT_VERSION}")
set(WEFT_SONAME "libweft.so.${PROJECT_VERSION_MAJOR}")
set(WEFT_STAGE "${CMAKE_CURRENT_BINARY_DIR}/installed-lib")

set(WEFT_STRIP_COMMANDS)
if(WEFT_STRIP)
  if(NOT CMAKE_STRIP)
    message(FATAL_ERROR "WEFT_STRIP is ON but CMake found no strip tool (set CMAKE_STRIP or -DWEFT_STRIP=OFF)")
  endif()
  # --strip-debug: the DWARF goes, the symbol table stays (function names in profiles).
  set(WEFT_STRIP_COMMANDS
    COMMAND "${CMAKE_STRIP}" --strip-debug "${WEFT_STAGE}/${WEFT_REAL_NAME}"
    COMMAND "${CMAKE_STRIP}" --strip-debug "${WEFT_STAGE}/libweft.a")
endif()

add_custom_command(
  OUTPUT "${WEFT_STAGE}/${WEFT_REAL_NAME}" "${WEFT_STAGE}/${WEFT_SONAME}"
         "${WEFT_STAGE}/libweft.so" "${WEFT_STAGE}/libweft.a"
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${WEFT_STAGE}"
  COMMAND "${CMAKE_COMMAND}" -E copy "${WEFT_SHARED}" "${WEFT_STAGE}/${WEFT_REAL_NAME}"
  COMMAND "${CMAKE_COMMAND}" -E copy "${WEFT_STATIC}" "${WEFT_STAGE}/libweft.a"
  ${WEFT_STRIP_COMMANDS}
  COMMAND "${CMAKE_COMMAND}" -E create_symlink "${WEFT_REAL_NAME}" "${WEFT_STAGE}/${WEFT_SONAME}"
  COMMAND "${CMAKE_COMMAND}" -E create_symlink "${WEFT_SONAME}" "${WEFT_STAGE}/libweft.so"
  DEPENDS "${WEFT_SHARED}" "${WEFT_STATIC}"
  COMMENT "Staging the installed libweft (${WEFT_REAL_NAME}, links, libweft.a)")
add_custom_target(weft_installed_library ALL
  DEPENDS "${WEFT_STAGE}/${WEFT_REAL_NAME}" "${WEFT_STAGE}/libweft.a")
add_dependencies(weft_installed_library weft_cargo)

# The shared library is executable (as the linker makes it); the links are installed as
# links; the archive is a plain file.
install(PROGRAMS "${WEFT_STAGE}/${WEFT_REAL_NAME}" DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(FILES "${WEFT_STAGE}/${WEFT_SONAME}" "${WEFT_STAGE}/libweft.so" "${WEFT_STAGE}/libweft.a"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}")
