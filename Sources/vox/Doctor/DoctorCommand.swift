import ArgumentParser
import Foundation
import VoxDefaultModel
import VoxLanguage
import VoxModel

/// `vox doctor`: checks what a job depends on and reports one line each, so a broken setup is found before a job
/// runs on it: the CPU's kernel paths, the model cache and the default model's integrity, write access and free
/// disk for the outputs and checkpoint, the sources, and the optional system packages.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the CPU paths, models, output folders, disk, sources and optional packages a job needs.",
        discussion: """
            Each line is ok, warn or fail, the check, and what was found. Exits non-zero when any check fails. \
            With --config, the job file's sources, output and checkpoint folders are checked.
            Example: vox doctor --config /etc/vox/job.yaml
            """
    )

    @Argument(help: "Sources to check (files, or http(s) URLs: a TCP connection to the host is tried).")
    var sources: [String] = []
    @Option(help: ArgumentHelp("A job file whose sources and folders to check.", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("Output folder to check.", valueName: "dir")) var out: String?
    @Option(help: ArgumentHelp("Checkpoint folder to check.", valueName: "dir")) var checkpoint: String?
    @Option(help: ArgumentHelp("Model cache folder.", valueName: "dir")) var cacheDir: String?
    @Option(help: "Seconds to wait for each source's host.") var timeout = 5.0

    enum Outcome: String { case ok, warn, fail }

    func run() throws {
        var lines: [(Outcome, String, String)] = []
        var sources = sources
        var out = out
        var checkpoint = checkpoint
        if let config {
            let job = try JobConfig(path: config, for: TailCommand.self)
            sources += job.sources
            out = out ?? job.entries.last { $0.key == "out" }?.values.first
            checkpoint = checkpoint ?? job.entries.last { $0.key == "checkpoint" }?.values.first
        }
        lines.append(
            (
                .ok, "cpu",
                "\(Precision.cpuDescription); fast precisions: "
                    + Precision.fastestFirst.map(\.rawValue).joined(separator: ", ")
            ))
        lines += DoctorCommand.models(store: ModelStore(root: cacheDir))
        lines.append(DoctorCommand.folder(out ?? "vox-out", what: "output"))
        if let checkpoint { lines.append(DoctorCommand.folder(checkpoint, what: "checkpoint")) }
        lines.append(DoctorCommand.disk(out ?? "vox-out"))
        for source in sources { lines.append(DoctorCommand.source(source, timeout: timeout)) }
        lines += DoctorCommand.packages()
        for (outcome, check, detail) in lines {
            print(
                outcome.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
                    + check.padding(
                        toLength: 20, withPad: " ", startingAt: 0) + detail)
        }
        if lines.contains(where: { $0.0 == .fail }) { throw ExitCode(1) }
    }

    /// The base encoders (weights re-hashed against their SHA-256) and the bundled models.
    static func models(store: ModelStore) -> [(Outcome, String, String)] {
        var lines: [(Outcome, String, String)] = []
        for (name, expected) in ModelStore.encoders.sorted(by: { $0.key < $1.key }) {
            let folder = store.directory(of: name)
            guard store.isInstalled(name) else {
                let needed = name == ModelStore.baseModelName ? Outcome.fail : .warn
                lines.append((needed, "encoder", "\(name) is not in \(store.root): run vox model pull \(name)"))
                continue
            }
            // e5's SHA-256 is that of the 4-bit file it was converted from; its conversion recorded the check.
            guard name == ModelStore.baseModelName else {
                lines.append((.ok, "encoder", "\(name) in \(folder) (verified when converted)"))
                continue
            }
            do {
                let digest = try SHA256.hexDigest(ofFile: folder + "/model.safetensors")
                lines.append(
                    digest == expected
                        ? (.ok, "encoder", "\(name) in \(folder), SHA-256 \(digest.prefix(12))… matches")
                        : (
                            .fail, "encoder",
                            "\(name): model.safetensors has SHA-256 \(digest), not \(expected): pull it again"
                        ))
            } catch {
                lines.append((.fail, "encoder", "\(name): \(error.message)"))
            }
        }
        for model in BundledModel.allCases {
            guard let directory = model.directory else {
                lines.append((.fail, "model \(model.rawValue)", "cannot write the bundled model to the cache"))
                continue
            }
            do {
                let artifact = try ClassifierArtifact.load(directory: directory)
                let heads = artifact.heads.map(\.name).joined(separator: " + ")
                lines.append((.ok, "model \(model.rawValue)", "\(artifact.id)@\(artifact.version): \(heads) heads"))
            } catch {
                lines.append((.fail, "model \(model.rawValue)", error.message))
            }
        }
        return lines
    }

    /// `path` if it exists, else its nearest existing parent (`.` for a relative path none of whose parents exist).
    static func nearestExisting(_ path: String) -> String {
        var existing = path
        while !FileManager.default.fileExists(atPath: existing) {
            let parent = (existing as NSString).deletingLastPathComponent
            if parent == existing || parent.isEmpty { return "." }
            existing = parent
        }
        return existing
    }

    /// Whether a folder (or, before it exists, its nearest existing parent) takes a new file.
    static func folder(_ path: String, what: String) -> (Outcome, String, String) {
        let existing = DoctorCommand.nearestExisting(path)
        let probe = existing + "/.vox-doctor-\(getpid())"
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            return (.fail, "\(what) folder", "cannot write in \(existing) (for \(path))")
        }
        try? FileManager.default.removeItem(atPath: probe)
        return (
            .ok, "\(what) folder", existing == path ? "\(path) is writable" : "\(path) can be created in \(existing)"
        )
    }

    /// Free space where the outputs go (warn under 1 GiB).
    static func disk(_ path: String) -> (Outcome, String, String) {
        let existing = DoctorCommand.nearestExisting(path)
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: existing),
            let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value
        else { return (.warn, "disk", "cannot tell the free space at \(existing)") }
        let gib = Double(free) / 1_073_741_824
        return (gib < 1 ? .warn : .ok, "disk", String(format: "%.1f GiB free at %@", gib, existing))
    }

    /// A file source exists and is readable; an HTTP one's host takes a TCP connection.
    static func source(_ source: String, timeout: Double) -> (Outcome, String, String) {
        if source == "-" { return (.ok, "source", "- (standard input)") }
        if let url = URL(string: source), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host
        {
            let port = url.port ?? (scheme == "https" ? 443 : 80)
            switch Reachability.connect(host: host, port: port, timeout: timeout) {
            case .success(let milliseconds):
                return (.ok, "source", String(format: "%@: %@:%d answers (%.0f ms)", source, host, port, milliseconds))
            case .failure(let error):
                return (.fail, "source", "\(source): \(error)")
            }
        }
        let path = source.hasPrefix("file://") ? String(source.dropFirst("file://".count)) : source
        if path.contains("*") { return (.ok, "source", "\(source) (a glob: matched when the job starts)") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            return (.fail, "source", "\(source): no such readable file or folder")
        }
        return (.ok, "source", "\(source) is readable")
    }

    /// The optional system packages: CLD2 (language identification) and nats-server (a local JetStream).
    static func packages() -> [(Outcome, String, String)] {
        let detected = LanguageIdentifier().decide(text: "Este produto é horrível, nunca mais compro", tag: nil)
        let cld2: (Outcome, String, String) =
            detected.lang == "pt"
            ? (.ok, "cld2", "language identification works (a Portuguese test sentence: pt)")
            : (.fail, "cld2", "language identification answered \(detected.lang ?? "nothing") for Portuguese")
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        let server = path.map { "\($0)/nats-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        let nats: (Outcome, String, String) =
            server.map { (.ok, "nats-server", "\($0) (for a local JetStream: vox publish/worker/aggregate)") }
            ?? (
                .warn, "nats-server",
                "not on PATH: install nats-server to run JetStream locally (vox publish/worker/aggregate)"
            )
        return [cld2, nats]
    }
}
