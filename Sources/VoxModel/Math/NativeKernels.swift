import CVoxKernels

/// Vox's hand-written C kernels (GEMM on packed weights, LayerNorm, attention, GELU), each with AVX-512,
/// AVX2+FMA and portable paths chosen at run time. The only file that calls them.
///
/// Every path computes identical bits (fixed fused multiply-add chains and fixed reduction orders), so
/// results never depend on the CPU, on the thread split, or on what else is in a batch.
enum NativeKernels {
    /// Floats needed to pack an `outputs × inputs` weight matrix.
    static func packedCount(outputs: Int, inputs: Int) -> Int { Int(vox_packed_count(Int32(outputs), Int32(inputs))) }

    /// Packs a row-major `[outputs, inputs]` matrix into 32-column panels.
    static func pack(
        _ weight: UnsafePointer<Float>, outputs: Int, inputs: Int, into packed: UnsafeMutablePointer<Float>
    ) {
        vox_pack(weight, Int32(outputs), Int32(inputs), packed)
    }

    /// `c = bias + a · wᵀ` (then GELU when asked) for the given panels.
    static func gemm(
        rows: Int, inputs: Int, a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, outputs: Int, panels: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int,
        gelu: Bool
    ) {
        vox_gemm(
            Int32(rows), Int32(inputs), a, Int32(lda), packed, bias, Int32(outputs), Int32(panels.lowerBound),
            Int32(panels.upperBound), c, Int32(ldc), gelu ? 1 : 0)
    }

    /// `x = LayerNorm(x + residual)` per row, in place.
    static func addLayerNorm(
        _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        guard rows > 0 else { return }
        vox_add_layer_norm(x, residual, Int32(rows), Int32(width), gamma, beta, epsilon)
    }

    /// Floats of scratch `attention` needs.
    static func attentionScratch(tokens: Int, headSize: Int) -> Int {
        Int(vox_attention_scratch(Int32(tokens), Int32(headSize)))
    }

    /// Multi-head attention of one sequence from its `[tokens, 3·hidden]` Q/K/V rows into `[tokens, hidden]`.
    static func attention(
        qkv: UnsafePointer<Float>, tokens: Int, hidden: Int, heads: Int, context: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>?
    ) {
        vox_attention(qkv, Int32(tokens), Int32(hidden), Int32(heads), context, scratch, probabilities)
    }

    /// GELU in place.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) { vox_gelu(x, count) }

    /// `dy *= GELU'(x)`.
    static func geluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>, count: Int) {
        vox_gelu_backward(x, dy, count)
    }

    /// The path in use: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable.
    static var level: Int { Int(vox_kernel_level()) }

    /// Forces a path; nil returns to automatic choice.
    static func force(level: Int?) { vox_force_kernel_level(Int32(level ?? -1)) }
}
