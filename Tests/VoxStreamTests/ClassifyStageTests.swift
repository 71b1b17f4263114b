import Foundation
import Testing
import VoxDefaultModel
import VoxModel

@testable import VoxStream

/// The pipeline refuses a model whose sentiment head is missing or not negative/neutral/positive: before, such a
/// model replayed every post as neutral with confidence 1.0.
@Suite struct ClassifyStageTests {
    /// The bundled model copied with its heads changed by `change`.
    private static func variant(_ change: ([[String: Any]]) -> [[String: Any]]) throws -> TextClassifier? {
        let store = ModelStore()
        guard store.hasBaseModel, let bundled = BundledModel.standard.directory else { return nil }
        let directory = NSTemporaryDirectory() + "vox-stage-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: bundled, toPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vox-model.json"
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        object["heads"] = change(try #require(object["heads"] as? [[String: Any]]))
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return try TextClassifier.load(directory: directory, baseDirectory: store.directory())
    }

    @Test func aModelWithoutASentimentHeadIsRefused() throws {
        guard let topicOnly = try Self.variant({ $0.filter { $0["name"] as? String != "sentiment" } }) else {
            Issue.record("the base model is not installed: run `swift run vox model pull` (scripts/test.sh does)")
            return
        }
        let error = #expect(throws: ModelError.self) { try ClassifyStage(classifier: topicOnly) }
        #expect(error?.message.contains("has no sentiment head") == true, "\(error?.message ?? "")")
        let reordered = try #require(
            try Self.variant({ heads in
                heads.map { head in
                    var head = head
                    if head["name"] as? String == "sentiment" { head["labels"] = ["positive", "neutral", "negative"] }
                    return head
                }
            }))
        let wrongOrder = #expect(throws: ModelError.self) { try ClassifyStage(classifier: reordered) }
        #expect(wrongOrder?.message.contains("positive, neutral, negative") == true)
        #expect(throws: Never.self) {
            _ = try ClassifyStage(classifier: try #require(try Self.variant({ $0 })))
        }
    }
}
