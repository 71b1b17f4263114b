import Foundation
import VoxFeeds
import VoxModel

/// Everything a pipeline run writes under its output folder: `windows.csv` / `windows.jsonl` (and the
/// `-sliding` pair), `examples.jsonl`, `terms.jsonl`, `hourly/YYYY-MM-DDTHH.csv|json` and `posts.jsonl` (with `--emit-posts`);
/// `run.json` is written by the pipeline and `dead-letter.jsonl` by its ingest stage.
public final class OutputSinks {
    /// Which window formats to write.
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl, both }

    private let directory: String
    private let format: Format
    private let windowsCSV: AppendFile?
    private let windowsJSON: AppendFile?
    private let slidingCSV: AppendFile?
    private let slidingJSON: AppendFile?
    private let examples: AppendFile
    private let terms: AppendFile
    private let posts: AppendFile?
    private let alerts: AppendFile
    private let deadLetters: DeadLetterSink
    private var hourly: [Int64: [WindowRecord]] = [:]
    private var hourShares: [Int64: [String: Double]] = [:]
    private var hourTerms: [Int64: [EmergingTerm]] = [:]
    private let files: [String]
    /// Whether examples wait for their explanations (``writePendingExamples(_:)``) before they are written.
    private let explaining: Bool
    private var pendingExamples: [WindowRecord] = []

    /// What a checkpoint needs to resume the outputs: each append-only file's length, and the hourly reports' state.
    public struct State: Codable, Sendable {
        var lengths: [String: UInt64]
        var hourly: [Int64: [WindowRecord]]
        var hourShares: [Int64: [String: Double]]
        /// An FNV-1a digest of each file's last ``tailBytes`` bytes before its length (nil in older checkpoints).
        var tails: [String: String]? = nil
        /// The emerging terms of the hours not yet complete (nil in older checkpoints).
        var hourTerms: [Int64: [EmergingTerm]]? = nil

        /// A fresh start: every output empty.
        static let empty = State(lengths: [:], hourly: [:], hourShares: [:], tails: [:], hourTerms: [:])
    }

    /// The bytes before a file's checkpointed length whose digest the checkpoint keeps.
    static let tailBytes: UInt64 = 4096

    /// The digest of `file`'s bytes in `[length − tailBytes, length)` (nil when it cannot be read).
    static func tailDigest(_ file: String, length: UInt64) -> String? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        let start = length > tailBytes ? length - tailBytes : 0
        do {
            try handle.seek(toOffset: start)
            let data = try handle.read(upToCount: Int(length - start)) ?? Data()
            guard UInt64(data.count) == length - start else { return nil }
            var hash = FNV1a()
            hash.add(data)
            return String(hash.value, radix: 16)
        } catch {
            return nil
        }
    }

    /// Refuses to resume onto outputs that changed since the checkpoint: a file shorter than recorded (cutting it
    /// "back" would pad it with NUL bytes), missing, or whose last bytes before the recorded length differ.
    private static func checkUnchanged(_ file: String, against state: State) throws {
        let recorded = state.lengths[file] ?? 0
        let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.uint64Value
        let advice = "the outputs changed since the checkpoint; remove the checkpoint folder (or restore the outputs)"
        guard let size else {
            guard recorded == 0 else {
                throw WatchError("\(file) is missing, but the checkpoint recorded \(recorded) bytes of it: \(advice)")
            }
            return
        }
        guard size >= recorded else {
            throw WatchError(
                "\(file) has \(size) bytes, fewer than the \(recorded) the checkpoint recorded: \(advice)")
        }
        if recorded > 0, let expected = state.tails?[file], tailDigest(file, length: recorded) != expected {
            throw WatchError(
                "\(file) is not what the checkpoint recorded (its bytes before \(recorded) differ): \(advice)")
        }
    }

    /// Creates the folder and opens the append-only files.
    /// With `restoring`, every append-only file is first cut back to its checkpointed length.
    public init(
        directory: String, format: Format, sliding: Bool, emitPosts: Bool, deadLetterPath: String,
        restoring: State? = nil, explaining: Bool = false
    ) throws {
        self.directory = directory
        self.explaining = explaining
        self.format = format
        try FileManager.default.createDirectory(atPath: directory + "/hourly", withIntermediateDirectories: true)
        try removePartialFiles(in: directory)
        try removePartialFiles(in: directory + "/hourly")
        let csv = format != .jsonl
        let json = format != .csv
        var files = [
            directory + "/examples.jsonl", directory + "/alerts.jsonl", directory + "/terms.jsonl", deadLetterPath,
        ]
        if csv { files.append(directory + "/windows.csv") }
        if json { files.append(directory + "/windows.jsonl") }
        if sliding && csv { files.append(directory + "/windows-sliding.csv") }
        if sliding && json { files.append(directory + "/windows-sliding.jsonl") }
        if emitPosts { files.append(directory + "/posts.jsonl") }
        self.files = files
        if let restoring {
            for file in files { try OutputSinks.checkUnchanged(file, against: restoring) }
            for file in files where FileManager.default.fileExists(atPath: file) {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
                try handle.truncate(atOffset: restoring.lengths[file] ?? 0)
                try handle.close()
            }
            hourly = restoring.hourly
            hourShares = restoring.hourShares
            hourTerms = restoring.hourTerms ?? [:]
        }
        deadLetters = try DeadLetterSink(path: deadLetterPath)
        alerts = try AppendFile(path: directory + "/alerts.jsonl")
        windowsCSV = csv ? try AppendFile(path: directory + "/windows.csv", header: WindowRecord.csvHeader) : nil
        windowsJSON = json ? try AppendFile(path: directory + "/windows.jsonl") : nil
        slidingCSV =
            sliding && csv
            ? try AppendFile(path: directory + "/windows-sliding.csv", header: WindowRecord.csvHeader) : nil
        slidingJSON = sliding && json ? try AppendFile(path: directory + "/windows-sliding.jsonl") : nil
        examples = try AppendFile(path: directory + "/examples.jsonl")
        terms = try AppendFile(path: directory + "/terms.jsonl")
        posts = emitPosts ? try AppendFile(path: directory + "/posts.jsonl") : nil
    }

    /// Records closed tumbling windows: rows, examples, their emerging terms, and the hourly reports they belong to.
    public func write(tumbling windows: [WindowAggregator.Closed], terms emerging: [EmergingTerm] = []) throws {
        for term in emerging {
            terms.append(term.json)
            hourTerms[WindowAggregator.floor(term.windowStart, 3_600_000), default: []].append(term)
        }
        try terms.flush()
        for window in windows {
            for record in window.records {
                windowsCSV?.append(record.csv)
                windowsJSON?.append(record.json)
                if explaining {
                    pendingExamples.append(record)
                } else {
                    examples.append(OutputSinks.examplesLine(record, explanations: nil))
                }
            }
            let hour = WindowAggregator.floor(window.start, 3_600_000)
            hourly[hour, default: []] += window.records
            try writeHourly(hour)
        }
        try windowsCSV?.flush()
        try windowsJSON?.flush()
        try examples.flush()
    }

    /// The distinct texts of the examples waiting for explanations, each with its most probable sentiment
    /// (an index into negative, neutral, positive).
    public var examplesToExplain: [(text: String, sentiment: Int)] {
        var seen = Set<String>()
        var out: [(text: String, sentiment: Int)] = []
        for record in pendingExamples {
            for example in record.stats.mostNegative + record.stats.mostPositive
            where seen.insert(example.text).inserted {
                out.append((example.text, Evaluator.argmax(example.sentiment)))
            }
        }
        return out
    }

    /// Writes the examples waiting for explanations, each with its text's explanation (`null` where it has none).
    public func writePendingExamples(_ explanations: [String: Explainer.Explanation?]) throws {
        for record in pendingExamples { examples.append(OutputSinks.examplesLine(record, explanations: explanations)) }
        pendingExamples.removeAll()
        try examples.flush()
    }

    /// Records closed sliding windows.
    public func write(sliding windows: [WindowAggregator.Closed]) throws {
        for record in windows.flatMap(\.records) {
            slidingCSV?.append(record.csv)
            slidingJSON?.append(record.json)
        }
        try slidingCSV?.flush()
        try slidingJSON?.flush()
    }

    /// Records spike alerts.
    public func write(alerts raised: [Alert]) throws {
        for alert in raised { alerts.append(alert.json) }
        try alerts.flush()
    }

    /// Records dead letters.
    public func write(deadLetters letters: [DeadLetter]) throws { try deadLetters.write(letters) }

    /// The outputs' state for a checkpoint (everything written so far is on disk).
    public func state() throws -> State {
        guard pendingExamples.isEmpty else {
            throw WatchError("internal error: a checkpoint was asked for while examples wait for their explanations")
        }
        var lengths: [String: UInt64] = [:]
        var tails: [String: String] = [:]
        for file in files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let length = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
            lengths[file] = length
            if length > 0 { tails[file] = OutputSinks.tailDigest(file, length: length) }
        }
        return State(lengths: lengths, hourly: hourly, hourShares: hourShares, tails: tails, hourTerms: hourTerms)
    }

    /// Records per-post predictions (with `--emit-posts`): the post, `lang_source`, `abstained` (null or the
    /// reason) and, when the model classified it, its probabilities and topic.
    public func write(posts classified: [ClassifiedPost], heads: [String]) throws {
        guard let posts else { return }
        for post in classified {
            var line: [UInt8] = []
            RecordJSON.append(post.post, to: &line)
            line.removeLast()
            line += Array(#","lang_source":"#.utf8)
            line += Array((post.post.langSource.map { JSONText.quote($0.rawValue) } ?? "null").utf8)
            line += Array(#","abstained":"#.utf8)
            line += Array((post.abstained.map { JSONText.quote($0.rawValue) } ?? "null").utf8)
            line += Array((post.repost == nil ? #","repost":false"# : #","repost":true"#).utf8)
            guard post.sentiment.count == 3 else {
                line += Array("}".utf8)
                posts.append(String(decoding: line, as: UTF8.self))
                continue
            }
            let probabilities = zip(["negative", "neutral", "positive"], post.sentiment).map {
                ($0, WindowRecord.decimal(Double($1)))
            }
            line += Array(#","sentiment_probs":"#.utf8) + Array(JSONText.object(probabilities).utf8)
            line +=
                Array(#","topic":"#.utf8)
                + Array(JSONText.quote(heads.indices.contains(post.topic) ? heads[post.topic] : "").utf8)
            line += Array("}".utf8)
            posts.append(String(decoding: line, as: UTF8.self))
        }
        try posts.flush()
    }

    private func writeHourly(_ hour: Int64) throws {
        let records = hourly[hour] ?? []
        let name = String(Timestamp.format(millis: hour).prefix(13))
        var csv = WindowRecord.csvHeader + "\n"
        for record in records { csv += record.csv + "\n" }
        try writeAtomically(csv, to: directory + "/hourly/\(name).csv")
        // Volume counts every post; negative shares are over the classified ones.
        var totals: [String: (posts: Int, classified: Int, negative: Int)] = [:]
        for record in records {
            let sum = totals[record.topic] ?? (0, 0, 0)
            totals[record.topic] = (
                sum.posts + record.stats.posts, sum.classified + record.stats.classified,
                sum.negative + record.stats.negative
            )
        }
        let volume = totals["all"]?.posts ?? 0
        let previousHour = hourShares[hour - 3_600_000] ?? [:]
        let moves = totals.compactMap { topic, total -> (String, Double, Double)? in
            guard total.classified > 0, let before = previousHour[topic] else { return nil }
            return (topic, before, Double(total.negative) / Double(total.classified))
        }.sorted { (abs($0.2 - $0.1), $1.0) > (abs($1.2 - $1.1), $0.0) }.prefix(5)
        let summary = JSONText.object([
            ("hour", JSONText.quote(Timestamp.format(millis: hour))), ("volume", String(volume)),
            (
                "largest_negative_share_moves",
                "["
                    + moves.map { topic, before, after in
                        JSONText.object([
                            ("topic", JSONText.quote(topic)), ("previous", WindowRecord.decimal(before)),
                            ("current", WindowRecord.decimal(after)), ("change", WindowRecord.decimal(after - before)),
                        ])
                    }.joined(separator: ",") + "]"
            ),
            ("emerging_terms", "[" + (hourTerms[hour] ?? []).map(\.json).joined(separator: ",") + "]"),
            ("rows", "[" + records.map(\.json).joined(separator: ",") + "]"),
        ])
        try writeAtomically(summary + "\n", to: directory + "/hourly/\(name).json")
        // Windows close in start order, so earlier hours are complete; keep one hour back for the comparison.
        for old in hourly.keys where old < hour { hourly.removeValue(forKey: old) }
        for old in hourTerms.keys where old < hour { hourTerms.removeValue(forKey: old) }
        hourShares[hour] = totals.filter { $0.value.classified > 0 }.mapValues {
            Double($0.negative) / Double($0.classified)
        }
        for old in hourShares.keys where old < hour - 3_600_000 { hourShares.removeValue(forKey: old) }
    }

    /// An explanation's words as JSON: `[{"text": "word", "weight": 0.1234}, …]`, in the post's word order, weights
    /// rounded to four decimals (`examples.jsonl`, `vox classify --explain`).
    public static func explanationJSON(_ explanation: Explainer.Explanation) -> String {
        "["
            + explanation.words.map { word in
                JSONText.object([
                    ("text", JSONText.quote(word.text)), ("weight", WindowRecord.decimal(Double(word.weight))),
                ])
            }.joined(separator: ",") + "]"
    }

    private static func examplesLine(_ record: WindowRecord, explanations: [String: Explainer.Explanation?]?) -> String
    {
        func list(_ examples: [TopicStats.Example]) -> String {
            "["
                + examples.map { example in
                    var members = [
                        ("id", JSONText.quote(example.id)), ("text", JSONText.quote(example.text)),
                        (
                            "probs",
                            JSONText.object(
                                zip(["negative", "neutral", "positive"], example.sentiment).map {
                                    ($0, WindowRecord.decimal(Double($1)))
                                })
                        ),
                    ]
                    if let explanations {
                        let explanation = explanations[example.text] ?? nil
                        members.append(("explanation", explanation.map(OutputSinks.explanationJSON) ?? "null"))
                    }
                    return JSONText.object(members)
                }.joined(separator: ",") + "]"
        }
        return JSONText.object([
            ("window_start", JSONText.quote(Timestamp.format(millis: record.windowStart))),
            ("window_end", JSONText.quote(Timestamp.format(millis: record.windowEnd))),
            ("topic", JSONText.quote(record.topic)), ("most_negative", list(record.stats.mostNegative)),
            ("most_positive", list(record.stats.mostPositive)),
        ])
    }
}
