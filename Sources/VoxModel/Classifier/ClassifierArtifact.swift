import Foundation

/// A fine-tuned classifier on disk: `vox-model.json` (what it is, how it was trained, how it scored) and
/// `weights.safetensors` (the trained tensors: LoRA adapters, biases, LayerNorms and heads, or every weight
/// after full fine-tuning). The base encoder's weights always come from `vox model pull`.
public struct ClassifierArtifact: Codable, Sendable, Equatable {
    /// Identifies the model in outputs (`model` field of window records).
    public var id: String
    /// Version of this model.
    public var version: String
    /// The base encoder's name and SHA-256.
    public var baseModel: String
    public var baseSHA256: String
    /// How the encoder was fine-tuned.
    public var fineTuning: FineTuning
    /// The heads, in output order.
    public var heads: [HeadSpec]
    /// Validation figures by name (e.g. `sentiment.macro_recall`).
    public var metrics: [String: Double]
    /// How it was trained (command, epochs, seconds, data), for the model card.
    public var training: [String: String]
    /// Per low precision (`bf16`, `int8`), how it compared with fp32 on validation data (`vox model qualify`).
    public var precisionBounds: [String: PrecisionBound]?
    /// The adapted model's confusion on a team's own labels (`vox adapt`), which corrects window shares.
    public var domain: DomainEstimate?
    /// The languages the heads were trained to read (ISO 639-1); nil: those of the base encoder's training
    /// data as Vox trains it (``defaultLanguages(baseModel:)``). Posts in others are abstained from.
    public var languages: [String]?

    enum CodingKeys: String, CodingKey {
        case id, version, heads, metrics, training
        case baseModel = "base_model"
        case baseSHA256 = "base_sha256"
        case fineTuning = "fine_tuning"
        case precisionBounds = "precision_bounds"
        case domain = "domain_estimate"
        case languages
    }

    /// The languages the model reads: `languages`, or its base encoder's default.
    public var supportedLanguages: Set<String> {
        Set(languages ?? ClassifierArtifact.defaultLanguages(baseModel: baseModel))
    }

    /// The languages heads on `baseModel` read unless their artifact says otherwise: English for
    /// all-MiniLM-L6-v2; for multilingual-e5-small the UMSAB languages its heads are trained on except Hindi
    /// (UMSAB's Hindi is romanised and code-mixed, and the heads score it at chance: abstaining is more honest).
    public static func defaultLanguages(baseModel: String) -> [String] {
        baseModel == ModelStore.e5Name ? ["ar", "de", "en", "es", "fr", "it", "pt"] : ["en"]
    }

    /// Creates a description of heads trained on the encoder called `baseModel` (one of `ModelStore.encoders`).
    public init(
        id: String, version: String, fineTuning: FineTuning, heads: [HeadSpec], metrics: [String: Double] = [:],
        training: [String: String] = [:], baseModel: String = ModelStore.baseModelName
    ) {
        self.id = id
        self.version = version
        self.baseModel = baseModel
        baseSHA256 = ModelStore.encoders[baseModel] ?? ""
        self.fineTuning = fineTuning
        self.heads = heads
        self.metrics = metrics
        self.training = training
    }

    /// Whether `precision` was measured on this model and met its accuracy bound (fp32 always does).
    public func qualifies(_ precision: Precision) -> Bool {
        precision == .fp32 || precisionBounds?[precision.rawValue]?.meetsBound(precision) == true
    }

    /// Checks that the encoder in `baseDirectory` is the one these heads were trained on: its name (from
    /// `vox-encoder.json`; all-MiniLM-L6-v2 has none) and the SHA-256 its weights were verified by.
    /// - Throws: `ModelError` (`.mismatch`) naming both encoders.
    public func checkBase(_ baseDirectory: String) throws(ModelError) {
        let name = try EncoderDescription.load(directory: baseDirectory)?.name ?? ModelStore.baseModelName
        guard name == baseModel, ModelStore.encoders[name] == baseSHA256 else {
            throw ModelError(
                .mismatch,
                "\(label) was trained on \(baseModel) (weights SHA-256 \(baseSHA256.prefix(12))…), but "
                    + "\(baseDirectory) holds \(name): pull \(baseModel) with vox model pull \(baseModel)")
        }
    }

    /// `id@version`, as outputs name the model.
    public var label: String { "\(id)@\(version)" }

    /// Reads `vox-model.json` from a folder.
    public static func load(directory: String) throws(ModelError) -> ClassifierArtifact {
        guard let data = FileManager.default.contents(atPath: directory + "/vox-model.json") else {
            throw ModelError(.missing, "no vox-model.json in \(directory)")
        }
        let artifact: ClassifierArtifact
        do {
            artifact = try JSONDecoder().decode(ClassifierArtifact.self, from: data)
        } catch {
            throw ModelError(
                .format, "\(directory)/vox-model.json is not a Vox model description: \(ErrorText.line(error))")
        }
        try artifact.validate(file: directory + "/vox-model.json")
        return artifact
    }

    /// Checks the fields a loaded model relies on.
    /// - Throws: `ModelError` naming `file` and the field.
    public func validate(file: String) throws(ModelError) {
        func check(_ ok: Bool, _ what: String) throws(ModelError) {
            guard ok else { throw ModelError(.format, "\(file): \(what)") }
        }
        let tuning = fineTuning
        try check((0...4096).contains(tuning.loraRank), "lora_rank is \(tuning.loraRank), not in 0…4096")
        try check(tuning.loraAlpha.isFinite, "lora_alpha is \(tuning.loraAlpha), not a number")
        try check(
            tuning.dropout.isFinite && (0..<1).contains(tuning.dropout), "dropout is \(tuning.dropout), not in [0, 1)")
        try check(!heads.isEmpty, "the model has no heads")
        if let languages {
            try check(!languages.isEmpty, "languages is empty (leave it out to take the encoder's)")
            for lang in languages {
                try check(
                    (2...3).contains(lang.count) && lang.allSatisfy { $0.isASCII && $0.isLowercase },
                    "language \"\(lang)\" is not an ISO 639 code such as en or pt")
            }
        }
        try check(Set(heads.map(\.name)).count == heads.count, "two heads share a name")
        for head in heads {
            try check(!head.name.isEmpty, "a head has no name")
            try check(
                head.labels.count >= (head.kind == .softmax ? 2 : 1),
                "head \(head.name) has \(head.labels.count) labels")
            try check(
                Set(head.labels).count == head.labels.count && !head.labels.contains(""),
                "head \(head.name) has an empty or repeated label")
            if let temperature = head.temperature {
                try check(
                    temperature.isFinite && temperature > 0,
                    "head \(head.name)'s temperature is \(temperature), not a positive number")
            }
        }
    }

    /// Writes `vox-model.json` into a folder.
    public func save(directory: String) throws(ModelError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try encoder.encode(self).write(to: URL(fileURLWithPath: directory + "/vox-model.json"), options: .atomic)
        } catch {
            throw ModelError(.io, "cannot write \(directory)/vox-model.json: \(error.localizedDescription)")
        }
    }
}
