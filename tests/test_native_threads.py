"""OpenMP workers must sleep, not spin, between decodes (audio.runtime), unless the user says
otherwise: a spinning worker turned a 0.7 s wait for feedback into 4-40 s on a busy laptop."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def _policy_seen(environment: dict[str, str]) -> str:
    # the speech library itself must see it: read it back from the loaded process's environ
    code = ("import audio.vad, os, ctypes; libc = ctypes.CDLL(None); "
            "libc.getenv.restype = ctypes.c_char_p; "
            "print(libc.getenv(b'OMP_WAIT_POLICY').decode())")
    return subprocess.run([sys.executable, "-c", code], env=environment, cwd=REPO,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_passive_wait_is_the_default():
    environment = {key: value for key, value in os.environ.items()
                   if key != "OMP_WAIT_POLICY"}
    assert _policy_seen(environment) == "PASSIVE"


def test_a_users_own_policy_is_kept():
    assert _policy_seen(dict(os.environ, OMP_WAIT_POLICY="ACTIVE")) == "ACTIVE"
