# The GUI-plus-network example (issue 17): examples/gtk_net/ (GTK 4, libuv, GLib, weft),
# built plain and with ASan+LSan, and its headless test (label gui) run under xvfb-run with
# a load client: tests/gui/gtk_net_check.py. Included from CMakeLists.txt. Skipped, with a
# message, when GTK 4 or libuv is not found through pkg-config; the tests alone are
# skipped when xvfb-run or python3 is missing. Built only with WEFT_BUILD_EXAMPLES (the
# tests also need BUILD_TESTING).
if(NOT WEFT_BUILD_EXAMPLES)
  return()
endif()
find_package(PkgConfig)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(WEFT_GTK4 IMPORTED_TARGET gtk4)
  pkg_check_modules(WEFT_GTK_LIBUV IMPORTED_TARGET libuv)
endif()
if(NOT WEFT_GTK4_FOUND OR NOT WEFT_GTK_LIBUV_FOUND)
  message(STATUS "weft gtk: gtk4 or libuv not found (pkg-config): examples/gtk_net and its gui tests skipped")
  return()
endif()

file(GLOB WEFT_GTK_NET_SOURCES CONFIGURE_DEPENDS "${WEFT_SOURCE_DIR}/examples/gtk_net/*.c")

# gtk_net (plain) and gtk_net_asan (AddressSanitizer + LeakSanitizer).
foreach(exe IN ITEMS gtk_net gtk_net_asan)
  add_executable(${exe} ${WEFT_GTK_NET_SOURCES})
  target_link_libraries(${exe} PRIVATE weft::weft PkgConfig::WEFT_GTK4 PkgConfig::WEFT_GTK_LIBUV
                        Threads::Threads)
  set_target_properties(${exe} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
  target_compile_options(${exe} PRIVATE -Wall -Wextra -Werror -g)
endforeach()
target_compile_options(gtk_net_asan PRIVATE -fsanitize=address -fno-omit-frame-pointer)
target_link_options(gtk_net_asan PRIVATE -fsanitize=address)

if(NOT BUILD_TESTING)
  return()
endif()
find_program(WEFT_XVFB_RUN xvfb-run)
find_package(Python3 COMPONENTS Interpreter)
if(NOT WEFT_XVFB_RUN OR NOT Python3_Interpreter_FOUND)
  message(STATUS "weft gtk: xvfb-run or python3 not found: the gui tests are not registered")
  return()
endif()

# weft_gtk_net_test(<name> <exe> [ARGS...]): the app under a fresh Xvfb (-a: a free display
# number) with the load client; every check is in gtk_net_check.py. The cairo renderer
# keeps the run independent of the GL stack Xvfb happens to offer.
function(weft_gtk_net_test name exe)
  add_test(NAME ${name}
    COMMAND "${WEFT_XVFB_RUN}" -a -s "-screen 0 1280x1024x24"
            "${Python3_EXECUTABLE}" "${WEFT_SOURCE_DIR}/tests/gui/gtk_net_check.py"
            --app $<TARGET_FILE:${exe}> --out "${CMAKE_CURRENT_BINARY_DIR}/gui" --name ${name}
            ${ARGN})
  # One Xvfb at a time: two `xvfb-run -a` starting together can pick the same display.
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS gui RESOURCE_LOCK xvfb
    ENVIRONMENT "GSK_RENDERER=cairo;GDK_BACKEND=x11;NO_AT_BRIDGE=1;GTK_A11Y=none")
endfunction()

# Quit by the button once every message was shown (with the screenshot under load); by
# closing the window halfway through the load (what is in the pipeline then drains); the
# plain GLib handoff; both quit paths under ASan+LSan; and SIGTERM with no load at all.
weft_gtk_net_test(gtk_net_gui gtk_net --mode weft --quit-by button --screenshot)
weft_gtk_net_test(gtk_net_gui_close_midway gtk_net --mode weft --quit-by close --quit-midway)
weft_gtk_net_test(gtk_net_gui_gasync gtk_net --mode gasync --quit-by button)
weft_gtk_net_test(gtk_net_gui_asan gtk_net_asan --mode weft --quit-by button --messages 4000)
weft_gtk_net_test(gtk_net_gui_asan_close_midway gtk_net_asan --mode weft --quit-by close
                  --quit-midway --messages 4000)
weft_gtk_net_test(gtk_net_gui_asan_idle_quit gtk_net_asan --mode weft --idle-quit)
foreach(name IN ITEMS gtk_net_gui_asan gtk_net_gui_asan_close_midway gtk_net_gui_asan_idle_quit)
  set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT
    "ASAN_OPTIONS=detect_leaks=1"
    "LSAN_OPTIONS=suppressions=${WEFT_SOURCE_DIR}/tests/gui/gtk_net.lsan.supp:print_suppressions=0")
  set_property(TEST ${name} APPEND PROPERTY LABELS asan)
endforeach()
