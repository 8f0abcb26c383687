//! libFuzzer target: every input is a program over the whole C ABI (tests/c/abi_driver.h:
//! NULLs, zero and negative counts, huge timeouts, async starts, cancels, port closes).
//! A crash, a sanitizer report, an unknown status, WEFT_INTERNAL, a NULL handle that is
//! not refused, an out-parameter written by a failed call, or an async op that does not
//! complete exactly once aborts.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The driver calls the C ABI, which this crate links from the `weft` rlib.
use weft as _;

unsafe extern "C" {
    fn weft_fuzz_drive(data: *const u8, len: usize) -> u64;
}

fuzz_target!(|data: &[u8]| {
    // SAFETY: the driver reads `len` bytes from `data` and nothing else.
    unsafe { weft_fuzz_drive(data.as_ptr(), data.len()) };
});
