import ArgumentParser
import Foundation
import Testing
import VoxFeeds

@testable import vox

@Suite struct VoxCommandTests {
    @Test func helpListsEverySubcommandWithAnExample() {
        let help = VoxCommand.helpMessage()
        for name in ["cat", "bench"] { #expect(help.contains(name)) }
        #expect(CatCommand.helpMessage().contains("vox cat "))
        #expect(BenchCommand.helpMessage().contains("vox bench ingest"))
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

/// The built `vox` binary, run as a user would.
@Suite struct VoxBinaryTests {
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug/vox").path
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }

    @Test func catPrintsTheSampleFeedWithExactStats() throws {
        let stats = NSTemporaryDirectory() + "vox-stats-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: stats) }
        let result = try run(["cat", "--sample", "--stats", stats])
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

    @Test func catExitsNonZeroWhenASourceCannotBeRead() throws {
        let result = try run(["cat", "http://127.0.0.1:9/feed.jsonl", "--retries", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:9/feed.jsonl"))
        let missing = try run(["cat", "/nonexistent/feed.jsonl"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no such file or folder: /nonexistent/feed.jsonl"))
    }

    @Test func embedPrintsNormalisedEmbeddingsAndTokens() throws {
        let input = NSTemporaryDirectory() + "vox-embed-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: input) }
        try Data("{\"text\": \"I love this!\"}\nplain text line\n".utf8).write(to: URL(fileURLWithPath: input))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\"$0\" embed --tokens < \"$1\"", VoxBinaryTests.binary, input]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let embedding = try #require(first["embedding"] as? [Double])
        #expect(embedding.count == 384)
        #expect(abs(embedding.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        #expect(first["tokens"] as? [Int] == [101, 1045, 2293, 2023, 999, 102])
    }

    @Test func catReadsStandardInput() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
        process.arguments = ["cat", "-", "--profile", "generic"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(
            Data(#"{"id":"a","text":"from stdin","created_at":1764324000}\#n{"broken"\#n"#.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self).contains(#""id":"a","text":"from stdin""#))
    }

    @Test func watchCheckValidatesAndMatches() throws {
        let folder = NSTemporaryDirectory() + "vox-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "topics:\n  Delta: '(@Delta OR delta) AND NOT \"delta variant\"'\n".write(
            toFile: folder + "/ok.yaml", atomically: true, encoding: .utf8)
        try "topics:\n  Bad: '(a OR b'\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let ok = try run([
            "watch", "check", folder + "/ok.yaml", "--text", "Delta lost my bag", "--text", "the delta variant",
        ])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains(#""Delta lost my bag" matches: Delta"#))
        #expect(ok.stdout.contains(#""the delta variant" matches: no topic"#))
        let bad = try run(["watch", "check", folder + "/bad.yaml"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("watch topic 'Bad': expected ')' at character 7"))
    }

    @Test func versionIsPrinted() throws {
        #expect(try run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}
