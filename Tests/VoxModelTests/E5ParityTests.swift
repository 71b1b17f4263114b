import Foundation
import Testing

@testable import VoxModel

/// multilingual-e5-small as Vox converts and runs it, against independent NumPy references
/// (Benchmarks/reference/make_e5_reference.py): the dequantised tensors, and float64 sentence embeddings of
/// 200 tweets in 8 languages. Needs `vox model pull multilingual-e5-small` (scripts/test.sh does).
@Suite(.serialized) struct E5ParityTests {
    static let folder = ModelStore().directory(of: ModelStore.e5Name)

    static let encoder: SentenceEncoder? = try? SentenceEncoder.load(directory: folder)

    static func requireEncoder() throws -> SentenceEncoder {
        try #require(
            encoder,
            "multilingual-e5-small is not installed: run `vox model pull multilingual-e5-small` (scripts/test.sh does)")
    }

    static func references() throws -> [(text: String, ids: [Int32])] {
        try String(contentsOfFile: TokenizerTests.fixture("e5-reference-texts.jsonl"), encoding: .utf8).split(
            separator: "\n"
        ).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (try #require(object["text"] as? String), try #require(object["ids"] as? [Int]).map(Int32.init))
        }
    }

    /// Every converted tensor has the reference reader's shape, exact sampled values, sum and sum of squares.
    @Test func theConversionMatchesAnIndependentReader() throws {
        let file = try SafeTensors(path: E5ParityTests.folder + "/model.safetensors")
        let data = try Data(contentsOf: URL(fileURLWithPath: try TokenizerTests.fixture("e5-conversion-golden.json")))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tensors = try #require(root["tensors"] as? [String: [String: Any]])
        #expect(tensors.count == 197 && file.tensors.count == 197)
        for (name, golden) in tensors {
            let shape = try #require(golden["shape"] as? [Int])
            let values = try file.floats(name, shape: shape)
            for (index, value) in try #require(golden["values"] as? [String: Double]) {
                let at = try #require(Int(index))
                // The reference values are float32 numbers; JSON parsing may be off in the 17th digit.
                #expect(values[at] == Float(value), "\(name)[\(at)]")
            }
            var sum = 0.0
            var squares = 0.0
            values.withUnsafeBufferPointer { buffer in
                for value in buffer {
                    sum += Double(value)
                    squares += Double(value) * Double(value)
                }
            }
            let expectedSquares = try #require(golden["sum_squares"] as? Double)
            #expect(abs(sum - (try #require(golden["sum"] as? Double))) <= 1e-9 * expectedSquares.squareRoot() * 1e3)
            #expect(abs(squares - expectedSquares) <= 1e-9 * expectedSquares)
        }
    }

    @Test func sentenceEmbeddingsMatchTheReferenceFor200TweetsIn8Languages() async throws {
        let encoder = try E5ParityTests.requireEncoder()
        let references = try E5ParityTests.references()
        let expected = try ParityTests.floats("e5-reference-embeddings.f32")
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
        let encoder = try E5ParityTests.requireEncoder()
        let ids = try E5ParityTests.references()[0].ids
        let expected = try ParityTests.floats("e5-reference-layers.f32")
        let width = 384 * ids.count
        #expect(expected.count == 13 * width)
        let workspace = BertModel.Workspace(config: encoder.model.config, maxSequence: 128)
        var trace = BertModel.Trace()
        encoder.model.forward(ids, workspace: workspace, trace: &trace)
        #expect(trace.hiddenStates.count == 13)
        for (layer, states) in trace.hiddenStates.enumerated() {
            let reference = expected[(layer * width)..<((layer + 1) * width)]
            let scale = reference.map { abs($0) }.max() ?? 1
            let difference = zip(states, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(
                difference <= 2e-5 * max(scale, 1), "layer \(layer): largest difference \(difference) (scale \(scale))")
        }
    }

    @Test func embeddingsAreBitwiseIdenticalAloneOrInAnyBatch() async throws {
        let encoder = try E5ParityTests.requireEncoder()
        let texts = try E5ParityTests.references().map(\.text).enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
        let batch = await encoder.embed(texts)
        let reversed = await encoder.embed(Array(texts.reversed()))
        for (index, text) in texts.enumerated().prefix(4) {
            let alone = await encoder.embed([text])
            #expect(alone[0] == batch[index], "post \(index) alone differs from its batch result")
        }
        #expect(Array(reversed.reversed()) == batch)
    }
}
