"""Dynamic int8 quantisation of the exported encoder with ONNX Runtime's own tools (the recommended
pre-processing: symbolic shape inference and graph optimisation, then weights int8 per channel, activations
quantised at run time: ORT's standard CPU int8 path), for `vox bench model --peer`."""
import os
import sys
import tempfile

from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.quantization.shape_inference import quant_pre_process


def main():
    source, target = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        prepared = os.path.join(folder, "prepared.onnx")
        quant_pre_process(source, prepared)
        quantize_dynamic(prepared, target, weight_type=QuantType.QInt8, per_channel=True)
    print(f"quantised {source} -> {target}")


if __name__ == "__main__":
    main()
