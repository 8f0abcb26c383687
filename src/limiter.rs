//! Capacity limiter: at most `total` owners hold a token at once, each owner at most one
//! (the reentrant variant counts re-acquisitions by the same owner instead). The total can
//! change at run time; growing it hands tokens to waiters at once, shrinking it lets the
//! current borrowers finish (borrowed may exceed total until they release).
//!
//! All state lives under the line's mutex (lock order: line, then `state`), so the FIFO
//! rule is simple: nobody takes a token while someone is waiting for one.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::Arc;

use crate::Status;
use crate::owner::OwnerRequest;
use crate::sync::{Mutex, MutexGuard, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Port, Request, Started, WaitList, WaitSource, Wakeups,
};

/// The largest total.
pub const LIMITER_MAX: u64 = i64::MAX as u64;

pub struct Limiter {
    reentrant: bool,
    waiters: Mutex<WaitList>,
    state: Mutex<Tokens>,
}

struct Tokens {
    total: u64,
    borrowed: u64,
    /// Owner → recursion count (1 for the plain limiter).
    borrowers: HashMap<u64, u64>,
}

impl Limiter {
    /// A limiter of `total` tokens; `reentrant` lets an owner acquire again (counted).
    pub fn new(total: u64, reentrant: bool) -> Result<Limiter, Status> {
        if total > LIMITER_MAX {
            return Err(Status::Invalid);
        }
        Ok(Limiter {
            reentrant,
            waiters: Mutex::new(WaitList::new()),
            state: Mutex::new(Tokens {
                total,
                borrowed: 0,
                borrowers: HashMap::new(),
            }),
        })
    }

    pub fn is_reentrant(&self) -> bool {
        self.reentrant
    }

    fn tokens(&self) -> MutexGuard<'_, Tokens> {
        lock(&self.state)
    }

    /// `(total, borrowed, waiting)`, one consistent snapshot.
    pub fn counts(&self) -> (u64, u64, usize) {
        let list = lock(&self.waiters);
        let tokens = self.tokens();
        (tokens.total, tokens.borrowed, list.len())
    }

    /// The recursion count `owner` holds (0 if it holds no token).
    pub fn held_by(&self, owner: u64) -> u64 {
        let _list = lock(&self.waiters);
        self.tokens().borrowers.get(&owner).copied().unwrap_or(0)
    }

    fn check(&self, owner: u64, count: u64) -> Result<(), Status> {
        if owner == 0 || count == 0 || (!self.reentrant && count != 1) || count > LIMITER_MAX {
            Err(Status::Invalid)
        } else {
            Ok(())
        }
    }

    /// Under the line's mutex: a re-acquisition, a free token (if nobody waits), or wait.
    fn admit(&self, list: &WaitList, owner: u64, count: u64) -> Option<Status> {
        let mut tokens = self.tokens();
        if let Some(held) = tokens.borrowers.get_mut(&owner) {
            if !self.reentrant {
                return Some(Status::Deadlock);
            }
            return Some(match held.checked_add(count) {
                Some(total) if total <= LIMITER_MAX => {
                    *held = total;
                    Status::Ok
                }
                _ => Status::Overflow,
            });
        }
        if list.is_empty() && tokens.borrowed < tokens.total {
            tokens.borrowed += 1;
            tokens.borrowers.insert(owner, count);
            return Some(Status::Ok);
        }
        None
    }

    /// Takes a token for `owner` without waiting: `Ok`, `WouldBlock`, `Deadlock` (the
    /// plain limiter, already a borrower), `Overflow`, `Invalid`.
    pub fn try_acquire(&self, owner: u64, count: u64) -> Status {
        if let Err(status) = self.check(owner, count) {
            return status;
        }
        let list = lock(&self.waiters);
        self.admit(&list, owner, count)
            .unwrap_or(Status::WouldBlock)
    }

    /// Takes a token for `owner`, waiting in line until `deadline`.
    pub fn acquire(&self, owner: u64, count: u64, deadline: Deadline) -> Status {
        if let Err(status) = self.check(owner, count) {
            return status;
        }
        let request = Request::for_owner(owner, count, true);
        wait::block_until(self, request, deadline.start(), |list, _| {
            self.admit(list, owner, count)
        })
    }

    /// Takes a token for `owner` now (`Done`) or later through `port` / `callback`.
    pub fn acquire_async(
        self: &Arc<Self>,
        owner: u64,
        count: u64,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        if let Err(status) = self.check(owner, count) {
            return Started::Done(status);
        }
        let request = Request::for_owner(owner, count, true);
        wait::wait_async(self, request, port, callback, arg, |list, _| {
            self.admit(list, owner, count)
        })
    }

    /// Gives back `count` levels held by `owner`; the last level returns the token, which
    /// goes to the first live waiter. `NotOwner`, `Overflow` (more than held), `Invalid`.
    pub fn release(&self, owner: u64, count: u64) -> Status {
        if let Err(status) = self.check(owner, count) {
            return status;
        }
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        let mut tokens = self.tokens();
        let Some(held) = tokens.borrowers.get_mut(&owner) else {
            return Status::NotOwner;
        };
        if count > *held {
            return Status::Overflow;
        }
        *held -= count;
        if *held == 0 {
            tokens.borrowers.remove(&owner);
            tokens.borrowed -= 1;
            self.hand_out(&mut list, &mut tokens, &mut wakeups);
        }
        drop(tokens);
        drop(list);
        wakeups.fire();
        Status::Ok
    }

    /// Changes the total; growing it hands tokens to waiters at once.
    pub fn set_total(&self, total: u64) -> Status {
        if total > LIMITER_MAX {
            return Status::Invalid;
        }
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        let mut tokens = self.tokens();
        tokens.total = total;
        self.hand_out(&mut list, &mut tokens, &mut wakeups);
        drop(tokens);
        drop(list);
        wakeups.fire();
        Status::Ok
    }

    /// Serves the line from its front while it can: a free token to a new borrower; and an
    /// owner that waited twice, found a borrower by its second grant, re-enters (the
    /// reentrant limiter: its count grows, no second token) or is refused `Deadlock` (the
    /// plain one: it holds the token it waits for). Each waiter is claimed while this
    /// decides (`WaitList::decide_first`), so the borrower recorded for it is never one
    /// that gave up meanwhile.
    fn hand_out(&self, list: &mut WaitList, tokens: &mut Tokens, wakeups: &mut Wakeups) {
        let reentrant = self.reentrant;
        while list
            .decide_first(wakeups, |waiter| {
                let (owner, count) = (waiter.request.owner(), waiter.request.count());
                if let Some(held) = tokens.borrowers.get_mut(&owner) {
                    if !reentrant {
                        return Some(Outcome::Done(Status::Deadlock));
                    }
                    return Some(Outcome::Done(match held.checked_add(count) {
                        Some(total) if total <= LIMITER_MAX => {
                            *held = total;
                            Status::Ok
                        }
                        _ => Status::Overflow,
                    }));
                }
                (tokens.borrowed < tokens.total).then(|| {
                    tokens.borrowed += 1;
                    tokens.borrowers.insert(owner, count);
                    Outcome::Done(Status::Ok)
                })
            })
            .is_some()
        {}
    }
}

impl WaitSource for Limiter {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.waiters
    }

    fn after_withdraw(&self, _list: &mut WaitList, _wakeups: &mut Wakeups) {}

    fn give_back(&self, request: &Request, _value: u64) {
        let _ = self.release(request.owner(), request.count());
    }
}
