// Async starts with callables: the callback runs exactly once (inline when granted at
// once, later on the completing thread or in port::run, with WEFT_CANCELLED after a won
// cancel or a closed port), and its heap context is freed exactly once. `Counted`
// captures count themselves: every context freed brings `live` back to 0 (LeakSanitizer
// and ASan's double-free check in the _asan build say the same).
#include "check.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

static std::atomic<long> live{0};

struct Counted {
    Counted() { ++live; }
    Counted(const Counted&) { ++live; }
    Counted(Counted&&) noexcept { ++live; }
    ~Counted() { --live; }
};

struct Probe {
    std::atomic<int> calls{0};
    std::atomic<weft_status> last{-1};
    // The callback: counts, records the status, keeps a Counted alive in its context.
    auto callback() {
        return [this, c = Counted()](weft_status s) {
            (void)c;
            last = s;
            ++calls;
        };
    }
};

static void test_lock_async_faces() {
    weft::mutex m;
    const uint64_t task = weft::new_owner();
    {
        Probe p;  // free: granted at once, the callback ran inline, no op
        weft::op op = m.lock_async(task, p.callback());
        CHECK(!op);
        CHECK(p.calls == 1 && p.last == WEFT_OK);
        CHECK(m.owner() == task);
        m.unlock_as(task);
    }
    CHECK(live == 0);
    {
        Probe p;  // pending, no port: the releasing thread runs it
        m.lock();
        weft::op op = m.lock_async(task, p.callback());
        CHECK(op && op.pending());
        CHECK(p.calls == 0);
        m.unlock();
        CHECK(p.calls == 1 && p.last == WEFT_OK);
        CHECK(op.status() == WEFT_OK);
        CHECK(op.cancel() == WEFT_OK);  // too late: the grant had won
        CHECK(m.owner() == task);
        m.unlock_as(task);
    }
    CHECK(live == 0);
    {
        Probe p;  // pending, cancelled: the callback hears WEFT_CANCELLED, once
        m.lock();
        weft::op op = m.lock_async(task, p.callback());
        CHECK(op.cancel() == WEFT_CANCELLED);
        CHECK(p.calls == 1 && p.last == WEFT_CANCELLED);
        CHECK(op.cancel() == WEFT_ANSWERED);  // only the first cancel answers
        m.unlock();
        CHECK(p.calls == 1);
        CHECK(m.owner() == 0);
    }
    CHECK(live == 0);
    {
        Probe p;  // through a port: runs in port::run on this thread
        weft::port port;
        m.lock();
        weft::op op = m.lock_async(task, p.callback(), port.native_handle());
        m.unlock();
        CHECK(p.calls == 0);
        CHECK(port.wait_for(10s));
        CHECK(port.pending() == 1);
        CHECK(port.run() == 1);
        CHECK(p.calls == 1 && p.last == WEFT_OK);
        m.unlock_as(task);
        // ... and cancelled through the port.
        m.lock();
        weft::op op2 = m.lock_async(task, p.callback(), port.native_handle());
        CHECK(op2.cancel() == WEFT_CANCELLED);
        CHECK(p.calls == 1);
        CHECK(port.run() == 1);
        CHECK(p.calls == 2 && p.last == WEFT_CANCELLED);
        m.unlock();
    }
    CHECK(live == 0);
    {
        Probe p;  // the port closes with the op pending: WEFT_CANCELLED on the freeing thread
        weft::port port;
        m.lock();
        weft::op op = m.lock_async(task, p.callback(), port.native_handle());
        port.reset_handle();
        m.unlock();  // the grant is given back, the callback hears WEFT_CANCELLED
        CHECK(p.calls == 1 && p.last == WEFT_CANCELLED);
        CHECK(m.owner() == 0);
    }
    CHECK(live == 0);
    {
        Probe p;  // the op dropped without cancelling: the callback still runs once
        m.lock();
        { weft::op dropped = m.lock_async(task, p.callback()); }
        m.unlock();
        CHECK(p.calls == 1 && p.last == WEFT_OK);
        m.unlock_as(task);
    }
    CHECK(live == 0);
    {
        Probe p;  // a start that fails throws; the callback never runs, its context goes
        CHECK_THROWS_STATUS(m.lock_async(0, p.callback()), WEFT_INVALID);
        m.lock_as(task);
        CHECK_THROWS_STATUS(m.lock_async(task, p.callback()), WEFT_DEADLOCK);
        m.unlock_as(task);
        CHECK(p.calls == 0);
    }
    CHECK(live == 0);
}

static void test_every_async_start() {
    const uint64_t task = weft::new_owner();
    Probe p;
    int expected = 0;

    weft::recursive_mutex r;
    r.lock();
    weft::op op = r.lock_async(task, 2, p.callback());
    r.unlock();
    CHECK(p.calls == ++expected && p.last == WEFT_OK && r.depth(task) == 2);
    r.unlock_as(task, 2);

    weft::semaphore s(0);
    op = s.acquire_async(p.callback());
    CHECK(op && p.calls == expected);
    s.release();
    CHECK(p.calls == ++expected && p.last == WEFT_OK && s.value() == 0);

    weft::event e;
    op = e.wait_async(p.callback());
    e.set();
    CHECK(p.calls == ++expected && p.last == WEFT_OK);
    op = e.wait_async(p.callback());  // set: at once
    CHECK(!op && p.calls == ++expected);

    weft::countdown c(1);
    op = c.wait_async(p.callback());
    c.down();
    CHECK(p.calls == ++expected && p.last == WEFT_OK);

    weft::barrier b(2);
    op = b.arrive_async(p.callback());
    CHECK(op.pending());
    CHECK(b.arrive_and_wait() == 1);
    CHECK(p.calls == ++expected && p.last == WEFT_OK);
    CHECK(op.value() == 0);  // the first arrival of the phase

    weft::limiter lim(1);
    lim.acquire();
    op = lim.acquire_async(task, 1, p.callback());
    lim.release();
    CHECK(p.calls == ++expected && lim.held(task) == 1);
    lim.release_as(task);

    weft::mutex m;
    weft::condition_variable cv(m);
    m.lock_as(task);
    op = cv.wait_async(task, p.callback());
    CHECK(m.owner() == 0);  // released before the start returned
    cv.notify_one();
    CHECK(p.calls == ++expected && p.last == WEFT_OK && m.owner() == task);
    m.unlock_as(task);

    weft::queue<int*> q;
    int x = 0;
    q.put(&x);
    op = q.join_async(p.callback());
    (void)q.get();
    q.task_done();
    CHECK(p.calls == ++expected && p.last == WEFT_OK);

    op = weft::op();
    CHECK(live == 0);  // every context freed
}

// The grant and a cancel race from two threads: the callback runs once, the context is
// freed once, and whoever lost knows (cancel() returning WEFT_OK means the lock is ours).
static void test_cancel_races_grant() {
    weft::mutex m;
    const uint64_t task = weft::new_owner();
    for (int i = 0; i < 2000; ++i) {
        Probe p;
        m.lock();
        weft::op op = m.lock_async(task, p.callback());
        weft_status cancel_result = WEFT_INVALID;
        std::thread canceller([&] { cancel_result = op.cancel(); });
        m.unlock();
        canceller.join();
        CHECK(p.calls == 1);
        CHECK(p.last == cancel_result);
        if (cancel_result == WEFT_OK) {
            CHECK(m.owner() == task);
            m.unlock_as(task);
        } else {
            CHECK(cancel_result == WEFT_CANCELLED);
        }
        CHECK(m.owner() == 0);
    }
    CHECK(live == 0);
}


// queue<unique_ptr>::put_async / get_async: the item travels with the callback, and every
// item ends up got, inside, or handed back: the Tracked count says nothing leaks.
static std::atomic<long> items_live{0};
struct Tracked {
    int value;
    explicit Tracked(int v) : value(v) { ++items_live; }
    ~Tracked() { --items_live; }
};
using item = std::unique_ptr<Tracked>;

struct ItemProbe {
    std::atomic<int> calls{0};
    std::atomic<weft_status> last{-1};
    std::atomic<int> got_value{-1};
    std::atomic<bool> had_item{false};
    auto callback() {
        return [this, c = Counted()](weft_status s, std::optional<item> it) {
            (void)c;
            had_item = it.has_value() && *it;
            got_value = had_item ? (*it)->value : -1;
            last = s;
            ++calls;
        };  // the item, if any, is destroyed here
    }
};

static void test_queue_async() {
    weft::queue<item> q(weft::queue<item>::fifo, 1);
    {
        ItemProbe p;  // a get that is served at once: inline
        q.put(std::make_unique<Tracked>(1));
        weft::shared_op op = q.get_async(p.callback());
        CHECK(!op && p.calls == 1 && p.last == WEFT_OK && p.got_value == 1);
    }
    {
        ItemProbe p;  // a pending get, served by a put on another thread
        weft::shared_op op = q.get_async(p.callback());
        CHECK(op && op.pending());
        std::thread([&] { q.put(std::make_unique<Tracked>(2)); }).join();
        CHECK(p.calls == 1 && p.last == WEFT_OK && p.got_value == 2);
        CHECK(op.status() == WEFT_OK);
    }
    {
        ItemProbe p;  // cancelled: no item
        weft::shared_op op = q.get_async(p.callback());
        CHECK(op.cancel() == WEFT_CANCELLED);
        CHECK(p.calls == 1 && p.last == WEFT_CANCELLED && !p.had_item);
    }
    {
        ItemProbe p;  // through a port
        weft::port port;
        weft::shared_op op = q.get_async(p.callback(), port.native_handle());
        q.put(std::make_unique<Tracked>(3));
        CHECK(p.calls == 0);
        CHECK(port.run() == 1);
        CHECK(p.calls == 1 && p.got_value == 3);
    }
    {
        ItemProbe p;  // the port closes first: the item goes back to the queue
        weft::port port;
        weft::shared_op op = q.get_async(p.callback(), port.native_handle());
        port.reset_handle();
        q.put(std::make_unique<Tracked>(4));
        CHECK(p.calls == 1 && p.last == WEFT_CANCELLED && !p.had_item);
        CHECK(q.size() == 1 && q.get()->value == 4);
    }
    {
        ItemProbe p;  // a put waiting for room, then let in
        q.put(std::make_unique<Tracked>(5));
        weft::op op = q.put_async(std::make_unique<Tracked>(6), p.callback());
        CHECK(op && p.calls == 0);
        CHECK(q.get()->value == 5);
        CHECK(p.calls == 1 && p.last == WEFT_OK && !p.had_item);
        CHECK(q.get()->value == 6);
        // ... and one cancelled: the item comes back to the callback (then is deleted).
        q.put(std::make_unique<Tracked>(7));
        weft::op op2 = q.put_async(std::make_unique<Tracked>(8), p.callback());
        CHECK(op2.cancel() == WEFT_CANCELLED);
        CHECK(p.calls == 2 && p.last == WEFT_CANCELLED && p.got_value == 8);
        CHECK(q.get()->value == 7);
        // ... and one served at once.
        op2 = q.put_async(std::make_unique<Tracked>(9), p.callback());
        CHECK(!op2 && p.calls == 3 && p.last == WEFT_OK);
        CHECK(q.get()->value == 9);
    }
    {
        ItemProbe p;  // shut down: pending ops hear WEFT_CLOSED; new starts throw
        weft::shared_op op = q.get_async(p.callback());
        q.shutdown();
        CHECK(p.calls == 1 && p.last == WEFT_CLOSED);
        CHECK_THROWS_STATUS(q.get_async(p.callback()), WEFT_CLOSED);
        item mine = std::make_unique<Tracked>(10);
        CHECK_THROWS_STATUS(q.put_async(std::move(mine), p.callback()), WEFT_CLOSED);
        CHECK(mine && mine->value == 10);  // still ours
        CHECK(p.calls == 1);
    }
    CHECK(items_live == 0);
    CHECK(live == 0);

    // A pending get racing a put from another thread (the callback may fire before the
    // start has published its op): each item arrives exactly once.
    weft::queue<item> rq;
    for (int i = 0; i < 2000; ++i) {
        ItemProbe p;
        std::thread putter([&] { rq.put(std::make_unique<Tracked>(i)); });
        weft::shared_op op = rq.get_async(p.callback());
        putter.join();
        CHECK(p.calls == 1 && p.last == WEFT_OK && p.got_value == i);
        CHECK(rq.size() == 0);
    }
    CHECK(items_live == 0);
    CHECK(live == 0);
}

// Issue 18 from C++: a condition waiter A whose cancel races a notify, with B always behind
// it in line. The notification lands exactly once: on A (cancel() answered WEFT_OK and A
// holds the lock) or on B; and a cancelled A's callback runs without the lock.
static void test_cond_cancel_passes_notification_on() {
    weft::mutex m;
    weft::condition_variable cv(m);
    const uint64_t a = weft::new_owner(), b = weft::new_owner();
    int a_won = 0, b_won = 0;
    for (int i = 0; i < 2000; ++i) {
        bool a_held_lock_when_cancelled = false;
        weft_status a_status = WEFT_PENDING;
        m.lock_as(a);
        weft::op op_a = cv.wait_async(a, [&](weft_status s) {
            a_status = s;
            if (s != WEFT_OK) a_held_lock_when_cancelled = m.owner() == a;
        });
        Probe pb;
        m.lock_as(b);
        weft::op op_b = cv.wait_async(b, pb.callback());
        weft_status cancel_result = WEFT_INVALID;
        std::thread canceller([&] { cancel_result = op_a.cancel(); });
        CHECK(cv.notify(1) == 1);
        canceller.join();
        CHECK(a_status == cancel_result);
        CHECK(!a_held_lock_when_cancelled);
        if (cancel_result == WEFT_OK) {  // A was notified: B still waits
            CHECK(m.owner() == a && cv.waiting() == 1 && pb.calls == 0);
            m.unlock_as(a);
            CHECK(cv.notify(1) == 1);
            ++a_won;
        } else {                         // the notification went on to B
            CHECK(cancel_result == WEFT_CANCELLED && cv.waiting() == 0);
            ++b_won;
        }
        CHECK(pb.calls == 1 && pb.last == WEFT_OK && m.owner() == b);
        m.unlock_as(b);
        CHECK(op_a.cancel() == WEFT_ANSWERED);  // a second cancel: nothing to do
    }
    std::printf("  cond cancel vs notify: A notified %d, passed on to B %d\n", a_won, b_won);
}

int main() {
    start_watchdog();
    RUN(test_lock_async_faces);
    RUN(test_every_async_start);
    RUN(test_cancel_races_grant);
    RUN(test_cond_cancel_passes_notification_on);
    RUN(test_queue_async);
    CHECK(live == 0);
    std::printf("ok\n");
    return 0;
}
