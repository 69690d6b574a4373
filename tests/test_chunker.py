"""The speech chunker on its own: blocks of audio and speech flags in, stretches out, no threads
and no recogniser involved."""

from __future__ import annotations

import numpy as np

from audio.chunker import CHUNK_PAUSE_S, MIN_CHUNK_S, PAD_FRAMES, ChunkEvent, SpeechChunker
from audio.vad import FRAME, SAMPLE_RATE

BLOCK_FRAMES = 3  # blocks of three 32 ms frames, about a microphone callback's worth


def feed(chunker: SpeechChunker, pattern: list[tuple[bool, float]]) -> list[ChunkEvent]:
    """Feed (speaking?, seconds) runs; each frame's samples hold its frame number, so an
    event's samples say exactly which frames it carries."""
    flags = [speaking for speaking, seconds in pattern
             for _ in range(round(seconds * SAMPLE_RATE / FRAME))]
    events: list[ChunkEvent] = []
    for start in range(0, len(flags), BLOCK_FRAMES):
        frames = flags[start:start + BLOCK_FRAMES]
        block = np.repeat(np.arange(start, start + len(frames), dtype=np.float32), FRAME)
        events += chunker.feed(block, frames)
    return events


def frames_of(event: ChunkEvent) -> tuple[int, int]:
    """First and last frame number in an event's samples."""
    return int(event.samples[0]), int(event.samples[-1])


def test_a_clear_pause_closes_a_long_enough_stretch():
    chunker = SpeechChunker()
    events = feed(chunker, [(False, 1.0), (True, MIN_CHUNK_S + 1), (False, CHUNK_PAUSE_S + 0.1),
                            (True, 2.0)])
    closed = [event for event in events if event.kind == "chunk"]
    assert len(closed) == 1
    first, last = frames_of(closed[0])
    speech_start = round(1.0 * SAMPLE_RATE / FRAME)
    # the speech with about 0.4 s of padding, not the silence before it
    assert first == speech_start - PAD_FRAMES
    assert closed[0].offset_s == (speech_start - PAD_FRAMES) * FRAME / SAMPLE_RATE
    assert last < speech_start + round((MIN_CHUNK_S + 1 + CHUNK_PAUSE_S + 0.2) *
                                       SAMPLE_RATE / FRAME)
    # the rest is the open stretch, handed over when the answer ends
    (final,) = chunker.finish()
    assert final.kind == "last" and frames_of(final)[0] > last


def test_a_short_stretch_is_not_closed_by_a_pause_but_offered_early():
    chunker = SpeechChunker()
    events = feed(chunker, [(True, 1.5), (False, 1.0), (True, 1.5), (False, 0.3)])
    assert [event.kind for event in events] == ["pause", "pause"]  # one per pause, no chunk
    assert events[1].samples.size > events[0].samples.size  # the open stretch grew
    assert [event.kind for event in chunker.finish()] == ["last"]


def test_speech_without_pauses_is_offered_every_few_seconds_at_its_quietest_moment():
    chunker = SpeechChunker()
    frames_per_s = SAMPLE_RATE / FRAME
    dips = {round(1.8 * frames_per_s), round(3.7 * frames_per_s)}  # gaps between words
    events = []
    for frame in range(round(7.0 * frames_per_s)):
        block = np.zeros(FRAME, np.float32) if frame in dips else np.full(FRAME, 0.5, np.float32)
        events += chunker.feed(block, [True])
    assert [event.kind for event in events] == ["pause"] * 3  # at about 2, 4 and 6 s
    # each ends at the quiet frame of its last half second, where there was one
    ends = [event.samples.size // FRAME for event in events]
    assert ends[:2] == [frame + 1 for frame in sorted(dips)]
    assert events[0].offset_s == events[2].offset_s == 0.0  # the same open stretch, growing
    assert ends[0] < ends[1] < ends[2] <= round(7.0 * frames_per_s)


def test_a_stretch_reaching_the_maximum_is_cut_in_its_last_pause():
    chunker = SpeechChunker(max_chunk_s=15.0)
    # speech with short (0.4 s) pauses every 3 s never closes a stretch; at 15 s it is cut
    pattern = [(True, 2.6), (False, 0.4)] * 6
    events = [event for event in feed(chunker, pattern) if event.kind == "chunk"]
    assert len(events) == 1
    last_frame = frames_of(events[0])[1]
    # the cut falls in the pause that ends at 15 s (its middle, plus padding): not mid-word
    pause_start, pause_end = round(14.6 * SAMPLE_RATE / FRAME), round(15.0 * SAMPLE_RATE / FRAME)
    assert round(12.0 * SAMPLE_RATE / FRAME) < last_frame <= pause_end + PAD_FRAMES
    assert last_frame != pause_start - 1


def test_silence_alone_gives_nothing():
    chunker = SpeechChunker()
    assert feed(chunker, [(False, 20.0)]) == []
    assert chunker.finish() == []


def test_offsets_follow_the_recording_across_stretches():
    chunker = SpeechChunker()
    events = feed(chunker, [(True, 9.0), (False, 1.0), (True, 9.0), (False, 1.0)])
    closed = [event for event in events if event.kind == "chunk"]
    assert len(closed) == 2
    for event in closed:  # the offset is where the event's first sample was recorded
        assert event.offset_s == frames_of(event)[0] * FRAME / SAMPLE_RATE
    assert closed[1].offset_s > closed[0].offset_s + 9.0
