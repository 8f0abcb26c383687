//! Task counting (`task_done`/`join`, as Python's `queue.Queue`), kept off the put path.
//!
//! Every accepted put is a task. Instead of raising the countdown on each put (a
//! read-modify-write the producers would all contend on), the queue derives the number of
//! accepted puts from its counters when someone asks (`task_done`, `unfinished`, `join`, a
//! discard) and raises the countdown by what is new:
//!
//! accepted = items pushed by puts (every push is an accepted put: it never fails or is
//! undone once made; items put back in front are not counted again: `Items::pushed`) +
//! `handed` (a put handed straight to a waiting getter pushed nothing).
//!
//! A consumer marking an item done has seen the item, so its put's push (or handoff count)
//! happened before: the sync it runs first includes it.

use std::ffi::c_void;
use std::sync::Arc;

use super::Queue;
use crate::Countdown;
use crate::Status;
use crate::sync::{AtomicU64, Mutex, Ordering, lock};
use crate::wait::{Callback, Deadline, Port, Started};

pub(super) struct TaskBook {
    /// Accepted puts not yet marked done, as far as it has been told.
    tasks: Arc<Countdown>,
    handed: AtomicU64,
    /// Accepted puts already added to `tasks` (moved under `syncing`).
    synced: AtomicU64,
    syncing: Mutex<()>,
}

impl TaskBook {
    pub(super) fn new() -> Result<TaskBook, Status> {
        Ok(TaskBook {
            tasks: Arc::new(Countdown::new(0)?),
            handed: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            syncing: Mutex::new(()),
        })
    }

    /// A put went straight to a waiting getter; counted before the getter can see the
    /// item (and mark it done).
    pub(super) fn count_handoff(&self) {
        self.handed.fetch_add(1, Ordering::SeqCst);
    }
}

impl Queue {
    /// Accepted puts so far; never more than the true number.
    fn accepted(&self) -> u64 {
        self.items.pushed() + self.book.handed.load(Ordering::SeqCst)
    }

    /// Raises `tasks` by the accepted puts it has not counted yet. Serialized by the
    /// book's lock, taken only when there is something new: the countdown is raised
    /// before `synced` moves, so it never lags behind what a consumer could mark done,
    /// and never counts a put twice.
    fn sync_tasks(&self) {
        if self.accepted() <= self.book.synced.load(Ordering::Acquire) {
            return;
        }
        let _serial = lock(&self.book.syncing);
        let synced = self.book.synced.load(Ordering::Acquire);
        let accepted = self.accepted();
        if accepted > synced {
            // Cannot overflow: a queue never holds 2^63 items.
            let _ = self.book.tasks.up(accepted - synced);
            self.book.synced.store(accepted, Ordering::Release);
        }
    }

    /// Counts `discarded` items (accepted puts) as finished tasks.
    pub(super) fn count_discarded(&self, discarded: u64) {
        // Counted as accepted before they are marked done.
        self.sync_tasks();
        self.book.tasks.down_saturating(discarded);
    }

    /// Marks one task done: `Ok`, or `Overflow` if no task is unfinished.
    pub fn task_done(&self) -> Status {
        self.sync_tasks();
        self.book.tasks.down()
    }

    /// Accepted puts not yet marked done.
    pub fn unfinished(&self) -> u64 {
        self.sync_tasks();
        self.book.tasks.value()
    }

    /// Waits until every accepted put was marked done: `Ok` or `Timeout`.
    pub fn join(&self, deadline: Deadline) -> Status {
        self.sync_tasks();
        self.book.tasks.wait(deadline)
    }

    /// [`join`](Self::join) without blocking.
    pub fn join_async(
        &self,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        self.sync_tasks();
        self.book.tasks.wait_async(port, callback, arg)
    }
}
