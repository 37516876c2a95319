"""A crawl's processes die with the one that started them: the crawl child with `gongkai`
(monitor/crawl.py), its store writer with the crawl child (crawler/pipelines.py). A killed
`gongkai run` must release the store's lock, and a crawl or a writer left running without it
would overlap the next run. Light on imports: the store writer loads it before anything else."""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys

from monitor import exitcodes

#: the environment variable naming the pid a process must die with
PARENT_ENV = "GONGKAI_PARENT_PID"
_PR_SET_PDEATHSIG = 1

log = logging.getLogger("crawler.lifeline")


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG), and exit
    at once if the parent is already gone; elsewhere the parent's own cleanup has to do."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        log.warning("cannot tie the process to its parent: %s", os.strerror(ctypes.get_errno()))
    elif os.getppid() != int(parent):     # it died before the request took effect
        sys.exit(exitcodes.FAILED)
