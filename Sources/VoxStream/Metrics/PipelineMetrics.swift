import CoreMetrics
import VoxFeeds

/// The pipeline's metrics, reported through swift-metrics to whatever backend the factory belongs to (Vox serves
/// them in Prometheus' text format at `/metrics`). Every name starts with `vox_`.
///
/// Counters follow a run's accounting: ``record(_:)`` adds what changed since the last call, so the metrics of a
/// live run and those read back from its `run.json` agree.
public struct PipelineMetrics {
    /// Buckets of the `vox_batch_posts` histogram (posts per model batch).
    public static let batchSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

    private let factory: any MetricsFactory
    private var previous = RunCounters()
    private var counters: [String: Counter] = [:]
    private let batchPosts: Recorder
    private let batchLatency: Timer
    private let modelRate: Gauge
    private let runSeconds: Gauge
    private var lag: [String: Gauge] = [:]

    /// Creates the metrics on `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        batchPosts = Recorder(label: "vox_batch_posts", aggregate: true, factory: factory)
        batchLatency = Timer(label: "vox_batch_seconds", factory: factory)
        modelRate = Gauge(label: "vox_model_posts_per_second", factory: factory)
        runSeconds = Gauge(label: "vox_run_seconds", factory: factory)
    }

    /// Adds to every counter what it gained since the last call, and sets the run's gauges.
    /// A count lower than before (a new run over the same folder) counts again from zero.
    public mutating func record(_ now: RunCounters) {
        for source in now.sources {
            let before = previous.sources.first { $0.name == source.name } ?? RunCounters.Source(name: source.name)
            let dimensions = [("source", source.name)]
            add("vox_lines_read_total", dimensions, source.lines, before.lines)
            add("vox_posts_parsed_total", dimensions, source.posts, before.posts)
            add("vox_events_skipped_total", dimensions, source.skipped, before.skipped)
            add("vox_source_bytes_total", dimensions, Int(source.bytes), Int(before.bytes))
            add("vox_source_reconnects_total", dimensions, source.reconnects, before.reconnects)
        }
        // Every known reason is reported (at 0 until one occurs), so dashboards and alert rules see the series.
        let reasons = Set(DeadLetterReason.allCases.map(\.rawValue)).union(now.deadLetters.keys)
        for reason in reasons.sorted() {
            add(
                "vox_dead_letters_total", [("reason", reason)], now.deadLetters[reason] ?? 0,
                previous.deadLetters[reason] ?? 0)
        }
        add("vox_posts_classified_total", [], now.classified, previous.classified)
        for reason in Set(AbstainReason.allCases.map(\.rawValue)).union(now.abstained.keys).sorted() {
            add(
                "vox_posts_abstained_total", [("reason", reason)], now.abstained[reason] ?? 0,
                previous.abstained[reason] ?? 0)
        }
        add("vox_posts_filtered_total", [], now.filtered, previous.filtered)
        add("vox_posts_duplicate_total", [], now.duplicates, previous.duplicates)
        add("vox_posts_late_total", [], now.late, previous.late)
        add("vox_posts_windowed_total", [], now.windowed, previous.windowed)
        add("vox_windows_closed_total", [], now.windows, previous.windows)
        add("vox_alerts_total", [], now.alerts, previous.alerts)
        add("vox_webhook_sent_total", [], now.webhookSent, previous.webhookSent)
        add("vox_webhook_failed_total", [], now.webhookFailed, previous.webhookFailed)
        if now.modelSeconds > 0 { modelRate.record(Double(now.classified) / now.modelSeconds) }
        runSeconds.record(now.seconds)
        previous = now
    }

    /// Records one model batch: its size and how long the model took.
    public func recordBatch(posts: Int, nanoseconds: Int64) {
        batchPosts.record(posts)
        batchLatency.recordNanoseconds(nanoseconds)
    }

    /// Sets how far a source's newest post trails the wall clock, in seconds.
    public mutating func recordLag(source: String, seconds: Double) {
        let gauge =
            lag[source]
            ?? Gauge(label: "vox_source_lag_seconds", dimensions: [("source", source)], factory: factory)
        lag[source] = gauge
        gauge.record(seconds)
    }

    private mutating func add(_ label: String, _ dimensions: [(String, String)], _ now: Int, _ before: Int) {
        let key = label + dimensions.map { "|" + $0.0 + "=" + $0.1 }.joined()
        let counter = counters[key] ?? Counter(label: label, dimensions: dimensions, factory: factory)
        counters[key] = counter
        let gained = now >= before ? now - before : now
        if gained > 0 { counter.increment(by: gained) }
    }
}
