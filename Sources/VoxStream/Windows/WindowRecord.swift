import Foundation
import VoxFeeds
import VoxModel

/// One row of the window outputs: a topic's statistics in one closed window.
public struct WindowRecord: Sendable, Equatable, Codable {
    /// What kind of topic a row is about.
    public enum Kind: String, Sendable, Codable {
        /// Every post.
        case all
        /// A topic of the model's taxonomy.
        case taxonomy
        /// A watch topic from the user's file.
        case watch
    }

    public var windowStart: Int64
    public var windowEnd: Int64
    public var topic: String
    public var kind: Kind
    public var stats: TopicStats
    /// The model's id and version.
    public var model: String
    /// For watch topics: this topic's share of the posts, negative posts and positive posts of all watch topics
    /// in the window (share of voice); nil for other rows.
    public var voice: (posts: Double, negative: Double, positive: Double)? = nil
    /// The sentiment shares' 95% intervals and, with a domain estimate, the corrected shares.
    public var shares: ShareEstimate

    public static func == (lhs: WindowRecord, rhs: WindowRecord) -> Bool {
        lhs.windowStart == rhs.windowStart && lhs.windowEnd == rhs.windowEnd && lhs.topic == rhs.topic
            && lhs.kind == rhs.kind
            && lhs.stats == rhs.stats && lhs.model == rhs.model && lhs.voice?.posts == rhs.voice?.posts
            && lhs.voice?.negative == rhs.voice?.negative && lhs.voice?.positive == rhs.voice?.positive
            && lhs.shares == rhs.shares
    }

    enum CodingKeys: String, CodingKey { case windowStart, windowEnd, topic, kind, stats, model, voice, shares }

    /// A row; `domain` (the model's estimate of its errors on the team's posts) corrects the shares.
    public init(
        windowStart: Int64, windowEnd: Int64, topic: String, kind: Kind, stats: TopicStats, model: String,
        domain: DomainEstimate? = nil
    ) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.topic = topic
        self.kind = kind
        self.stats = stats
        self.model = model
        shares = ShareEstimate(
            counts: [stats.negative, stats.neutral, stats.positive], probabilitySums: stats.probabilitySums,
            domain: domain)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        windowStart = try container.decode(Int64.self, forKey: .windowStart)
        windowEnd = try container.decode(Int64.self, forKey: .windowEnd)
        topic = try container.decode(String.self, forKey: .topic)
        kind = try container.decode(Kind.self, forKey: .kind)
        stats = try container.decode(TopicStats.self, forKey: .stats)
        model = try container.decode(String.self, forKey: .model)
        if let shares = try container.decodeIfPresent([Double].self, forKey: .voice), shares.count == 3 {
            voice = (shares[0], shares[1], shares[2])
        }
        shares =
            try container.decodeIfPresent(ShareEstimate.self, forKey: .shares)
            ?? ShareEstimate(counts: [stats.negative, stats.neutral, stats.positive], domain: nil)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(windowStart, forKey: .windowStart)
        try container.encode(windowEnd, forKey: .windowEnd)
        try container.encode(topic, forKey: .topic)
        try container.encode(kind, forKey: .kind)
        try container.encode(stats, forKey: .stats)
        try container.encode(model, forKey: .model)
        try container.encodeIfPresent(voice.map { [$0.posts, $0.negative, $0.positive] }, forKey: .voice)
        try container.encode(shares, forKey: .shares)
    }

    /// The field names, in order (the CSV header and the JSON keys).
    public static let fields =
        [
            "window_start", "window_end", "topic", "topic_kind", "posts", "negative", "neutral", "positive",
            "abstained", "negative_share",
            "neutral_share", "positive_share", "net_sentiment", "mean_score", "mean_confidence", "model",
            "share_of_voice", "negative_voice_share", "positive_voice_share",
        ] + shareFields + repostFields + probabilityFields

    /// The corrected shares and the intervals, in order (empty adjusted shares without a domain estimate).
    public static let shareFields = [
        "negative_share_adjusted", "neutral_share_adjusted", "positive_share_adjusted", "negative_share_low",
        "negative_share_high", "neutral_share_low", "neutral_share_high", "positive_share_low", "positive_share_high",
    ]

    /// The repost counts, last in every row: reposts, and the posts that are not.
    public static let repostFields = ["reposts", "distinct_posts"]

    /// The mean sentiment probabilities over the classified posts, after the repost counts: what `vox report` needs
    /// to recompute the probabilistic correction over longer periods.
    public static let probabilityFields = [
        "negative_probability_mean", "neutral_probability_mean", "positive_probability_mean",
    ]

    /// The values of ``probabilityFields`` from sums over `classified` posts (`empty` when the sums are unknown).
    static func probabilityValues(_ sums: [Double]?, classified: Int, empty: String) -> [String] {
        guard let sums, sums.count == 3 else { return [empty, empty, empty] }
        return sums.map { WindowRecord.decimal(classified == 0 ? 0 : $0 / Double(classified)) }
    }

    /// The values of ``repostFields`` for a row of `posts` posts of which `reposts` are reposts.
    static func repostValues(posts: Int, reposts: Int) -> [String] { [String(reposts), String(posts - reposts)] }

    /// The values of ``shareFields``, with `empty` standing for a missing adjusted share.
    static func shareValues(_ shares: ShareEstimate, empty: String) -> [String] {
        let adjusted = shares.adjusted.map { $0.map(WindowRecord.decimal) } ?? [empty, empty, empty]
        let bounds = zip(shares.low, shares.high).flatMap { [WindowRecord.decimal($0), WindowRecord.decimal($1)] }
        return adjusted + bounds
    }

    private var numbers: [String] {
        [
            stats.negativeShare, stats.neutralShare, stats.positiveShare, stats.netSentiment, stats.meanScore,
            stats.meanConfidence,
        ]
        .map(WindowRecord.decimal)
    }

    /// Four decimals, never `-0.0000`: the text of `String(format: "%.4f")`, built without it (every window row
    /// has a dozen of these). Values within a millionth of a rounding tie, and values beyond ±10⁹, take `printf`'s
    /// own path, so the text is always the same.
    static func decimal(_ value: Double) -> String {
        let scaled = value.magnitude * 10_000
        let whole = scaled.rounded(.down)
        guard value.isFinite, value.magnitude < 1e9, (scaled - whole - 0.5).magnitude > 1e-6 else {
            let text = String(format: "%.4f", value)
            return text == "-0.0000" ? "0.0000" : text
        }
        let units = Int64(whole) + (scaled - whole > 0.5 ? 1 : 0)
        if units == 0 { return "0.0000" }
        let fraction = String(units % 10_000)
        return (value < 0 ? "-" : "") + String(units / 10_000) + "."
            + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// The CSV header line.
    public static var csvHeader: String { fields.joined(separator: ",") }

    /// The row as a CSV line (RFC 4180 quoting); the share-of-voice fields are empty except on watch rows.
    public var csv: String {
        ([
            Timestamp.format(millis: windowStart), Timestamp.format(millis: windowEnd), WindowRecord.csvField(topic),
            kind.rawValue,
            String(stats.posts), String(stats.negative), String(stats.neutral), String(stats.positive),
            String(stats.abstained),
        ] + numbers + [WindowRecord.csvField(model)] + (voiceValues ?? ["", "", ""])
            + WindowRecord.shareValues(shares, empty: "")
            + WindowRecord.repostValues(posts: stats.posts, reposts: stats.reposts)
            + WindowRecord.probabilityValues(stats.probabilitySums, classified: stats.classified, empty: ""))
            .joined(separator: ",")
    }

    private var voiceValues: [String]? {
        voice.map { [$0.posts, $0.negative, $0.positive].map(WindowRecord.decimal) }
    }

    /// The row as one JSON object with the fields in order.
    public var json: String {
        let values =
            [
                JSONText.quote(Timestamp.format(millis: windowStart)),
                JSONText.quote(Timestamp.format(millis: windowEnd)),
                JSONText.quote(topic), JSONText.quote(kind.rawValue), String(stats.posts), String(stats.negative),
                String(stats.neutral), String(stats.positive), String(stats.abstained),
            ] + numbers + [JSONText.quote(model)] + (voiceValues ?? ["null", "null", "null"])
            + WindowRecord.shareValues(shares, empty: "null")
            + WindowRecord.repostValues(posts: stats.posts, reposts: stats.reposts)
            + WindowRecord.probabilityValues(stats.probabilitySums, classified: stats.classified, empty: "null")
        return JSONText.object(Array(zip(WindowRecord.fields, values)))
    }

    /// A CSV field, quoted when it holds a comma, quote, or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
