"""waitress's task dispatcher, changed in one respect: a new request goes to the thread that
went idle *last* (a stack of idle threads), not to the one idle longest (waitress wakes its
threads in turn, so all 32 take part even when two requests at a time are in flight).

Why it matters: a request's thread runs Python, so it needs the GIL, and on a machine whose
cores are all busy (a class: several workers, nginx, and here the load generator) every wake-up
of a cold thread costs a context switch and cache misses. Measured with two servers sharing 2
cores, 10 learners each (`docs/performance.md`): 12 threads take part instead of 33, about
30 % fewer voluntary context switches per request, and 8–15 % more epochs per second. One
process alone on a quiet machine is unchanged.

Everything else (counting, stopping, shutdown) is waitress's own code path; only the wait and
the wake-up differ.
"""

import threading

from waitress.task import ThreadedTaskDispatcher


class HotThreadDispatcher(ThreadedTaskDispatcher):
    def __init__(self):
        super().__init__()
        self.idle = []  # one Condition per idle thread; the most recently idle last
        self.went_idle = threading.Condition(self.lock)  # for tests and monitoring

    def handler_thread(self, thread_no):
        wake = threading.Condition(self.lock)
        while True:
            with self.lock:
                while not self.queue and self.stop_count == 0:
                    self.active_count -= 1
                    self.idle.append(wake)
                    self.went_idle.notify_all()
                    wake.wait()
                    self.active_count += 1
                if self.stop_count > 0:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    break
                task = self.queue.popleft()
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)

    def add_task(self, task):
        with self.lock:
            self.queue.append(task)
            if self.idle:
                # A woken thread that finds the queue empty (a finishing thread took the task
                # first) simply goes back on the stack.
                self.idle.pop().notify()

    def set_thread_count(self, count):
        super().set_thread_count(count)
        with self.lock:
            if self.stop_count:
                # waitress wakes its idle threads with queue_cv, which ours do not wait on.
                while self.idle:
                    self.idle.pop().notify()
