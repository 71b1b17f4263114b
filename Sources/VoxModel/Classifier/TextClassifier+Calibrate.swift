import Foundation

extension TextClassifier {
    /// One head's temperature fit: the temperature and its calibration before and after, on the data it was fitted on.
    public struct HeadCalibration: Sendable, Equatable {
        /// The head's name.
        public var head: String
        /// The fitted temperature (logits are divided by it).
        public var temperature: Double
        /// Calibration with the head's current temperature.
        public var before: Calibration
        /// Calibration with the fitted temperature.
        public var after: Calibration
    }

    /// Fits the temperature of softmax head `name` that minimises the negative log-likelihood of `rows`' labels
    /// (validation data, never test data), and measures calibration before and after.
    /// - Throws: `ModelError` when the model has no such head, it is multi-label, or a label is unknown.
    public func calibration(head name: String, rows: [LabeledText]) async throws(ModelError) -> HeadCalibration {
        guard let index = heads.firstIndex(where: { $0.spec.name == name }) else {
            throw ModelError(
                .format, "the model has no \(name) head (it has: \(heads.map(\.spec.name).joined(separator: ", ")))")
        }
        let spec = heads[index].spec
        guard spec.kind == .softmax else {
            throw ModelError(.format, "the \(name) head is multi-label; temperature scaling applies to softmax heads")
        }
        guard !rows.isEmpty else { throw ModelError(.format, "no labelled posts to calibrate the \(name) head on") }
        let truth = try Evaluator.truth(rows, labels: spec.labels)
        let logits = await self.logits(rows.map(\.text), head: index)
        let temperature = HeadAdapter.temperature(logits: logits.map { $0.map(Double.init) }, labels: truth)
        func probabilities(_ t: Double) -> [[Float]] {
            logits.map { HeadMath.probabilities($0, kind: .softmax, temperature: Float(t)) }
        }
        return HeadCalibration(
            head: name, temperature: temperature,
            before: Calibration(probabilities: probabilities(spec.effectiveTemperature), truth: truth),
            after: Calibration(probabilities: probabilities(temperature), truth: truth))
    }
}

extension ClassifierArtifact {
    /// The artifact with head `calibration.head`'s temperature set and its calibration figures recorded as
    /// `HEAD.temperature`, `HEAD.ece` and `HEAD.brier` metrics.
    public func calibrated(_ calibration: TextClassifier.HeadCalibration) -> ClassifierArtifact {
        var copy = self
        for index in copy.heads.indices where copy.heads[index].name == calibration.head {
            copy.heads[index].temperature = calibration.temperature
        }
        copy.metrics["\(calibration.head).temperature"] = calibration.temperature
        copy.metrics["\(calibration.head).ece"] = calibration.after.ece
        copy.metrics["\(calibration.head).brier"] = calibration.after.brier
        return copy
    }
}
