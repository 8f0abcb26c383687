//! weft: synchronization primitives that threads, event loops and languages share at
//! once, through one C ABI.
//!
//! Layers, top to bottom: [`ffi`] (the `extern "C"` surface: conversions only), the
//! primitives ([`Lock`], [`Semaphore`]), and [`wait`], the waiter core they all use.
//! See `docs/architecture.md`.

pub mod barrier;
pub mod condition;
pub mod countdown;
pub mod event;
pub mod flag;
pub mod guard;
pub mod limiter;
pub mod lock;
pub mod owner;
pub mod queue;
pub mod semaphore;
pub mod status;
mod sync;
pub mod wait;

pub mod ffi;

pub use barrier::{Barrier, BarrierKind};
pub use condition::Condition;
pub use countdown::Countdown;
pub use event::Event;
pub use flag::Flag;
pub use guard::Guard;
pub use limiter::Limiter;
pub use lock::{Fairness, Lock};
pub use queue::{Queue, QueueKind};
pub use semaphore::Semaphore;
pub use status::Status;
pub use wait::{Callback, Deadline, Delivered, Notify, Op, Port, Started};
