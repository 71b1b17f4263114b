import Foundation
import Testing

@testable import VoxModel

/// `vox train --teacher`: softened teacher probabilities, their mix with the labels, and the soft-target loss.
@Suite struct DistillationTests {
    private static func softmax(_ logits: [Double]) -> [Float] {
        let top = logits.max() ?? 0
        let powers = logits.map { exp($0 - top) }
        let total = powers.reduce(0, +)
        return powers.map { Float($0 / total) }
    }

    @Test func softeningIsTheSoftmaxOfTheLogitsOverTheTemperature() {
        let logits = [2.5, -1.0, 0.3]
        let probabilities = DistillationTests.softmax(logits)
        #expect(Distillation.soften(probabilities, temperature: 1) == probabilities)
        for temperature in [0.5, 2.0, 4.0] {
            let softened = Distillation.soften(probabilities, temperature: Float(temperature))
            let expected = DistillationTests.softmax(logits.map { $0 / temperature })
            for (a, b) in zip(softened, expected) { #expect(abs(a - b) < 1e-5, "T \(temperature): \(a) vs \(b)") }
        }
        // A probability that underflowed to zero stays finite and tiny, never NaN.
        let extreme = Distillation.soften([1, 0, 0], temperature: 2)
        #expect(extreme.allSatisfy { $0.isFinite })
        #expect(extreme[0] > 0.999)
    }

    @Test func labelledTargetsMixTheTeacherWithTheLabelAndUnlabelledOnesAreTheTeacher() {
        let distillation = Distillation(
            teacher: "teacher@1", teacherWeight: 0.25, temperature: 1,
            probabilities: ["sentiment": ["seen": [0.2, 0.2, 0.6], "unlabelled": [0.7, 0.2, 0.1]]],
            unlabeled: ["unlabelled", "unknown to the teacher"])
        #expect(distillation.target(head: "sentiment", text: "seen", hard: [1, 0, 0]) == [0.8, 0.05, 0.15])
        #expect(distillation.target(head: "sentiment", text: "not seen", hard: [0, 1, 0]) == [0, 1, 0])
        #expect(distillation.target(head: "topic", text: "seen", hard: [0, 1, 0]) == [0, 1, 0])
        let extra = distillation.unlabeledTargets(head: "sentiment")
        #expect(extra.map(\.text) == ["unlabelled"])
        #expect(extra.first?.target == [0.7, 0.2, 0.1])
        #expect(distillation.unlabeledTargets(head: "topic").isEmpty)
    }

    @Test func unlabelledPostsTrainOnlyTheChosenHeads() {
        let probabilities: [String: [String: [Float]]] = [
            "sentiment": ["post": [0.7, 0.2, 0.1]], "topic": ["post": [0.1, 0.9]],
        ]
        let sentimentOnly = Distillation(
            teacher: "teacher@1", teacherWeight: 0.5, temperature: 1, probabilities: probabilities,
            unlabeled: ["post"], unlabeledHeads: ["sentiment"])
        #expect(sentimentOnly.unlabeledTargets(head: "sentiment").map(\.text) == ["post"])
        #expect(sentimentOnly.unlabeledTargets(head: "topic").isEmpty)
        // Labelled posts still mix in the teacher in every head.
        let mixed = sentimentOnly.target(head: "topic", text: "post", hard: [1, 0])
        #expect(zip(mixed, [Float(0.55), 0.45]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(mixed)")
        let every = Distillation(
            teacher: "teacher@1", teacherWeight: 0.5, temperature: 1, probabilities: probabilities,
            unlabeled: ["post"])
        #expect(every.unlabeledTargets(head: "topic").first?.target == [0.1, 0.9])
        let none = Distillation(
            teacher: "teacher@1", teacherWeight: 0.5, temperature: 1, probabilities: probabilities,
            unlabeled: ["post"], unlabeledHeads: [])
        #expect(none.unlabeledTargets(head: "sentiment").isEmpty)
    }

    @Test func theSoftTargetLossIsTheWeightedCrossEntropyAndItsGradientIsExact() throws {
        let config = TinyBertTests.config
        let model = BertModel(config: config, weights: .random(config, seed: 7))
        var generator = SeededGenerator(seed: 5)
        let (encoder, head) = try TrainingStepTests.exactStep(model, encoderSeed: 3, generator: &generator)
        let sequences: [[Int32]] = [[1, 5, 9, 2], [1, 7, 2], [1, 3, 4, 8, 2]]
        let targets: [[Float]] = [[0.1, 0.3, 0.6], [1, 0, 0], [0.45, 0.45, 0.1]]
        let classWeights: [Float] = [2, 0.5, 1]
        let saved = encoder.forward(sequences, dropout: false, generator: &generator)
        func loss() -> Float {
            head.loss(saved, targets: targets, classWeights: classWeights, training: false, generator: &generator).loss
        }
        // The loss by hand: mean-pooled states, logits, softmax, cross-entropy weighted by E_t[class weight].
        let h = config.hiddenSize
        var expected = 0.0
        var totalWeight = 0.0
        for (index, ids) in sequences.enumerated() {
            let states = saved.output.values[(saved.starts[index] * h)..<((saved.starts[index] + ids.count) * h)]
            let pooled = (0..<h).map { element in
                stride(from: element, to: states.count, by: h).reduce(0.0) {
                    $0 + Double(states[states.startIndex + $1])
                }
                    / Double(ids.count)
            }
            let logits = (0..<3).map { c in
                (0..<h).reduce(Double(head.bias.value.values[c])) {
                    $0 + Double(head.weight.value.values[c * h + $1]) * pooled[$1]
                }
            }
            let probabilities = DistillationTests.softmax(logits)
            let w = zip(targets[index], classWeights).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            totalWeight += w
            expected += w * zip(targets[index], probabilities).reduce(0.0) { $0 - Double($1.0) * log(Double($1.1)) }
        }
        expected /= totalWeight
        #expect(abs(Double(loss()) - expected) < 1e-4, "loss \(loss()) vs \(expected)")
        // Its gradient against central differences, on the bias and on a few weights.
        for parameter in head.parameters { parameter.zeroGradient() }
        _ = head.loss(saved, targets: targets, classWeights: classWeights, training: true, generator: &generator)
        let epsilon: Float = 1e-2
        for (parameter, index) in [(head.bias, 0), (head.bias, 2), (head.weight, 5), (head.weight, 2 * h + 11)] {
            let original = parameter.value.pointer[index]
            parameter.value.pointer[index] = original + epsilon
            let up = loss()
            parameter.value.pointer[index] = original - epsilon
            let down = loss()
            parameter.value.pointer[index] = original
            let numeric = (up - down) / (2 * epsilon)
            let analytic = parameter.gradient.pointer[index]
            #expect(abs(numeric - analytic) < 1e-3 + 1e-2 * abs(numeric), "\(parameter.name)[\(index)]")
        }
    }
}
