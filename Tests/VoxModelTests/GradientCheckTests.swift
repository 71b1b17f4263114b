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

    private func setUp(
        rank: Int, head spec: HeadSpec, precision: Precision = .fp32
    ) throws -> (TrainableEncoder, TrainableHead) {
        let model = BertModel(config: GradientCheckTests.config, weights: .random(GradientCheckTests.config, seed: 3))
        var tuning = FineTuning()
        tuning.loraRank = rank
        tuning.loraAlpha = 4
        tuning.dropout = 0
        let encoder = try TrainableEncoder(
            model: model, tuning: tuning, seed: 5, backend: OpenBLASBackend(), precision: precision)
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

    /// One training step from zero gradients: its loss (the gradients are left in the parameters).
    private func step(
        _ encoder: TrainableEncoder, _ head: TrainableHead, targets: [[Float]], weights: [Float]?
    ) -> (loss: Float, parameters: [Parameter]) {
        let parameters = encoder.parameters + head.parameters
        for parameter in parameters { parameter.zeroGradient() }
        var generator = SeededGenerator(seed: 1)
        let saved = encoder.forward(GradientCheckTests.sequences, dropout: false, generator: &generator)
        let result = head.loss(saved, targets: targets, classWeights: weights, training: true, generator: &generator)
        encoder.backward(saved, gradient: result.gradient)
        return (result.loss, parameters)
    }

    private func check(rank: Int, spec: HeadSpec, targets: [[Float]], weights: [Float]? = nil) throws {
        let (encoder, head) = try setUp(rank: rank, head: spec)
        let (stepLoss, parameters) = step(encoder, head, targets: targets, weights: weights)
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
        #expect(abs(stepLoss - loss(encoder, head, targets: targets, weights: weights)) < 1e-5)
    }

    @Test func loraWithMeanPoolingAndWeightedCrossEntropy() throws {
        try check(
            rank: 2, spec: HeadSpec(name: "s", labels: ["a", "b", "c"], pooling: .mean),
            targets: [[1, 0, 0], [0, 0, 1], [0, 1, 0]], weights: [2, 0.5, 1])
    }

    @Test func fullFineTuningWithAttentionPooling() throws {
        try check(
            rank: 0, spec: HeadSpec(name: "t", labels: ["a", "b"], pooling: .attention),
            targets: [[0, 1], [1, 0], [0, 1]])
    }

    @Test func multiLabelSigmoidHead() throws {
        try check(
            rank: 2, spec: HeadSpec(name: "m", labels: ["x", "y", "z"], pooling: .attention, kind: .sigmoid),
            targets: [[1, 0, 1], [0, 0, 0], [1, 1, 0]])
    }

    /// LoRA training through frozen BF16 or int8 projections (`vox train --precision`): the loss and every
    /// gradient stay close to fp32's, and differ from them (the low-precision kernels really run).
    @Test(arguments: [(Precision.bf16, 0.9999), (.int8, 0.999)])
    func lowPrecisionFrozenProjectionsGiveGradientsCloseToFP32(precision: Precision, bound: Double) throws {
        let spec = HeadSpec(name: "s", labels: ["a", "b", "c"], pooling: .mean)
        let targets: [[Float]] = [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
        func run(_ precision: Precision) throws -> (loss: Float, gradient: [Float]) {
            let (encoder, head) = try setUp(rank: 2, head: spec, precision: precision)
            let (loss, parameters) = step(encoder, head, targets: targets, weights: nil)
            return (loss, parameters.flatMap(\.gradient.values))
        }
        let exact = try run(.fp32)
        let low = try run(precision)
        #expect(abs(low.loss - exact.loss) <= 0.01 * abs(exact.loss), "loss \(low.loss) vs \(exact.loss)")
        let dot = zip(low.gradient, exact.gradient).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let norms = [low.gradient, exact.gradient].map { $0.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let cosine = dot / (norms[0] * norms[1])
        #expect(cosine >= bound && cosine < 1, "cosine \(cosine)")
        #expect(low.gradient != exact.gradient)
    }
}
