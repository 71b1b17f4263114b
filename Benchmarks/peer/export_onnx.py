"""Writes all-MiniLM-L6-v2 as an ONNX graph (BertModel, fp32, dynamic batch and length) straight from the
safetensors weights, so the ONNX Runtime reference needs no PyTorch. Usage: export_onnx.py MODEL_DIR OUT.onnx"""
import json
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def load(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name != "__metadata__" and info["dtype"] == "F32":
            a, b = info["data_offsets"]
            out[name] = np.frombuffer(data[a:b], dtype=np.float32).reshape(info["shape"])
    return out


def main(model_dir, out_path):
    w = load(model_dir + "/model.safetensors")
    cfg = json.load(open(model_dir + "/config.json"))
    H, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    d = H // heads
    inits, nodes = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    def linear(x, key, out):
        wt = const(key + ".wT", w[key + ".weight"].T.copy())
        return node("Add", [node("MatMul", [x, wt], out + "_mm"), const(key + ".b", w[key + ".bias"])], out)

    def layer_norm(x, key, out):
        return node("LayerNormalization", [x, const(key + ".g", w[key + ".weight"]), const(key + ".beta", w[key + ".bias"])],
                    out, axis=-1, epsilon=cfg["layer_norm_eps"])

    ids, mask = "input_ids", "attention_mask"
    shape = node("Shape", [ids], "ids_shape")
    seq = node("Gather", [shape, const("one_idx", np.array(1, dtype=np.int64))], "seq_len")
    positions = node("Range", [const("zero", np.array(0, dtype=np.int64)), seq, const("one", np.array(1, dtype=np.int64))], "positions")
    x = node("Add", [node("Gather", [const("word", w["embeddings.word_embeddings.weight"]), ids], "we"),
                     node("Gather", [const("pos", w["embeddings.position_embeddings.weight"]), positions], "pe")], "emb0")
    x = node("Add", [x, const("type0", w["embeddings.token_type_embeddings.weight"][0])], "emb1")
    x = layer_norm(x, "embeddings.LayerNorm", "h0")
    maskf = node("Cast", [mask], "mask_f", to=TensorProto.FLOAT)
    bias = node("Mul", [node("Sub", [const("onef", np.array(1, dtype=np.float32)), maskf], "inv_mask"),
                        const("neg", np.array(-1e9, dtype=np.float32))], "mask_bias0")
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2], dtype=np.int64))], "mask_bias")
    split_shape = const("split_shape", np.array([0, 0, heads, d], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, H], dtype=np.int64))
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (node("Transpose", [node("Reshape", [linear(x, p + "attention.self." + n, f"l{i}{n}"), split_shape], f"l{i}{n}r")],
                        f"l{i}{n}t", perm=[0, 2, 1, 3]) for n in ("query", "key", "value"))
        kt = node("Transpose", [k], f"l{i}kt", perm=[0, 1, 3, 2])
        scores = node("Mul", [node("MatMul", [q, kt], f"l{i}qk"), const(f"l{i}scale", np.array(1 / np.sqrt(d), dtype=np.float32))], f"l{i}s")
        probs = node("Softmax", [node("Add", [scores, bias], f"l{i}sm")], f"l{i}p", axis=-1)
        ctx = node("Reshape", [node("Transpose", [node("MatMul", [probs, v], f"l{i}c")], f"l{i}ct", perm=[0, 2, 1, 3]), merge_shape], f"l{i}cm")
        a = layer_norm(node("Add", [linear(ctx, p + "attention.output.dense", f"l{i}ao"), x], f"l{i}ar"), p + "attention.output.LayerNorm", f"l{i}a")
        up = linear(a, p + "intermediate.dense", f"l{i}up")
        erf = node("Erf", [node("Mul", [up, const(f"l{i}rs2", np.array(1 / np.sqrt(2), dtype=np.float32))], f"l{i}us")], f"l{i}erf")
        gelu = node("Mul", [node("Mul", [up, const(f"l{i}half", np.array(0.5, dtype=np.float32))], f"l{i}uh"),
                            node("Add", [erf, const(f"l{i}onee", np.array(1, dtype=np.float32))], f"l{i}e1")], f"l{i}g")
        x = layer_norm(node("Add", [linear(gelu, p + "output.dense", f"l{i}o"), a], f"l{i}or"), p + "output.LayerNorm", f"h{i + 1}")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", H])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
