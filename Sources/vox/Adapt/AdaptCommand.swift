import ArgumentParser
import Foundation
import VoxDefaultModel
import VoxFeeds
import VoxModel

/// `vox adapt`: re-fits the sentiment head on a team's own labels and estimates its errors on their posts.
struct AdaptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapt",
        abstract: "Adapt the sentiment head to your labels; store its cross-validated confusion for corrected shares.",
        discussion: """
            The encoder and the topic head stay as they are; the sentiment head is re-fitted on the labels mixed with \
            a sample of the original training data (so general skill is kept), its temperature refitted, and its \
            confusion matrix on your posts estimated by k-fold cross-validation over the labels (each fold's head never \
            saw the rows it scores; rows weighted by their sampling weight). Windows of runs with the adapted model \
            carry shares corrected with that estimate and 95% intervals. Before/after figures are on the labels (after: \
            cross-validated), weighted, i.e. estimates for the whole feed.
            Example: vox adapt --labels labels.jsonl --output Models/ours
            """
    )

    @Option(help: ArgumentHelp("Labelled posts (JSON Lines with \"text\" and \"label\").", valueName: "file"))
    var labels: String
    @Option(help: ArgumentHelp("Where the adapted model is written.", valueName: "dir")) var output: String
    @Option(
        help: ArgumentHelp(
            "The model to adapt: fast (the default), multilingual, or a model folder.",
            valueName: "fast|multilingual|dir"))
    var from = "fast"
    @Option(
        help: ArgumentHelp(
            "Original training data mixed in ({\"text\",\"label\"} JSON Lines), or 'none'.", valueName: "file"))
    var general = "data/sentiment/train.jsonl"
    @Option(help: "Rows of the original data mixed in (a seeded sample).") var generalCount = 1000
    @Option(help: "Cross-validation folds.") var folds = 5
    @Option(help: "Random seed.") var seed: UInt64 = 7
    @Option(help: "The adapted model's id (default: the source's id with -adapted).") var id: String?
    @Option(help: "The adapted model's version.") var version = "1"
    @Flag(help: "Use only the labelled lines of a file labelled part way.") var partial = false
    @OptionGroup var base: ModelOptionGroup

    func validate() throws {
        guard (2...20).contains(folds) else { throw ValidationError("--folds must be between 2 and 20") }
        guard generalCount >= 0 else { throw ValidationError("--general-count cannot be negative") }
    }

    func run() async throws {
        let started = Date()
        let source = try ClassifierOptionGroup.directory(named: from)
        let model = try base.classifier(in: source)
        guard let spec = model.artifact.heads.first(where: { $0.name == "sentiment" }),
            let start = model.head(named: "sentiment")
        else { throw CLIError("\(source) has no softmax sentiment head to adapt") }
        let (domainRows, generalRows) = try loadRows(labels: spec.labels)
        let classes = spec.labels.count
        guard Set(domainRows.map(\.label)).count == classes else {
            let missing = spec.labels.indices.filter { index in !domainRows.contains { $0.label == index } }
            throw CLIError(
                "\(labels): no post is labelled \(missing.map { spec.labels[$0] }.joined(separator: ", ")); every class "
                    + "needs labels for the correction (sample more posts with vox label sample)")
        }
        let thin = spec.labels.indices.filter { index in domainRows.filter { $0.label == index }.count < 10 }
        if domainRows.count < 100 || !thin.isEmpty {
            FileHandle.standardError.write(
                Data(
                    ("vox: warning: \(domainRows.count) labels"
                        + (thin.isEmpty
                            ? "" : ", fewer than 10 for \(thin.map { spec.labels[$0] }.joined(separator: ", "))")
                        + ": the correction and its intervals will be rough; a few hundred labels (vox label sample "
                        + "--count 300) are what the benchmark measured\n").utf8))
        }
        let truth: [Int]
        do {
            truth = try Evaluator.truth(generalRows, labels: spec.labels)
        } catch {
            throw CLIError("\(general): \(error.message)")
        }
        guard let domainFeatures = await model.features(domainRows.map(\.text), head: "sentiment"),
            let generalFeatures = await model.features(generalRows.map(\.text), head: "sentiment")
        else { throw CLIError("\(source) has no sentiment head") }
        let domain = zip(domainFeatures, domainRows).map { HeadAdapter.Example(features: $0, label: $1.label) }
        let mixed = zip(generalFeatures, truth).map { HeadAdapter.Example(features: $0, label: $1) }
        let before = domain.map { Evaluator.argmax(start.logits($0.features)) }
        let weights = domainRows.map(\.weight)
        let adapted = HeadAdapter().adapt(
            domain: domain, weights: weights, general: mixed, start: start, labels: spec.labels, folds: folds,
            seed: seed)
        let (after, estimate, temperature) = (adapted.predicted, adapted.estimate, adapted.temperature)
        let beforeFigures = WeightedFigures(
            truth: domain.map(\.label), predicted: before, weights: weights, classes: classes)
        let afterFigures = WeightedFigures(
            truth: domain.map(\.label), predicted: after, weights: weights, classes: classes)
        var artifact = model.artifact
        artifact.id = id ?? model.artifact.id + "-adapted"
        artifact.version = version
        artifact.domain = estimate
        artifact.precisionBounds = nil
        for (name, figures) in [("before", beforeFigures), ("after", afterFigures)] {
            artifact.metrics["domain.\(name).accuracy"] = figures.accuracy
            artifact.metrics["domain.\(name).macro_recall"] = figures.macroRecall
            for (label, recall) in zip(spec.labels, figures.recall) {
                artifact.metrics["domain.\(name).recall.\(label)"] = recall
            }
        }
        artifact.training["adapt.command"] = (["vox"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        artifact.training["adapt.labels"] = "\(labels) (\(domainRows.count) posts)"
        artifact.training["adapt.source"] = model.artifact.label
        artifact.training["adapt.general"] = general == "none" ? "none" : "\(general) (\(generalRows.count) rows)"
        artifact.training["adapt.temperature"] = String(format: "%.4f", temperature)
        // The refitted head has its own temperature folded into its weights.
        for index in artifact.heads.indices where artifact.heads[index].name == "sentiment" {
            artifact.heads[index].temperature = nil
        }
        artifact.training["adapt.folds"] = String(folds)
        do {
            try TextClassifier.writeAdapted(
                source: source, output: output, artifact: artifact, head: "sentiment", weights: adapted.head)
        } catch {
            throw CLIError(error.message)
        }
        print(
            AdaptCommand.summary(
                labels: spec.labels, before: beforeFigures, after: afterFigures, temperature: temperature,
                estimate: estimate, output: output, tag: artifact.label,
                seconds: Date().timeIntervalSince(started)))
    }

    private func loadRows(labels names: [String]) throws -> ([DomainLabel], [LabeledText]) {
        do {
            return (
                try DomainLabels.load(labels, labels: names, partial: partial).rows,
                try AdaptCommand.generalSample(general, count: generalCount, seed: seed)
            )
        } catch {
            throw CLIError(error.message)
        }
    }

    /// A seeded sample of `count` rows of the original training data at `general` ('none': no rows), leaving out
    /// rows whose text is in `excluding`; the same for `vox adapt` and `vox bench shares`.
    static func generalSample(
        _ general: String, count generalCount: Int, seed: UInt64, excluding: Set<String> = []
    ) throws(ModelError) -> [LabeledText] {
        guard general != "none", generalCount > 0 else { return [] }
        guard FileManager.default.fileExists(atPath: general) else {
            throw ModelError(
                .missing,
                "cannot read the original training data \(general): pass --general FILE (the data vox train used), or "
                    + "--general none to adapt on the labels alone")
        }
        var rows = try LabeledText.load(general)
        if !excluding.isEmpty { rows.removeAll { excluding.contains($0.text) } }
        var generator = SeededGenerator(seed: seed &+ 31)
        rows.shuffle(using: &generator)
        return Array(rows.prefix(generalCount))
    }

    static func summary(
        labels: [String], before: WeightedFigures, after: WeightedFigures, temperature: Double,
        estimate: DomainEstimate, output: String, tag: String, seconds: Double
    ) -> String {
        var lines = [
            "adapted model written to \(output) (\(tag)) in \(Int(seconds.rounded())) s",
            "on \(estimate.labelled) labelled posts (weighted; after = \(estimate.folds)-fold cross-validated):",
            "                before   after",
            String(format: "accuracy        %.4f   %.4f", before.accuracy, after.accuracy),
            String(format: "macro-recall    %.4f   %.4f", before.macroRecall, after.macroRecall),
        ]
        for (index, label) in labels.enumerated() {
            lines.append(
                String(
                    format: "recall %@%.4f   %.4f", label.padding(toLength: 9, withPad: " ", startingAt: 0),
                    before.recall[index], after.recall[index]))
        }
        lines.append(String(format: "temperature %.3f", temperature))
        lines.append(
            "share correction per window (reported share minus the labels' mean error): "
                + zip(labels, estimate.bias).map { String(format: "%@ %+.3f", $0, -$1) }.joined(separator: ", "))
        lines.append("confusion estimate (rows: true, columns: predicted, weighted):")
        for (label, row) in zip(labels, estimate.confusion) {
            lines.append(
                "  " + label.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + row.map { String(format: "%8.1f", $0) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
