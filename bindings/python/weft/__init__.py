"""weft: synchronization primitives shared by threads, event loops and languages.

The top-level names follow aiologic 0.17 (green_* faces block the calling thread with the
GIL released; async_* faces work under asyncio, trio and anyio); ``weft.threading`` and
``weft.queue`` are drop-in replacements for the stdlib modules. Every object wraps one
reference to a C handle: ``.handle`` / ``Cls.from_handle(ptr)`` share it with C.
"""

from ._aio import (BinarySemaphore, BoundedBinarySemaphore, BoundedSemaphore,
                   BrokenBarrierError, BusyResourceError, CapacityLimiter, Condition,
                   CountdownEvent, Event, Flag, LifoQueue, Latch, Lock, PriorityQueue, Queue,
                   QueueEmpty, QueueFull, RBarrier, RCapacityLimiter, REvent, ResourceGuard,
                   RLock, Semaphore, SimpleLifoQueue, SimpleQueue, Barrier)
from ._core import Port
from ._lib import WeftError, load_path, status_name

__all__ = ["Barrier", "BinarySemaphore", "BoundedBinarySemaphore", "BoundedSemaphore",
           "BrokenBarrierError", "BusyResourceError", "CapacityLimiter", "Condition",
           "CountdownEvent", "Event", "Flag", "LifoQueue", "Latch", "Lock", "PriorityQueue",
           "Queue", "QueueEmpty", "QueueFull", "RBarrier", "RCapacityLimiter", "REvent",
           "ResourceGuard", "RLock", "Semaphore", "SimpleLifoQueue", "SimpleQueue", "Port", "WeftError",
           "load_path", "status_name"]

__version__ = "0.1.0"
