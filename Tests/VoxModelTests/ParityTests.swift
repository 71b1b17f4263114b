import Foundation
import Testing

@testable import VoxModel

/// The real all-MiniLM-L6-v2 against an independent float64 NumPy forward pass (see
/// Benchmarks/reference/make_reference_embeddings.py). Needs `vox model pull` first (scripts/test.sh does it).
@Suite struct ParityTests {
    static let encoder: SentenceEncoder? = {
        let store = ModelStore()
        guard store.hasBaseModel else { return nil }
        return try? SentenceEncoder.load(directory: store.directory())
    }()

    static func requireEncoder() throws -> SentenceEncoder {
        try #require(encoder, "the base model is not installed: run `swift run vox model pull` (scripts/test.sh does)")
    }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TokenizerTests.fixture(name)))
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    static func references() throws -> [(text: String, ids: [Int32])] {
        try String(contentsOfFile: TokenizerTests.fixture("reference-texts.jsonl"), encoding: .utf8).split(
            separator: "\n"
        ).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (try #require(object["text"] as? String), try #require(object["ids"] as? [Int]).map(Int32.init))
        }
    }

    @Test func sentenceEmbeddingsMatchTheReferenceFor200Tweets() async throws {
        let encoder = try ParityTests.requireEncoder()
        let references = try ParityTests.references()
        let expected = try ParityTests.floats("reference-embeddings.f32")
        #expect(references.count == 200 && expected.count == 200 * 384)
        let embeddings = await encoder.embed(references.map(\.text))
        var worst: Float = 0
        var lowestCosine: Float = 1
        for (index, embedding) in embeddings.enumerated() {
            #expect(encoder.tokenizer.encode(references[index].text) == references[index].ids)
            let reference = expected[(index * 384)..<((index + 1) * 384)]
            var cosine: Float = 0
            for (a, b) in zip(embedding, reference) {
                worst = max(worst, abs(a - b))
                cosine += a * b
            }
            lowestCosine = min(lowestCosine, cosine)
        }
        #expect(worst <= 1e-4, "largest component difference \(worst)")
        #expect(lowestCosine >= 0.9999, "lowest cosine \(lowestCosine)")
    }

    @Test func everyLayerMatchesTheReferenceForOneTweet() throws {
        let encoder = try ParityTests.requireEncoder()
        let ids = try ParityTests.references()[0].ids
        let expected = try ParityTests.floats("reference-layers.f32")
        let width = 384 * ids.count
        #expect(expected.count == 7 * width)
        let workspace = BertModel.Workspace(config: encoder.model.config, maxSequence: 128)
        var trace = BertModel.Trace()
        encoder.model.forward(ids, workspace: workspace, trace: &trace)
        #expect(trace.hiddenStates.count == 7)
        #expect(trace.attentions.count == 6 && trace.attentions[0].count == 12 * ids.count * ids.count)
        for (layer, states) in trace.hiddenStates.enumerated() {
            let reference = expected[(layer * width)..<((layer + 1) * width)]
            let difference = zip(states, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(difference <= 2e-4, "layer \(layer): largest difference \(difference)")
        }
    }

    @Test func embeddingsAreBitwiseIdenticalAloneOrInAnyBatch() async throws {
        let encoder = try ParityTests.requireEncoder()
        let texts = try ParityTests.references().prefix(40).map(\.text)
        let batch = await encoder.embed(Array(texts))
        let reversed = await encoder.embed(Array(texts.reversed()))
        for (index, text) in texts.enumerated().prefix(6) {
            let alone = await encoder.embed([text])
            #expect(alone[0] == batch[index], "post \(index) alone differs from its batch result")
        }
        #expect(Array(reversed.reversed()) == batch)
    }
}
