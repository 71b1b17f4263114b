import Foundation
import VoxFeeds

/// The monotonic counts of a run, as `/metrics` reports them: taken from a live pipeline's accounting, or read
/// back from a run's `run.json` (a finished run, or one running in another process).
public struct RunCounters: Sendable, Equatable {
    /// One source's counts.
    public struct Source: Sendable, Equatable, Decodable {
        /// The source as named on the command line.
        public var name: String
        /// Non-blank lines read.
        public var lines = 0
        /// Lines that became posts.
        public var posts = 0
        /// Valid events that are not posts.
        public var skipped = 0
        /// Raw bytes read.
        public var bytes: Int64 = 0
        /// Reconnects and retries.
        public var reconnects = 0

        /// Counts for one source.
        public init(
            name: String, lines: Int = 0, posts: Int = 0, skipped: Int = 0, bytes: Int64 = 0, reconnects: Int = 0
        ) {
            self.name = name
            self.lines = lines
            self.posts = posts
            self.skipped = skipped
            self.bytes = bytes
            self.reconnects = reconnects
        }
    }

    /// Per-source counts, in command-line order.
    public var sources: [Source] = []
    /// Dead letters by reason (the reason's `rawValue`).
    public var deadLetters: [String: Int] = [:]
    public var filtered = 0
    public var duplicates = 0
    public var late = 0
    public var classified = 0
    /// Posts the model abstained from, by reason (the reason's `rawValue`).
    public var abstained: [String: Int] = [:]
    public var windowed = 0
    public var windows = 0
    public var alerts = 0
    public var webhookSent = 0
    public var webhookFailed = 0
    /// Seconds spent in the model, and posts it classified in that time, in this process.
    public var modelSeconds = 0.0
    /// Wall-clock seconds of the run.
    public var seconds = 0.0

    /// No counts.
    public init() {}

    /// The counts of a live pipeline's accounting.
    public init(_ stats: PipelineStats) {
        sources = stats.ingest.sources.map {
            Source(
                name: $0.name, lines: $0.lines, posts: $0.posts, skipped: $0.skipped, bytes: $0.bytes,
                reconnects: $0.reconnects)
        }
        deadLetters = Dictionary(uniqueKeysWithValues: stats.ingest.deadLetters.map { ($0.key.rawValue, $0.value) })
        filtered = stats.filtered
        duplicates = stats.duplicates
        late = stats.late
        classified = stats.classified
        // Every reason, as run.json writes them.
        abstained = Dictionary(
            uniqueKeysWithValues: AbstainReason.allCases.map { ($0.rawValue, stats.abstained[$0] ?? 0) })
        windowed = stats.windowed
        windows = stats.windows
        alerts = stats.alerts
        webhookSent = stats.webhookSent
        webhookFailed = stats.webhookFailed
        modelSeconds = stats.modelSeconds
        seconds = stats.seconds
    }

    /// Reads the counts back from the text of a `run.json`.
    /// - Throws: `DecodingError` when the text is not a run summary.
    public init(runJSON data: Data) throws {
        self = try JSONDecoder().decode(RunCounters.self, from: data)
    }
}

extension RunCounters: Decodable {
    enum CodingKeys: String, CodingKey {
        case sources, filtered, duplicates, late, classified, windowed, windows, alerts, seconds
        case deadLetters = "dead_letters"
        case webhookSent = "webhook_sent"
        case webhookFailed = "webhook_failed"
        case abstained = "abstained_by_reason"
        case modelSeconds = "model_seconds"
    }

    /// Decodes `run.json`'s fields; counts an older `run.json` lacks read as zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) throws -> Int { try container.decodeIfPresent(Int.self, forKey: key) ?? 0 }
        sources = try container.decode([Source].self, forKey: .sources)
        deadLetters = try container.decodeIfPresent([String: Int].self, forKey: .deadLetters) ?? [:]
        filtered = try count(.filtered)
        duplicates = try count(.duplicates)
        late = try count(.late)
        classified = try count(.classified)
        abstained = try container.decodeIfPresent([String: Int].self, forKey: .abstained) ?? [:]
        windowed = try count(.windowed)
        windows = try count(.windows)
        alerts = try count(.alerts)
        webhookSent = try count(.webhookSent)
        webhookFailed = try count(.webhookFailed)
        modelSeconds = try container.decodeIfPresent(Double.self, forKey: .modelSeconds) ?? 0
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
    }
}
