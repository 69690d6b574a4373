"""Streaming transcription: stretches decoded while the candidate speaks.

The first tests drive `StreamingTranscriber` with a stand-in recogniser that records what it is
asked to decode (a unit test of the scheduling); the last ones use the real bundled model, the
real recorder and the virtual microphone.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from audio import (
    CaptureSettings,
    Recorder,
    SpeechToTextOptions,
    TextToSpeech,
    load_speech_to_text,
)
from audio.sources import ArraySource
from audio.streaming import FULL_EARLY_S, MIN_PIECE_S, StreamingTranscriber
from audio.transcript import Segment, Transcript
from bank import load_bank
from tests.conftest import wer

RATE = 16000
BANK = load_bank()


class RecordingRecogniser:
    """Returns one segment per decode, naming the span it was given."""

    def __init__(self, fail_on: int | None = None, delay: float = 0.0):
        self.calls: list[tuple[float, float]] = []  # (offset s, length s)
        self.beams: list[int | None] = []  # None: the recogniser's own beam
        self.fail_on = fail_on
        self.delay = delay

    def transcribe_chunk(self, samples: np.ndarray, offset_s: float,
                         beam_size: int | None = None) -> list[Segment]:
        self.calls.append((round(offset_s, 2), round(samples.size / RATE, 2)))
        self.beams.append(beam_size)
        if self.fail_on is not None and len(self.calls) == self.fail_on:
            raise RuntimeError("decoder crashed")
        time.sleep(self.delay)
        end = offset_s + samples.size / RATE
        return [Segment(offset_s, end, f" [{offset_s:.1f}-{end:.1f}]", (), -0.1, 0.01)]

    def finish(self, segments, duration, speech_duration) -> Transcript:
        return Transcript(text=" ".join(s.text.strip() for s in segments),
                          segments=tuple(segments), duration=duration, backend="fake",
                          model="fake", language="en", speech_duration=speech_duration)


def seconds(length: float) -> np.ndarray:
    return np.random.default_rng(int(length * 10)).normal(0, 0.1, int(length * RATE)) \
        .astype(np.float32)


def test_closed_stretches_are_decoded_whole_and_in_order():
    recogniser = RecordingRecogniser()
    streamer = StreamingTranscriber(recogniser)
    streamer.chunk(seconds(9), 0.0)
    streamer.chunk(seconds(12), 9.0)
    streamer.last(seconds(3), 21.0)
    transcript = streamer.finish(24.0, 24.0)
    assert recogniser.calls == [(0.0, 9.0), (9.0, 12.0), (21.0, 3.0)]
    assert recogniser.beams == [None] * 3  # closed stretches: the recogniser's full beam
    assert transcript.text == "[0.0-9.0] [9.0-21.0] [21.0-24.0]"
    assert streamer.pieced == 0 and streamer.refine() is None  # nothing to refine


def test_early_decode_at_the_last_pause_is_reused_when_nothing_followed():
    recogniser = RecordingRecogniser()
    streamer = StreamingTranscriber(recogniser)
    open_stretch = seconds(5)
    streamer.pause(open_stretch, 2.0)
    streamer.wait_idle()
    assert streamer.partial_text() == "[2.0-7.0]"  # shown while the candidate speaks
    # the answer ends 0.3 s later: the same stretch plus a little silence
    streamer.last(np.concatenate([open_stretch, np.zeros(int(0.3 * RATE), np.float32)]), 2.0)
    transcript = streamer.finish(8.0, 5.0)
    assert recogniser.calls == [(2.0, 5.0)]  # nothing decoded after the answer ended
    assert streamer.reused == 1 and transcript.text == "[2.0-7.0]"
    # the early decode was greedy (quick), so it counts as a piece that refine() redoes whole
    assert recogniser.beams == [1] and streamer.pieced == 1
    streamer.refine()
    assert recogniser.calls[1:] == [(2.0, 5.3)] and recogniser.beams[1:] == [None]


def test_only_the_speech_after_the_last_pause_is_left_when_the_answer_ends():
    recogniser = RecordingRecogniser()
    streamer = StreamingTranscriber(recogniser)
    audio = seconds(12)
    streamer.pause(audio[: 4 * RATE], 0.0)
    streamer.wait_idle()
    streamer.last(audio, 0.0)
    streamer.finish(12.0, 12.0)
    assert recogniser.calls == [(0.0, 4.0), (4.0, 8.0)]


def test_a_long_open_stretch_is_decoded_early_in_bounded_pieces():
    recogniser = RecordingRecogniser()
    streamer = StreamingTranscriber(recogniser)
    audio = seconds(14)
    assert FULL_EARLY_S == 8.0 and MIN_PIECE_S == 1.5
    for end in (3, 7, 11, 12, 14):  # pauses while the stretch grows
        streamer.pause(audio[: int(end * RATE)], 0.0)
        streamer.wait_idle()
    # whole while short, then only what is new (1 s of news waits for more speech)
    assert recogniser.calls == [(0.0, 3.0), (0.0, 7.0), (7.0, 4.0), (11.0, 3.0)]
    assert streamer.partial_text() == "[0.0-7.0] [7.0-11.0] [11.0-14.0]"
    # the stretch closes at that pause: nothing to decode now (it may be the end) ...
    streamer.chunk(audio, 0.0)
    streamer.wait_idle()
    assert len(recogniser.calls) == 4
    # ... but when the candidate goes on speaking, it is decoded whole, for accuracy, after
    # the new speech (so the live caption does not wait for the longer decode)
    more = seconds(3)
    streamer.pause(more, 14.5)
    streamer.wait_idle()
    assert recogniser.calls[4:] == [(14.5, 3.0), (0.0, 14.0)]
    streamer.last(more, 14.5)
    assert streamer.finish(17.5, 17.0).text == "[0.0-14.0] [14.5-17.5]"


def test_pieces_are_kept_when_the_answer_ends_at_the_pause():
    recogniser = RecordingRecogniser()
    streamer = StreamingTranscriber(recogniser)
    audio = seconds(12)
    for end in (7, 12):
        streamer.pause(audio[: int(end * RATE)], 0.0)
        streamer.wait_idle()
    streamer.chunk(audio, 0.0)  # closed by a pause, and then the answer ended
    assert streamer.finish(13.0, 12.0).text == "[0.0-7.0] [7.0-12.0]"
    assert recogniser.calls == [(0.0, 7.0), (7.0, 5.0)]  # no decode after the end
    # refined afterwards: the stretch decoded whole, the transcript assembled again
    assert streamer.pieced == 1
    assert streamer.refine().text == "[0.0-12.0]"
    assert recogniser.calls[2:] == [(0.0, 12.0)] and streamer.pieced == 0


def test_the_last_stretch_decoded_after_its_early_part_is_refined_whole():
    recogniser = RecordingRecogniser()
    streamer = StreamingTranscriber(recogniser)
    streamer.chunk(seconds(9), 0.0)
    audio = seconds(6)
    streamer.pause(audio[: 4 * RATE], 10.0)
    streamer.wait_idle()
    streamer.last(audio, 10.0)
    assert streamer.finish(16.0, 15.0).text == "[0.0-9.0] [10.0-14.0] [14.0-16.0]"
    assert streamer.refine().text == "[0.0-9.0] [10.0-16.0]"
    assert recogniser.calls[-1] == (10.0, 6.0)


def test_stale_early_decodes_are_skipped_when_newer_audio_waits():
    recogniser = RecordingRecogniser(delay=0.3)
    streamer = StreamingTranscriber(recogniser)
    streamer.chunk(seconds(9), 0.0)  # busy with this one while the pauses arrive
    streamer.pause(seconds(2), 9.0)
    streamer.pause(seconds(3), 9.0)
    streamer.last(seconds(4), 9.0)
    streamer.finish(13.0, 13.0)
    assert (9.0, 2.0) not in recogniser.calls and (9.0, 3.0) not in recogniser.calls


def test_a_decoding_error_reaches_finish():
    streamer = StreamingTranscriber(RecordingRecogniser(fail_on=2))
    streamer.chunk(seconds(9), 0.0)
    streamer.chunk(seconds(9), 9.0)
    streamer.last(seconds(2), 18.0)
    with pytest.raises(RuntimeError, match="decoder crashed"):
        streamer.finish(20.0, 20.0)


def test_the_model_may_still_be_loading():
    asked, loaded = threading.Event(), threading.Event()
    recogniser = RecordingRecogniser()

    def model():
        asked.set()
        assert loaded.wait(30), "the test never let the model load"
        return recogniser

    streamer = StreamingTranscriber(model)
    streamer.chunk(seconds(9), 0.0)
    streamer.last(seconds(2), 9.0)
    assert asked.wait(30)  # the worker is waiting for the model, the stretches queued
    assert recogniser.calls == [] and streamer.partial_text() == ""
    loaded.set()
    assert streamer.finish(11.0, 11.0).text == "[0.0-9.0] [9.0-11.0]"
    assert recogniser.calls == [(0.0, 9.0), (9.0, 2.0)]  # in order, once the model was there


# ------------------------------------------------------------------ the real path


@pytest.fixture(scope="module")
def stt():
    return load_speech_to_text(SpeechToTextOptions(glossary=BANK.glossary()))


@pytest.fixture(scope="module")
def long_answer(tmp_path_factory):
    """About 30 s of a bank answer, so that stretches close while speaking."""
    text = ". ".join(BANK.get("devsecops-11").model_answer.split(". ")[:4]) + "."
    tts = TextToSpeech(voice="en-us", rate=165, out_dir=tmp_path_factory.mktemp("long"))
    return tts.synthesize(text)


@pytest.mark.slow
def test_streaming_transcript_matches_transcribing_afterwards(stt, long_answer, tmp_path):
    from audio.playback import resample

    audio = resample(long_answer.samples, long_answer.samplerate, RATE)
    streamer = StreamingTranscriber(stt)
    feed = ArraySource(audio, realtime=True)
    recorder = Recorder(tmp_path / "answer.wav", CaptureSettings(), listener=streamer,
                        source=feed)
    recorder.start()
    partial_seen = ""
    while not feed.done.wait(0.5):
        partial_seen = streamer.partial_text() or partial_seen
    recording = recorder.stop()
    streamed = streamer.finish(recording.duration_s, recording.speech_s)
    afterwards = stt.transcribe(audio)
    assert len(partial_seen.split()) > 20  # words appeared while the answer was spoken
    assert streamer.decoded >= 3
    streamed_wer = wer([long_answer.text], [streamed.text])
    batch_wer = wer([long_answer.text], [afterwards.text])
    assert streamed_wer <= 0.25, streamed.text
    assert streamed_wer <= batch_wer + 0.06, (streamed.text, afterwards.text)
    times = [word.start for word in streamed.words]
    assert times == sorted(times) and times[-1] < recording.duration_s


@pytest.mark.audio
def test_streaming_through_the_virtual_microphone(pulse, stt, long_answer, tmp_path):
    import subprocess

    streamer = StreamingTranscriber(stt)
    recorder = Recorder(tmp_path / "answer.wav",
                        CaptureSettings(silence_stop_s=1.5, time_limit_s=120),
                        listener=streamer)
    recorder.start()
    time.sleep(0.3)
    subprocess.run(["paplay", "--device=virt_mic_feed", str(long_answer.path)], check=True)
    recording = recorder.wait(timeout=30)
    assert recording is not None and recording.ended_by == "silence"
    decoded_while_speaking = streamer.decoded
    transcript = streamer.finish(recording.duration_s, recording.speech_s)
    assert wer([long_answer.text], [transcript.text]) <= 0.25, transcript.text
    # the silence that ended the answer left (almost) nothing to decode afterwards
    assert decoded_while_speaking >= 3
    assert streamer.decoded - decoded_while_speaking <= 1, \
        (decoded_while_speaking, streamer.decoded, streamer.reused)
