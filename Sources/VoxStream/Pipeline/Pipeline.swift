import AsyncAlgorithms
import Foundation
import VoxFeeds
import VoxModel

/// The streaming pipeline: source → decode and map → filter (language, duplicates) → micro-batch (size or
/// latency) → classify (both heads, one encoder pass) → match watch topics → aggregate in event-time windows
/// → sinks. Every buffer between stages is bounded (a slow model slows the reader), and every post is counted
/// exactly once in `run.json`.
public final class Pipeline: Sendable {
    /// What flows from the feed to the model stage, in arrival order.
    enum Item: Sendable {
        case post(Post, source: Int)
        case finished(source: Int)
        /// A wall-clock tick (live runs): idle sources, status.
        case tick
        /// Every source has ended.
        case end
    }

    let feed: Feed
    let classifier: TextClassifier
    let watch: WatchTopics
    let options: PipelineOptions

    /// Creates a pipeline.
    public init(feed: Feed, classifier: TextClassifier, watch: WatchTopics, options: PipelineOptions) {
        self.feed = feed
        self.classifier = classifier
        self.watch = watch
        self.options = options
    }

    /// Runs until every source ends, then closes every window. To stop a live run gracefully, set the feed's
    /// `stopRequest`: sources stop reading, what was read is processed, open windows are emitted.
    /// - Parameters:
    ///   - notice: Receives feed notices (reconnects, rotations) for the terminal.
    ///   - status: Receives a status line about once a second in live runs.
    /// - Returns: The run's accounting (also written to `run.json`).
    public func run(
        notice: @escaping @Sendable (String) -> Void = { _ in }, status: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> PipelineStats {
        let sinks = try OutputSinks(
            directory: options.output, format: options.format, sliding: options.slide != nil,
            emitPosts: options.emitPosts)
        let deadLetterPath = options.deadLetterPath ?? options.output + "/dead-letter.jsonl"
        let channel = AsyncChannel<Item>()
        let started = Date()
        let options = options
        let feed = feed
        var stats = PipelineStats(sources: feed.sources.map(\.name), model: classifier.artifact.label)
        let counters = FilterCounters()
        async let ingest: IngestStats = {
            defer { channel.finish() }
            var filter = PostFilter(options: options)
            var pacer = options.speed.map { EventPacer(speed: $0) }
            let deadLetters = try DeadLetterSink(path: deadLetterPath)
            let result = try await feed.run { event in
                switch event {
                case .batch(let batch):
                    try deadLetters.write(batch.deadLetters)
                    for post in batch.posts {
                        switch filter.check(post) {
                        case .keep:
                            try await pacer?.wait(until: post.createdAt)
                            await channel.send(.post(post, source: batch.sourceIndex))
                        case .filtered: counters.add(filtered: 1)
                        case .duplicate: counters.add(duplicates: 1)
                        }
                    }
                case .finished(let index, let error, _):
                    if let error { notice("error: \(error.message)") }
                    await channel.send(.finished(source: index))
                case .notice(let index, let message):
                    notice("[\(feed.sources[index].name)] \(message)")
                case .profile, .reconnected:
                    break
                }
            }
            await channel.send(.end)
            return result
        }()
        let ticker: Task<Void, Never>? =
            options.live
            ? Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await channel.send(.tick)
                }
            } : nil
        var stage = ModelStage(pipeline: self, sources: feed.sources.count)
        for await chunk in channel.chunks(ofCount: options.batchSize, or: .repeating(every: options.maxLatency)) {
            try await stage.process(chunk, sinks: sinks, stats: &stats)
            if chunk.contains(where: { if case .tick = $0 { true } else { false } }) {
                stats.seconds = Date().timeIntervalSince(started)
                status(stage.status(stats))
            }
            try writeAtomically(stats.json, to: options.output + "/run.json")
            if chunk.contains(where: { if case .end = $0 { true } else { false } }) { break }
        }
        ticker?.cancel()
        stats.ingest = try await ingest
        stats.filtered = counters.filtered
        stats.duplicates = counters.duplicates
        if feed.options.stopRequest?.isStopped == true { stats.ingest.interrupted = true }
        // Without a checkpoint, open windows are emitted at exit, even after a stop request.
        try stage.finish(sinks: sinks, stats: &stats)
        stats.seconds = Date().timeIntervalSince(started)
        try writeAtomically(stats.json, to: options.output + "/run.json")
        return stats
    }
}

/// Filter counts kept by the ingest task and read once it has finished.
final class FilterCounters: @unchecked Sendable {
    // @unchecked: written only by the ingest task, read after it completes.
    private(set) var filtered = 0
    private(set) var duplicates = 0

    func add(filtered: Int = 0, duplicates: Int = 0) {
        self.filtered += filtered
        self.duplicates += duplicates
    }
}
