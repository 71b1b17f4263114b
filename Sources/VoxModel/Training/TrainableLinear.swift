/// A linear layer being fine-tuned: the base weight (frozen, or trained in full fine-tuning), a trained
/// bias, and optionally a LoRA adapter `ΔW = (α/r)·B·A` (A `[r, in]`, B `[out, r]`, B starting at zero).
final class TrainableLinear: @unchecked Sendable {
    // @unchecked: owned by one trainer and used from its thread only.
    let weight: Tensor
    let bias: Tensor
    let weightParameter: Parameter?
    let biasParameter: Parameter
    let loraA: Parameter?
    let loraB: Parameter?
    let scale: Float
    let backend: any MatrixBackend
    /// With frozen base weights: W packed for `x·Wᵀ`, and Wᵀ packed for `dy·W`, run on `gang`, at the training's
    /// precision (BF16 or int8 stage their input rows into `staging` first, as inference does).
    let packedForward: PackedLinear?
    let packedBackward: PackedLinear?
    let gang: WorkerGang
    let staging: StagingBuffer

    var outputs: Int { weight.shape[0] }
    var inputs: Int { weight.shape[1] }
    var rank: Int { loraA?.value.shape[0] ?? 0 }

    init(
        name: String, weight: Tensor, bias: Tensor, full: Bool, rank: Int, alpha: Float,
        generator: inout SeededGenerator, backend: any MatrixBackend, gang: WorkerGang,
        precision: Precision = .fp32, staging: StagingBuffer = StagingBuffer()
    ) throws(ModelError) {
        self.backend = backend
        self.gang = gang
        self.staging = staging
        self.bias = Tensor(bias.values, shape: bias.shape)
        biasParameter = Parameter(name: name + ".bias", value: self.bias, decays: false)
        if full {
            self.weight = Tensor(weight.values, shape: weight.shape)
            weightParameter = Parameter(name: name + ".weight", value: self.weight, decays: true)
        } else {
            self.weight = weight
            weightParameter = nil
        }
        if full {
            packedForward = nil
            packedBackward = nil
        } else {
            let (outputs, inputs) = (weight.shape[0], weight.shape[1])
            let transposed = Tensor(zeros: [inputs, outputs])
            for row in 0..<outputs {
                for column in 0..<inputs {
                    transposed.pointer[column * outputs + row] = weight.pointer[row * inputs + column]
                }
            }
            packedForward = try PackedLinear(weight: weight, bias: self.bias, precision: precision)
            packedBackward = try PackedLinear(weight: transposed, bias: nil, precision: precision)
        }
        if rank > 0 {
            let inputs = weight.shape[1]
            let bound = 1 / Float(inputs).squareRoot()
            let a = Tensor(
                (0..<(rank * inputs)).map { _ in Float.random(in: -bound...bound, using: &generator) },
                shape: [rank, inputs])
            loraA = Parameter(name: name + ".lora_a", value: a, decays: true)
            loraB = Parameter(name: name + ".lora_b", value: Tensor(zeros: [weight.shape[0], rank]), decays: false)
            scale = alpha / Float(rank)
        } else {
            loraA = nil
            loraB = nil
            scale = 0
        }
    }

    var parameters: [Parameter] { [weightParameter, biasParameter, loraA, loraB].compactMap { $0 } }

    /// `y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ`; saves `x·Aᵀ` into `xa` (`[rows, rank]`) for the backward pass.
    func forward(
        _ x: UnsafePointer<Float>, rows: Int, output y: UnsafeMutablePointer<Float>, xa: UnsafeMutablePointer<Float>?
    ) {
        if let packedForward {
            packedForward.apply(
                rows: rows, input: x, inputStride: inputs, output: y, outputStride: outputs, on: gang, staging: staging)
        } else {
            for row in 0..<rows { (y + row * outputs).update(from: bias.pointer, count: outputs) }
            backend.gemm(
                transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, alpha: 1, a: x, lda: inputs,
                b: weight.pointer, ldb: inputs, beta: 1, c: y, ldc: outputs)
        }
        guard let loraA, let loraB, let xa else { return }
        backend.gemm(
            transposeA: false, transposeB: true, m: rows, n: rank, k: inputs, alpha: 1, a: x, lda: inputs,
            b: loraA.value.pointer, ldb: inputs, beta: 0, c: xa, ldc: rank)
        backend.gemm(
            transposeA: false, transposeB: true, m: rows, n: outputs, k: rank, alpha: scale, a: xa, lda: rank,
            b: loraB.value.pointer, ldb: rank, beta: 1, c: y, ldc: outputs)
    }

    /// Accumulates the parameters' gradients from `dy` and writes (or adds, with `accumulate`) `dx`.
    func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, xa: UnsafePointer<Float>?, rows: Int,
        dx: UnsafeMutablePointer<Float>, accumulate: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        let db = biasParameter.gradient.pointer
        for row in 0..<rows {
            let line = dy + row * outputs
            for column in 0..<outputs { db[column] += line[column] }
        }
        if let weightParameter {
            backend.gemm(
                transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows, alpha: 1, a: dy, lda: outputs,
                b: x, ldb: inputs, beta: 1, c: weightParameter.gradient.pointer, ldc: inputs)
        }
        if let packedBackward {
            let target = accumulate ? scratchInputs(rows) : dx
            packedBackward.apply(
                rows: rows, input: dy, inputStride: outputs, output: target, outputStride: inputs, on: gang,
                staging: staging)
            if accumulate {
                for index in 0..<(rows * inputs) { dx[index] += target[index] }
            }
        } else {
            backend.gemm(
                transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs, alpha: 1, a: dy, lda: outputs,
                b: weight.pointer, ldb: inputs, beta: accumulate ? 1 : 0, c: dx, ldc: inputs)
        }
        guard let loraA, let loraB, let xa else { return }
        // dB += s·dyᵀ·(xAᵀ);  g = dy·B;  dA += s·gᵀ·x;  dx += s·g·A.
        backend.gemm(
            transposeA: true, transposeB: false, m: outputs, n: rank, k: rows, alpha: scale, a: dy, lda: outputs,
            b: xa, ldb: rank, beta: 1, c: loraB.gradient.pointer, ldc: rank)
        backend.gemm(
            transposeA: false, transposeB: false, m: rows, n: rank, k: outputs, alpha: 1, a: dy, lda: outputs,
            b: loraB.value.pointer, ldb: rank, beta: 0, c: scratch, ldc: rank)
        backend.gemm(
            transposeA: true, transposeB: false, m: rank, n: inputs, k: rows, alpha: scale, a: scratch, lda: rank,
            b: x, ldb: inputs, beta: 1, c: loraA.gradient.pointer, ldc: inputs)
        backend.gemm(
            transposeA: false, transposeB: false, m: rows, n: inputs, k: rank, alpha: scale, a: scratch, lda: rank,
            b: loraA.value.pointer, ldb: inputs, beta: 1, c: dx, ldc: inputs)
    }

    private var accumulation: Tensor? = nil

    /// A reusable `[rows, inputs]` buffer for products that are added into `dx`.
    private func scratchInputs(_ rows: Int) -> UnsafeMutablePointer<Float> {
        if let accumulation, accumulation.count >= rows * inputs { return accumulation.pointer }
        let buffer = Tensor(zeros: [rows * inputs])
        accumulation = buffer
        return buffer.pointer
    }

    /// The effective weight `W + s·B·A` (LoRA merged), for inference.
    func mergedWeight() -> Tensor {
        let merged = Tensor(weight.values, shape: weight.shape)
        if let loraA, let loraB {
            backend.gemm(
                transposeA: false, transposeB: false, m: outputs, n: inputs, k: rank, alpha: scale,
                a: loraB.value.pointer,
                lda: rank, b: loraA.value.pointer, ldb: inputs, beta: 1, c: merged.pointer, ldc: inputs)
        }
        return merged
    }
}
