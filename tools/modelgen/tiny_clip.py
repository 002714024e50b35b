"""A tiny CLIP: a text tower and an image tower (synthetic weights) that map
into one 32-wide embedding space.

Text tower: inputs as tiny BERT (WordPiece ids; CLIP's own BPE vocabulary is
not available offline), the first token's state projected: text_embeds
[batch, 32], L2-normalized.
Image tower: pixel_values float32 [batch, 3, 64, 64] (CLIP's mean/std
normalization), 8x8 patches, a class token, a ViT encoder, the class
token's state projected: image_embeds [batch, 32], L2-normalized.
"""
import numpy as np
from onnx import TensorProto

from .graph import Graph
from .tiny_bert import text_encoder

EMBED = 32
WIDTH = 48
HEADS = 2
LAYERS = 2
FFN = 192
IMAGE = 64
PATCH = 8
TEXT_SEED = 20261123
IMAGE_SEED = 20261124
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def first_token(g, x):
    """x[:, 0, :]"""
    return g.op("Squeeze", [g.op("Gather", [x, g.const("zero", np.array([0], dtype=np.int64))], axis=1),
                            g.const("axis1", np.array([1], dtype=np.int64))])


def project(g, hint, x):
    w = g.matmul_weight(hint, g.random((WIDTH, EMBED), 0.2))
    return g.op("LpNormalization", [g.op("MatMul", [x, w])], axis=-1, p=2)


def build_text(precision):
    g = Graph(precision, TEXT_SEED)
    x, _ = text_encoder(g, WIDTH, HEADS, LAYERS, FFN, "text_")
    g.output(project(g, "text_projection", first_token(g, x)), "text_embeds", TensorProto.FLOAT, ["batch", EMBED])
    return g.model("tiny_clip_text", "Tiny CLIP text tower with SYNTHETIC weights (seed %d)." % TEXT_SEED)


def build_image(precision):
    g = Graph(precision, IMAGE_SEED)
    pixels = g.input("pixel_values", TensorProto.FLOAT, ["batch", 3, IMAGE, IMAGE])
    patches = IMAGE // PATCH
    # Patch embedding: a stride-8 convolution (kept float32: Conv weights are small here).
    kernel = g.small_param("patch_kernel", g.random((WIDTH, 3, PATCH, PATCH)))
    x = g.op("Conv", [pixels, kernel], kernel_shape=[PATCH, PATCH], strides=[PATCH, PATCH])
    x = g.op("Reshape", [x, g.const("flatten", np.array([0, WIDTH, patches * patches], dtype=np.int64))])
    x = g.op("Transpose", [x], perm=[0, 2, 1])  # [batch, patches, width]
    # Prepend the class token (broadcast over the batch).
    batch = g.op("Gather", [g.op("Shape", [pixels]), g.const("dim0", np.array([0], dtype=np.int64))], axis=0)
    cls_shape = g.op("Concat", [batch, g.const("one_width", np.array([1, WIDTH], dtype=np.int64))], axis=0)
    cls = g.op("Expand", [g.small_param("class_token", g.random((1, 1, WIDTH))), cls_shape])
    x = g.op("Concat", [cls, x], axis=1)
    x = g.op("Add", [x, g.small_param("positions", g.random((1, patches * patches + 1, WIDTH)))])
    x = g.layer_norm("pre_ln", x, WIDTH)
    for i in range(LAYERS):
        x = g.encoder_layer("image_layer%d" % i, x, None, WIDTH, HEADS, FFN)
    g.output(project(g, "image_projection", first_token(g, x)), "image_embeds", TensorProto.FLOAT, ["batch", EMBED])
    return g.model("tiny_clip_image", "Tiny CLIP image tower with SYNTHETIC weights (seed %d)." % IMAGE_SEED)
