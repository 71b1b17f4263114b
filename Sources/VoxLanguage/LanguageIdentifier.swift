import CCld2
import Foundation
import VoxAssets
import VoxFeeds

/// Decides what language a post is in: the source's own tag where language identification agrees with it or
/// cannot tell, otherwise identification on the post's words, with links, mentions and markup taken out first.
/// Identification is CLD2 (Chrome's Compact Language Detector 2, from Debian's `libcld2-dev`, 80-odd languages)
/// and, among the languages of Vox's n-gram model of tweets (``NgramLanguageModel``), that model: where CLD2 names
/// one of them, cannot tell, or is not sure, the n-gram model decides. Thread-safe: one call per post.
public struct LanguageIdentifier: Sendable {
    /// What CLD2 made of one text.
    public struct Detection: Sendable, Equatable {
        /// The language's code (`en`, `pt`, `zh`…), nil when CLD2 could not name one.
        public var code: String?
        /// Whether CLD2 calls it reliable (clearly ahead of the runner-up).
        public var reliable: Bool
        /// Bytes of letters CLD2 scored (a Latin letter is one, most other scripts two or three).
        public var letters: Int
        /// The share of those letters in the top language, 0–100.
        public var percent: Int = 100
        /// CLD2's normalised score of the top language (evidence per kilobyte; higher is surer).
        public var score: Double = 0
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

    /// The n-gram model of tweets that decides among its languages (nil: CLD2 alone).
    public let ngrams: NgramLanguageModel?

    /// An identifier; `minimumLetters` as above (12: about two short words), `ngrams` the bundled model unless
    /// given (nil: CLD2 alone).
    public init(minimumLetters: Int = 12, ngrams: NgramLanguageModel? = LanguageIdentifier.bundledNgrams) {
        self.minimumLetters = max(1, minimumLetters)
        self.ngrams = ngrams
    }

    /// The n-gram model compiled into `vox` (`Models/language-id/ngrams.bin`), read once.
    public static let bundledNgrams: NgramLanguageModel? = {
        guard let file = EmbeddedAssets.files(in: "language-id").first(where: { $0.name == "ngrams.bin" }) else {
            return nil
        }
        return try? NgramLanguageModel(data: Data(buffer: file.bytes), name: "the bundled language-ID model")
    }()

    /// The longest text, in UTF-8 bytes, that detection reads (a post's opening is enough to tell).
    static let maximumBytes = 8192

    /// Decides the language of `text`, given the source's tag (`lang` of the post, if any).
    public func decide(text: String, tag: String?) -> Decision {
        let (detection, words) = detectWords(text)
        if let tag = LanguageIdentifier.normalize(tag: tag) {
            // CLD2 must contradict the tag reliably, and identification as a whole (with the n-gram model) too.
            if let code = detection.code, code != tag, detection.reliable, detection.letters >= minimumLetters,
                let found = identify(detection, words).lang, found != tag
            {
                return Decision(lang: found, source: .detected)
            }
            return Decision(lang: tag, source: .feed)
        }
        return identify(detection, words)
    }

    /// The language of a post without a tag, from CLD2's `detection` and the n-gram model on its `words`.
    private func identify(_ detection: Detection, _ words: String) -> Decision {
        guard detection.letters >= minimumLetters else { return Decision(lang: nil, source: .unknown) }
        guard let ngrams, let guess = ngrams.guess(words) else {
            return Decision(lang: detection.code, source: detection.code == nil ? .unknown : .detected)
        }
        guard let code = detection.code, detection.reliable else {
            return Decision(lang: guess.lang, source: .detected)
        }
        let overrule =
            ngrams.languages.contains(code)
            ? guess.margin >= LanguageIdentifier.overruleMargin : detection.score < LanguageIdentifier.unsureScore
        return Decision(lang: overrule ? guess.lang : code, source: .detected)
    }

    /// Among its own languages the n-gram model overrules CLD2 when it is this far ahead of its runner-up (log-
    /// likelihood per n-gram): on the English sentiment validation tweets, a lower bar lets it call a few English
    /// posts Hindi (9 of 2,000 at 0; 3 at 0.2).
    static let overruleMargin: Float = 0.2
    /// CLD2's answer outside the n-gram model's languages stands when its score reaches this: correct answers on
    /// clean sentences in 15 other languages scored 446 or more (`Tests/voxTests/Fixtures/
    /// other-languages.jsonl`), its guesses on romanised Hindi mostly under 400.
    static let unsureScore: Double = 400

    /// Runs CLD2 on the words of `text`: links, mentions, `RT` and HTML entities left out, and hashtags too
    /// (often English-looking names: `#MasterChefBR`) unless the rest is too short to tell, when their words count.
    public func detect(_ text: String) -> Detection { detectWords(text).0 }

    /// CLD2's detection and the words it read.
    private func detectWords(_ text: String) -> (Detection, String) {
        let words = LanguageIdentifier.words(of: text, hashtags: false)
        let detection = LanguageIdentifier.cld2(words)
        guard detection.letters < minimumLetters else { return (detection, words) }
        let withHashtags = LanguageIdentifier.words(of: text, hashtags: true)
        return (LanguageIdentifier.cld2(withHashtags), withHashtags)
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
            letters: Int(result.text_bytes), percent: Int(result.percent), score: result.score)
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
