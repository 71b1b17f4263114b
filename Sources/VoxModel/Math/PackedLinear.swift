/// A linear layer `y = x · Wᵀ + b` whose weight matrix is packed once, at load, into the panel layout of
/// Vox's own GEMM kernels, in fp32, BF16 or int8 (see `Precision`).
///
/// Each output element is one fixed sequence of operations (fused multiply-adds in a fixed order, or an exact
/// integer sum and a fixed epilogue) on every CPU path, so a row's result never depends on the other rows in the
/// call: the basis of batch-invariant inference. Low precisions first *stage* the input rows (round or quantise
/// each row on its own), then multiply.
public struct PackedLinear: Sendable {
    /// Output features.
    public let outputs: Int
    /// Input features.
    public let inputs: Int
    /// The arithmetic of this layer.
    public let precision: Precision
    private let packed: PackedBlock
    /// Per output channel scales and quantised row sums (int8 only), `panels · 32` entries each.
    private let scales: PackedBlock?
    private let sums: PackedBlock?
    private let bias: Tensor?

    /// Number of 32-column panels; work is split between threads by panel ranges.
    public var panels: Int { (outputs + 31) / 32 }

    private init(
        weight: Tensor, bias: Tensor?, precision: Precision, packed: PackedBlock, scales: PackedBlock?,
        sums: PackedBlock?
    ) {
        outputs = weight.shape[0]
        inputs = weight.shape[1]
        self.precision = precision
        self.bias = bias
        self.packed = packed
        self.scales = scales
        self.sums = sums
    }

    /// Packs `weight` (`[outputs, inputs]`, PyTorch's layout, a shape the loader has checked) in fp32 and keeps
    /// `bias`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.shape.count == 2, "a linear weight is a matrix")
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        let packed = PackedBlock(byteCount: NativeKernels.packedCount(outputs: outputs, inputs: inputs) * 4)
        NativeKernels.pack(
            weight.pointer, outputs: outputs, inputs: inputs, into: packed.pointer.assumingMemoryBound(to: Float.self))
        self.init(weight: weight, bias: bias, precision: .fp32, packed: packed, scales: nil, sums: nil)
    }

    /// Packs `weight` (`[outputs, inputs]`) at `precision` and keeps `bias`.
    /// - Throws: `ModelError` when int8 is asked for more inputs than its exact sums allow.
    public init(weight: Tensor, bias: Tensor?, precision: Precision) throws(ModelError) {
        precondition(weight.shape.count == 2, "a linear weight is a matrix")
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        switch precision {
        case .fp32:
            self.init(weight: weight, bias: bias)
        case .bf16:
            let packed = PackedBlock(byteCount: NativeKernels.bf16PackedCount(outputs: outputs, inputs: inputs) * 2)
            NativeKernels.bf16Pack(weight.pointer, outputs: outputs, inputs: inputs, into: packed.pointer)
            self.init(weight: weight, bias: bias, precision: .bf16, packed: packed, scales: nil, sums: nil)
        case .int8:
            guard inputs <= NativeKernels.int8MaxInputs else {
                throw ModelError(
                    .format, "int8 supports layers of at most \(NativeKernels.int8MaxInputs) inputs, not \(inputs)")
            }
            let packed = PackedBlock(byteCount: NativeKernels.int8PackedBytes(outputs: outputs, inputs: inputs))
            let columns = (outputs + 31) / 32 * 32
            let scales = PackedBlock(byteCount: columns * 4)
            let sums = PackedBlock(byteCount: columns * 4)
            NativeKernels.int8Pack(
                weight.pointer, outputs: outputs, inputs: inputs, into: packed.pointer,
                scales: scales.pointer.assumingMemoryBound(to: Float.self),
                sums: sums.pointer.assumingMemoryBound(to: Int32.self))
            self.init(weight: weight, bias: bias, precision: .int8, packed: packed, scales: scales, sums: sums)
        }
    }

    /// Bytes per staged input row (0 at fp32, which reads its input directly).
    public var stagedRowBytes: Int {
        switch precision {
        case .fp32: return 0
        case .bf16: return NativeKernels.bf16RowStride(inputs: inputs) * 4
        case .int8: return NativeKernels.int8RowStride(inputs: inputs)
        }
    }

    /// Rounds or quantises `rows` of `input` into the same rows of `staged` (nothing at fp32).
    public func stage(rows: Range<Int>, input: UnsafePointer<Float>, inputStride: Int, into staged: StagedRows) {
        guard !rows.isEmpty else { return }
        let source = input + rows.lowerBound * inputStride
        let target = staged.advanced(by: rows.lowerBound)
        switch precision {
        case .fp32: return
        case .bf16:
            NativeKernels.bf16Round(
                rows: rows.count, inputs: inputs, input: source, inputStride: inputStride, into: target)
        case .int8:
            NativeKernels.int8Quantize(
                rows: rows.count, inputs: inputs, input: source, inputStride: inputStride, into: target)
        }
    }

    /// Computes rows `0..<rows` of `output` for the panels in `panelRange`.
    /// - Parameters:
    ///   - rows: Number of input rows.
    ///   - input: Row-major `[rows, inputs]` with row stride `inputStride`.
    ///   - staged: The same rows staged by `stage` (low precisions); nil stages them here, on this thread.
    ///   - output: Row-major `[rows, outputs]` with row stride `outputStride`.
    ///   - panelRange: The 32-column panels to compute (all of them by default).
    ///   - gelu: Apply exact GELU to the results.
    public func apply(
        rows: Int, input: UnsafePointer<Float>, inputStride: Int, staged: StagedRows? = nil,
        output: UnsafeMutablePointer<Float>, outputStride: Int, panelRange: Range<Int>? = nil, gelu: Bool = false
    ) {
        let range = panelRange ?? 0..<panels
        guard rows > 0, !range.isEmpty else { return }
        let biasPointer = bias?.pointer
        if precision == .fp32 {
            NativeKernels.gemm(
                rows: rows, inputs: inputs, a: input, lda: inputStride,
                packed: packed.pointer.assumingMemoryBound(to: Float.self), bias: biasPointer, outputs: outputs,
                panels: range, c: output, ldc: outputStride, gelu: gelu)
            return
        }
        guard let staged else {
            let buffer = StagingBuffer()
            let own = buffer.rows(rows, stride: stagedRowBytes)
            stage(rows: 0..<rows, input: input, inputStride: inputStride, into: own)
            apply(
                rows: rows, input: input, inputStride: inputStride, staged: own, output: output,
                outputStride: outputStride, panelRange: range, gelu: gelu)
            return
        }
        if precision == .bf16 {
            NativeKernels.bf16Gemm(
                rows: rows, inputs: inputs, staged: staged, packed: packed.pointer, bias: biasPointer,
                outputs: outputs, panels: range, c: output, ldc: outputStride, gelu: gelu)
        } else if let scales, let sums {
            NativeKernels.int8Gemm(
                rows: rows, inputs: inputs, staged: staged, packed: packed.pointer,
                scales: scales.pointer.assumingMemoryBound(to: Float.self),
                sums: sums.pointer.assumingMemoryBound(to: Int32.self), bias: biasPointer, outputs: outputs,
                panels: range, c: output, ldc: outputStride, gelu: gelu)
        }
    }

    /// The whole product on `gang`: low precisions first stage the input rows into `staging` (split by rows),
    /// then every precision multiplies (split by panels). Each output element is computed by one part, so the
    /// result does not depend on the gang's size.
    public func apply(
        rows: Int, input: UnsafePointer<Float>, inputStride: Int, output: UnsafeMutablePointer<Float>,
        outputStride: Int, gelu: Bool = false, on gang: WorkerGang, staging: StagingBuffer
    ) {
        var staged: StagedRows? = nil
        if precision != .fp32 {
            let view = staging.rows(rows, stride: stagedRowBytes)
            gang.run { part in
                stage(rows: gang.share(of: rows, part: part), input: input, inputStride: inputStride, into: view)
            }
            staged = view
        }
        gang.run { part in
            apply(
                rows: rows, input: input, inputStride: inputStride, staged: staged, output: output,
                outputStride: outputStride, panelRange: gang.share(of: panels, part: part), gelu: gelu)
        }
    }

    /// The kernel path in use: 4 = AVX-512 with VNNI and BF16, 3 = AVX-512 with VNNI, 2 = AVX-512, 1 = AVX2+FMA,
    /// 0 = portable.
    public static var kernelLevel: Int { NativeKernels.level }

    /// The kernel path this CPU supports.
    public static var detectedKernelLevel: Int { NativeKernels.detectedLevel }

    /// Forces a kernel path (tests check that every path gives identical bits); nil returns to automatic.
    public static func forceKernelLevel(_ level: Int?) { NativeKernels.force(level: level) }
}
