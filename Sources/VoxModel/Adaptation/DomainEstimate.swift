import Foundation

/// What a team's own labels say about a classifier's errors on its posts: from out-of-fold predictions (k-fold
/// cross-validation over the labels, each fold's head never saw the rows it scores), each labelled post weighted
/// by the inverse of its chance of being sampled (`vox label sample`).
///
/// It corrects a window's shares additively: for class `k`, each post's error is `e = [predicted k] − [true k]`,
/// with mean (bias) `b_k` and variance `s²_k` over the labels; the corrected share is `q_k − b_k` (clipped to
/// [0, 1], renormalised). Its probabilistic form, used wherever a window's mean probabilities are known, takes
/// `e = P(k) − [true k]` with the calibrated out-of-fold probabilities and corrects the mean probability instead
/// of the count share: it keeps what the probabilities know about uncertain posts, and on `vox bench shares` it
/// lowered the negative share's error on four of five SemEval-2016 runs (the README has the table). Measured on
/// SemEval-2016 topic-level tweets (`vox bench shares`), the additive correction held on every
/// split, while the matrix-inverting correction (adjusted classify-and-count, `M⁻¹ q`) and EM prior adjustment made
/// every split worse: per-brand error rates differ far more than a prior-shift model allows, and inverting a
/// poorly conditioned confusion matrix amplifies that.
public struct DomainEstimate: Codable, Sendable, Equatable {
    /// The classes, in the head's order.
    public var labels: [String]
    /// Weighted counts: `confusion[t][p]` for true class `t` predicted as `p` (out of fold).
    public var confusion: [[Double]]
    /// Mean per-post error per class: predicted share minus true share.
    public var bias: [Double]
    /// Variance of the per-post error per class.
    public var errorVariance: [Double]
    /// Mean per-post error of the calibrated probabilities per class (`P(k) − [true k]`, out of fold); nil in
    /// estimates made before the probabilistic correction.
    public var probabilityBias: [Double]?
    /// Variance of the per-post probability error per class.
    public var probabilityErrorVariance: [Double]?
    /// Effective number of labelled posts (Kish: `(Σw)² / Σw²`).
    public var effective: Double
    /// Labelled posts behind the estimate.
    public var labelled: Int
    /// Cross-validation folds.
    public var folds: Int
    /// Correlation of errors within a topic (the design effect of topic-clustered posts): posts about one brand
    /// share its quirks, so a window's error shrinks more slowly than `1/n`. 0.03 was tuned on SemEval-2016's
    /// train/dev/devtest topics for 95% coverage and checked on its test topics.
    public var clustering: Double

    /// The clustering correlation used by default.
    public static let defaultClustering = 0.03

    enum CodingKeys: String, CodingKey {
        case labels, confusion, bias, effective, labelled, folds, clustering
        case errorVariance = "error_variance"
        case probabilityBias = "probability_bias"
        case probabilityErrorVariance = "probability_error_variance"
    }

    /// Builds the estimate from cross-validated predictions.
    /// - Parameters:
    ///   - labels: The classes.
    ///   - rows: For each labelled post: its true class, the class the held-out model predicted, and its weight.
    ///   - probabilities: For each row, the held-out model's calibrated probabilities (for the probabilistic
    ///     correction), or nil.
    ///   - folds: How many folds produced the predictions.
    public init(
        labels: [String], rows: [(truth: Int, predicted: Int, weight: Double)], probabilities: [[Double]]? = nil,
        folds: Int, clustering: Double = DomainEstimate.defaultClustering
    ) {
        let k = labels.count
        let kept = rows.indices.filter {
            (0..<k).contains(rows[$0].truth) && (0..<k).contains(rows[$0].predicted) && rows[$0].weight > 0
        }
        let valid = kept.map { rows[$0] }
        self.labels = labels
        var confusion = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for row in valid { confusion[row.truth][row.predicted] += row.weight }
        self.confusion = confusion
        let total = valid.reduce(0) { $0 + $1.weight }
        let squares = valid.reduce(0) { $0 + $1.weight * $1.weight }
        func error(_ row: (truth: Int, predicted: Int, weight: Double), _ c: Int) -> Double {
            (row.predicted == c ? 1 : 0) - (row.truth == c ? 1 : 0)
        }
        let bias = (0..<k).map { c in total > 0 ? valid.reduce(0) { $0 + $1.weight * error($1, c) } / total : 0 }
        self.bias = bias
        errorVariance = (0..<k).map { c in
            total > 0 ? valid.reduce(0) { $0 + $1.weight * pow(error($1, c) - bias[c], 2) } / total : 0
        }
        if let probabilities, probabilities.count == rows.count,
            kept.allSatisfy({ probabilities[$0].count == k && probabilities[$0].allSatisfy(\.isFinite) }), total > 0
        {
            let errors = kept.map { index in
                (0..<k).map { probabilities[index][$0] - (rows[index].truth == $0 ? 1 : 0) }
            }
            let mean = (0..<k).map { c in zip(valid, errors).reduce(0) { $0 + $1.0.weight * $1.1[c] } / total }
            probabilityBias = mean
            probabilityErrorVariance = (0..<k).map { c in
                zip(valid, errors).reduce(0) { $0 + $1.0.weight * pow($1.1[c] - mean[c], 2) } / total
            }
        }
        effective = squares > 0 ? total * total / squares : 0
        labelled = valid.count
        self.folds = folds
        self.clustering = clustering
    }

    /// Per-class recall on the labels (cross-validated, weighted).
    public var recall: [Double] {
        confusion.indices.map { t in
            let total = confusion[t].reduce(0, +)
            return total > 0 ? confusion[t][t] / total : 0
        }
    }

    /// Whether the estimate can also correct mean probabilities of `classes` classes (the probabilistic form).
    public func usableProbabilities(classes: Int) -> Bool {
        guard usable(classes: classes), let probabilityBias, let probabilityErrorVariance else { return false }
        return probabilityBias.count == classes && probabilityErrorVariance.count == classes
            && (probabilityBias + probabilityErrorVariance).allSatisfy(\.isFinite)
    }

    /// Whether the estimate can correct shares of `classes` classes.
    public func usable(classes: Int) -> Bool {
        labels.count == classes && bias.count == classes && errorVariance.count == classes && effective > 0
            && (bias + errorVariance + [effective, clustering]).allSatisfy(\.isFinite)
    }
}
