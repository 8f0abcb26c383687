//! Reads include/weft.h with bindgen: the tests in this crate call the library only
//! through these declarations, so a header that disagrees with the exports (a wrong
//! argument type, a missing function, a changed constant) fails to compile or to link.
use std::env;
use std::path::PathBuf;

fn main() {
    let header =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../include/weft.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let bindings = bindgen::Builder::default()
        .header(header.to_str().unwrap())
        .allowlist_function("weft_.*")
        .allowlist_type("weft_.*")
        .allowlist_var("WEFT_.*")
        .layout_tests(true)
        .generate()
        .expect("bindgen could not read include/weft.h");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("weft_h.rs");
    bindings
        .write_to_file(out)
        .expect("could not write the bindings");
}
