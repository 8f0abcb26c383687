//! Compiles the C driver shared with tests/c/test_random_args.c.
fn main() {
    println!("cargo:rerun-if-changed=abi_driver.c");
    println!("cargo:rerun-if-changed=../tests/c/abi_driver.h");
    cc::Build::new()
        .file("abi_driver.c")
        .include("../include")
        .include("../tests/c")
        .flag_if_supported("-std=c11")
        .compile("weft_abi_driver");
}
