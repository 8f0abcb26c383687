//! The C declarations of `include/weft.h`, as bindgen reads them. Tests call the library
//! only through these (never through `weft::` paths), so they prove that the checked-in
//! header and the library's exports agree: a declaration whose types differ from the
//! export would call it wrongly (and the tests check every function's behaviour), and a
//! declared function that is not exported fails to link.
#![allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    dead_code
)]

// Links the library's `#[no_mangle]` exports into the test binaries.
extern crate weft as _;

include!(concat!(env!("OUT_DIR"), "/weft_h.rs"));
