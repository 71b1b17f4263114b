import Foundation
import Testing
import VoxModel
import VoxTestSupport

/// `vox model pull --source hub` against a hub served on 127.0.0.1 from the cached model: installed when the
/// weights' SHA-256 is right, refused when a byte is changed.
@Suite struct ModelHubTests {
    private func pull(hub: String, cache: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
        process.arguments = ["model", "pull", "--source", "hub", "--cache-dir", cache]
        process.environment = ProcessInfo.processInfo.environment.merging(["VOX_MODEL_HUB": hub]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func pullsFromAHubAndChecksTheWeights() throws {
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
        let good = try pull(hub: server.baseURL + "/good/", cache: root + "/good")
        #expect(good.status == 0)
        #expect(ModelStore(root: root + "/good").hasBaseModel)
        let bad = try pull(hub: server.baseURL + "/tampered/", cache: root + "/bad")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("refusing to install it"))
        #expect(!ModelStore(root: root + "/bad").hasBaseModel)
    }
}
