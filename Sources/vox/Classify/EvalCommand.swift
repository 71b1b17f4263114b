import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox eval`: accuracy, per-class precision/recall/F1, macro figures and the confusion matrix.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a model's sentiment or topic head on labelled JSON Lines.",
        discussion: "Example: vox eval --task sentiment --data data/sentiment/val.jsonl --json"
    )

    @Option(help: "The head to score: sentiment or topic.")
    var task: String

    @Option(help: ArgumentHelp("Labelled data ({\"text\",\"label\"} JSON Lines).", valueName: "file"))
    var data: String

    @OptionGroup var classifier: ClassifierOptionGroup

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Also compare class shares per value of this field (true vs reported vs corrected).", valueName: "field"))
    var by: String?

    func run() async throws {
        let model = try classifier.load()
        let evaluation: Evaluator.Evaluation
        let rows: [LabeledText]
        do {
            rows = try LabeledText.load(data)
            evaluation = try await Evaluator.evaluate(model, head: task, rows: rows)
        } catch {
            throw CLIError(error.message)
        }
        let (report, calibration) = (evaluation.report, evaluation.calibration)
        guard let by else {
            print(
                json
                    ? EvalCommand.json(report, calibration: calibration)
                    : EvalCommand.table(report, model: model.tag, task: task, calibration: calibration))
            return
        }
        let shares = try GroupShares(
            path: data, field: by, truth: evaluation.truth, predicted: evaluation.predicted,
            probabilities: evaluation.probabilities, labels: report.labels,
            domain: task == "sentiment" ? model.artifact.domain : nil)
        // Grouped by language, the rows' known languages also score language identification.
        let languages = by == "lang" ? LanguageIDReport(texts: rows.map(\.text), truth: shares.names) : nil
        if json {
            print(
                JSONText.object(
                    [
                        ("classification", EvalCommand.json(report, calibration: calibration)),
                        ("by_\(by)", shares.json),
                    ] + (languages.map { [("language_id", $0.json)] } ?? [])))
        } else {
            print(
                EvalCommand.table(report, model: model.tag, task: task, calibration: calibration) + "\n\n"
                    + shares.table + (languages.map { "\n\n" + $0.table } ?? ""))
        }
    }

    static func json(_ report: ClassificationReport, calibration: Calibration) -> String {
        let perClass = zip(report.labels, report.perClass).map { label, figures in
            (
                label,
                JSONText.object([
                    ("precision", String(format: "%.4f", figures.precision)),
                    ("recall", String(format: "%.4f", figures.recall)),
                    ("f1", String(format: "%.4f", figures.f1)), ("support", String(figures.support)),
                ])
            )
        }
        let matrix =
            "[" + report.confusion.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",")
            + "]"
        return JSONText.object([
            ("accuracy", String(format: "%.4f", report.accuracy)),
            ("macro_recall", String(format: "%.4f", report.macroRecall)),
            ("macro_f1", String(format: "%.4f", report.macroF1)), ("ece", String(format: "%.4f", calibration.ece)),
            ("brier", String(format: "%.4f", calibration.brier)), ("per_class", JSONText.object(perClass)),
            (
                "confusion",
                JSONText.object([
                    ("labels", "[" + report.labels.map(JSONText.quote).joined(separator: ",") + "]"),
                    ("matrix", matrix),
                ])
            ),
        ])
    }

    static func table(
        _ report: ClassificationReport, model: String, task: String, calibration: Calibration
    ) -> String {
        let width = max(12, (report.labels.map(\.count).max() ?? 0) + 2)
        func pad(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        var lines = [
            "\(task) on \(report.total) posts with \(model)",
            String(
                format: "accuracy %.4f   macro-recall %.4f   macro-F1 %.4f", report.accuracy, report.macroRecall,
                report.macroF1),
            String(
                format: "calibration: ECE %.4f (%d bins)   Brier %.4f", calibration.ece, calibration.bins,
                calibration.brier), "",
            pad("class") + "precision  recall     F1      support",
        ]
        for (label, figures) in zip(report.labels, report.perClass) {
            lines.append(
                pad(label)
                    + String(
                        format: "%9.4f  %6.4f  %6.4f  %7d", figures.precision, figures.recall, figures.f1,
                        figures.support))
        }
        lines += [
            "", "confusion (rows: true, columns: predicted)",
            pad("")
                + report.labels.map { String($0.prefix(8)).padding(toLength: 9, withPad: " ", startingAt: 0) }.joined(),
        ]
        for (label, row) in zip(report.labels, report.confusion) {
            lines.append(pad(label) + row.map { String($0).padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
