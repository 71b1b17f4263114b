"""ONNX Runtime references for `vox bench model`: the same texts, tokenised with Hugging Face tokenizers
(included in the timing, as in Vox), length-sorted batches, 2 intra-op threads, mean pooling and L2
normalisation, for the fp32 export (`model.onnx`) and, when present, its dynamic-int8 quantisation
(`model-int8.onnx`); reports each one's posts/s and the int8 embeddings' cosine to the fp32 ones. Also times
Hugging Face tokenizers alone, one text at a time on one thread. Prints JSON."""
import os
import argparse
import json
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--order", default="fp32,int8", help="which models to run, in this order")
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in open(args.texts, encoding="utf-8")]
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    files = {"fp32": args.model_dir + "/model.onnx", "int8": args.model_dir + "/model-int8.onnx"}
    sessions = {name: ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
                for name, path in files.items() if name in args.order.split(",") and os.path.exists(path)}
    tokenizer = Tokenizer.from_file(args.model_dir + "/tokenizer.json")
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=128)

    def run(session, batch_texts):
        encodings = tokenizer.encode_batch(batch_texts)
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out = [None] * len(encodings)
        for start in range(0, len(order), args.batch):
            chunk = order[start:start + args.batch]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            for row, i in enumerate(chunk):
                out[i] = pooled[row]
        return out

    started = time.perf_counter()
    for text in texts:
        tokenizer.encode(text)
    tokenizer_rate = len(texts) / (time.perf_counter() - started)
    results = {}
    embeddings = {}
    for name in args.order.split(","):
        if name not in sessions:
            continue
        run(sessions[name], texts[:64])
        started = time.perf_counter()
        embeddings[name] = run(sessions[name], texts)
        seconds = time.perf_counter() - started
        results[name] = {"posts_per_s": len(texts) / seconds, "seconds": seconds}
    if "fp32" in embeddings and "int8" in embeddings:
        cosines = [float(np.dot(a, b)) for a, b in zip(embeddings["fp32"], embeddings["int8"])]
        results["int8"]["cosine_to_fp32_mean"] = float(np.mean(cosines))
        results["int8"]["cosine_to_fp32_min"] = float(np.min(cosines))
    print(json.dumps({"runs": results, "posts": len(texts), "tokenizer_posts_per_s": tokenizer_rate}))


if __name__ == "__main__":
    main()
