import Foundation
import Testing

@testable import VoxModel

/// Finite-difference checks of every backward pass (LayerNorm, attention, softmax, GELU, LoRA, full weights,
/// embeddings, both poolings, both losses) on a tiny random BERT.
@Suite struct GradientCheckTests {
    static let config = BertConfig(
        hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32, vocabSize: 30,
        maxPositionEmbeddings: 16)
    static let sequences: [[Int32]] = [[1, 5, 9, 7, 2], [1, 3, 2], [1, 8, 8, 4, 6, 11, 2]]

    private func setUp(rank: Int, head spec: HeadSpec) -> (TrainableEncoder, TrainableHead) {
        let model = BertModel(config: GradientCheckTests.config, weights: .random(GradientCheckTests.config, seed: 3))
        var tuning = FineTuning()
        tuning.loraRank = rank
        tuning.loraAlpha = 4
        tuning.dropout = 0
        let encoder = TrainableEncoder(model: model, tuning: tuning, seed: 5, backend: OpenBLASBackend())
        var generator = SeededGenerator(seed: 9)
        // LoRA's B starts at zero, which would hide A's gradient: give it values for the check.
        for parameter in encoder.parameters where parameter.name.hasSuffix("lora_b") {
            for index in 0..<parameter.value.count {
                parameter.value.pointer[index] = Float.random(in: -0.3...0.3, using: &generator)
            }
        }
        let head = TrainableHead(spec: spec, hidden: 16, dropout: 0, generator: &generator)
        if let query = head.query {
            for index in 0..<query.value.count {
                query.value.pointer[index] = Float.random(in: -1...1, using: &generator)
            }
        }
        return (encoder, head)
    }

    private func loss(
        _ encoder: TrainableEncoder, _ head: TrainableHead, targets: [[Float]], weights: [Float]?
    ) -> Float {
        var generator = SeededGenerator(seed: 1)
        let saved = encoder.forward(GradientCheckTests.sequences, dropout: false, generator: &generator)
        return head.loss(saved, targets: targets, classWeights: weights, training: false, generator: &generator).loss
    }

    private func check(rank: Int, spec: HeadSpec, targets: [[Float]], weights: [Float]? = nil) {
        let (encoder, head) = setUp(rank: rank, head: spec)
        let parameters = encoder.parameters + head.parameters
        for parameter in parameters { parameter.zeroGradient() }
        var generator = SeededGenerator(seed: 1)
        let saved = encoder.forward(GradientCheckTests.sequences, dropout: false, generator: &generator)
        let result = head.loss(saved, targets: targets, classWeights: weights, training: true, generator: &generator)
        encoder.backward(saved, gradient: result.gradient)
        var checked = 0
        var failures: [String] = []
        for parameter in parameters {
            let count = parameter.value.count
            for index in Set([0, count / 3, count / 2, count - 1, (count * 7) / 11]) {
                let original = parameter.value.pointer[index]
                let epsilon: Float = 1e-2
                parameter.value.pointer[index] = original + epsilon
                let plus = loss(encoder, head, targets: targets, weights: weights)
                parameter.value.pointer[index] = original - epsilon
                let minus = loss(encoder, head, targets: targets, weights: weights)
                parameter.value.pointer[index] = original
                let numeric = (plus - minus) / (2 * epsilon)
                let analytic = parameter.gradient.pointer[index]
                if abs(numeric - analytic) > 2e-3 + 0.05 * max(abs(numeric), abs(analytic)) {
                    failures.append("\(parameter.name)[\(index)]: numeric \(numeric), analytic \(analytic)")
                }
                checked += 1
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(8).joined(separator: "\n"))")
        #expect(checked > 50)
        #expect(abs(result.loss - loss(encoder, head, targets: targets, weights: weights)) < 1e-5)
    }

    @Test func loraWithMeanPoolingAndWeightedCrossEntropy() {
        check(
            rank: 2, spec: HeadSpec(name: "s", labels: ["a", "b", "c"], pooling: .mean),
            targets: [[1, 0, 0], [0, 0, 1], [0, 1, 0]], weights: [2, 0.5, 1])
    }

    @Test func fullFineTuningWithAttentionPooling() {
        check(
            rank: 0, spec: HeadSpec(name: "t", labels: ["a", "b"], pooling: .attention),
            targets: [[0, 1], [1, 0], [0, 1]])
    }

    @Test func multiLabelSigmoidHead() {
        check(
            rank: 2, spec: HeadSpec(name: "m", labels: ["x", "y", "z"], pooling: .attention, kind: .sigmoid),
            targets: [[1, 0, 1], [0, 0, 0], [1, 1, 0]])
    }
}
