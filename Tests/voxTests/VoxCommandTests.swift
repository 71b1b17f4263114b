import ArgumentParser
import Foundation
import Testing
import VoxFeeds
import VoxTestSupport

@testable import vox

@Suite struct VoxCommandTests {
    @Test func helpListsEverySubcommandWithAnExample() {
        let help = VoxCommand.helpMessage()
        for name in ["cat", "bench"] { #expect(help.contains(name)) }
        #expect(CatCommand.helpMessage().contains("vox cat "))
        #expect(BenchCommand.helpMessage().contains("vox bench ingest"))
    }

    /// Durations overflowing Int64 or beyond ten years are refused at the boundary, never a trap.
    @Test func durationsHaveOneSupportedRange() throws {
        #expect(DurationParser.milliseconds("90s") == 90_000)
        #expect(DurationParser.milliseconds("3650d") == DurationParser.longest)
        for text in ["3651d", "9999999999999999d", "9223372036854775807ms", "-1h", "1.5h", "h"] {
            #expect(DurationParser.milliseconds(text) == nil, "\(text)")
        }
        for arguments in [
            ["--sample", "--window", "9999999999999999d"], ["--sample", "--lateness", "5000d"],
            ["--sample", "--slide", "106751991167d"],
        ] {
            #expect(throws: (any Error).self) { try ReplayCommand.parse(arguments) }
        }
        #expect(throws: (any Error).self) { try ReportCommand.parse(["--in", "vox-out", "--every", "4000d"]) }
    }

    /// Header values may hold tokens: errors name the header, never the value; a line break is refused.
    @Test func headersAndAlertOptionsAreCheckedWithoutEchoingSecrets() {
        for header in ["NoColonButSecret-abc123", "X-Token: abc123\r\nEvil: 1", "X-Token: abc123\n", ": abc123"] {
            do {
                _ = try CatCommand.parse(["x.jsonl", "--header", header])
                Issue.record("accepted \(header.debugDescription)")
            } catch {
                let message = CatCommand.message(for: error)
                #expect(!message.contains("abc123"), "\(message)")
            }
        }
        for arguments in [
            ["--alert-significance", "nan"], ["--alert-significance", "0"], ["--alert-significance", "1"],
            ["--alert-min-posts", "-3"], ["--alert-cooldown", "-1"], ["--alert-season", "hourly"],
            ["--alert-warmup", "9"], ["--alert-history", "0"], ["--alert-history", "5000"],
            ["--alert-min-ratio", "0.5"],
            ["--alert-min-change", "1"], ["--alert-min-excess", "-1"],
        ] {
            #expect(throws: (any Error).self) { try ReplayCommand.parse(["--sample"] + arguments) }
        }
    }

    @Test func catNeedsASource() {
        #expect(throws: (any Error).self) { try CatCommand.parse([]) }
        #expect(throws: (any Error).self) { try CatCommand.parse(["--sample", "--time-format", "fortnightly"]) }
        #expect(throws: (any Error).self) { try CatCommand.parse(["x.jsonl", "--header", "NoColon"]) }
    }

    @Test func serveNeedsAnExistingFolderAndAValidPort() throws {
        #expect(VoxCommand.helpMessage().contains("serve"))
        #expect(ServeCommand.helpMessage().contains("vox serve --in vox-out --port 8080"))
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--in", "/nonexistent/vox-out"]) }
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--in", folder, "--port", "70000"]) }
        let command = try ServeCommand.parse(["--in", folder, "--port", "0", "--host", "0.0.0.0"])
        #expect(command.port == 0)
        #expect(command.host == "0.0.0.0")
        #expect(throws: (any Error).self) { try TailCommand.parse(["feed.jsonl", "--serve", "-1"]) }
        #expect(try TailCommand.parse(["feed.jsonl", "--serve", "0"]).serving.serve == 0)
        #expect(try ReplayCommand.parse(["--sample", "--serve", "8081"]).serving.serve == 8081)
    }

    @Test func catParsesItsOptions() throws {
        let command = try CatCommand.parse([
            "a.jsonl", "--profile", "reddit", "--follow", "--header", "X-A: 1", "--retries", "2",
        ])
        #expect(command.sources == ["a.jsonl"])
        let options = try command.feed.feedOptions()
        #expect(options.profile == "reddit")
        #expect(options.follow)
        #expect(options.http.headers == ["X-A: 1"])
        #expect(options.http.maxRetries == 2)
    }
}

/// The built `vox` binary, run as a user would: `.build/debug/vox`, or `VOX_TEST_BINARY` (the sanitizer runs point
/// it at their own build, and the long soak at a copy that rebuilding cannot replace mid-run).
@Suite struct VoxBinaryTests {
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["VOX_TEST_BINARY"], !path.isEmpty { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug/vox").path
    }

    private func run(_ arguments: [String]) async throws -> ProcessRunner.Outcome {
        try await ProcessRunner.run(VoxBinaryTests.binary, arguments)
    }

    @Test func catPrintsTheSampleFeedWithExactStats() async throws {
        let stats = NSTemporaryDirectory() + "vox-stats-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: stats) }
        let result = try await run(["cat", "--sample", "--stats", stats])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2000)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["created_at"] as? String == "2026-11-28T00:00:08.270Z")
        #expect(first?["source"] as? String == "x-v2")
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats))) as? [String: Any]
        #expect(summary?["lines"] as? Int == 2000)
        #expect(summary?["posts"] as? Int == 2000)
        #expect(summary?["dead_letters"] as? [String: Int] == [:])
        #expect(result.stderr.contains("2000 lines: 2000 posts, 0 skipped, 0 dead letters"))
    }

    /// A full disk is an error with a message and a non-zero exit, never a silent stop with status 0.
    @Test func catFailsWhenItsOutputCannotBeWritten() async throws {
        let outcome = try await ProcessRunner.offPool { () throws -> (Int32, String) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
            process.arguments = ["cat", "--sample"]
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        #expect(outcome.0 != 0)
        #expect(outcome.1.contains("cannot write to standard output: No space left on device"), "\(outcome.1)")
        // The pipeline's dead-letter file on a full disk ends the run with the reason, not with counts it did not write.
        let folder = NSTemporaryDirectory() + "vox-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #"{"data":{"id":"1","text":"hi","created_at":"2026-11-28T10:00:00Z"}}\#n{broken\#n"#.write(
            toFile: folder + "/feed.jsonl", atomically: true, encoding: .utf8)
        let replay = try await run([
            "replay", folder + "/feed.jsonl", "--out", folder + "/out", "--dead-letter", "/dev/full",
        ])
        #expect(replay.status != 0)
        #expect(replay.stderr.contains("cannot write to /dev/full"), "\(replay.stderr)")
        // A reader that goes away early (`| head`) is not a failure.
        let piped = try await ProcessRunner.run(
            "/bin/bash", ["-c", "set -o pipefail; '\(VoxBinaryTests.binary)' cat --sample | head -c 10"])
        #expect(piped.status == 0 && piped.stdout.count == 10)
    }

    @Test func catExitsNonZeroWhenASourceCannotBeRead() async throws {
        let result = try await run(["cat", "http://127.0.0.1:9/feed.jsonl", "--retries", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:9/feed.jsonl"))
        let missing = try await run(["cat", "/nonexistent/feed.jsonl"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no such file or folder: /nonexistent/feed.jsonl"))
    }

    @Test func embedPrintsNormalisedEmbeddingsAndTokens() async throws {
        let input = NSTemporaryDirectory() + "vox-embed-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: input) }
        try Data("{\"text\": \"I love this!\"}\nplain text line\n".utf8).write(to: URL(fileURLWithPath: input))
        // Standard input redirected from a file, as a shell user would.
        let result = try await ProcessRunner.run(
            "/bin/sh", ["-c", "\"$0\" embed --tokens < \"$1\"", VoxBinaryTests.binary, input])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let embedding = try #require(first["embedding"] as? [Double])
        #expect(embedding.count == 384)
        #expect(abs(embedding.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        #expect(first["tokens"] as? [Int] == [101, 1045, 2293, 2023, 999, 102])
    }

    @Test func catReadsStandardInput() async throws {
        let result = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["cat", "-", "--profile", "generic"],
            input: Data(#"{"id":"a","text":"from stdin","created_at":1764324000}\#n{"broken"\#n"#.utf8))
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""id":"a","text":"from stdin""#))
    }

    @Test func watchCheckValidatesAndMatches() async throws {
        let folder = NSTemporaryDirectory() + "vox-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "topics:\n  Delta: '(@Delta OR delta) AND NOT \"delta variant\"'\n".write(
            toFile: folder + "/ok.yaml", atomically: true, encoding: .utf8)
        try "topics:\n  Bad: '(a OR b'\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let ok = try await run([
            "watch", "check", folder + "/ok.yaml", "--text", "Delta lost my bag", "--text", "the delta variant",
        ])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains(#""Delta lost my bag" matches: Delta"#))
        #expect(ok.stdout.contains(#""the delta variant" matches: no topic"#))
        let bad = try await run(["watch", "check", folder + "/bad.yaml"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("watch topic 'Bad': expected ')' at character 7"))
    }

    @Test func serveRefusesCSVOnlyWindows() async throws {
        let folder = NSTemporaryDirectory() + "vox-csv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try await run(["replay", "--sample", "--format", "csv", "--serve", "0", "--out", folder])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--serve reads the windows from windows.jsonl: use --format both or jsonl"))
    }

    @Test func versionIsPrinted() async throws {
        #expect(try await run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}
