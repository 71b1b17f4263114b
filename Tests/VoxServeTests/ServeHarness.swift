import Foundation
import Testing
import VoxTestSupport

@testable import VoxServe

/// Shared helpers: a private copy of the fixture run folder, a server over it on a free port, and JSON helpers.
enum ServeHarness {
    /// The fixture run folder (see `Fixtures/README.md`).
    static var fixtureRun: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "Fixtures/run", withExtension: nil))
        }
    }

    /// A fresh temporary folder holding a copy of the fixture run.
    static func copyOfRun() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vox-serve-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: try fixtureRun, to: folder)
        return folder.path
    }

    /// Starts a server over `directory` on a free loopback port, reading the folder every 50 ms.
    static func start(_ directory: String, metrics: MetricsSource = .runFile) async throws -> RunningServer {
        var configuration = DashboardServer.Configuration()
        configuration.port = 0
        configuration.refresh = .milliseconds(50)
        configuration.poll = .milliseconds(20)
        return try await DashboardServer(directory: directory, metrics: metrics, configuration: configuration).start()
    }

    /// The JSON objects of a JSON Lines file.
    static func objects(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The JSON array of a response body.
    static func array(_ response: LoopbackHTTPClient.Response) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
    }

    /// Appends `line` and a newline to the file at `path`.
    static func append(_ line: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
        try handle.close()
    }

    /// GET on a background thread, so a test's async context is not blocked by the socket.
    static func get(
        _ port: Int, _ path: String, headers: [(String, String)] = [], timeout: Double = 60,
        until done: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }
    ) async throws -> LoopbackHTTPClient.Response {
        try await ProcessRunner.offPool {
            try LoopbackHTTPClient.get(port: port, path, headers: headers, timeout: timeout, until: done)
        }
    }
}
