import Foundation
import Testing

@testable import VoxFeeds

@Suite struct FileFeedTests {
    @Test func readsFoldersInNameOrderAndGlobs() async throws {
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(FeedHarness.genericLines(3, prefix: "b")).write(to: URL(fileURLWithPath: folder + "/b.jsonl"))
        try Data(try GzipDeflater.gzip(FeedHarness.genericLines(2, prefix: "a"))).write(
            to: URL(fileURLWithPath: folder + "/a.jsonl.gz"))
        try Data(FeedHarness.genericLines(1, prefix: "c")).write(to: URL(fileURLWithPath: folder + "/c.ndjson"))
        try Data("not a feed".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        let whole = try await FeedHarness.collect([folder], options: FeedHarness.options())
        #expect(whole.posts.map(\.id) == ["a0", "a1", "b0", "b1", "b2", "c0"])
        let globbed = try await FeedHarness.collect(
            [folder + "/*.jsonl*", "file://" + folder + "/c.ndjson"], options: FeedHarness.options())
        #expect(Set(globbed.posts.map(\.id)) == ["a0", "a1", "b0", "b1", "b2", "c0"])
        #expect(globbed.stats.sources.map(\.posts) == [5, 1])
    }

    @Test func reportsMissingSourcesClearly() {
        #expect(throws: FeedError(.io, "no such file or folder: /nonexistent/feed.jsonl")) {
            try FeedSource("/nonexistent/feed.jsonl")
        }
        #expect(throws: FeedError.self) { try FeedSource("/nonexistent/*.jsonl") }
    }

    @Test func masksCredentialsInURLs() throws {
        #expect(try FeedSource("https://user:secret@example.com/feed").name == "https://***@example.com/feed")
        // Tokens in the query string are masked like passwords; other parameters stay readable.
        #expect(
            try FeedSource("https://example.com/feed?since=5&access_token=abc123&API-KEY=k9#top").name
                == "https://example.com/feed?since=5&access_token=***&API-KEY=***#top")
        #expect(
            try FeedSource("https://u:p@example.com/f?token=t&x").name == "https://***@example.com/f?token=***&x")
        #expect(try FeedSource("http://example.com/a@b").name == "http://example.com/a@b")
    }

    @Test func followsAGrowingFileAcrossRotation() async throws {
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/live.jsonl"
        try Data(FeedHarness.genericLines(5, prefix: "first")).write(to: URL(fileURLWithPath: path))
        var options = try FeedHarness.options()
        options.follow = true
        let feed = Feed(sources: [try FeedSource(path)], options: options)
        let writer = Task {
            try await Task.sleep(for: .milliseconds(300))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            // A line written in two pieces must come out once, whole.
            let more = FeedHarness.genericLines(3, prefix: "second")
            try handle.write(contentsOf: Data(more.prefix(30)))
            try await Task.sleep(for: .milliseconds(200))
            try handle.write(contentsOf: Data(more.dropFirst(30)))
            try handle.close()
            try await Task.sleep(for: .milliseconds(300))
            try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
            try Data(FeedHarness.genericLines(2, prefix: "rotated")).write(to: URL(fileURLWithPath: path))
        }
        var ids: [String] = []
        let stats = try await feed.run { event in
            if case .batch(let batch) = event {
                ids += batch.posts.map(\.id)
                if ids.count >= 10 { throw FeedStop() }
            }
        }
        try await writer.value
        #expect(
            ids == [
                "first0", "first1", "first2", "first3", "first4", "second0", "second1", "second2", "rotated0",
                "rotated1",
            ])
        #expect(stats.interrupted)
        #expect(stats.deadLetterTotal == 0)
    }

    @Test func aStopRequestEndsAReadThatIsWaitingOnAPipe() async throws {
        // A FIFO stands for standard input fed by a producer that has gone quiet: the reader waits in the pipe.
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/pipe"
        #expect(mkfifo(path, 0o600) == 0)
        let writer = open(path, O_RDWR | O_CLOEXEC)  // read-write: opening never blocks, and the pipe never ends
        #expect(writer >= 0)
        defer { close(writer) }
        let line = FeedHarness.genericLines(1, prefix: "piped")
        #expect(line.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == line.count)
        var options = try FeedHarness.options()
        let stop = StopSignal()
        options.stopRequest = stop
        let feed = Feed(sources: [try FeedSource(path)], options: options)
        let run = Task {
            try await feed.run { event in
                // The line arrived; now the reader waits for more that never comes, until the stop request.
                if case .batch = event { stop.stop() }
            }
        }
        // Without the fix the reader stays blocked in read(): give up after 10 s of the feed's time (cancelling frees
        // the async side) rather than hang the suite. The clock starts at the stop request and counts only ticks in
        // which this task was scheduled on time: while other suites' CPU-bound tests hold every cooperative thread
        // the feed cannot run either, and that time is not the feed's.
        let endedByStop = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await run.value) != nil }
            group.addTask {
                while !stop.isStopped, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
                var responsive = Duration.zero
                while responsive < .seconds(10), !Task.isCancelled {
                    let started = ContinuousClock.now
                    try? await Task.sleep(for: .milliseconds(250))
                    if ContinuousClock.now - started < .milliseconds(400) { responsive += .milliseconds(250) }
                }
                if !Task.isCancelled { run.cancel() }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        let stats = try await run.value
        #expect(endedByStop, "the stop request did not end the wait on the pipe")
        #expect(stats.posts == 1)
    }
}
