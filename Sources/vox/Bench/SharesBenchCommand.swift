import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox bench shares`: how close corrected shares come to human-labelled truth, on held-out topic groups.
struct SharesBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shares",
        abstract: "Per-topic share error and interval coverage of adapted, corrected shares (SemEval-2016 topics).",
        discussion: """
            The topics of --data (SemEval-2016 Task 4 topic-level tweets, five-point labels mapped to three classes; \
            time from the tweet id) are dealt into --groups groups. For each group: the first --first of its posts by \
            time form the labelling pool; --labels of them are chosen exactly as vox label sample chooses (strata per \
            topic) and answered from the data; the sentiment head is adapted as vox adapt does; the rest is scored per \
            topic and per topic-window. Reported: mean absolute error of negative and positive shares (original \
            model, adapted model, adapted and corrected) and how often the 95% intervals cover the labelled share.
            Example: vox bench shares --data ../shared/data/brand-topics/semeval2016-five-point-test.jsonl
            """
    )

    @Option(help: ArgumentHelp("Topic-level labelled tweets (JSON Lines id, topic, label, text).", valueName: "file"))
    var data = "../shared/data/brand-topics/semeval2016-five-point-test.jsonl"
    @Option(help: "Topic groups (each adapted separately).") var groups = 5
    @Option(help: "Labels per group.") var labels = 300
    @Option(help: "Share of each group's posts (earliest first) that forms the labelling pool.") var first = 0.2
    @Option(help: "Where the labelling pool is cut: per-topic (the first part of each topic's posts) or group.")
    var split = "per-topic"
    @Option(help: "Topic-window length.") var window = "14d"
    @Option(help: "Cross-validation folds.") var folds = 5
    @Option(help: "Random seed.") var seed: UInt64 = 7
    @Option(help: ArgumentHelp("Original training data mixed in, or 'none'.", valueName: "file"))
    var general = "data/sentiment/train.jsonl"
    @Option(help: "Rows of the original data mixed in.") var generalCount = 1000
    @Option(help: ArgumentHelp("Also write every cell as JSON to this file.", valueName: "file")) var json: String?
    @Option(help: "The adapter's share of the loss from the labels (vox adapt's setting by default).")
    var domainShare = HeadAdapter().domainShare
    @Option(help: "The adapter's L2 pull toward the original head.") var anchor = HeadAdapter().anchor
    @Option(
        help: ArgumentHelp("Write every labelled and scored post's probabilities (JSON Lines) here.", valueName: "file")
    )
    var dump: String?
    @OptionGroup var classifier: ClassifierOptionGroup

    func validate() throws {
        guard groups > 0, labels > 0, (0.01...0.9).contains(first), folds >= 2 else {
            throw ValidationError("--groups and --labels must be positive, --first in [0.01, 0.9], --folds ≥ 2")
        }
        guard ["per-topic", "group"].contains(split) else {
            throw ValidationError("--split must be per-topic or group")
        }
        guard (DurationParser.milliseconds(window) ?? 0) > 0 else {
            throw ValidationError("--window '\(window)' is not a duration like 14d")
        }
    }

    func run() async throws {
        let model = try classifier.load()
        guard let start = model.head(named: "sentiment") else { throw CLIError("\(model.tag) has no sentiment head") }
        let rows = try SharesBenchCommand.read(data)
        let progress = FileHandle.standardError
        progress.write(Data("vox: encoding \(rows.count) posts with \(model.tag)…\n".utf8))
        guard let features = await model.features(rows.map(\.text), head: "sentiment") else {
            throw CLIError("\(model.tag) has no sentiment head")
        }
        let posts = zip(rows, features).map { row, vector in
            ShareBenchmark.Post(
                id: row.id, topic: row.topic, time: row.time, truth: row.label, features: vector,
                original: start.logits(vector))
        }
        let texts = Set(rows.map(\.text))
        let sample: [LabeledText]
        let truth: [Int]
        do {
            sample = try AdaptCommand.generalSample(general, count: generalCount, seed: seed, excluding: texts)
            truth = try Evaluator.truth(sample, labels: HeadSpec.sentimentLabels)
        } catch {
            throw CLIError(error.message)
        }
        let vectors = await model.features(sample.map(\.text), head: "sentiment") ?? []
        let mix = zip(vectors, truth).map { HeadAdapter.Example(features: $0, label: $1) }
        let topics = Array(Set(rows.map(\.topic))).sorted()
        var benchmark = ShareBenchmark(
            labels: labels, firstPart: first, window: DurationParser.milliseconds(window) ?? 1_209_600_000,
            folds: folds, seed: seed, perTopicSplit: split != "group")
        benchmark.adapter.domainShare = domainShare
        benchmark.adapter.anchor = anchor
        var results: [ShareBenchmark.Result] = []
        for group in 0..<groups {
            let members = Set(topics.indices.filter { $0 % groups == group }.map { topics[$0] })
            let groupPosts = posts.filter { members.contains($0.topic) }
            guard !groupPosts.isEmpty else { continue }
            results.append(benchmark.run(groupPosts, general: mix, start: start, classes: 3))
            let confusion =
                results.last.map { $0.estimate.confusion.map { $0.map { String(format: "%.0f", $0) } } } ?? []
            progress.write(Data("vox: group \(group + 1) of \(groups) done; weighted confusion \(confusion)\n".utf8))
        }
        print(SharesBenchCommand.markdown(results, model: model.tag, data: data, labels: labels))
        if let dump {
            var text = ""
            func list(_ values: [Double]) -> String {
                "[" + values.map { String(format: "%.5f", $0) }.joined(separator: ",") + "]"
            }
            for (group, result) in results.enumerated() {
                for (truth, probs, weight, topic) in result.labelledRows {
                    text +=
                        "{\"group\":\(group),\"kind\":\"labelled\",\"topic\":\(JSONText.quote(topic)),\"truth\":\(truth),\"probs\":\(list(probs)),\"weight\":\(weight)}\n"
                }
                for (topic, time, truth, adapted, original) in result.scoredRows {
                    text +=
                        "{\"group\":\(group),\"kind\":\"scored\",\"topic\":\(JSONText.quote(topic)),\"time\":\(time),\"truth\":\(truth),"
                        + "\"probs\":\(list(adapted)),\"original\":\(list(original))}\n"
                }
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: dump), options: .atomic)
        }
        if let json {
            do {
                try Data(SharesBenchCommand.json(results).utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
            } catch {
                throw CLIError("cannot write \(json): \(error.localizedDescription)")
            }
        }
    }

    struct Row {
        var id: String
        var topic: String
        var time: Int64
        var label: Int
        var text: String
    }

    /// Reads the benchmark file: five-point integer labels (or class names); time from the tweet id's snowflake.
    static func read(_ path: String) throws -> [Row] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        var rows: [Row] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = object["id"] as? String, let snowflake = Int64(id), let topic = object["topic"] as? String,
                let text = object["text"] as? String
            else { throw CLIError("\(path):\(index + 1): expected {\"id\",\"topic\",\"label\",\"text\"}") }
            let label: Int
            if let point = object["label"] as? Int {
                label = point < 0 ? 0 : point == 0 ? 1 : 2
            } else if let name = object["label"] as? String,
                let position = HeadSpec.sentimentLabels.firstIndex(of: name)
            {
                label = position
            } else {
                throw CLIError("\(path):\(index + 1): label must be −2…2 or negative, neutral, positive")
            }
            rows.append(
                Row(id: id, topic: topic, time: (snowflake >> 22) + 1_288_834_974_657, label: label, text: text))
        }
        return rows
    }

    /// Mean absolute errors and coverage over cells.
    struct Summary {
        var cells: Int
        var original: (Double, Double)
        var adaptedRaw: (Double, Double)
        var adjusted: (Double, Double)
        var coverage: (Double, Double)
        var originalCoverage: (Double, Double)
        var width: (Double, Double)

        init(_ cells: [ShareBenchmark.Cell]) {
            self.cells = cells.count
            let n = Double(max(1, cells.count))
            func mean(_ value: (ShareBenchmark.Cell) -> Double) -> Double { cells.reduce(0) { $0 + value($1) } / n }
            func error(_ pick: KeyPath<ShareBenchmark.Cell, [Double]>, _ k: Int) -> Double {
                mean { abs($0[keyPath: pick][k] - $0.truth[k]) }
            }
            func covered(_ estimate: KeyPath<ShareBenchmark.Cell, ShareEstimate>, _ k: Int) -> Double {
                mean { cell in
                    let bounds = cell[keyPath: estimate]
                    return bounds.low[k] - 1e-9 <= cell.truth[k] && cell.truth[k] <= bounds.high[k] + 1e-9 ? 1 : 0
                }
            }
            original = (error(\.original, 0), error(\.original, 2))
            adaptedRaw = (error(\.adaptedRaw, 0), error(\.adaptedRaw, 2))
            adjusted = (error(\.adjusted, 0), error(\.adjusted, 2))
            coverage = (covered(\.adjustedEstimate, 0), covered(\.adjustedEstimate, 2))
            originalCoverage = (covered(\.originalEstimate, 0), covered(\.originalEstimate, 2))
            width = (
                mean { $0.adjustedEstimate.high[0] - $0.adjustedEstimate.low[0] },
                mean { $0.adjustedEstimate.high[2] - $0.adjustedEstimate.low[2] }
            )
        }
    }

    static func markdown(_ results: [ShareBenchmark.Result], model: String, data: String, labels: Int) -> String {
        func pair(_ value: (Double, Double)) -> String { String(format: "%.3f / %.3f", value.0, value.1) }
        var lines = [
            "Share benchmark: \(data) with \(model), \(labels) labels per group", "",
            "| group | topics | labelled | scored | cells | MAE original (neg / pos) | MAE adapted | MAE adjusted "
                + "| 95% coverage adjusted | coverage original (sampling only) | mean width adjusted |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        func line(_ name: String, _ topics: Int, _ labelled: Int, _ scored: Int, _ summary: Summary) -> String {
            "| \(name) | \(topics) | \(labelled) | \(scored) | \(summary.cells) | \(pair(summary.original)) | "
                + "\(pair(summary.adaptedRaw)) | \(pair(summary.adjusted)) | \(pair(summary.coverage)) | "
                + "\(pair(summary.originalCoverage)) | \(pair(summary.width)) |"
        }
        for (index, result) in results.enumerated() {
            lines.append(
                line(
                    "\(index + 1) per topic", result.topics.count, result.labelled, result.scored,
                    Summary(result.perTopic)))
            lines.append(
                line(
                    "\(index + 1) per window", result.topics.count, result.labelled, result.scored,
                    Summary(result.perWindow)))
        }
        let topics = results.reduce(0) { $0 + $1.topics.count }
        let labelled = results.reduce(0) { $0 + $1.labelled }
        let scored = results.reduce(0) { $0 + $1.scored }
        lines.append(line("**all, per topic**", topics, labelled, scored, Summary(results.flatMap(\.perTopic))))
        lines.append(line("**all, per window**", topics, labelled, scored, Summary(results.flatMap(\.perWindow))))
        return lines.joined(separator: "\n")
    }

    static func json(_ results: [ShareBenchmark.Result]) -> String {
        func list(_ values: [Double]) -> String {
            "[" + values.map { String(format: "%.4f", $0) }.joined(separator: ",") + "]"
        }
        let cells = results.enumerated().flatMap { group, result in
            (result.perTopic + result.perWindow).map { cell in
                JSONText.object([
                    ("group", String(group + 1)), ("topic", JSONText.quote(cell.topic)),
                    ("window_start", cell.windowStart.map { JSONText.quote(Timestamp.format(millis: $0)) } ?? "null"),
                    ("posts", String(cell.posts)), ("truth", list(cell.truth)), ("original", list(cell.original)),
                    ("adapted", list(cell.adaptedRaw)), ("adjusted", list(cell.adjusted)),
                    ("low", list(cell.adjustedEstimate.low)), ("high", list(cell.adjustedEstimate.high)),
                ])
            }
        }
        return cells.joined(separator: "\n") + "\n"
    }
}
