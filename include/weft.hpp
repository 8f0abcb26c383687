/**
 * \file
 * weft.hpp: C++17 header-only wrappers over weft.h.
 *
 * - Every handle type has an RAII owner holding exactly one reference: copy = *_clone,
 *   move = steal, destructor = *_free (weft::op is move-only: there is no weft_op_clone).
 *   get() / native_handle() lend the raw pointer to C, release() / release_handle() hand
 *   the reference over, and T::adopt(raw) / T::clone_from(raw) (or the constructors
 *   tagged weft::adopt_ref / weft::clone_ref) take a raw pointer from C, adopting its
 *   reference or adding one. Where a primitive's own member has the short name
 *   (semaphore::release(n), limiter::release(n), barrier::reset(), queue<T>::get()), the
 *   *_handle / native_handle() names are the handle's. A default-constructed wrapper is a
 *   new object; a copy shares it (std::vector<weft::mutex>(3, m) holds m three times).
 * - An error status becomes a weft::error (a std::system_error whose code() is in
 *   weft::category(), and whose status() is the weft_status); the try_* members and the
 *   *_status members report the ordinary "no" answers (would block, timeout) without
 *   throwing.
 * - weft::mutex and weft::recursive_mutex meet Lockable and TimedLockable, so
 *   std::lock_guard, std::unique_lock, std::scoped_lock (deadlock-avoiding over several)
 *   and std::condition_variable_any work with them, as with std::timed_mutex.
 * - Blocking calls act for the calling thread (its owner token, weft::this_thread_owner());
 *   the *_as members and the async starts take an explicit token.
 * - Async starts take a callable f(weft_status) and return a weft::op. f runs exactly once
 *   when the start returns normally: inline before it returns if granted at once (the op
 *   is then empty), else later (on the completing thread, or in port::run). If the start
 *   throws, f never runs. Its heap context is freed exactly once either way. f must not
 *   throw (it is called from C: std::terminate). Drain ports that carry ops started here
 *   with port::run, never port::poll (poll hands back the internal context instead).
 *
 * Nothing here is thread-unsafe beyond the C object it wraps: a wrapper object itself is
 * as thread-safe as a std::shared_ptr (share the C object by copying the wrapper, one copy
 * per thread).
 */
#ifndef WEFT_HPP
#define WEFT_HPP

#include <weft.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

/// The C++ wrappers of weft.h.
namespace weft {

// ---------------------------------------------------------------------------------------
// Errors

/// The error category of weft statuses: message() is weft_status_str().
class error_category_impl final : public std::error_category {
public:
    /// "weft".
    const char* name() const noexcept override { return "weft"; }
    /// The status's name, weft_status_str(status).
    std::string message(int status) const override { return weft_status_str(status); }
};

/// The one instance of error_category_impl.
inline const std::error_category& category() noexcept {
    static const error_category_impl instance;
    return instance;
}

/// Statuses as an error-code enum: `e.code() == weft::errc::timeout`.
enum class errc : int32_t {
    ok = WEFT_OK,
    pending = WEFT_PENDING,
    would_block = WEFT_WOULD_BLOCK,
    timeout = WEFT_TIMEOUT,
    cancelled = WEFT_CANCELLED,
    broken = WEFT_BROKEN,
    closed = WEFT_CLOSED,
    not_owner = WEFT_NOT_OWNER,
    not_locked = WEFT_NOT_LOCKED,
    deadlock = WEFT_DEADLOCK,
    overflow = WEFT_OVERFLOW,
    busy = WEFT_BUSY,
    invalid = WEFT_INVALID,
    no_memory = WEFT_NO_MEMORY,
    system = WEFT_SYSTEM,
    internal = WEFT_INTERNAL,
    answered = WEFT_ANSWERED,
};

/// errc as a std::error_code of category() (so that errc values compare with codes).
inline std::error_code make_error_code(errc e) noexcept {
    return std::error_code(static_cast<int>(e), category());
}

/// A weft call returned an error status. what() reads "<call>: WEFT_<STATUS>".
class error : public std::system_error {
public:
    /// status: what the C function named by call returned.
    explicit error(weft_status status, const char* call = "weft")
        : std::system_error(std::error_code(status, category()), call), status_(status) {}
    /// The weft_status the call returned.
    weft_status status() const noexcept { return status_; }
    /// Its name, e.g. "WEFT_TIMEOUT" (a static string).
    const char* status_str() const noexcept { return weft_status_str(status_); }

private:
    weft_status status_;
};

/// Throws weft::error unless status is WEFT_OK.
inline void check(weft_status status, const char* call) {
    if (status != WEFT_OK) throw error(status, call);
}

// ---------------------------------------------------------------------------------------
// Owner tokens and timeouts

/// The calling thread's owner token (what blocking calls use).
inline uint64_t this_thread_owner() {
    uint64_t owner = 0;
    check(weft_thread_owner(&owner), "weft_thread_owner");
    return owner;
}

/// A fresh owner token, never reused, for an owner that is not a thread.
inline uint64_t new_owner() {
    uint64_t owner = 0;
    check(weft_owner_new(&owner), "weft_owner_new");
    return owner;
}

/// WEFT_FOREVER and WEFT_UNBOUNDED without their C casts (-Wold-style-cast clean).
///@{
inline constexpr int64_t forever = -1;
inline constexpr int64_t unbounded = -1;
///@}

namespace detail {

/// A relative timeout in weft nanoseconds: rounded up, never negative (a negative weft
/// timeout means forever), saturating at INT64_MAX.
template <class Rep, class Period>
int64_t to_ns(const std::chrono::duration<Rep, Period>& d) noexcept {
    using namespace std::chrono;
    if (!(d > d.zero())) return 0;
    const duration<long double, std::nano> wide = d;
    if (wide.count() >= static_cast<long double>(std::numeric_limits<int64_t>::max()))
        return std::numeric_limits<int64_t>::max();
    const auto ns = ceil<nanoseconds>(d).count();
    return ns > 0 ? static_cast<int64_t>(ns) : 1;
}

/// Calls attempt(timeout_ns) until it returns something other than a timeout or the
/// clock passes tp (so a clock other than the steady one is still honoured).
template <class Clock, class Duration, class Attempt>
weft_status until(const std::chrono::time_point<Clock, Duration>& tp, Attempt attempt) {
    for (;;) {
        const auto now = Clock::now();
        const int64_t ns = now < tp ? to_ns(tp - now) : 0;
        const weft_status s = attempt(ns);
        if (s != WEFT_TIMEOUT || !(Clock::now() < tp)) return s;
    }
}

inline bool timed_out(weft_status s) noexcept {
    return s == WEFT_TIMEOUT || s == WEFT_WOULD_BLOCK;
}

template <class C>
struct ref_ops;

#define WEFT_HPP_REF_OPS_(T)                                                           \
    template <>                                                                        \
    struct ref_ops<weft_##T> {                                                         \
        static weft_status clone(weft_##T* p) noexcept { return weft_##T##_clone(p); } \
        static weft_status free(weft_##T* p) noexcept { return weft_##T##_free(p); }   \
    };
WEFT_HPP_REF_OPS_(lock)
WEFT_HPP_REF_OPS_(rlock)
WEFT_HPP_REF_OPS_(sem)
WEFT_HPP_REF_OPS_(cond)
WEFT_HPP_REF_OPS_(event)
WEFT_HPP_REF_OPS_(countdown)
WEFT_HPP_REF_OPS_(barrier)
WEFT_HPP_REF_OPS_(limiter)
WEFT_HPP_REF_OPS_(flag)
WEFT_HPP_REF_OPS_(guard)
WEFT_HPP_REF_OPS_(queue)
WEFT_HPP_REF_OPS_(port)
#undef WEFT_HPP_REF_OPS_
// weft_op has no _clone: weft::op is move-only.
template <>
struct ref_ops<weft_op> {
    static weft_status free(weft_op* p) noexcept { return weft_op_free(p); }
};

}  // namespace detail

/// Tag: take over the caller's reference to a raw handle.
struct adopt_ref_t {
    explicit adopt_ref_t() = default;
};
/// The adopt_ref_t to pass.
inline constexpr adopt_ref_t adopt_ref{};
/// Tag: add a reference to a raw handle (the caller keeps its own).
struct clone_ref_t {
    explicit clone_ref_t() = default;
};
/// The clone_ref_t to pass.
inline constexpr clone_ref_t clone_ref{};

/// One reference to a C handle. The base of every wrapper.
template <class C>
class handle {
public:
    /// The C handle type (weft_lock, weft_queue, ...).
    using native_type = C;

    /// The raw pointer, still owned by this object (lend it to C). (queue<T>::get() takes
    /// an item: native_handle() is the name every wrapper has.)
    C* get() const noexcept { return p_; }
    /// The raw pointer, as get().
    C* native_handle() const noexcept { return p_; }
    /// Gives up the reference without freeing it; this object becomes empty.
    /// (semaphore and limiter have their own release(n), of permits and tokens as in
    /// std::counting_semaphore: release_handle() is the name every wrapper has.)
    C* release() noexcept { return release_handle(); }
    /// Gives up the reference without freeing it, as release().
    C* release_handle() noexcept { return std::exchange(p_, nullptr); }
    /// Drops the reference (if any); this object becomes empty. (barrier::reset() is
    /// weft_barrier_reset: reset_handle() is the name every wrapper has.)
    void reset() noexcept { reset_handle(); }
    /// Drops the reference (if any), as reset().
    void reset_handle() noexcept {
        if (C* p = std::exchange(p_, nullptr)) (void)detail::ref_ops<C>::free(p);
    }
    /// False when empty (moved from, released, reset or null()).
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /// Exchanges the references of two wrappers.
    void swap(handle& other) noexcept { std::swap(p_, other.p_); }
    /// Whether two wrappers hold the same C object.
    ///@{
    friend bool operator==(const handle& a, const handle& b) noexcept { return a.p_ == b.p_; }
    friend bool operator!=(const handle& a, const handle& b) noexcept { return a.p_ != b.p_; }
    ///@}

protected:
    /// An empty handle (for the wrappers' own constructors).
    handle() noexcept = default;
    /// Takes over the caller's reference to raw.
    handle(adopt_ref_t, C* raw) noexcept : p_(raw) {}
    /// Adds a reference to raw (the caller keeps its own).
    handle(clone_ref_t, C* raw) : p_(raw) {
        if (p_) check(detail::ref_ops<C>::clone(p_), "clone");
    }
    /// A copy holds one more reference to the same C object.
    handle(const handle& other) : handle(clone_ref, other.p_) {}
    /// A move steals the reference; other becomes empty.
    handle(handle&& other) noexcept : p_(other.release_handle()) {}
    /// Drops this reference and holds one more to other's C object.
    handle& operator=(const handle& other) {
        if (this != &other) {
            handle copy(other);
            swap(copy);
        }
        return *this;
    }
    /// Drops this reference and steals other's.
    handle& operator=(handle&& other) noexcept {
        if (this != &other) {
            reset_handle();
            p_ = other.release_handle();
        }
        return *this;
    }
    /// Drops the reference.
    ~handle() { reset_handle(); }

    /// The reference (nullptr when empty).
    C* p_ = nullptr;
};

// The constructors every wrapper shares: from raw (adopt or clone), empty, copy, move.
#define WEFT_HPP_HANDLE_(cls, C)                                                        \
public:                                                                                 \
    /** Takes over the caller's reference to raw (as adopt()). */                       \
    cls(adopt_ref_t tag, C* raw) noexcept : handle<C>(tag, raw) {}                      \
    /** Adds a reference to raw (as clone_from()); throws weft::error if that fails. */ \
    cls(clone_ref_t tag, C* raw) : handle<C>(tag, raw) {}                               \
    /** An empty wrapper (no reference); its calls throw WEFT_INVALID. */               \
    static cls null() noexcept { return cls(adopt_ref, nullptr); }                     \
    /** Takes over the caller's reference to raw. */                                    \
    static cls adopt(C* raw) noexcept { return cls(adopt_ref, raw); }                   \
    /** Adds a reference to raw (the caller keeps its own). */                          \
    static cls clone_from(C* raw) { return cls(clone_ref, raw); }                       \
    /** Copy: one more reference to the C object (throws weft::error if that fails). */ \
    /** Move: steals the reference; the source becomes empty. */                        \
    /** An assignment drops this wrapper's reference first. */                          \
    /** @{ */                                                                           \
    cls(const cls&) = default;                                                          \
    cls(cls&&) noexcept = default;                                                      \
    cls& operator=(const cls&) = default;                                               \
    cls& operator=(cls&&) noexcept = default;                                           \
    /** @} */                                                                           \
    /** Drops the reference (*_free): the C object goes with its last reference. */     \
    ~cls() = default;

// ---------------------------------------------------------------------------------------
// Ports and ops

/// A completion port (one per event loop): async ops started with it complete in run().
class port : public handle<weft_port> {
    WEFT_HPP_HANDLE_(port, weft_port)
    /// Creates a port with its own eventfd (weft_port_new). Throws weft::error:
    /// WEFT_SYSTEM when no fd could be created (errno says why).
    port() { check(weft_port_new(&p_), "weft_port_new"); }

    /// The pollable fd (level-triggered readable while completions are pending).
    int fd() const {
        int32_t fd = -1;
        check(weft_port_fd(p_, &fd), "weft_port_fd");
        return fd;
    }
    /// The number of completions pending now (weft_port_pending). A snapshot.
    /// Throws weft::error (WEFT_INVALID when empty).
    size_t pending() const {
        size_t n = 0;
        check(weft_port_pending(p_, &n), "weft_port_pending");
        return n;
    }
    /// Runs up to max pending callbacks on this thread; returns how many.
    size_t run(size_t max = std::numeric_limits<size_t>::max()) const {
        size_t ran = 0;
        check(weft_port_run(p_, max, &ran), "weft_port_run");
        return ran;
    }
    /// Pull form (for ops started through the C API with your own arg only).
    std::vector<weft_completion> poll(size_t max) const {
        std::vector<weft_completion> out(max);
        size_t n = 0;
        check(weft_port_poll(p_, out.data(), max, &n), "weft_port_poll");
        out.resize(n);
        return out;
    }
    /// Blocks until a completion is pending.
    void wait() const { check(weft_port_wait(p_, forever), "weft_port_wait"); }
    /// Blocks up to d; false if nothing became pending.
    template <class Rep, class Period>
    bool wait_for(const std::chrono::duration<Rep, Period>& d) const {
        const weft_status s = weft_port_wait(p_, detail::to_ns(d));
        if (detail::timed_out(s)) return false;
        check(s, "weft_port_wait");
        return true;
    }
};

/// A pending async operation (move-only: the C API has no weft_op_clone). The destructor only drops the reference: a pending op
/// still completes (its callback still runs once); cancel() first to abandon it.
class op : public handle<weft_op> {
public:
    /// An empty op (what an async start returns when it was granted at once).
    op() noexcept = default;
    /// Takes over the caller's reference to raw.
    ///@{
    op(adopt_ref_t tag, weft_op* raw) noexcept : handle<weft_op>(tag, raw) {}
    static op adopt(weft_op* raw) noexcept { return op(adopt_ref, raw); }
    ///@}
    /// Not copyable: weft_op has no _clone (queue<T>::get_async's shared_op is).
    ///@{
    op(const op&) = delete;  // weft_op has no _clone
    op& operator=(const op&) = delete;
    ///@}
    /// Moves the reference; the source becomes empty.
    ///@{
    op(op&&) noexcept = default;
    op& operator=(op&&) noexcept = default;
    ///@}
    /// Drops the reference (weft_op_free). This does not cancel: a pending op still
    /// completes, its callback running once.
    ~op() = default;

    /// Cancels, racing safely with the grant. Returns the status the op ends with:
    /// WEFT_CANCELLED if this call won, else the status that had won (WEFT_OK: what was
    /// granted is yours). Throws only for an empty op.
    weft_status cancel() const {
        const weft_status s = weft_op_cancel(p_);
        if (s == WEFT_INVALID) throw error(s, "weft_op_cancel");
        return s;
    }
    /// WEFT_PENDING while it waits, then its final status.
    weft_status status() const {
        weft_status s = WEFT_PENDING;
        check(weft_op_status(p_, &s), "weft_op_status");
        return s;
    }
    /// Whether it still waits: status() == WEFT_PENDING.
    bool pending() const { return status() == WEFT_PENDING; }
    /// The value of the grant (a barrier arrival's index).
    uint64_t value() const {
        uint64_t v = 0;
        check(weft_op_value(p_, &v), "weft_op_value");
        return v;
    }
    /// The item a queue get op got (throws unless it completed WEFT_OK).
    void* item() const {
        void* it = nullptr;
        check(weft_op_item(p_, &it), "weft_op_item");
        return it;
    }
};

/// A pending async op shared by its starter and the library's own bookkeeping
/// (queue<T>::get_async needs the op inside its callback, and weft_op has no _clone):
/// copyable; the last copy frees the reference.
class shared_op {
public:
    /// An empty op (a get granted at once).
    shared_op() noexcept = default;
    /// Shares p (whose deleter frees the weft_op).
    explicit shared_op(std::shared_ptr<weft_op> p) noexcept : p_(std::move(p)) {}
    /// The raw op, still shared by this object.
    weft_op* get() const noexcept { return p_.get(); }
    /// False when empty.
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /// As op::cancel(): the status the op ends with (WEFT_CANCELLED if this call won).
    weft_status cancel() const {
        const weft_status s = weft_op_cancel(p_.get());
        if (s == WEFT_INVALID) throw error(s, "weft_op_cancel");
        return s;
    }
    /// As op::status(): WEFT_PENDING while it waits, then its final status.
    weft_status status() const {
        weft_status s = WEFT_PENDING;
        check(weft_op_status(p_.get(), &s), "weft_op_status");
        return s;
    }
    /// Whether it still waits: status() == WEFT_PENDING.
    bool pending() const { return status() == WEFT_PENDING; }

private:
    std::shared_ptr<weft_op> p_;
};

namespace detail {

template <class F>
struct async_context {
    F f;
    static void trampoline(void* arg, weft_status status) noexcept {
        std::unique_ptr<async_context> self(static_cast<async_context*>(arg));
        self->f(status);  // noexcept: a throwing callback terminates
    }
};

/// Starts an async op: start(callback, arg, &op) is the C call. f(status) runs exactly
/// once unless this throws; the context is freed exactly once.
template <class F, class Start>
op start_async(F&& f, Start&& start, const char* call) {
    using ctx_t = async_context<std::decay_t<F>>;
    static_assert(std::is_invocable_v<std::decay_t<F>&, weft_status>,
                  "an async callback is called as f(weft_status)");
    auto ctx = std::make_unique<ctx_t>(ctx_t{std::forward<F>(f)});
    weft_op* raw = nullptr;
    const weft_status s = start(&ctx_t::trampoline, static_cast<void*>(ctx.get()), &raw);
    if (s == WEFT_PENDING) {
        ctx.release();  // the trampoline frees it
        return op(adopt_ref, raw);
    }
    if (raw) (void)weft_op_free(raw);
    check(s, call);
    ctx->f(WEFT_OK);  // granted at once: no completion follows
    return op();
}

}  // namespace detail

// ---------------------------------------------------------------------------------------
// Locks

/// An ownable, non-reentrant lock (weft_lock). Lockable and TimedLockable.
/// Copying shares the same lock. lock() by the owner throws WEFT_DEADLOCK; unlock() by a
/// thread that does not own it throws WEFT_NOT_OWNER (inside a std::lock_guard's
/// destructor that means std::terminate, as for any misuse there).
class mutex : public handle<weft_lock> {
    WEFT_HPP_HANDLE_(mutex, weft_lock)
    /// Creates an unlocked lock (weft_lock_new). flags: WEFT_LOCK_FIFO (strict FIFO
    /// handoff, the default) or WEFT_LOCK_THROUGHPUT; anything else throws weft::error
    /// WEFT_INVALID.
    ///@{
    mutex() : mutex(WEFT_LOCK_FIFO) {}
    explicit mutex(uint32_t flags) {
        check(weft_lock_new(flags, &p_), "weft_lock_new");
    }
    ///@}

    /// Acquires the lock for the calling thread, waiting as long as it takes
    /// (weft_lock_acquire). Throws weft::error: WEFT_DEADLOCK if this thread owns it
    /// already, WEFT_INVALID when empty.
    void lock() { check(weft_lock_acquire(p_, forever), "weft_lock_acquire"); }
    /// Acquires the lock for the calling thread if it is free and nobody waits
    /// (weft_lock_try_acquire); false otherwise. Never blocks. Throws weft::error:
    /// WEFT_DEADLOCK if this thread owns it already, WEFT_INVALID when empty.
    bool try_lock() {
        const weft_status s = weft_lock_try_acquire(p_);
        if (s == WEFT_WOULD_BLOCK) return false;
        check(s, "weft_lock_try_acquire");
        return true;
    }
    /// Acquires the lock for the calling thread, waiting up to d (try_lock_for) or until tp
    /// (try_lock_until, any clock): false on a timeout. Throws weft::error: WEFT_DEADLOCK
    /// if this thread owns it already, WEFT_INVALID when empty.
    ///@{
    template <class Rep, class Period>
    bool try_lock_for(const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_lock_acquire(p_, detail::to_ns(d)));
    }
    template <class Clock, class Duration>
    bool try_lock_until(const std::chrono::time_point<Clock, Duration>& tp) {
        return timed(detail::until(tp, [this](int64_t ns) { return weft_lock_acquire(p_, ns); }));
    }
    ///@}
    /// Releases the lock held by the calling thread, handing it to the first waiter
    /// (weft_lock_release). Never blocks. Throws weft::error: WEFT_NOT_OWNER (another
    /// owner holds it), WEFT_NOT_LOCKED (it is unlocked), WEFT_INVALID when empty.
    void unlock() { check(weft_lock_release(p_), "weft_lock_release"); }
    /// unlock() without throwing: the status.
    weft_status try_unlock() noexcept { return weft_lock_release(p_); }

    /// lock() for an explicit nonzero owner token (a task, or another thread's token)
    /// (weft_lock_acquire_as). Throws weft::error: WEFT_DEADLOCK if owner holds it
    /// already, WEFT_INVALID for owner 0 or when empty.
    void lock_as(uint64_t owner) {
        check(weft_lock_acquire_as(p_, owner, forever), "weft_lock_acquire_as");
    }
    /// try_lock_for for an explicit nonzero owner token: false on a timeout. Throws
    /// weft::error as lock_as.
    template <class Rep, class Period>
    bool try_lock_as_for(uint64_t owner, const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_lock_acquire_as(p_, owner, detail::to_ns(d)));
    }
    /// unlock() for an explicit owner token (weft_lock_release_as). Throws weft::error:
    /// WEFT_NOT_OWNER, WEFT_NOT_LOCKED, WEFT_INVALID.
    void unlock_as(uint64_t owner) {
        check(weft_lock_release_as(p_, owner), "weft_lock_release_as");
    }
    /// Starts an async acquire for owner (weft_lock_acquire_async); f(status) as described
    /// at the top: f(WEFT_OK) means owner holds the lock (release it with unlock_as).
    /// Completes through the port via, or with none on the releasing thread. Throws
    /// weft::error (WEFT_INVALID for owner 0; f then never runs).
    template <class F>
    op lock_async(uint64_t owner, F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_lock_acquire_async(p_, owner, via, cb, arg, out);
            },
            "weft_lock_acquire_async");
    }

    /// The owner token (0: unlocked). A snapshot (weft_lock_owner). Throws weft::error
    /// (WEFT_INVALID when empty).
    uint64_t owner() const {
        uint64_t o = 0;
        check(weft_lock_owner(p_, &o), "weft_lock_owner");
        return o;
    }
    /// Whether the calling thread owns it: owner() == this_thread_owner(). A snapshot.
    /// Throws weft::error as owner().
    bool owned_by_this_thread() const { return owner() == this_thread_owner(); }
    /// The number of waiters in line (weft_lock_waiting). A snapshot. Throws weft::error
    /// (WEFT_INVALID when empty).
    size_t waiting() const {
        size_t n = 0;
        check(weft_lock_waiting(p_, &n), "weft_lock_waiting");
        return n;
    }

private:
    static bool timed(weft_status s) {
        if (detail::timed_out(s)) return false;
        check(s, "weft_lock_acquire");
        return true;
    }
};
/// mutex is timed already (try_lock_for, try_lock_until).
using timed_mutex = mutex;

/// A reentrant lock (weft_rlock). Lockable and TimedLockable; lock() nests.
class recursive_mutex : public handle<weft_rlock> {
    WEFT_HPP_HANDLE_(recursive_mutex, weft_rlock)
    /// Creates an unlocked reentrant lock (weft_rlock_new). flags as for mutex:
    /// WEFT_LOCK_FIFO (the default) or WEFT_LOCK_THROUGHPUT; anything else throws
    /// weft::error WEFT_INVALID.
    ///@{
    recursive_mutex() : recursive_mutex(WEFT_LOCK_FIFO) {}
    explicit recursive_mutex(uint32_t flags) {
        check(weft_rlock_new(flags, &p_), "weft_rlock_new");
    }
    ///@}

    /// Acquires count (>= 1) levels for the calling thread, waiting as long as it takes;
    /// at once if this thread owns it already (weft_rlock_acquire). Throws weft::error:
    /// WEFT_OVERFLOW (the depth would pass INT64_MAX), WEFT_INVALID (count 0, or empty).
    void lock(uint64_t count = 1) {
        check(weft_rlock_acquire(p_, count, forever), "weft_rlock_acquire");
    }
    /// Acquires count levels for the calling thread if it can at once
    /// (weft_rlock_try_acquire); false otherwise. Never blocks. Throws weft::error as
    /// lock().
    bool try_lock(uint64_t count = 1) {
        const weft_status s = weft_rlock_try_acquire(p_, count);
        if (s == WEFT_WOULD_BLOCK) return false;
        check(s, "weft_rlock_try_acquire");
        return true;
    }
    /// Acquires one level for the calling thread, waiting up to d (try_lock_for) or
    /// until tp (try_lock_until, any clock): false on a timeout. Throws weft::error as
    /// lock().
    ///@{
    template <class Rep, class Period>
    bool try_lock_for(const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_rlock_acquire(p_, 1, detail::to_ns(d)));
    }
    template <class Clock, class Duration>
    bool try_lock_until(const std::chrono::time_point<Clock, Duration>& tp) {
        return timed(
            detail::until(tp, [this](int64_t ns) { return weft_rlock_acquire(p_, 1, ns); }));
    }
    ///@}
    /// Releases count levels held by the calling thread; the last level hands the lock
    /// to the first waiter (weft_rlock_release). Never blocks. Throws weft::error:
    /// WEFT_NOT_OWNER, WEFT_NOT_LOCKED, WEFT_OVERFLOW (more than held; nothing changes),
    /// WEFT_INVALID (count 0, or empty).
    void unlock(uint64_t count = 1) { check(weft_rlock_release(p_, count), "weft_rlock_release"); }
    /// unlock(count) without throwing: the status.
    weft_status try_unlock(uint64_t count = 1) noexcept { return weft_rlock_release(p_, count); }

    /// lock(count) for an explicit nonzero owner token (weft_rlock_acquire_as). Throws
    /// weft::error as lock() (WEFT_INVALID for owner 0).
    void lock_as(uint64_t owner, uint64_t count = 1) {
        check(weft_rlock_acquire_as(p_, owner, count, forever), "weft_rlock_acquire_as");
    }
    /// unlock(count) for an explicit owner token (weft_rlock_release_as). Throws
    /// weft::error as unlock().
    void unlock_as(uint64_t owner, uint64_t count = 1) {
        check(weft_rlock_release_as(p_, owner, count), "weft_rlock_release_as");
    }
    /// Starts an async acquire of count levels for owner (weft_rlock_acquire_async);
    /// f(status) as described at the top: f(WEFT_OK) means owner holds them (release them
    /// with unlock_as). Completes through the port via, or with none on the releasing
    /// thread. Throws weft::error (WEFT_INVALID for owner or count 0; f then never runs).
    template <class F>
    op lock_async(uint64_t owner, uint64_t count, F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_rlock_acquire_async(p_, owner, count, via, cb, arg, out);
            },
            "weft_rlock_acquire_async");
    }

    /// The owner token (0: unlocked). A snapshot (weft_rlock_owner). Throws weft::error
    /// (WEFT_INVALID when empty).
    uint64_t owner() const {
        uint64_t o = 0;
        check(weft_rlock_owner(p_, &o), "weft_rlock_owner");
        return o;
    }
    /// The depth owner holds (default: the calling thread), 0 if it is not the owner.
    uint64_t depth(uint64_t owner = this_thread_owner()) const {
        uint64_t n = 0;
        check(weft_rlock_count(p_, owner, &n), "weft_rlock_count");
        return n;
    }
    /// The number of waiters in line (weft_rlock_waiting). A snapshot. Throws
    /// weft::error (WEFT_INVALID when empty).
    size_t waiting() const {
        size_t n = 0;
        check(weft_rlock_waiting(p_, &n), "weft_rlock_waiting");
        return n;
    }

private:
    static bool timed(weft_status s) {
        if (detail::timed_out(s)) return false;
        check(s, "weft_rlock_acquire");
        return true;
    }
};
/// recursive_mutex is timed already (try_lock_for, try_lock_until).
using recursive_timed_mutex = recursive_mutex;

// ---------------------------------------------------------------------------------------
// Condition variable

/// A condition bound to one weft::mutex or weft::recursive_mutex (or lockless). A
/// notified waiter wakes holding the lock again. The wait members take a
/// std::unique_lock that must hold the bound lock (checked: WEFT_INVALID otherwise), or
/// no lock at all when the caller holds the bound lock some other way. No notification is
/// lost (the C core's rule, see weft_cond): a waiter counted by notify_one/notify either
/// returns notified or, if its timeout, cancel or port close wins after all, passes the
/// notification to the next waiter; a wait_async whose op cancel answers WEFT_OK was
/// notified and holds the lock.
class condition_variable : public handle<weft_cond> {
    WEFT_HPP_HANDLE_(condition_variable, weft_cond)
    /// Creates a condition bound to m's lock (weft_cond_new); it keeps its own reference
    /// to that lock. Throws weft::error on an error status, and WEFT_INVALID if m is
    /// empty (mutex::null()): a lockless condition is made with lockless(), never by
    /// accident.
    explicit condition_variable(mutex& m) : bound_(m.get()) {
        if (m.get() == nullptr) throw error(WEFT_INVALID, "weft_cond_new");
        check(weft_cond_new(m.get(), &p_), "weft_cond_new");
    }
    /// Creates a condition bound to the reentrant lock m (weft_cond_new_reentrant): a
    /// wait saves the owner's depth and restores it when it wakes. It keeps its own
    /// reference to that lock. Throws weft::error (WEFT_INVALID if m is empty).
    explicit condition_variable(recursive_mutex& m) : bound_(m.get()) {
        check(weft_cond_new_reentrant(m.get(), &p_), "weft_cond_new_reentrant");
    }
    /// A lockless condition: waits only wait for a notify.
    static condition_variable lockless() {
        weft_cond* raw = nullptr;
        check(weft_cond_new(nullptr, &raw), "weft_cond_new");
        return condition_variable(adopt_ref, raw);
    }

    /// Wakes the first waiter, if any (notify(1)). Never blocks; the caller need not hold
    /// the lock. Throws weft::error (WEFT_INVALID when empty).
    void notify_one() { notify(1); }
    /// Wakes every waiter waiting when it starts (weft_cond_notify_all). Never blocks.
    /// Throws weft::error (WEFT_INVALID when empty).
    void notify_all() { check(weft_cond_notify_all(p_, nullptr), "weft_cond_notify_all"); }
    /// Wakes up to n waiters in FIFO order (weft_cond_notify); returns how many. Never
    /// blocks. Throws weft::error (WEFT_INVALID when empty).
    size_t notify(size_t n) {
        size_t woken = 0;
        check(weft_cond_notify(p_, n, &woken), "weft_cond_notify");
        return woken;
    }

    /// Waits for a notify: releases the bound lock that lk holds and returns holding it
    /// again (a recursive_mutex at the same depth) (weft_cond_wait). Throws weft::error:
    /// WEFT_INVALID if lk does not hold the bound lock, WEFT_NOT_OWNER if the calling
    /// thread does not own it.
    template <class M>
    void wait(std::unique_lock<M>& lk) {
        check_lock(lk);
        check(weft_cond_wait(p_, forever), "weft_cond_wait");
    }
    /// Waits until pred() is true, checking it (lock held) before each wait. Throws
    /// weft::error as wait(lk).
    template <class M, class Pred>
    void wait(std::unique_lock<M>& lk, Pred pred) {
        while (!pred()) wait(lk);
    }
    /// Waits for a notify up to d: std::cv_status::timeout if the time ran out (the lock
    /// is held again either way). Throws weft::error as wait(lk).
    template <class M, class Rep, class Period>
    std::cv_status wait_for(std::unique_lock<M>& lk, const std::chrono::duration<Rep, Period>& d) {
        check_lock(lk);
        return timed(weft_cond_wait(p_, detail::to_ns(d)));
    }
    /// Waits until pred() is true, up to d: pred()'s last value. Throws weft::error as
    /// wait(lk).
    template <class M, class Rep, class Period, class Pred>
    bool wait_for(std::unique_lock<M>& lk, const std::chrono::duration<Rep, Period>& d, Pred pred) {
        return wait_until(lk, std::chrono::steady_clock::now() + d, std::move(pred));
    }
    /// Waits for a notify until tp (any clock): std::cv_status::timeout once tp has
    /// passed (the lock is held again either way). Throws weft::error as wait(lk).
    template <class M, class Clock, class Duration>
    std::cv_status wait_until(std::unique_lock<M>& lk,
                              const std::chrono::time_point<Clock, Duration>& tp) {
        check_lock(lk);
        if (!(Clock::now() < tp)) return std::cv_status::timeout;
        return timed(detail::until(tp, [this](int64_t ns) { return weft_cond_wait(p_, ns); }));
    }
    /// Waits until pred() is true, until tp: pred()'s last value. Throws weft::error as
    /// wait(lk).
    template <class M, class Clock, class Duration, class Pred>
    bool wait_until(std::unique_lock<M>& lk, const std::chrono::time_point<Clock, Duration>& tp,
                    Pred pred) {
        while (!pred())
            if (wait_until(lk, tp) == std::cv_status::timeout) return pred();
        return true;
    }

    /// Waits holding the bound lock some other way (or on a lockless condition). Throws
    /// weft::error: WEFT_NOT_OWNER if the calling thread does not own the bound lock.
    void wait() { check(weft_cond_wait(p_, forever), "weft_cond_wait"); }
    /// wait() up to d: std::cv_status::timeout if the time ran out (the bound lock is held
    /// again either way). Throws weft::error as wait().
    template <class Rep, class Period>
    std::cv_status wait_for(const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_cond_wait(p_, detail::to_ns(d)));
    }
    /// Async wait as owner (who holds the bound lock; it is released before this returns)
    /// (weft_cond_wait_async). f(WEFT_OK) means notified and holding the lock again as
    /// owner; f(WEFT_CANCELLED): cancelled, without the lock. Completes through the port
    /// via, or with none on the thread that completes it. Throws weft::error:
    /// WEFT_NOT_OWNER if owner does not hold the lock (f then never runs).
    template <class F>
    op wait_async(uint64_t owner, F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_cond_wait_async(p_, owner, via, cb, arg, out);
            },
            "weft_cond_wait_async");
    }
    /// The number of waiters in the condition's line (weft_cond_waiting). A snapshot.
    /// Throws weft::error (WEFT_INVALID when empty).
    size_t waiting() const {
        size_t n = 0;
        check(weft_cond_waiting(p_, &n), "weft_cond_waiting");
        return n;
    }

private:
    template <class M>
    void check_lock(const std::unique_lock<M>& lk) const {
        static_assert(std::is_same_v<M, mutex> || std::is_same_v<M, recursive_mutex>,
                      "weft::condition_variable waits with a weft mutex");
        // A condition adopted from C has no known lock: weft checks ownership alone.
        if (!lk.owns_lock() || (bound_ && lk.mutex()->get() != bound_))
            throw error(WEFT_INVALID, "weft::condition_variable::wait (lock not held or not bound)");
    }
    static std::cv_status timed(weft_status s) {
        if (detail::timed_out(s)) return std::cv_status::timeout;
        check(s, "weft_cond_wait");
        return std::cv_status::no_timeout;
    }
    // Compared only, never dereferenced: the condition holds its own reference to it.
    const void* bound_ = nullptr;
};

// ---------------------------------------------------------------------------------------
// Semaphore, event, countdown, latch, barrier, limiter, flag, guard

/// A counting semaphore (weft_sem), like std::counting_semaphore with a run-time max.
class semaphore : public handle<weft_sem> {
    WEFT_HPP_HANDLE_(semaphore, weft_sem)
    /// initial permits; max < 0: unbounded, else release() past max throws WEFT_OVERFLOW
    /// (weft_sem_new). Throws weft::error WEFT_INVALID if initial < 0 or initial > max.
    explicit semaphore(int64_t initial, int64_t max = -1) {
        check(weft_sem_new(initial, max, &p_), "weft_sem_new");
    }
    /// Takes one permit, waiting as long as it takes (weft_sem_acquire). Throws
    /// weft::error (WEFT_INVALID when empty).
    void acquire() { check(weft_sem_acquire(p_, forever), "weft_sem_acquire"); }
    /// Takes one permit if one is free and nobody waits (weft_sem_try_acquire); false
    /// otherwise. Never blocks. Throws weft::error (WEFT_INVALID when empty).
    bool try_acquire() {
        const weft_status s = weft_sem_try_acquire(p_);
        if (s == WEFT_WOULD_BLOCK) return false;
        check(s, "weft_sem_try_acquire");
        return true;
    }
    /// Takes one permit, waiting up to d (try_acquire_for) or until tp
    /// (try_acquire_until, any clock): false on a timeout. Throws weft::error
    /// (WEFT_INVALID when empty).
    ///@{
    template <class Rep, class Period>
    bool try_acquire_for(const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_sem_acquire(p_, detail::to_ns(d)));
    }
    template <class Clock, class Duration>
    bool try_acquire_until(const std::chrono::time_point<Clock, Duration>& tp) {
        return timed(detail::until(tp, [this](int64_t ns) { return weft_sem_acquire(p_, ns); }));
    }
    ///@}
    /// Returns n (>= 1) permits: the first n waiters each get one, the rest become free
    /// (weft_sem_release; any thread may release). Never blocks. Throws weft::error:
    /// WEFT_OVERFLOW if the free count plus n would pass max (nothing changes; while
    /// waiters are queued any n > max), WEFT_INVALID for n == 0 or n > INT64_MAX.
    void release(uint64_t n = 1) { check(weft_sem_release(p_, n), "weft_sem_release"); }
    /// Starts an async acquire of one permit (weft_sem_acquire_async); f(status) as
    /// described at the top: f(WEFT_OK) means the permit is yours. Completes through the
    /// port via, or with none on the releasing thread. Throws weft::error (f then never
    /// runs).
    template <class F>
    op acquire_async(F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_sem_acquire_async(p_, via, cb, arg, out);
            },
            "weft_sem_acquire_async");
    }
    /// The number of free permits (weft_sem_value). A snapshot. Throws weft::error
    /// (WEFT_INVALID when empty).
    uint64_t value() const {
        uint64_t v = 0;
        check(weft_sem_value(p_, &v), "weft_sem_value");
        return v;
    }
    /// The number of waiters in line (weft_sem_waiting). A snapshot. Throws weft::error
    /// (WEFT_INVALID when empty).
    size_t waiting() const {
        size_t n = 0;
        check(weft_sem_waiting(p_, &n), "weft_sem_waiting");
        return n;
    }

private:
    static bool timed(weft_status s) {
        if (detail::timed_out(s)) return false;
        check(s, "weft_sem_acquire");
        return true;
    }
};
/// The std::counting_semaphore name for semaphore.
using counting_semaphore = semaphore;

/// An event (weft_event): one-time (default) or reusable.
class event : public handle<weft_event> {
    WEFT_HPP_HANDLE_(event, weft_event)
    /// The flags: one_time (WEFT_EVENT_ONE_TIME: set once, never cleared) or reusable
    /// (WEFT_EVENT_REUSABLE: clear() makes later waiters wait again).
    ///@{
    static constexpr uint32_t one_time = WEFT_EVENT_ONE_TIME;
    static constexpr uint32_t reusable = WEFT_EVENT_REUSABLE;
    ///@}
    /// Creates a clear event (weft_event_new), one-time unless flags is reusable; other
    /// flags throw weft::error WEFT_INVALID.
    ///@{
    event() : event(one_time) {}
    explicit event(uint32_t flags) { check(weft_event_new(flags, &p_), "weft_event_new"); }
    ///@}

    /// Sets it, waking every waiter queued now (weft_event_set); returns how many were
    /// woken (0 if it was set already). Never blocks; the callbacks of port-less async
    /// waiters run on this thread before it returns. Throws weft::error (WEFT_INVALID
    /// when empty).
    size_t set() {
        size_t woken = 0;
        check(weft_event_set(p_, &woken), "weft_event_set");
        return woken;
    }
    /// Clears a reusable event (throws WEFT_INVALID for a one-time event).
    void clear() { check(weft_event_clear(p_), "weft_event_clear"); }
    /// Whether it is set (weft_event_is_set). A snapshot. Throws weft::error
    /// (WEFT_INVALID when empty).
    bool is_set() const {
        bool set = false;
        check(weft_event_is_set(p_, &set), "weft_event_is_set");
        return set;
    }
    /// Waits until it is set (weft_event_wait). Throws weft::error (WEFT_INVALID when
    /// empty).
    void wait() { check(weft_event_wait(p_, forever), "weft_event_wait"); }
    /// Waits until it is set, up to d (wait_for) or until tp (wait_until, any clock):
    /// false on a timeout. Throws weft::error (WEFT_INVALID when empty).
    ///@{
    template <class Rep, class Period>
    bool wait_for(const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_event_wait(p_, detail::to_ns(d)));
    }
    template <class Clock, class Duration>
    bool wait_until(const std::chrono::time_point<Clock, Duration>& tp) {
        return timed(detail::until(tp, [this](int64_t ns) { return weft_event_wait(p_, ns); }));
    }
    ///@}
    /// Starts an async wait (weft_event_wait_async); f(status) as described at the top:
    /// f(WEFT_OK) once it is set (at once if it is set now). Completes through the port
    /// via, or with none on the setting thread. Throws weft::error (f then never runs).
    template <class F>
    op wait_async(F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_event_wait_async(p_, via, cb, arg, out);
            },
            "weft_event_wait_async");
    }
    /// The number of waiters in line (weft_event_waiting). A snapshot. Throws
    /// weft::error (WEFT_INVALID when empty).
    size_t waiting() const {
        size_t n = 0;
        check(weft_event_waiting(p_, &n), "weft_event_waiting");
        return n;
    }

private:
    static bool timed(weft_status s) {
        if (detail::timed_out(s)) return false;
        check(s, "weft_event_wait");
        return true;
    }
};

/// A countdown (weft_countdown): waiters wait for the count to reach zero.
class countdown : public handle<weft_countdown> {
    WEFT_HPP_HANDLE_(countdown, weft_countdown)
    /// Creates a countdown at initial (0..INT64_MAX; default 0) (weft_countdown_new).
    /// Throws weft::error WEFT_INVALID for a negative initial.
    ///@{
    countdown() : countdown(0) {}
    explicit countdown(int64_t initial) {
        check(weft_countdown_new(initial, &p_), "weft_countdown_new");
    }
    ///@}
    /// Adds n (>= 1) to the count (weft_countdown_up). Throws weft::error: WEFT_OVERFLOW
    /// past INT64_MAX (nothing changes), WEFT_INVALID for n == 0.
    void up(uint64_t n = 1) { check(weft_countdown_up(p_, n), "weft_countdown_up"); }
    /// Subtracts one; reaching zero wakes every waiter (weft_countdown_down). Never
    /// blocks; the callbacks of port-less async waiters run on this thread. Throws
    /// weft::error WEFT_OVERFLOW at zero (nothing changes).
    void down() { check(weft_countdown_down(p_), "weft_countdown_down"); }
    /// Drops the count to zero, waking every waiter (weft_countdown_clear). Throws
    /// weft::error (WEFT_INVALID when empty).
    void clear() { check(weft_countdown_clear(p_), "weft_countdown_clear"); }
    /// The count (weft_countdown_value). A snapshot. Throws weft::error (WEFT_INVALID
    /// when empty).
    uint64_t value() const {
        uint64_t v = 0;
        check(weft_countdown_value(p_, &v), "weft_countdown_value");
        return v;
    }
    /// Waits until the count is zero (weft_countdown_wait). Throws weft::error
    /// (WEFT_INVALID when empty).
    void wait() { check(weft_countdown_wait(p_, forever), "weft_countdown_wait"); }
    /// Whether the count is zero now, without waiting. Throws weft::error (WEFT_INVALID
    /// when empty).
    bool try_wait() { return timed(weft_countdown_wait(p_, 0)); }
    /// Waits until the count is zero, up to d: false on a timeout. Throws weft::error
    /// (WEFT_INVALID when empty).
    template <class Rep, class Period>
    bool wait_for(const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_countdown_wait(p_, detail::to_ns(d)));
    }
    /// Starts an async wait for zero (weft_countdown_wait_async); f(status) as described
    /// at the top: f(WEFT_OK) at zero (at once if it is zero now). Completes through the
    /// port via, or with none on the thread that reaches zero. Throws weft::error (f then
    /// never runs).
    template <class F>
    op wait_async(F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_countdown_wait_async(p_, via, cb, arg, out);
            },
            "weft_countdown_wait_async");
    }
    /// The number of waiters in line (weft_countdown_waiting). A snapshot. Throws
    /// weft::error (WEFT_INVALID when empty).
    size_t waiting() const {
        size_t n = 0;
        check(weft_countdown_waiting(p_, &n), "weft_countdown_waiting");
        return n;
    }

protected:
    /// A timed wait's answer: false on a timeout, true on WEFT_OK; throws otherwise.
    static bool timed(weft_status s) {
        if (detail::timed_out(s)) return false;
        check(s, "weft_countdown_wait");
        return true;
    }
};

/// std::latch over a countdown. count_down(n) takes n calls (weft has no down-by-n).
class latch : public countdown {
public:
    /// A countdown starting at expected (>= 0).
    explicit latch(int64_t expected) : countdown(expected) {}
    /// Adopts or clones a raw weft_countdown reference.
    ///@{
    latch(adopt_ref_t tag, weft_countdown* raw) noexcept : countdown(tag, raw) {}
    latch(clone_ref_t tag, weft_countdown* raw) : countdown(tag, raw) {}
    ///@}
    /// Counts down n times; the waiters wake when it reaches zero.
    void count_down(uint64_t n = 1) {
        for (uint64_t i = 0; i < n; ++i) down();
    }
    /// count_down(n), then waits for zero.
    void arrive_and_wait(uint64_t n = 1) {
        count_down(n);
        wait();
    }
};

/// A barrier (weft_barrier): latch, cyclic, or cyclic with reset.
class barrier : public handle<weft_barrier> {
    WEFT_HPP_HANDLE_(barrier, weft_barrier)
    /// The kinds: latch_kind (WEFT_BARRIER_LATCH: single use, open once filled), cyclic
    /// (WEFT_BARRIER_CYCLIC: a broken barrier stays broken), resettable
    /// (WEFT_BARRIER_RESETTABLE: repaired by reset()).
    ///@{
    static constexpr uint32_t latch_kind = WEFT_BARRIER_LATCH;
    static constexpr uint32_t cyclic = WEFT_BARRIER_CYCLIC;
    static constexpr uint32_t resettable = WEFT_BARRIER_RESETTABLE;
    ///@}
    /// Creates a barrier for parties arrivals (0..INT64_MAX; with 0 nobody passes and
    /// waits end only broken) of the given kind (weft_barrier_new). Throws weft::error
    /// WEFT_INVALID for a negative parties or an unknown kind.
    explicit barrier(int64_t parties, uint32_t kind = cyclic) {
        check(weft_barrier_new(parties, kind, &p_), "weft_barrier_new");
    }
    // reset() below is weft_barrier_reset; to drop the reference, assign barrier::null().
    /// Arrives and waits; returns the arrival index. Throws WEFT_BROKEN.
    uint64_t arrive_and_wait() {
        uint64_t index = 0;
        check(weft_barrier_wait(p_, forever, &index), "weft_barrier_wait");
        return index;
    }
    /// Arrives and waits up to d: the index, or nullopt on timeout (which breaks the
    /// barrier for everyone). Throws WEFT_BROKEN.
    template <class Rep, class Period>
    std::optional<uint64_t> arrive_and_wait_for(const std::chrono::duration<Rep, Period>& d) {
        uint64_t index = 0;
        const weft_status s = weft_barrier_wait(p_, detail::to_ns(d), &index);
        if (detail::timed_out(s)) return std::nullopt;
        check(s, "weft_barrier_wait");
        return index;
    }
    /// f(status); the arrival index of a pending arrival is op.value() after WEFT_OK.
    template <class F>
    op arrive_async(F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_barrier_wait_async(p_, via, cb, arg, out, nullptr);
            },
            "weft_barrier_wait_async");
    }
    /// Breaks the barrier: every waiter, and every later arrival, gets WEFT_BROKEN (until
    /// reset(), for a resettable barrier) (weft_barrier_abort). Never blocks. Throws
    /// weft::error (WEFT_INVALID when empty).
    void abort() { check(weft_barrier_abort(p_), "weft_barrier_abort"); }
    /// Repairs a resettable barrier (weft_barrier_reset; to drop the reference, assign
    /// barrier::null()): current waiters get WEFT_BROKEN, a new phase starts. Throws
    /// weft::error WEFT_INVALID for a latch or a cyclic barrier.
    void reset() { check(weft_barrier_reset(p_), "weft_barrier_reset"); }
    /// Whether it is broken (weft_barrier_is_broken). A snapshot. Throws weft::error
    /// (WEFT_INVALID when empty).
    bool is_broken() const {
        bool b = false;
        check(weft_barrier_is_broken(p_, &b), "weft_barrier_is_broken");
        return b;
    }
    /// The number of arrivals waiting in line (weft_barrier_waiting). A snapshot.
    /// Throws weft::error (WEFT_INVALID when empty).
    size_t waiting() const {
        size_t n = 0;
        check(weft_barrier_waiting(p_, &n), "weft_barrier_waiting");
        return n;
    }
};

/// A capacity limiter (weft_limiter). A plain limiter is also Lockable
/// (lock/try_lock/unlock take and give one token for the calling thread).
class limiter : public handle<weft_limiter> {
    WEFT_HPP_HANDLE_(limiter, weft_limiter)
    /// The flags: plain (WEFT_LIMITER_PLAIN: an owner acquiring again throws
    /// WEFT_DEADLOCK) or reentrant (WEFT_LIMITER_REENTRANT: an owner may acquire again;
    /// its count adds up and must be released).
    ///@{
    static constexpr uint32_t plain = WEFT_LIMITER_PLAIN;
    static constexpr uint32_t reentrant = WEFT_LIMITER_REENTRANT;
    ///@}
    /// Creates a limiter of total tokens (0..INT64_MAX), flags plain or reentrant
    /// (weft_limiter_new). Throws weft::error WEFT_INVALID otherwise.
    explicit limiter(int64_t total, uint32_t flags = plain) {
        check(weft_limiter_new(total, flags, &p_), "weft_limiter_new");
    }
    /// Takes a token for the calling thread (count levels; 1 for a plain limiter),
    /// waiting as long as it takes (weft_limiter_acquire). Throws weft::error:
    /// WEFT_DEADLOCK (plain: this thread holds a token already), WEFT_OVERFLOW,
    /// WEFT_INVALID.
    void acquire(uint64_t count = 1) {
        check(weft_limiter_acquire(p_, count, forever), "weft_limiter_acquire");
    }
    /// acquire(count) without waiting: false if no token is free now. Throws weft::error
    /// as acquire().
    bool try_acquire(uint64_t count = 1) { return timed(weft_limiter_acquire(p_, count, 0)); }
    /// acquire(count) waiting up to d: false on a timeout. Throws weft::error as
    /// acquire().
    template <class Rep, class Period>
    bool try_acquire_for(const std::chrono::duration<Rep, Period>& d, uint64_t count = 1) {
        return timed(weft_limiter_acquire(p_, count, detail::to_ns(d)));
    }
    /// Gives back count levels held by the calling thread; the last returns the token to
    /// the first waiter (weft_limiter_release). Never blocks. Throws weft::error:
    /// WEFT_NOT_OWNER, WEFT_OVERFLOW (more than held; nothing changes), WEFT_INVALID.
    void release(uint64_t count = 1) {
        check(weft_limiter_release(p_, count), "weft_limiter_release");
    }
    /// acquire(count) for an explicit nonzero owner token (weft_limiter_acquire_as).
    /// Throws weft::error as acquire() (WEFT_INVALID for owner 0).
    void acquire_as(uint64_t owner, uint64_t count = 1) {
        check(weft_limiter_acquire_as(p_, owner, count, forever), "weft_limiter_acquire_as");
    }
    /// release(count) for an explicit owner token (weft_limiter_release_as). Throws
    /// weft::error as release().
    void release_as(uint64_t owner, uint64_t count = 1) {
        check(weft_limiter_release_as(p_, owner, count), "weft_limiter_release_as");
    }
    /// Starts an async acquire of count levels for owner (weft_limiter_acquire_async);
    /// f(status) as described at the top: f(WEFT_OK) means owner holds the token (give it
    /// back with release_as). An owner with two acquires in line: the second re-enters on a
    /// reentrant limiter and completes WEFT_DEADLOCK on a plain one. Completes through the
    /// port via, or with none on the releasing thread. Throws weft::error (f then never
    /// runs).
    template <class F>
    op acquire_async(uint64_t owner, uint64_t count, F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_limiter_acquire_async(p_, owner, count, via, cb, arg, out);
            },
            "weft_limiter_acquire_async");
    }
    /// Lockable: acquire(), try_acquire() and release() of one token for the calling
    /// thread.
    ///@{
    void lock() { acquire(); }
    bool try_lock() { return try_acquire(); }
    void unlock() { release(); }
    ///@}

    /// Changes the total (0..INT64_MAX) (weft_limiter_set_total): growing it hands
    /// tokens to waiters at once; shrinking it lets current borrowers finish. Throws
    /// weft::error WEFT_INVALID for a negative total.
    void set_total(int64_t total) {
        check(weft_limiter_set_total(p_, total), "weft_limiter_set_total");
    }
    /// The counts of a limiter, one consistent snapshot (counts()).
    struct counts_t {
        /// The total tokens.
        uint64_t total;
        /// The tokens borrowed now (more than total while a shrink lets borrowers finish).
        uint64_t borrowed;
        /// The number of waiters in line.
        size_t waiting;
    };
    /// The total, borrowed tokens and waiters, one consistent snapshot
    /// (weft_limiter_counts). Throws weft::error (WEFT_INVALID when empty).
    counts_t counts() const {
        counts_t c{};
        check(weft_limiter_counts(p_, &c.total, &c.borrowed, &c.waiting), "weft_limiter_counts");
        return c;
    }
    /// The count owner holds (default: the calling thread), 0 if none
    /// (weft_limiter_held). Throws weft::error (WEFT_INVALID when empty).
    uint64_t held(uint64_t owner = this_thread_owner()) const {
        uint64_t n = 0;
        check(weft_limiter_held(p_, owner, &n), "weft_limiter_held");
        return n;
    }

private:
    static bool timed(weft_status s) {
        if (detail::timed_out(s)) return false;
        check(s, "weft_limiter_acquire");
        return true;
    }
};

/// A first-writer-wins slot for one pointer (weft_flag). The value is never freed by weft.
class flag : public handle<weft_flag> {
    WEFT_HPP_HANDLE_(flag, weft_flag)
    /// Creates an empty flag (weft_flag_new). Throws weft::error on an error status.
    flag() { check(weft_flag_new(&p_), "weft_flag_new"); }
    /// Stores value (any pointer, nullptr too) if the flag holds none; true if this call
    /// won (of racing setters exactly one wins) (weft_flag_set). Throws weft::error
    /// (WEFT_INVALID for an empty wrapper, see null()).
    bool set(void* value = nullptr) {
        bool won = false;
        check(weft_flag_set(p_, value, &won), "weft_flag_set");
        return won;
    }
    /// The value, or nullopt if empty.
    std::optional<void*> get_value() const {
        bool is_set = false;
        void* value = nullptr;
        check(weft_flag_get(p_, &is_set, &value), "weft_flag_get");
        if (!is_set) return std::nullopt;
        return value;
    }
    /// Whether it holds a value: get_value().has_value(). A snapshot. Throws
    /// weft::error as get_value().
    bool is_set() const { return get_value().has_value(); }
    /// Empties it; true if it held a value.
    bool clear() {
        bool was = false;
        check(weft_flag_clear(p_, &was), "weft_flag_clear");
        return was;
    }
};

/// A resource guard (weft_guard): non-blocking exclusive use. try_lock/unlock make it
/// usable with std::unique_lock(g, std::try_to_lock).
class guard : public handle<weft_guard> {
    WEFT_HPP_HANDLE_(guard, weft_guard)
    /// Creates a guard not in use (weft_guard_new). Throws weft::error on an error
    /// status.
    guard() { check(weft_guard_new(&p_), "weft_guard_new"); }
    /// Starts using it; throws WEFT_BUSY if in use.
    void enter() { check(weft_guard_enter(p_), "weft_guard_enter"); }
    /// Starts using it; false if in use.
    bool try_enter() {
        const weft_status s = weft_guard_enter(p_);
        if (s == WEFT_BUSY) return false;
        check(s, "weft_guard_enter");
        return true;
    }
    /// Ends the use; throws WEFT_NOT_LOCKED if not in use.
    void exit() { check(weft_guard_exit(p_), "weft_guard_exit"); }
    /// try_enter() and exit() under the Lockable names (std::unique_lock(g,
    /// std::try_to_lock)).
    ///@{
    bool try_lock() { return try_enter(); }
    void unlock() { exit(); }
    ///@}
    /// Whether it is in use (weft_guard_in_use). A snapshot. Throws weft::error
    /// (WEFT_INVALID when empty).
    bool in_use() const {
        bool b = false;
        check(weft_guard_in_use(p_, &b), "weft_guard_in_use");
        return b;
    }
};

// ---------------------------------------------------------------------------------------
// Typed queue

/// How queue<T> carries a T as a void *. Provided for T = U* (not owned: the queue never
/// frees it) and T = std::unique_ptr<U, D> (owned: whatever the queue discards, or holds
/// when it goes, is deleted through D).
template <class T>
struct queue_item_traits;

/// Raw pointers: carried as they are, never freed by the queue.
template <class U>
struct queue_item_traits<U*> {
    /// What peek() shows.
    using pointer = U*;
    /// The void * the C queue holds for an item.
    static void* as_void(U* p) noexcept { return const_cast<void*>(static_cast<const void*>(p)); }
    /// Called once an item went into the queue (nothing to give up).
    static void given(U*&) noexcept {}
    /// The item back from the void * a get returned.
    static U* take(void* p) noexcept { return static_cast<U*>(p); }
    /// No item destructor: the queue frees nothing.
    static constexpr weft_item_destructor destructor = nullptr;
};

/// std::unique_ptr: owned; what the queue discards, or holds when it goes, is deleted.
template <class U, class D>
struct queue_item_traits<std::unique_ptr<U, D>> {
    static_assert(!std::is_array_v<U>, "queue<std::unique_ptr<U[]>> is not supported");
    static_assert(std::is_default_constructible_v<D> && std::is_empty_v<D>,
                  "queue<std::unique_ptr<U, D>> needs a stateless deleter");
    /// What peek() shows (the queue keeps ownership).
    using pointer = U*;
    /// The void * the C queue holds for an item.
    static void* as_void(const std::unique_ptr<U, D>& p) noexcept {
        return const_cast<void*>(static_cast<const void*>(p.get()));
    }
    /// Called once an item went into the queue: the queue owns it now.
    static void given(std::unique_ptr<U, D>& p) noexcept { (void)p.release(); }
    /// Ownership back from the void * a get returned.
    static std::unique_ptr<U, D> take(void* p) noexcept {
        return std::unique_ptr<U, D>(static_cast<U*>(p));
    }
    /// Deletes an item the queue discards (through D).
    static void destroy(void*, void* item) noexcept {
        std::unique_ptr<U, D> owned(static_cast<U*>(item));
    }
    /// The item destructor given to weft_queue_new.
    static constexpr weft_item_destructor destructor = &destroy;
};

/// A typed weft_queue of T = U* or std::unique_ptr<U>. get() takes an item here: the raw
/// weft_queue * is native_handle(). A put takes T&&: the item moves
/// into the queue only if the put succeeds (on false or a throw it is still yours). A get
/// throws weft::error WEFT_CLOSED once the queue is shut down and empty (as Python's
/// ShutDown). Copying shares the queue. Adopting a raw weft_queue is only sound for one
/// created with the destructor this T implies (none for U*).
template <class T>
class queue : public handle<weft_queue> {
    using traits = queue_item_traits<T>;
    // An empty optional built this way keeps GCC 12's -Wmaybe-uninitialized (a false
    // positive on std::optional<std::unique_ptr> temporaries at -O2) quiet for users.
    static std::optional<T> no_item() noexcept {
        std::optional<T> none;
        none.reset();
        return none;
    }

public:
    /// The item type, U* or std::unique_ptr<U>.
    using value_type = T;
    /// What peek() shows: U*.
    using pointer = typename traits::pointer;
    /// The kinds (WEFT_QUEUE_FIFO, WEFT_QUEUE_LIFO, WEFT_QUEUE_PRIORITY).
    ///@{
    static constexpr uint32_t fifo = WEFT_QUEUE_FIFO;
    static constexpr uint32_t lifo = WEFT_QUEUE_LIFO;
    static constexpr uint32_t priority = WEFT_QUEUE_PRIORITY;
    ///@}

    /// kind: fifo, lifo or priority; capacity < 0: unbounded (0 throws WEFT_INVALID).
    ///@{
    queue() : queue(fifo, unbounded) {}
    explicit queue(uint32_t kind, int64_t capacity = unbounded) {
        check(weft_queue_new(kind, capacity, traits::destructor, nullptr, &p_), "weft_queue_new");
    }
    ///@}
    /// Adopts or clones a raw weft_queue reference (one created with this T's destructor).
    ///@{
    queue(adopt_ref_t tag, weft_queue* raw) noexcept : handle<weft_queue>(tag, raw) {}
    queue(clone_ref_t tag, weft_queue* raw) : handle<weft_queue>(tag, raw) {}
    ///@}
    /// An empty wrapper (no reference); its calls throw WEFT_INVALID.
    static queue null() noexcept { return queue(adopt_ref, nullptr); }
    /// Takes over the caller's reference to raw.
    static queue adopt(weft_queue* raw) noexcept { return queue(adopt_ref, raw); }
    /// Adds a reference to raw (the caller keeps its own).
    static queue clone_from(weft_queue* raw) { return queue(clone_ref, raw); }
    /// A copy shares the queue (one more reference); a move steals the reference.
    ///@{
    queue(const queue&) = default;
    queue(queue&&) noexcept = default;
    queue& operator=(const queue&) = default;
    queue& operator=(queue&&) noexcept = default;
    ///@}
    /// Drops the reference (weft_queue_free); with the last one (pending ops hold their
    /// own) the queue goes, and the items still inside are destroyed (for
    /// std::unique_ptr items, through D; U* items are never freed).
    ~queue() = default;

    // --- put: the item is the queue's only on success
    /// The non-throwing core: WEFT_OK (item moved in), WEFT_WOULD_BLOCK, WEFT_TIMEOUT,
    /// WEFT_CLOSED, WEFT_INVALID.
    weft_status put_status(T& item, int64_t timeout_ns, int64_t prio = 0) noexcept {
        const weft_status s = weft_queue_put(p_, traits::as_void(item), prio, timeout_ns);
        if (s == WEFT_OK) traits::given(item);
        return s;
    }
    /// Puts item, waiting for room (prio orders a priority queue: smallest first). Throws
    /// WEFT_CLOSED once the queue is shut down (the item is then still yours). The const&
    /// form puts a copy.
    ///@{
    void put(T&& item, int64_t prio = 0) {
        check(put_status(item, forever, prio), "weft_queue_put");
    }
    template <class V = T, std::enable_if_t<std::is_copy_constructible_v<V>, int> = 0>
    void put(const T& item, int64_t prio = 0) {
        T copy = item;
        put(std::move(copy), prio);
    }
    ///@}
    /// False when full now (or others wait first); throws WEFT_CLOSED.
    bool try_put(T&& item, int64_t prio = 0) {
        const weft_status s = weft_queue_try_put(p_, traits::as_void(item), prio);
        if (s == WEFT_OK) traits::given(item);
        return timed(s, "weft_queue_try_put");
    }
    /// Puts item, waiting up to d (or until tp) for room: false on a timeout (the item is
    /// still yours); throws WEFT_CLOSED.
    ///@{
    template <class Rep, class Period>
    bool try_put_for(T&& item, const std::chrono::duration<Rep, Period>& d, int64_t prio = 0) {
        return timed(put_status(item, detail::to_ns(d), prio), "weft_queue_put");
    }
    template <class Clock, class Duration>
    bool try_put_until(T&& item, const std::chrono::time_point<Clock, Duration>& tp,
                       int64_t prio = 0) {
        return timed(detail::until(tp, [&](int64_t ns) { return put_status(item, ns, prio); }),
                     "weft_queue_put");
    }
    ///@}

    // --- get
    /// The non-throwing core: WEFT_OK (out written), WEFT_WOULD_BLOCK, WEFT_TIMEOUT,
    /// WEFT_CLOSED, WEFT_INVALID.
    weft_status get_status(T& out, int64_t timeout_ns) noexcept {
        void* raw = nullptr;
        const weft_status s = weft_queue_get(p_, &raw, timeout_ns);
        if (s == WEFT_OK) out = traits::take(raw);
        return s;
    }
    /// Takes the next item, waiting for one; throws WEFT_CLOSED when shut down and empty.
    T get() {
        void* raw = nullptr;
        check(weft_queue_get(p_, &raw, forever), "weft_queue_get");
        return traits::take(raw);
    }
    /// nullopt when empty now; throws WEFT_CLOSED when shut down and empty.
    std::optional<T> try_get() {
        void* raw = nullptr;
        const weft_status s = weft_queue_try_get(p_, &raw);
        if (!timed(s, "weft_queue_try_get")) return std::nullopt;
        return traits::take(raw);
    }
    /// Takes the next item, waiting up to d (or until tp): nullopt on a timeout; throws
    /// WEFT_CLOSED when shut down and empty.
    ///@{
    template <class Rep, class Period>
    std::optional<T> try_get_for(const std::chrono::duration<Rep, Period>& d) {
        return timed_get(detail::to_ns(d));
    }
    template <class Clock, class Duration>
    std::optional<T> try_get_until(const std::chrono::time_point<Clock, Duration>& tp) {
        void* raw = nullptr;
        const weft_status s =
            detail::until(tp, [&](int64_t ns) { return weft_queue_get(p_, &raw, ns); });
        if (!timed(s, "weft_queue_get")) return std::nullopt;
        return traits::take(raw);
    }
    ///@}

    // --- batches
    /// Puts items from the front, in order, waiting up to timeout_ns for room (forever by
    /// default; 0: what fits now). The ones that went in are erased from items; returns
    /// how many. Fewer than asked means full (timeout) or shut down (closed()).
    size_t put_many(std::vector<T>& items, int64_t timeout_ns = forever,
                    const std::vector<int64_t>* priorities = nullptr) {
        if (priorities && priorities->size() < items.size())
            throw error(WEFT_INVALID, "weft::queue::put_many (fewer priorities than items)");
        std::vector<void*> raw;
        raw.reserve(items.size());
        for (const T& item : items) raw.push_back(traits::as_void(item));
        size_t put = 0;
        const weft_status s =
            weft_queue_put_many(p_, raw.data(), priorities ? priorities->data() : nullptr,
                                raw.size(), timeout_ns, &put);
        if (s == WEFT_INVALID || s == WEFT_NO_MEMORY || s == WEFT_INTERNAL)
            throw error(s, "weft_queue_put_many");
        for (size_t i = 0; i < put; ++i) traits::given(items[i]);
        items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(put));
        return put;
    }
    /// put_many waiting up to d for room.
    template <class Rep, class Period>
    size_t put_many_for(std::vector<T>& items, const std::chrono::duration<Rep, Period>& d) {
        return put_many(items, detail::to_ns(d));
    }
    /// Takes up to max items, waiting up to timeout_ns for the first (forever by
    /// default). Empty on timeout; throws WEFT_CLOSED when shut down and empty.
    std::vector<T> get_many(size_t max, int64_t timeout_ns = forever) {
        std::vector<void*> raw(max);
        size_t got = 0;
        const weft_status s = weft_queue_get_many(p_, raw.data(), max, timeout_ns, &got);
        std::vector<T> out;
        out.reserve(got);
        for (size_t i = 0; i < got; ++i) out.push_back(traits::take(raw[i]));
        if (got == 0) (void)timed(s, "weft_queue_get_many");
        return out;
    }
    /// get_many waiting up to d for the first item.
    template <class Rep, class Period>
    std::vector<T> get_many_for(size_t max, const std::chrono::duration<Rep, Period>& d) {
        return get_many(max, detail::to_ns(d));
    }

    // --- async: f runs exactly once when the start returns normally (inline if done at
    // once); if the start throws, f never runs and the item is still yours.
    /// Puts item without blocking. f(status, back): WEFT_OK (the item is the queue's;
    /// back is empty), or WEFT_CLOSED / WEFT_CANCELLED with the item handed back to f.
    /// Throws WEFT_CLOSED (and leaves item with you) if the queue is shut down already.
    template <class F>
    op put_async(T&& item, F&& f, int64_t prio = 0, weft_port* via = nullptr) {
        static_assert(std::is_invocable_v<std::decay_t<F>&, weft_status, std::optional<T>>,
                      "put_async calls f(weft_status, std::optional<T>)");
        struct ctx_t {
            T item;
            std::decay_t<F> f;
            static void trampoline(void* arg, weft_status status) noexcept {
                std::unique_ptr<ctx_t> self(static_cast<ctx_t*>(arg));
                if (status == WEFT_OK) {
                    traits::given(self->item);
                    self->f(status, no_item());
                } else {
                    self->f(status, std::optional<T>(std::move(self->item)));
                }
            }
        };
        auto ctx = std::unique_ptr<ctx_t>(new ctx_t{std::move(item), std::forward<F>(f)});
        weft_op* raw = nullptr;
        const weft_status s = weft_queue_put_async(p_, traits::as_void(ctx->item), prio, via,
                                                   &ctx_t::trampoline, ctx.get(), &raw);
        if (s == WEFT_PENDING) {
            ctx.release();
            return op(adopt_ref, raw);
        }
        if (raw) (void)weft_op_free(raw);
        if (s != WEFT_OK) {
            item = std::move(ctx->item);  // still yours
            throw error(s, "weft_queue_put_async");
        }
        traits::given(ctx->item);
        ctx->f(WEFT_OK, no_item());
        return op();
    }

    /// Gets an item without blocking. f(status, item): WEFT_OK with the item (yours now,
    /// even if a cancel lost the race), or WEFT_CLOSED / WEFT_CANCELLED with nullopt.
    /// Throws WEFT_CLOSED if the queue is shut down and empty already.
    template <class F>
    shared_op get_async(F&& f, weft_port* via = nullptr) {
        static_assert(std::is_invocable_v<std::decay_t<F>&, weft_status, std::optional<T>>,
                      "get_async calls f(weft_status, std::optional<T>)");
        // The item of a pending get is read from the op inside the callback, which may
        // fire (on another thread) before the start has returned the op: whichever of the
        // two comes second finishes.
        struct ctx_t {
            explicit ctx_t(F&& fn) : f(std::forward<F>(fn)) {}
            std::decay_t<F> f;
            std::shared_ptr<weft_op> handle;
            std::atomic<weft_status> status{WEFT_PENDING};
            std::atomic<unsigned> flags{0};  // 1: the op is published, 2: it completed
            void finish() noexcept {
                const weft_status st = status.load();
                void* raw = nullptr;
                if (st == WEFT_OK && weft_op_item(handle.get(), &raw) == WEFT_OK)
                    f(st, std::optional<T>(traits::take(raw)));
                else
                    f(st, no_item());
            }
            static void trampoline(void* arg, weft_status st) noexcept {
                std::unique_ptr<std::shared_ptr<ctx_t>> holder(
                    static_cast<std::shared_ptr<ctx_t>*>(arg));
                ctx_t& self = **holder;
                self.status.store(st);
                if (self.flags.fetch_or(2u) & 1u) self.finish();
            }
        };
        auto ctx = std::make_shared<ctx_t>(std::forward<F>(f));
        auto holder = std::make_unique<std::shared_ptr<ctx_t>>(ctx);
        void* item = nullptr;
        weft_op* raw = nullptr;
        const weft_status s =
            weft_queue_get_async(p_, &item, via, &ctx_t::trampoline, holder.get(), &raw);
        if (s == WEFT_PENDING) {
            holder.release();  // the trampoline frees it
            ctx->handle = std::shared_ptr<weft_op>(raw, [](weft_op* o) { (void)weft_op_free(o); });
            shared_op result(ctx->handle);
            if (ctx->flags.fetch_or(1u) & 2u) ctx->finish();
            return result;
        }
        if (raw) (void)weft_op_free(raw);
        check(s, "weft_queue_get_async");
        ctx->f(WEFT_OK, std::optional<T>(traits::take(item)));
        return shared_op();
    }

    // --- shutdown, tasks, inspection
    /// Puts fail from now on; gets drain, then fail. immediate: discard (and destroy)
    /// the items inside now.
    void shutdown(bool immediate = false) {
        check(weft_queue_shutdown(p_, immediate), "weft_queue_shutdown");
    }
    /// Whether shutdown() was called.
    bool closed() const {
        bool b = false;
        check(weft_queue_is_shutdown(p_, &b), "weft_queue_is_shutdown");
        return b;
    }
    /// Marks one got item's task done (as Python's Queue.task_done).
    void task_done() { check(weft_queue_task_done(p_), "weft_queue_task_done"); }
    /// Items put and not yet marked done.
    uint64_t unfinished() const {
        uint64_t n = 0;
        check(weft_queue_unfinished(p_, &n), "weft_queue_unfinished");
        return n;
    }
    /// Waits until every item put has been marked done.
    void join() { check(weft_queue_join(p_, forever), "weft_queue_join"); }
    /// join() waiting up to d: false on a timeout.
    template <class Rep, class Period>
    bool join_for(const std::chrono::duration<Rep, Period>& d) {
        return timed(weft_queue_join(p_, detail::to_ns(d)), "weft_queue_join");
    }
    /// join() without blocking: f(status) once every item is done (WEFT_OK), or with
    /// WEFT_CANCELLED; through the port via if given.
    template <class F>
    op join_async(F&& f, weft_port* via = nullptr) {
        return detail::start_async(
            std::forward<F>(f),
            [&](weft_callback cb, void* arg, weft_op** out) {
                return weft_queue_join_async(p_, via, cb, arg, out);
            },
            "weft_queue_join_async");
    }
    /// The next item, still the queue's (do not keep it), or nullopt if empty.
    std::optional<pointer> peek() const {
        void* raw = nullptr;
        const weft_status s = weft_queue_peek(p_, &raw);
        if (s == WEFT_WOULD_BLOCK) return std::nullopt;
        check(s, "weft_queue_peek");
        return static_cast<pointer>(raw);
    }
    /// Discards (and destroys) every item inside; returns how many.
    size_t clear() {
        size_t n = 0;
        check(weft_queue_clear(p_, &n), "weft_queue_clear");
        return n;
    }
    /// The number of items inside now.
    size_t size() const {
        size_t n = 0;
        check(weft_queue_size(p_, &n), "weft_queue_size");
        return n;
    }
    /// size() == 0.
    bool empty() const { return size() == 0; }
    /// The capacity, or -1 (unbounded).
    int64_t capacity() const {
        int64_t c = 0;
        check(weft_queue_capacity(p_, &c), "weft_queue_capacity");
        return c;
    }
    /// Changes the capacity (< 0: unbounded); waiting putters enter if there is room now.
    void set_capacity(int64_t capacity) {
        check(weft_queue_set_capacity(p_, capacity), "weft_queue_set_capacity");
    }
    /// {putters, getters} waiting in line.
    std::pair<size_t, size_t> waiting() const {
        size_t putters = 0, getters = 0;
        check(weft_queue_waiting(p_, &putters, &getters), "weft_queue_waiting");
        return {putters, getters};
    }

private:
    static bool timed(weft_status s, const char* call) {
        if (detail::timed_out(s)) return false;
        check(s, call);
        return true;
    }
    std::optional<T> timed_get(int64_t ns) {
        void* raw = nullptr;
        const weft_status s = weft_queue_get(p_, &raw, ns);
        if (!timed(s, "weft_queue_get")) return std::nullopt;
        return traits::take(raw);
    }
};

#undef WEFT_HPP_HANDLE_

}  // namespace weft

namespace std {
template <>
struct is_error_code_enum<weft::errc> : true_type {};
}  // namespace std

#endif  // WEFT_HPP
