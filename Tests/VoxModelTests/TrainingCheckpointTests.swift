import Foundation
import Testing

@testable import VoxModel

/// A training checkpoint resumes only the run whose parameters it holds.
@Suite struct TrainingCheckpointTests {
    @Test func aRunWithOtherParametersIsRefusedWithAClearError() throws {
        let root = NSTemporaryDirectory() + "vox-train-checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let rows = try (0..<12).map { index in
            let label = ["positive", "negative", "neutral"][index % 3]
            let object = ["text": "post \(index) \(label)", "label": label]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: root + "/rows.jsonl", atomically: true, encoding: .utf8)
        var options = TrainingOptions(outputDirectory: root + "/model")
        options.sentimentTrain = root + "/rows.jsonl"
        options.sentimentValidation = root + "/rows.jsonl"
        options.epochs = 1
        options.batchSize = 4
        options.tuning.loraRank = 4
        options.checkpointDirectory = root + "/checkpoint"
        let base = BertModel(config: TinyBertTests.config, weights: .random(TinyBertTests.config, seed: 5))
        _ = try Trainer(base: base, tokenizer: AuxiliaryTaskTests.ByteTokenizer(), options: options).run { _ in }
        // The same run again resumes (its checkpoint is complete, so it only writes the model).
        _ = try Trainer(base: base, tokenizer: AuxiliaryTaskTests.ByteTokenizer(), options: options).run { _ in }
        // Full fine-tuning trains other parameters: refused, naming the folder, instead of a missing tensor.
        options.tuning.loraRank = 0
        let other = try Trainer(base: base, tokenizer: AuxiliaryTaskTests.ByteTokenizer(), options: options)
        let error = try #require(throws: ModelError.self) { try other.run { _ in } }
        #expect(error.kind == .mismatch)
        #expect(error.message.contains(root + "/checkpoint") && error.message.contains("other parameters"))
    }
}
