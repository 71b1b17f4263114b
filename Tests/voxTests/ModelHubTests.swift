import Foundation
import Testing
import VoxModel
import VoxTestSupport

/// `vox model pull --source hub` against a hub served on 127.0.0.1 from the cached model: installed when the
/// weights' SHA-256 is right, refused when a byte is changed.
@Suite struct ModelHubTests {
    private func pull(hub: String, cache: String) async throws -> ProcessRunner.Outcome {
        try await ProcessRunner.run(
            VoxBinaryTests.binary, ["model", "pull", "--source", "hub", "--cache-dir", cache],
            environment: ["VOX_MODEL_HUB": hub])
    }

    @Test func pullsFromAHubAndChecksTheWeights() async throws {
        let store = ModelStore()
        try #require(store.hasBaseModel, "needs the cached base model (vox model pull)")
        var files: [String: [UInt8]] = [:]
        for name in ["config.json", "tokenizer.json", "vocab.txt", "model.safetensors"] {
            files[name] = try Array(Data(contentsOf: URL(fileURLWithPath: store.directory() + "/" + name)))
        }
        let original = files
        let tampered = files.merging([
            "model.safetensors": (files["model.safetensors"] ?? []).enumerated().map { $0 == 1000 ? $1 ^ 1 : $1 }
        ]) { $1 }
        let server = try LoopbackHTTPServer { request in
            let parts = request.path.split(separator: "/")
            let source = parts.first == "tampered" ? tampered : original
            guard let name = parts.last, let body = source[String(name)] else { return TestResponse(status: 404) }
            var response = TestResponse(status: 200, body: body)
            response.writeChunk = 1 << 20
            return response
        }
        let root = NSTemporaryDirectory() + "vox-hub-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let good = try await pull(hub: server.baseURL + "/good/", cache: root + "/good")
        #expect(good.status == 0)
        #expect(ModelStore(root: root + "/good").hasBaseModel)
        let bad = try await pull(hub: server.baseURL + "/tampered/", cache: root + "/bad")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("refusing to install it"))
        #expect(!ModelStore(root: root + "/bad").hasBaseModel)
    }
}
