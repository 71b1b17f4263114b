import Foundation
import Testing

@testable import VoxFeeds

@Suite struct DeadLetterTests {
    @Test func everyLineEndsInExactlyOnePlace() async throws {
        let result = try await FeedHarness.collect(
            [try FeedHarness.fixture("dead-letters.jsonl")], options: FeedHarness.options())
        let counts = result.stats.deadLetters
        #expect(result.stats.lines == 17)
        #expect(result.posts.map(\.id) == ["ok1", "ok2"])
        #expect(counts[.invalidJSON] == 4)
        #expect(counts[.wrongType] == 4)
        #expect(counts[.missingText] == 2)
        #expect(counts[.missingTime] == 2)
        #expect(counts[.badTime] == 2)
        #expect(counts[.invalidUTF8] == 1)
        #expect(result.balanced)
        let utf8 = try #require(result.deadLetters.first { $0.reason == .invalidUTF8 })
        #expect(utf8.line == 18)
        #expect(utf8.snippet.contains("bad"))
        #expect(result.deadLetters.map(\.line) == Array(2...14) + [18, 19])
    }

    @Test func overlongLinesAreDeadLettersAndTheStreamGoesOn() async throws {
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let long = #"{"id":"big","text":""# + String(repeating: "a", count: 5000) + #"","created_at":1764324000}"#
        let text =
            #"{"id":"a","text":"x","created_at":1764324000}"# + "\n" + long + "\n"
            + #"{"id":"b","text":"y","created_at":1764324001}"# + "\n"
        try text.write(toFile: folder + "/long.jsonl", atomically: true, encoding: .utf8)
        var options = try FeedHarness.options()
        options.maxLineLength = 1000
        let result = try await FeedHarness.collect([folder + "/long.jsonl"], options: options)
        #expect(result.posts.map(\.id) == ["a", "b"])
        #expect(result.deadLetters.map(\.reason) == [.lineTooLong])
        #expect(result.deadLetters.first?.offset == 46)
        #expect(result.deadLetters.first?.line == 2)
        #expect(result.balanced)
    }

    @Test func aTruncatedGzipFileDeliversEveryCompleteLineThenADeadLetter() async throws {
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plain = FeedHarness.genericLines(2000)
        let gzip = try GzipDeflater.gzip(plain)
        let cut = Array(gzip.prefix(gzip.count * 2 / 3))
        try Data(cut).write(to: URL(fileURLWithPath: folder + "/cut.jsonl.gz"))
        let result = try await FeedHarness.collect([folder + "/cut.jsonl.gz"], options: FeedHarness.options())
        let delivered = result.posts.count
        #expect(delivered > 1000 && delivered < 2000)
        #expect(result.posts.map(\.id) == (0..<delivered).map { "p\($0)" })
        #expect(result.deadLetters.map(\.reason) == [.truncatedGzip])
        #expect(result.notices.contains { $0.contains("truncated at compressed byte \(cut.count)") })
        #expect(result.stats.allSourcesSucceeded)
        #expect(result.balanced)
    }

    @Test func writesDeadLetterRecordsAsJSON() {
        var out: [UInt8] = []
        RecordJSON.append(
            DeadLetter(source: "a.jsonl", offset: 10, line: 2, reason: .badTime, snippet: "{\"x\":\"y\"}", detail: nil),
            to: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == #"{"source":"a.jsonl","offset":10,"line":2,"reason":"bad_time","snippet":"{\"x\":\"y\"}","detail":null}"#
        )
    }
}

/// Times outside 1970–9999 or impossible dates become `bad_time` dead letters, never garbage years.
@Suite struct BadTimeTests {
    @Test func impossibleAndOutOfRangeTimesAreDeadLetters() async throws {
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let times = [
            #""2026-02-30T10:00:00Z""#, #""2026-11-28T10:00:00+99:99""#, "9223372036854775807",
            "-9223372036854775808", "-1", #""1969-07-20T20:17:00Z""#, #""2026-11-28T10:00:00Z""#,
        ]
        let lines = times.enumerated().map { index, time in #"{"id":"\#(index)","text":"t","created_at":\#(time)}"# }
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: folder + "/times.jsonl", atomically: true, encoding: .utf8)
        let result = try await FeedHarness.collect([folder + "/times.jsonl"], options: FeedHarness.options())
        #expect(result.posts.map(\.id) == ["6"])
        #expect(result.stats.deadLetters[.badTime] == 6)
        #expect(result.balanced)
    }
}

/// A resumed run skips the lines its checkpoint had read; a source now shorter than that is an error naming it.
@Suite struct ShrunkSourceTests {
    @Test func aSourceShorterThanTheCheckpointsLinesFails() async throws {
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = (0..<10).map { #"{"id":"\#($0)","text":"t","created_at":"2026-11-28T10:00:00Z"}"# }
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: folder + "/feed.jsonl", atomically: true, encoding: .utf8)
        var options = try FeedHarness.options()
        options.skipLines = [8]
        let resumed = try await FeedHarness.collect([folder + "/feed.jsonl"], options: options)
        #expect(resumed.posts.map(\.id) == ["8", "9"] && resumed.stats.sources[0].error == nil)
        options.skipLines = [25]
        let shrunk = try await FeedHarness.collect([folder + "/feed.jsonl"], options: options)
        let error = try #require(shrunk.stats.sources[0].error)
        #expect(error.contains("has 10 lines, fewer than the 25 a checkpoint had already read"), "\(error)")
    }
}
