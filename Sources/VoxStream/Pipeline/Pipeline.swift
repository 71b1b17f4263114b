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

    /// The settings that must not change across a resume.
    var configuration: String {
        let languages = options.languages.map { $0.sorted().joined(separator: ",") } ?? "all"
        let topics = watch.topics.map { "\($0.name)=\($0.query)" }.joined(separator: ";")
        return
            "sources=\(feed.sources.map(\.name).joined(separator: "|")) window=\(options.window) slide=\(options.slide ?? 0) "
            + "lateness=\(options.lateness) languages=\(languages) dedupe=\(options.dedupe) format=\(options.format.rawValue) "
            + "posts=\(options.emitPosts) profile=\(feed.options.profile) model=\(classifier.tag) watch=\(topics) "
            + "alerts=\(options.alerts.threshold),\(options.alerts.minimumPosts),\(options.alerts.cooldown),\(options.alerts.smoothing)"
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
        var stage = ModelStage(pipeline: self, sources: feed.sources.count)
        var feedOptions = feed.options
        if let directory = options.checkpoint, let saved = try PipelineCheckpoint.load(directory) {
            guard saved.configuration == configuration else {
                throw WatchError(
                    "the checkpoint in \(directory) was made with another configuration (sources, windows, filters, watch "
                        + "topics or model differ); use another --checkpoint folder or remove it")
            }
            if saved.completed {
                notice("the checkpoint in \(directory) is of a finished run: nothing to do")
                return stage.restore(
                    saved, into: PipelineStats(sources: feed.sources.map(\.name), model: classifier.tag))
            }
            feedOptions.skipLines = saved.consumedLines
            stage.resumeFrom = saved
            notice("resuming from \(directory): \(saved.consumedLines.reduce(0, +)) lines already processed")
        }
        let deadLetterPath = options.deadLetterPath ?? options.output + "/dead-letter.jsonl"
        let sinks = try OutputSinks(
            directory: options.output, format: options.format, sliding: options.slide != nil,
            emitPosts: options.emitPosts,
            deadLetterPath: deadLetterPath,
            restoring: stage.resumeFrom?.outputs ?? (options.checkpoint != nil ? OutputSinks.State.empty : nil))
        var stats = PipelineStats(sources: feed.sources.map(\.name), model: classifier.tag)
        stats.domain = classifier.artifact.domain
        if let saved = stage.resumeFrom { stats = stage.restore(saved, into: stats) }
        let channel = AsyncChannel<Item>()
        let webhook = options.alertWebhook.map { WebhookSender(url: $0) }
        let started = Date()
        let options = options
        let feed = Feed(sources: feed.sources, options: feedOptions)
        async let ingest: IngestStats = {
            defer { channel.finish() }
            var pacer = options.speed.map { EventPacer(speed: $0) }
            let result = try await feed.run { event in
                switch event {
                case .batch(let batch):
                    // Items follow the lines' order, so a checkpoint after any item is exact.
                    var posts = batch.posts.makeIterator()
                    var letters = batch.deadLetters.makeIterator()
                    var skipped = 0
                    var rejected: [DeadLetter] = []
                    func flush() async {
                        guard skipped > 0 || !rejected.isEmpty else { return }
                        await channel.send(
                            .rejected(source: batch.sourceIndex, skipped: skipped, deadLetters: rejected))
                        skipped = 0
                        rejected = []
                    }
                    for result in batch.sequence {
                        switch result {
                        case .post:
                            guard let post = posts.next() else { continue }
                            await flush()
                            try await pacer?.wait(until: post.createdAt)
                            await channel.send(.post(post, source: batch.sourceIndex))
                        case .skipped: skipped += 1
                        case .deadLetter: if let letter = letters.next() { rejected.append(letter) }
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
        var lastCheckpoint = Date.distantPast
        var metrics = options.metrics.map { PipelineMetrics(factory: $0) }
        for await chunk in channel.chunks(ofCount: options.batchSize, or: .repeating(every: options.maxLatency)) {
            try await stage.process(chunk, sinks: sinks, stats: &stats)
            for alert in stage.raisedAlerts {
                notice(alert.summary)
                webhook?.send(alert.json)
            }
            stage.raisedAlerts.removeAll()
            stats.seconds = Date().timeIntervalSince(started)
            if chunk.contains(where: { if case .tick = $0 { true } else { false } }) { status(stage.status(stats)) }
            try writeAtomically(stats.json, to: options.output + "/run.json")
            if metrics != nil { record(stage: &stage, stats: stats, into: &metrics) }
            // Items follow their lines one by one and a micro-batch is processed whole, so any chunk boundary is a
            // consistent checkpoint.
            if let directory = options.checkpoint,
                Date().timeIntervalSince(lastCheckpoint) * 1000 >= Double(options.checkpointInterval)
            {
                try stage.checkpoint(stats, sinks: sinks, completed: false).save(directory)
                lastCheckpoint = Date()
            }
            if chunk.contains(where: { if case .end = $0 { true } else { false } }) { break }
        }
        ticker?.cancel()
        let read = try await ingest
        for index in stats.ingest.sources.indices {
            stats.ingest.sources[index].profile = read.sources[index].profile
            stats.ingest.sources[index].bytes = read.sources[index].bytes
            stats.ingest.sources[index].error = read.sources[index].error
        }
        let stopped = feed.options.stopRequest?.isStopped == true || read.interrupted
        stats.ingest.interrupted = stopped
        if stopped, let directory = options.checkpoint {
            // With a checkpoint, open windows are saved, not emitted: a later run emits them once they close.
            try stage.checkpoint(stats, sinks: sinks, completed: false).save(directory)
        } else {
            try stage.finish(sinks: sinks, stats: &stats)
            for alert in stage.raisedAlerts {
                notice(alert.summary)
                webhook?.send(alert.json)
            }
            if let directory = options.checkpoint {
                try stage.checkpoint(stats, sinks: sinks, completed: true).save(directory)
            }
        }
        if let webhook {
            let delivered = webhook.finish()
            stats.webhookSent = delivered.sent
            stats.webhookFailed = delivered.failed
            if delivered.failed > 0 { notice("\(delivered.failed) alerts could not be delivered to the webhook") }
        }
        stats.seconds = Date().timeIntervalSince(started)
        try writeAtomically(stats.json, to: options.output + "/run.json")
        if metrics != nil { record(stage: &stage, stats: stats, into: &metrics) }
        return stats
    }

    /// Reports the accounting, the model batches since the last call, and each source's lag to the metrics.
    private func record(stage: inout ModelStage, stats: PipelineStats, into metrics: inout PipelineMetrics?) {
        metrics?.record(RunCounters(stats))
        for batch in stage.batches { metrics?.recordBatch(posts: batch.posts, nanoseconds: batch.nanoseconds) }
        stage.batches.removeAll()
        for (index, lag) in stage.sourceLag().enumerated() {
            if let lag { metrics?.recordLag(source: feed.sources[index].name, seconds: lag) }
        }
    }
}
