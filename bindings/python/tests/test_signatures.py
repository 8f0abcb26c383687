"""The hand-kept ctypes table (weft/_lib.py SIGNATURES) says exactly what include/weft.h
says: every function of the header is declared (or listed below as declared elsewhere),
every declared function is in the header, and each one's return type, argument count and
argument types map to the ctypes types the table gives."""

import ctypes
import os
import re

import pytest

from weft import _lib

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                      "include", "weft.h")

# Header functions that are not in SIGNATURES, each with where it is declared instead.
OUTSIDE_TABLE = {
    "weft_status_str": (_lib._status_str, ctypes.c_char_p),  # returns a string
    "weft_version": (_lib._cdll.weft_version, ctypes.c_uint32),  # _check_version
    "weft_version_string": (_lib._version_string, ctypes.c_char_p),
}

_SCALARS = {
    "bool": ctypes.c_bool, "int32_t": ctypes.c_int32, "int64_t": ctypes.c_int64,
    "uint32_t": ctypes.c_uint32, "uint64_t": ctypes.c_uint64, "size_t": ctypes.c_size_t,
    "weft_status": _lib.weft_status, "weft_callback": _lib.weft_callback,
    "weft_item_destructor": _lib.weft_item_destructor,
    "weft_port_notify_fn": _lib.weft_port_notify_fn, "const char": ctypes.c_char,
}


def header_functions(text):
    """{name: (return type, [argument types])} of every prototype, types as C text."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    functions = {}
    for ret, name, args in re.findall(r"(?m)^([A-Za-z_][\w \*]*?)\s*\b(weft_\w+)\s*\(([^;{]*?)\)\s*;",
                                      text):
        params = [" ".join(p.split()) for p in args.split(",")]
        if params == ["void"]:
            params = []
        # drop each parameter's name: what is left is its type
        functions[name] = (" ".join(ret.split()),
                           [re.sub(r"\s*\b\w+$", "", p) for p in params])
    return functions


def ctype_of(c_type):
    """The ctypes type a C type from weft.h maps to (const dropped: ctypes has none)."""
    c_type = re.sub(r"\bconst\b(?! char)", "", c_type)
    base, stars = c_type.replace("*", " ").strip(), c_type.count("*")
    base = " ".join(base.split())
    if stars == 0:
        return _SCALARS[base]
    if base == "const char" and stars == 1:
        return ctypes.c_char_p
    if base == "void":
        t = ctypes.c_void_p
    elif base.startswith("struct ") and hasattr(_lib, base[7:] + "_p"):
        t = getattr(_lib, base[7:] + "_p")      # an opaque handle: one pointer type each
    elif base.startswith("struct "):
        t = ctypes.POINTER(getattr(_lib, base[7:]))
    else:
        t = ctypes.POINTER(_SCALARS[base])
    for _ in range(stars - 1):
        t = ctypes.POINTER(t)
    return t


def _name(t):
    return getattr(t, "__name__", repr(t))


def mismatches(functions, signatures, outside=OUTSIDE_TABLE):
    """Every difference between the header's functions and the ctypes declarations."""
    problems = []
    for name in sorted(set(signatures) - set(functions)):
        problems.append(f"{name}: declared in _lib.SIGNATURES but not in weft.h")
    for name, (ret, args) in sorted(functions.items()):
        if name in outside:
            fn, restype = outside[name]
            declared_args, declared_ret = list(fn.argtypes), fn.restype
            if restype is not declared_ret:
                problems.append(f"{name}: restype {_name(declared_ret)}, table {_name(restype)}")
        elif name in signatures:
            declared_args, declared_ret = list(signatures[name][0]), _lib.weft_status
        else:
            problems.append(f"{name}: in weft.h but neither in _lib.SIGNATURES nor "
                            "in OUTSIDE_TABLE")
            continue
        if ctype_of(ret) is not declared_ret:
            problems.append(f"{name}: returns {ret} in weft.h, declared {_name(declared_ret)}")
        if len(args) != len(declared_args):
            problems.append(f"{name}: {len(args)} arguments in weft.h, "
                            f"{len(declared_args)} declared")
            continue
        for i, (c_type, declared) in enumerate(zip(args, declared_args)):
            if ctype_of(c_type) is not declared:
                problems.append(f"{name}: argument {i} is {c_type} "
                                f"({_name(ctype_of(c_type))}), declared {_name(declared)}")
    return problems


@pytest.fixture(scope="module")
def header_text():
    with open(HEADER, encoding="utf-8") as f:
        return f.read()


def test_header_is_parsed(header_text):
    functions = header_functions(header_text)
    # one prototype per exported function: as many as the header has declarations
    assert len(functions) == len(re.findall(r"(?m)^(?:weft_status|const char \*|uint32_t)\s*weft_\w+\(",
                                            header_text))
    assert functions["weft_queue_put_many"] == (
        "weft_status", ["struct weft_queue *", "void *const *", "const int64_t *", "size_t",
                        "int64_t", "size_t *"])
    assert ctype_of("void *const *") is ctypes.POINTER(ctypes.c_void_p)
    assert ctype_of("struct weft_lock **") is ctypes.POINTER(_lib.weft_lock_p)
    assert ctype_of("struct weft_completion *") is ctypes.POINTER(_lib.weft_completion)


def test_signature_table_matches_header(header_text):
    assert mismatches(header_functions(header_text), _lib.SIGNATURES) == []


# The check itself: each kind of drift between the header and the table is reported.
ACQUIRE = "weft_status weft_lock_acquire(struct weft_lock *lock, int64_t timeout_ns);"


@pytest.mark.parametrize("old, new, expected", [
    (ACQUIRE,
     "weft_status weft_lock_acquire(struct weft_lock *lock, uint64_t timeout_ns);",
     "weft_lock_acquire: argument 1 is uint64_t"),
    (ACQUIRE,
     "weft_status weft_lock_acquire(struct weft_lock *lock, int64_t timeout_ns, bool fair);",
     "weft_lock_acquire: 3 arguments in weft.h, 2 declared"),
    (ACQUIRE,
     "weft_status weft_lock_acquire(struct weft_sem *lock, int64_t timeout_ns);",
     "weft_lock_acquire: argument 0 is struct weft_sem *"),
    (ACQUIRE,
     "size_t weft_lock_acquire(struct weft_lock *lock, int64_t timeout_ns);",
     "weft_lock_acquire: returns size_t"),
    (ACQUIRE,
     "weft_status weft_lock_grab(struct weft_lock *lock, int64_t timeout_ns);",
     "weft_lock_grab: in weft.h but neither"),
    (ACQUIRE,
     "",
     "weft_lock_acquire: declared in _lib.SIGNATURES but not in weft.h"),
    ("weft_status weft_queue_get_many(struct weft_queue *queue,",
     "weft_status weft_queue_get_many(struct weft_queue *queue, bool *extra,",
     "weft_queue_get_many: 6 arguments in weft.h, 5 declared"),
])
def test_drift_is_reported(header_text, old, new, expected):
    assert old in header_text
    problems = mismatches(header_functions(header_text.replace(old, new)), _lib.SIGNATURES)
    assert any(p.startswith(expected) for p in problems), problems
