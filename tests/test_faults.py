"""The fault catalogue: full disks, signals, hostile input, private files, no network.

Each test drives the real command line in its own process, as a user (or a hostile file)
would, and checks the contract: one clear line on stderr and exit 2 (or 130/143 for a signal),
no hang, nothing the candidate said or typed lost.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from audio import read_wav
from tests.conftest import REPO, assert_one_line_error, interrupted_recording

ANSWER = "I keep secrets in HashiCorp Vault and rotate them automatically."


# ---------------------------------------------------------------------- a full disk

class SmallDisk:
    """A folder on a small tmpfs (where the machine allows mounting it), or, failing that,
    an RLIMIT_FSIZE on the process under test: writes past the limit fail as a full disk's
    would. `fill()` takes the remaining space, leaving `keep` bytes."""

    def __init__(self, root: Path, size: str = "8m"):
        self.root = root
        root.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700",
                                  "tmpfs", str(root)], capture_output=True)
        self.mounted = mounted.returncode == 0
        self.limit: int | None = None

    def fill(self, keep: int = 0) -> None:
        if not self.mounted:
            # every file this process writes stops growing now: the database, the recording
            sizes = [path.stat().st_size for path in self.root.rglob("*") if path.is_file()]
            self.limit = max(sizes, default=0) + keep
            return
        with (self.root / "filler").open("wb") as filler:
            while shutil.disk_usage(self.root).free > keep:
                try:
                    filler.write(b"\0" * min(1 << 20, max(4096, shutil.disk_usage(
                        self.root).free - keep)))
                    filler.flush()
                except OSError:
                    break

    def free(self) -> None:
        (self.root / "filler").unlink(missing_ok=True)
        self.limit = None

    def preexec(self):
        limit = self.limit
        if limit is None:
            return None

        def apply() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return apply

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.root)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(tmp_path / "disk")
    yield disk
    disk.close()


def cli(env: dict, *args: str, input: str | None = None, preexec=None, timeout: float = 180):
    return subprocess.run([sys.executable, "-m", "interviewer", *args], input=input,
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          preexec_fn=preexec)


def disk_env(app_env: dict, disk: SmallDisk) -> dict:
    return dict(app_env, INTERVIEWER_DATA_DIR=str(disk.root / "data"),
                INTERVIEWER_CACHE_DIR=str(disk.root / "cache"))


def test_a_typed_answer_is_kept_when_the_disk_fills_while_typing(small_disk, app_env):
    env = disk_env(app_env, small_disk)
    if not small_disk.mounted:  # a per-file limit must be set before the process starts
        assert cli(env, "history").returncode == 0
        small_disk.fill(keep=4096)
    session = subprocess.Popen([sys.executable, "-m", "interviewer", "practice", "--text",
                                "--silent", "--plain", "-q", "devsecops-03"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
                               preexec_fn=small_disk.preexec())
    for line in session.stdout:  # the answer's row exists; the candidate is typing
        if "Type your answer" in line:
            break
    if small_disk.mounted:
        small_disk.fill()
    out, err = session.communicate(ANSWER + "\n\n", timeout=120)
    assert session.returncode == 2 and "Traceback" not in err, (out, err)
    assert [line for line in err.splitlines() if line.strip()][0].startswith("interviewer: ")
    assert "disk is full" in err or "cannot be written" in err or "database" in err, err
    # the candidate sees the answer again, and a copy is kept elsewhere
    assert ANSWER in out
    copies = [line.split("a copy is in ", 1)[1].split(")")[0]
              for line in out.splitlines() if "a copy is in " in line]
    assert copies and Path(copies[0]).read_text().strip() == ANSWER
    Path(copies[0]).unlink()


@pytest.mark.slow
def test_the_demo_ends_with_one_line_when_the_disk_is_full(small_disk, app_env):
    env = disk_env(app_env, small_disk)
    assert cli(env, "history").returncode == 0  # the database exists; now nothing fits
    small_disk.fill()
    started = time.monotonic()
    result = cli(env, "demo", "--plain", "--silent", preexec=small_disk.preexec(),
                 timeout=300)
    assert time.monotonic() - started < 240  # no hang
    stderr = assert_one_line_error(result)
    assert "space" in stderr or "full" in stderr or "cannot" in stderr, stderr


@pytest.mark.audio
@pytest.mark.slow
def test_a_full_disk_mid_answer_keeps_the_recording_so_far(pulse, small_disk, app_env,
                                                           candidate_clips):
    env = disk_env(app_env, small_disk)
    assert cli(env, "history").returncode == 0
    small_disk.fill(keep=320_000)  # about 9 s of recording, less what the database takes
    session = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "practice", "--plain", "--silent",
         "--no-spoken-feedback", "-q", "devsecops-01"], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
        preexec_fn=small_disk.preexec())
    player = None
    for line in session.stdout:
        if line.startswith("Recording."):
            player = subprocess.Popen(["paplay", "--device=virt_mic_feed",
                                       str(candidate_clips["devsecops-01"])])
            break
    out, err = session.communicate(timeout=120)
    if player:
        player.terminate()
    assert session.returncode in (0, 2), (session.returncode, out, err)
    assert "Traceback" not in err
    recordings = list((small_disk.root / "data" / "recordings").rglob("*.wav"))
    assert recordings
    samples, rate = read_wav(recordings[0])  # valid, with what was said before the disk filled
    assert samples.size / rate > 1.0
    # with space again, the next command finishes the answer
    small_disk.free()
    rescored = json.loads(cli(env, "rescore", "--json").stdout)
    assert rescored["rescored"] and rescored["rescored"][0]["after"] > 0


# ---------------------------------------------------------------------- signals

def start_spoken(app_env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "interviewer", "practice", "--plain",
                             "--silent", "-q", "devsecops-03"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=app_env, cwd=REPO)


def speak_then(session: subprocess.Popen, clip: Path, signum: int) -> None:
    for line in session.stdout:
        if line.startswith("Recording."):
            player = subprocess.Popen(["paplay", "--device=virt_mic_feed", str(clip)])
            time.sleep(4)  # four seconds into the answer
            session.send_signal(signum)
            player.terminate()
            return
    raise AssertionError("the answer never started recording")


@pytest.mark.audio
@pytest.mark.slow
def test_sigterm_mid_answer_is_handled_like_ctrl_c(pulse, app_env, candidate_clips, run_cli):
    session = start_spoken(app_env)
    speak_then(session, candidate_clips["devsecops-03"], signal.SIGTERM)
    out, err = session.communicate(timeout=60)
    assert session.returncode == 143, (out, err)
    assert "terminated" in err and "Traceback" not in err
    samples, rate = interrupted_recording(run_cli)
    assert 2.0 < samples.size / rate < 8.0


@pytest.mark.audio
@pytest.mark.slow
def test_a_killed_session_is_closed_by_the_next_command(pulse, app_env, candidate_clips,
                                                        run_cli):
    session = start_spoken(app_env)
    speak_then(session, candidate_clips["devsecops-03"], signal.SIGKILL)
    session.wait(timeout=30)
    history = json.loads(run_cli("history", "--json").stdout)
    assert history["sessions"][0]["status"] == "interrupted"
    assert history["answers"][0]["status"] == "interrupted"
    rescored = json.loads(run_cli("rescore", "--json").stdout)
    assert rescored["rescored"][0]["after"] > 0  # what was said is transcribed and scored


def test_forget_refuses_a_running_session(app_env, run_cli):
    session = subprocess.Popen([sys.executable, "-m", "interviewer", "practice", "--text",
                                "--silent", "--plain", "-q", "devsecops-03"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=app_env, cwd=REPO)
    try:
        for line in session.stdout:  # the session is waiting for the typed answer
            if "Type your answer" in line:
                break
        stderr = assert_one_line_error(run_cli("forget", "--all", "--yes"))
        assert "still running" in stderr
    finally:
        session.communicate(ANSWER + "\n\n", timeout=60)
    assert session.returncode == 0
    assert run_cli("forget", "--all", "--yes").returncode == 0


# ---------------------------------------------------------------------- hostile input

HOSTILE_BANKS = {
    "recursive.yaml": "id: x\ntitle: &q [*q]\nquestions: []\n",
    "laughs.yaml": "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
        for i in range(8)) + "id: x\ntitle: t\nquestions: []\n",
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "deep.yaml": "id: x\ntitle: " + "[" * 60 + "]" * 60 + "\nquestions: []\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BANKS))
def test_hostile_banks_get_one_line_quickly(name, tmp_path, app_env):
    path = tmp_path / name
    path.write_text(HOSTILE_BANKS[name])

    def cap_memory() -> None:  # a bank that expanded would die here instead of the machine
        resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))

    started = time.monotonic()
    for args in (("bank", "validate", str(path)), ("bank", "list", "--bank", str(path))):
        result = cli(app_env, *args, preexec=cap_memory, timeout=60)
        stderr = assert_one_line_error(result)
        assert str(path) in stderr
    assert time.monotonic() - started < 30


def test_hostile_json_lines_each_get_their_own_error(run_cli):
    good = json.dumps({"answer": ANSWER, "question_id": "devsecops-03"})
    lines = [json.dumps({"answer": ANSWER, "question_id": "devsecops-03", "bank": 5}),
             "[" * 100_000 + "]" * 100_000,
             '{"answer": "x", "reference": "Use Vault.", "concepts": '
             '[{"name": "vault", "weight": NaN}]}',
             '{"answer": "x", "reference": "Use Vault.", "concepts": '
             '[{"name": "vault", "weight": 1e999}]}',
             good]
    result = run_cli("score", "--jsonl", "-", input="\n".join(lines) + "\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    outputs = [json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in output"))
               for line in result.stdout.splitlines()]
    assert [output.get("line") for output in outputs[:4]] == [1, 2, 3, 4]
    assert "'bank' must be text" in outputs[0]["error"]
    assert "nested too deeply" in outputs[1]["error"]
    assert all("weight" in output["error"] for output in outputs[2:4])
    assert outputs[4]["score"] > 0  # the line after the bad ones is scored


def test_a_damaged_database_and_a_damaged_row(app_env, run_cli):
    assert run_cli("practice", "--text", "--silent", "-q", "devsecops-03", "--plain",
                   input=ANSWER + "\n\n").returncode == 0
    database = Path(app_env["INTERVIEWER_DATA_DIR"]) / "interviewer.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE answers SET report_json = '{not json'")
    history = json.loads(run_cli("history", "--json").stdout)
    answer = history["answers"][0]
    assert answer["report"] is None and "damaged" in answer["error"]
    assert run_cli("rescore").returncode == 0  # rescoring writes the report afresh
    assert json.loads(run_cli("history", "--json").stdout)["answers"][0]["report"]
    for name in ("interviewer.sqlite3-wal", "interviewer.sqlite3-shm"):
        (database.parent / name).unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 100)
    stderr = assert_one_line_error(run_cli("history"))
    assert "damaged" in stderr and "move the file aside" in stderr


@pytest.mark.parametrize("text,line,words", [
    ("[voice]\nrate = -5\n", 3, "'voice.rate' = -5 is out of range; use 60 to 400"),
    ("[voice]\nvolume = 99\n", 3, "'voice.volume' = 99.0 is out of range"),
    ("[answers]\ntime_limit = -3\n", 3, "'answers.time_limit' = -3 is out of range"),
    ("speech = 'x'\n", 2, "'speech' is a section"),
])
def test_settings_out_of_range_name_the_file_and_line(text, line, words, tmp_path, app_env):
    path = tmp_path / "settings.toml"
    path.write_text("# my settings\n" + text)
    stderr = assert_one_line_error(cli(dict(app_env, INTERVIEWER_CONFIG=str(path)),
                                       "bank", "list"))
    assert f"{path}:{line}:" in stderr and words in stderr


def test_a_named_settings_file_must_exist_and_its_bank_is_used_everywhere(tmp_path, app_env):
    missing = dict(app_env, INTERVIEWER_CONFIG=str(tmp_path / "nope.toml"))
    assert "no such settings file" in assert_one_line_error(cli(missing, "bank", "list"))
    bank = tmp_path / "mine.yaml"
    bank.write_text("id: mine\ntitle: Mine\nquestions:\n  - id: m1\n    text: Why?\n"
                    "    category: technical\n    model_answer: Because it is safer.\n")
    settings = tmp_path / "settings.toml"
    settings.write_text(f'bank = "{bank}"\n')
    env = dict(app_env, INTERVIEWER_CONFIG=str(settings))
    assert json.loads(cli(env, "bank", "list", "--json").stdout)["bank"]["id"] == "mine"
    assert cli(env, "bank", "show", "m1").returncode == 0
    scored = json.loads(cli(env, "score", "-q", "m1", "--json", "Because it is safer.").stdout)
    assert scored["question_id"] == "m1" and scored["score"] > 50


def test_outputs_are_not_overwritten_without_force(app_env, run_cli, tmp_path):
    assert run_cli("practice", "--text", "--silent", "-q", "devsecops-03", "--plain",
                   input=ANSWER + "\n\n").returncode == 0
    out = tmp_path / "report.html"
    out.write_text("mine")
    assert "--force" in assert_one_line_error(run_cli("report", "--out", str(out)))
    assert out.read_text() == "mine"
    assert run_cli("report", "--out", str(out), "--force").returncode == 0
    stray = tmp_path / "a" / ".." / "b.html"
    assert_one_line_error(run_cli("report", "--out", str(tmp_path / "none" / "r.html")))
    assert run_cli("report", "--out", str(stray)).returncode == 0
    assert not (tmp_path / "a").exists() and (tmp_path / "b.html").exists()


# ---------------------------------------------------------------------- privacy, network

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


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


def test_the_same_results_with_no_network(app_env):
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"],
                                                         capture_output=True).returncode:
        pytest.skip("this machine cannot remove a process's network (unshare -n)")
    args = ("score", "-q", "devsecops-03", "--json", ANSWER)
    online = cli(app_env, *args)
    offline = subprocess.run(["unshare", "-n", sys.executable, "-m", "interviewer", *args],
                             capture_output=True, text=True, env=app_env, cwd=REPO,
                             timeout=120)
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout) == json.loads(online.stdout)


# ---------------------------------------------------------------------- long and interrupted

@pytest.mark.slow
def test_review_interrupted_keeps_the_files_already_finished(app_env, candidate_clips,
                                                              tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    for name in ("a", "b", "c", "d"):
        shutil.copy(candidate_clips["devsecops-01"], folder / f"{name}.wav")
    table = tmp_path / "results.csv"
    review = subprocess.Popen([sys.executable, "-m", "interviewer", "review", str(folder),
                               "-q", "devsecops-01", "--plain", "--json", "--csv", str(table)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=app_env, cwd=REPO)
    for line in review.stderr:  # with --json, progress goes to stderr
        if line.startswith("[3/4]"):
            review.send_signal(signal.SIGTERM)
            break
    out, _ = review.communicate(timeout=120)
    assert review.returncode == 143
    finished = [item for item in json.loads(out) if item["report"]]
    assert len(finished) >= 2 and all(item["report"]["score"] > 0 for item in finished)
    rows = [row for row in table.read_text().splitlines()[1:] if row.strip()]
    assert len(rows) >= 2


@pytest.mark.slow
def test_a_recording_longer_than_a_window_is_read_in_windows(candidate_clips, tmp_path):
    """Speech that runs across the boundary between two windows is transcribed
    once and whole; the times are those of the recording."""
    from audio import SpeechToTextOptions, load_audio, load_speech_to_text, write_wav
    from audio.files import WINDOW_S

    clip = load_audio(candidate_clips["devsecops-01"])
    audio = np.zeros(int(16000 * (WINDOW_S + 60)), dtype=np.float32)
    start = int(16000 * (WINDOW_S - 4))  # four seconds before the window's end
    audio[start:start + clip.size] = clip
    path = write_wav(tmp_path / "long.wav", audio, 16000)
    transcript = load_speech_to_text(SpeechToTextOptions()).transcribe_file(path)
    assert transcript.duration == pytest.approx(WINDOW_S + 60, abs=0.1)
    words = transcript.words
    assert words and words[0].start >= WINDOW_S - 5 and words[-1].end <= WINDOW_S + 20
    text = transcript.text.lower()
    assert text.count("static analysis") == 1 and "container image" in text
