import Foundation

/// A character n-gram naive Bayes language model: for each of a few languages, the log-probability of every
/// character n-gram (orders 1 through ``order``, hashed into 2^``bucketBits`` buckets) as estimated from tweets
/// whose language is known. It tells its languages apart where CLD2, trained on web pages, cannot: romanised,
/// code-mixed Hindi, and tweets that mix English words into another language.
///
/// Texts are read as the identifier reads them (``LanguageIdentifier/words(of:hashtags:)``), lower-cased, with
/// every character that is not a letter made a space. The file (`vox model language-id`) is the magic `VOXLID01`,
/// then little-endian `UInt32`s `order`, `bucketBits`, the language count, then each language's code in 8 bytes
/// (zero-padded), then the table: per bucket, per language, `Int16` log-probability × 1024.
public struct NgramLanguageModel: Sendable {
    /// The languages it tells apart, as ISO 639-1 codes.
    public let languages: [String]
    /// The longest n-gram, in characters.
    public let order: Int
    /// The table has 2^bucketBits buckets.
    public let bucketBits: Int
    /// Per bucket, per language: log-probability × ``scale``.
    private let table: [Int16]

    /// Log-probabilities are stored as `Int16(log p × scale)`.
    static let scale: Float = 1024
    static let magic = Array("VOXLID01".utf8)

    /// What the model makes of one text.
    public struct Guess: Sendable, Equatable {
        /// The most likely of the model's languages.
        public var lang: String
        /// How far ahead of the runner-up it is: the difference of their log-likelihoods per n-gram.
        public var margin: Float
        /// The n-grams scored.
        public var grams: Int
    }

    /// Estimates the model from `examples` (text and language code) with add-`smoothing` counts.
    public static func train(
        _ examples: [(text: String, lang: String)], order: Int = 5, bucketBits: Int = 17, smoothing: Double = 0.1
    ) throws(LanguageModelError) -> NgramLanguageModel {
        guard (1...8).contains(order), (8...24).contains(bucketBits), smoothing > 0 else {
            throw LanguageModelError("the n-gram order must be 1–8, the bucket bits 8–24 and the smoothing positive")
        }
        let languages = Array(Set(examples.map(\.lang))).sorted()
        guard languages.count >= 2, languages.count <= 64 else {
            throw LanguageModelError("training needs examples of 2 to 64 languages, not \(languages.count)")
        }
        if let bad = languages.first(where: { LanguageIdentifier.normalize(tag: $0) != $0 }) {
            throw LanguageModelError("'\(bad)' is not a language code (two or three lower-case letters)")
        }
        let index = Dictionary(uniqueKeysWithValues: languages.enumerated().map { ($0.element, $0.offset) })
        let buckets = 1 << bucketBits
        var counts = [Int32](repeating: 0, count: buckets * languages.count)
        var totals = [Double](repeating: 0, count: languages.count)
        for example in examples {
            guard let lang = index[example.lang] else { continue }
            grams(of: normalized(example.text), order: order, mask: UInt64(buckets - 1)) { bucket in
                counts[bucket * languages.count + lang] &+= 1
                totals[lang] += 1
            }
        }
        var table = [Int16](repeating: 0, count: counts.count)
        for bucket in 0..<buckets {
            for lang in 0..<languages.count {
                let count = Double(counts[bucket * languages.count + lang])
                let logp = log((count + smoothing) / (totals[lang] + smoothing * Double(buckets)))
                table[bucket * languages.count + lang] = quantize(logp)
            }
        }
        return NgramLanguageModel(languages: languages, order: order, bucketBits: bucketBits, table: table)
    }

    private init(languages: [String], order: Int, bucketBits: Int, table: [Int16]) {
        self.languages = languages
        self.order = order
        self.bucketBits = bucketBits
        self.table = table
    }

    private static func quantize(_ logp: Double) -> Int16 {
        let scaled = (logp * Double(scale)).rounded()
        return scaled.isFinite ? Int16(max(-32767, min(0, scaled))) : -32767
    }

    /// Reads a model file's bytes; `name` names it in errors.
    public init(data: Data, name: String) throws(LanguageModelError) {
        let bytes = [UInt8](data)
        func word(_ at: Int) -> Int {
            (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
        }
        guard bytes.count >= 20, Array(bytes[0..<8]) == NgramLanguageModel.magic else {
            throw LanguageModelError("\(name) is not a Vox language-ID model (no VOXLID01 header)")
        }
        let order = word(8)
        let bucketBits = word(12)
        let count = word(16)
        guard (1...8).contains(order), (8...24).contains(bucketBits), (2...64).contains(count) else {
            throw LanguageModelError(
                "\(name): order \(order), bucket bits \(bucketBits) or \(count) languages out of range (1–8, 8–24, 2–64)"
            )
        }
        let tableStart = 20 + 8 * count
        let cells = (1 << bucketBits) * count
        guard bytes.count == tableStart + 2 * cells else {
            throw LanguageModelError("\(name) is \(bytes.count) bytes; its header says \(tableStart + 2 * cells)")
        }
        var languages: [String] = []
        for index in 0..<count {
            let raw = bytes[(20 + 8 * index)..<(28 + 8 * index)].prefix { $0 != 0 }
            let code = String(decoding: raw, as: UTF8.self)
            guard LanguageIdentifier.normalize(tag: code) == code, !languages.contains(code) else {
                throw LanguageModelError("\(name): language \(index + 1) ('\(code)') is not a distinct language code")
            }
            languages.append(code)
        }
        var table = [Int16](repeating: 0, count: cells)
        for cell in 0..<cells {
            let at = tableStart + 2 * cell
            table[cell] = Int16(bitPattern: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
            guard table[cell] <= 0 else {
                throw LanguageModelError("\(name): cell \(cell) is a positive log-probability")
            }
        }
        self.init(languages: languages, order: order, bucketBits: bucketBits, table: table)
    }

    /// The model file's bytes.
    public var serialized: Data {
        var bytes = NgramLanguageModel.magic
        for value in [order, bucketBits, languages.count] {
            bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        for code in languages {
            bytes += Array(code.utf8.prefix(8)) + [UInt8](repeating: 0, count: 8 - min(8, code.utf8.count))
        }
        bytes.reserveCapacity(bytes.count + 2 * table.count)
        for value in table {
            let bits = UInt16(bitPattern: value)
            bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8)]
        }
        return Data(bytes)
    }

    /// The most likely language of `text` (a post's words, as ``LanguageIdentifier/words(of:hashtags:)`` gives
    /// them); nil when it has no letters.
    public func guess(_ text: String) -> Guess? {
        let count = languages.count
        var scores = [Int64](repeating: 0, count: count)
        var grams = 0
        table.withUnsafeBufferPointer { table in
            NgramLanguageModel.grams(
                of: NgramLanguageModel.normalized(text), order: order, mask: UInt64((1 << bucketBits) - 1)
            ) { bucket in
                grams += 1
                for lang in 0..<count { scores[lang] += Int64(table[bucket * count + lang]) }
            }
        }
        guard grams > 0 else { return nil }
        var best = 0
        for lang in 1..<count where scores[lang] > scores[best] { best = lang }
        let runnerUp = (0..<count).filter { $0 != best }.map { scores[$0] }.max() ?? scores[best]
        let margin = Float(scores[best] - runnerUp) / NgramLanguageModel.scale / Float(grams)
        return Guess(lang: languages[best], margin: margin, grams: grams)
    }

    /// `text` lower-cased, with every run of non-letters one space, padded with a space at each end.
    static func normalized(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = [" "]
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic {
                out.append(scalar)
            } else if out.last != " " {
                out.append(" ")
            }
        }
        if out.last != " " { out.append(" ") }
        return out
    }

    /// Calls `body` with the bucket of every n-gram of `scalars`, orders 1 through `order`, except a lone space.
    static func grams(of scalars: [Unicode.Scalar], order: Int, mask: UInt64, _ body: (Int) -> Void) {
        guard scalars.count > 1 else { return }
        for start in scalars.indices {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for end in start..<min(scalars.count, start + order) {
                for byte in scalars[end].utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
                if end == start, scalars[start] == " " { continue }
                body(Int(hash & mask))
            }
        }
    }
}

/// A language-ID model that cannot be trained or read, with a message that says why.
public struct LanguageModelError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
