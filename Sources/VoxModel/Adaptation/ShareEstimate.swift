import Foundation

/// A window's class shares with 95% confidence intervals and, given a domain estimate, the shares corrected for
/// the classifier's errors.
///
/// - Without a usable ``DomainEstimate``, `adjusted` is nil and each interval is the Wilson score interval of the
///   reported share: it covers sampling only (the window's posts as a sample of the topic's posts).
/// - With one, `adjusted` is the adjusted classify-and-count solution `π = M⁻¹ q` (clipped to [0, 1] and
///   renormalised), and the interval is `π ± 1.96 σ` from the delta method, which adds both sources of error:
///   `Cov(π) = M⁻¹ (Σ_q + Σ_M) M⁻ᵀ`, with `Σ_q = (diag q − q qᵀ) / n` for the window's `n` posts and
///   `Σ_M = Σ_t π_t² (diag m_t − m_t m_tᵀ) / n_t` for the confusion columns `m_t` estimated from `n_t` effective
///   labelled posts. Proportions inside the variances are smoothed by half a post per class (Jeffreys), so a
///   window with no negative posts still gets an interval wider than zero.
public struct ShareEstimate: Sendable, Equatable, Codable {
    /// Corrected shares per class, or nil.
    public var adjusted: [Double]?
    /// Lower and upper ends of the 95% interval per class.
    public var low: [Double]
    public var high: [Double]

    /// The two-sided 95% normal quantile.
    public static let z = 1.959_963_984_540_054

    /// Estimates shares from a window's per-class counts.
    public init(counts: [Int], domain: DomainEstimate?) {
        let k = counts.count
        let n = counts.reduce(0, +)
        guard n > 0 else {
            adjusted = nil
            low = [Double](repeating: 0, count: k)
            high = [Double](repeating: 1, count: k)
            return
        }
        if let domain, domain.labels.count == k, let corrected = ShareEstimate.corrected(counts, domain: domain) {
            self = corrected
        } else {
            adjusted = nil
            let bounds = counts.map { ShareEstimate.wilson(Double($0), Double(n)) }
            low = bounds.map(\.low)
            high = bounds.map(\.high)
        }
    }

    /// The Wilson score interval of `successes` out of `n`.
    static func wilson(_ successes: Double, _ n: Double) -> (low: Double, high: Double) {
        let p = successes / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    private static func corrected(_ counts: [Int], domain: DomainEstimate) -> ShareEstimate? {
        guard let m = domain.conditional, let inverse = LinearSolve.inverse(m) else { return nil }
        let k = counts.count
        let n = Double(counts.reduce(0, +))
        let q = counts.map { Double($0) / n }
        let raw = LinearSolve.multiply(inverse, q)
        let clipped = raw.map { min(1, max(0, $0)) }
        let total = clipped.reduce(0, +)
        let shares = total > 0 ? clipped.map { $0 / total } : q
        // Σ_q, with smoothed proportions.
        let smooth = counts.map { (Double($0) + 0.5) / (n + 0.5 * Double(k)) }
        var sigma = (0..<k).map { i in (0..<k).map { j in ((i == j ? smooth[i] : 0) - smooth[i] * smooth[j]) / n } }
        // Σ_M: each confusion column is a multinomial proportion from its effective sample.
        for t in 0..<k {
            let size = domain.effective[t]
            guard size > 0 else { return nil }
            let column = (0..<k).map { p in (m[p][t] * size + 0.5) / (size + 0.5 * Double(k)) }
            let weight = shares[t] * shares[t] / size
            for i in 0..<k {
                for j in 0..<k { sigma[i][j] += weight * ((i == j ? column[i] : 0) - column[i] * column[j]) }
            }
        }
        let covariance = LinearSolve.sandwich(inverse, sigma)
        var low: [Double] = []
        var high: [Double] = []
        for index in 0..<k {
            let half = z * max(0, covariance[index][index]).squareRoot()
            low.append(max(0, min(shares[index], shares[index] - half)))
            high.append(min(1, max(shares[index], shares[index] + half)))
        }
        return ShareEstimate(adjusted: shares, low: low, high: high)
    }

    private init(adjusted: [Double]?, low: [Double], high: [Double]) {
        self.adjusted = adjusted
        self.low = low
        self.high = high
    }
}
