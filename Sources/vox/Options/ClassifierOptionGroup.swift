import ArgumentParser
import Foundation
import VoxDefaultModel
import VoxModel

/// Which fine-tuned classifier to use, for `classify`, `eval` and the pipeline.
struct ClassifierOptionGroup: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The classifier: fast (the default: MiniLM-L6), multilingual (e5-small), or a model folder.",
            valueName: "fast|multilingual|dir"))
    var model: String?

    @OptionGroup var base: ModelOptionGroup

    @OptionGroup var precision: PrecisionOptionGroup

    /// The folder of a bundled model by name (`fast`, `multilingual`), or `name` itself as a model folder; the
    /// default model when nil.
    /// - Throws: `CLIError` when this build lacks the bundled model, or the folder holds no `vox-model.json`.
    static func directory(named name: String?) throws -> String {
        let directory: String
        if let bundled = BundledModel(rawValue: name ?? BundledModel.standard.rawValue) {
            guard let folder = bundled.directory else {
                throw CLIError("this build has no bundled \(bundled.rawValue) model; pass --model DIR")
            }
            directory = folder
        } else {
            directory = name ?? ""
        }
        guard FileManager.default.fileExists(atPath: directory + "/vox-model.json") else {
            throw CLIError(
                "\(directory) holds no vox-model.json: use fast, multilingual, or a folder written by vox train/adapt")
        }
        return directory
    }

    /// Loads the classifier (pulling its base encoder first when it is not cached).
    func load(threads: Int = 2) throws -> TextClassifier {
        try base.classifier(
            in: try ClassifierOptionGroup.directory(named: model), threads: threads, precision: precision.resolve(for:))
    }
}
