import COpenBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`. The only file that sees OpenBLAS.
///
/// Training's forward and backward products run here. Inference does not: OpenBLAS's kernels round
/// differently for different matrix heights and thread splits, so the batch-invariant inference path uses
/// Vox's own kernels (`NativeKernels`).
public struct OpenBLASBackend: MatrixBackend {
    /// Creates the backend; with `threads`, also sets OpenBLAS's own thread count (a process-wide setting).
    public init(threads: Int? = nil) {
        if let threads { OpenBLASBackend.setThreads(threads) }
    }

    /// Sets OpenBLAS's own thread count.
    public static func setThreads(_ count: Int) {
        COpenBLAS_set_threads(Int32(max(1, count)))
    }

    /// OpenBLAS's build description (version, kernel family).
    public static var configuration: String { String(cString: COpenBLAS_config()) }

    public func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        COpenBLAS_sgemm_general(
            transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}
