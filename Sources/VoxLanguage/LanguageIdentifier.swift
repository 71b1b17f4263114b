import CCld2
import VoxFeeds

/// Decides what language a post is in: the source's own tag where language identification agrees with it or
/// cannot tell, otherwise CLD2 (Chrome's Compact Language Detector 2, from Debian's `libcld2-dev`) on the post's
/// words, with links, mentions and markup taken out first. Thread-safe and allocation-light: one call per post.
public struct LanguageIdentifier: Sendable {
    /// What CLD2 made of one text.
    public struct Detection: Sendable, Equatable {
        /// The language's code (`en`, `pt`, `zh`…), nil when CLD2 could not name one.
        public var code: String?
        /// Whether CLD2 calls it reliable (clearly ahead of the runner-up).
        public var reliable: Bool
        /// Bytes of letters CLD2 scored (a Latin letter is one, most other scripts two or three).
        public var letters: Int
    }

    /// One post's language, decided.
    public struct Decision: Sendable, Equatable {
        /// The language (ISO 639-1 where one exists), nil when it could not be told.
        public var lang: String?
        /// Where it came from.
        public var source: LanguageSource

        /// A decision.
        public init(lang: String?, source: LanguageSource) {
            self.lang = lang
            self.source = source
        }
    }

    /// Below this many bytes of letters CLD2's guess is not taken without a tag from the source, nor allowed to
    /// overrule one.
    public let minimumLetters: Int

    /// An identifier; `minimumLetters` as above (12: about two short words).
    public init(minimumLetters: Int = 12) {
        self.minimumLetters = max(1, minimumLetters)
    }

    /// The longest text, in UTF-8 bytes, that detection reads (a post's opening is enough to tell).
    static let maximumBytes = 8192

    /// Decides the language of `text`, given the source's tag (`lang` of the post, if any).
    public func decide(text: String, tag: String?) -> Decision {
        let detection = detect(text)
        if let tag = LanguageIdentifier.normalize(tag: tag) {
            if let code = detection.code, code != tag, detection.reliable, detection.letters >= minimumLetters {
                return Decision(lang: code, source: .detected)
            }
            return Decision(lang: tag, source: .feed)
        }
        if let code = detection.code, detection.letters >= minimumLetters {
            return Decision(lang: code, source: .detected)
        }
        return Decision(lang: nil, source: .unknown)
    }

    /// Runs CLD2 on the words of `text`: links, mentions, `RT` and HTML entities left out, and hashtags too
    /// (often English-looking names: `#MasterChefBR`) unless the rest is too short to tell, when their words count.
    public func detect(_ text: String) -> Detection {
        let detection = LanguageIdentifier.cld2(LanguageIdentifier.words(of: text, hashtags: false))
        guard detection.letters < minimumLetters else { return detection }
        return LanguageIdentifier.cld2(LanguageIdentifier.words(of: text, hashtags: true))
    }

    private static func cld2(_ text: String) -> Detection {
        var words = text
        var result = vox_cld2_result()
        words.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                vox_cld2_detect($0, Int32(clamping: bytes.count), &result)
            }
        }
        let code = withUnsafeBytes(of: result.code) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return Detection(
            code: LanguageIdentifier.normalize(tag: code), reliable: result.reliable != 0,
            letters: Int(result.text_bytes))
    }

    /// A language tag reduced to its primary subtag, lower-cased, with CLD2's and X's legacy codes made current
    /// (`iw` → `he`, `in` → `id`); nil for tags that name no language (`und`, `zxx`, `mul`, X's `q…` and `art`,
    /// CLD2's `un`, and anything that is not 2–3 letters).
    public static func normalize(tag: String?) -> String? {
        guard let tag else { return nil }
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        guard (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        if ["und", "zxx", "mul", "art", "un", "xx"].contains(primary) || primary.hasPrefix("q") { return nil }
        return legacy[primary] ?? primary
    }

    private static let legacy = ["iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"]

    /// The words of a post for detection: whitespace-separated tokens without links, mentions, a retweet's `RT`
    /// or HTML entities (`http` alone too: some datasets keep only that of a link), hashtags left out or without
    /// their `#`; at most ``maximumBytes`` of it, cut between characters.
    public static func words(of text: String, hashtags: Bool) -> String {
        var out = ""
        out.reserveCapacity(min(text.utf8.count, maximumBytes))
        for token in text.split(whereSeparator: { $0.isWhitespace }) {
            if token.hasPrefix("@") || token.hasPrefix("http://") || token.hasPrefix("https://")
                || token.hasPrefix("www.") || token == "RT" || token == "http" || token == "https"
                || (!hashtags && token.hasPrefix("#"))
            {
                continue
            }
            var word = token.drop { $0 == "#" }
            if word.hasPrefix("&"), word.hasSuffix(";") { continue }
            word = word.isEmpty ? token : word
            if out.utf8.count + word.utf8.count + 1 > maximumBytes { break }
            if !out.isEmpty { out.append(" ") }
            out.append(contentsOf: word)
        }
        return out
    }
}
