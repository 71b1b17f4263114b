import Foundation
import Testing

@testable import VoxModel

/// One full fine-tuning step on the real model against JAX's automatic differentiation
/// (Benchmarks/reference/make_training_step.py): the loss and gradient norms of seven tensors across the network.
@Suite struct TrainingStepTests {
    /// Full fine-tuning without dropout, and a fresh sentiment head drawn from `generator`: a step whose loss and
    /// gradients a reference can reproduce exactly.
    static func exactStep(
        _ model: BertModel, encoderSeed: UInt64, generator: inout SeededGenerator
    ) throws -> (TrainableEncoder, TrainableHead) {
        var tuning = FineTuning()
        tuning.loraRank = 0
        tuning.dropout = 0
        let encoder = try TrainableEncoder(model: model, tuning: tuning, seed: encoderSeed, backend: OpenBLASBackend())
        let head = TrainableHead(
            spec: HeadSpec(name: "sentiment", labels: HeadSpec.sentimentLabels), hidden: model.config.hiddenSize,
            dropout: 0, generator: &generator)
        return (encoder, head)
    }

    @Test func lossAndGradientNormsMatchTheJAXReference() throws {
        let store = ModelStore()
        try #require(
            store.hasBaseModel, "the base model is not installed: run `swift run vox model pull` (scripts/test.sh does)"
        )
        let data = try Data(contentsOf: URL(fileURLWithPath: TokenizerTests.fixture("training-step.json")))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let texts = try #require(reference["texts"] as? [String])
        let labels = try #require(reference["labels"] as? [String])
        let norms = try #require(reference["gradient_norms"] as? [String: Double])
        let model = try BertModel.load(directory: store.directory())
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: store.directory() + "/tokenizer.json")
        var generator = SeededGenerator(seed: 1)
        let (encoder, head) = try TrainingStepTests.exactStep(model, encoderSeed: 1, generator: &generator)
        for c in 0..<3 {
            for i in 0..<384 { head.weight.value.pointer[c * 384 + i] = 0.02 * Float(sin(Double(c * 384 + i + 1))) }
        }
        let targets: [[Float]] = labels.map { label in HeadSpec.sentimentLabels.map { $0 == label ? 1 : 0 } }
        let saved = encoder.forward(texts.map { tokenizer.encode($0) }, dropout: false, generator: &generator)
        let result = head.loss(saved, targets: targets, classWeights: nil, training: true, generator: &generator)
        encoder.backward(saved, gradient: result.gradient)
        let expectedLoss = try #require(reference["loss"] as? Double)
        #expect(
            abs(Double(result.loss) - expectedLoss) < 1e-4 * max(1, abs(expectedLoss)),
            "loss \(result.loss) vs \(expectedLoss)")
        let parameters = Dictionary(uniqueKeysWithValues: (encoder.parameters + head.parameters).map { ($0.name, $0) })
        for (name, expected) in norms {
            let parameter = try #require(parameters[name], "no parameter \(name)")
            let norm = parameter.gradient.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - expected) <= 2e-3 * expected + 1e-6, "\(name): \(norm) vs \(expected)")
        }
    }
}
