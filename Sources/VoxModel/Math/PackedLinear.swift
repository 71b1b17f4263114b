import CVoxKernels

/// A linear layer `y = x · Wᵀ + b` whose weight matrix is packed once, at load, into the panel layout of
/// Vox's own GEMM kernel. The only file that calls the kernels.
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
        packed = Tensor(zeros: [Int(vox_packed_count(Int32(outputs), Int32(inputs)))])
        vox_pack(weight.pointer, Int32(outputs), Int32(inputs), packed.pointer)
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
        vox_gemm(
            Int32(rows), Int32(inputs), input, Int32(inputStride), packed.pointer, bias?.pointer, Int32(outputs),
            Int32(range.lowerBound), Int32(range.upperBound), output, Int32(outputStride), gelu ? 1 : 0)
    }

    /// The kernel path in use: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable.
    public static var kernelLevel: Int { Int(vox_kernel_level()) }

    /// Forces a kernel path (tests check that every path gives identical bits); nil returns to automatic.
    public static func forceKernelLevel(_ level: Int?) { vox_force_kernel_level(Int32(level ?? -1)) }
}
