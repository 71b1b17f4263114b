import ArgumentParser
import Foundation
import VoxModel
import VoxStream

/// The options `replay` and `tail` share: windows, filters, batching, outputs.
struct PipelineOptionGroup: ParsableArguments {
    @Option(help: ArgumentHelp("Watch topics (YAML or JSON: topics: {Name: 'query'}).", valueName: "file"))
    var watch: String?
    @Option(help: "Tumbling window length (e.g. 1h, 15m).") var window = "1h"
    @Option(help: "Also write sliding windows of --window length every this long (e.g. 5m).") var slide: String?
    @Option(help: "How late (in event time) a post may arrive and still count.") var lateness = "5m"
    @Option(help: "Keep only these languages (comma-separated, e.g. en,pt).") var lang: String?
    @Option(
        help: ArgumentHelp(
            "Count posts whose top sentiment probability is below P as abstained (uncertain), in no share.",
            valueName: "P"))
    var abstainBelow: Float?
    @Flag(help: "Drop repeated post ids.") var dedupe = false
    @Option(
        help: ArgumentHelp(
            "Near-duplicate posts (retweets, copies): count them in every figure, or collapse them (volume only).",
            valueName: "count|collapse"))
    var reposts = "count"
    @Option(help: "How far back (event time) an earlier copy makes a post a repost (e.g. 1d, 6h).")
    var repostHorizon = "1d"
    @Option(
        help: ArgumentHelp(
            "Emerging terms written to OUT/terms.jsonl per window and topic at most (0: off).", valueName: "n"))
    var terms = 10
    @Option(help: ArgumentHelp("Posts of a window an emerging term must be in.", valueName: "n"))
    var termsMinCount = 5
    @Option(help: ArgumentHelp("Windows after which a term's baseline count weighs half.", valueName: "windows"))
    var termsHalfLife = 24
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir")) var out = "vox-out"
    @Option(help: "Window files: csv, jsonl or both.") var format = "both"
    @Option(help: "Posts per model batch.") var batch = 32
    @Option(help: "Longest wait for a batch to fill (e.g. 200ms).") var maxLatency = "200ms"
    @Option(help: ArgumentHelp("Dead-letter file (default OUT/dead-letter.jsonl).", valueName: "file")) var deadLetter:
        String?
    @Flag(help: "Write per-post predictions to OUT/posts.jsonl.") var emitPosts = false
    @Flag(help: "Explain the posts of OUT/examples.jsonl: each word's contribution to its sentiment.")
    var explainExamples = false
    @OptionGroup(title: "Explanations") var explanation: ExplainOptionGroup
    @Option(
        help: ArgumentHelp(
            "Checkpoint folder: a run killed at any moment continues from it when started again.", valueName: "dir"))
    var checkpoint: String?
    @Option(help: "Least time between checkpoints (e.g. 1s; 0ms checkpoints at every consistent point).")
    var checkpointEvery = "1s"
    @OptionGroup(title: "Alerts") var alerts: AlertOptionGroup
    @Option(help: "Replay pacing: max (as fast as possible) or a multiple of real time such as 60x.") var speed = "max"

    func validate() throws {
        for (name, value) in [("--window", window), ("--lateness", lateness), ("--max-latency", maxLatency)]
            + (slide.map { [("--slide", $0)] } ?? [])
        {
            guard DurationParser.milliseconds(value) != nil else {
                throw ValidationError(
                    "\(name) '\(value)' is not a duration like 1h, 5m, 30s or 200ms (at most 3650d)")
            }
        }
        guard (DurationParser.milliseconds(window) ?? 0) > 0 else { throw ValidationError("--window must be positive") }
        if let slide, let step = DurationParser.milliseconds(slide), let size = DurationParser.milliseconds(window),
            step <= 0 || step > size
        {
            throw ValidationError("--slide must be positive and no longer than --window")
        }
        guard ClassifiedPost.Repost(rawValue: reposts) != nil else {
            throw ValidationError("--reposts must be count or collapse")
        }
        guard DurationParser.milliseconds(repostHorizon) != nil else {
            throw ValidationError("--repost-horizon '\(repostHorizon)' is not a duration like 1d, 6h or 30m")
        }
        guard (0...1000).contains(terms) else { throw ValidationError("--terms must be between 0 and 1000") }
        guard termsMinCount >= 1 else { throw ValidationError("--terms-min-count must be at least 1") }
        guard (1...10_000).contains(termsHalfLife) else {
            throw ValidationError("--terms-half-life must be between 1 and 10000 windows")
        }
        guard OutputSinks.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be csv, jsonl or both")
        }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        if let abstainBelow, !(abstainBelow.isFinite && abstainBelow > 0 && abstainBelow <= 1) {
            throw ValidationError("--abstain-below must be a probability in (0, 1]")
        }
        guard speed == "max" || (speed.hasSuffix("x") && (Double(speed.dropLast()) ?? 0) > 0) else {
            throw ValidationError("--speed must be max or a positive multiple such as 60x")
        }
    }

    /// The pipeline options these flags describe, with an explainer for `classifier` when examples are explained.
    func pipelineOptions(classifier: TextClassifier) throws -> PipelineOptions {
        var options = pipelineOptions()
        if explainExamples { options.explainer = try Explainer(classifier: classifier, method: explanation.method()) }
        return options
    }

    /// The pipeline options these flags describe (no explainer).
    func pipelineOptions() -> PipelineOptions {
        var options = PipelineOptions()
        options.window = DurationParser.milliseconds(window) ?? 3_600_000
        options.slide = slide.flatMap(DurationParser.milliseconds)
        options.lateness = DurationParser.milliseconds(lateness) ?? 300_000
        options.languages = lang.map {
            Set($0.lowercased().split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        }
        options.dedupe = dedupe
        options.reposts = ClassifiedPost.Repost(rawValue: reposts) ?? .count
        options.repostHorizon = DurationParser.milliseconds(repostHorizon) ?? 86_400_000
        options.abstainBelow = abstainBelow
        options.terms.top = terms
        options.terms.minimumCount = termsMinCount
        options.terms.halfLife = termsHalfLife
        options.output = out
        options.format = OutputSinks.Format(rawValue: format) ?? .both
        options.batchSize = batch
        options.maxLatency = .milliseconds(DurationParser.milliseconds(maxLatency) ?? 200)
        options.deadLetterPath = deadLetter
        options.emitPosts = emitPosts
        options.speed = speed == "max" ? nil : Double(speed.dropLast())
        options.checkpoint = checkpoint
        options.alerts = alerts.detectorOptions()
        options.alertWebhook = alerts.alertWebhook
        options.checkpointInterval = DurationParser.milliseconds(checkpointEvery) ?? 1000
        return options
    }
}

/// Durations as people write them: `90s`, `5m`, `1h`, `1d`, `200ms`, up to ``longest`` (3,650 days).
enum DurationParser {
    /// The longest duration accepted (windows, periods, lateness, timeouts): ten years of 365 days.
    static let longest: Int64 = 3650 * 86_400_000

    /// The duration in milliseconds; nil for text that is not one, or is longer than ``longest``.
    static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let value = Int64(number), value >= 0 {
                let (millis, overflow) = value.multipliedReportingOverflow(by: scale)
                return !overflow && millis <= longest ? millis : nil
            }
            if suffix == "m" || suffix == "s" { continue }
        }
        return nil
    }
}
