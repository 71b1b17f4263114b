import Foundation
import VoxFeeds
import VoxModel

/// Re-aggregates stored window rows (`windows.jsonl`) over any range and period, hourly into daily say.
///
/// Counts are summed exactly; `mean_score` and `mean_confidence` are recombined from the stored 4-decimal
/// means weighted by posts (so they can differ from a direct computation by less than 0.00005), and so are the mean
/// probabilities. Corrected shares and intervals are recomputed from the summed counts and probabilities (never
/// averaged), with the run's domain estimate.
public struct WindowReport: Sendable {
    /// One aggregated row.
    public struct Row: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var topic: String
        public var kind: String
        public var posts = 0
        public var negative = 0
        public var neutral = 0
        public var positive = 0
        /// Posts the model abstained from (in `posts`, in no share).
        public var abstained = 0
        /// Posts that nearly duplicate an earlier post.
        public var reposts = 0
        var scoreSum = 0.0
        var confidenceSum = 0.0
        /// Summed sentiment probabilities per class; nil when a merged row lacked them.
        var probabilitySums: [Double]? = [0, 0, 0]
        public var model: String
        var domain: DomainEstimate?

        /// The sentiment shares' intervals and corrected shares, from the summed counts.
        public var shares: ShareEstimate {
            ShareEstimate(counts: [negative, neutral, positive], probabilitySums: probabilitySums, domain: domain)
        }

        /// The fields in `WindowRecord.fields` order, formatted as the window files are.
        public var values: [String] {
            let classified = negative + neutral + positive
            func share(_ count: Int) -> String {
                WindowRecord.decimal(classified == 0 ? 0 : Double(count) / Double(classified))
            }
            let mean = { (sum: Double) in WindowRecord.decimal(classified == 0 ? 0 : sum / Double(classified)) }
            return [
                Timestamp.format(millis: start), Timestamp.format(millis: end), topic, kind, String(posts),
                String(negative), String(neutral), String(positive), String(abstained), share(negative),
                share(neutral), share(positive), share(positive - negative), mean(scoreSum),
                mean(confidenceSum), model,
            ] + WindowRecord.shareValues(shares, empty: "") + WindowRecord.repostValues(posts: posts, reposts: reposts)
                + WindowRecord.probabilityValues(probabilitySums, classified: classified, empty: "")
        }
    }

    /// The rows, by period start, then in the window files' topic order.
    public private(set) var rows: [Row] = []

    /// Aggregates the JSON Lines window rows in `text`.
    /// - Parameters:
    ///   - from: Keep windows starting at or after this time (ms), if given.
    ///   - to: Keep windows ending at or before this time (ms), if given.
    ///   - every: Period length in milliseconds (aligned to the Unix epoch).
    ///   - topics: Keep only these topics, if given.
    ///   - domain: The run's domain estimate (`run.json`), which corrects the shares.
    /// - Throws: `WatchError` for a malformed row.
    public init(
        windowsJSONL text: String, from: Int64?, to: Int64?, every: Int64, topics: Set<String>?,
        domain: DomainEstimate? = nil
    ) throws(WatchError) {
        var index: [String: Int] = [:]
        let lines = text.split(separator: "\n")
        // A last line without its newline is being written by a running job (as `vox serve` reads it too): a row
        // that does not parse there is skipped, not an error.
        let partial = text.hasSuffix("\n") ? nil : lines.indices.last
        for (number, line) in lines.enumerated() {
            if number == partial, (try? JSONSerialization.jsonObject(with: Data(line.utf8))) == nil { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let startText = object["window_start"] as? String, let endText = object["window_end"] as? String,
                let start = Array(startText.utf8).withUnsafeBufferPointer(Timestamp.parseISO8601),
                let end = Array(endText.utf8).withUnsafeBufferPointer(Timestamp.parseISO8601),
                let topic = object["topic"] as? String, let kind = object["topic_kind"] as? String,
                let posts = object["posts"] as? Int, let negative = object["negative"] as? Int,
                let neutral = object["neutral"] as? Int, let positive = object["positive"] as? Int
            else { throw WatchError("windows.jsonl line \(number + 1) is not a window row") }
            if let from, start < from { continue }
            if let to, end > to { continue }
            if let topics, !topics.contains(topic) { continue }
            let period = WindowAggregator.floor(start, every)
            let key = "\(period)\u{1F}\(topic)"
            // Rows written before abstention have no `abstained`: none were.
            let abstained = object["abstained"] as? Int ?? 0
            // Rows written before repost detection have no `reposts`: none were found.
            let reposts = object["reposts"] as? Int ?? 0
            let classified = negative + neutral + positive
            let score = (object["mean_score"] as? Double ?? 0) * Double(classified)
            let confidence = (object["mean_confidence"] as? Double ?? 0) * Double(classified)
            // Rows written before the mean probabilities were kept have none: their periods use count shares.
            let means = WindowRecord.probabilityFields.compactMap { object[$0] as? Double }
            let sums = means.count == 3 ? means.map { $0 * Double(classified) } : nil
            if let position = index[key] {
                rows[position].posts += posts
                rows[position].reposts += reposts
                rows[position].abstained += abstained
                rows[position].negative += negative
                rows[position].neutral += neutral
                rows[position].positive += positive
                rows[position].scoreSum += score
                rows[position].confidenceSum += confidence
                if let current = rows[position].probabilitySums, let sums {
                    rows[position].probabilitySums = zip(current, sums).map { $0 + $1 }
                } else {
                    rows[position].probabilitySums = nil
                }
            } else {
                index[key] = rows.count
                rows.append(
                    Row(
                        start: period, end: period + every, topic: topic, kind: kind, posts: posts, negative: negative,
                        neutral: neutral,
                        positive: positive, abstained: abstained, reposts: reposts, scoreSum: score,
                        confidenceSum: confidence, probabilitySums: sums,
                        model: object["model"] as? String ?? "", domain: domain))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ("\($1.start)\u{1F}\($1.topic)", $0) })
        rows.sort {
            ($0.start, order["\($0.start)\u{1F}\($0.topic)"] ?? 0) < (
                $1.start, order["\($1.start)\u{1F}\($1.topic)"] ?? 0
            )
        }
    }

    /// The fields a report carries: the window files' fields up to `model` (share of voice is per window), then
    /// the corrected shares and intervals, the repost counts and the mean probabilities.
    static let fields =
        Array(WindowRecord.fields.prefix(16)) + WindowRecord.shareFields + WindowRecord.repostFields
        + WindowRecord.probabilityFields

    /// CSV with the window files' header.
    public var csv: String {
        ([WindowReport.fields.joined(separator: ",")]
            + rows.map { $0.values.map(WindowRecord.csvField).joined(separator: ",") }).joined(
                separator: "\n") + "\n"
    }

    /// JSON Lines with the window files' keys.
    public var jsonLines: String {
        rows.map { row in
            let values = row.values
            let text: Set<Int> = [0, 1, 2, 3, 15]
            return JSONText.object(
                WindowReport.fields.enumerated().map {
                    ($1, text.contains($0) ? JSONText.quote(values[$0]) : values[$0].isEmpty ? "null" : values[$0])
                })
        }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
    }

    /// A Markdown table.
    public var markdown: String {
        let fields = WindowReport.fields
        var lines = [
            "| " + fields.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: fields.count),
        ]
        for row in rows {
            lines.append(
                "| " + row.values.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
