import Foundation

/// `vox-encoder.json` in a base model folder: what Vox must know about an encoder beyond its BERT
/// `config.json` — the prefix its texts get, where its weights came from and how they were converted.
public struct EncoderDescription: Codable, Sendable, Equatable {
    /// The encoder's name (`multilingual-e5-small`).
    public var name: String
    /// Put before every text before tokenising (e5: `query: `); empty for none.
    public var textPrefix: String
    /// Where the weights came from (package, file and SHA-256).
    public var source: String
    /// How they were converted (e.g. 4-bit blocks dequantised exactly to float32).
    public var conversion: String

    enum CodingKeys: String, CodingKey {
        case name
        case textPrefix = "text_prefix"
        case source
        case conversion
    }

    /// Creates a description.
    public init(name: String, textPrefix: String, source: String, conversion: String) {
        self.name = name
        self.textPrefix = textPrefix
        self.source = source
        self.conversion = conversion
    }

    /// The file's name.
    public static let fileName = "vox-encoder.json"

    /// The description in `directory`, or nil when it has none (all-MiniLM-L6-v2 needs none).
    /// - Throws: `ModelError` when the file exists but cannot be read.
    public static func load(directory: String) throws(ModelError) -> EncoderDescription? {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(EncoderDescription.self, from: data)
        } catch {
            throw ModelError(.format, "\(path) is not a Vox encoder description: \(ErrorText.line(error))")
        }
    }

    /// Writes the description into `directory`.
    func write(to directory: String) throws(ModelError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: directory + "/" + EncoderDescription.fileName))
        } catch {
            throw ModelError(.io, "cannot write \(EncoderDescription.fileName) into \(directory): \(error)")
        }
    }
}
