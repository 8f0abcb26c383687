// weft::queue<T>: T* and owning std::unique_ptr<T> items. Every Tracked item counts
// itself, so "nothing leaks" is checked here (and again by LeakSanitizer in the _asan
// build): items left inside at destruction, cleared, discarded by an immediate shutdown.
#include "check.hpp"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

static std::atomic<long> live{0};

struct Tracked {
    int value;
    explicit Tracked(int v) : value(v) { ++live; }
    ~Tracked() { --live; }
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
};
using item = std::unique_ptr<Tracked>;
using owning_queue = weft::queue<item>;

static item make(int v) { return std::make_unique<Tracked>(v); }

static void test_unique_ptr_basics() {
    {
        owning_queue q(owning_queue::fifo, 2);
        CHECK(q.capacity() == 2);
        CHECK(q.empty());
        q.put(make(1));
        item two = make(2);
        CHECK(q.try_put(std::move(two)));
        CHECK(!two);  // moved in
        item three = make(3);
        CHECK(!q.try_put(std::move(three)));  // full: still ours
        CHECK(three && three->value == 3);
        CHECK(!q.try_put_for(std::move(three), 5ms));
        CHECK(!q.try_put_until(std::move(three), std::chrono::steady_clock::now() + 5ms));
        CHECK(three);
        CHECK(q.size() == 2);
        CHECK(q.peek() && (*q.peek())->value == 1);
        item got = q.get();
        CHECK(got->value == 1);
        CHECK(q.try_put(std::move(three)));
        auto g2 = q.try_get();
        CHECK(g2 && (*g2)->value == 2);
        auto g3 = q.try_get_for(1ms);
        CHECK(g3 && (*g3)->value == 3);
        CHECK(!q.try_get());
        CHECK(!q.try_get_for(5ms));
        CHECK(!q.try_get_until(std::chrono::steady_clock::now() + 5ms));
        CHECK(!q.peek());
        CHECK(live == 3);
    }
    CHECK(live == 0);
}

static void test_items_left_inside_are_destroyed() {
    {
        owning_queue q;
        for (int i = 0; i < 100; ++i) q.put(make(i));
        owning_queue shared = q;  // a second reference: the items stay
        q.reset_handle();
        CHECK(live == 100);
    }  // the last reference goes: the destructor deletes all 100
    CHECK(live == 0);
    // The last reference dropped from C.
    owning_queue q;
    q.put(make(1));
    weft_queue* raw = q.release_handle();
    CHECK_STATUS(weft_queue_free(raw), WEFT_OK);
    CHECK(live == 0);
}

static void test_clear_and_shutdown() {
    owning_queue q(owning_queue::lifo);
    for (int i = 0; i < 10; ++i) q.put(make(i));
    CHECK(q.unfinished() == 10);
    CHECK(q.clear() == 10);
    CHECK(live == 0);
    CHECK(q.unfinished() == 0);  // cleared items count as done
    q.join();

    for (int i = 0; i < 5; ++i) q.put(make(i));
    CHECK((*q.peek())->value == 4);  // LIFO
    q.shutdown();                    // not immediate: gets drain
    CHECK(q.closed());
    item extra = make(99);
    CHECK_THROWS_STATUS(q.put(std::move(extra)), WEFT_CLOSED);
    CHECK(extra);  // still ours after a refused put
    CHECK_THROWS_STATUS(q.try_put(std::move(extra)), WEFT_CLOSED);
    CHECK(q.get()->value == 4);
    q.shutdown(true);  // immediate: the rest are destroyed now
    CHECK(live == 1);  // only `extra`
    CHECK_THROWS_STATUS(q.get(), WEFT_CLOSED);
    CHECK_THROWS_STATUS(q.try_get(), WEFT_CLOSED);
    CHECK_THROWS_STATUS(q.get_many(4), WEFT_CLOSED);
    extra.reset();
    CHECK(live == 0);

    // A blocked getter wakes with WEFT_CLOSED.
    owning_queue q2;
    std::thread getter([&] { CHECK_THROWS_STATUS(q2.get(), WEFT_CLOSED); });
    while (q2.waiting().second == 0) std::this_thread::sleep_for(1ms);
    q2.shutdown();
    getter.join();
    item x = make(1);
    CHECK_STATUS(q2.put_status(x, 0), WEFT_CLOSED);
    CHECK(x);
}

static void test_batches_and_priority() {
    owning_queue q(owning_queue::fifo, 4);
    std::vector<item> batch;
    for (int i = 0; i < 6; ++i) batch.push_back(make(i));
    CHECK(q.put_many(batch, 0) == 4);  // what fits now
    CHECK(batch.size() == 2 && batch[0]->value == 4);
    auto got = q.get_many(3);
    CHECK(got.size() == 3 && got[0]->value == 0 && got[2]->value == 2);
    CHECK(q.put_many_for(batch, 10ms) == 2);
    CHECK(batch.empty());
    got = q.get_many(10, 0);
    CHECK(got.size() == 3 && got[0]->value == 3 && got[2]->value == 5);
    CHECK(q.get_many(10, 0).empty());
    CHECK(q.get_many_for(10, 5ms).empty());
    got.clear();
    CHECK(live == 0);

    owning_queue pq(owning_queue::priority);
    std::vector<item> items;
    for (int i = 0; i < 3; ++i) items.push_back(make(i));
    std::vector<int64_t> prios{5, 1, 3};
    CHECK(pq.put_many(items, weft::forever, &prios) == 3);
    pq.put(make(9), 0);
    CHECK(pq.get()->value == 9);
    CHECK(pq.get()->value == 1);
    CHECK(pq.get()->value == 2);
    CHECK(pq.get()->value == 0);
    std::vector<int64_t> short_prios{1};
    items.push_back(make(7));
    items.push_back(make(8));
    CHECK_THROWS_STATUS(pq.put_many(items, 0, &short_prios), WEFT_INVALID);
    CHECK(items.size() == 2);
    items.clear();
    CHECK(live == 0);
}

static void test_raw_pointers_and_tasks() {
    int values[4] = {10, 20, 30, 40};
    weft::queue<int*> q(weft::queue<int*>::fifo, 8);
    int* p = &values[0];
    q.put(p);  // lvalue raw pointer: copied
    q.put(&values[1]);
    q.put(nullptr);  // NULL is an item too
    CHECK(q.size() == 3);
    CHECK(*q.get() == 10);
    q.task_done();
    CHECK(*q.get() == 20);
    q.task_done();
    CHECK(q.get() == nullptr);
    CHECK(!q.join_for(5ms));  // one task left
    q.task_done();
    CHECK(q.join_for(5ms));
    q.set_capacity(1);
    CHECK(q.capacity() == 1);
    q.set_capacity(WEFT_UNBOUNDED);
    CHECK(q.capacity() == -1);
    weft::queue<const int*> cq;
    cq.put(&values[3]);
    CHECK(*cq.get() == 40);
}

// Producers and consumers over a small bounded queue: every item got exactly once, and
// join() returns once every task is done.
static void test_threads_exactly_once() {
    owning_queue q(owning_queue::fifo, 8);
    constexpr int producers = 3, per = 3000;
    std::atomic<long> sum{0}, count{0};
    std::vector<std::thread> pool;
    for (int p = 0; p < producers; ++p)
        pool.emplace_back([&, p] {
            for (int i = 1; i <= per; ++i) q.put(make(p * per + i));
        });
    for (int c = 0; c < 2; ++c)
        pool.emplace_back([&] {
            for (;;) {
                item it;
                try {
                    it = q.get();
                } catch (const weft::error& e) {
                    CHECK(e.status() == WEFT_CLOSED);
                    return;
                }
                sum += it->value;
                ++count;
                q.task_done();
            }
        });
    for (int p = 0; p < producers; ++p) pool[p].join();
    q.join();
    CHECK(count == producers * per);
    const long n = producers * per;
    CHECK(sum == n * (n + 1) / 2);
    q.shutdown();
    for (size_t i = producers; i < pool.size(); ++i) pool[i].join();
    CHECK(live == 0);
}

int main() {
    start_watchdog();
    RUN(test_unique_ptr_basics);
    RUN(test_items_left_inside_are_destroyed);
    RUN(test_clear_and_shutdown);
    RUN(test_batches_and_priority);
    RUN(test_raw_pointers_and_tasks);
    RUN(test_threads_exactly_once);
    CHECK(live == 0);
    std::printf("ok\n");
    return 0;
}
