// Gives libweft.so a SONAME, so that programs linked against it record "libweft.so"
// (found through their rpath or the system's library path) rather than a build path.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libweft.so");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
