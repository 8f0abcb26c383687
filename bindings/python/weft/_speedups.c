/*
 * weft._speedups: the binding's hottest libweft calls without ctypes.
 *
 * Optional. A ctypes call costs more than the libweft call it makes (argument objects,
 * a foreign-function frame): ~150-250 ns, against ~10 ns for an uncontended lock. This
 * module calls the same libweft functions from C: it takes plain Python ints (the
 * handle's address, an owner token, an item key) and returns the weft_status (or, for a
 * get, the item). It links to nothing: `bind()` receives the addresses of the functions
 * in the libweft that ctypes loaded (so WEFT_LIBRARY and the bundled copy keep working,
 * and both paths call the very same library). Without this module (no C compiler at
 * install time, WEFT_SPEEDUPS=0) weft/_hot.py provides the same functions over ctypes.
 *
 * Built against CPython's stable ABI (3.10+, abi3): one build serves every later Python.
 *
 * Results: a status is returned as an int. A get returns the item on WEFT_OK (as an
 * unsigned address, so >= 0: the binding's keys, 0 for a NULL ticket) and -status
 * otherwise (< 0): one int, no tuple.
 */
#define Py_LIMITED_API 0x030A0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* The version of this module's contract with weft/_hot.py (bump on any change). */
#define SPEEDUPS_API 2

typedef int32_t weft_status;

/* libweft's functions, as bind() found them */
struct functions {
    weft_status (*lock_acquire_as)(void *lock, uint64_t owner, int64_t timeout_ns);
    weft_status (*lock_release_as)(void *lock, uint64_t owner);
    weft_status (*rlock_acquire_as)(void *rlock, uint64_t owner, uint64_t count,
                                    int64_t timeout_ns);
    weft_status (*rlock_release_as)(void *rlock, uint64_t owner, uint64_t count);
    weft_status (*queue_try_put)(void *queue, void *item, int64_t priority);
    weft_status (*queue_try_get)(void *queue, void **item_out);
    weft_status (*queue_put)(void *queue, void *item, int64_t priority, int64_t timeout_ns);
    weft_status (*queue_get)(void *queue, void **item_out, int64_t timeout_ns);
};
static struct functions weft;

static int bound = 0;

#define WEFT_OK 0
#define WEFT_WOULD_BLOCK 2

/* ------------------------------------------------------------------------- arguments */
static int check_args(const char *name, Py_ssize_t nargs, Py_ssize_t want)
{
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "weft._speedups: bind() has not been called");
        return -1;
    }
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", name, want,
                     nargs);
        return -1;
    }
    return 0;
}

/* A handle or item: a Python int holding an address (0: NULL). */
static int as_pointer(PyObject *o, void **out)
{
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "weft._speedups: expected an int address");
        return -1;
    }
    *out = PyLong_AsVoidPtr(o);
    return (*out == NULL && PyErr_Occurred()) ? -1 : 0;
}

static int as_u64(PyObject *o, uint64_t *out)
{
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "weft._speedups: expected an int");
        return -1;
    }
    *out = (uint64_t)PyLong_AsUnsignedLongLong(o);
    return (*out == (uint64_t)-1 && PyErr_Occurred()) ? -1 : 0;
}

static int as_i64(PyObject *o, int64_t *out)
{
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "weft._speedups: expected an int");
        return -1;
    }
    *out = (int64_t)PyLong_AsLongLong(o);
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

static PyObject *status(weft_status st)
{
    return PyLong_FromLong(st);
}

/* A get's result: the item (as an unsigned address) on WEFT_OK, -status otherwise. */
static PyObject *item_or_status(weft_status st, void *item)
{
    if (st == WEFT_OK)
        return PyLong_FromVoidPtr(item);
    return PyLong_FromLong(-(long)st);
}

/* ------------------------------------------------------------------------------ locks */
/* lock_acquire_as(lock, owner, timeout_ns) -> status. GIL held: for timeout 0 only. */
static PyObject *lock_acquire_as(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    void *lock;
    uint64_t owner;
    int64_t ns;
    if (check_args("lock_acquire_as", nargs, 3) || as_pointer(args[0], &lock) ||
        as_u64(args[1], &owner) || as_i64(args[2], &ns))
        return NULL;
    if (ns != 0) {
        PyErr_SetString(PyExc_ValueError, "weft._speedups.lock_acquire_as: timeout must be 0 "
                                          "(the GIL is held)");
        return NULL;
    }
    return status(weft.lock_acquire_as(lock, owner, 0));
}

/* lock_release_as(lock, owner) -> status */
static PyObject *lock_release_as(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    void *lock;
    uint64_t owner;
    if (check_args("lock_release_as", nargs, 2) || as_pointer(args[0], &lock) ||
        as_u64(args[1], &owner))
        return NULL;
    return status(weft.lock_release_as(lock, owner));
}

/* rlock_acquire_as(rlock, owner, count, timeout_ns) -> status. GIL held: timeout 0 only. */
static PyObject *rlock_acquire_as(PyObject *Py_UNUSED(self), PyObject *const *args,
                                  Py_ssize_t nargs)
{
    void *rlock;
    uint64_t owner, count;
    int64_t ns;
    if (check_args("rlock_acquire_as", nargs, 4) || as_pointer(args[0], &rlock) ||
        as_u64(args[1], &owner) || as_u64(args[2], &count) || as_i64(args[3], &ns))
        return NULL;
    if (ns != 0) {
        PyErr_SetString(PyExc_ValueError, "weft._speedups.rlock_acquire_as: timeout must be "
                                          "0 (the GIL is held)");
        return NULL;
    }
    return status(weft.rlock_acquire_as(rlock, owner, count, 0));
}

/* rlock_release_as(rlock, owner, count) -> status */
static PyObject *rlock_release_as(PyObject *Py_UNUSED(self), PyObject *const *args,
                                  Py_ssize_t nargs)
{
    void *rlock;
    uint64_t owner, count;
    if (check_args("rlock_release_as", nargs, 3) || as_pointer(args[0], &rlock) ||
        as_u64(args[1], &owner) || as_u64(args[2], &count))
        return NULL;
    return status(weft.rlock_release_as(rlock, owner, count));
}

/* ----------------------------------------------------------------------------- queues */
/* queue_try_put(queue, item, priority) -> status. Never blocks (GIL held). */
static PyObject *queue_try_put(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    void *queue, *item;
    int64_t priority;
    if (check_args("queue_try_put", nargs, 3) || as_pointer(args[0], &queue) ||
        as_pointer(args[1], &item) || as_i64(args[2], &priority))
        return NULL;
    return status(weft.queue_try_put(queue, item, priority));
}

/* queue_try_get(queue) -> item, or -status. Never blocks (GIL held). */
static PyObject *queue_try_get(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    void *queue, *item = NULL;
    if (check_args("queue_try_get", nargs, 1) || as_pointer(args[0], &queue))
        return NULL;
    weft_status st = weft.queue_try_get(queue, &item);
    return item_or_status(st, item);
}

/* queue_put(queue, item, priority, timeout_ns) -> status. Blocks with the GIL released. */
static PyObject *queue_put(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    void *queue, *item;
    int64_t priority, ns;
    if (check_args("queue_put", nargs, 4) || as_pointer(args[0], &queue) ||
        as_pointer(args[1], &item) || as_i64(args[2], &priority) || as_i64(args[3], &ns))
        return NULL;
    weft_status st = weft.queue_try_put(queue, item, priority);
    if (st == WEFT_WOULD_BLOCK && ns != 0) {
        Py_BEGIN_ALLOW_THREADS
        st = weft.queue_put(queue, item, priority, ns);
        Py_END_ALLOW_THREADS
    }
    return status(st);
}

/* queue_get(queue, timeout_ns) -> item, or -status. Blocks with the GIL released. */
static PyObject *queue_get(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    void *queue, *item = NULL;
    int64_t ns;
    if (check_args("queue_get", nargs, 2) || as_pointer(args[0], &queue) ||
        as_i64(args[1], &ns))
        return NULL;
    weft_status st = weft.queue_try_get(queue, &item);
    if (st == WEFT_WOULD_BLOCK && ns != 0) {
        Py_BEGIN_ALLOW_THREADS
        st = weft.queue_get(queue, &item, ns);
        Py_END_ALLOW_THREADS
    }
    return item_or_status(st, item);
}

/* ------------------------------------------------------------------------------- bind */
static int bind_one(PyObject *table, const char *name, void **slot)
{
    PyObject *address = PyDict_GetItemString(table, name); /* borrowed */
    if (address == NULL) {
        PyErr_Format(PyExc_KeyError, "weft._speedups.bind: no address for %s", name);
        return -1;
    }
    void *fn;
    if (as_pointer(address, &fn))
        return -1;
    if (fn == NULL) {
        PyErr_Format(PyExc_ValueError, "weft._speedups.bind: NULL address for %s", name);
        return -1;
    }
    *slot = fn;
    return 0;
}

/* bind({"weft_lock_acquire_as": address, ...}): the libweft functions to call. A bind
 * that fails changes nothing. */
static PyObject *bind(PyObject *Py_UNUSED(self), PyObject *table)
{
    if (!PyDict_Check(table)) {
        PyErr_SetString(PyExc_TypeError, "weft._speedups.bind: expected a dict");
        return NULL;
    }
    struct functions found;
    if (bind_one(table, "weft_lock_acquire_as", (void **)&found.lock_acquire_as) ||
        bind_one(table, "weft_lock_release_as", (void **)&found.lock_release_as) ||
        bind_one(table, "weft_rlock_acquire_as", (void **)&found.rlock_acquire_as) ||
        bind_one(table, "weft_rlock_release_as", (void **)&found.rlock_release_as) ||
        bind_one(table, "weft_queue_try_put", (void **)&found.queue_try_put) ||
        bind_one(table, "weft_queue_try_get", (void **)&found.queue_try_get) ||
        bind_one(table, "weft_queue_put", (void **)&found.queue_put) ||
        bind_one(table, "weft_queue_get", (void **)&found.queue_get))
        return NULL;
    weft = found;
    bound = 1;
    Py_RETURN_NONE;
}

/* ----------------------------------------------------------------------------- module */
#define FAST(name, doc) \
    {#name, (PyCFunction)(void (*)(void))name, METH_FASTCALL, doc}

static PyMethodDef methods[] = {
    {"bind", bind, METH_O,
     "bind(table): the addresses of libweft's functions, by C name (see weft/_hot.py)."},
    FAST(lock_acquire_as, "lock_acquire_as(lock, owner, 0) -> status (never blocks)"),
    FAST(lock_release_as, "lock_release_as(lock, owner) -> status"),
    FAST(rlock_acquire_as, "rlock_acquire_as(rlock, owner, count, 0) -> status (never "
                           "blocks)"),
    FAST(rlock_release_as, "rlock_release_as(rlock, owner, count) -> status"),
    FAST(queue_try_put, "queue_try_put(queue, item, priority) -> status (never blocks)"),
    FAST(queue_try_get, "queue_try_get(queue) -> item, or -status (never blocks)"),
    FAST(queue_put, "queue_put(queue, item, priority, timeout_ns) -> status (GIL released "
                    "while it waits)"),
    FAST(queue_get, "queue_get(queue, timeout_ns) -> item, or -status (GIL released while "
                    "it waits)"),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "weft._speedups",
    .m_doc = "libweft's hottest calls without ctypes (optional; see weft/_hot.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "API", SPEEDUPS_API) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
