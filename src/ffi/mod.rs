//! The C ABI. One module per exported object, plus three shared pieces: the panic
//! [`boundary`], [`handle`] casting and out-parameters, and the [`status`] codes.
//! Nothing here decides anything: it converts pointers, integers and results, and calls
//! the safe core.
#![allow(non_camel_case_types)]
// Exports take raw pointers from C and check them (NULL) before use; `unsafe` on an
// `extern "C"` signature would tell a C caller nothing.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

pub mod barrier;
pub mod boundary;
pub mod condition;
pub mod countdown;
pub mod event;
pub mod flag;
pub mod guard;
pub mod handle;
#[cfg(feature = "handle-check")]
mod handle_check;
pub mod limiter;
pub mod lock;
pub mod op;
pub mod port;
#[allow(clippy::unnecessary_cast)] // the casts make cbindgen type the C macros
pub mod queue;
pub mod rlock;
pub mod semaphore;
pub mod status;
#[allow(clippy::unnecessary_cast)] // the casts make cbindgen type the C macros
pub mod time;
pub mod version;

pub use status::weft_status;
