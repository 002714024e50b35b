"""The health monitor's canary: y = 2x + 1 on a float32 vector of 16.

Small enough to load in a few milliseconds on every platform, and its
answer is known exactly, so a canary that returns anything else (or
nothing) says the page cannot run models, whatever its heartbeats say.
"""
import numpy as np
from onnx import TensorProto

from .graph import Graph

WIDTH = 16


def build():
    g = Graph("fp32", 0)
    x = g.input("x", TensorProto.FLOAT, [WIDTH])
    doubled = g.op("Mul", [x, g.const("two", np.float32(2.0))])
    y = g.op("Add", [doubled, g.const("one", np.float32(1.0))])
    g.output(y, "y", TensorProto.FLOAT, [WIDTH])
    model = g.model("webaccel_canary", "The health monitor's canary: y = 2x + 1 (no learned weights).")
    # No weights at all: nothing synthetic to declare.
    del model.metadata_props[:]
    return model
