import ArgumentParser
import Foundation
import VoxDefaultModel
import VoxModel

/// Which fine-tuned classifier to use, for `classify`, `eval` and the pipeline.
struct ClassifierOptionGroup: ParsableArguments {
    @Option(help: ArgumentHelp("A fine-tuned model folder (default: the bundled default model).", valueName: "dir"))
    var model: String?

    @OptionGroup var base: ModelOptionGroup

    @OptionGroup var precision: PrecisionOptionGroup

    /// Loads the classifier (pulling the base encoder first when it is not cached).
    func load(threads: Int = 2) throws -> TextClassifier {
        guard let directory = model ?? DefaultModel.directory else {
            throw CLIError("this build has no bundled default model; pass --model DIR")
        }
        guard FileManager.default.fileExists(atPath: directory + "/vox-model.json") else {
            throw CLIError("\(directory) holds no vox-model.json: train one with vox train, or pass --model DIR")
        }
        do {
            let artifact = try ClassifierArtifact.load(directory: directory)
            return try TextClassifier.load(
                directory: directory, baseDirectory: try base.baseModelDirectory(), threads: threads,
                precision: precision.resolve(for: artifact))
        } catch let error as ModelError {
            throw CLIError(error.message)
        }
    }
}
