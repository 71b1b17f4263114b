import Foundation
import Testing
import VoxTestSupport

/// `vox tail` as a service: JSON log lines for the journal, `--log-level`, a graceful stop on SIGTERM with exit 0,
/// a non-zero exit with a critical line when the job cannot run, and a unit file whose commands `vox` accepts.
@Suite struct ServiceTests {
    private static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "vox-service-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON line: \($0)")
        }
    }

    @Test func tailLogsJSONLinesAndStopsGracefullyOnSIGTERM() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(
            atPath: InstallTests.root + "/Samples/Data/sample-feed.jsonl.gz", toPath: root + "/feed.jsonl.gz")
        let outcome = try await ProcessRunner.offPool { () -> (Int32, String) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
            process.arguments = [
                "tail", root + "/feed.jsonl.gz", "--out", root + "/out", "--idle", "1s", "--log-format", "json",
            ]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // Stop once the whole file is read (run.json counts its 2,000 posts), as systemd would.
            let deadline = Date(timeIntervalSinceNow: 120)
            while Date() < deadline {
                if let data = FileManager.default.contents(atPath: root + "/out/run.json"),
                    String(decoding: data, as: UTF8.self).contains(#""posts":2000"#)
                {
                    break
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            kill(process.processIdentifier, SIGTERM)
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        #expect(outcome.0 == 0, "a graceful stop exits 0: \(outcome.1)")
        let lines = try Self.objects(outcome.1)
        #expect(
            lines.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true && $0["label"] as? String == "vox.tail" }
        )
        #expect(
            lines.contains {
                $0["level"] as? String == "notice" && ($0["message"] as? String)?.hasPrefix("stopping") == true
            })
        let stopped = try #require(lines.last)
        #expect(stopped["level"] as? String == "info")
        #expect(stopped["posts"] as? Int == 2000)
        #expect(stopped["windows"] as? Int == 24)
    }

    @Test func aJobThatCannotRunExitsNonZeroWithACriticalLine() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try await ProcessRunner.run(
            VoxBinaryTests.binary,
            ["tail", root + "/missing.jsonl", "--out", root + "/out", "--log-format", "json"], timeout: 60)
        #expect(result.status != 0)
        let lines = try Self.objects(result.stderr)
        #expect(lines.last?["level"] as? String == "critical")
        #expect((lines.last?["message"] as? String)?.contains("missing.jsonl") == true)
        // --log-level warning keeps info lines out; a bad level is refused.
        let quiet = try await ProcessRunner.run(
            VoxBinaryTests.binary,
            ["tail", root + "/missing.jsonl", "--out", root + "/out", "--log-format", "json", "--log-level", "error"])
        #expect(try Self.objects(quiet.stderr).allSatisfy { ["error", "critical"].contains($0["level"] as? String) })
        let refused = try await ProcessRunner.run(VoxBinaryTests.binary, ["tail", "x", "--log-level", "loud"])
        #expect(refused.status != 0 && refused.stderr.contains("--log-level must be one of"))
    }

    @Test func theUnitFilesCommandsAreOnesVoxAccepts() async throws {
        let unit = try String(contentsOfFile: InstallTests.root + "/Samples/vox-tail.service", encoding: .utf8)
        for setting in ["Restart=on-failure", "KillSignal=SIGTERM", "StandardError=journal"] {
            #expect(unit.contains(setting + "\n"), "\(setting)")
        }
        let help = try await ProcessRunner.run(VoxBinaryTests.binary, ["tail", "--help"])
        let checkHelp = try await ProcessRunner.run(VoxBinaryTests.binary, ["config", "check", "--help"])
        for line in unit.split(separator: "\n") where line.hasPrefix("ExecStart") {
            let words = line.split(separator: "=", maxSplits: 1)[1].split(separator: " ")
            let options = words.filter { $0.hasPrefix("--") }.map(String.init)
            #expect(!options.isEmpty)
            for option in options {
                #expect(help.stdout.contains(option) || checkHelp.stdout.contains(option), "\(option) in \(line)")
            }
        }
    }
}
