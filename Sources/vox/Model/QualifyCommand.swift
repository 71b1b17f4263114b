import ArgumentParser
import Foundation
import VoxDefaultModel
import VoxModel

/// `vox model qualify`: measures a model at each low precision against itself at fp32 on validation data and,
/// with `--write`, stores the figures in its artifact, where `--precision auto` reads them.
struct QualifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qualify",
        abstract: "Compare a model at bf16 and int8 with fp32 on validation data; --write stores the accuracy bounds.",
        discussion: """
            Bound per precision: sentiment macro-recall and topic macro-F1 within 0.3 points of fp32, labels identical \
            on at least 99% of posts (each head on its own validation set, as vox eval scores it), mean embedding \
            cosine to fp32 at least 0.999 (bf16) or 0.995 (int8).
            Example: vox model qualify --sentiment data/sentiment/val.jsonl --topic data/topic/val.jsonl --write
            """
    )

    @Option(
        help: ArgumentHelp(
            "The model: fast (the default), multilingual, or a model folder.", valueName: "fast|multilingual|dir"))
    var model: String?

    @OptionGroup var base: ModelOptionGroup

    @Option(help: ArgumentHelp("Labelled sentiment validation data.", valueName: "file"))
    var sentiment: String

    @Option(help: ArgumentHelp("Labelled topic validation data.", valueName: "file"))
    var topic: String

    @Flag(help: "Store the figures in the model's vox-model.json.")
    var write = false

    func run() async throws {
        let directory = try ClassifierOptionGroup.directory(named: model)
        var artifact = try load { () throws(ModelError) in try ClassifierArtifact.load(directory: directory) }
        let baseDirectory = try base.baseModelDirectory(for: artifact)
        let sets = [
            ("sentiment", try load { () throws(ModelError) in try LabeledText.load(sentiment) }),
            ("topic", try load { () throws(ModelError) in try LabeledText.load(topic) }),
        ]
        let texts = sets.flatMap { $0.1.map(\.text) }
        // Each validation set: its head, and where its posts sit in `texts`.
        var parts: [(name: String, head: Int, rows: [LabeledText], range: Range<Int>)] = []
        for (name, rows) in sets {
            guard let head = artifact.heads.firstIndex(where: { $0.name == name }) else {
                throw CLIError("the model has no \(name) head")
            }
            let start = parts.last?.range.upperBound ?? 0
            parts.append((name, head, rows, start..<(start + rows.count)))
        }
        func measure(_ precision: Precision) async throws -> (metrics: [Double], labels: [[Int]], embeddings: [[Float]])
        {
            let classifier = try load { () throws(ModelError) in
                try TextClassifier.load(directory: directory, baseDirectory: baseDirectory, precision: precision)
            }
            let predictions = await Self.batched(texts) { await classifier.classify($0) }
            let labels = predictions.map { $0.probabilities.map(Evaluator.argmax) }
            var metrics: [Double] = []
            for part in parts {
                let names = artifact.heads[part.head].labels
                let truth = part.rows.map { names.firstIndex(of: $0.labels.first ?? "") ?? -1 }
                guard !truth.contains(-1) else {
                    throw CLIError("\(part.name) data has labels the model does not know")
                }
                let report = ClassificationReport(
                    labels: names, truth: truth, predicted: labels[part.range].map { $0[part.head] })
                metrics.append(part.name == "sentiment" ? report.macroRecall : report.macroF1)
            }
            let encoder = try load { () throws(ModelError) in
                try SentenceEncoder.load(directory: baseDirectory, precision: precision)
            }
            let embeddings = await Self.batched(texts) { await encoder.embed($0) }
            return (metrics, labels, embeddings)
        }
        let reference = try await measure(.fp32)
        print("\(artifact.label): \(texts.count) validation posts; \(Precision.cpuDescription)")
        print(
            "precision  sentiment Δ  topic Δ   labels = fp32 (sentiment / topic on own set; all heads, all posts)"
                + "  cosine mean  cosine min  bound")
        var bounds = artifact.precisionBounds ?? [:]
        for precision in [Precision.bf16, .int8] {
            let low = try await measure(precision)
            let agree = zip(low.labels, reference.labels).filter { $0 == $1 }.count
            var perHead: [String: Double] = [:]
            for part in parts {
                let same = part.range.filter { low.labels[$0][part.head] == reference.labels[$0][part.head] }.count
                perHead[part.name] = Double(same) / Double(max(1, part.rows.count))
            }
            let cosine = PrecisionBound.cosine(low.embeddings, reference.embeddings)
            let bound = PrecisionBound(
                sentimentMacroRecallDelta: low.metrics[0] - reference.metrics[0],
                topicMacroF1Delta: low.metrics[1] - reference.metrics[1],
                labelAgreement: Double(agree) / Double(max(1, texts.count)),
                embeddingCosineMean: cosine.mean, embeddingCosineMin: cosine.min, posts: texts.count,
                headAgreement: perHead)
            bounds[precision.rawValue] = bound
            print(
                precision.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %+10.4f  %+8.4f  %.4f / %.4f; %.4f  %11.5f  %10.5f  ",
                        bound.sentimentMacroRecallDelta,
                        bound.topicMacroF1Delta, perHead["sentiment"] ?? 0, perHead["topic"] ?? 0, bound.labelAgreement,
                        bound.embeddingCosineMean, bound.embeddingCosineMin)
                    + (bound.meetsBound(precision) ? "met" : "NOT met"))
        }
        if write {
            artifact.precisionBounds = bounds
            try load { () throws(ModelError) in try artifact.save(directory: directory) }
            print("stored in \(directory)/vox-model.json")
        }
    }

    /// Runs `body` over `texts` in batches of 64, in order.
    private static func batched<Result: Sendable>(
        _ texts: [String], _ body: ([String]) async -> [Result]
    ) async -> [Result] {
        var results: [Result] = []
        var start = 0
        while start < texts.count {
            let end = min(texts.count, start + 64)
            results += await body(Array(texts[start..<end]))
            start = end
        }
        return results
    }

    private func load<Value>(_ body: () throws(ModelError) -> Value) throws -> Value {
        do { return try body() } catch { throw CLIError(error.message) }
    }
}
