import CoreMetrics
import VoxModel

/// How a pipeline run windows, filters, batches and writes.
public struct PipelineOptions: Sendable {
    /// Tumbling window length in milliseconds (default one hour).
    public var window: Int64 = 3_600_000
    /// With a value, sliding windows of `window` length every `slide` milliseconds are written too.
    public var slide: Int64? = nil
    /// Allowed lateness in milliseconds: the watermark trails the largest event time by this much.
    public var lateness: Int64 = 300_000
    /// Keep only posts in these languages (nil keeps all; posts without a language are filtered out when set).
    public var languages: Set<String>? = nil
    /// Posts whose top sentiment probability is below this are counted as abstained (`uncertain`), in no share
    /// (nil: off).
    public var abstainBelow: Float? = nil
    /// Drop posts whose (source profile, id) was already seen within the dedupe horizon.
    public var dedupe = false
    /// How near-duplicate posts count in windows: in every figure (`count`), or in volume only (`collapse`).
    public var reposts: ClassifiedPost.Repost = .count
    /// How far back in event time (milliseconds) a post's near-duplicate makes it a repost (default a day).
    public var repostHorizon: Int64 = 86_400_000
    /// Emerging terms per window and topic (`terms.jsonl`).
    public var terms = TermTracker.Options()
    /// Classify identical texts once (`TextClassifier.classify(_:cached:)`); benchmarks of the model turn it off.
    public var cacheTexts = true
    /// Posts per classification batch.
    public var batchSize = 32
    /// The longest a post waits for its batch to fill.
    public var maxLatency: Duration = .milliseconds(200)
    /// Output folder.
    public var output = "vox-out"
    /// Window file formats.
    public var format: OutputSinks.Format = .both
    /// Write per-post predictions to `posts.jsonl`.
    public var emitPosts = false
    /// Where dead letters go (default `OUTPUT/dead-letter.jsonl`).
    public var deadLetterPath: String? = nil
    /// A live run (`tail`): idle sources stop holding the watermark back, and when all are idle it follows
    /// the wall clock, so a quiet feed still closes its windows.
    public var live = false
    /// Spike-alert tuning.
    public var alerts = AlertDetector.Options()
    /// Each alert is also POSTed as JSON to this URL (with retries; failures counted, never blocking).
    public var alertWebhook: String? = nil
    /// Folder of the checkpoint that makes a run resumable after a crash (nil: no checkpoints).
    public var checkpoint: String? = nil
    /// Least time between checkpoints, in milliseconds (0: at every consistent point).
    public var checkpointInterval: Int64 = 1000
    /// Replay pacing: event time advances this many times faster than the wall clock (nil: as fast as possible).
    public var speed: Double? = nil
    /// Report a status line about once a second (replay on a terminal; always in live runs).
    public var statusLine = false
    /// A source with no posts for this long (wall clock, milliseconds) is idle.
    public var idle: Int64 = 120_000

    /// Explains the posts of `examples.jsonl` (each example gains `explanation`); nil: no explanations.
    public var explainer: Explainer? = nil

    /// Where the run's metrics go (`vox tail --serve` passes its Prometheus registry's factory); nil: nowhere.
    public var metrics: (any MetricsFactory)? = nil

    /// Default options.
    public init() {}

    /// How far back (in event time) ids are remembered for `dedupe`.
    public var dedupeHorizon: Int64 { 2 * window + lateness }
}
