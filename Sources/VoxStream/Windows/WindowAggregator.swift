import VoxFeeds
import VoxModel

/// Event-time windows over classified posts: tumbling windows of `size` aligned to the Unix epoch (and,
/// with a `slide` shorter than `size`, overlapping sliding windows), closed in order once the watermark
/// passes their end. A post whose window has already passed the watermark is late: counted, never added.
///
/// Decisions depend only on event times and arrival order, never on batching or wall-clock time, which is
/// what makes a replay's outputs byte-identical to a live run's.
public struct WindowAggregator: Sendable, Codable {
    /// A window that closed: its rows (all, taxonomy topics, watch topics) and per-topic statistics.
    public struct Closed: Sendable {
        public var start: Int64
        public var end: Int64
        public var records: [WindowRecord]
    }

    private struct Open: Sendable, Codable {
        var all = TopicStats()
        var taxonomy: [TopicStats]
        var watch: [TopicStats]
    }

    /// Window length in milliseconds.
    public let size: Int64
    /// Distance between window starts (equal to `size` for tumbling windows).
    public let slide: Int64
    private let taxonomy: [String]
    private let watchNames: [String]
    private let model: String
    private let domain: DomainEstimate?
    private var open: [Int64: Open] = [:]

    /// Creates an aggregator.
    /// Creates an aggregator; `domain` (the model's estimate of its errors on the team's posts) corrects shares.
    public init(
        size: Int64, slide: Int64? = nil, taxonomy: [String], watch: [String], model: String,
        domain: DomainEstimate? = nil
    ) {
        precondition(size > 0 && (slide ?? size) > 0 && (slide ?? size) <= size, "windows need 0 < slide ≤ size")
        self.size = size
        self.slide = slide ?? size
        self.taxonomy = taxonomy
        self.watchNames = watch
        self.model = model
        self.domain = domain
    }

    /// Whether a post at `time` is too late for the window that would hold it (its end is at or before the watermark).
    public func isLate(_ time: Int64, watermark: Int64) -> Bool {
        WindowAggregator.floor(time, size) + size <= watermark
    }

    /// Adds a post to every window that holds it and is still open.
    public mutating func add(_ post: ClassifiedPost, watermark: Int64) {
        let time = post.post.createdAt
        var start = WindowAggregator.floor(time, slide)
        while start > time - size {
            if start + size > watermark {
                var window =
                    open[start]
                    ?? Open(
                        taxonomy: Array(repeating: TopicStats(), count: taxonomy.count),
                        watch: Array(repeating: TopicStats(), count: watchNames.count))
                window.all.add(post)
                if post.abstained == nil, post.topic < window.taxonomy.count { window.taxonomy[post.topic].add(post) }
                for index in post.watch where index < window.watch.count { window.watch[index].add(post) }
                open[start] = window
            }
            start -= slide
        }
    }

    /// Closes, in start order, every window whose end is at or before `watermark`.
    public mutating func close(through watermark: Int64) -> [Closed] {
        let ready = open.keys.filter { $0 + size <= watermark }.sorted()
        return ready.compactMap { start in
            guard let window = open.removeValue(forKey: start) else { return nil }
            let end = start + size
            var records = [
                WindowRecord(
                    windowStart: start, windowEnd: end, topic: "all", kind: .all, stats: window.all, model: model,
                    domain: domain)
            ]
            for (index, name) in taxonomy.enumerated() {
                records.append(
                    WindowRecord(
                        windowStart: start, windowEnd: end, topic: name, kind: .taxonomy, stats: window.taxonomy[index],
                        model: model, domain: domain))
            }
            // Share of voice: each watch topic's share of the posts (and of negative and positive posts) of all of them.
            let total = window.watch.reduce(into: (posts: 0, negative: 0, positive: 0)) {
                $0 = ($0.posts + $1.posts, $0.negative + $1.negative, $0.positive + $1.positive)
            }
            func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
            for (index, name) in watchNames.enumerated() {
                let stats = window.watch[index]
                var record = WindowRecord(
                    windowStart: start, windowEnd: end, topic: name, kind: .watch, stats: stats, model: model,
                    domain: domain)
                record.voice = (
                    share(stats.posts, total.posts), share(stats.negative, total.negative),
                    share(stats.positive, total.positive)
                )
                records.append(record)
            }
            return Closed(start: start, end: end, records: records)
        }
    }

    /// Number of windows still open.
    public var openCount: Int { open.count }

    /// Floor division for event times before 1970 too.
    static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        let quotient = value / step
        return (value % step < 0 ? quotient - 1 : quotient) * step
    }
}
