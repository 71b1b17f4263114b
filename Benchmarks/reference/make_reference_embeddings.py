"""Reference sentence embeddings for Vox's parity test: an independent float64 NumPy forward pass of
all-MiniLM-L6-v2 (BertModel + mean pooling + L2 normalisation, as sentence-transformers does), with token
ids from Hugging Face `tokenizers`. Run once; the outputs are committed under Tests/VoxModelTests/Fixtures/.

    python3 -m pip install tokenizers numpy
    python3 Benchmarks/reference/make_reference_embeddings.py MODEL_DIR ../shared/data/sentiment/val.jsonl \
        Tests/VoxModelTests/Fixtures
"""
import json
import math
import struct
import sys

import numpy as np
from tokenizers import Tokenizer


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[info["dtype"]]
        tensors[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def forward(t, cfg, ids):
    f = lambda k: t[k].astype(np.float64)
    L = len(ids)
    h = f("embeddings.word_embeddings.weight")[ids] + f("embeddings.position_embeddings.weight")[:L] + f(
        "embeddings.token_type_embeddings.weight")[0]
    eps = cfg["layer_norm_eps"]
    h = layer_norm(h, f("embeddings.LayerNorm.weight"), f("embeddings.LayerNorm.bias"), eps)
    states = [h]
    heads = cfg["num_attention_heads"]
    d = cfg["hidden_size"] // heads
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        lin = lambda x, n: x @ f(p + n + ".weight").T + f(p + n + ".bias")
        q, k, v = (lin(h, "attention.self." + n).reshape(L, heads, d).transpose(1, 0, 2) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(L, heads * d)
        a = layer_norm(lin(ctx, "attention.output.dense") + h, f(p + "attention.output.LayerNorm.weight"),
                       f(p + "attention.output.LayerNorm.bias"), eps)
        o = lin(gelu(lin(a, "intermediate.dense")), "output.dense")
        h = layer_norm(o + a, f(p + "output.LayerNorm.weight"), f(p + "output.LayerNorm.bias"), eps)
        states.append(h)
    pooled = h.mean(0)
    return pooled / np.linalg.norm(pooled), states


def main(model_dir, val_path, out_dir):
    t = load_safetensors(model_dir + "/model.safetensors")
    cfg = json.load(open(model_dir + "/config.json"))
    tok = Tokenizer.from_file(model_dir + "/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(max_length=128)
    texts = [json.loads(line)["text"] for line in open(val_path, encoding="utf-8")][:200]
    embeddings = []
    with open(out_dir + "/reference-texts.jsonl", "w", encoding="utf-8") as out:
        for text in texts:
            ids = tok.encode(text).ids
            emb, states = forward(t, cfg, ids)
            embeddings.append(emb)
            out.write(json.dumps({"text": text, "ids": ids}, ensure_ascii=False) + "\n")
    np.asarray(embeddings, dtype="<f4").tofile(out_dir + "/reference-embeddings.f32")
    # Per-layer hidden states of the first tweet: embedding output + 6 layers, each [tokens, 384].
    _, states = forward(t, cfg, tok.encode(texts[0]).ids)
    np.asarray(states, dtype="<f4").tofile(out_dir + "/reference-layers.f32")


if __name__ == "__main__":
    main(*sys.argv[1:4])
