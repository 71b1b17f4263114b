import Foundation

/// Knowledge distillation for `vox train --teacher`: a stronger model's probabilities, softened by a temperature,
/// mixed with the hard labels as the student's targets, and alone on unlabelled posts.
public struct Distillation: Sendable {
    /// The teacher's share of each labelled target (the rest is the hard label); unlabelled posts are all teacher.
    public var teacherWeight: Float
    /// Softens the teacher's probabilities (`p^(1/T)`, renormalised: softmax of the logits over `T`); 1 keeps them.
    public var temperature: Float
    /// The teacher model's `id@version`, for the model card.
    public var teacher: String
    /// Per head name: each text's teacher probabilities (already softened).
    public var targets: [String: [String: [Float]]]
    /// Posts without labels, trained on the teacher's targets alone (in the heads of `unlabeledHeads`).
    public var unlabeled: [String]
    /// The heads the unlabelled posts train (each that the teacher has); nil: every head the teacher has.
    public var unlabeledHeads: Set<String>?

    /// Creates a distillation from teacher probabilities at the teacher's own (calibrated) temperature.
    public init(
        teacher: String, teacherWeight: Float, temperature: Float, probabilities: [String: [String: [Float]]],
        unlabeled: [String], unlabeledHeads: Set<String>? = nil
    ) {
        self.teacher = teacher
        self.teacherWeight = min(max(teacherWeight, 0), 1)
        self.temperature = temperature
        targets = probabilities.mapValues { byText in
            byText.mapValues { Distillation.soften($0, temperature: temperature) }
        }
        self.unlabeled = unlabeled
        self.unlabeledHeads = unlabeledHeads
    }

    /// `p^(1/T)` renormalised: for softmax probabilities, the softmax of the same logits divided by `T`.
    public static func soften(_ probabilities: [Float], temperature: Float) -> [Float] {
        guard temperature > 0, temperature != 1 else { return probabilities }
        // In log space, shifted by the maximum, so tiny probabilities neither underflow nor turn into NaN.
        let logs = probabilities.map { Double(log(max($0, 1e-30))) / Double(temperature) }
        let top = logs.max() ?? 0
        let powers = logs.map { exp($0 - top) }
        let total = powers.reduce(0, +)
        return powers.map { Float($0 / total) }
    }

    /// The target of a labelled post: `teacherWeight · teacher + (1 − teacherWeight) · hard`, or the hard label
    /// alone when the teacher did not see the text.
    func target(head: String, text: String, hard: [Float]) -> [Float] {
        guard let soft = targets[head]?[text], soft.count == hard.count else { return hard }
        return zip(soft, hard).map { teacherWeight * $0 + (1 - teacherWeight) * $1 }
    }

    /// The teacher's targets for the unlabelled posts, for head `head` (posts it did not see are left out).
    func unlabeledTargets(head: String) -> [(text: String, target: [Float])] {
        guard let byText = targets[head], unlabeledHeads?.contains(head) ?? true else { return [] }
        return unlabeled.compactMap { text in byText[text].map { (text, $0) } }
    }

    /// Runs `teacher` over `texts` (each once) and keeps, per head in `heads` that the teacher has as a softmax
    /// head, each text's probabilities at the teacher's calibrated temperature.
    public static func probabilities(
        of teacher: TextClassifier, heads: [String], texts: [String]
    ) async -> [String: [String: [Float]]] {
        let unique = Array(Set(texts)).sorted()
        let indices = heads.compactMap { name in
            teacher.artifact.heads.firstIndex { $0.name == name && $0.kind == .softmax }.map { (name, $0) }
        }
        var out: [String: [String: [Float]]] = [:]
        for (name, _) in indices { out[name] = Dictionary(minimumCapacity: unique.count) }
        for start in stride(from: 0, to: unique.count, by: 256) {
            let chunk = Array(unique[start..<min(unique.count, start + 256)])
            let predictions = await teacher.classify(chunk)
            for (text, prediction) in zip(chunk, predictions) {
                for (name, index) in indices where prediction.probabilities.indices.contains(index) {
                    out[name]?[text] = prediction.probabilities[index]
                }
            }
        }
        return out
    }
}
