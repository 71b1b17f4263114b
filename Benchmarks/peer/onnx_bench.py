"""ONNX Runtime fp32 reference for `vox bench model`: the same texts, tokenised with Hugging Face tokenizers
(included in the timing, as in Vox), length-sorted batches, 2 intra-op threads, mean pooling and L2
normalisation. Also times Hugging Face tokenizers alone, one text at a time on one thread. Prints JSON."""
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
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in open(args.texts, encoding="utf-8")]
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(args.model_dir + "/model.onnx", options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(args.model_dir + "/tokenizer.json")
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=128)

    def run(batch_texts):
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
    run(texts[:64])
    started = time.perf_counter()
    embeddings = run(texts)
    seconds = time.perf_counter() - started
    print(json.dumps({"posts_per_s": len(texts) / seconds, "seconds": seconds, "posts": len(texts),
                      "tokenizer_posts_per_s": tokenizer_rate,
                      "first_embedding_head": [float(x) for x in embeddings[0][:4]]}))


if __name__ == "__main__":
    main()
