"""A tiny BERT encoder (synthetic weights, bert-base-uncased vocabulary).

Inputs input_ids, attention_mask, token_type_ids: int64 [batch, sequence].
Outputs last_hidden_state [batch, sequence, 64] and sentence_embedding
[batch, 64]: the masked mean of the last hidden states, L2-normalized (the
sentence-transformers recipe), so padding a sequence does not change it.
"""
import numpy as np
from onnx import TensorProto

from .graph import Graph

VOCAB = 30522
WIDTH = 64
HEADS = 2
LAYERS = 2
FFN = 256
MAX_POSITIONS = 128
TOKEN_TYPES = 2
SEED = 20261122


def positions(g, input_ids):
    """0..sequence-1 for the sequence length of input_ids."""
    shape = g.op("Shape", [input_ids])
    length = g.op("Gather", [shape, g.const("dim1", np.array(1, dtype=np.int64))], axis=0)
    return g.op("Range", [g.const("zero", np.array(0, dtype=np.int64)), length,
                          g.const("step", np.array(1, dtype=np.int64))])


def text_encoder(g, width, heads, layers, ffn, prefix):
    """Embeddings and encoder layers; returns (hidden states, mask input)."""
    ids = g.input("input_ids", TensorProto.INT64, ["batch", "sequence"])
    mask = g.input("attention_mask", TensorProto.INT64, ["batch", "sequence"])
    types = g.input("token_type_ids", TensorProto.INT64, ["batch", "sequence"])
    x = g.op("Add", [g.embedding(prefix + "word", g.random((VOCAB, width)), ids),
                     g.embedding(prefix + "type", g.random((TOKEN_TYPES, width)), types)])
    x = g.op("Add", [x, g.embedding(prefix + "position", g.random((MAX_POSITIONS, width)), positions(g, ids))])
    x = g.layer_norm(prefix + "emb_ln", x, width)
    bias = g.mask_bias(mask)
    for i in range(layers):
        x = g.encoder_layer("%slayer%d" % (prefix, i), x, bias, width, heads, ffn)
    return x, mask


def masked_mean(g, x, mask):
    """Mean of x [batch, seq, width] over the tokens where mask is 1."""
    m = g.op("Unsqueeze", [g.op("Cast", [mask], to=TensorProto.FLOAT),
                           g.const("axis2", np.array([2], dtype=np.int64))])
    axis1 = g.const("axis1", np.array([1], dtype=np.int64))
    total = g.op("ReduceSum", [g.op("Mul", [x, m]), axis1], keepdims=0)
    count = g.op("ReduceSum", [m, axis1], keepdims=0)
    return g.op("Div", [total, g.op("Max", [count, g.const("tiny", np.float32(1e-9))])])


def build(precision):
    g = Graph(precision, SEED)
    x, mask = text_encoder(g, WIDTH, HEADS, LAYERS, FFN, "")
    g.output(x, "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", WIDTH])
    pooled = g.op("LpNormalization", [masked_mean(g, x, mask)], axis=-1, p=2)
    g.output(pooled, "sentence_embedding", TensorProto.FLOAT, ["batch", WIDTH])
    return g.model("tiny_bert", "Tiny BERT with SYNTHETIC weights (seed %d), webaccel's text-embedding "
                                "stand-in; bert-base-uncased WordPiece vocabulary." % SEED)
