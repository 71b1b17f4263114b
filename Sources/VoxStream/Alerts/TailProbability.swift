import Foundation

/// Upper-tail probabilities of the count distributions the alert tests use. Each sums the probability mass from the
/// observed count upward, starting from the exact log-probability (log-gamma) and stepping by the ratio of
/// neighbouring terms until the terms no longer matter, so it is exact to rounding and costs a few dozen terms for
/// the small p-values that matter. A count at or below the mean returns 1 (never significant), which keeps the sums
/// short.
enum TailProbability {
    /// Relative size below which further terms are dropped.
    private static let negligible = 1e-17
    /// Most terms summed (far beyond where any tail used here has converged).
    private static let maximumTerms = 100_000

    /// P(X ≥ x) for a count with the given mean and variance: negative binomial when the variance exceeds the mean,
    /// Poisson when it equals it.
    static func countUpperTail(_ x: Int, mean: Double, variance: Double) -> Double {
        guard x > 0 else { return 1 }
        guard mean > 0, Double(x) > mean else { return 1 }
        if variance <= mean * (1 + 1e-9) { return poissonUpperTail(x, mean: mean) }
        // Failures before the r-th success, success probability p: mean r(1−p)/p, variance mean/p.
        let p = mean / variance
        let r = mean * p / (1 - p)
        let xD = Double(x)
        let coefficient: Double = lgamma(xD + r) - lgamma(r) - lgamma(xD + 1)
        let logTerm = coefficient + r * log(p) + xD * log1p(-p)
        return sumTail(start: x, logTerm: logTerm) { j in log((Double(j) + r) / Double(j + 1)) + log1p(-p) }
    }

    /// P(X ≥ x) for a Poisson count with the given mean.
    static func poissonUpperTail(_ x: Int, mean: Double) -> Double {
        guard x > 0 else { return 1 }
        guard mean > 0, Double(x) > mean else { return 1 }
        let logTerm = Double(x) * log(mean) - mean - lgamma(Double(x) + 1)
        return sumTail(start: x, logTerm: logTerm) { j in log(mean / Double(j + 1)) }
    }

    /// P(K ≥ k) for K out of n when the probability of each is Beta(a, b) (the beta-binomial predictive: a
    /// binomial whose rate is known only from a baseline sample).
    static func betaBinomialUpperTail(_ k: Int, of n: Int, a: Double, b: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n, a > 0, b > 0, Double(k) > Double(n) * a / (a + b) else { return k > n ? 0 : 1 }
        let nD = Double(n)
        let kD = Double(k)
        let choose: Double = lgamma(nD + 1) - lgamma(kD + 1) - lgamma(nD - kD + 1)
        let numerator: Double = lgamma(kD + a) + lgamma(nD - kD + b) - lgamma(nD + a + b)
        let normaliser: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logTerm = choose + numerator + normaliser
        return sumTail(start: k, logTerm: logTerm, last: n) { j in
            let jD = Double(j)
            return log((nD - jD) / (jD + 1)) + log((jD + a) / (nD - jD - 1 + b))
        }
    }

    /// Sums exp(log-term) from index `start` up to `last`, each next log-term the previous plus `step(j)`.
    private static func sumTail(
        start: Int, logTerm first: Double, last: Int = .max, step: (Int) -> Double
    ) -> Double {
        // Terms are summed relative to the first, so very small tails do not underflow before they are scaled back.
        var logTerm = first
        var total = 0.0
        var relative = 1.0
        var index = start
        var terms = 0
        while relative > 0, terms < maximumTerms {
            total += relative
            guard index < last else { break }
            logTerm += step(index)
            index += 1
            terms += 1
            relative = exp(logTerm - first)
            if relative < negligible * total { break }
        }
        return min(1, exp(first) * total)
    }
}
