import VoxFeeds
import VoxLanguage

/// Decides, before the model sees a post, whether it can read it: settles the post's language (the source's tag
/// or CLD2) and abstains from posts in a language the model does not support, or too short to tell; after the
/// model, optionally abstains from posts whose top sentiment probability is low.
public struct LanguageGate: Sendable {
    /// The languages the model reads (nil: every post is classified, whatever its language).
    public var supported: Set<String>?
    /// Posts whose top sentiment probability is below this are `uncertain` (nil: none are).
    public var abstainBelow: Float?
    private let identifier: LanguageIdentifier

    /// A gate for a model that reads `supported`.
    public init(supported: Set<String>?, abstainBelow: Float? = nil, identifier: LanguageIdentifier = .init()) {
        self.supported = supported
        self.abstainBelow = abstainBelow
        self.identifier = identifier
    }

    /// Sets `post.lang` and `post.langSource`; returns why the model should not classify it, or nil.
    public func check(_ post: inout Post) -> AbstainReason? {
        let decision = identifier.decide(text: post.text, tag: post.lang)
        post.lang = decision.lang
        post.langSource = decision.source
        guard let supported else { return nil }
        guard let lang = decision.lang else { return .tooShort }
        return supported.contains(lang) ? nil : .unsupportedLanguage
    }

    /// Whether sentiment probabilities are too unsure to count.
    public func isUncertain(_ sentiment: [Float]) -> Bool {
        guard let abstainBelow else { return false }
        return (sentiment.max() ?? 0) < abstainBelow
    }
}
