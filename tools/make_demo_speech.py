#!/usr/bin/env python3
"""Makes the demo input for audio models: speech synthesized by espeak-ng,
trimmed to where it is audible, between two stretches of digital silence.

Writes OUTPUT.wav (16-bit mono PCM at espeak-ng's rate) and OUTPUT.json with
where the speech lies, so tests can check a VAD against the truth.
Usage: make_demo_speech.py OUTPUT.wav OUTPUT.json
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import wave

TEXT = "Hello from webaccel. Browsers are a pool of accelerators."
SILENCE_S = 1.5
AUDIBLE = 300  # |sample| above this (of 32767) counts as sound


def main(out_wav, out_json):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "speech.wav")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", raw, TEXT],
                       check=True)
        with wave.open(raw, "rb") as w:
            rate = w.getframerate()
            assert w.getnchannels() == 1 and w.getsampwidth() == 2
            samples = struct.unpack("<%dh" % w.getnframes(), w.readframes(w.getnframes()))
    loud = [i for i, s in enumerate(samples) if abs(s) > AUDIBLE]
    if not loud:
        sys.exit("espeak-ng produced no audible speech")
    speech = samples[loud[0]:loud[-1] + 1]
    pad = (0,) * int(SILENCE_S * rate)
    clip = pad + speech + pad
    with wave.open(out_wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack("<%dh" % len(clip), *clip))
    truth = {
        "sample_rate": rate,
        "speech_start_s": SILENCE_S,
        "speech_end_s": SILENCE_S + len(speech) / rate,
        "duration_s": len(clip) / rate,
        "text": TEXT,
        "synthesizer": "espeak-ng",
    }
    with open(out_json, "w") as f:
        json.dump(truth, f, indent=2)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
