import COpenBLAS

/// Single-precision GEMM through OpenBLAS: C = α·op(A)·op(B) + β·C, row-major.
///
/// Invariant: OpenBLAS runs single-threaded (`configureThreads` is called once); the trainer
/// parallelises over batch items instead, which keeps results independent of scheduling.
enum BLAS {
    static let configureThreads: Void = { openblas_set_num_threads(1) }()

    @inline(__always)
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = configureThreads
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
