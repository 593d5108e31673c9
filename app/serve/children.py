"""Child processes that end with their launcher.

`python -m app --workers N` starts workers and nginx in process groups of their own (so the
terminal's Ctrl+C reaches the launcher alone). If the launcher itself is killed outright
(SIGKILL, the out-of-memory killer), nothing would stop them: they would keep the ports and the
memory. On Linux a child can ask the kernel for a signal when its parent dies
(`prctl(PR_SET_PDEATHSIG)`); `die_with(parent)` does that between fork and exec, so workers get
SIGTERM (a clean stop) and nginx its fast shutdown. Elsewhere it does nothing.
"""

import ctypes
import functools
import os
import signal
import sys

PR_SET_PDEATHSIG = 1   # <linux/prctl.h>


def _ask_for_sigterm(parent):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:   # the parent died before the request: nobody to outlive
        os._exit(1)


def die_with(parent=None):
    """A `preexec_fn` for `subprocess.Popen`: SIGTERM to the child when `parent` (this process)
    dies; None where the platform has no such signal. The launcher starts no threads, so a
    preexec function is safe here."""
    if not sys.platform.startswith("linux"):
        return None
    return functools.partial(_ask_for_sigterm, os.getpid() if parent is None else parent)
