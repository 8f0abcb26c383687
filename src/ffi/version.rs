//! The library's version twice: as the header's macros (the version a program was
//! compiled against) and from `weft_version` (the library the program actually loaded).
//! docs/abi.md says what the numbers promise and what a binding must check.
//!
//! The numbers are written out (cbindgen copies literals into the header; it cannot read
//! Cargo.toml) and a test holds them equal to the package version.

use std::ffi::c_char;

/// The major version: the ABI generation, also the number in the soname
/// (`libweft.so.0`). A program built against one major cannot use a library of another.
pub const WEFT_VERSION_MAJOR: u32 = 0;
/// The minor version: raised by a release that adds to the ABI (functions, constants,
/// statuses) without breaking what a program built against an older minor uses.
pub const WEFT_VERSION_MINOR: u32 = 1;
/// The patch version: raised by a release that changes no declaration, only fixes.
pub const WEFT_VERSION_PATCH: u32 = 0;
/// The version as one number, `MAJOR * 1000000 + MINOR * 1000 + PATCH` (0.1.0 is 1000,
/// 1.2.3 would be 1002003), for `#if WEFT_VERSION >= ...` and for comparing with
/// `weft_version()`.
pub const WEFT_VERSION: u32 =
    WEFT_VERSION_MAJOR * 1_000_000 + WEFT_VERSION_MINOR * 1_000 + WEFT_VERSION_PATCH;

/// The version of the library actually loaded, as `WEFT_VERSION` spells it
/// (`MAJOR * 1000000 + MINOR * 1000 + PATCH`). It can differ from the `WEFT_VERSION` a
/// program was compiled with: a program built against 0.1.0 may run on a later 0.x
/// library. A binding compares it with the oldest version it needs at load time (see
/// docs/abi.md). Never fails; thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_version() -> u32 {
    WEFT_VERSION
}

/// The version of the library actually loaded as a string, e.g. `"0.1.0"`. Returns a
/// static NUL-terminated string: never NULL, never to be freed. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_version_string() -> *const c_char {
    VERSION_STRING.as_ptr().cast()
}

const VERSION_STRING: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn package(part: &str) -> u32 {
        part.parse().expect("a numeric version part")
    }

    #[test]
    fn the_constants_are_the_package_version() {
        assert_eq!(
            (WEFT_VERSION_MAJOR, WEFT_VERSION_MINOR, WEFT_VERSION_PATCH),
            (
                package(env!("CARGO_PKG_VERSION_MAJOR")),
                package(env!("CARGO_PKG_VERSION_MINOR")),
                package(env!("CARGO_PKG_VERSION_PATCH")),
            ),
            "Cargo.toml's version changed: update src/ffi/version.rs and regenerate the header"
        );
    }

    #[test]
    fn the_calls_report_the_constants() {
        assert_eq!(
            weft_version(),
            WEFT_VERSION_MAJOR * 1_000_000 + WEFT_VERSION_MINOR * 1_000 + WEFT_VERSION_PATCH
        );
        // SAFETY: a static NUL-terminated string.
        let text = unsafe { CStr::from_ptr(weft_version_string()) };
        assert_eq!(
            text.to_str().unwrap(),
            format!("{WEFT_VERSION_MAJOR}.{WEFT_VERSION_MINOR}.{WEFT_VERSION_PATCH}")
        );
    }
}
