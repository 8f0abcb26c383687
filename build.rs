// Gives libweft.so its soname, `libweft.so.<major>` (docs/abi.md): programs linked against
// it record that name, which the installed link chain (libweft.so -> libweft.so.0 ->
// libweft.so.0.1.0) or `ldconfig` resolves, so two ABI generations can be installed side
// by side. The major comes from Cargo.toml, the one place the version is written.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets it");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libweft.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
