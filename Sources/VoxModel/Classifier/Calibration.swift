import Foundation

/// How well a head's probabilities mean what they say: the expected calibration error (top-class confidence in
/// equal-width bins, the gap between mean confidence and accuracy weighted by each bin's share) and the Brier
/// score (mean over posts of Σ_c (p_c − y_c)², 0 is perfect, 2 the worst for one-hot truth).
public struct Calibration: Sendable, Equatable {
    /// Expected calibration error over `bins` equal-width confidence bins.
    public let ece: Double
    /// Multi-class Brier score.
    public let brier: Double
    /// Posts counted.
    public let count: Int
    /// Number of confidence bins used for `ece`.
    public let bins: Int

    /// Measures calibration of `probabilities` (one vector per post) against `truth` (label indices); rows whose
    /// label is outside their vector are skipped.
    public init(probabilities: [[Float]], truth: [Int], bins: Int = 15) {
        let bins = max(1, bins)
        var confidence = [Double](repeating: 0, count: bins)
        var correct = [Double](repeating: 0, count: bins)
        var members = [Int](repeating: 0, count: bins)
        var brierSum = 0.0
        var count = 0
        for (row, label) in zip(probabilities, truth) where label >= 0 && label < row.count {
            let top = Evaluator.argmax(row)
            let p = Double(row[top])
            let bin = min(bins - 1, max(0, Int(p * Double(bins))))
            confidence[bin] += p
            correct[bin] += top == label ? 1 : 0
            members[bin] += 1
            brierSum += row.indices.reduce(0.0) { sum, c in
                let gap = Double(row[c]) - (c == label ? 1 : 0)
                return sum + gap * gap
            }
            count += 1
        }
        var gap = 0.0
        for bin in 0..<bins where members[bin] > 0 {
            gap += abs(confidence[bin] - correct[bin])
        }
        self.ece = count == 0 ? 0 : gap / Double(count)
        self.brier = count == 0 ? 0 : brierSum / Double(count)
        self.count = count
        self.bins = bins
    }
}
