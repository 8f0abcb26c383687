// The thin classes: semaphore, event, countdown, latch, barrier, limiter, flag, guard.
#include "check.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

static void test_semaphore() {
    weft::counting_semaphore s(2, 3);
    CHECK(s.value() == 2);
    s.acquire();
    CHECK(s.try_acquire());
    CHECK(!s.try_acquire());
    CHECK(!s.try_acquire_for(10ms));
    CHECK(!s.try_acquire_until(std::chrono::steady_clock::now() + 5ms));
    std::thread releaser([&] {
        std::this_thread::sleep_for(5ms);
        s.release();  // any thread may release
    });
    CHECK(s.try_acquire_for(10s));
    releaser.join();
    s.release(3);
    CHECK(s.value() == 3);
    CHECK_THROWS_STATUS(s.release(), WEFT_OVERFLOW);
    // Bounded concurrency: never more than 2 inside.
    weft::semaphore gate(2);
    std::atomic<int> inside{0}, peak{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 6; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                gate.acquire();
                const int now = ++inside;
                int seen = peak;
                while (now > seen && !peak.compare_exchange_weak(seen, now)) {}
                --inside;
                gate.release();
            }
        });
    for (auto& t : pool) t.join();
    CHECK(peak <= 2);
    CHECK(gate.value() == 2 && gate.waiting() == 0);
}

static void test_event() {
    weft::event once;
    CHECK(!once.is_set());
    CHECK(!once.wait_for(5ms));
    CHECK(!once.wait_until(std::chrono::system_clock::now() + 2ms));
    std::thread waiter([&] { once.wait(); });
    while (once.waiting() == 0) std::this_thread::sleep_for(1ms);
    CHECK(once.set() == 1);
    waiter.join();
    CHECK(once.set() == 0);  // already set
    CHECK(once.wait_for(0ms));
    weft::event again(weft::event::reusable);
    again.set();
    again.clear();
    CHECK(!again.is_set());
    CHECK(!again.wait_for(1ms));
}

static void test_countdown_and_latch() {
    weft::countdown c(2);
    CHECK(!c.try_wait());
    c.up(3);
    CHECK(c.value() == 5);
    std::thread waiter([&] { c.wait(); });
    for (int i = 0; i < 5; ++i) c.down();
    waiter.join();
    CHECK(c.value() == 0 && c.try_wait());
    c.up();
    CHECK(!c.wait_for(2ms));
    c.clear();
    CHECK(c.wait_for(0ms));

    weft::latch done(4);
    std::vector<std::thread> pool;
    for (int t = 0; t < 3; ++t) pool.emplace_back([&] { done.arrive_and_wait(); });
    CHECK(!done.try_wait());
    done.count_down();
    for (auto& t : pool) t.join();
    CHECK(done.try_wait());
}

static void test_barrier() {
    constexpr int parties = 4;
    weft::barrier b(parties);
    std::mutex seen_lock;
    std::multiset<uint64_t> seen;
    std::vector<std::thread> pool;
    for (int t = 0; t < parties; ++t)
        pool.emplace_back([&] {
            for (int phase = 0; phase < 50; ++phase) {
                const uint64_t index = b.arrive_and_wait();
                std::lock_guard<std::mutex> g(seen_lock);
                seen.insert(index);
            }
        });
    for (auto& t : pool) t.join();
    for (uint64_t i = 0; i < parties; ++i) CHECK(seen.count(i) == 50);  // each index per phase
    // A timeout breaks it; a broken barrier throws.
    weft::barrier two(2, weft::barrier::resettable);
    CHECK(!two.arrive_and_wait_for(5ms));
    CHECK(two.is_broken());
    CHECK_THROWS_STATUS(two.arrive_and_wait(), WEFT_BROKEN);
    two.reset();
    CHECK(!two.is_broken());
    std::thread other([&] { CHECK(two.arrive_and_wait_for(10s).has_value()); });
    CHECK(two.arrive_and_wait_for(10s).has_value());
    other.join();
    two.abort();
    CHECK_THROWS_STATUS(two.arrive_and_wait(), WEFT_BROKEN);
    weft::barrier open(1, weft::barrier::latch_kind);
    CHECK(open.arrive_and_wait() == 0);
    CHECK(open.waiting() == 0);
}

static void test_limiter() {
    weft::limiter lim(2);
    lim.acquire();
    CHECK(lim.held() == 1);
    std::thread([&] {
        CHECK(lim.try_acquire());
        std::thread([&] {
            CHECK(!lim.try_acquire());
            CHECK(!lim.try_acquire_for(5ms));
        }).join();
        lim.release();
    }).join();
    auto c = lim.counts();
    CHECK(c.total == 2 && c.borrowed == 1 && c.waiting == 0);
    lim.release();
    lim.set_total(1);
    {
        std::lock_guard<weft::limiter> g(lim);  // Lockable: one token for this thread
        CHECK(lim.counts().borrowed == 1);
    }
    CHECK(lim.counts().borrowed == 0);
    const uint64_t task = weft::new_owner();
    lim.acquire_as(task);
    CHECK(lim.held(task) == 1);
    lim.release_as(task);
    weft::limiter re(1, weft::limiter::reentrant);
    re.acquire(2);
    re.acquire();
    CHECK(re.held() == 3);
    re.release(3);
}

static void test_flag_and_guard() {
    weft::flag f;
    CHECK(!f.is_set() && !f.get_value());
    int a = 1, b = 2;
    CHECK(f.set(&a));
    CHECK(!f.set(&b));
    CHECK(f.get_value() && *f.get_value() == &a);
    CHECK(f.clear());
    CHECK(!f.clear());
    CHECK(f.set());  // NULL is a value too
    CHECK(f.is_set() && *f.get_value() == nullptr);
    // Racing setters: exactly one wins.
    weft::flag race;
    std::atomic<int> wins{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t)
        pool.emplace_back([&] {
            if (race.set()) ++wins;
        });
    for (auto& t : pool) t.join();
    CHECK(wins == 1);

    weft::guard g;
    CHECK(g.try_enter());
    CHECK(g.in_use());
    CHECK(!g.try_enter());
    std::thread([&] { g.exit(); }).join();  // any thread may end it
    {
        std::unique_lock<weft::guard> use(g, std::try_to_lock);
        CHECK(use.owns_lock());
        std::unique_lock<weft::guard> second(g, std::try_to_lock);
        CHECK(!second.owns_lock());
    }
    CHECK(!g.in_use());
}

static void test_port_blocking_forms() {
    weft::port p;
    CHECK(p.fd() >= 0);
    CHECK(p.pending() == 0);
    CHECK(!p.wait_for(2ms));
    CHECK(p.run() == 0);
    CHECK(p.poll(4).empty());
}

int main() {
    start_watchdog();
    RUN(test_semaphore);
    RUN(test_event);
    RUN(test_countdown_and_latch);
    RUN(test_barrier);
    RUN(test_limiter);
    RUN(test_flag_and_guard);
    RUN(test_port_blocking_forms);
    std::printf("ok\n");
    return 0;
}
