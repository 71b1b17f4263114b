import Foundation
import Testing
import VoxDefaultModel
import VoxFeeds
import VoxModel
import VoxTestSupport

@testable import VoxStream

/// End to end with the real default model: exact accounting, and the same window files whether the feed is
/// replayed from a file or read over HTTP through dropped connections, in any batch size.
@Suite(.serialized) struct PipelineTests {
    static let classifier: TextClassifier? = {
        let store = ModelStore()
        guard store.hasBaseModel, let directory = BundledModel.standard.directory else { return nil }
        return try? TextClassifier.load(directory: directory, baseDirectory: store.directory())
    }()

    static let texts = [
        "I love this airline, best flight ever", "Flight delayed again, worst service",
        "Watching the game tonight with friends",
        "New iPhone launch looks great", "Stock market falls after earnings", "Concert tickets sold out in minutes",
        "Just had coffee, ready for Monday", "The album drops Friday and I can't wait",
        "Traffic is terrible this morning",
    ]

    /// An X API v2 feed over five hours: out-of-order posts, one beyond the lateness, a duplicate id, a
    /// Portuguese-tagged post (filtered), a Portuguese post tagged English (the English model abstains from it),
    /// and a broken line. In the fifth hour a storm outage is talked about (emerging terms).
    static func feed() -> [UInt8] {
        let base: Int64 = 1_795_824_000_000
        var lines: [String] = []
        for index in 0..<120 {
            var offset = Int64(index) * 150_000  // every 2.5 minutes
            if index % 17 == 5 { offset -= 180_000 }  // 3 minutes out of order: within lateness
            if index == 60 { offset -= 3 * 3_600_000 }  // hours behind: late
            let text =
                index == 44
                ? "Este produto é horrível, nunca mais compro nada desta loja, que vergonha"
                : texts[index % texts.count] + " #\(index)" + (index >= 96 && index % 3 == 0 ? " storm outage" : "")
            let lang = index == 33 ? "pt" : "en"
            lines.append(
                #"{"data":{"id":"\#(index == 90 ? 89 : index)","text":"\#(text)","created_at":"\#(Timestamp.format(millis: base + offset))","lang":"\#(lang)"}}"#
            )
            if index == 70 { lines.append(#"{"data":{"id":"broken""#) }
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    private func run(
        _ source: String, batch: Int, into directory: String, live: StopSignal? = nil, checkpoint: String? = nil
    ) async throws -> PipelineStats {
        let classifier = try #require(
            PipelineTests.classifier, "needs the base model (vox model pull) and the bundled default model")
        var feedOptions = FeedOptions(registry: try ProfileRegistry.bundled())
        feedOptions.http.initialBackoff = 0.01
        feedOptions.follow = live != nil
        feedOptions.pollInterval = 0.1
        feedOptions.stopRequest = live
        var options = PipelineOptions()
        options.output = directory
        options.batchSize = batch
        options.languages = ["en"]
        options.dedupe = true
        options.maxLatency = .milliseconds(50)
        options.live = live != nil
        options.checkpoint = checkpoint
        options.checkpointInterval = 0
        let watch = try WatchTopics.parse("topics:\n  Flights: 'flight OR airline'\n  Music: 'album OR concert'\n")
        let pipeline = Pipeline(
            feed: Feed(sources: [try FeedSource(source)], options: feedOptions), classifier: classifier, watch: watch,
            options: options)
        return try await pipeline.run()
    }

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "vox-pipeline-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func everyPostIsCountedOnceAndReplayEqualsLive() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let gzip = try GzipDeflater.gzip(PipelineTests.feed())
        try Data(gzip).write(to: URL(fileURLWithPath: root + "/feed.jsonl.gz"))

        let replay = try await run(root + "/feed.jsonl.gz", batch: 32, into: root + "/replay")
        #expect(replay.ingest.lines == 121)
        #expect(replay.ingest.deadLetterTotal == 1)
        #expect(replay.filtered == 1)
        #expect(replay.duplicates == 1)
        #expect(replay.late == 1)
        #expect(replay.abstained == [.unsupportedLanguage: 1])
        #expect(replay.classified + replay.abstainedTotal == replay.windowed + replay.late)
        #expect(replay.balanced)
        #expect(replay.ingest.posts == replay.filtered + replay.duplicates + replay.windowed + replay.late)
        let windows = try String(contentsOfFile: root + "/replay/windows.csv", encoding: .utf8)
        let allRows = windows.split(separator: "\n").filter { $0.contains(",all,all,") }
        #expect(allRows.count == 5)
        #expect(allRows.map { Int($0.split(separator: ",")[4]) ?? 0 }.reduce(0, +) == replay.windowed)
        // Every row: posts = negative + neutral + positive + abstained; the abstained post is in its `all` row
        // and in no taxonomy row.
        for row in windows.split(separator: "\n").dropFirst() {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) ?? -1 }
            #expect(cells[4] == cells[5] + cells[6] + cells[7] + cells[8], "\(row)")
        }
        #expect(allRows.map { Int($0.split(separator: ",")[8]) ?? 0 }.reduce(0, +) == 1)
        let taxonomyRows = windows.split(separator: "\n").filter { $0.contains(",taxonomy,") }
        #expect(taxonomyRows.map { Int($0.split(separator: ",")[8]) ?? 0 }.reduce(0, +) == 0)
        #expect(
            taxonomyRows.map { Int($0.split(separator: ",")[4]) ?? 0 }.reduce(0, +) == replay.windowed - 1)
        let runJSON = try String(contentsOfFile: root + "/replay/run.json", encoding: .utf8)
        #expect(runJSON.contains(#""late":1"#) && runJSON.contains(#""windows":5"#))
        #expect(
            runJSON.contains(
                #""abstained":1,"abstained_by_reason":{"unsupported_language":1,"too_short":0,"uncertain":0}"#))

        // The same bytes read one post at a time, and over HTTP through two dropped connections.
        let small = try await run(root + "/feed.jsonl.gz", batch: 1, into: root + "/batch1")
        #expect(small.windowed == replay.windowed)
        let cuts = [gzip.count / 3, gzip.count * 2 / 3]
        let server = try LoopbackHTTPServer { request in
            var response = TestResponse.resource(gzip, for: request)
            if request.index < cuts.count { response.cutAfter = cuts[request.index] - (request.rangeStart ?? 0) }
            return response
        }
        let live = try await run(server.baseURL + "/live.jsonl.gz", batch: 7, into: root + "/live")
        #expect(live.ingest.sources[0].reconnects == 2)
        let terms = try String(contentsOfFile: root + "/replay/terms.jsonl", encoding: .utf8)
        #expect(terms.contains(#""topic":"all","term":"storm outage","count":8"#), "\(terms)")
        // The hour's report carries them.
        let reports = try FileManager.default.contentsOfDirectory(atPath: root + "/replay/hourly").filter {
            $0.hasSuffix(".json")
        }
        let withTerms = try reports.filter {
            try String(contentsOfFile: root + "/replay/hourly/" + $0, encoding: .utf8).contains(
                #""emerging_terms":[{"window_start""#)
        }
        #expect(withTerms.count == 1, "\(reports)")
        for file in ["windows.csv", "windows.jsonl", "examples.jsonl", "terms.jsonl", "dead-letter.jsonl"] {
            let expected = try Data(contentsOf: URL(fileURLWithPath: root + "/replay/" + file))
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: root + "/batch1/" + file)) == expected, "\(file) with batch 1"
            )
            if file != "dead-letter.jsonl" {
                #expect(
                    try Data(contentsOf: URL(fileURLWithPath: root + "/live/" + file)) == expected, "\(file) over HTTP")
            }
        }
    }

    @Test func aLiveTailStoppedGracefullyWritesWhatAReplayWrites() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let body = PipelineTests.feed()
        try Data(body).write(to: URL(fileURLWithPath: root + "/feed.jsonl"))
        _ = try await run(root + "/feed.jsonl", batch: 32, into: root + "/replay")
        let server = try LoopbackHTTPServer { request in TestResponse.resource(body, for: request, etag: "\"v1\"") }
        let stop = StopSignal()
        let stopper = Task {
            try await Task.sleep(for: .seconds(4))
            stop.stop()
        }
        let live = try await run(server.baseURL + "/feed.jsonl", batch: 32, into: root + "/live", live: stop)
        try await stopper.value
        #expect(live.ingest.interrupted)
        #expect(live.balanced)
        #expect(server.requests.count > 1)  // it kept polling for growth
        for file in ["windows.csv", "windows.jsonl", "examples.jsonl", "terms.jsonl"] {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: root + "/live/" + file))
                    == Data(contentsOf: URL(fileURLWithPath: root + "/replay/" + file)), "\(file)")
        }
    }

    @Test func aStoppedRunWithACheckpointSavesOpenWindowsForTheNextRun() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let body = PipelineTests.feed()
        try Data(body).write(to: URL(fileURLWithPath: root + "/feed.jsonl"))
        _ = try await run(root + "/feed.jsonl", batch: 32, into: root + "/replay")
        let server = try LoopbackHTTPServer { request in TestResponse.resource(body, for: request) }
        let stop = StopSignal()
        let stopper = Task {
            try await Task.sleep(for: .seconds(3))
            stop.stop()
        }
        let first = try await run(
            server.baseURL + "/feed.jsonl", batch: 32, into: root + "/resumed", live: stop,
            checkpoint: root + "/checkpoint")
        try await stopper.value
        #expect(first.ingest.interrupted)
        let saved = try String(contentsOfFile: root + "/checkpoint/state.json", encoding: .utf8)
        #expect(saved.contains(#""completed":false"#))
        // A damaged checkpoint (cut short anywhere, as a full disk leaves it) is refused with the folder named.
        let hostile = root + "/hostile"
        try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: true)
        let bytes = Array(saved.utf8)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: hostile + "/state.json"))
            #expect(throws: WatchError.self, "cut at \(cut)") { try PipelineCheckpoint.load(hostile) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: hostile + "/state.json"))
        #expect(try PipelineCheckpoint.load(hostile)?.completed == false)
        // Counters that parse but cannot be (negative, or near Int.max so that sums overflow) are refused too.
        let state = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        for (key, value) in [("late", -1), ("alertCount", Int.max), ("windows", Int.max - 3), ("consumedLines", -7)] {
            var tampered = state
            tampered[key] = key == "consumedLines" ? [value] : value
            try JSONSerialization.data(withJSONObject: tampered).write(
                to: URL(fileURLWithPath: hostile + "/state.json"))
            #expect(throws: WatchError.self, "\(key) = \(value)") { try PipelineCheckpoint.load(hostile) }
        }
        var tamperedSource = state
        var sources = try #require(state["sources"] as? [[String: Any]])
        sources[0]["posts"] = -3
        tamperedSource["sources"] = sources
        try JSONSerialization.data(withJSONObject: tamperedSource).write(
            to: URL(fileURLWithPath: hostile + "/state.json"))
        #expect(throws: WatchError.self) { try PipelineCheckpoint.load(hostile) }
        // Counts in range that no run could have written (the checkpoint fuzzer's first finding: one post fewer,
        // which resumed into an unbalanced run.json) are refused, naming what does not add up.
        var tamperedCounts: [(String, [String: Any])] = []
        for key in ["posts", "skipped", "lines"] {
            var tampered = state
            var changed = try #require(state["sources"] as? [[String: Any]])
            changed[0][key] = try #require(changed[0][key] as? Int) + 1
            tampered["sources"] = changed
            tamperedCounts.append(("source \(key)", tampered))
        }
        for key in ["duplicates", "classified"] {
            var tampered = state
            tampered[key] = ((state[key] as? Int) ?? 0) + 1
            tamperedCounts.append((key, tampered))
        }
        var twoSources = state
        twoSources["sources"] = (state["sources"] as? [Any] ?? []) + (state["sources"] as? [Any] ?? [])
        tamperedCounts.append(("an extra source", twoSources))
        var unknownReason = state
        unknownReason["abstained"] = ["homesick": 0]
        tamperedCounts.append(("an unknown abstain reason", unknownReason))
        for (what, tampered) in tamperedCounts {
            try JSONSerialization.data(withJSONObject: tampered).write(
                to: URL(fileURLWithPath: hostile + "/state.json"))
            #expect(throws: WatchError.self, "\(what)") { try PipelineCheckpoint.load(hostile) }
        }
        let emitted = try String(contentsOfFile: root + "/resumed/windows.csv", encoding: .utf8).split(separator: "\n")
            .count
        let expected = try String(contentsOfFile: root + "/replay/windows.csv", encoding: .utf8).split(separator: "\n")
            .count
        #expect(emitted < expected)  // the last windows were still open: saved, not emitted
        // The same configuration run again (to the end this time) emits them, giving the replay's files.
        let second = try await run(
            server.baseURL + "/feed.jsonl", batch: 32, into: root + "/resumed", checkpoint: root + "/checkpoint")
        #expect(second.balanced)
        for file in ["windows.csv", "windows.jsonl", "examples.jsonl", "terms.jsonl"] {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: root + "/resumed/" + file))
                    == Data(contentsOf: URL(fileURLWithPath: root + "/replay/" + file)), "\(file)")
        }
    }
}
