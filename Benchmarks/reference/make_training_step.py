"""Reference for Vox's training step: the loss and a few gradient norms of one batch on the real
all-MiniLM-L6-v2 (full fine-tuning, dropout off, mean pooling, a 3-class head with fixed weights
0.02·sin(k+1)), computed by JAX automatic differentiation in float32. Run once; the output is committed as
Tests/VoxModelTests/Fixtures/training-step.json.

    python3 -m pip install "jax[cpu]" tokenizers numpy
    python3 Benchmarks/reference/make_training_step.py MODEL_DIR ../shared/data/sentiment/val.jsonl \
        Tests/VoxModelTests/Fixtures/training-step.json
"""
import json
import math
import struct
import sys

import jax
import jax.numpy as jnp
import numpy as np
from tokenizers import Tokenizer

LABELS = ["negative", "neutral", "positive"]


def load(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name != "__metadata__" and info["dtype"] == "F32":
            a, b = info["data_offsets"]
            out[name] = jnp.asarray(np.frombuffer(data[a:b], dtype=np.float32).reshape(info["shape"]))
    return out


def layer_norm(x, g, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * g + b


def encode(p, cfg, ids):
    L = len(ids)
    heads = cfg["num_attention_heads"]
    d = cfg["hidden_size"] // heads
    eps = cfg["layer_norm_eps"]
    h = p["embeddings.word_embeddings.weight"][jnp.asarray(ids)] + p["embeddings.position_embeddings.weight"][:L] \
        + p["embeddings.token_type_embeddings.weight"][0]
    h = layer_norm(h, p["embeddings.LayerNorm.weight"], p["embeddings.LayerNorm.bias"], eps)
    for i in range(cfg["num_hidden_layers"]):
        q_ = f"encoder.layer.{i}."
        lin = lambda x, n: x @ p[q_ + n + ".weight"].T + p[q_ + n + ".bias"]
        q, k, v = (lin(h, "attention.self." + n).reshape(L, heads, d).transpose(1, 0, 2) for n in ("query", "key", "value"))
        probs = jax.nn.softmax(q @ k.transpose(0, 2, 1) / math.sqrt(d), axis=-1)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(L, heads * d)
        a = layer_norm(lin(ctx, "attention.output.dense") + h, p[q_ + "attention.output.LayerNorm.weight"],
                       p[q_ + "attention.output.LayerNorm.bias"], eps)
        o = lin(jax.nn.gelu(lin(a, "intermediate.dense"), approximate=False), "output.dense")
        h = layer_norm(o + a, p[q_ + "output.LayerNorm.weight"], p[q_ + "output.LayerNorm.bias"], eps)
    return h.mean(0)


def main(model_dir, val_path, out_path):
    params = load(model_dir + "/model.safetensors")
    params = {k: v for k, v in params.items() if not k.startswith("pooler")}
    cfg = json.load(open(model_dir + "/config.json"))
    tok = Tokenizer.from_file(model_dir + "/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(max_length=128)
    rows = [json.loads(line) for line in open(val_path, encoding="utf-8")][:8]
    ids = [tok.encode(r["text"]).ids for r in rows]
    labels = jnp.asarray([LABELS.index(r["label"]) for r in rows])
    hidden = cfg["hidden_size"]
    params["heads.sentiment.weight"] = jnp.asarray(
        [[0.02 * math.sin(c * hidden + i + 1) for i in range(hidden)] for c in range(3)], dtype=jnp.float32)
    params["heads.sentiment.bias"] = jnp.zeros(3, dtype=jnp.float32)

    def loss_fn(p):
        pooled = jnp.stack([encode(p, cfg, x) for x in ids])
        logits = pooled @ p["heads.sentiment.weight"].T + p["heads.sentiment.bias"]
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(len(ids)), labels])

    loss, grads = jax.value_and_grad(loss_fn)(params)
    qkv = jnp.concatenate([grads[f"encoder.layer.0.attention.self.{n}.weight"] for n in ("query", "key", "value")])
    norms = {
        "heads.sentiment.weight": grads["heads.sentiment.weight"],
        "encoder.layer.5.output.dense.weight": grads["encoder.layer.5.output.dense.weight"],
        "encoder.layer.0.attention.qkv.weight": qkv,
        "encoder.layer.3.intermediate.dense.bias": grads["encoder.layer.3.intermediate.dense.bias"],
        "encoder.layer.2.attention.output.LayerNorm.weight": grads["encoder.layer.2.attention.output.LayerNorm.weight"],
        "embeddings.LayerNorm.weight": grads["embeddings.LayerNorm.weight"],
        "embeddings.word_embeddings.weight": grads["embeddings.word_embeddings.weight"],
    }
    out = {"texts": [r["text"] for r in rows], "labels": [r["label"] for r in rows], "loss": float(loss),
           "gradient_norms": {k: float(jnp.linalg.norm(v)) for k, v in norms.items()}}
    json.dump(out, open(out_path, "w"), indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
