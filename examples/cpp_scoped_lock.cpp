// C++ and C sharing two weft locks. C++ threads take both with std::scoped_lock (the
// standard deadlock-avoiding algorithm over weft::mutex); a plain pthread takes the same
// handles through the C API (weft_lock_acquire/release), in the opposite order. Each
// holder of both locks checks and updates a pair of counters that must stay equal.
// Exits non-zero if the invariant ever breaks or a count is lost.
#include <weft.h>
#include <weft.hpp>

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace {

struct shared_state {
    weft_lock* a;  // raw handles, as C code sees them
    weft_lock* b;
    weft_countdown* start;  // everyone starts together: real contention
    long x = 0;  // guarded by a
    long y = 0;  // guarded by b; x == y whenever both are held
    std::atomic<bool> broken{false};
};

constexpr int cpp_threads = 3;
constexpr int rounds = 20000;

}  // namespace

// The C side: only the C API, as a C library sharing the handles would.
extern "C" void* c_worker(void* arg) {
    shared_state* s = static_cast<shared_state*>(arg);
    if (weft_countdown_down(s->start) != WEFT_OK) return arg;
    if (weft_countdown_wait(s->start, WEFT_FOREVER) != WEFT_OK) return arg;
    for (int i = 0; i < rounds; ++i) {
        if (weft_lock_acquire(s->b, WEFT_FOREVER) != WEFT_OK) return arg;  // b first
        if (weft_lock_acquire(s->a, WEFT_FOREVER) != WEFT_OK) return arg;
        if (s->x != s->y) s->broken = true;
        s->x += 1;
        s->y += 1;
        if (weft_lock_release(s->a) != WEFT_OK || weft_lock_release(s->b) != WEFT_OK)
            return arg;
    }
    return nullptr;
}

int main() {
    weft::mutex a, b;  // the C++ owners; the C thread borrows their raw handles
    shared_state s;
    s.a = a.get();
    s.b = b.get();
    weft::latch start(cpp_threads + 2);
    s.start = start.get();

    pthread_t c_thread;
    if (pthread_create(&c_thread, nullptr, c_worker, &s) != 0) return 2;

    std::vector<std::thread> threads;
    for (int t = 0; t < cpp_threads; ++t)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int i = 0; i < rounds; ++i) {
                std::scoped_lock both(a, b);
                if (s.x != s.y) s.broken = true;
                s.x += 1;
                if (i % 64 == 0) std::this_thread::yield();  // widen the window
                s.y += 1;
            }
        });
    // One more C++ thread takes them one at a time, in the C thread's order.
    threads.emplace_back([&] {
        start.arrive_and_wait();
        for (int i = 0; i < rounds; ++i) {
            std::lock_guard<weft::mutex> hold_b(b);
            std::lock_guard<weft::mutex> hold_a(a);
            if (s.x != s.y) s.broken = true;
            s.x += 1;
            s.y += 1;
        }
    });
    for (auto& t : threads) t.join();
    void* c_result = nullptr;
    pthread_join(c_thread, &c_result);

    const long expected = static_cast<long>(cpp_threads + 2) * rounds;
    std::printf("x=%ld y=%ld expected=%ld broken=%d c_thread=%s\n", s.x, s.y, expected,
                s.broken.load() ? 1 : 0, c_result ? "failed" : "ok");
    if (c_result != nullptr || s.broken || s.x != expected || s.y != expected) return 1;
    if (a.owner() != 0 || b.owner() != 0) return 1;
    return 0;
}
