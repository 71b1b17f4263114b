import Foundation
import VoxFeeds
import VoxModel

/// A run's accounting, written as `run.json`: `posts = filtered + duplicates + Σ all-row posts + late` and
/// `Σ all-row posts + late = classified + abstained`, exactly.
public struct PipelineStats: Sendable {
    /// The ingest accounting (lines, posts, skipped, dead letters, per source).
    public var ingest: IngestStats
    /// Posts dropped by the language filter.
    public var filtered = 0
    /// Posts dropped as repeated ids.
    public var duplicates = 0
    /// Posts whose window had already closed.
    public var late = 0
    /// Posts classified by the model.
    public var classified = 0
    /// Posts the model abstained from, by reason (counted in windows, in no share).
    public var abstained: [AbstainReason: Int] = [:]
    /// All abstained posts.
    public var abstainedTotal: Int { abstained.values.reduce(0, +) }
    /// Posts counted in tumbling windows (the sum of the `all` rows).
    public var windowed = 0
    /// Windowed posts that nearly duplicate an earlier post (the sum of the `all` rows' `reposts`).
    public var reposts = 0
    /// Closed tumbling windows.
    public var windows = 0
    /// Alerts raised.
    public var alerts = 0
    /// Incidents the alerts formed (each announced once, and sent once to the webhook).
    public var incidents = 0
    /// Alerts delivered to, and failed to reach, the webhook.
    public var webhookSent = 0
    public var webhookFailed = 0
    /// Wall-clock seconds.
    public var seconds = 0.0
    /// Seconds spent in the model in this process (`classified / modelSeconds` is the model's throughput).
    public var modelSeconds = 0.0
    /// The model's id and version.
    public var model: String
    /// The model's estimate of its errors on the team's posts, when it was adapted (`vox report` reuses it).
    public var domain: DomainEstimate? {
        didSet { domainJSON = domain.flatMap(PipelineStats.encode) ?? "null" }
    }
    /// `domain` as run.json writes it, encoded once (run.json is rewritten after every micro-batch).
    private var domainJSON = "null"

    /// Empty accounting for the named sources.
    public init(sources: [String], model: String) {
        ingest = IngestStats(sourceNames: sources)
        self.model = model
    }

    /// Whether every post is accounted for exactly once.
    public var balanced: Bool {
        ingest.posts == filtered + duplicates + windowed + late && windowed + late == classified + abstainedTotal
    }

    private static func encode(_ domain: DomainEstimate) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(domain)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `run.json`'s text.
    public var json: String {
        ingest.json(extra: [
            ("filtered", String(filtered)), ("duplicates", String(duplicates)), ("late", String(late)),
            ("classified", String(classified)), ("abstained", String(abstainedTotal)),
            (
                "abstained_by_reason",
                JSONText.object(AbstainReason.allCases.map { ($0.rawValue, String(abstained[$0] ?? 0)) })
            ),
            ("windowed", String(windowed)), ("reposts", String(reposts)), ("windows", String(windows)),
            ("alerts", String(alerts)), ("incidents", String(incidents)), ("webhook_sent", String(webhookSent)),
            ("webhook_failed", String(webhookFailed)),
            ("model", JSONText.quote(model)), ("seconds", String(format: "%.3f", seconds)),
            ("model_seconds", String(format: "%.3f", modelSeconds)),
            ("posts_per_second", String(format: "%.1f", seconds > 0 ? Double(ingest.posts) / seconds : 0)),
            ("domain_estimate", domainJSON),
        ]) + "\n"
    }
}
