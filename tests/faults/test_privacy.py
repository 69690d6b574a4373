"""Nothing leaves the machine, nothing is left where others look: no network (proven over a
run long enough for a library's uploader to wake), no file outside the data, cache and config
folders and the output named, and every file private."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.faults.conftest import ANSWER, cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _can_unshare() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.slow  # a whole session
def test_private_files_whatever_the_umask(app_env, tmp_path):
    def umask_022() -> None:
        os.umask(0o022)

    env = dict(app_env, INTERVIEWER_CACHE_DIR=str(tmp_path / "private-cache"))
    assert cli(env, "practice", "--text", "--silent", "-q", "devsecops-03", "--plain",
               input=ANSWER + "\n\n", preexec=umask_022).returncode == 0
    report = tmp_path / "r.html"
    assert cli(env, "report", "--out", str(report), preexec=umask_022).returncode == 0
    data = Path(app_env["INTERVIEWER_DATA_DIR"])
    assert mode(data) == 0o700 and mode(data / "recordings") == 0o700
    assert mode(tmp_path / "private-cache") == 0o700
    for path in [data / "interviewer.sqlite3", report] + list(data.glob("*.log")) + \
            list(data.glob("*-wal")):
        assert mode(path) == 0o600, path
    log = (data / "interviewer.log").read_text()
    assert ANSWER not in log and "HashiCorp" not in log  # no answer text in the log


@pytest.mark.slow
def test_the_same_results_with_no_network(app_env):
    if not _can_unshare():
        pytest.skip("this machine cannot remove a process's network (unshare -n)")
    args = ("score", "-q", "devsecops-03", "--json", ANSWER)
    online = cli(app_env, *args)
    offline = subprocess.run(["unshare", "-n", sys.executable, "-m", "interviewer", *args],
                             capture_output=True, text=True, env=app_env, cwd=REPO,
                             timeout=120)
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout) == json.loads(online.stdout)


def test_telemetry_switches_are_set_before_anything_loads_and_respect_the_user():
    """V08: onnxruntime reads ORT_DISABLE_TELEMETRY when it loads; importing the command line
    must load none of the libraries that carry telemetry, and main() sets the switches."""
    probe = ("import os, sys\nos.environ['HF_HUB_OFFLINE'] = '0'\n"
             "import interviewer.cli\n"
             "loaded = [m for m in ('onnxruntime', 'huggingface_hub', 'hf_xet', "
             "'faster_whisper') if m in sys.modules]\n"
             "from audio.runtime import prepare_environment\nprepare_environment()\n"
             "print(loaded, os.environ['ORT_DISABLE_TELEMETRY'], os.environ['HF_HUB_OFFLINE'],"
             " os.environ['HF_HUB_DISABLE_TELEMETRY'], os.environ['DO_NOT_TRACK'])\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("ORT_DISABLE_TELEMETRY", "HF_HUB_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=60)
    assert done.stdout.split() == ["[]", "1", "0", "1", "1"], done.stderr


# ---------------------------------------------------------------------- under strace

TRACED = ("connect,sendto,sendmsg,sendmmsg,open,openat,creat,mkdir,mkdirat,rename,renameat,"
          "renameat2,link,linkat,symlink,symlinkat,truncate")
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
# Not files holding anything of the candidate's: the sound system's shared memory (PulseAudio's,
# and JACK's, which PortAudio looks for when it starts), POSIX semaphores (joblib and loky,
# under scikit-learn, make one at import to see whether they can), terminals
SYSTEM_OBJECTS = ("/dev/shm/pulse-shm-", "/dev/shm/jack", "/dev/shm/sem.", "/dev/pts/",
                  "/dev/tty")
# local sound servers: PulseAudio (its socket is PULSE_SERVER's) and JACK, which PortAudio
# tries when it starts; any other socket, a DNS lookup included, is a leak
SOUND_SOCKETS = ("/dev/shm/jack_",)


def traced(command: list[str], env: dict, log: Path, input: str | None = None,
           timeout: float = 900) -> subprocess.CompletedProcess:
    """`command` with no network at all (unshare -n), every process of it traced."""
    return subprocess.run(["unshare", "-n", "strace", "-f", "-qq", "-s", "300", "-e",
                           f"trace={TRACED}", "-o", str(log), *command], input=input,
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)


def leaks(log: Path, allowed_dirs: list[Path], allowed_files: list[Path],
          pulse_socket: str | None) -> list[str]:
    """Every network call but to the PulseAudio socket (a DNS lookup included), and every
    file written, made or renamed outside the allowed folders and files."""
    found = []
    allowed = [Path(os.path.realpath(path)) for path in allowed_dirs]
    for line in log.read_text(errors="replace").splitlines():
        call = re.match(r"\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)", line)
        if not call:
            continue
        name, args, result = call.group(1), call.group(2), int(call.group(3))
        if name in ("connect", "sendto", "sendmsg", "sendmmsg"):
            if "sa_family=AF_UNIX" in args and (pulse_socket and pulse_socket in args or any(
                    f'sun_path="{socket}' in args for socket in SOUND_SOCKETS)):
                continue
            if name != "connect" and "sa_family" not in args and "nl_pid" not in args:
                continue  # on a connected socket: its connect() was checked
            found.append(line)
            continue
        if result < 0:
            continue  # refused by the system: nothing was written
        if name in ("open", "openat", "creat") and name != "creat" and \
                not any(flag in args for flag in WRITE_FLAGS):
            continue
        paths = re.findall(r'"((?:[^"\\]|\\.)*)"', args)
        if name in ("rename", "renameat", "renameat2", "link", "linkat", "symlink",
                    "symlinkat"):
            paths = paths[-1:]  # where it lands
        for written in paths[:1] if name not in ("rename", "renameat", "renameat2") else paths:
            path = Path(os.path.realpath(written))
            if path in allowed_files or path == Path(os.devnull) or \
                    str(path).startswith(SYSTEM_OBJECTS):
                continue
            if any(path.parent == output.parent and path.name.startswith(f".{output.name}.")
                   and path.suffix == ".tmp" for output in allowed_files):
                continue  # the output being written whole, beside where it goes
            if any(path == folder or folder in path.parents for folder in allowed):
                continue
            if name in ("mkdir", "mkdirat") and any(path in folder.parents for folder in allowed):
                continue  # on the way to an allowed folder (~/.config itself, say)
            found.append(line)
    return found


@pytest.mark.slow
def test_nothing_leaves_the_machine_in_a_long_review_or_a_session(app_env, tmp_path,
                                                                  candidate_clips):
    """V08: onnxruntime (the Silero VAD) wrote a device id and a queued event under
    ~/.cache/Microsoft and, about 11 s after loading, looked up its collector's host name.
    A review of about a minute of speech and a practice session run with no network and
    every process traced; any connection but PulseAudio's, and any file written outside
    the data, cache and config folders and the named output, fails the test."""
    if not _can_unshare() or shutil.which("strace") is None:
        pytest.skip("needs unshare -n and strace (scripts/setup.sh --test installs strace)")
    folder = tmp_path / "answers"
    folder.mkdir()
    for round_ in range(2):  # 2 x 3 answers: well past the 11 s the uploader waits
        for qid, clip in candidate_clips.items():
            shutil.copy(clip, folder / f"{round_}-{qid}.wav")
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "config"
    env = dict(app_env, HOME=str(home), XDG_CONFIG_HOME=str(config),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
               PYTHONDONTWRITEBYTECODE="1", TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    for name in ("ORT_DISABLE_TELEMETRY", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY",
                 "DO_NOT_TRACK", "HF_XET_TELEMETRY_ENABLED"):
        env.pop(name, None)  # what a user's shell has: the program must set them itself
    table = tmp_path / "results.csv"
    # the sound client keeps its cookie in the user's config folder, as on every desktop
    allowed = [Path(env["INTERVIEWER_DATA_DIR"]), Path(env["INTERVIEWER_CACHE_DIR"]),
               config / "interviewer", config / "pulse"]
    pulse = (env.get("PULSE_SERVER") or "").removeprefix("unix:") or None
    review_log = tmp_path / "review.strace"
    review = traced([sys.executable, "-m", "interviewer", "review", str(folder), "-q",
                     "devsecops-03", "--plain", "--csv", str(table)], env, review_log)
    assert review.returncode == 0, review.stderr
    assert len(table.read_text().splitlines()) == 7
    session_log = tmp_path / "session.strace"
    speaking = [] if pulse else ["--silent"]  # spoken questions need the sound server
    session = traced([sys.executable, "-m", "interviewer", "practice", "--text", "--plain",
                      "-q", "devsecops-03", "--no-follow-ups", *speaking], env, session_log,
                     input=ANSWER + "\n\n")
    assert session.returncode == 0, session.stderr
    found = leaks(review_log, allowed, [table], pulse) + \
        leaks(session_log, allowed, [], pulse)
    assert found == [], "\n".join(found[:20])
    assert not (home / ".cache" / "Microsoft").exists()
