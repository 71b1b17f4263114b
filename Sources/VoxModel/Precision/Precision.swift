/// The arithmetic the encoder's projections run in. Attention, softmax, LayerNorm and the residual path stay fp32
/// at every precision.
///
/// - `fp32`: fused multiply-adds in fp32.
/// - `bf16`: weights and activations rounded to BF16 (per row, just before each projection), FP32 accumulation with
///   the semantics of AVX-512 BF16's `vdpbf16ps` (native where the CPU has it and it is faster, emulated bit for bit
///   elsewhere).
/// - `int8`: weights symmetric per output channel, activations asymmetric u8 per token (row), exact int32 sums
///   (AVX-512 VNNI's `vpdpbusd` where the CPU has it), then scale, bias and GELU in fp32.
///
/// Every path of one precision computes identical bits, and a post's result depends only on its own tokens.
public enum Precision: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case fp32
    case bf16
    case int8

    public var description: String { rawValue }

    /// Whether this CPU runs the precision on its own fast instructions (the others run portable or emulated
    /// paths, with the same bits, more slowly).
    public var hasFastPath: Bool {
        switch self {
        case .fp32: return true
        case .bf16: return NativeKernels.detectedLevel >= 4 && NativeKernels.bf16Native
        case .int8: return NativeKernels.detectedLevel >= 3
        }
    }

    /// The precisions this CPU runs on fast instructions, fastest first.
    public static var fastestFirst: [Precision] { [.int8, .bf16, .fp32].filter(\.hasFastPath) }

    /// The CPU's kernel paths, in words (for `vox bench` and diagnostics).
    public static var cpuDescription: String {
        switch NativeKernels.detectedLevel {
        case 4:
            return NativeKernels.bf16Native
                ? "AVX-512 with VNNI and BF16"
                : "AVX-512 with VNNI and BF16 (BF16 emulated: faster than vdpbf16ps here)"
        case 3: return "AVX-512 with VNNI (BF16 emulated)"
        case 2: return "AVX-512 (int8 portable, BF16 emulated)"
        case 1: return "AVX2+FMA (int8 and BF16 portable)"
        default: return "portable"
        }
    }
}

/// A precision as a user asks for it: one of them, or `auto`.
public enum PrecisionChoice: String, Sendable, CaseIterable, CustomStringConvertible {
    case auto
    case fp32
    case bf16
    case int8

    public var description: String { rawValue }

    /// The precision to run: the one asked for, or for `auto` the fastest one this CPU has fast instructions for
    /// among those `qualifies` accepts (a model's measured accuracy bound), fp32 when none does.
    public func resolve(qualifies: (Precision) -> Bool) -> Precision {
        switch self {
        case .fp32: return .fp32
        case .bf16: return .bf16
        case .int8: return .int8
        case .auto: return Precision.fastestFirst.first { $0 == .fp32 || qualifies($0) } ?? .fp32
        }
    }
}
