/// A linear layer `y = x · Wᵀ + b` whose weight matrix is packed once, at load, into the panel layout of
/// Vox's own GEMM kernel.
///
/// Each output element is one fused multiply-add chain (bias, then k ascending) on every CPU path, so a
/// row's result never depends on the other rows in the call: the basis of batch-invariant inference.
public struct PackedLinear: Sendable {
    /// Output features.
    public let outputs: Int
    /// Input features.
    public let inputs: Int
    private let packed: Tensor
    private let bias: Tensor?

    /// Number of 32-column panels; work is split between threads by panel ranges.
    public var panels: Int { (outputs + 31) / 32 }

    /// Packs `weight` (`[outputs, inputs]`, PyTorch's layout) and keeps `bias`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.shape.count == 2, "a linear weight is a matrix")
        outputs = weight.shape[0]
        inputs = weight.shape[1]
        packed = Tensor(zeros: [NativeKernels.packedCount(outputs: outputs, inputs: inputs)])
        NativeKernels.pack(weight.pointer, outputs: outputs, inputs: inputs, into: packed.pointer)
        self.bias = bias
    }

    /// Computes rows `0..<rows` of `output` for the panels in `panelRange`.
    /// - Parameters:
    ///   - rows: Number of input rows.
    ///   - input: Row-major `[rows, inputs]` with row stride `inputStride`.
    ///   - output: Row-major `[rows, outputs]` with row stride `outputStride`.
    ///   - panelRange: The 32-column panels to compute (all of them by default).
    ///   - gelu: Apply exact GELU to the results.
    public func apply(
        rows: Int, input: UnsafePointer<Float>, inputStride: Int, output: UnsafeMutablePointer<Float>,
        outputStride: Int, panelRange: Range<Int>? = nil, gelu: Bool = false
    ) {
        let range = panelRange ?? 0..<panels
        guard rows > 0, !range.isEmpty else { return }
        NativeKernels.gemm(
            rows: rows, inputs: inputs, a: input, lda: inputStride, packed: packed.pointer, bias: bias?.pointer,
            outputs: outputs, panels: range, c: output, ldc: outputStride, gelu: gelu)
    }

    /// The kernel path in use: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable.
    public static var kernelLevel: Int { NativeKernels.level }

    /// Forces a kernel path (tests check that every path gives identical bits); nil returns to automatic.
    public static func forceKernelLevel(_ level: Int?) { NativeKernels.force(level: level) }
}
