import Foundation
import Testing
import VoxTestSupport

/// Job files: `vox replay --config` runs what the YAML says, the command line overrides it, `vox config check`
/// prints the effective configuration, and mistakes name their key and line.
@Suite struct JobConfigTests {
    private static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "vox-job-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func feed(at path: String) throws {
        let texts = ["Loving the new Acme phone", "Acme support is terrible", "Lunch time", "Great game tonight"]
        let formatter = ISO8601DateFormatter()
        let lines = (0..<40).map { index in
            let time = formatter.string(from: Date(timeIntervalSince1970: 1_795_824_000 + Double(index) * 180))
            return
                #"{"data":{"id":"\#(index)","text":"\#(texts[index % 4]) \#(index)","created_at":"\#(time)","lang":"en"}}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func rows(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func aJobFileRunsAndTheCommandLineOverridesIt() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.feed(at: root + "/feed.jsonl")
        let job = """
            sources: [\(root)/feed.jsonl]
            window: 30m
            out: \(root)/file
            watch:
              Acme: 'acme'
            dedupe: true
            alert:
              history: 5
            """
        try job.write(toFile: root + "/job.yaml", atomically: true, encoding: .utf8)
        let fromFile = try await ProcessRunner.run(VoxBinaryTests.binary, ["replay", "--config", root + "/job.yaml"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let rows = try Self.rows(root + "/file/windows.jsonl")
        let all = rows.filter { $0["topic"] as? String == "all" }
        #expect(all.count == 4, "two hours of posts in 30-minute windows")
        #expect(all.first?["window_end"] as? String == "2026-11-28T00:30:00.000Z")
        let acme = rows.filter { $0["topic"] as? String == "Acme" }.compactMap { $0["posts"] as? Int }
        #expect(acme.reduce(0, +) == 20)
        // The command line wins over the file: an hour's windows, another folder.
        let overridden = try await ProcessRunner.run(
            VoxBinaryTests.binary,
            ["replay", "--config", root + "/job.yaml", "--window", "1h", "--out", root + "/cli"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(try Self.rows(root + "/cli/windows.jsonl").filter { $0["topic"] as? String == "all" }.count == 2)

        let check = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["config", "check", root + "/job.yaml", "--for", "replay"])
        #expect(check.status == 0, "\(check.stderr)")
        for line in [
            "window: '30m'", "lateness: '5m'  # default", "dedupe: true", "alert-history: '5'", "  'Acme': 'acme'",
        ] {
            #expect(check.stdout.contains(line + "\n"), "\(line) in \(check.stdout)")
        }
    }

    @Test func mistakesNameTheirKeyAndLine() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (text, message) in [
            ("sources: [x]\nwindow: 1h\nalert:\n  histroy: 7\n", "line 4: unknown key 'alert-histroy'"),
            ("sources: [x]\ndedupe: maybe\n", "line 2: 'dedupe' is a flag: write true or false"),
            ("sources: [x]\nwindow: [1h, 2h]\n", "line 2: 'window' takes one value"),
            ("sources: [x]\n\nwindow: banana\n", "line 3: --window 'banana' is not a duration"),
            ("- just\n- a list\n", "a job file is a mapping of options"),
            ("window: 'unclosed\n", "is not valid YAML"),
        ] {
            try text.write(toFile: root + "/job.yaml", atomically: true, encoding: .utf8)
            let result = try await ProcessRunner.run(VoxBinaryTests.binary, ["config", "check", root + "/job.yaml"])
            #expect(result.status != 0, "\(text)")
            #expect(result.stderr.contains(message), "\(message) in \(result.stderr)")
        }
        // The same file errors the same way when a job is started with it.
        try "sources: [x]\nwindwo: 1h\n".write(toFile: root + "/job.yaml", atomically: true, encoding: .utf8)
        let run = try await ProcessRunner.run(VoxBinaryTests.binary, ["tail", "--config", root + "/job.yaml"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("line 2: unknown key 'windwo'"), "\(run.stderr)")
    }

    @Test func theDocumentedExampleIsValid() async throws {
        let example = InstallTests.root + "/Samples/job.yaml"
        let result = try await ProcessRunner.run(VoxBinaryTests.binary, ["config", "check", example, "--for", "tail"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("alert-webhook: 'https://hooks.example.com/vox'\n"))
        #expect(result.stdout.contains("reposts: 'collapse'\n"))
        // It is a tail job: replay has no --idle.
        let replay = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["config", "check", example, "--for", "replay"])
        #expect(replay.status != 0)
        #expect(replay.stderr.contains("unknown key 'idle'"))
    }
}
