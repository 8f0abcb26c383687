"""The four ways of running async code the tests cover (asyncio, trio, and anyio on each
backend) behind one small interface: run a main coroutine, start child tasks that can be
cancelled one by one, yield to the loop, wait for a condition."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

trio = pytest.importorskip("trio")
anyio = pytest.importorskip("anyio")


class Child:
    """A started task: ``state`` is "running", then "returned" (``value``), "cancelled"
    or "failed" (``error``)."""

    def __init__(self):
        self.state = "running"
        self.value = None
        self.error = None
        self.cancel = None  # set by the flavor: cancels this task only
        self.done_before_cancel = False

    @property
    def done(self):
        return self.state != "running"

    def _record(self, outcome, value=None, error=None):
        self.state, self.value, self.error = outcome, value, error


class _Flavor:
    name = ""

    async def wait_until(self, predicate, timeout=5.0):
        """Yields to the loop until ``predicate()``; fails the test after ``timeout``."""
        deadline = time.monotonic() + timeout
        spins = 0
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: still waiting after {timeout} s")
            spins += 1
            if spins < 50:
                await self.checkpoint()
            else:
                await self.sleep(0.0005)

    def __repr__(self):
        return self.name


class AsyncioFlavor(_Flavor):
    name = "asyncio"
    cancelled = asyncio.CancelledError

    def run(self, main):
        return asyncio.run(main())

    async def checkpoint(self):
        await asyncio.sleep(0)

    async def sleep(self, t):
        await asyncio.sleep(t)

    @contextlib.asynccontextmanager
    async def group(self):
        tasks = []

        def spawn(fn, *args):
            child = Child()

            async def body():
                try:
                    child._record("returned", await fn(*args))
                except asyncio.CancelledError:
                    child._record("cancelled")
                except BaseException as e:  # noqa: BLE001 (reported by the test)
                    child._record("failed", error=e)

            task = asyncio.create_task(body())
            child.cancel = task.cancel
            tasks.append(task)
            return child

        try:
            yield spawn
        except BaseException:
            for task in tasks:   # as a task group does: the others go too
                task.cancel()
            raise
        finally:
            await asyncio.gather(*tasks)


class _ScopedFlavor(_Flavor):
    """trio and anyio: each child runs in its own cancel scope."""

    def _scope(self):
        raise NotImplementedError

    def _nursery(self):
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def group(self):
        async with self._nursery() as nursery:
            def spawn(fn, *args):
                child = Child()
                scope = self._scope()
                child.cancel = scope.cancel

                async def body():
                    with scope:
                        try:
                            child._record("returned", await fn(*args))
                        except self.cancelled:
                            child._record("cancelled")
                            raise
                        except BaseException as e:  # noqa: BLE001
                            child._record("failed", error=e)

                nursery.start_soon(body)
                return child

            yield spawn


class TrioFlavor(_ScopedFlavor):
    name = "trio"
    cancelled = trio.Cancelled

    def run(self, main):
        return trio.run(main)

    async def checkpoint(self):
        await trio.lowlevel.checkpoint()

    async def sleep(self, t):
        await trio.sleep(t)

    def _scope(self):
        return trio.CancelScope()

    def _nursery(self):
        return trio.open_nursery()


class AnyioFlavor(_ScopedFlavor):
    def __init__(self, backend):
        self.backend = backend
        self.name = "anyio-" + backend

    @property
    def cancelled(self):
        return anyio.get_cancelled_exc_class()

    def run(self, main):
        return anyio.run(main, backend=self.backend)

    async def checkpoint(self):
        await anyio.lowlevel.checkpoint()

    async def sleep(self, t):
        await anyio.sleep(t)

    def _scope(self):
        return anyio.CancelScope()

    def _nursery(self):
        return anyio.create_task_group()


FLAVORS = [AsyncioFlavor(), TrioFlavor(), AnyioFlavor("asyncio"), AnyioFlavor("trio")]
FLAVOR_PARAMS = [pytest.param(f, id=f.name) for f in FLAVORS]
