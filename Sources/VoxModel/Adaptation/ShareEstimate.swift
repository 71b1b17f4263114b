import Foundation

/// A window's class shares with 95% confidence intervals and, given a domain estimate, the shares corrected for
/// the classifier's errors.
///
/// - Without a usable ``DomainEstimate``, `adjusted` is nil and each interval is the Wilson score interval of the
///   reported share: it covers sampling only (the window's posts as a sample of the topic's posts).
/// - With one, `adjusted` is `q − b` (clipped to [0, 1], renormalised; see ``DomainEstimate``) and the interval
///   is `adjusted ± 1.96 σ` with `σ² = s² (1 + (n − 1) ρ) / n + s² / n_eff`: the window's own errors (its `n`
///   posts, clustered by topic with correlation `ρ`) plus the uncertainty of the bias estimated from `n_eff`
///   effective labelled posts.
/// - Given the window's sums of probabilities too, and an estimate with the probabilistic form, `q` is the mean
///   probability and `b`, `s²` are those of the probability errors; otherwise `q` is the count share.
public struct ShareEstimate: Sendable, Equatable, Codable {
    /// Corrected shares per class, or nil.
    public var adjusted: [Double]?
    /// Lower and upper ends of the 95% interval per class.
    public var low: [Double]
    public var high: [Double]

    /// The two-sided 95% normal quantile.
    public static let z = 1.959_963_984_540_054

    /// Estimates shares from a window's per-class counts and, when known, its per-class sums of probabilities
    /// over the same posts.
    public init(counts: [Int], probabilitySums: [Double]? = nil, domain: DomainEstimate?) {
        let k = counts.count
        let n = Double(counts.reduce(0, +))
        guard n > 0 else {
            adjusted = nil
            low = [Double](repeating: 0, count: k)
            high = [Double](repeating: 1, count: k)
            return
        }
        var q = counts.map { Double($0) / n }
        guard let domain, domain.usable(classes: k) else {
            adjusted = nil
            let bounds = counts.map { ShareEstimate.wilson(Double($0), n) }
            low = bounds.map(\.low)
            high = bounds.map(\.high)
            return
        }
        var bias = domain.bias
        var errorVariance = domain.errorVariance
        if let probabilitySums, probabilitySums.count == k, probabilitySums.allSatisfy(\.isFinite),
            domain.usableProbabilities(classes: k), let probabilityBias = domain.probabilityBias,
            let probabilityVariance = domain.probabilityErrorVariance
        {
            q = probabilitySums.map { min(1, max(0, $0 / n)) }
            bias = probabilityBias
            errorVariance = probabilityVariance
        }
        let clipped = (0..<k).map { min(1, max(0, q[$0] - bias[$0])) }
        let total = clipped.reduce(0, +)
        let shares = total > 0 ? clipped.map { $0 / total } : q
        adjusted = shares
        low = []
        high = []
        for index in 0..<k {
            // Clamped, so a hand-edited estimate cannot produce a negative variance.
            let spread = max(0, errorVariance[index])
            let clustering = min(1, max(0, domain.clustering))
            let variance = spread * (1 + (n - 1) * clustering) / n + spread / domain.effective
            let half = ShareEstimate.z * variance.squareRoot()
            low.append(max(0, min(shares[index], shares[index] - half)))
            high.append(min(1, max(shares[index], shares[index] + half)))
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
}
