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
}
