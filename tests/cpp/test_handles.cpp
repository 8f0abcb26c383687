// Handles and errors: every wrapper's RAII (copy = clone, move = steal, destructor = free,
// get/release/adopt/clone_from), the error class, and bad arguments becoming exceptions.
// The header is included twice first, on purpose (include guard), before anything else.
#include <weft.hpp>
#include <weft.hpp>

#include "check.hpp"

#include <string>
#include <thread>
#include <type_traits>
#include <vector>
#include <mutex>

const std::error_category& header_alone_category();  // tests/cpp/header_alone.cpp

// One wrapper type through the whole RAII story. make() gives a fresh object; alive(w)
// calls something harmless on it (throws WEFT_INVALID on an empty wrapper).
template <class W, class Make, class Alive>
static void raii_story(Make make, Alive alive) {
    using C = typename W::native_type;
    static_assert(std::is_nothrow_move_constructible_v<W>);
    W a = make();
    CHECK(a);
    alive(a);
    {
        W b = a;  // clone
        CHECK(b.native_handle() == a.native_handle());
        CHECK(b == a);
        alive(b);
    }  // b freed: a still alive
    alive(a);
    W c = std::move(a);  // steal
    CHECK(!a);
    CHECK(a.native_handle() == nullptr);
    CHECK_THROWS_STATUS(alive(a), WEFT_INVALID);
    alive(c);
    // Hand the reference to C and take it back.
    C* raw = c.release_handle();
    CHECK(!c);
    CHECK(raw != nullptr);
    W d(weft::adopt_ref, raw);  // takes it over
    W e = W::clone_from(raw);   // adds one
    d.reset_handle();           // drops one; e's keeps it alive
    CHECK(!d);
    alive(e);
    W f = W::adopt(nullptr);
    CHECK(!f);
    f = e;  // copy-assign
    CHECK(f.native_handle() == e.native_handle());
    f = W::null();  // move-assign frees the old reference
    CHECK(!f);
    e.swap(f);
    CHECK(!e && f);
    alive(f);
}

static void test_raii_every_handle() {
    raii_story<weft::mutex>([] { return weft::mutex(); }, [](weft::mutex& m) { (void)m.owner(); });
    raii_story<weft::recursive_mutex>([] { return weft::recursive_mutex(); },
                                      [](weft::recursive_mutex& m) { (void)m.owner(); });
    raii_story<weft::semaphore>([] { return weft::semaphore(1); },
                                [](weft::semaphore& s) { (void)s.value(); });
    weft::mutex bound;
    raii_story<weft::condition_variable>([&] { return weft::condition_variable(bound); },
                                         [](weft::condition_variable& c) { (void)c.waiting(); });
    raii_story<weft::event>([] { return weft::event(); }, [](weft::event& e) { (void)e.is_set(); });
    raii_story<weft::countdown>([] { return weft::countdown(2); },
                                [](weft::countdown& c) { (void)c.value(); });
    raii_story<weft::barrier>([] { return weft::barrier(2); },
                              [](weft::barrier& b) { (void)b.is_broken(); });
    raii_story<weft::limiter>([] { return weft::limiter(1); },
                              [](weft::limiter& l) { (void)l.counts(); });
    raii_story<weft::flag>([] { return weft::flag(); }, [](weft::flag& f) { (void)f.is_set(); });
    raii_story<weft::guard>([] { return weft::guard(); }, [](weft::guard& g) { (void)g.in_use(); });
    raii_story<weft::port>([] { return weft::port(); }, [](weft::port& p) { (void)p.pending(); });
    raii_story<weft::queue<int*>>([] { return weft::queue<int*>(); },
                                  [](weft::queue<int*>& q) { (void)q.size(); });
    // release() and reset() are the handle's own where no primitive member hides them.
    weft::event ev;
    weft_event* raw_ev = ev.release();
    CHECK(!ev);
    ev = weft::event::adopt(raw_ev);
    ev.reset();
    CHECK(!ev);
    static_assert(!std::is_copy_constructible_v<weft::op>, "weft_op has no _clone");
    static_assert(std::is_nothrow_move_constructible_v<weft::op>);
}

// A handle created in C, shared with C++ and back: both sides see one object.
static void test_sharing_with_c() {
    weft_sem* raw = nullptr;
    CHECK_STATUS(weft_sem_new(0, -1, &raw), WEFT_OK);
    {
        weft::semaphore s(weft::clone_ref, raw);  // C keeps its reference
        s.release(3);
    }
    uint64_t v = 0;
    CHECK_STATUS(weft_sem_value(raw, &v), WEFT_OK);
    CHECK(v == 3);
    weft::semaphore owner = weft::semaphore::adopt(raw);  // C's reference moves to C++
    CHECK(owner.try_acquire());
    CHECK(owner.value() == 2);
    weft_sem* back = owner.release_handle();  // and back to C (release(n) is permits)
    CHECK_STATUS(weft_sem_free(back), WEFT_OK);
}

static void test_error_class() {
    weft::error e(WEFT_TIMEOUT, "weft_lock_acquire");
    CHECK(e.status() == WEFT_TIMEOUT);
    CHECK(std::string(e.status_str()) == "WEFT_TIMEOUT");
    CHECK(std::string(e.what()).find("weft_lock_acquire") != std::string::npos);
    CHECK(std::string(e.what()).find("WEFT_TIMEOUT") != std::string::npos);
    CHECK(e.code().category() == weft::category());
    CHECK(&weft::category() == &header_alone_category());  // one category across TUs
    CHECK(std::string(weft::category().name()) == "weft");
    CHECK(e.code() == weft::errc::timeout);
    CHECK(e.code() != weft::errc::closed);
    CHECK(e.code().value() == WEFT_TIMEOUT);
    const std::system_error& base = e;  // catchable as std::system_error
    CHECK(base.code().message() == "WEFT_TIMEOUT");
    try {
        weft::check(WEFT_CLOSED, "call");
        CHECK(false);
    } catch (const std::system_error& se) {
        CHECK(se.code() == weft::errc::closed);
    }
    weft::check(WEFT_OK, "never throws");
}

static void test_bad_arguments_throw() {
    CHECK_THROWS_STATUS(weft::mutex(77), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::recursive_mutex(77), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::semaphore(-1), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::semaphore(3, 2), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::event(9), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::countdown(-1), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::barrier(-1), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::barrier(2, 9), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::limiter(-1), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::limiter(1, 9), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::queue<int*>(weft::queue<int*>::fifo, 0), WEFT_INVALID);
    CHECK_THROWS_STATUS(weft::queue<int*>(9), WEFT_INVALID);

    // Misuse of live objects.
    weft::mutex m;
    CHECK_THROWS_STATUS(m.unlock(), WEFT_NOT_LOCKED);
    m.lock();
    CHECK_THROWS_STATUS(m.lock(), WEFT_DEADLOCK);
    CHECK_THROWS_STATUS(m.try_lock(), WEFT_DEADLOCK);
    std::thread([&] { CHECK_THROWS_STATUS(m.unlock(), WEFT_NOT_OWNER); }).join();
    std::thread([&] { CHECK_STATUS(m.try_unlock(), WEFT_NOT_OWNER); }).join();
    CHECK_THROWS_STATUS(m.lock_as(0), WEFT_INVALID);
    m.unlock();

    weft::recursive_mutex r;
    CHECK_THROWS_STATUS(r.lock(0), WEFT_INVALID);
    r.lock();
    CHECK_THROWS_STATUS(r.unlock(2), WEFT_OVERFLOW);
    r.unlock();
    CHECK_THROWS_STATUS(r.unlock(), WEFT_NOT_LOCKED);

    weft::semaphore s(0, 1);
    s.release();
    CHECK_THROWS_STATUS(s.release(), WEFT_OVERFLOW);
    CHECK_THROWS_STATUS(s.release(0), WEFT_INVALID);

    weft::event once;
    CHECK_THROWS_STATUS(once.clear(), WEFT_INVALID);
    weft::countdown c(0);
    CHECK_THROWS_STATUS(c.down(), WEFT_OVERFLOW);
    CHECK_THROWS_STATUS(c.up(0), WEFT_INVALID);
    weft::barrier cyclic(2);
    CHECK_THROWS_STATUS(cyclic.reset(), WEFT_INVALID);
    weft::limiter l(1);
    l.acquire();
    CHECK_THROWS_STATUS(l.acquire(), WEFT_DEADLOCK);
    CHECK_THROWS_STATUS(l.release(2), WEFT_INVALID);  // a plain limiter counts 1
    l.release();
    CHECK_THROWS_STATUS(l.release(), WEFT_NOT_OWNER);
    weft::guard g;
    CHECK_THROWS_STATUS(g.exit(), WEFT_NOT_LOCKED);
    g.enter();
    CHECK_THROWS_STATUS(g.enter(), WEFT_BUSY);
    g.exit();
    weft::queue<int*> q;
    CHECK_THROWS_STATUS(q.task_done(), WEFT_OVERFLOW);
    CHECK_THROWS_STATUS(q.set_capacity(0), WEFT_INVALID);

    // A condition checks that the unique_lock holds its own lock.
    weft::mutex other;
    weft::condition_variable cv(m);
    std::unique_lock<weft::mutex> wrong(other);
    CHECK_THROWS_STATUS(cv.wait(wrong), WEFT_INVALID);
    wrong.unlock();
    CHECK_THROWS_STATUS(cv.wait(wrong), WEFT_INVALID);
    CHECK_THROWS_STATUS(cv.wait(), WEFT_NOT_OWNER);  // not holding m

    // Empty wrappers throw WEFT_INVALID instead of crashing.
    weft::mutex none = weft::mutex::null();
    CHECK_THROWS_STATUS(none.lock(), WEFT_INVALID);
    CHECK_THROWS_STATUS(none.try_lock(), WEFT_INVALID);
    CHECK_THROWS_STATUS(none.try_lock_for(std::chrono::milliseconds(1)), WEFT_INVALID);
    CHECK_STATUS(none.try_unlock(), WEFT_INVALID);
    // a condition on an empty lock is refused (not silently lockless), as for rlocks
    CHECK_THROWS_STATUS(weft::condition_variable{none}, WEFT_INVALID);
    weft::recursive_mutex no_rlock = weft::recursive_mutex::null();
    CHECK_THROWS_STATUS(weft::condition_variable{no_rlock}, WEFT_INVALID);
    weft::op empty;
    CHECK_THROWS_STATUS(empty.cancel(), WEFT_INVALID);
    CHECK_THROWS_STATUS(empty.status(), WEFT_INVALID);
}

// Default construction is not explicit: aggregates and {} work; each element is its own
// object (copying, by contrast, shares: copy = clone).
struct bundle {
    weft::mutex m;
    weft::recursive_mutex r;
    weft::event e;
    weft::countdown c;
    weft::queue<int*> q;
};

static void test_default_construction() {
    bundle b{};
    weft::mutex m = {};
    CHECK(b.m && b.r && b.e && b.c && b.q && m);
    CHECK(b.m != m);
    std::vector<weft::mutex> distinct(3);
    CHECK(distinct[0] != distinct[1]);
    std::vector<weft::mutex> shared(3, m);
    CHECK(shared[0] == m && shared[2] == m);
    std::lock_guard<weft::mutex> g(shared[1]);
    CHECK(m.owned_by_this_thread());
}

static void test_owner_tokens() {
    const uint64_t me = weft::this_thread_owner();
    CHECK(me != 0);
    CHECK(me == weft::this_thread_owner());
    uint64_t other = 0;
    std::thread([&] { other = weft::this_thread_owner(); }).join();
    CHECK(other != 0);
    const uint64_t a = weft::new_owner(), b = weft::new_owner();
    CHECK(a != 0 && b != 0 && a != b && a != me);
}

int main() {
    start_watchdog();
    RUN(test_raii_every_handle);
    RUN(test_sharing_with_c);
    RUN(test_error_class);
    RUN(test_bad_arguments_throw);
    RUN(test_default_construction);
    RUN(test_owner_tokens);
    std::printf("ok\n");
    return 0;
}
