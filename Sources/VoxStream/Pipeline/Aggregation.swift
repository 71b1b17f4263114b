import Foundation
import VoxFeeds
import VoxModel

/// The aggregate half of a run, shared by `vox replay`/`tail` (fed in memory) and `vox aggregate` (fed from
/// NATS): the output folder, the accounting, alerts and the webhook, metrics, and checkpoints. The feeder applies
/// outcomes in line order with ``apply(_:)``, calls ``batchDone(filter:positions:)`` after each batch, and ends
/// with ``finish(stopped:sources:filter:positions:)``.
public final class Aggregation {
    private var stage: AggregateStage
    private let sinks: OutputSinks
    private let options: PipelineOptions
    private let configuration: String
    private let sources: [String]
    private let notice: @Sendable (String) -> Void
    private let webhook: WebhookSender?
    private var metrics: PipelineMetrics?
    private var batches: [(posts: Int, nanoseconds: Int64)] = []
    private var lastCheckpoint = Date.distantPast
    private var lastProgress = Date.distantPast
    /// Seconds between run.json's rewrites while a run goes on.
    static let progressInterval = 0.25
    private let started = Date()
    /// The run's accounting so far.
    public private(set) var stats: PipelineStats
    /// What the checkpoint this run resumed from recorded; nil for a fresh start.
    public let resumed: Resume?

    /// Where a resumed run stands.
    public struct Resume: Sendable {
        /// Lines already applied, per source.
        public var consumedLines: [Int]
        /// Whether that run had finished.
        public var completed: Bool
        /// The feeder's own positions (a NATS aggregator's stream sequences).
        public var positions: [String: UInt64]
        /// The filter's state (the single-node pipeline filters in the same process).
        public var filter: PostFilter?
    }

    /// Opens the outputs, resuming from `options.checkpoint` when it holds a checkpoint.
    /// - Parameters:
    ///   - sources: The sources' names, in the order outcomes index them.
    ///   - profile: The connector profile option (part of the configuration a checkpoint must match).
    ///   - notice: Receives alerts and resume notices for the terminal.
    /// - Throws: `WatchError` when the checkpoint belongs to another configuration; I/O errors.
    public init(
        sources: [String], profile: String, model: ModelDescription, watch: WatchTopics, options: PipelineOptions,
        notice: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        try watch.checkNames(against: model.taxonomy)
        let languages = options.languages.map { $0.sorted().joined(separator: ",") } ?? "all"
        let topics = watch.topics.map { "\($0.name)=\($0.query)" }.joined(separator: ";")
        configuration =
            "sources=\(sources.joined(separator: "|")) window=\(options.window) slide=\(options.slide ?? 0) "
            + "lateness=\(options.lateness) languages=\(languages) dedupe=\(options.dedupe) format=\(options.format.rawValue) "
            + "posts=\(options.emitPosts) profile=\(profile) model=\(model.tag) watch=\(topics) "
            + "reads=\(model.languages.joined(separator: ",")) abstain_below=\(options.abstainBelow.map { "\($0)" } ?? "off") "
            + "alerts=\(options.alerts.configuration) reposts=\(options.reposts.rawValue) "
            + "repost_horizon=\(options.repostHorizon) terms=\(options.terms.configuration)"
            + (options.explainer.map { " explain=\($0.method)" } ?? "")
        self.sources = sources
        self.options = options
        self.notice = notice
        stage = AggregateStage(model: model, watch: watch, options: options, sources: sources.count)
        var saved: PipelineCheckpoint? = nil
        if let directory = options.checkpoint, let checkpoint = try PipelineCheckpoint.load(directory) {
            guard checkpoint.configuration == configuration else {
                throw WatchError(
                    "the checkpoint in \(directory) was made with another configuration (sources, windows, filters, watch "
                        + "topics or model differ); use another --checkpoint folder or remove it")
            }
            guard checkpoint.consumedLines.count == sources.count else {
                throw WatchError("the checkpoint in \(directory) is of \(checkpoint.consumedLines.count) sources")
            }
            guard checkpoint.consumedLines.allSatisfy({ $0 >= 0 }) else {
                throw WatchError("the checkpoint in \(directory) records a negative count of lines read")
            }
            saved = checkpoint
        }
        sinks = try OutputSinks(
            directory: options.output, format: options.format, sliding: options.slide != nil,
            emitPosts: options.emitPosts,
            deadLetterPath: options.deadLetterPath ?? options.output + "/dead-letter.jsonl",
            restoring: saved.map { $0.completed ? nil : $0.outputs }
                ?? (options.checkpoint != nil ? OutputSinks.State.empty : nil),
            explaining: options.explainer != nil)
        var stats = PipelineStats(sources: sources, model: model.tag)
        stats.domain = model.domain
        if let saved {
            stats = stage.restore(saved, into: stats)
            let directory = options.checkpoint ?? ""
            if saved.completed {
                notice("the checkpoint in \(directory) is of a finished run: nothing to do")
            } else {
                notice("resuming from \(directory): \(saved.consumedLines.reduce(0, +)) lines already processed")
            }
        }
        self.stats = stats
        resumed = saved.map {
            Resume(
                consumedLines: $0.consumedLines, completed: $0.completed, positions: $0.positions ?? [:],
                filter: $0.filter)
        }
        webhook = options.alertWebhook.map { WebhookSender(url: $0) }
        metrics = options.metrics.map { PipelineMetrics(factory: $0) }
    }

    /// Lines applied so far, per source.
    public var consumedLines: [Int] { stage.consumedLines }

    /// Applies outcomes in line order: windows that close are written, alerts raised are announced and sent.
    public func apply(_ inputs: [StageInput]) async throws {
        try stage.process(inputs, sinks: sinks, stats: &stats)
        try await explainExamples()
        announceAlerts()
    }

    /// With an explainer: explains the examples of the windows just closed (off the cooperative pool), then writes
    /// them. Each text is explained for its most probable sentiment, alone, so the lines do not depend on batching.
    private func explainExamples() async throws {
        guard let explainer = options.explainer else { return }
        let pending = sinks.examplesToExplain
        let labels = pending.map { explainer.head.labels.firstIndex(of: HeadSpec.sentimentLabels[$0.sentiment]) }
        let explained = pending.isEmpty ? [] : await explainer.explain(pending.map(\.text), labels: labels)
        var byText: [String: Explainer.Explanation?] = [:]
        for (item, explanation) in zip(pending, explained) { byText[item.text] = explanation }
        try sinks.writePendingExamples(byText)
    }

    /// Counts one model batch run for this aggregation (in this process: the single-node pipeline).
    public func recordModelBatch(posts: Int, nanoseconds: Int64) {
        stats.modelSeconds += Double(nanoseconds) / 1e9
        if metrics != nil { batches.append((posts, nanoseconds)) }
    }

    /// A one-line status: throughput, lag behind event time, open and closed windows.
    public var status: String { stage.status(stats) }

    /// After a batch: rewrites run.json, reports the metrics, and checkpoints when the interval has passed.
    /// Any batch boundary is a consistent checkpoint: outcomes are applied whole and in line order.
    /// - Parameters:
    ///   - filter: The filter's state, when the filter runs in this process.
    ///   - positions: The feeder's positions to record with the checkpoint.
    public func batchDone(filter: PostFilter? = nil, positions: [String: UInt64] = [:]) throws {
        stats.seconds = Date().timeIntervalSince(started)
        // run.json shows progress while the run goes on: rewritten a few times a second, not after every batch
        // (each rewrite is a rename over the old file, which ext4 answers by writing the new one out at once).
        if Date().timeIntervalSince(lastProgress) >= Aggregation.progressInterval {
            try writeAtomically(stats.json, to: options.output + "/run.json")
            lastProgress = Date()
        }
        recordMetrics()
        if let directory = options.checkpoint,
            Date().timeIntervalSince(lastCheckpoint) * 1000 >= Double(options.checkpointInterval)
        {
            try save(directory, completed: false, filter: filter, positions: positions)
            lastCheckpoint = Date()
        }
    }

    /// Ends the run. A stopped run with a checkpoint saves its open windows for the next run; otherwise every
    /// window is closed. Waits for the webhook's deliveries, then writes run.json.
    /// - Parameters:
    ///   - stopped: Whether the feed was stopped (or interrupted) rather than read to its end.
    ///   - sources: The feed's own accounting, for each source's profile, bytes and error.
    public func finish(
        stopped: Bool, sources read: [IngestStats.Source]?, filter: PostFilter? = nil,
        positions: [String: UInt64] = [:]
    ) async throws -> PipelineStats {
        if let read {
            for index in stats.ingest.sources.indices where read.indices.contains(index) {
                stats.ingest.sources[index].profile = read[index].profile
                stats.ingest.sources[index].bytes = read[index].bytes
                stats.ingest.sources[index].error = read[index].error
            }
        }
        stats.ingest.interrupted = stopped
        if stopped, let directory = options.checkpoint {
            try save(directory, completed: false, filter: filter, positions: positions)
        } else {
            try stage.finish(sinks: sinks, stats: &stats)
            try await explainExamples()
            announceAlerts()
            if let directory = options.checkpoint {
                try save(directory, completed: true, filter: filter, positions: positions)
            }
        }
        // Run time ends here: waiting for the webhook's last deliveries is not part of it.
        stats.seconds = Date().timeIntervalSince(started)
        if let webhook {
            let delivered = webhook.finish()
            stats.webhookSent = delivered.sent
            stats.webhookFailed = delivered.failed
            if delivered.failed > 0 { notice("\(delivered.failed) alerts could not be delivered to the webhook") }
        }
        try writeAtomically(stats.json, to: options.output + "/run.json")
        recordMetrics()
        return stats
    }

    private func save(_ directory: String, completed: Bool, filter: PostFilter?, positions: [String: UInt64]) throws {
        var checkpoint = try stage.checkpoint(
            configuration: configuration, stats, sinks: sinks, completed: completed)
        checkpoint.filter = filter
        checkpoint.positions = positions.isEmpty ? nil : positions
        try checkpoint.save(directory)
    }

    private func announceAlerts() {
        for incident in Incident.grouping(stage.raisedAlerts) {
            notice(incident.summary)
            if incident.opened { webhook?.send(incident.json) }
        }
        stage.raisedAlerts.removeAll()
    }

    /// Reports the accounting, the model batches since the last call, and each source's lag to the metrics.
    private func recordMetrics() {
        guard metrics != nil else { return }
        metrics?.record(RunCounters(stats))
        for batch in batches { metrics?.recordBatch(posts: batch.posts, nanoseconds: batch.nanoseconds) }
        batches.removeAll()
        for (index, lag) in stage.sourceLag().enumerated() {
            if let lag { metrics?.recordLag(source: sources[index], seconds: lag) }
        }
    }
}
