"""A small graph builder over onnx.helper: unique names, initializers stored
at a chosen precision, and the layers a transformer encoder needs.

Precisions (how weights are stored; arithmetic is float32 in every case, so
every platform runs every variant):
  fp32  float32 weights.
  fp16  float16 weights, Cast to float32 where used (half the size).
  q8    int8 weights with float32 scales: symmetric per output column for
        MatMul weights (DequantizeLinear), per row for embedding tables
        (rows gathered as int8, then scaled), a quarter of the size.
Norm gains and biases stay float32: they are tiny and sensitive.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
PRECISIONS = ("fp32", "fp16", "q8")


class Graph:
    def __init__(self, precision, seed):
        if precision not in PRECISIONS:
            raise ValueError("unknown precision %r" % precision)
        self.precision = precision
        self.rng = np.random.RandomState(seed)
        self.nodes = []
        self.initializers = []
        self.inputs = []
        self.outputs = []
        self._count = 0

    # -- names, constants, nodes ------------------------------------------------
    def name(self, hint):
        self._count += 1
        return "%s_%d" % (hint, self._count)

    def const(self, hint, array):
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, hint=None, **attrs):
        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def input(self, name, elem_type, shape):
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def output(self, value, name, elem_type, shape):
        self.nodes.append(helper.make_node("Identity", [value], [name]))
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    # -- weights ----------------------------------------------------------------
    def random(self, shape, scale=0.02):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def small_param(self, hint, array):
        """A float32 parameter at every precision (gains, biases)."""
        return self.const(hint, np.asarray(array, dtype=np.float32))

    def matmul_weight(self, hint, w):
        """A [in, out] weight as a float32 value, stored at the precision."""
        if self.precision == "fp16":
            return self.op("Cast", [self.const(hint, w.astype(np.float16))], hint, to=TensorProto.FLOAT)
        if self.precision == "q8":
            scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / 127.0
            q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            zero = np.zeros(w.shape[1], dtype=np.int8)
            return self.op("DequantizeLinear",
                           [self.const(hint + "_q", q), self.const(hint + "_scale", scale.astype(np.float32)),
                            self.const(hint + "_zero", zero)], hint, axis=1)
        return self.const(hint, w)

    def embedding(self, hint, table, ids):
        """Rows of a [rows, width] table picked by `ids`, as float32."""
        if self.precision == "fp16":
            rows = self.op("Gather", [self.const(hint, table.astype(np.float16)), ids], hint)
            return self.op("Cast", [rows], hint, to=TensorProto.FLOAT)
        if self.precision == "q8":
            scale = np.maximum(np.abs(table).max(axis=1, keepdims=True), 1e-8) / 127.0
            q = np.clip(np.round(table / scale), -127, 127).astype(np.int8)
            rows = self.op("Cast", [self.op("Gather", [self.const(hint + "_q", q), ids])], hint,
                           to=TensorProto.FLOAT)
            scales = self.op("Gather", [self.const(hint + "_scale", scale.astype(np.float32)), ids])
            return self.op("Mul", [rows, scales], hint)
        return self.op("Gather", [self.const(hint, table), ids], hint)

    # -- layers -----------------------------------------------------------------
    def linear(self, hint, x, n_in, n_out):
        w = self.matmul_weight(hint + "_w", self.random((n_in, n_out)))
        b = self.small_param(hint + "_b", self.random((n_out,)))
        return self.op("Add", [self.op("MatMul", [x, w]), b], hint)

    def layer_norm(self, hint, x, width, epsilon=1e-12):
        gain = self.small_param(hint + "_gain", 1.0 + self.random((width,), 0.1))
        bias = self.small_param(hint + "_bias", self.random((width,), 0.1))
        return self.op("LayerNormalization", [x, gain, bias], hint, axis=-1, epsilon=epsilon)

    def gelu(self, x):
        """The exact GELU, 0.5·x·(1 + erf(x/√2)); Gelu is an op only from opset 20."""
        scaled = self.op("Div", [x, self.const("sqrt2", np.float32(np.sqrt(2.0)))])
        one = self.const("one", np.float32(1.0))
        half = self.const("half", np.float32(0.5))
        return self.op("Mul", [self.op("Mul", [x, half]), self.op("Add", [self.op("Erf", [scaled]), one])], "gelu")

    def attention(self, hint, x, mask_bias, width, heads):
        """Multi-head self-attention over x [batch, seq, width]; mask_bias is
        [batch, 1, 1, seq] (0 for tokens, -10000 for padding) or None."""
        head = width // heads
        split = self.const("split_heads", np.array([0, 0, heads, head], dtype=np.int64))
        merge = self.const("merge_heads", np.array([0, 0, width], dtype=np.int64))

        def heads_of(name, perm):
            y = self.op("Reshape", [self.linear(hint + "_" + name, x, width, width), split])
            return self.op("Transpose", [y], perm=perm)

        q = heads_of("q", [0, 2, 1, 3])
        k = heads_of("k", [0, 2, 3, 1])
        v = heads_of("v", [0, 2, 1, 3])
        scores = self.op("Div", [self.op("MatMul", [q, k]), self.const("sqrt_head", np.float32(np.sqrt(head)))])
        if mask_bias is not None:
            scores = self.op("Add", [scores, mask_bias])
        probs = self.op("Softmax", [scores], axis=-1)
        context = self.op("Transpose", [self.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        merged = self.op("Reshape", [context, merge])
        return self.linear(hint + "_out", merged, width, width)

    def encoder_layer(self, hint, x, mask_bias, width, heads, ffn):
        """A post-norm transformer layer, as in BERT."""
        x = self.layer_norm(hint + "_ln1", self.op("Add", [x, self.attention(hint + "_attn", x, mask_bias, width, heads)]), width)
        hidden = self.gelu(self.linear(hint + "_ffn1", x, width, ffn))
        return self.layer_norm(hint + "_ln2", self.op("Add", [x, self.linear(hint + "_ffn2", hidden, ffn, width)]), width)

    def mask_bias(self, attention_mask):
        """[batch, seq] int64 mask (1 = token) -> [batch, 1, 1, seq] additive bias."""
        m = self.op("Cast", [attention_mask], to=TensorProto.FLOAT)
        bias = self.op("Mul", [self.op("Sub", [self.const("one", np.float32(1.0)), m]),
                               self.const("neg", np.float32(-10000.0))])
        return self.op("Unsqueeze", [bias, self.const("axes12", np.array([1, 2], dtype=np.int64))])

    # -- model ------------------------------------------------------------------
    def model(self, graph_name, doc):
        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="webaccel-modelgen", producer_version="1")
        model.ir_version = 8
        model.doc_string = doc
        helper.set_model_props(model, {"synthetic_weights": "true", "precision": self.precision})
        return model
