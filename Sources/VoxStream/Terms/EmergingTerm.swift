import Foundation
import VoxFeeds

/// A term whose rate in a window rose against its topic's trailing baseline: one line of `terms.jsonl`.
public struct EmergingTerm: Sendable, Equatable, Codable {
    public var windowStart: Int64
    public var windowEnd: Int64
    /// The row's topic (`all`, a taxonomy topic or a watch topic).
    public var topic: String
    /// The word, `#hashtag`, `@mention` or two-word phrase, lower-cased.
    public var term: String
    /// Posts of the window and topic that hold the term.
    public var count: Int
    /// `count` over the window's posts of the topic.
    public var rate: Double
    /// The share of the baseline's posts that held the term (decayed counts).
    public var baselineRate: Double
    /// Dunning's log-likelihood ratio (G²) of the window against the baseline.
    public var score: Double

    /// The JSON Lines row: `{window_start, window_end, topic, term, count, rate, baseline_rate, score}`.
    public var json: String {
        JSONText.object([
            ("window_start", JSONText.quote(Timestamp.format(millis: windowStart))),
            ("window_end", JSONText.quote(Timestamp.format(millis: windowEnd))),
            ("topic", JSONText.quote(topic)), ("term", JSONText.quote(term)), ("count", String(count)),
            ("rate", EmergingTerm.rate(rate)), ("baseline_rate", EmergingTerm.rate(baselineRate)),
            ("score", String(format: "%.2f", score)),
        ])
    }

    /// A rate with six decimals (baseline rates are often far below a percent).
    static func rate(_ value: Double) -> String { String(format: "%.6f", value) }

    /// Dunning's log-likelihood ratio G² for `k1` of `n1` against `k2` of `n2` (counts may be fractional, as decayed
    /// baselines are): twice the log of the likelihood ratio of two binomial rates against one shared rate. 0 when
    /// either side is empty.
    public static func logLikelihoodRatio(_ k1: Double, _ n1: Double, _ k2: Double, _ n2: Double) -> Double {
        guard n1 > 0, n2 > 0, k1 >= 0, k2 >= 0, k1 <= n1, k2 <= n2 else { return 0 }
        func term(_ k: Double, _ expected: Double) -> Double {
            k > 0 && expected > 0 ? k * Foundation.log(k / expected) : 0
        }
        let p = (k1 + k2) / (n1 + n2)
        let sum =
            term(k1, n1 * p) + term(n1 - k1, n1 * (1 - p)) + term(k2, n2 * p) + term(n2 - k2, n2 * (1 - p))
        return max(0, 2 * sum)
    }
}
