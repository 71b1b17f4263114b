#!/usr/bin/env bash
# K-fold cross-validation of the topic head on the TweetTopic training set (the validation set has only 7
# arts_&_culture rows): each fold trains a topic-only model with the default settings for one epoch on the other
# folds and reports its macro-F1 on the held-out fold. Usage: scripts/cross-validate-topic.sh [K] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
k="${1:-5}"
epochs="${2:-1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
swift build -c release --product vox >/dev/null
python3 - "$k" "$work" <<'PY'
import json, random, sys
k, work = int(sys.argv[1]), sys.argv[2]
rows = [line for line in open("data/topic/train.jsonl", encoding="utf-8") if line.strip()]
random.Random(17).shuffle(rows)
for fold in range(k):
    held = rows[fold::k]
    rest = [r for i, r in enumerate(rows) if i % k != fold]
    open(f"{work}/train{fold}.jsonl", "w", encoding="utf-8").writelines(rest)
    open(f"{work}/val{fold}.jsonl", "w", encoding="utf-8").writelines(held)
PY
scores=()
for fold in $(seq 0 $((k - 1))); do
    .build/release/vox train --sentiment-train none --sentiment-val none --topic-train "$work/train$fold.jsonl" \
        --topic-val "$work/val$fold.jsonl" --epochs "$epochs" --output "$work/model$fold" --checkpoint "$work/ck$fold" >/dev/null 2>&1
    score=$(.build/release/vox eval --task topic --data "$work/val$fold.jsonl" --model "$work/model$fold" --json \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["macro_f1"])')
    echo "fold $fold: topic macro-F1 $score"
    scores+=("$score")
done
python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f"mean macro-F1 {statistics.mean(v):.4f} ± {statistics.stdev(v):.4f} over {len(v)} folds")' "${scores[@]}"
