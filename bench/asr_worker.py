"""One speech-to-text configuration in its own process (for honest load time and peak memory).

python -m bench.asr_worker JOB.json -> prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main(job_path: str) -> None:
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    config = job["config"]
    from audio import SpeechToTextOptions, load_audio, load_speech_to_text

    audio = [load_audio(clip["path"]) for clip in job["clips"]]
    started = time.perf_counter()
    stt = load_speech_to_text(SpeechToTextOptions(
        backend=config["backend"], glossary=tuple(config.get("glossary", ())),
        max_chunk_s=config.get("max_chunk_s", 15.0)))
    loaded = time.perf_counter()
    stt.transcribe(audio[0][:16000 * 3])  # warm-up: first-call compilation is not speed
    warm = time.perf_counter()
    texts = [stt.transcribe(samples).text for samples in audio]
    done = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"load_s": loaded - started, "warmup_s": warm - loaded,
                      "transcribe_s": done - warm,
                      "audio_seconds": sum(samples.size for samples in audio) / 16000,
                      "peak_rss_mb": peak_kb / 1024, "transcripts": texts}))


if __name__ == "__main__":
    main(sys.argv[1])
