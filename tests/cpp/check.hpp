// Tiny assertion helpers for the C++ suite (tests/cpp). A failed CHECK prints file:line and
// the expression and ends the process with exit status 1. A watchdog thread turns a hang
// into a failure (a hang detector only; WEFT_TEST_WATCHDOG=<seconds> overrides it).
#ifndef WEFT_TEST_CHECK_HPP
#define WEFT_TEST_CHECK_HPP

#include <weft.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace check_detail {
[[noreturn]] inline void fail() {
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(1);
}
}  // namespace check_detail

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            check_detail::fail();                                                    \
        }                                                                            \
    } while (0)

// expr must throw weft::error carrying status.
#define CHECK_THROWS_STATUS(expr, expected_status)                                            \
    do {                                                                             \
        bool thrown_ = false;                                                        \
        try {                                                                        \
            (void)(expr);                                                            \
        } catch (const weft::error& e_) {                                            \
            thrown_ = true;                                                          \
            if (e_.status() != (expected_status)) {                                           \
                std::fprintf(stderr, "%s:%d: %s threw %s, expected %s\n", __FILE__,  \
                             __LINE__, #expr, e_.status_str(), weft_status_str(expected_status)); \
                check_detail::fail();                                                \
            }                                                                        \
            if (std::strstr(e_.what(), weft_status_str(expected_status)) == nullptr) {        \
                std::fprintf(stderr, "%s:%d: what() = \"%s\" lacks %s\n", __FILE__,  \
                             __LINE__, e_.what(), weft_status_str(expected_status));           \
                check_detail::fail();                                                \
            }                                                                        \
        }                                                                            \
        if (!thrown_) {                                                              \
            std::fprintf(stderr, "%s:%d: %s did not throw %s\n", __FILE__, __LINE__, \
                         #expr, weft_status_str(expected_status));                             \
            check_detail::fail();                                                    \
        }                                                                            \
    } while (0)

#define CHECK_STATUS(expr, expected)                                                 \
    do {                                                                             \
        const weft_status got_ = (expr);                                             \
        if (got_ != (expected)) {                                                    \
            std::fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__,   \
                         __LINE__, #expr, weft_status_str(got_), weft_status_str(expected)); \
            check_detail::fail();                                                    \
        }                                                                            \
    } while (0)

inline void start_watchdog(int default_seconds = 120) {
    int seconds = default_seconds;
    if (const char* env = std::getenv("WEFT_TEST_WATCHDOG")) seconds = std::atoi(env);
    std::thread([seconds] {
        std::this_thread::sleep_for(std::chrono::seconds(seconds));
        std::fprintf(stderr, "watchdog: the test hung for %d s\n", seconds);
        check_detail::fail();
    }).detach();
}

#define RUN(test)                                                                    \
    do {                                                                             \
        std::printf("%s\n", #test);                                                  \
        std::fflush(stdout);                                                         \
        test();                                                                      \
    } while (0)

#endif
