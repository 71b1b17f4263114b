import AsyncAlgorithms
import Foundation
import VoxFeeds
import VoxModel

/// The streaming pipeline: source → decode and map → filter (language, duplicates) → micro-batch (size or
/// latency) → classify (both heads, one encoder pass) → match watch topics → aggregate in event-time windows
/// → sinks. Every buffer between stages is bounded (a slow model slows the reader), and every post is counted
/// exactly once in `run.json`. With a checkpoint folder, a run killed at any moment continues where its last
/// checkpoint left off and ends with the same outputs as an uninterrupted run.
public final class Pipeline: Sendable {
    /// What flows from the feed to the model stage, in arrival order.
    enum Item: Sendable {
        /// A post, standing for one line of its source.
        case post(Post, source: Int)
        /// Lines that did not become posts: skipped events and dead letters, in line order.
        case rejected(source: Int, skipped: Int, deadLetters: [DeadLetter])
        case finished(source: Int)
        /// The source reconnected after a drop or an error status.
        case reconnected(source: Int)
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
    /// `stopRequest`: sources stop reading, what was read is processed, and open windows are emitted (or, with a
    /// checkpoint, saved for the next run).
    /// - Parameters:
    ///   - notice: Receives feed notices (reconnects, rotations) for the terminal.
    ///   - status: Receives a status line about once a second in live runs.
    /// - Returns: The run's accounting (also written to `run.json`).
    /// - Throws: `WatchError` when the checkpoint belongs to another configuration; I/O errors.
    public func run(
        notice: @escaping @Sendable (String) -> Void = { _ in }, status: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> PipelineStats {
        let aggregation = try Aggregation(
            sources: feed.sources.map(\.name), profile: feed.options.profile, model: ModelDescription(classifier),
            watch: watch, options: options, notice: notice)
        if aggregation.resumed?.completed == true { return aggregation.stats }
        var feedOptions = feed.options
        var filter = PostFilter(options: options)
        if let resumed = aggregation.resumed {
            feedOptions.skipLines = resumed.consumedLines
            if let saved = resumed.filter { filter = saved }
        }
        let classify = try ClassifyStage(
            classifier: classifier, abstainBelow: options.abstainBelow, cached: options.cacheTexts)
        let channel = AsyncChannel<Item>()
        let options = options
        let feed = Feed(sources: feed.sources, options: feedOptions)
        async let ingest: IngestStats = {
            defer { channel.finish() }
            var pacer = options.speed.map { EventPacer(speed: $0) }
            let result = try await feed.run { event in
                switch event {
                case .batch(let batch):
                    // Items follow the lines' order, so a checkpoint after any item is exact.
                    var skipped = 0
                    var rejected: [DeadLetter] = []
                    func flush() async {
                        guard skipped > 0 || !rejected.isEmpty else { return }
                        await channel.send(
                            .rejected(source: batch.sourceIndex, skipped: skipped, deadLetters: rejected))
                        skipped = 0
                        rejected = []
                    }
                    try await batch.forEachLine { line in
                        switch line {
                        case .post(let post):
                            await flush()
                            try await pacer?.wait(until: post.createdAt)
                            await channel.send(.post(post, source: batch.sourceIndex))
                        case .skipped: skipped += 1
                        case .deadLetter(let letter): rejected.append(letter)
                        }
                    }
                    await flush()
                case .finished(let index, let error, _):
                    if let error { notice("error: \(error.message)") }
                    // A source ended by a stop request has not really ended: it must not release the watermark
                    // (in a live run that would close every window on the wall clock).
                    if feed.options.stopRequest?.isStopped != true { await channel.send(.finished(source: index)) }
                case .notice(let index, let message):
                    notice("[\(feed.sources[index].name)] \(message)")
                case .reconnected(let index):
                    await channel.send(.reconnected(source: index))
                case .profile:
                    break
                }
            }
            await channel.send(.end)
            return result
        }()
        let ticker: Task<Void, Never>? =
            options.live || options.statusLine
            ? Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await channel.send(.tick)
                }
            } : nil
        for await chunk in channel.chunks(ofCount: options.batchSize, or: .repeating(every: options.maxLatency)) {
            try await aggregation.apply(Pipeline.classify(chunk, filter: &filter, stage: classify, into: aggregation))
            if chunk.contains(where: { if case .tick = $0 { true } else { false } }) { status(aggregation.status) }
            try aggregation.batchDone(filter: filter)
            if chunk.contains(where: { if case .end = $0 { true } else { false } }) { break }
        }
        ticker?.cancel()
        let read = try await ingest
        return try await aggregation.finish(
            stopped: feed.options.stopRequest?.isStopped == true || read.interrupted, sources: read.sources,
            filter: filter)
    }

    /// The filter and classify stages over one micro-batch: the outcomes, in line order, for the aggregate stage.
    static func classify(
        _ chunk: [Item], filter: inout PostFilter, stage: ClassifyStage, into aggregation: Aggregation
    ) async -> [StageInput] {
        var kept: [Post] = []
        var verdicts: [PostFilter.Verdict] = []
        for item in chunk {
            guard case .post(let post, _) = item else { continue }
            let verdict = filter.check(post)
            verdicts.append(verdict)
            if verdict == .keep { kept.append(post) }
        }
        let (scores, nanoseconds) = await stage.classify(kept)
        if !kept.isEmpty { aggregation.recordModelBatch(posts: kept.count, nanoseconds: nanoseconds) }
        var inputs: [StageInput] = []
        inputs.reserveCapacity(chunk.count)
        var verdictIndex = 0
        var scoreIndex = 0
        for item in chunk {
            switch item {
            case .post(let post, let source):
                let verdict = verdicts[verdictIndex]
                verdictIndex += 1
                switch verdict {
                case .keep:
                    let score = scores[scoreIndex]
                    scoreIndex += 1
                    inputs.append(StageInput(post, source: source, score))
                case .filtered: inputs.append(.filtered(source: source, duplicate: false))
                case .duplicate: inputs.append(.filtered(source: source, duplicate: true))
                }
            case .rejected(let source, let skipped, let deadLetters):
                inputs.append(.rejected(source: source, skipped: skipped, deadLetters: deadLetters))
            case .finished(let source): inputs.append(.finished(source: source))
            case .reconnected(let source): inputs.append(.reconnected(source: source))
            case .tick: inputs.append(.tick)
            case .end: break
            }
        }
        return inputs
    }
}
