/// The one interface through which Vox multiplies matrices, so another backend (a BF16 kernel, a GPU)
/// can slot in. Row-major throughout: `C = alpha · op(A) · op(B) + beta · C`.
public protocol MatrixBackend: Sendable {
    /// General matrix multiply on row-major matrices.
    /// - Parameters:
    ///   - transposeA: Use Aᵀ (A is stored k × m).
    ///   - transposeB: Use Bᵀ (B is stored n × k).
    ///   - m: Rows of C.
    ///   - n: Columns of C.
    ///   - k: The shared dimension.
    ///   - alpha: Scale of the product.
    ///   - a: A's first element; `lda` is its row stride.
    ///   - b: B's first element; `ldb` is its row stride.
    ///   - beta: Scale of C's previous contents (0 ignores them).
    ///   - c: C's first element; `ldc` is its row stride.
    func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int)
}
