//! Where a queue keeps its items: the ordering policy, and nothing else (no waiting, no
//! counting of tasks). Items are opaque `u64`s (C's `void *`).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Which item a get takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    /// First in, first out.
    Fifo,
    /// Last in, first out.
    Lifo,
    /// Smallest priority first; first in, first out among equal priorities.
    Priority,
}

pub(crate) enum Store {
    Fifo(VecDeque<u64>),
    Lifo(Vec<u64>),
    Priority {
        heap: BinaryHeap<Ranked>,
        /// Arrival order of ordinary puts (counts up) and of items put back in front
        /// (counts down), so that equal priorities keep their order.
        next_back: i64,
        next_front: i64,
    },
}

impl Store {
    pub(crate) fn new(kind: QueueKind) -> Store {
        match kind {
            QueueKind::Fifo => Store::Fifo(VecDeque::new()),
            QueueKind::Lifo => Store::Lifo(Vec::new()),
            QueueKind::Priority => Store::Priority {
                heap: BinaryHeap::new(),
                next_back: 0,
                next_front: -1,
            },
        }
    }

    /// Adds an item as a put does (`priority` only matters to a priority store).
    pub(crate) fn push(&mut self, item: u64, priority: i64) {
        match self {
            Store::Fifo(items) => items.push_back(item),
            Store::Lifo(items) => items.push(item),
            Store::Priority {
                heap, next_back, ..
            } => {
                heap.push(Ranked {
                    priority,
                    arrival: *next_back,
                    item,
                });
                *next_back += 1;
            }
        }
    }

    /// Puts an item back where the next get will take it (a taken item that could not be
    /// delivered).
    pub(crate) fn push_next(&mut self, item: u64) {
        match self {
            Store::Fifo(items) => items.push_front(item),
            Store::Lifo(items) => items.push(item),
            Store::Priority {
                heap, next_front, ..
            } => {
                heap.push(Ranked {
                    priority: i64::MIN,
                    arrival: *next_front,
                    item,
                });
                *next_front -= 1;
            }
        }
    }

    /// Takes the next item.
    pub(crate) fn pop(&mut self) -> Option<u64> {
        match self {
            Store::Fifo(items) => items.pop_front(),
            Store::Lifo(items) => items.pop(),
            Store::Priority { heap, .. } => heap.pop().map(|ranked| ranked.item),
        }
    }

    /// The item the next get would take.
    pub(crate) fn peek(&self) -> Option<u64> {
        match self {
            Store::Fifo(items) => items.front().copied(),
            Store::Lifo(items) => items.last().copied(),
            Store::Priority { heap, .. } => heap.peek().map(|ranked| ranked.item),
        }
    }
}

/// A priority-store entry; `BinaryHeap` is a max-heap, so "greater" means "taken first":
/// the smaller priority, then the earlier arrival.
pub(crate) struct Ranked {
    priority: i64,
    arrival: i64,
    item: u64,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.priority, other.arrival).cmp(&(self.priority, self.arrival))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

#[cfg(test)]
mod tests {
    use super::*;

    fn take_all(store: &mut Store) -> Vec<u64> {
        std::iter::from_fn(|| store.pop()).collect()
    }

    #[test]
    fn fifo_lifo_and_priority_orders() {
        let mut fifo = Store::new(QueueKind::Fifo);
        let mut lifo = Store::new(QueueKind::Lifo);
        for item in 1..=3 {
            fifo.push(item, 0);
            lifo.push(item, 0);
        }
        assert_eq!(take_all(&mut fifo), [1, 2, 3]);
        assert_eq!(take_all(&mut lifo), [3, 2, 1]);

        let mut prio = Store::new(QueueKind::Priority);
        for (item, priority) in [(10, 5), (11, -1), (12, 5), (13, i64::MIN), (14, -1)] {
            prio.push(item, priority);
        }
        assert_eq!(prio.peek(), Some(13));
        assert_eq!(take_all(&mut prio), [13, 11, 14, 10, 12]);
    }

    #[test]
    fn push_next_is_taken_first() {
        for kind in [QueueKind::Fifo, QueueKind::Lifo, QueueKind::Priority] {
            let mut store = Store::new(kind);
            store.push(1, i64::MIN);
            store.push(2, 0);
            store.push_next(7);
            store.push_next(8);
            assert_eq!(store.pop(), Some(8), "{kind:?}");
            assert_eq!(store.pop(), Some(7), "{kind:?}");
            assert_eq!(take_all(&mut store).len(), 2);
        }
    }
}
