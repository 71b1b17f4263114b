/// Accuracy, per-class precision/recall/F1/support, macro-F1, macro-averaged recall (TweetEval's metric for
/// sentiment) and the confusion matrix (rows: true label, columns: predicted label).
public struct ClassificationReport: Sendable, Equatable {
    /// One class's figures.
    public struct ClassFigures: Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    /// The labels, in matrix order.
    public let labels: [String]
    /// `confusion[true][predicted]` counts.
    public let confusion: [[Int]]

    /// Builds a report from true and predicted label indices.
    public init(labels: [String], truth: [Int], predicted: [Int]) {
        precondition(truth.count == predicted.count, "one prediction per example")
        self.labels = labels
        var matrix = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        for (t, p) in zip(truth, predicted) { matrix[t][p] += 1 }
        confusion = matrix
    }

    /// Examples counted.
    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    /// The share predicted correctly.
    public var accuracy: Double {
        let correct = labels.indices.reduce(0) { $0 + confusion[$1][$1] }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }

    /// Per-class figures, in label order.
    public var perClass: [ClassFigures] {
        labels.indices.map { c in
            let support = confusion[c].reduce(0, +)
            let predicted = confusion.reduce(0) { $0 + $1[c] }
            let hit = confusion[c][c]
            let precision = predicted == 0 ? 0 : Double(hit) / Double(predicted)
            let recall = support == 0 ? 0 : Double(hit) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassFigures(precision: precision, recall: recall, f1: f1, support: support)
        }
    }

    /// Mean recall over classes.
    public var macroRecall: Double { perClass.map(\.recall).reduce(0, +) / Double(max(1, labels.count)) }
    /// Mean F1 over classes.
    public var macroF1: Double { perClass.map(\.f1).reduce(0, +) / Double(max(1, labels.count)) }
}
