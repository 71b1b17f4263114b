import Foundation
import Testing

@testable import VoxModel

/// A tiny random-weight BERT: shapes, determinism, batch invariance, and the checksum machinery.
@Suite struct TinyBertTests {
    static let config = BertConfig(
        hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64, vocabSize: 50,
        maxPositionEmbeddings: 64)

    @Test func batchesGiveBitwiseTheSameStatesAsSingleSequences() {
        let model = BertModel(config: TinyBertTests.config, weights: .random(TinyBertTests.config, seed: 42))
        let sequences: [[Int32]] = [[1, 5, 9, 2], [1, 7, 2], [1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 2], [1, 2]]
        let gang = WorkerGang(count: 2)
        let workspace = BertModel.Workspace(config: TinyBertTests.config, maxSequence: 64, workers: 2)
        model.forward(sequences, workspace: workspace, gang: gang)
        let together = Array(workspace.hiddenStates(tokens: sequences.map(\.count).reduce(0, +)))
        #expect(together.allSatisfy { $0.isFinite })
        var offset = 0
        for ids in sequences {
            let alone = BertModel.Workspace(config: TinyBertTests.config, maxSequence: 64)
            model.forward(ids, workspace: alone)
            #expect(
                Array(alone.hiddenStates(tokens: ids.count))
                    == Array(together[(offset * 32)..<((offset + ids.count) * 32)]))
            offset += ids.count
        }
    }

    @Test func traceRecordsEveryLayerAndRowStochasticAttention() {
        let model = BertModel(config: TinyBertTests.config, weights: .random(TinyBertTests.config, seed: 7))
        var trace = BertModel.Trace()
        model.forward(
            [1, 4, 8, 2], workspace: BertModel.Workspace(config: TinyBertTests.config, maxSequence: 64), trace: &trace)
        #expect(trace.hiddenStates.count == 3 && trace.hiddenStates.allSatisfy { $0.count == 4 * 32 })
        #expect(trace.attentions.count == 2 && trace.attentions[0].count == 4 * 4 * 4)
        for row in stride(from: 0, to: trace.attentions[1].count, by: 4) {
            #expect(abs(trace.attentions[1][row..<(row + 4)].reduce(0, +) - 1) < 1e-5)
        }
    }

    @Test func sha256MatchesKnownVectors() {
        func digest(_ text: String) -> String {
            var hash = SHA256()
            Array(text.utf8).withUnsafeBytes { hash.update($0) }
            return hash.hexDigest()
        }
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            digest(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func theStoreRefusesWeightsWithTheWrongChecksum() throws {
        let root = NSTemporaryDirectory() + "vox-store-\(UUID().uuidString)"
        let source = root + "/download/model"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for file in ["model.safetensors", "config.json", "tokenizer.json", "vocab.txt"] {
            try Data("not the real \(file)".utf8).write(to: URL(fileURLWithPath: source + "/" + file))
        }
        let store = ModelStore(root: root + "/cache")
        #expect(throws: ModelError.self) { try store.install(from: root + "/download") }
        #expect(!store.hasBaseModel)
        #expect(!FileManager.default.fileExists(atPath: store.directory()))
    }

    @Test func theSoakStandInIsDeterministicAndGivesProbabilities() async throws {
        let texts = ["Still waiting for my bag", "Loving the new album", "Nobody answers the phone"]
        let first = try TextClassifier.standIn(vocabularyFrom: texts)
        let second = try TextClassifier.standIn(vocabularyFrom: texts)
        #expect(first.artifact.heads.map(\.name) == ["sentiment", "topic"])
        let a = await first.classify(texts + ["words it never saw: zebra"], cached: false)
        let b = await second.classify(texts + ["words it never saw: zebra"], cached: false)
        #expect(a == b)
        for prediction in a {
            #expect(prediction.probabilities.map(\.count) == [3, HeadSpec.topicLabels.count])
            #expect(abs(prediction.probabilities[0].reduce(0, +) - 1) < 1e-5)
        }
        let other = try TextClassifier.standIn(vocabularyFrom: texts, seed: 2)
        let c = await other.classify(texts, cached: false)
        #expect(c != Array(a.prefix(3)))
    }
}
