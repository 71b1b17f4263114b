/// Scores a classifier's head on labelled examples.
public enum Evaluator {
    /// A head's classification report and the calibration of its probabilities on the same posts.
    public struct Evaluation: Sendable, Equatable {
        /// Accuracy, per-class and macro figures, confusion.
        public var report: ClassificationReport
        /// Expected calibration error (15 bins) and Brier score.
        public var calibration: Calibration
        /// Each post's true label index, in row order.
        public var truth: [Int]
        /// Each post's predicted label index, in row order.
        public var predicted: [Int]
        /// Each post's probabilities (temperature applied), in row order.
        public var probabilities: [[Float]] = []
    }

    /// The classification report and calibration of head `head` on `rows` (for multi-label data, the first label
    /// counts).
    /// - Throws: `ModelError` when the classifier has no such head or a label is unknown.
    public static func evaluate(
        _ classifier: TextClassifier, head: String, rows: [LabeledText]
    ) async throws(ModelError) -> Evaluation {
        guard let headIndex = classifier.artifact.heads.firstIndex(where: { $0.name == head }) else {
            throw ModelError(
                .format,
                "the model has no \(head) head (it has: \(classifier.artifact.heads.map(\.name).joined(separator: ", ")))"
            )
        }
        let labels = classifier.artifact.heads[headIndex].labels
        let truth = try Evaluator.truth(rows, labels: labels)
        let probabilities = await Evaluator.probabilities(classifier, head: headIndex, texts: rows.map(\.text))
        let predicted = probabilities.map(argmax)
        return Evaluation(
            report: ClassificationReport(labels: labels, truth: truth, predicted: predicted),
            calibration: Calibration(probabilities: probabilities, truth: truth), truth: truth, predicted: predicted,
            probabilities: probabilities)
    }

    /// The class head `head` predicts for each text.
    public static func predict(_ classifier: TextClassifier, head: Int, texts: [String]) async -> [Int] {
        await probabilities(classifier, head: head, texts: texts).map(argmax)
    }

    /// Head `head`'s probabilities for each text (temperature applied), in batches of 64.
    public static func probabilities(_ classifier: TextClassifier, head: Int, texts: [String]) async -> [[Float]] {
        var probabilities: [[Float]] = []
        probabilities.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let end = min(texts.count, start + 64)
            let predictions = await classifier.classify(Array(texts[start..<end]))
            probabilities += predictions.map { $0.probabilities[head] }
            start = end
        }
        return probabilities
    }

    /// The index in `labels` of each row's (first) label.
    /// - Throws: `ModelError` naming a label that is not one of `labels`.
    public static func truth(_ rows: [LabeledText], labels: [String]) throws(ModelError) -> [Int] {
        var truth: [Int] = []
        truth.reserveCapacity(rows.count)
        for row in rows {
            guard let first = row.labels.first, let index = labels.firstIndex(of: first) else {
                throw ModelError(
                    .format, "label '\(row.labels.first ?? "")' is not one of \(labels.joined(separator: ", "))")
            }
            truth.append(index)
        }
        return truth
    }

    /// The index of the largest value (the first on ties).
    public static func argmax<Value: Comparable>(_ values: [Value]) -> Int {
        var best = 0
        for index in values.indices where values[index] > values[best] { best = index }
        return best
    }
}
