"""The spoken benchmarks' own parts: noise mixed at a measured ratio, the real-speech references,
the families' figures and reports (also of runs saved before them), and when a session counts."""

from __future__ import annotations

import numpy as np
import pytest

from bench import spoken_bench
from bench.__main__ import headline
from bench.noise import add_noise, noise, snr_db, speech_power
from bench.session_bench import MAX_SESSION_WER, was_heard
from bench.targets import TARGETS


def _speech(seconds: float = 3.0) -> np.ndarray:
    """A tone in bursts with quiet between them, like sentences and pauses."""
    time = np.arange(int(16000 * seconds)) / 16000
    bursts = (np.floor(time * 2) % 2 == 0).astype(np.float64)
    return (0.3 * np.sin(2 * np.pi * 220 * time) * bursts).astype(np.float32)


@pytest.mark.parametrize("colour", ["white", "pink"])
def test_noise_is_mixed_at_the_ratio_asked_for_over_the_speech_not_the_pauses(colour):
    speech = _speech()
    mixed, measured = add_noise(speech, 10.0, colour, seed=3)
    assert measured == pytest.approx(10.0, abs=0.05)
    added = mixed.astype(np.float64) - speech
    assert snr_db(speech, added) == pytest.approx(10.0, abs=0.05)
    # the pauses would make a whole-clip ratio 3 dB lower than what is heard while speaking
    whole = 10 * np.log10(np.mean(speech.astype(np.float64) ** 2) / np.mean(added ** 2))
    assert whole == pytest.approx(7.0, abs=0.2)


def test_noise_is_seeded_and_pink_noise_has_its_power_at_low_frequencies():
    assert np.array_equal(noise(4000, "pink", 1), noise(4000, "pink", 1))
    assert not np.array_equal(noise(4000, "pink", 1), noise(4000, "pink", 2))
    for colour in ("white", "pink"):
        assert np.mean(noise(16000, colour, 0) ** 2) == pytest.approx(1.0)
    power = np.abs(np.fft.rfft(noise(16000, "pink", 0))) ** 2
    low, high = power[10:100].mean(), power[4000:8000].mean()
    assert low > 30 * high
    white = np.abs(np.fft.rfft(noise(16000, "white", 0))) ** 2
    assert white[10:100].mean() < 2 * white[4000:8000].mean()
    with pytest.raises(ValueError, match="colour"):
        noise(10, "brown", 0)


def test_a_loud_mix_is_scaled_down_without_changing_the_ratio():
    speech = _speech() * 3.0  # peaks at 0.9: the noise would clip it
    mixed, measured = add_noise(speech, 10.0, "white", seed=0)
    assert float(np.abs(mixed).max()) <= 0.991
    assert measured == pytest.approx(10.0, abs=0.05)
    assert speech_power(np.zeros(100, np.float32)) == 0.0


def test_real_speech_references_come_from_a_text_file_or_the_readme(tmp_path):
    (tmp_path / "README.md").write_text(
        "# Real speech\n\n- `talk.flac` - 3 s of speech. Reference transcript: \"Hello\n"
        "  there.\"\n- `other.flac` - no transcript here\n", encoding="utf-8")
    (tmp_path / "said.wav").write_bytes(b"")
    (tmp_path / "said.txt").write_text("Given  beside it.\n", encoding="utf-8")
    assert spoken_bench.reference_transcript(tmp_path / "talk.flac") == "Hello there."
    assert spoken_bench.reference_transcript(tmp_path / "said.wav") == "Given beside it."
    assert spoken_bench.reference_transcript(tmp_path / "other.flac") is None
    assert spoken_bench.reference_transcript(tmp_path / "jfk.flac") == spoken_bench.JFK


def test_the_shared_jfk_clip_is_found_with_its_transcript():
    clips = spoken_bench.real_speech_clips()
    if not clips:
        pytest.skip("no ../shared/eval/speech here")
    jfk = next(clip for clip in clips if clip["id"] == "jfk")
    assert jfk["answer"].startswith("And so my fellow Americans")


def test_each_family_speaks_every_answer_in_its_own_voices():
    neural = spoken_bench.spoken_set(quick=True, family="neural")
    noisy = spoken_bench.spoken_set(quick=True, family="noisy")
    espeak = spoken_bench.spoken_set(quick=True, family="espeak")
    assert len(neural) == len(noisy) == len(espeak) == 24
    assert {item["rate"] for item in neural} == set(spoken_bench.NEURAL_RATES)
    assert {item["engine"] for item in neural + noisy} == {"neural"}
    assert {item["noise"] for item in noisy} == {"white", "pink"}
    assert {item["engine"] for item in espeak} == {"pyttsx3"}
    assert len(spoken_bench.spoken_set(family="neural")) == 120


def _row(answer_id: str, typed: float, spoken: float, *, invented: int = 0, family="neural",
         substituted: int = 0) -> dict:
    return {"id": answer_id, "kind": "partial", "family": family, "voice": "neural",
            "rate": 165, "noise": None, "snr_db": 10.0 if family == "noisy" else None,
            "seconds": 10.0, "afterwards_s": 0.5, "stored_text": "static analysis",
            "afterwards_text": "static analysis", "typed": typed, "spoken": spoken, "said": 2,
            "credited": 2, "lost": [], "invented": ["x"] * invented, "possible_of_lost": 0,
            "possible_unsaid": 0, "unsaid": 1, "substituted": substituted,
            "terms_written": 4, "jargon": (1, 1)}


def _family(family: str, drops: list[float], invented: int = 0) -> dict:
    clips = [{"id": f"q{index}", "question": "q", "answer": "static analysis"}
             for index in range(len(drops))]
    rows = [_row(f"q{index}", 60.0, 60.0 - drop, family=family,
                 invented=invented if index == 0 else 0, substituted=1 if index == 0 else 0)
            for index, drop in enumerate(drops)]
    return spoken_bench.summarise(clips, rows)


def test_families_are_reported_and_their_figures_meet_or_miss_the_targets_on_their_own():
    families = {"neural": _family("neural", [0.0, 1.0, 2.0, 3.0, 20.0]),
                "noisy": _family("noisy", [5.0, 7.0, 8.0, 9.0, 9.0]),
                "espeak": _family("espeak", [10.0, 10.0, 12.0, 14.0, 30.0], invented=1)}
    results = {"families": families, "configs": {"default": families["neural"]},
               "configs_on": "neural", **spoken_bench.headline_figures(families)}
    figures = headline({"spoken": results})
    assert figures["spoken_score_drop_median"] == 2.0
    assert figures["spoken_score_drop_median_noisy"] == 8.0
    assert figures["spoken_score_drop_median_espeak"] == 12.0
    assert figures["spoken_substitution_rate"] == pytest.approx(1 / 20)
    assert figures["spoken_invented_rate_espeak"] == pytest.approx(1 / 10)
    verdict = {target.key: target.met(figures.get(target.key)) for target in TARGETS}
    assert verdict["spoken_score_drop_median"] is True
    assert verdict["spoken_score_drop_median_noisy"] is False
    assert verdict["spoken_score_drop_p90"] is False  # 20 in the neural family
    families["neural"]["real_speech"] = [{"id": "jfk", "seconds": 11.0, "wer_stored": 0.0,
                                          "wer_afterwards": None}]
    text = spoken_bench.report(results)
    assert "real speech (jfk, 11 s) WER: stored 0.000\n" in text + "\n"
    assert "neural voice + 10 dB white/pink noise" in text
    assert "noise measured on the mix: 10.00 dB SNR" in text


def test_a_run_saved_before_the_families_is_still_reported():
    old = _family("espeak", [4.0, 6.0, 15.0])
    for key in ("real_speech", "snr_db_measured", "by_rate"):
        old.pop(key)
    old["wer_real_speech"] = 0.05
    results = {"configs": {"verbatim prefix + glossary (default)": old},
               "spoken_score_drop_median": 6.0, "spoken_score_drop_p90": 13.2,
               "spoken_invented_rate": 0.0, "spoken_wer_stored": 0.0}
    text = spoken_bench.report(results)
    assert "espeak-ng speech in 3 voices x 2 rates" in text
    assert "real speech (jfk.flac) WER: 0.050" in text
    figures = headline({"spoken": results})
    assert figures["spoken_score_drop_median"] == 6.0
    assert "spoken_score_drop_median_noisy" not in figures


def test_a_session_counts_only_when_its_transcript_was_really_heard():
    said = "one two three four five six seven eight nine ten"
    misheard = "one two three four five six seven ate nein tin"  # WER 0.3: the limit
    assert was_heard({"status": "scored", "score": 40, "transcript": said}, said) == (0.0, True)
    wer, heard = was_heard({"status": "scored", "score": 40, "transcript": misheard}, said)
    assert wer == pytest.approx(MAX_SESSION_WER) and heard
    wer, heard = was_heard({"status": "scored", "score": 40,
                            "transcript": "one two three four five six ate nein tin ten"
                            " eleven"}, said)
    assert wer > MAX_SESSION_WER and not heard
    assert was_heard({"status": "scored", "score": 0, "transcript": said}, said)[1] is False
    assert was_heard({"status": "saved", "score": None, "transcript": said}, said)[1] is False
    assert was_heard({}, said) == (None, False)
