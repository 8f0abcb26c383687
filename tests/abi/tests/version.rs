//! The header's version macros against the library's `weft_version` and
//! `weft_version_string`, and against the package version in Cargo.toml. The macros are
//! plain C `int` constants (usable in `#if`); `weft_version` returns a `uint32_t`.
mod common;
use common::*;
use std::ffi::CStr;

/// The `version = "x.y.z"` of the weft package's Cargo.toml.
fn package_version() -> (i32, i32, i32) {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.starts_with("version = \""))
        .expect("Cargo.toml has a version line");
    let text = line
        .trim_start_matches("version = \"")
        .trim_end_matches('"');
    let parts: Vec<i32> = text.split('.').map(|p| p.parse().unwrap()).collect();
    (parts[0], parts[1], parts[2])
}

#[test]
fn the_macros_are_the_package_version() {
    assert_eq!(
        (WEFT_VERSION_MAJOR, WEFT_VERSION_MINOR, WEFT_VERSION_PATCH),
        package_version()
    );
    assert_eq!(
        WEFT_VERSION,
        WEFT_VERSION_MAJOR * 1_000_000 + WEFT_VERSION_MINOR * 1_000 + WEFT_VERSION_PATCH
    );
}

#[test]
fn the_loaded_library_reports_the_header_version() {
    // SAFETY: no arguments; returns a number.
    assert_eq!(unsafe { weft_version() }, WEFT_VERSION as u32);
    // SAFETY: returns a static NUL-terminated string (checked non-NULL), the same each time.
    let text = unsafe {
        let s = weft_version_string();
        assert!(!s.is_null());
        assert_eq!(s, weft_version_string());
        CStr::from_ptr(s).to_str().unwrap()
    };
    assert_eq!(
        text,
        format!("{WEFT_VERSION_MAJOR}.{WEFT_VERSION_MINOR}.{WEFT_VERSION_PATCH}")
    );
}
