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

    // MARK: int8 (u8 activations × s8 weights, exact int32 sums)

    /// The largest input width the int8 kernel accepts.
    static let int8MaxInputs = Int(VOX_I8_MAX_K)

    /// Bytes to pack an `outputs × inputs` matrix as int8.
    static func int8PackedBytes(outputs: Int, inputs: Int) -> Int {
        Int(vox_i8_packed_bytes(Int32(outputs), Int32(inputs)))
    }

    /// Bytes per quantised activation row.
    static func int8RowStride(inputs: Int) -> Int { Int(vox_i8_row_stride(Int32(inputs))) }

    /// Quantises a row-major `[outputs, inputs]` matrix per output row; scales and sums get `panels · 32` entries.
    static func int8Pack(
        _ weight: UnsafePointer<Float>, outputs: Int, inputs: Int, into packed: UnsafeMutableRawPointer,
        scales: UnsafeMutablePointer<Float>, sums: UnsafeMutablePointer<Int32>
    ) {
        vox_i8_pack(
            weight, Int32(outputs), Int32(inputs), packed.assumingMemoryBound(to: Int8.self), scales, sums)
    }

    /// Quantises `rows` rows of `input` to u8 with a scale and zero point each.
    static func int8Quantize(
        rows: Int, inputs: Int, input: UnsafePointer<Float>, inputStride: Int, into staged: StagedRows
    ) {
        vox_i8_quantize_rows(
            Int32(rows), Int32(inputs), input, Int32(inputStride), staged.bytes.assumingMemoryBound(to: UInt8.self),
            Int32(staged.stride), staged.scales, staged.zeros)
    }

    /// `c = bias + dequantised(q · wᵀ)` (then GELU when asked) for the given panels.
    static func int8Gemm(
        rows: Int, inputs: Int, staged: StagedRows, packed: UnsafeRawPointer, scales: UnsafePointer<Float>,
        sums: UnsafePointer<Int32>, bias: UnsafePointer<Float>?, outputs: Int, panels: Range<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, gelu: Bool
    ) {
        vox_i8_gemm(
            Int32(rows), Int32(inputs), staged.bytes.assumingMemoryBound(to: UInt8.self), Int32(staged.stride),
            staged.scales, staged.zeros, packed.assumingMemoryBound(to: Int8.self), scales, sums, bias,
            Int32(outputs), Int32(panels.lowerBound), Int32(panels.upperBound), c, Int32(ldc), gelu ? 1 : 0)
    }

    // MARK: BF16 (rounded weights and activations, FP32 accumulation)

    /// `UInt16`s to pack an `outputs × inputs` matrix as BF16 pairs.
    static func bf16PackedCount(outputs: Int, inputs: Int) -> Int {
        Int(vox_bf16_packed_count(Int32(outputs), Int32(inputs)))
    }

    /// Floats per rounded activation row.
    static func bf16RowStride(inputs: Int) -> Int { Int(vox_bf16_row_stride(Int32(inputs))) }

    /// Rounds a row-major `[outputs, inputs]` matrix to BF16 panels.
    static func bf16Pack(
        _ weight: UnsafePointer<Float>, outputs: Int, inputs: Int, into packed: UnsafeMutableRawPointer
    ) {
        vox_bf16_pack(weight, Int32(outputs), Int32(inputs), packed.assumingMemoryBound(to: UInt16.self))
    }

    /// Rounds `rows` rows of `input` to BF16 in the layout the current path reads.
    static func bf16Round(
        rows: Int, inputs: Int, input: UnsafePointer<Float>, inputStride: Int, into staged: StagedRows
    ) {
        vox_bf16_round_rows(
            Int32(rows), Int32(inputs), input, Int32(inputStride), staged.bytes.assumingMemoryBound(to: Float.self),
            Int32(staged.stride / 4))
    }

    /// `c = bias + rounded(a) · rounded(w)ᵀ` (then GELU when asked) for the given panels.
    static func bf16Gemm(
        rows: Int, inputs: Int, staged: StagedRows, packed: UnsafeRawPointer, bias: UnsafePointer<Float>?,
        outputs: Int, panels: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int, gelu: Bool
    ) {
        vox_bf16_gemm(
            Int32(rows), Int32(inputs), staged.bytes.assumingMemoryBound(to: Float.self), Int32(staged.stride / 4),
            packed.assumingMemoryBound(to: UInt16.self), bias, Int32(outputs), Int32(panels.lowerBound),
            Int32(panels.upperBound), c, Int32(ldc), gelu ? 1 : 0)
    }

    /// The path in use: 4 = AVX-512 with VNNI and BF16, 3 = AVX-512 with VNNI, 2 = AVX-512, 1 = AVX2+FMA,
    /// 0 = portable.
    static var level: Int { Int(vox_kernel_level()) }

    /// The path this CPU supports, whatever is forced.
    static var detectedLevel: Int { Int(vox_detected_kernel_level()) }

    /// Whether BF16 runs on the CPU's `vdpbf16ps` (where it is faster than the emulation).
    static var bf16Native: Bool { vox_bf16_native_in_use() != 0 }

    /// Forces a path (at most the detected one); nil returns to automatic choice.
    static func force(level: Int?) { vox_force_kernel_level(Int32(level ?? -1)) }
}
