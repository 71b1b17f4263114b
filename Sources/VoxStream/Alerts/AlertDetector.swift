import Foundation
import VoxFeeds

/// Spike alerts: per topic, an alert when a closed window's negative share or volume departs from its trailing
/// baseline (exponentially weighted mean and deviation) by `threshold` deviations, with a minimum volume and a
/// cooldown. It sees closed windows in order, so a replay raises exactly the alerts the live run did.
public struct AlertDetector: Sendable, Codable {
    /// Tuning of the detector.
    public struct Options: Sendable, Codable, Equatable {
        /// Weight of the newest window in the moving baseline (0…1).
        public var smoothing = 0.3
        /// Deviations from the baseline that make an alert.
        public var threshold = 3.0
        /// Windows of history needed before alerting.
        public var warmup = 3
        /// Fewest posts in a window for a negative-share alert.
        public var minimumPosts = 20
        /// Windows during which a topic's alert of the same kind is not repeated.
        public var cooldown = 3

        /// Default tuning.
        public init() {}
    }

    private struct Baseline: Codable, Sendable {
        var mean = 0.0
        var variance = 0.0
        var windows = 0
        var quiet = 0

        /// The signed distance of `value` from the baseline in deviations (with a floor on the deviation).
        func deviation(of value: Double, floor: Double) -> Double {
            (value - mean) / max(variance.squareRoot(), floor)
        }

        mutating func update(_ value: Double, smoothing: Double) {
            if windows == 0 {
                mean = value
            } else {
                let difference = value - mean
                mean += smoothing * difference
                variance = (1 - smoothing) * (variance + smoothing * difference * difference)
            }
            windows += 1
        }
    }

    /// The tuning in use.
    public let options: Options
    private var negative: [String: Baseline] = [:]
    private var volume: [String: Baseline] = [:]

    /// A detector with the given tuning.
    public init(options: Options = Options()) { self.options = options }

    /// The alerts raised by one closed window's rows.
    public mutating func observe(_ records: [WindowRecord]) -> [Alert] {
        var alerts: [Alert] = []
        for record in records {
            let posts = Double(record.stats.posts)
            var volumeBaseline = volume[record.topic] ?? Baseline()
            if let alert = check(
                record, kind: .volume, value: posts, baseline: &volumeBaseline,
                floor: max(1, volumeBaseline.mean.squareRoot()))
            {
                alerts.append(alert)
            }
            volumeBaseline.update(posts, smoothing: options.smoothing)
            volume[record.topic] = volumeBaseline
            guard record.stats.posts >= options.minimumPosts else { continue }
            var negativeBaseline = negative[record.topic] ?? Baseline()
            if let alert = check(
                record, kind: .negativeShare, value: record.stats.negativeShare, baseline: &negativeBaseline,
                floor: 0.02)
            {
                alerts.append(alert)
            }
            negativeBaseline.update(record.stats.negativeShare, smoothing: options.smoothing)
            negative[record.topic] = negativeBaseline
        }
        return alerts
    }

    private func check(
        _ record: WindowRecord, kind: Alert.Kind, value: Double, baseline: inout Baseline, floor: Double
    ) -> Alert? {
        if baseline.quiet > 0 {
            baseline.quiet -= 1
            return nil
        }
        guard baseline.windows >= options.warmup else { return nil }
        let deviation = baseline.deviation(of: value, floor: floor)
        guard abs(deviation) >= options.threshold else { return nil }
        baseline.quiet = options.cooldown
        return Alert(
            windowStart: record.windowStart, windowEnd: record.windowEnd, topic: record.topic, kind: kind, value: value,
            baseline: baseline.mean, deviation: deviation, posts: record.stats.posts)
    }
}

/// A spike alert, written to `alerts.jsonl`.
public struct Alert: Sendable, Equatable, Codable {
    /// What moved.
    public enum Kind: String, Sendable, Codable {
        case negativeShare = "negative_share"
        case volume
    }

    public var windowStart: Int64
    public var windowEnd: Int64
    public var topic: String
    public var kind: Kind
    /// The window's value (a share, or a number of posts).
    public var value: Double
    /// The trailing baseline it is compared with.
    public var baseline: Double
    /// How many deviations it departs from the baseline (signed).
    public var deviation: Double
    /// Posts in the window.
    public var posts: Int

    /// The alert as one JSON object: window_start, window_end, topic, kind, value, baseline, deviation, posts.
    public var json: String {
        JSONText.object([
            ("window_start", JSONText.quote(Timestamp.format(millis: windowStart))),
            ("window_end", JSONText.quote(Timestamp.format(millis: windowEnd))), ("topic", JSONText.quote(topic)),
            ("kind", JSONText.quote(kind.rawValue)), ("value", WindowRecord.decimal(value)),
            ("baseline", WindowRecord.decimal(baseline)), ("deviation", WindowRecord.decimal(deviation)),
            ("posts", String(posts)),
        ])
    }

    /// A line for the terminal.
    public var summary: String {
        let what = kind == .volume ? "volume \(Int(value)) posts" : String(format: "negative share %.1f%%", value * 100)
        return String(
            format: "alert: %@ %@ in %@ (baseline %.3f, %+.1f deviations)", topic, what,
            Timestamp.format(millis: windowStart), baseline, deviation)
    }
}
