import Foundation
import VoxFeeds
import VoxModel

/// Everything a run needs to continue after a crash, written atomically to `CHECKPOINT/state.json` at points where
/// every post read so far has been fully processed: per-source lines consumed, the accounting, the watermark, the
/// open windows, the dedupe state, and the outputs' lengths.
struct PipelineCheckpoint: Codable {
    /// The configuration this state belongs to; resuming with another is refused.
    var configuration: String
    /// Whether the run finished (every source ended and every window closed).
    var completed: Bool
    var consumedLines: [Int]
    var sources: [IngestStats.Source]
    var filtered: Int
    var duplicates: Int
    var late: Int
    var classified: Int
    /// Abstained posts by reason (absent in checkpoints written before abstention).
    var abstained: [String: Int]? = nil
    var windowed: Int
    /// Windowed reposts so far (absent in checkpoints written before repost detection).
    var reposts: Int? = nil
    var windows: Int
    var watermark: Watermark
    var tumbling: WindowAggregator
    var sliding: WindowAggregator?
    /// The filter's state, when the filter ran in the checkpointing process (the single-node pipeline).
    var filter: PostFilter?
    var alerts: AlertDetector
    /// The repost detector's memory (absent in checkpoints written before repost detection).
    var repostDetector: RepostDetector? = nil
    /// Emerging terms' open windows and baselines (absent in checkpoints written before emerging terms).
    var terms: TermTracker? = nil
    var alertCount: Int
    var outputs: OutputSinks.State
    /// The feeder's stream positions (`vox aggregate`), nil for a single-node run.
    var positions: [String: UInt64]? = nil

    static func load(_ directory: String) throws -> PipelineCheckpoint? {
        guard let data = FileManager.default.contents(atPath: directory + "/state.json") else { return nil }
        let checkpoint: PipelineCheckpoint
        do {
            checkpoint = try JSONDecoder().decode(PipelineCheckpoint.self, from: data)
        } catch {
            throw WatchError("\(directory)/state.json is not a Vox checkpoint: \(ErrorText.line(error))")
        }
        if let field = checkpoint.counterOutOfRange {
            throw WatchError(
                "\(directory)/state.json is not a Vox checkpoint: its count '\(field)' is negative or impossibly large")
        }
        if let problem = checkpoint.accountingProblem {
            throw WatchError("\(directory)/state.json is not a Vox checkpoint: \(problem)")
        }
        return checkpoint
    }

    /// Why the saved counts cannot describe a real run (a tampered or damaged checkpoint), if they cannot: every
    /// source's lines must be its posts, skipped events and dead letters, and every post must be filtered, a
    /// duplicate, windowed or late, as the run's own identities require (`PipelineStats.balanced`).
    var accountingProblem: String? {
        guard sources.count == consumedLines.count else {
            return "it counts \(sources.count) sources but records lines read for \(consumedLines.count)"
        }
        for source in sources {
            let letters = PipelineCheckpoint.sum(Array(source.deadLetters.values))
            guard let accounted = PipelineCheckpoint.sum([source.posts, source.skipped, letters ?? -1]), letters != nil,
                accounted == source.lines
            else {
                return "source '\(source.name)' counts \(source.lines) lines but \(source.posts) posts, "
                    + "\(source.skipped) skipped events and \(letters.map(String.init) ?? "too many") dead letters"
            }
        }
        if let unknown = (abstained ?? [:]).keys.sorted().first(where: { AbstainReason(rawValue: $0) == nil }) {
            return "it counts posts abstained for an unknown reason '\(unknown)'"
        }
        guard let posts = PipelineCheckpoint.sum(sources.map(\.posts)),
            posts == PipelineCheckpoint.sum([filtered, duplicates, windowed, late])
        else {
            return "its sources' posts are not its \(filtered) filtered, \(duplicates) duplicates, \(windowed) "
                + "windowed and \(late) late posts"
        }
        let abstainedTotal = PipelineCheckpoint.sum(Array((abstained ?? [:]).values))
        guard let abstainedTotal, windowed + late == PipelineCheckpoint.sum([classified, abstainedTotal]) else {
            return "its \(windowed + late) windowed and late posts are not its \(classified) classified and "
                + "\(abstainedTotal.map(String.init) ?? "too many") abstained posts"
        }
        return nil
    }

    /// `values`' sum, or nil where it overflows (counts are checked against ``counterLimit`` one by one only).
    static func sum(_ values: [Int]) -> Int? {
        var total = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { return nil }
            total = next
        }
        return total
    }

    /// Counts above this are refused: no run gets near it, and sums of a few of them cannot overflow.
    static let counterLimit = Int.max / 64

    /// The first counter that is negative or beyond ``counterLimit`` (a tampered or damaged checkpoint), if any.
    var counterOutOfRange: String? {
        var counters: [(String, Int)] = [
            ("filtered", filtered), ("duplicates", duplicates), ("late", late), ("classified", classified),
            ("windowed", windowed), ("reposts", reposts ?? 0), ("windows", windows), ("alertCount", alertCount),
        ]
        counters += consumedLines.map { ("consumedLines", $0) }
        counters += (abstained ?? [:]).sorted { $0.key < $1.key }.map { ("abstained.\($0.key)", $0.value) }
        for source in sources {
            counters += [
                ("sources.lines", source.lines), ("sources.posts", source.posts), ("sources.skipped", source.skipped),
                ("sources.reconnects", source.reconnects),
                ("sources.bytes", source.bytes > Int64(PipelineCheckpoint.counterLimit) ? -1 : Int(source.bytes)),
            ]
            counters += source.deadLetters.map { ("sources.deadLetters", $0.value) }
        }
        return counters.first { !(0...PipelineCheckpoint.counterLimit).contains($0.1) }?.0
    }

    func save(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeAtomically(JSONEncoder().encode(self), to: directory + "/state.json", durable: true)
    }
}
