"""Whether the process that started a session still runs it."""

from __future__ import annotations

import os
from datetime import datetime

# started_at is stored to the second, and the process starts a moment before its session
START_SLACK_S = 2.0


def is_running(pid: int | None, since: str | None = None) -> bool:
    """Whether process `pid` exists and, given `since` (the session's ISO start time), began
    before it: a process that started later is another one that reused the id (after a
    reboot, or when the ids wrapped), so the session it seems to run was abandoned. Sessions
    of older versions have no pid."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OverflowError:
        return False
    if since is None:
        return True
    import psutil

    try:
        started = psutil.Process(pid).create_time()
        session_start = datetime.fromisoformat(since).timestamp()
    except (psutil.Error, ValueError, OSError):
        return True  # cannot tell: assume it is the session's, as before
    return started <= session_start + START_SLACK_S
