//! The C ABI. One module per exported object, plus three shared pieces: the panic
//! [`boundary`], [`handle`] casting and out-parameters, and the [`status`] codes.
//! Nothing here decides anything: it converts pointers, integers and results, and calls
//! the safe core.
#![allow(non_camel_case_types)]

pub mod boundary;
pub mod handle;
pub mod lock;
pub mod op;
pub mod port;
pub mod rlock;
pub mod sem;
pub mod status;
#[allow(clippy::unnecessary_cast)] // the casts make cbindgen type the C macros
pub mod time;

pub use status::weft_status;
