import Foundation
import Testing
import VoxTestSupport

/// `vox doctor`: one line per check, a failing check makes the exit status non-zero, and sources are really tried.
@Suite struct DoctorTests {
    private static func lines(_ text: String) -> [String: [String]] {
        var byCheck: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            let outcome = String(line.prefix(5)).trimmingCharacters(in: .whitespaces)
            let check = String(line.dropFirst(5).prefix(20)).trimmingCharacters(in: .whitespaces)
            byCheck[check, default: []].append(outcome + " " + line.dropFirst(25))
        }
        return byCheck
    }

    @Test func reportsEachCheckAndFailsOnAnUnreachableSource() async throws {
        let server = try LoopbackHTTPServer { request in TestResponse.resource(Array("{}\n".utf8), for: request) }
        let out = NSTemporaryDirectory() + "vox-doctor-" + UUID().uuidString + "/out"
        let feed = InstallTests.root + "/Samples/Data/sample-feed.jsonl.gz"
        let healthy = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["doctor", feed, server.baseURL + "/feed.jsonl", "--out", out])
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        let checks = Self.lines(healthy.stdout)
        for check in ["cpu", "encoder", "model fast", "model multilingual", "output folder", "disk", "source", "cld2"] {
            #expect(checks[check]?.allSatisfy { $0.hasPrefix("ok ") } == true, "\(check): \(checks[check] ?? [])")
        }
        #expect(checks["encoder"]?.first?.contains("matches") == true)
        #expect(checks["source"]?.count == 2)
        #expect(checks["output folder"]?.first?.contains("can be created") == true)

        let broken = try await ProcessRunner.run(
            VoxBinaryTests.binary,
            ["doctor", "/nonexistent/feed.jsonl", "http://127.0.0.1:1/feed.jsonl", "--out", out, "--timeout", "2"])
        #expect(broken.status != 0)
        let failed = Self.lines(broken.stdout)["source"] ?? []
        #expect(failed.count == 2 && failed.allSatisfy { $0.hasPrefix("fail ") }, "\(failed)")
        #expect(failed.contains { $0.contains("Connection refused") })
    }
}
