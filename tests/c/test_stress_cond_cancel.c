/*
 * Issue 18: a condition waiter that gives up just as it is notified. Every round puts two
 * waiters in a condition's line, A then B, and races a `weft_cond_notify(1)` against A
 * giving up in one of four ways:
 *
 *   CANCEL_CALLBACK  A is an async wait with a callback; another thread cancels it;
 *   CANCEL_PORT      A is an async wait on a port; another thread cancels it;
 *   TIMEOUT          A is a thread in `weft_cond_wait_as` with a tiny timeout;
 *   PORT_CLOSE       A is an async wait on a port (with a callback) that another thread
 *                    frees before anyone reads it.
 *
 * for a condition bound to a `weft_lock`, to a `weft_rlock` (held at depth 2), and a
 * lockless one, with the notifier holding the lock or not (when not, a notified waiter
 * may be handed the free lock at once: the path where issue 18's first race lived).
 *
 * What must hold, exactly, every round:
 * - a wait that ended without the notification holds nothing when its completion runs:
 *   the lock's owner is not A's token, and A's token can take the lock (no WEFT_DEADLOCK);
 * - a wait that ended WEFT_OK holds the lock (at its depth);
 * - the notification lands: at the moment A's end is known, notify's count equals
 *   (A returned notified) + (B left the condition's line); and over the round,
 *   notifications counted = waiters that returned notified.
 */
#include "check.h"

enum bound { BOUND_LOCK, BOUND_RLOCK, BOUND_NONE, BOUND_KINDS };
enum race { CANCEL_CALLBACK, CANCEL_PORT, TIMEOUT, PORT_CLOSE, RACES };

static const char *bound_name[] = {"lock", "rlock", "lockless"};
static const char *race_name[] = {"cancel (callback)", "cancel (port)", "timeout",
                                  "port closed"};

#define TOKEN_A 0xA000
#define TOKEN_B 0xB000
#define TOKEN_NOTIFIER 0xC000

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void spin(unsigned n) {
    for (volatile unsigned i = 0; i < n; i++) {
    }
}

/* ---- the bound lock, whichever kind */
struct bound_lock {
    enum bound kind;
    weft_lock *lock;
    weft_rlock *rlock;
    weft_cond *cond;
};

static uint64_t depth_of(enum bound kind) { return kind == BOUND_RLOCK ? 2 : 1; }

static void bound_acquire(struct bound_lock *b, uint64_t token) {
    if (b->kind == BOUND_LOCK) OK(weft_lock_acquire_as(b->lock, token, WEFT_FOREVER));
    if (b->kind == BOUND_RLOCK)
        OK(weft_rlock_acquire_as(b->rlock, token, depth_of(b->kind), WEFT_FOREVER));
}

static void bound_release(struct bound_lock *b, uint64_t token) {
    if (b->kind == BOUND_LOCK) OK(weft_lock_release_as(b->lock, token));
    if (b->kind == BOUND_RLOCK) OK(weft_rlock_release_as(b->rlock, token, depth_of(b->kind)));
}

static uint64_t bound_owner(struct bound_lock *b) {
    uint64_t owner = 0;
    if (b->kind == BOUND_LOCK) OK(weft_lock_owner(b->lock, &owner));
    if (b->kind == BOUND_RLOCK) OK(weft_rlock_owner(b->rlock, &owner));
    return owner;
}

/* `token` gave up its wait: it must hold nothing now. Its try-acquire must not answer
 * WEFT_DEADLOCK (or, on the rlock, succeed as a re-entry on top of a leftover hold). */
static void check_holds_nothing(struct bound_lock *b, uint64_t token, const char *where) {
    if (b->kind == BOUND_NONE) return;
    uint64_t owner = bound_owner(b);
    CHECK_MSG(owner != token, "%s: a wait that ended without the notification still holds "
              "the %s", where, bound_name[b->kind]);
    if (b->kind == BOUND_LOCK) {
        weft_status st = weft_lock_acquire_as(b->lock, token, 0);
        CHECK_MSG(st == WEFT_OK || st == WEFT_WOULD_BLOCK || st == WEFT_TIMEOUT, "%s: try-acquire as the token "
                  "answered %s", where, weft_status_str(st));
        if (st == WEFT_OK) OK(weft_lock_release_as(b->lock, token));
    }
}

/* ---- one round */
struct round {
    struct bound_lock b;
    enum race race;
    int notifier_holds_lock;
    unsigned notify_delay, giveup_delay;
    int64_t a_timeout;

    weft_port *port_a;     /* CANCEL_PORT, PORT_CLOSE */
    weft_port *port_b;
    weft_op *op_a, *op_b;
    atomic_int a_calls;    /* A's completion: how many times, and its status */
    atomic_int a_status;
    atomic_int a_checked;  /* the completion's own checks ran */
    weft_status a_thread_status; /* TIMEOUT */
    atomic_int a_thread_in;
    atomic_int a_done;     /* TIMEOUT: A's thread returned and released */
    int b_done;            /* B's completion was taken (and B's lock released) */
    size_t notified_in_race;
    weft_status cancel_answer;
    uint64_t notify_started, close_started; /* PORT_CLOSE: which came first, roughly */
    atomic_int ready;      /* the racers are at the start line */
    atomic_int go;
};

/* Both racers start together, then each waits its own random delay. */
static void start_line(struct round *r) {
    atomic_fetch_add(&r->ready, 1);
    while (!atomic_load(&r->go)) sched_yield(); /* 2 busy cores: do not spin */
}

/* A's completion, on whatever thread completes it: checks what A holds at that moment. */
static void a_completed(void *arg, weft_status status) {
    struct round *r = arg;
    if (status == WEFT_OK) {
        if (r->b.kind != BOUND_NONE)
            CHECK_MSG(bound_owner(&r->b) == TOKEN_A, "A completed OK without the %s",
                      bound_name[r->b.kind]);
    } else {
        CHECK_MSG(status == WEFT_CANCELLED, "A completed %s", weft_status_str(status));
        check_holds_nothing(&r->b, TOKEN_A, "in A's completion");
    }
    atomic_store(&r->a_status, status);
    atomic_fetch_add(&r->a_calls, 1);
    atomic_store(&r->a_checked, 1);
}

static void *notifier(void *arg) {
    struct round *r = arg;
    start_line(r);
    spin(r->notify_delay);
    if (r->notifier_holds_lock) bound_acquire(&r->b, TOKEN_NOTIFIER);
    r->notify_started = now_ns();
    OK(weft_cond_notify(r->b.cond, 1, &r->notified_in_race));
    if (r->notifier_holds_lock) bound_release(&r->b, TOKEN_NOTIFIER);
    return NULL;
}

static void *giver_up(void *arg) {
    struct round *r = arg;
    start_line(r);
    spin(r->giveup_delay);
    if (r->race == PORT_CLOSE) {
        r->close_started = now_ns();
        OK(weft_port_free(r->port_a));
        r->port_a = NULL;
    } else {
        r->cancel_answer = weft_op_cancel(r->op_a);
    }
    return NULL;
}

static void *a_thread(void *arg) {
    struct round *r = arg;
    uint64_t token = TOKEN_A;
    bound_acquire(&r->b, token);
    atomic_store(&r->a_thread_in, 1);
    r->a_thread_status = weft_cond_wait_as(r->b.cond, token, r->a_timeout);
    if (r->b.kind != BOUND_NONE)
        CHECK_MSG(bound_owner(&r->b) == token, "a blocking wait returned %s without the lock",
                  weft_status_str(r->a_thread_status));
    bound_release(&r->b, token);
    atomic_store(&r->a_done, 1);
    return NULL;
}

static size_t cond_waiting(struct round *r) {
    size_t n = 0;
    OK(weft_cond_waiting(r->b.cond, &n));
    return n;
}

/* Runs A's port until its completion has run (its callback does the checks). */
static void run_port_until(weft_port *port, atomic_int *calls) {
    uint64_t start = now_ns();
    while (atomic_load(calls) == 0) {
        OK(weft_port_wait(port, 100 * WEFT_MS));
        OK(weft_port_run(port, 16, NULL));
        CHECK_MSG(now_ns() - start < 30000000000ull, "A's completion never came");
    }
}

/* B's completion: waits on B's port, returns its status. */
static weft_status wait_b(struct round *r) {
    weft_completion rec[2];
    size_t n = 0;
    uint64_t start = now_ns();
    while (n == 0) {
        OK(weft_port_wait(r->port_b, 100 * WEFT_MS));
        OK(weft_port_poll(r->port_b, rec, 2, &n));
        CHECK_MSG(now_ns() - start < 30000000000ull,
                  "B never completed: a notification was lost");
    }
    CHECK(n == 1);
    return rec[0].status;
}

/* B's completion, if it came: takes it and releases what B was granted. A blocking A whose
 * timeout won after its notification went on to B must take the lock back, so it waits
 * for B to release: the test serves B while A's thread finishes. */
static void serve_b_if_done(struct round *r) {
    weft_completion rec[2];
    size_t n = 0;
    OK(weft_port_poll(r->port_b, rec, 2, &n));
    if (n == 0) return;
    CHECK(n == 1);
    CHECK_STATUS(rec[0].status, WEFT_OK);
    if (r->b.kind != BOUND_NONE) CHECK(bound_owner(&r->b) == TOKEN_B);
    bound_release(&r->b, TOKEN_B);
    r->b_done = 1;
}

struct totals {
    long rounds, notified, returned_notified, a_notified, a_gave_up, cancels_won, closed_first;
};

/* Who comes first drifts with the machine's load: a bias, adapted every round, keeps A
 * giving up in about half of the rounds, which is where the two calls meet. */
static int bias;

static void one_round(enum bound kind, enum race race, uint64_t *seed, struct totals *t) {
    struct round *r = calloc(1, sizeof *r);
    CHECK(r != NULL);
    r->b.kind = kind;
    r->race = race;
    r->notifier_holds_lock = kind != BOUND_NONE && next_random(seed) % 2;
    r->notify_delay = (unsigned)(next_random(seed) % 1500) + (unsigned)(bias > 0 ? bias : 0);
    r->giveup_delay = (unsigned)(next_random(seed) % 1500) + (unsigned)(bias < 0 ? -bias : 0);
    r->a_timeout = (int64_t)(next_random(seed) % 60) * WEFT_US;

    if (kind == BOUND_LOCK) {
        OK(weft_lock_new(WEFT_LOCK_FIFO, &r->b.lock));
        OK(weft_cond_new(r->b.lock, &r->b.cond));
    } else if (kind == BOUND_RLOCK) {
        OK(weft_rlock_new(WEFT_LOCK_FIFO, &r->b.rlock));
        OK(weft_cond_new_reentrant(r->b.rlock, &r->b.cond));
    } else {
        OK(weft_cond_new(NULL, &r->b.cond));
    }
    OK(weft_port_new(&r->port_b));

    /* A joins the line first, then B. */
    pthread_t a_tid;
    if (race == TIMEOUT) {
        CHECK(pthread_create(&a_tid, NULL, a_thread, r) == 0);
        /* B must stand behind A: wait until A is in line (or already gone again). */
        while (!atomic_load(&r->a_thread_in)) sched_yield();
        for (int i = 0; i < 1000 && cond_waiting(r) == 0; i++) sched_yield();
    } else {
        weft_callback cb = a_completed;
        if (race != CANCEL_CALLBACK) OK(weft_port_new(&r->port_a));
        bound_acquire(&r->b, TOKEN_A);
        CHECK_STATUS(weft_cond_wait_async(r->b.cond, TOKEN_A, r->port_a, cb, r, &r->op_a),
                     WEFT_PENDING);
    }
    bound_acquire(&r->b, TOKEN_B);
    CHECK_STATUS(weft_cond_wait_async(r->b.cond, TOKEN_B, r->port_b, NULL, NULL, &r->op_b),
                 WEFT_PENDING);

    /* The race. */
    pthread_t n_tid, g_tid;
    CHECK(pthread_create(&n_tid, NULL, notifier, r) == 0);
    if (race != TIMEOUT) CHECK(pthread_create(&g_tid, NULL, giver_up, r) == 0);
    while (atomic_load(&r->ready) < (race == TIMEOUT ? 1 : 2)) sched_yield();
    atomic_store(&r->go, 1);
    CHECK(pthread_join(n_tid, NULL) == 0);
    if (race != TIMEOUT) CHECK(pthread_join(g_tid, NULL) == 0);
    CHECK(r->notified_in_race == 1); /* B at least was waiting */

    /* A's end. */
    int a_ok, closed_first = 0;
    switch (race) {
    case TIMEOUT:
        while (!atomic_load(&r->a_done)) {
            if (!r->b_done) serve_b_if_done(r);
            sched_yield();
        }
        CHECK(pthread_join(a_tid, NULL) == 0);
        CHECK(r->a_thread_status == WEFT_OK || r->a_thread_status == WEFT_TIMEOUT);
        a_ok = r->a_thread_status == WEFT_OK;
        if (!a_ok) check_holds_nothing(&r->b, TOKEN_A, "after a timed-out wait returned");
        break;
    case CANCEL_CALLBACK:
    case CANCEL_PORT:
        CHECK(r->cancel_answer == WEFT_CANCELLED || r->cancel_answer == WEFT_OK);
        if (race == CANCEL_PORT) run_port_until(r->port_a, &r->a_calls);
        else WAIT_UNTIL(atomic_load(&r->a_calls) > 0);
        CHECK(atomic_load(&r->a_status) == (int)r->cancel_answer);
        a_ok = r->cancel_answer == WEFT_OK;
        t->cancels_won += !a_ok;
        break;
    case PORT_CLOSE: {
        /* Not notified and never cancelled: A is still waiting; give up now. */
        weft_status st = WEFT_PENDING;
        OK(weft_op_status(r->op_a, &st));
        closed_first = r->close_started < r->notify_started;
        t->closed_first += closed_first;
        if (st == WEFT_PENDING) {
            weft_status answer = weft_op_cancel(r->op_a);
            CHECK(answer == WEFT_CANCELLED || answer == WEFT_OK);
        }
        /* With its port gone, A's callback ran on the thread that completed it. */
        WAIT_UNTIL(atomic_load(&r->a_calls) > 0);
        a_ok = atomic_load(&r->a_status) == WEFT_OK;
        break;
    }
    default:
        abort();
    }
    CHECK(atomic_load(&r->a_calls) <= 1);
    if (race != TIMEOUT) CHECK(atomic_load(&r->a_checked));

    /* The notification landed: on A, or B has left the condition's line. */
    size_t b_moved = cond_waiting(r) == 0;
    CHECK_MSG(r->notified_in_race == (size_t)a_ok + b_moved,
              "%s-bound, %s: notify counted %zu, A notified %d, B moved %zu: a notification "
              "was lost", bound_name[kind], race_name[race], r->notified_in_race, a_ok,
              b_moved);
    if (a_ok && race != TIMEOUT) bound_release(&r->b, TOKEN_A); /* the thread released its own */

    /* B: notified in the race, or now. */
    size_t notified_after = 0;
    if (!b_moved) {
        OK(weft_cond_notify(r->b.cond, 1, &notified_after));
        CHECK(notified_after == 1);
    }
    if (!r->b_done) {
        CHECK_STATUS(wait_b(r), WEFT_OK);
        if (kind != BOUND_NONE) CHECK(bound_owner(&r->b) == TOKEN_B);
        bound_release(&r->b, TOKEN_B);
    }
    if (kind != BOUND_NONE) CHECK(bound_owner(&r->b) == 0);
    CHECK(cond_waiting(r) == 0);

    /* Notifications counted = waiters that returned notified. */
    long counted = (long)(r->notified_in_race + notified_after);
    long returned = a_ok + 1;
    CHECK(counted == returned);
    t->rounds++;
    t->notified += counted;
    t->returned_notified += returned;
    t->a_notified += a_ok;
    t->a_gave_up += !a_ok;
    /* The notify came first (A notified, or A's grant met the closed port): let the
     * notifier come later next time. */
    int notify_first = race == PORT_CLOSE ? !closed_first : a_ok;
    bias += notify_first ? 100 : -100;
    if (bias > 200000) bias = 200000;
    if (bias < -200000) bias = -200000;

    if (r->op_a) OK(weft_op_free(r->op_a));
    OK(weft_op_free(r->op_b));
    if (r->port_a) OK(weft_port_free(r->port_a));
    OK(weft_port_free(r->port_b));
    OK(weft_cond_free(r->b.cond));
    if (r->b.lock) OK(weft_lock_free(r->b.lock));
    if (r->b.rlock) OK(weft_rlock_free(r->b.rlock));
    free(r);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    start_watchdog(600);
    const char *env = getenv("WEFT_COND_ROUNDS");
    int rounds = env ? atoi(env) : 1000;
    rounds /= test_scale_down();
    if (rounds < 1) rounds = 1;
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ (uint64_t)now_ns();
    printf("seed %llu, %d rounds per case\n", (unsigned long long)seed, rounds);
    for (int kind = 0; kind < BOUND_KINDS; kind++) {
        for (int race = 0; race < RACES; race++) {
            struct totals t = {0};
            bias = 0;
            for (int i = 0; i < rounds; i++) one_round(kind, race, &seed, &t);
            printf("%-8s %-18s rounds %ld: notified %ld = returned notified %ld "
                   "(A notified %ld, A gave up %ld, cancels won %ld, port closed first %ld)\n",
                   bound_name[kind], race_name[race], t.rounds, t.notified,
                   t.returned_notified, t.a_notified, t.a_gave_up, t.cancels_won, t.closed_first);
        }
    }
    return test_exit_code("test_stress_cond_cancel");
}
