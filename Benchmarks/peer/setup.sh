#!/usr/bin/env bash
# Makes the peer-benchmark venv (onnxruntime, onnx, numpy, tokenizers, sympy from PyPI) and exports the base
# encoder to ONNX from the model Vox pulled (vox model pull), then quantises it to dynamic int8 with ONNX
# Runtime's own tool. Run from the repository root:
#   Benchmarks/peer/setup.sh && .build/release/vox bench model --peer
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check onnxruntime onnx numpy tokenizers sympy
model_dir="${VOX_MODEL_DIR:-${VOX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vox}/models/all-MiniLM-L6-v2}"
.venv/bin/python export_onnx.py "$model_dir" "$model_dir/model.onnx"
.venv/bin/python quantize_onnx.py "$model_dir/model.onnx" "$model_dir/model-int8.onnx"
echo "peer ready: $model_dir/model.onnx, $model_dir/model-int8.onnx"
