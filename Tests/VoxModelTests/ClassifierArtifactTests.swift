import Foundation
import Testing

@testable import VoxModel

/// `vox-model.json` records the base encoder its heads were trained on, and loading refuses any other encoder.
@Suite struct ClassifierArtifactTests {
    private static func artifact(base: String) -> ClassifierArtifact {
        ClassifierArtifact(
            id: "test", version: "1", fineTuning: FineTuning(),
            heads: [
                HeadSpec(name: "sentiment", labels: HeadSpec.sentimentLabels, pooling: .mean)
            ], baseModel: base)
    }

    /// A base folder as `vox model pull` leaves it: e5's carries `vox-encoder.json`, MiniLM's none.
    private static func baseFolder(describing name: String?) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vox-base-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let name {
            try EncoderDescription(name: name, textPrefix: "query: ", source: "test", conversion: "none").write(
                to: folder)
        }
        return folder
    }

    @Test func theArtifactRecordsItsEncoderAndThatEncodersDigest() {
        let minilm = ClassifierArtifactTests.artifact(base: ModelStore.baseModelName)
        #expect(minilm.baseSHA256 == ModelStore.baseModelSHA256)
        let e5 = ClassifierArtifactTests.artifact(base: ModelStore.e5Name)
        #expect(e5.baseModel == ModelStore.e5Name)
        #expect(e5.baseSHA256 == ModelStore.e5WeightsSHA256)
    }

    @Test func headsLoadOnlyOnTheEncoderTheyWereTrainedOn() throws {
        let e5Folder = try ClassifierArtifactTests.baseFolder(describing: ModelStore.e5Name)
        let minilmFolder = try ClassifierArtifactTests.baseFolder(describing: nil)
        defer {
            try? FileManager.default.removeItem(atPath: e5Folder)
            try? FileManager.default.removeItem(atPath: minilmFolder)
        }
        let e5 = ClassifierArtifactTests.artifact(base: ModelStore.e5Name)
        let minilm = ClassifierArtifactTests.artifact(base: ModelStore.baseModelName)
        try e5.checkBase(e5Folder)
        try minilm.checkBase(minilmFolder)
        let wrongBase = #expect(throws: ModelError.self) { try minilm.checkBase(e5Folder) }
        #expect(wrongBase?.kind == .mismatch)
        #expect(wrongBase?.message.contains("trained on all-MiniLM-L6-v2") == true)
        #expect(wrongBase?.message.contains("holds multilingual-e5-small") == true)
        #expect(throws: ModelError.self) { try e5.checkBase(minilmFolder) }
    }

    @Test func aTamperedDigestIsRefusedEvenWithTheRightName() throws {
        let folder = try ClassifierArtifactTests.baseFolder(describing: ModelStore.e5Name)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var artifact = ClassifierArtifactTests.artifact(base: ModelStore.e5Name)
        artifact.baseSHA256 = String(repeating: "0", count: 64)
        #expect(throws: ModelError.self) { try artifact.checkBase(folder) }
    }

    @Test func theBaseFieldsSurviveARoundTripThroughTheFile() throws {
        let folder = try ClassifierArtifactTests.baseFolder(describing: nil)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let artifact = ClassifierArtifactTests.artifact(base: ModelStore.e5Name)
        try artifact.save(directory: folder)
        let text = try String(contentsOfFile: folder + "/vox-model.json", encoding: .utf8)
        #expect(text.contains("\"base_model\" : \"multilingual-e5-small\""))
        #expect(try ClassifierArtifact.load(directory: folder) == artifact)
    }
}
