import Foundation
import VoxFeeds

/// The emerging terms of a run (`terms.jsonl`) over a report's range and periods: per period and topic, the terms
/// that emerged in any of its windows, with their posts summed over those windows and their best score, best first.
public struct TermReport: Sendable {
    /// One term of one period and topic.
    public struct Row: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var topic: String
        public var term: String
        /// Posts holding the term, summed over the windows it emerged in.
        public var count: Int
        /// The best G² of those windows.
        public var score: Double
        /// Windows of the period it emerged in.
        public var windows: Int
    }

    /// The rows, by period start, then topic (first-seen order), then best score.
    public private(set) var rows: [Row] = []

    /// Aggregates the JSON Lines rows of `terms.jsonl` like ``WindowReport`` does window rows, keeping at most
    /// `top` terms per period and topic.
    /// - Throws: `WatchError` for a malformed row (a last line still being written is skipped).
    public init(
        termsJSONL text: String, from: Int64?, to: Int64?, every: Int64, topics: Set<String>?, top: Int = 10
    ) throws(WatchError) {
        let lines = text.split(separator: "\n")
        let partial = text.hasSuffix("\n") ? nil : lines.indices.last
        var index: [String: Int] = [:]
        var topicOrder: [String: Int] = [:]
        var all: [Row] = []
        for (number, line) in lines.enumerated() {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if number == partial, object == nil { continue }
            guard let object, let startText = object["window_start"] as? String,
                let endText = object["window_end"] as? String,
                let start = Array(startText.utf8).withUnsafeBufferPointer(Timestamp.parseISO8601),
                let end = Array(endText.utf8).withUnsafeBufferPointer(Timestamp.parseISO8601),
                let topic = object["topic"] as? String, let term = object["term"] as? String,
                let count = object["count"] as? Int, count >= 0,
                let score = (object["score"] as? NSNumber)?.doubleValue,
                score.isFinite
            else { throw WatchError("terms.jsonl line \(number + 1) is not an emerging-term row") }
            if let from, start < from { continue }
            if let to, end > to { continue }
            if let topics, !topics.contains(topic) { continue }
            if topicOrder[topic] == nil { topicOrder[topic] = topicOrder.count }
            let period = WindowAggregator.floor(start, every)
            let key = "\(period)\u{1F}\(topic)\u{1F}\(term)"
            if let position = index[key] {
                all[position].count += count
                all[position].score = max(all[position].score, score)
                all[position].windows += 1
            } else {
                index[key] = all.count
                all.append(
                    Row(
                        start: period, end: period + every, topic: topic, term: term, count: count, score: score,
                        windows: 1))
            }
        }
        all.sort {
            ($0.start, topicOrder[$0.topic] ?? 0, -$0.score, $0.term) < (
                $1.start, topicOrder[$1.topic] ?? 0, -$1.score, $1.term
            )
        }
        var kept: [String: Int] = [:]
        rows = all.filter { row in
            let group = "\(row.start)\u{1F}\(row.topic)"
            kept[group, default: 0] += 1
            return kept[group, default: 0] <= top
        }
    }

    /// A Markdown section: `## Emerging terms` and a table of period, topic, term, posts, best score and windows.
    public var markdown: String {
        guard !rows.isEmpty else { return "" }
        var lines = [
            "", "## Emerging terms", "", "| period | topic | term | posts | score | windows |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows {
            let cells = [
                Timestamp.format(millis: row.start), row.topic, row.term, String(row.count),
                String(format: "%.1f", row.score), String(row.windows),
            ]
            lines.append(
                "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An HTML table of one topic's terms, period by period (empty when it has none).
    func html(topic: String) -> String {
        let series = rows.filter { $0.topic == topic }
        guard !series.isEmpty else { return "" }
        var periods: [Int64] = []
        for row in series where !periods.contains(row.start) { periods.append(row.start) }
        var html =
            "<h3>Emerging terms</h3>\n<table class=\"terms\">\n<tr><th>period</th><th>terms (posts, score)</th></tr>\n"
        for period in periods {
            let terms = series.filter { $0.start == period }.map {
                "<b>\(WindowReport.escape($0.term))</b> (\($0.count), \(String(format: "%.0f", $0.score)))"
            }
            html +=
                "<tr><td>\(Timestamp.format(millis: period))</td><td class=\"left\">\(terms.joined(separator: ", "))</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
