//! Property test: random call sequences on a queue (FIFO, LIFO, priority; bounded,
//! unbounded, capacity changed at run time) against a sequential model: every item is got,
//! discarded or still inside, exactly once and in the model's order; task counts; shutdown
//! (immediate or not); `unget`; batches; async puts and gets on a port or a callback,
//! cancelled, or stranded in a closed port (a got item given back goes to the next getter).

mod model_support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use model_support::{Face, Harness, Start, config, face, pick, timeout};
use proptest::prelude::*;
use weft::queue::Discard;
use weft::{Deadline, Queue, QueueKind, Status};

#[derive(Clone, Debug)]
enum Step {
    TryPut(i64),
    Put(i64, Deadline),
    PutAsync(i64, Face),
    PutMany(Vec<i64>),
    TryGet,
    Get(Deadline),
    GetAsync(Face),
    GetMany(usize),
    Unget(usize),
    Peek,
    Clear,
    SetCapacity(Option<usize>),
    Shutdown(bool),
    TaskDone,
    Join,
    Cancel(usize),
    Poll,
    ClosePort,
}

fn priority() -> impl Strategy<Value = i64> {
    prop_oneof![8 => -2..=2i64, 1 => Just(i64::MIN), 1 => Just(i64::MAX)]
}

fn capacity() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![1 => Just(None), 3 => (1..=4usize).prop_map(Some)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => priority().prop_map(Step::TryPut),
        2 => (priority(), timeout()).prop_map(|(p, d)| Step::Put(p, d)),
        4 => (priority(), face()).prop_map(|(p, f)| Step::PutAsync(p, f)),
        1 => prop::collection::vec(priority(), 0..5).prop_map(Step::PutMany),
        3 => Just(Step::TryGet),
        2 => timeout().prop_map(Step::Get),
        4 => face().prop_map(Step::GetAsync),
        1 => (0..5usize).prop_map(Step::GetMany),
        1 => pick().prop_map(Step::Unget),
        1 => Just(Step::Peek),
        1 => Just(Step::Clear),
        1 => prop_oneof![capacity(), Just(Some(0))].prop_map(Step::SetCapacity),
        1 => any::<bool>().prop_map(Step::Shutdown),
        2 => Just(Step::TaskDone),
        1 => Just(Step::Join),
        2 => pick().prop_map(Step::Cancel),
        2 => Just(Step::Poll),
        1 => Just(Step::ClosePort),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Waiter {
    Getter(usize),
    Putter(usize, u64, i64),
}

/// The sequential queue. `items` is in take order (the next item out first).
struct Model {
    kind: QueueKind,
    capacity: Option<usize>,
    items: Vec<(i64, u64)>,
    line: VecDeque<Waiter>,
    shut: bool,
    discarding: bool,
    /// Accepted puts not marked done.
    tasks: u64,
    /// Items the test holds (got and not put back).
    held: Vec<u64>,
    discarded: Vec<u64>,
    /// Got items whose delivery failed (closed port), to be put back once the current
    /// call is over, as the real queue does after its mutex.
    backs: Vec<u64>,
}

impl Model {
    fn room(&self) -> bool {
        self.capacity.is_none_or(|c| self.items.len() < c)
    }

    fn push(&mut self, item: u64, priority: i64) {
        let at = match self.kind {
            QueueKind::Fifo => self.items.len(),
            QueueKind::Lifo => 0,
            QueueKind::Priority => self
                .items
                .iter()
                .position(|&(p, _)| p > priority)
                .unwrap_or(self.items.len()),
        };
        self.items.insert(at, (priority, item));
    }

    fn pop(&mut self) -> Option<u64> {
        (!self.items.is_empty()).then(|| self.items.remove(0).1)
    }

    fn getters_wait(&self) -> bool {
        matches!(self.line.front(), Some(Waiter::Getter(_)))
    }

    /// Hands `item` to getter `op`.
    fn deliver(&mut self, h: &mut Harness, op: usize, item: u64) {
        if h.complete(op, Status::Ok, item) {
            self.backs.push(item);
        } else {
            self.held.push(item);
        }
    }

    /// Serves the line from its front: getters from the items, putters into the room.
    fn settle(&mut self, h: &mut Harness) {
        loop {
            match self.line.front().copied() {
                Some(Waiter::Getter(op)) if !self.items.is_empty() => {
                    self.line.pop_front();
                    let item = self.pop().unwrap();
                    self.deliver(h, op, item);
                }
                Some(Waiter::Putter(op, item, priority)) if self.room() => {
                    self.line.pop_front();
                    self.push(item, priority);
                    self.tasks += 1;
                    h.complete(op, Status::Ok, 0);
                }
                _ => break,
            }
        }
    }

    /// A put that may not wait: `Ok`, `WouldBlock` or `Closed`.
    fn offer(&mut self, h: &mut Harness, item: u64, priority: i64) -> Status {
        if self.shut {
            return Status::Closed;
        }
        if let Some(&Waiter::Getter(op)) = self.line.front() {
            self.line.pop_front();
            self.tasks += 1;
            self.deliver(h, op, item);
            return Status::Ok;
        }
        if self.line.is_empty() && self.room() {
            self.push(item, priority);
            self.tasks += 1;
            return Status::Ok;
        }
        Status::WouldBlock
    }

    /// A get that may not wait.
    fn take(&mut self, h: &mut Harness) -> Result<u64, Status> {
        match self.pop() {
            Some(item) => {
                self.settle(h);
                self.held.push(item);
                Ok(item)
            }
            None if self.shut => Err(Status::Closed),
            None => Err(Status::WouldBlock),
        }
    }

    fn unget(&mut self, h: &mut Harness, item: u64) {
        if self.discarding {
            self.discard(vec![item]);
            return;
        }
        match self.kind {
            QueueKind::Priority => self.items.insert(0, (i64::MIN, item)),
            _ => self.items.insert(0, (0, item)),
        }
        self.settle(h);
    }

    fn discard(&mut self, items: Vec<u64>) {
        self.tasks = self.tasks.saturating_sub(items.len() as u64);
        self.discarded.extend(items);
    }

    fn drain(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.items)
            .into_iter()
            .map(|(_, item)| item)
            .collect()
    }

    /// Puts back the items whose delivery failed, each with all it causes before the next.
    fn flush(&mut self, h: &mut Harness) {
        while !self.backs.is_empty() {
            let item = self.backs.remove(0);
            let later = std::mem::take(&mut self.backs);
            self.held.retain(|&i| i != item);
            self.unget(h, item);
            self.backs.extend(later);
        }
    }
}

fn recorder() -> (Discard, Arc<Mutex<Vec<u64>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (Box::new(move |item| sink.lock().unwrap().push(item)), seen)
}

fn timed_out(status: Status) -> Status {
    if status == Status::WouldBlock {
        Status::Timeout
    } else {
        status
    }
}

fn run(kind: QueueKind, capacity: Option<usize>, steps: Vec<Step>) {
    let (discard, discarded) = recorder();
    let queue = Arc::new(Queue::new(kind, capacity, Some(discard)).unwrap());
    let mut model = Model {
        kind,
        capacity,
        items: Vec::new(),
        line: VecDeque::new(),
        shut: false,
        discarding: false,
        tasks: 0,
        held: Vec::new(),
        discarded: Vec::new(),
        backs: Vec::new(),
    };
    let mut h = Harness::default();
    let mut next_item = 1u64;
    let mut new_item = || {
        next_item += 1;
        next_item
    };
    // Which ops are getters (their grant value is an item to give back).
    let mut getter_ops = Vec::new();
    for step in steps {
        match step {
            Step::TryPut(priority) => {
                let item = new_item();
                let expected = model.offer(&mut h, item, priority);
                assert_eq!(queue.try_put(item, priority), expected, "try_put");
            }
            Step::Put(priority, deadline) => {
                let item = new_item();
                let expected = timed_out(model.offer(&mut h, item, priority));
                assert_eq!(queue.put(item, priority, deadline), expected, "put");
            }
            Step::PutAsync(priority, face) => {
                let item = new_item();
                let index = h.next_op();
                let expected = match model.offer(&mut h, item, priority) {
                    Status::WouldBlock => {
                        model.line.push_back(Waiter::Putter(index, item, priority));
                        getter_ops.push(false);
                        Start::Pending(index)
                    }
                    status => Start::Done(status),
                };
                let real = h.start(face, false, |port, callback, arg| {
                    queue.put_async(item, priority, port, callback, arg)
                });
                assert_eq!(real, expected, "put_async");
            }
            Step::PutMany(priorities) => {
                let items: Vec<u64> = priorities.iter().map(|_| new_item()).collect();
                let mut expected = (Status::Ok, 0);
                for (&item, &priority) in items.iter().zip(&priorities) {
                    // One put after another, each done with its give-backs.
                    let status = model.offer(&mut h, item, priority);
                    model.flush(&mut h);
                    match status {
                        Status::Ok => expected.1 += 1,
                        status => {
                            expected.0 = status;
                            break;
                        }
                    }
                }
                let real = queue.put_many(&items, Some(&priorities), Deadline::after_ns(0));
                assert_eq!(real, expected, "put_many");
            }
            Step::TryGet => {
                let expected = model.take(&mut h);
                assert_eq!(queue.try_get(), expected, "try_get");
            }
            Step::Get(deadline) => {
                let expected = model.take(&mut h).map_err(timed_out);
                assert_eq!(queue.get(deadline), expected, "get");
            }
            Step::GetAsync(face) => {
                let index = h.next_op();
                let expected = match model.take(&mut h) {
                    Ok(item) => (Start::Done(Status::Ok), item),
                    Err(Status::WouldBlock) => {
                        model.line.push_back(Waiter::Getter(index));
                        getter_ops.push(true);
                        (Start::Pending(index), 0)
                    }
                    Err(status) => (Start::Done(status), 0),
                };
                let mut item = 0;
                let real = h.start(face, true, |port, callback, arg| {
                    let (started, got) = queue.get_async(port, callback, arg);
                    item = got;
                    started
                });
                assert_eq!((real, item), expected, "get_async");
            }
            Step::GetMany(n) => {
                let mut expected = Vec::new();
                let mut status = Status::Ok;
                if n > 0 {
                    if !model.getters_wait() {
                        while expected.len() < n {
                            let Some(item) = model.pop() else { break };
                            expected.push(item);
                        }
                        model.settle(&mut h);
                        model.held.extend(&expected);
                    }
                    if expected.is_empty() {
                        match model.take(&mut h) {
                            Ok(first) => {
                                expected.push(first);
                                let mut more = Vec::new();
                                while expected.len() + more.len() < n {
                                    let Some(item) = model.pop() else { break };
                                    more.push(item);
                                }
                                model.settle(&mut h);
                                model.held.extend(&more);
                                expected.extend(more);
                            }
                            Err(refused) => status = refused,
                        }
                    }
                }
                let mut out = vec![0u64; n];
                let (real_status, got) = queue.get_many(&mut out, Deadline::after_ns(0));
                assert_eq!(
                    (real_status, &out[..got]),
                    (status, &expected[..]),
                    "get_many"
                );
            }
            Step::Unget(pick) => {
                if !model.held.is_empty() {
                    let item = model.held.remove(pick % model.held.len());
                    model.unget(&mut h, item);
                    queue.unget(item);
                }
            }
            Step::Peek => {
                let expected = model.items.first().map(|&(_, item)| item);
                assert_eq!(queue.peek(), expected.ok_or(Status::WouldBlock), "peek");
            }
            Step::Clear => {
                // Putters are let in before the discards are counted done (the count
                // saturates at zero, so the order shows).
                let items = model.drain();
                let count = items.len();
                model.settle(&mut h);
                model.discard(items);
                assert_eq!(queue.clear(), count, "clear");
            }
            Step::SetCapacity(capacity) => {
                let expected = if capacity == Some(0) {
                    Status::Invalid
                } else {
                    model.capacity = capacity;
                    model.settle(&mut h);
                    Status::Ok
                };
                assert_eq!(queue.set_capacity(capacity), expected, "set_capacity");
            }
            Step::Shutdown(immediate) => {
                model.shut = true;
                model.discarding |= immediate;
                for waiter in std::mem::take(&mut model.line) {
                    let (Waiter::Getter(op) | Waiter::Putter(op, _, _)) = waiter;
                    h.complete(op, Status::Closed, 0);
                }
                if model.discarding {
                    let items = model.drain();
                    model.discard(items);
                }
                queue.shutdown(immediate);
            }
            Step::TaskDone => {
                let expected = if model.tasks == 0 {
                    Status::Overflow
                } else {
                    model.tasks -= 1;
                    Status::Ok
                };
                assert_eq!(queue.task_done(), expected, "task_done");
            }
            Step::Join => {
                let expected = if model.tasks == 0 {
                    Status::Ok
                } else {
                    Status::Timeout
                };
                assert_eq!(queue.join(Deadline::after_ns(0)), expected, "join");
            }
            Step::Cancel(pick) => {
                if let Some(op) = h.cancel_picked(pick) {
                    model.line.retain(|&waiter| {
                        !matches!(waiter, Waiter::Getter(i) | Waiter::Putter(i, _, _) if i == op)
                    });
                    model.settle(&mut h);
                }
            }
            Step::Poll => h.poll(),
            Step::ClosePort => {
                for op in h.close_port() {
                    if h.undeliverable(op) {
                        assert!(getter_ops[op], "only a got item is given back");
                        model.backs.push(h.model[op].value);
                        model.flush(&mut h);
                    }
                }
            }
        }
        model.flush(&mut h);
        h.check();
        let mut real_discards = std::mem::take(&mut *discarded.lock().unwrap());
        let mut model_discards = std::mem::take(&mut model.discarded);
        real_discards.sort_unstable();
        model_discards.sort_unstable();
        assert_eq!(real_discards, model_discards, "discarded items");
        assert_eq!(queue.len(), model.items.len(), "len");
        assert_eq!(queue.capacity(), model.capacity, "capacity");
        assert_eq!(queue.is_shutdown(), model.shut, "shut down");
        let putters = model
            .line
            .iter()
            .filter(|w| matches!(w, Waiter::Putter(..)))
            .count();
        assert_eq!(
            queue.waiting(),
            (putters, model.line.len() - putters),
            "waiting"
        );
        assert_eq!(queue.unfinished(), model.tasks, "unfinished tasks");
    }
}

fn kind() -> impl Strategy<Value = QueueKind> {
    prop_oneof![
        Just(QueueKind::Fifo),
        Just(QueueKind::Lifo),
        Just(QueueKind::Priority)
    ]
}

proptest! {
    #![proptest_config(config("proptest-regressions/model_queue.txt"))]

    #[test]
    fn queue_matches_model(
        kind in kind(),
        capacity in capacity(),
        steps in prop::collection::vec(step(), 1..80),
    ) {
        run(kind, capacity, steps);
    }
}
