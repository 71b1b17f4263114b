import Foundation
import VoxFeeds

/// An alert, written to `alerts.jsonl` (one line per alert).
public struct Alert: Sendable, Equatable, Codable {
    /// What rose.
    public enum Kind: String, Sendable, Codable {
        case negativeShare = "negative_share"
        case volume
    }

    /// The window that raised it.
    public var windowStart: Int64
    public var windowEnd: Int64
    /// Where the tested span begins: the window's start, or earlier when windows were pooled (slow drifts).
    public var spanStart: Int64
    public var topic: String
    public var kind: Kind
    /// The span's value: a share, or a number of posts.
    public var value: Double
    /// The seasonal baseline it is compared with (expected posts, or the baseline share).
    public var baseline: Double
    /// How many standard deviations it departs from the baseline (signed, for display).
    public var deviation: Double
    /// The one-sided p-value of the rise.
    public var pValue: Double
    /// Posts tested: the window's posts (volume) or the span's classified posts (share).
    public var posts: Int
    /// The incident it belongs to (numbered from 1 in order; 0 before assignment).
    public var incident = 0
    /// Whether this alert's window opened its incident (it is announced; alerts joining later are only recorded).
    public var opensIncident = false

    /// An alert of the given window and test.
    public init(
        windowStart: Int64, windowEnd: Int64, spanStart: Int64, topic: String, kind: Kind, value: Double,
        baseline: Double, deviation: Double, pValue: Double, posts: Int, incident: Int = 0
    ) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.spanStart = spanStart
        self.topic = topic
        self.kind = kind
        self.value = value
        self.baseline = baseline
        self.deviation = deviation
        self.pValue = pValue
        self.posts = posts
        self.incident = incident
    }

    /// The alert as one JSON object: window_start, window_end, span_start, topic, kind, value, baseline, deviation,
    /// p_value, posts, incident.
    public var json: String {
        JSONText.object([
            ("window_start", JSONText.quote(Timestamp.format(millis: windowStart))),
            ("window_end", JSONText.quote(Timestamp.format(millis: windowEnd))),
            ("span_start", JSONText.quote(Timestamp.format(millis: spanStart))), ("topic", JSONText.quote(topic)),
            ("kind", JSONText.quote(kind.rawValue)), ("value", WindowRecord.decimal(value)),
            ("baseline", WindowRecord.decimal(baseline)), ("deviation", WindowRecord.decimal(deviation)),
            ("p_value", Alert.scientific(pValue)), ("posts", String(posts)), ("incident", String(incident)),
        ])
    }

    /// What rose, in words: "volume 312 posts (expected 98.0)" or "negative share 41.0% over 12 h (baseline 22.3%)".
    public var what: String {
        if kind == .volume {
            return String(format: "volume %d posts (expected %.1f)", posts, baseline)
        }
        let hours = Double(windowEnd - spanStart) / 3_600_000
        let span = spanStart == windowStart ? "" : String(format: " over %g h", hours)
        return String(format: "negative share %.1f%%%@ (baseline %.1f%%)", value * 100, span, baseline * 100)
    }

    /// A p-value in JSON: six significant digits in exponent form.
    static func scientific(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        return String(format: "%.6g", value)
    }
}
