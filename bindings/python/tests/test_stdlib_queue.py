"""CPython's test.test_queue against weft.queue, as CPython runs it against its C and
Python variants (the test classes take the module under test as ``queue``)."""

import unittest

import pytest

test_queue = pytest.importorskip("test.test_queue")

# an exception in a __del__ (test_reentrancy puts from one) is a failure here, not a warning
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")

import weft.queue as wq  # noqa: E402


class TestQueue(test_queue.QueueTest, unittest.TestCase):
    queue = wq


class TestLifoQueue(test_queue.LifoQueueTest, unittest.TestCase):
    queue = wq


class TestPriorityQueue(test_queue.PriorityQueueTest, unittest.TestCase):
    queue = wq


class TestSimpleQueue(test_queue.BaseSimpleQueueTest, unittest.TestCase):
    queue = wq

    def setUp(self):
        self.type2test = wq.SimpleQueue
        super().setUp()

    # CPython's C SimpleQueue test: put() called reentrantly from __del__
    test_reentrancy = test_queue.CSimpleQueueTest.test_reentrancy


# Not run: test_queue.FailingQueueTest subclasses Queue and overrides the private
# _put/_get hooks of queue.Queue's pure-Python implementation to raise mid-operation;
# weft.queue keeps items in weft (no such hooks), so there is nothing to override.
