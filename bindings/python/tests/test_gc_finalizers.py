"""A weft object stays usable while the cyclic garbage collector finalizes the group of
objects it belongs to: the __del__ of another object of the same garbage cycle may still
use it (PEP 442: every object of the group is finalized, in no set order, before any is
torn down). CPython's test_queue `test_reentrancy` relies on this (a `__del__` puts to
the queue); weft closes such a handle once the collection is over."""

from __future__ import annotations

import gc
import weakref

import pytest

import weft
import weft.queue as wq


def _cycle_whose_finalizer_uses(q, log, queue_first):
    """Makes a garbage cycle holding ``q`` and an object whose __del__ puts to ``q`` and
    logs what happened; ``queue_first``: which of the two the cycle reaches first."""

    class PutsWhenFinalized:
        def __del__(self):
            try:
                self.q.put("from __del__")
                log.append(("put", self.q.qsize()))
            except Exception as exc:  # the failure this file is about
                log.append(("failed", repr(exc)))

    holder = PutsWhenFinalized()
    holder.q = q
    box = [q, holder] if queue_first else [holder, q]
    box.append(box)  # the cycle: box -> box
    holder.box = box


@pytest.mark.parametrize("make", [wq.Queue, wq.SimpleQueue, wq.LifoQueue,
                                  lambda: weft.Queue(None)],
                         ids=["queue.Queue", "queue.SimpleQueue", "queue.LifoQueue",
                              "Queue"])
@pytest.mark.parametrize("queue_first", [True, False], ids=["queue-first", "queue-last"])
def test_finalizer_in_the_same_garbage_cycle_can_still_put(make, queue_first):
    log = []
    gc.collect()
    _cycle_whose_finalizer_uses(make(), log, queue_first)  # nothing else refers to it
    gc.collect()
    assert log == [("put", 1)]


def test_a_handle_the_collector_finalized_is_released_when_the_collection_ends():
    class Item:
        pass

    item = Item()
    item_ref = weakref.ref(item)
    q = wq.Queue()
    q.put(item)  # the queue's table holds the item until the weft queue is freed
    del item
    box = [q]
    box.append(box)
    del q, box
    gc.collect()
    # freed by then: weft's item destructor dropped the item's table entry
    assert item_ref() is None
