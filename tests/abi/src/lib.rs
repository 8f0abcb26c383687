//! The C declarations of `include/weft.h`, as bindgen reads them (build.rs). The tests in
//! `tests/` call the library only through these, never through `weft::` paths.
//!
//! # Why this really exercises the header
//!
//! A foreign declaration is trusted by rustc: `extern "C" { fn f(x: i32); }` links to a
//! symbol `f` whatever its real signature, and calling it through a wrong declaration is
//! not a compile error. So three separate checks prove the header and the library agree:
//!
//! 1. **Names** (link time, and `tests/exports.rs`): every call goes to the symbol the
//!    header names. A function declared in the header but not exported fails to link
//!    (each declaration is referenced by the check below, so even one no test calls).
//!    `tests/exports.rs` compares the header's `weft_*` functions with the dynamic
//!    symbols of the built `libweft.so`, both ways.
//! 2. **Types** (compile time, here): for each function bindgen declared, build.rs emits
//!    `agree::<extern "C" fn(_, ..) -> _>(lib::f, crate::f)`. The first argument is the
//!    library's own `#[no_mangle] extern "C" fn`, whose Rust signature *is* the exported
//!    ABI; [`CType`] maps each of its types to the C type it stands for (the library's
//!    opaque `weft_lock` to bindgen's `weft_lock`, `i64` to `i64`, `*const T` to
//!    `*const CType(T)`, ...). The second argument must coerce to exactly that function
//!    pointer type. Had the header said `int32_t timeout_ns` where the library takes an
//!    `i64`, or `uint64_t` where it takes `int64_t`, or `struct weft_lock *` where it
//!    takes `const weft_lock *`, or one argument more or less, or another return type,
//!    this crate would not compile ("mismatched types"), so neither would any test.
//!    Running the tests alone would not catch that: a `-1` literal passed to a wrongly
//!    declared `int32_t` argument type-checks, and on x86-64 the callee may well see
//!    4294967295 (a 4 s timeout), a difference no plain call would notice.
//!    Each `WEFT_*` constant's value is compared with the library's in a const
//!    assertion, and a constant the header declares but the library lacks fails too.
//! 3. **Behaviour** (run time, `tests/`): every declared function is called, with valid
//!    and NULL arguments, and its results are checked against the header's comments.
//!    `tests/exports.rs` also checks that every declared function appears in a call in
//!    the tests, so a function added to the header must be added to the tests.
//!
//! `weft_completion`'s layout is checked by bindgen's own layout assertions (size,
//! alignment, field offsets, at compile time), and against the library's struct below.
#![allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    dead_code
)]

// Links the library's `#[no_mangle]` exports (from the weft rlib) into every binary of this
// crate. Only the declarations below are used to call them.
extern crate weft;

include!(concat!(env!("OUT_DIR"), "/weft_h.rs"));

/// The library's side: every module of `weft::ffi` that exports C functions or
/// constants. A header function or constant missing here fails to compile the check
/// (if a new `weft::ffi` module appears, add it to this list).
mod lib {
    pub use weft::ffi::{
        barrier::*, condition::*, countdown::*, event::*, flag::*, guard::*, limiter::*, lock::*,
        op::*, port::*, queue::*, rlock::*, semaphore::*, status::*, time::*, version::*,
    };
}

/// The C type (as bindgen spells it) that a type of the library's Rust exports stands
/// for. Each export's signature, mapped through this, must be the declaration's.
pub trait CType {
    type C;
}

macro_rules! same_in_c {
    ($($t:ty),*) => { $(impl CType for $t { type C = $t; })* };
}
// `c_char` is `i8` or `u8` depending on the target; both are covered.
same_in_c!(
    (),
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    usize,
    isize,
    std::ffi::c_void
);

macro_rules! opaque {
    ($($module:ident :: $name:ident),*) => {
        $(impl CType for weft::ffi::$module::$name { type C = crate::$name; })*
    };
}
opaque!(
    barrier::weft_barrier,
    condition::weft_cond,
    countdown::weft_countdown,
    event::weft_event,
    flag::weft_flag,
    guard::weft_guard,
    limiter::weft_limiter,
    lock::weft_lock,
    op::weft_op,
    port::weft_port,
    port::weft_completion,
    queue::weft_queue,
    rlock::weft_rlock,
    semaphore::weft_sem
);

impl<T: CType> CType for *mut T {
    type C = *mut T::C;
}
impl<T: CType> CType for *const T {
    type C = *const T::C;
}
impl<T: CType> CType for Option<T> {
    type C = Option<T::C>;
}

// Function pointers: the exports are safe `extern "C" fn`s, bindgen declares `unsafe`
// ones; a callback type (`weft_callback`) is an `unsafe extern "C" fn` on both sides.
macro_rules! functions {
    ($($arg:ident),*) => {
        impl<$($arg: CType,)* R: CType> CType for extern "C" fn($($arg),*) -> R {
            type C = unsafe extern "C" fn($($arg::C),*) -> R::C;
        }
        impl<$($arg: CType,)* R: CType> CType for unsafe extern "C" fn($($arg),*) -> R {
            type C = unsafe extern "C" fn($($arg::C),*) -> R::C;
        }
    };
}
functions!();
functions!(A);
functions!(A, B);
functions!(A, B, C);
functions!(A, B, C, D);
functions!(A, B, C, D, E);
functions!(A, B, C, D, E, F);
functions!(A, B, C, D, E, F, G);
functions!(A, B, C, D, E, F, G, H);

/// Compiles only if `declared` (bindgen's declaration) has the C signature of `export`.
fn agree<E: CType>(export: E, declared: E::C) {
    let _ = (export, declared);
}

include!(concat!(env!("OUT_DIR"), "/agree.rs"));

// The one struct passed by value through the ABI: same size, alignment and offsets.
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    type Declared = crate::weft_completion;
    type Export = weft::ffi::port::weft_completion;
    assert!(size_of::<Declared>() == size_of::<Export>());
    assert!(align_of::<Declared>() == align_of::<Export>());
    assert!(offset_of!(Declared, arg) == offset_of!(Export, arg));
    assert!(offset_of!(Declared, status) == offset_of!(Export, status));
    // And its fields' types, through the same mapping as the functions'.
    let _ = |d: Declared, e: Export| {
        let _: <*mut std::ffi::c_void as CType>::C = d.arg;
        let _: *mut std::ffi::c_void = e.arg;
        let _: weft_status = d.status;
        let _: weft::ffi::weft_status = e.status;
    };
};
