import Foundation
import VoxFeeds

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

    /// The field names, in order (the CSV header and the JSON keys).
    public static let fields = [
        "window_start", "window_end", "topic", "topic_kind", "posts", "negative", "neutral", "positive",
        "negative_share",
        "neutral_share", "positive_share", "net_sentiment", "mean_score", "mean_confidence", "model",
    ]

    private var numbers: [String] {
        [
            stats.negativeShare, stats.neutralShare, stats.positiveShare, stats.netSentiment, stats.meanScore,
            stats.meanConfidence,
        ]
        .map(WindowRecord.decimal)
    }

    /// Four decimals, never `-0.0000`.
    static func decimal(_ value: Double) -> String {
        let text = String(format: "%.4f", value)
        return text == "-0.0000" ? "0.0000" : text
    }

    /// The CSV header line.
    public static var csvHeader: String { fields.joined(separator: ",") }

    /// The row as a CSV line (RFC 4180 quoting).
    public var csv: String {
        ([
            Timestamp.format(millis: windowStart), Timestamp.format(millis: windowEnd), WindowRecord.csvField(topic),
            kind.rawValue,
            String(stats.posts), String(stats.negative), String(stats.neutral), String(stats.positive),
        ] + numbers + [WindowRecord.csvField(model)])
        .joined(separator: ",")
    }

    /// The row as one JSON object with the fields in order.
    public var json: String {
        let values =
            [
                JSONText.quote(Timestamp.format(millis: windowStart)),
                JSONText.quote(Timestamp.format(millis: windowEnd)),
                JSONText.quote(topic), JSONText.quote(kind.rawValue), String(stats.posts), String(stats.negative),
                String(stats.neutral), String(stats.positive),
            ] + numbers + [JSONText.quote(model)]
        return JSONText.object(Array(zip(WindowRecord.fields, values)))
    }

    /// A CSV field, quoted when it holds a comma, quote, or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
