import ArgumentParser
import Foundation
import VoxModel

/// Where models are cached, for every command that needs one.
struct ModelOptionGroup: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Model cache folder (default: $VOX_CACHE_DIR, $XDG_CACHE_HOME/vox or ~/.cache/vox).", valueName: "dir"))
    var cacheDir: String?

    /// The store these options name.
    var store: ModelStore { ModelStore(root: cacheDir) }

    /// The base encoder's folder, pulling it first when it is not installed.
    func baseModelDirectory() throws -> String {
        let store = store
        if !store.hasBaseModel {
            FileHandle.standardError.write(Data("vox: the base model is not installed yet; pulling it…\n".utf8))
            try ModelPuller(store: store).pull()
        }
        return store.directory()
    }

    /// The folder of the base encoder `artifact`'s heads were trained on, pulling it first when needed.
    func baseModelDirectory(for artifact: ClassifierArtifact) throws -> String {
        try baseModelDirectory(named: artifact.baseModel)
    }

    /// Loads the fine-tuned model in `directory` on the base encoder its `vox-model.json` names (pulled first
    /// when missing), at the precision `precision` picks for that model.
    /// - Throws: `CLIError` with the model error's message.
    func classifier(
        in directory: String, threads: Int = 2, precision: (ClassifierArtifact) -> Precision = { _ in .fp32 }
    ) throws -> TextClassifier {
        do {
            let artifact = try ClassifierArtifact.load(directory: directory)
            return try TextClassifier.load(
                directory: directory, baseDirectory: try baseModelDirectory(for: artifact), threads: threads,
                precision: precision(artifact))
        } catch let error as ModelError {
            throw CLIError(error.message)
        }
    }

    /// The folder of the base encoder called `name`, pulling it first when it is not installed.
    func baseModelDirectory(named name: String) throws -> String {
        guard name != ModelStore.baseModelName else { return try baseModelDirectory() }
        let store = store
        guard name == ModelStore.e5Name else {
            throw CLIError("unknown encoder \(name): use \(ModelStore.baseModelName) or \(ModelStore.e5Name)")
        }
        if !store.isInstalled(name) {
            FileHandle.standardError.write(Data("vox: \(name) is not installed yet; pulling it…\n".utf8))
            try ModelPuller(store: store).pullE5()
        }
        return store.directory(of: name)
    }
}
