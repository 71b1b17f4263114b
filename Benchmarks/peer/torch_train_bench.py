"""PyTorch reference for `vox train` throughput: full fine-tuning of all-MiniLM-L6-v2 with a 3-class sentiment head
(mean pooling, cross-entropy, AdamW, dropout 0.1), length-bucketed padded batches of 32, 2 threads, on the same
training file. Prints {"posts_per_s": …} as JSON.

    python3 -m venv .venv-torch && .venv-torch/bin/pip install "torch==2.13.0+cpu" numpy tokenizers
    .venv-torch/bin/python Benchmarks/peer/torch_train_bench.py MODEL_DIR data/sentiment/train.jsonl --posts 960
"""
import argparse
import json
import math
import struct
import time

import numpy as np
import torch
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
            out[name] = torch.tensor(np.frombuffer(data[a:b], dtype=np.float32).reshape(info["shape"]).copy())
    return out


class Bert(torch.nn.Module):
    def __init__(self, weights, cfg):
        super().__init__()
        self.cfg = cfg
        self.p = torch.nn.ParameterDict({k.replace(".", "__"): torch.nn.Parameter(v) for k, v in weights.items() if not k.startswith("pooler")})
        self.head = torch.nn.Linear(cfg["hidden_size"], 3)
        self.drop = torch.nn.Dropout(0.1)

    def w(self, name):
        return self.p[name.replace(".", "__")]

    def forward(self, ids, mask):
        B, L = ids.shape
        H, heads = self.cfg["hidden_size"], self.cfg["num_attention_heads"]
        d, eps = H // heads, self.cfg["layer_norm_eps"]
        ln = lambda x, n: torch.nn.functional.layer_norm(x, (H,), self.w(n + ".weight"), self.w(n + ".bias"), eps)
        x = self.w("embeddings.word_embeddings.weight")[ids] + self.w("embeddings.position_embeddings.weight")[:L] \
            + self.w("embeddings.token_type_embeddings.weight")[0]
        x = self.drop(ln(x, "embeddings.LayerNorm"))
        bias = (1.0 - mask[:, None, None, :].float()) * -1e9
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            lin = lambda t, n: torch.nn.functional.linear(t, self.w(p + n + ".weight"), self.w(p + n + ".bias"))
            q, k, v = (lin(x, "attention.self." + n).view(B, L, heads, d).transpose(1, 2) for n in ("query", "key", "value"))
            probs = self.drop(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1))
            ctx = (probs @ v).transpose(1, 2).reshape(B, L, H)
            a = ln(self.drop(lin(ctx, "attention.output.dense")) + x, p + "attention.output.LayerNorm")
            o = lin(torch.nn.functional.gelu(lin(a, "intermediate.dense")), "output.dense")
            x = ln(self.drop(o) + a, p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return self.head(self.drop(pooled))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("train")
    parser.add_argument("--posts", type=int, default=960)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(17)
    cfg = json.load(open(args.model_dir + "/config.json"))
    model = Bert(load(args.model_dir + "/model.safetensors"), cfg)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    tok = Tokenizer.from_file(args.model_dir + "/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(max_length=128)
    rows = [json.loads(line) for line in open(args.train, encoding="utf-8")][: args.posts + 64]
    encoded = [(tok.encode(r["text"]).ids, LABELS.index(r["label"])) for r in rows]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    batches = [order[s:s + 32] for s in range(0, len(order), 32)]
    np.random.default_rng(17).shuffle(batches)

    def step(batch):
        width = max(len(encoded[i][0]) for i in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width))
        for row, i in enumerate(batch):
            ids[row, :len(encoded[i][0])] = torch.tensor(encoded[i][0])
            mask[row, :len(encoded[i][0])] = 1
        labels = torch.tensor([encoded[i][1] for i in batch])
        loss = torch.nn.functional.cross_entropy(model(ids, mask), labels)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    for batch in batches[:2]:
        step(batch)
    started = time.perf_counter()
    posts = 0
    for batch in batches[2:]:
        step(batch)
        posts += len(batch)
    seconds = time.perf_counter() - started
    print(json.dumps({"posts_per_s": posts / seconds, "posts": posts, "seconds": seconds, "threads": args.threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
