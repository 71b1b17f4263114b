import Foundation
import Testing
import VoxCluster
import VoxFeeds
import VoxStream
import VoxTestSupport

extension Array where Element: Equatable {
    fileprivate func count(of value: Element) -> Int { count(where: { $0 == value }) }
}

/// The aggregator applies each line once however the line stream was packed: a publisher restarted without its
/// checkpoint and packing differently stores copies that overlap earlier messages part-way (inside a run of
/// skipped lines too), and workers store results out of order, twice, and far ahead of the reorder buffer. The
/// outputs equal those of a clean stream of the same lines.
@Suite(.serialized) struct ClusterAggregatorTests {
    private static let lineCount = 60
    private static let model = ModelDescription(tag: "test@1/fp32", taxonomy: ["arts", "sports", "tech"])

    /// Line `line` of the feed: mostly posts, some dead letters and filtered posts, lines 20–23 skipped.
    private static func entry(_ line: Int) -> LineMessage.Entry {
        if (20..<24).contains(line) { return .skipped(count: 1) }
        if line % 13 == 5 {
            return .deadLetter(
                DeadLetter(
                    source: "feed.jsonl", offset: Int64(line * 100), line: line + 1, reason: .invalidJSON,
                    snippet: "{broken \(line)", detail: nil))
        }
        if line % 11 == 7 { return .filtered(duplicate: line % 2 == 0) }
        return .post(
            Post(
                id: "\(line)", text: "post number \(line)", createdAt: 1_795_824_000_000 + Int64(line) * 120_000,
                lang: "en", source: "feed.jsonl"))
    }

    /// A post's scores depend on the post only, as a model's do.
    private static func scores(_ post: Post) -> ClassifyStage.Scores {
        let line = Int(post.id) ?? 0
        let negative = Float(line % 10) / 20
        let neutral = Float(line % 3) / 4
        return ClassifyStage.Scores(
            sentiment: [negative, neutral, 1 - negative - neutral], topics: [0.5, Float(line % 2), 0.25])
    }

    /// Line messages for `lines`, `pack` entries each, a run of skipped lines merged into one entry when `merge`.
    private static func packed(_ lines: Range<Int>, pack: Int, merge: Bool) -> [LineMessage] {
        var messages: [LineMessage] = []
        var first = lines.lowerBound
        var entries: [LineMessage.Entry] = []
        for line in lines {
            let entry = entry(line)
            if merge, case .skipped(let run)? = entries.last, case .skipped = entry {
                entries[entries.count - 1] = .skipped(count: run + 1)
                continue
            }
            if entries.count == pack {
                messages.append(.lines(source: 0, line: first, entries))
                entries = []
                first = line
            }
            entries.append(entry)
        }
        if !entries.isEmpty { messages.append(.lines(source: 0, line: first, entries)) }
        return messages
    }

    /// Stores `lines` on the job's line stream and, for each message holding posts, its results, in batches of
    /// three messages in `order` (indices into the batches; a batch named twice is stored twice).
    private static func store(
        _ lines: [LineMessage], streams: ClusterStreams, url: String, order: ([Int]) -> [Int]
    ) async throws {
        let jetStream = try await JetStream.connect(url: url)
        try await streams.create(on: jetStream, replicas: 1)
        let all: [LineMessage] =
            [.start(sources: ["feed.jsonl"], profile: "x-v2")] + lines + [
                .finished(source: 0, line: lineCount),
                .end([LineMessage.SourceEnd(profile: "x-v2", bytes: 6000, error: nil)]),
            ]
        var results: [ResultMessage] = []
        for message in all {
            // Ids left empty: copies are stored, as when they come from a publisher restarted long after.
            let stored = try await jetStream.publish(
                subject: streams.linesSubject, data: message.bytes, id: "")
            guard case .lines(_, _, let entries) = message else { continue }
            let posts = entries.compactMap { if case .post(let post) = $0 { post } else { nil } }
            if !posts.isEmpty {
                results.append(ResultMessage(sequence: stored.sequence, model: model.tag, scores: posts.map(scores)))
            }
        }
        let batches = stride(from: 0, to: results.count, by: 3).map { Array(results[$0..<min($0 + 3, results.count)]) }
        for index in order(Array(batches.indices)) {
            _ = try await jetStream.publish(
                subject: streams.resultsSubject, data: ResultMessage.encode(batches[index]), id: "")
        }
    }

    private static func aggregate(
        _ streams: ClusterStreams, url: String, into folder: String, reorder: Int
    ) async throws -> PipelineStats {
        var pipeline = PipelineOptions()
        pipeline.output = folder
        pipeline.window = 1_800_000
        pipeline.emitPosts = true
        var options = ClusterAggregator.Options(url: url, streams: streams)
        options.reorderCapacity = reorder
        options.fetch = 4
        return try await ClusterAggregator(
            model: model, watch: WatchTopics([]), pipeline: pipeline, options: options
        ).run()
    }

    @Test func copiesPackedDifferentlyAndResultsOutOfOrderAreAppliedOnce() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let root = NSTemporaryDirectory() + "vox-aggregator-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = 0..<Self.lineCount
        let clean = try ClusterStreams("clean")
        try await Self.store(Self.packed(lines, pack: 5, merge: false), streams: clean, url: server.url) { $0 }
        // Lines 0–21 packed by four (ending inside the skipped run), then all lines again packed by seven with the
        // skipped run merged (lines 20–23 in one entry, half of it applied already).
        let messy = try ClusterStreams("messy")
        let restarted = Self.packed(0..<22, pack: 4, merge: false) + Self.packed(lines, pack: 7, merge: true)
        try await Self.store(restarted, streams: messy, url: server.url) { batches in
            // Last first, one batch stored twice.
            batches.reversed() + [batches[batches.count / 2]]
        }
        let expected = try await Self.aggregate(clean, url: server.url, into: root + "/clean", reorder: 100)
        let stats = try await Self.aggregate(messy, url: server.url, into: root + "/messy", reorder: 2)
        let kinds = lines.map { line in
            switch Self.entry(line) {
            case .post: "post"
            case .filtered: "filtered"
            case .skipped: "skipped"
            case .deadLetter: "dead letter"
            }
        }
        #expect(expected.windowed == kinds.count(of: "post") && expected.ingest.skipped == kinds.count(of: "skipped"))
        #expect(expected.ingest.deadLetterTotal == kinds.count(of: "dead letter"))
        #expect(expected.filtered + expected.duplicates == kinds.count(of: "filtered"))
        #expect(expected.windows > 1)
        for (name, figure) in [
            ("lines", \PipelineStats.ingest.lines), ("posts", \.ingest.posts), ("skipped", \.ingest.skipped),
            ("dead letters", \.ingest.deadLetterTotal), ("filtered", \.filtered), ("duplicates", \.duplicates),
            ("windowed", \.windowed), ("late", \.late), ("windows", \.windows),
        ] {
            #expect(stats[keyPath: figure] == expected[keyPath: figure], "\(name)")
        }
        for file in ["windows.csv", "windows.jsonl", "posts.jsonl", "dead-letter.jsonl"] {
            let reference = try Data(contentsOf: URL(fileURLWithPath: root + "/clean/" + file))
            #expect(!reference.isEmpty, "\(file)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/messy/" + file)) == reference, "\(file)")
        }
    }

    /// A job whose line stream holds the start and one message of `lines`, and whose results stream holds
    /// `scores` for it; returns the aggregator's error.
    private static func aggregateOne(
        _ name: String, lines: Range<Int>, scores: [ClassifyStage.Scores]
    ) async throws -> (any Error)? {
        let server = try NATSServer()
        defer { server.stop() }
        let root = NSTemporaryDirectory() + "vox-aggregator-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let streams = try ClusterStreams(name)
        let jetStream = try await JetStream.connect(url: server.url)
        try await streams.create(on: jetStream, replicas: 1)
        _ = try await jetStream.publish(
            subject: streams.linesSubject, data: LineMessage.start(sources: ["feed.jsonl"], profile: "x-v2").bytes,
            id: "")
        let message = Self.packed(lines, pack: lines.count, merge: false)[0]
        let stored = try await jetStream.publish(subject: streams.linesSubject, data: message.bytes, id: "")
        _ = try await jetStream.publish(
            subject: streams.resultsSubject,
            data: ResultMessage.encode([ResultMessage(sequence: stored.sequence, model: Self.model.tag, scores: scores)]
            ),
            id: "")
        do {
            _ = try await Self.aggregate(streams, url: server.url, into: root + "/out", reorder: 10)
            return nil
        } catch {
            return error
        }
    }

    @Test func resultsThatDoNotMatchTheirLinesAreAClearError() async throws {
        // Three posts, two results.
        let post = Post(id: "0", text: "x", createdAt: 0, source: "feed.jsonl")
        let error = try await Self.aggregateOne("short", lines: 0..<3, scores: [Self.scores(post), Self.scores(post)])
        #expect(error is ClusterError, "\(String(describing: error))")
    }

    /// A results message is bit-exact, so a corrupt or hostile one could carry NaN: refused with the post named,
    /// never a trap converting it to fixed point.
    @Test func resultsThatAreNotProbabilitiesAreAClearError() async throws {
        let bad = ClassifyStage.Scores(sentiment: [.nan, 0.5, 0.5], topics: [0.5, 0.25, 0.25])
        let error = try await Self.aggregateOne("nan", lines: 0..<1, scores: [bad])
        let message = (error as? WatchError)?.message ?? ""
        #expect(message.contains("post 0 of feed.jsonl has scores that are not probabilities"), "\(message)")
    }
}
