import ArgumentParser
import Foundation
import VoxModel

/// `vox model calibrate`: fits each head's temperature on validation data so its probabilities mean what they say,
/// and stores it in the model's `vox-model.json`, where every path that reads probabilities applies it.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit each head's temperature on validation data and store it in the model (vox train does this too).",
        discussion: """
            The temperature minimises the negative log-likelihood of the validation labels; it never changes which \
            label wins, only how confident the probabilities are. Prints the expected calibration error (15 bins) \
            and the Brier score before and after.
            Example: vox model calibrate --model Models/default --sentiment data/sentiment/val.jsonl \
            --topic data/topic/val.jsonl
            """
    )

    @Option(help: ArgumentHelp("The fine-tuned model folder to calibrate (written in place).", valueName: "dir"))
    var model: String

    @OptionGroup var base: ModelOptionGroup

    @Option(help: ArgumentHelp("Labelled sentiment validation data; 'none' skips the head.", valueName: "file"))
    var sentiment = "data/sentiment/val.jsonl"

    @Option(help: ArgumentHelp("Labelled topic validation data; 'none' skips the head.", valueName: "file"))
    var topic = "data/topic/val.jsonl"

    @Flag(help: "Measure and print only; leave the model unchanged.")
    var dryRun = false

    func run() async throws {
        let artifact = try ClassifierArtifact.load(directory: model)
        let baseDirectory = try base.baseModelDirectory(for: artifact)
        let sets = [("sentiment", sentiment), ("topic", topic)].filter { $0.1 != "none" }
        let (_, lines) = try await CalibrateCommand.calibrate(
            model: model, baseDirectory: baseDirectory, sets: sets, write: !dryRun)
        print(lines.joined(separator: "\n"))
    }

    /// Calibrates the heads named in `sets` (head, validation file) of the model in `model`, writing the temperatures
    /// into its `vox-model.json` when `write`; returns the calibrated description and one summary line per head.
    static func calibrate(
        model: String, baseDirectory: String, sets: [(String, String)], write: Bool
    ) async throws -> (artifact: ClassifierArtifact, lines: [String]) {
        do {
            let classifier = try TextClassifier.load(directory: model, baseDirectory: baseDirectory)
            var artifact = classifier.artifact
            var lines: [String] = []
            for (head, path) in sets {
                let fit = try await classifier.calibration(head: head, rows: try LabeledText.load(path))
                artifact = artifact.calibrated(fit)
                lines.append(
                    String(
                        format: "%@: temperature %.3f   ECE %.4f -> %.4f   Brier %.4f -> %.4f   (%d posts of %@)",
                        head, fit.temperature, fit.before.ece, fit.after.ece, fit.before.brier, fit.after.brier,
                        fit.after.count, path))
            }
            if write {
                try artifact.save(directory: model)
                lines.append("temperatures written to \(model)/vox-model.json")
            }
            return (artifact, lines)
        } catch {
            throw CLIError(error.message)
        }
    }
}
