// weft::mutex / weft::recursive_mutex with the standard lock machinery, and
// weft::condition_variable / std::condition_variable_any over them.
#include "check.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

static void test_mutex_lockable() {
    weft::mutex m;
    {
        std::lock_guard<weft::mutex> g(m);
        CHECK(m.owned_by_this_thread());
        std::thread([&] { CHECK(!m.try_lock()); }).join();
    }
    CHECK(m.owner() == 0);
    {
        std::unique_lock<weft::mutex> lk(m, std::try_to_lock);
        CHECK(lk.owns_lock());
        lk.unlock();
        CHECK(m.owner() == 0);
        CHECK(lk.try_lock_for(10ms));
        lk.unlock();
        CHECK(lk.try_lock_until(std::chrono::system_clock::now() + 10ms));  // another clock
    }
    // Timed forms give up, and zero or negative durations only try.
    m.lock();
    std::thread([&] {
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(!m.try_lock_for(30ms));
        CHECK(std::chrono::steady_clock::now() - t0 >= 30ms);
        CHECK(!m.try_lock_for(0ms));
        CHECK(!m.try_lock_for(-5s));  // never "forever"
        CHECK(!m.try_lock_until(std::chrono::steady_clock::now() - 1s));
        CHECK(!m.try_lock_until(std::chrono::steady_clock::now() + 20ms));
        std::unique_lock<weft::mutex> lk(m, 10ms);
        CHECK(!lk.owns_lock());
    }).join();
    m.unlock();
    // A huge duration saturates instead of overflowing into "forever" or a negative.
    CHECK(m.try_lock_for(std::chrono::hours::max()));
    m.unlock();
    CHECK(m.try_lock_for(std::chrono::duration<double>(1e300)));
    m.unlock();
    // Explicit owner tokens: a task locks, another thread releases for it.
    const uint64_t task = weft::new_owner();
    m.lock_as(task);
    CHECK(m.owner() == task);
    CHECK(!m.try_lock());
    std::thread([&] { m.unlock_as(task); }).join();
    CHECK(m.owner() == 0);
    // Throughput mode meets the same requirements.
    weft::timed_mutex fast(WEFT_LOCK_THROUGHPUT);
    std::lock_guard<weft::timed_mutex> g(fast);
}

// std::scoped_lock over two weft mutexes from several threads, with a third thread
// locking them one by one in the other order: x == y is checked under both locks.
static void test_scoped_lock_invariant() {
    weft::mutex a, b;
    long x = 0, y = 0;
    std::atomic<bool> broken{false};
    constexpr int threads = 4, rounds = 5000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < rounds; ++i) {
                if (t % 2 == 0) {
                    std::scoped_lock both(a, b);
                    if (x != y) broken = true;
                    ++x;
                    std::this_thread::yield();
                    ++y;
                } else {
                    std::scoped_lock both(b, a);  // the other order: still no deadlock
                    if (x != y) broken = true;
                    ++x;
                    ++y;
                }
            }
        });
    pool.emplace_back([&] {
        for (int i = 0; i < rounds; ++i) {
            std::lock_guard<weft::mutex> gb(b);
            std::lock_guard<weft::mutex> ga(a);
            if (x != y) broken = true;
            ++x;
            ++y;
        }
    });
    for (auto& t : pool) t.join();
    CHECK(!broken);
    CHECK(x == long(threads + 1) * rounds && y == x);
    CHECK(a.owner() == 0 && b.owner() == 0);
    // std::lock and a three-way scoped_lock with a recursive mutex in the mix.
    weft::recursive_mutex r;
    {
        std::scoped_lock three(a, r, b);
        CHECK(r.depth() == 1);
        r.lock();  // nests
        CHECK(r.depth() == 2);
        r.unlock();
    }
    CHECK(r.owner() == 0);
}

static void test_recursive_mutex() {
    weft::recursive_mutex r;
    {
        std::lock_guard<weft::recursive_mutex> g1(r);
        std::lock_guard<weft::recursive_mutex> g2(r);
        std::unique_lock<weft::recursive_mutex> g3(r, std::try_to_lock);
        CHECK(g3.owns_lock());
        CHECK(r.depth() == 3);
        CHECK(r.try_lock_for(1ms));
        r.unlock();
        std::thread([&] {
            CHECK(!r.try_lock());
            CHECK(!r.try_lock_for(10ms));
            CHECK(r.depth() == 0);
            CHECK_THROWS_STATUS(r.unlock(), WEFT_NOT_OWNER);
        }).join();
    }
    CHECK(r.owner() == 0);
    r.lock(5);
    CHECK(r.depth() == 5);
    r.unlock(5);
    const uint64_t task = weft::new_owner();
    r.lock_as(task, 2);
    CHECK(r.depth(task) == 2);
    r.unlock_as(task, 2);
    weft::recursive_timed_mutex t;
    CHECK(t.try_lock_until(std::chrono::steady_clock::now() + 1ms));
    t.unlock();
}

// The standard condition_variable_any needs nothing but Lockable: a producer/consumer.
static void test_condition_variable_any() {
    weft::mutex m;
    std::condition_variable_any cv;
    std::deque<int> items;
    bool done = false;
    long sum = 0;
    constexpr int n = 2000;
    std::thread consumer([&] {
        std::unique_lock<weft::mutex> lk(m);
        for (;;) {
            cv.wait(lk, [&] { return !items.empty() || done; });
            while (!items.empty()) {
                sum += items.front();
                items.pop_front();
            }
            if (done) break;
        }
        CHECK(m.owned_by_this_thread());
    });
    std::vector<std::thread> producers;
    for (int p = 0; p < 2; ++p)
        producers.emplace_back([&] {
            for (int i = 1; i <= n; ++i) {
                {
                    std::lock_guard<weft::mutex> g(m);
                    items.push_back(i);
                }
                cv.notify_one();
            }
        });
    for (auto& t : producers) t.join();
    {
        std::lock_guard<weft::mutex> g(m);
        done = true;
    }
    cv.notify_all();
    consumer.join();
    CHECK(sum == 2L * n * (n + 1) / 2);
    // Timed waits with a weft mutex.
    std::unique_lock<weft::mutex> lk(m);
    CHECK(cv.wait_for(lk, 10ms) == std::cv_status::timeout);
    CHECK(lk.owns_lock() && m.owned_by_this_thread());
    CHECK(!cv.wait_for(lk, 5ms, [] { return false; }));
}

// weft::condition_variable: the waiter wakes holding the weft lock again.
static void test_weft_condition_variable() {
    weft::mutex m;
    weft::condition_variable cv(m);
    std::deque<int> items;
    bool done = false;
    long sum = 0;
    constexpr int n = 2000;
    std::thread consumer([&] {
        std::unique_lock<weft::mutex> lk(m);
        for (;;) {
            cv.wait(lk, [&] { return !items.empty() || done; });
            CHECK(m.owned_by_this_thread());
            while (!items.empty()) {
                sum += items.front();
                items.pop_front();
            }
            if (done) break;
        }
    });
    for (int i = 1; i <= n; ++i) {
        std::lock_guard<weft::mutex> g(m);
        items.push_back(i);
        cv.notify_one();  // under the lock or not: both allowed
    }
    {
        std::lock_guard<weft::mutex> g(m);
        done = true;
    }
    cv.notify_all();
    consumer.join();
    CHECK(sum == long(n) * (n + 1) / 2);

    std::unique_lock<weft::mutex> lk(m);
    CHECK(cv.wait_for(lk, 10ms) == std::cv_status::timeout);
    CHECK(m.owned_by_this_thread());
    CHECK(cv.wait_until(lk, std::chrono::steady_clock::now() - 1s) == std::cv_status::timeout);
    CHECK(!cv.wait_for(lk, 5ms, [] { return false; }));
    CHECK(cv.wait_until(lk, std::chrono::system_clock::now() + 5ms, [] { return true; }));
    // Holding the lock through a lock_guard: the lockless-form wait.
    lk.unlock();
    {
        std::lock_guard<weft::mutex> g(m);
        CHECK(cv.wait_for(1ms) == std::cv_status::timeout);
    }
    // Notify counts and waiters.
    std::atomic<bool> woke{false};
    std::thread waiter([&] {
        std::unique_lock<weft::mutex> l2(m);
        cv.wait(l2);
        woke = true;
    });
    while (cv.waiting() == 0) std::this_thread::sleep_for(1ms);
    CHECK(cv.notify(5) == 1);
    waiter.join();
    CHECK(woke);

    // Bound to a recursive mutex: the depth is kept across the wait.
    weft::recursive_mutex r;
    weft::condition_variable rcv(r);
    std::unique_lock<weft::recursive_mutex> rl(r);
    r.lock();
    CHECK(rcv.wait_for(rl, 1ms) == std::cv_status::timeout);
    CHECK(r.depth() == 2);
    r.unlock();
    // A lockless condition.
    auto free_cv = weft::condition_variable::lockless();
    CHECK(free_cv.wait_for(1ms) == std::cv_status::timeout);
}

int main() {
    start_watchdog();
    RUN(test_mutex_lockable);
    RUN(test_scoped_lock_invariant);
    RUN(test_recursive_mutex);
    RUN(test_condition_variable_any);
    RUN(test_weft_condition_variable);
    std::printf("ok\n");
    return 0;
}
