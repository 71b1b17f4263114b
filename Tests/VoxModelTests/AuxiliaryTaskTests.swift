import Foundation
import Testing

@testable import VoxModel

/// `vox train --aux`: parsing, head labels, and a tiny training run in which the auxiliary head is trained and scored
/// but left out of the saved model and of the epoch's score.
@Suite struct AuxiliaryTaskTests {
    /// Bytes as ids (mod the tiny vocabulary), between `[CLS]` 1 and `[SEP]` 2.
    struct ByteTokenizer: TextTokenizer {
        var maxLength: Int { 24 }
        var vocabularySize: Int { TinyBertTests.config.vocabSize }
        func encode(_ text: String) -> [Int32] {
            [1] + text.utf8.prefix(maxLength - 2).map { Int32($0) % 47 + 3 } + [2]
        }
    }

    @Test func aNameAloneNamesTheFilesInTheFolderAndPathsCanBeGiven() throws {
        #expect(
            try AuxiliaryTask.parse("emoji", directory: "data/aux")
                == AuxiliaryTask(
                    name: "emoji", train: "data/aux/emoji-train.jsonl", validation: "data/aux/emoji-val.jsonl"))
        #expect(
            try AuxiliaryTask.parse("irony=a.jsonl,b.jsonl:c.jsonl", directory: "x")
                == AuxiliaryTask(name: "irony", train: "a.jsonl,b.jsonl", validation: "c.jsonl"))
        #expect(try AuxiliaryTask.parse("irony=a.jsonl", directory: "x").validation == nil)
        #expect(try AuxiliaryTask.parse("irony", directory: "x").headName == "aux.irony")
        for bad in ["", "=a.jsonl", "emo ji", "emoji=", "emoji=a.jsonl:", "emoji=:v.jsonl"] {
            #expect(throws: ModelError.self, "'\(bad)'") { try AuxiliaryTask.parse(bad, directory: "x") }
        }
    }

    @Test func theHeadHasTheSortedLabelsOfItsRowsAndNeedsTwoOfThem() throws {
        let task = AuxiliaryTask(name: "irony", train: "irony.jsonl")
        let rows = [
            LabeledText(text: "a", labels: ["non_irony"]), LabeledText(text: "b", labels: ["irony"]),
            LabeledText(text: "c", labels: ["non_irony"]),
        ]
        let spec = try task.spec(rows: rows, pooling: .mean)
        #expect(spec.name == "aux.irony" && spec.labels == ["irony", "non_irony"] && spec.kind == .softmax)
        #expect(throws: ModelError.self) { try task.spec(rows: Array(rows.prefix(1)), pooling: .mean) }
        #expect(throws: ModelError.self) {
            try task.spec(rows: rows + [LabeledText(text: "d", labels: ["irony", "non_irony"])], pooling: .mean)
        }
    }

    private static func write(_ rows: [(String, String)], to path: String) throws {
        let lines = try rows.map { text, label in
            String(decoding: try JSONSerialization.data(withJSONObject: ["text": text, "label": label]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func theAuxiliaryHeadIsTrainedAndScoredButNotSaved() throws {
        let root = NSTemporaryDirectory() + "vox-aux-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let words = ["great day", "awful news", "ok then", "love it", "hate this", "fine I guess"]
        let sentiment = (0..<24).map { index in
            (words[index % 6] + " \(index)", ["positive", "negative", "neutral"][index % 3])
        }
        try AuxiliaryTaskTests.write(sentiment, to: root + "/sentiment.jsonl")
        let irony = (0..<16).map { index in
            ("sure, \(words[index % 6]) \(index)", index % 2 == 0 ? "irony" : "non_irony")
        }
        try AuxiliaryTaskTests.write(irony, to: root + "/irony.jsonl")

        var options = TrainingOptions(outputDirectory: root + "/model")
        options.sentimentTrain = root + "/sentiment.jsonl"
        options.sentimentValidation = root + "/sentiment.jsonl"
        options.auxiliary = [
            AuxiliaryTask(name: "irony", train: root + "/irony.jsonl", validation: root + "/irony.jsonl")
        ]
        options.auxiliaryLimit = 12
        options.auxiliaryWeight = 0.5
        options.epochs = 1
        options.batchSize = 4
        options.tuning.loraRank = 0
        let base = BertModel(config: TinyBertTests.config, weights: .random(TinyBertTests.config, seed: 3))
        let trainer = try Trainer(base: base, tokenizer: ByteTokenizer(), options: options)
        #expect(trainer.tasks.map(\.head.spec.name) == ["sentiment", "aux.irony"])
        #expect(trainer.tasks[1].ids.count == 12)
        #expect(trainer.batches(epoch: 0).filter { $0.task == 1 }.count == 3)

        let artifact = try trainer.run { _ in }
        #expect(artifact.heads.map(\.name) == ["sentiment"])
        #expect(artifact.metrics["aux.irony.macro_f1"] != nil && artifact.metrics["sentiment.macro_recall"] != nil)
        #expect(artifact.training["auxiliary"] == "irony" && artifact.training["auxiliary_weight"] == "0.5")
        let saved = try ClassifierArtifact.load(directory: root + "/model")
        #expect(saved.heads.map(\.name) == ["sentiment"])
        let weights = try SafeTensors(path: root + "/model/weights.safetensors")
        #expect(weights.tensors.keys.contains("heads.sentiment.weight"))
        #expect(!weights.tensors.keys.contains { $0.hasPrefix("heads.aux.") })

        // A label the training rows lack is refused in the auxiliary validation file with the file named.
        try AuxiliaryTaskTests.write([("x", "sarcasm")], to: root + "/irony-val.jsonl")
        options.auxiliary[0].validation = root + "/irony-val.jsonl"
        let unknown = try Trainer(base: base, tokenizer: ByteTokenizer(), options: options)
        #expect(throws: ModelError.self) { try unknown.run { _ in } }
    }
}
