import Testing
import VoxFeeds
import VoxLanguage

@testable import VoxStream

/// Language identification (real CLD2) and what the gate makes of it: the source's tag where CLD2 agrees or
/// cannot tell, CLD2 where there is no tag or it reliably contradicts one, abstention outside the model's languages.
@Suite struct LanguageGateTests {
    private let identifier = LanguageIdentifier()

    @Test func cld2NamesTheLanguagesOfWholeSentences() {
        let texts = [
            ("en", "I love how my flight got delayed five hours, great job everyone at the airline"),
            ("pt", "Este produto é horrível, nunca mais compro nada desta loja"),
            ("es", "No puedo creer que el vuelo se haya retrasado otra vez, qué desastre"),
            ("de", "Ich kann nicht glauben, dass der Zug schon wieder zu spät ist"),
            ("ja", "素晴らしいコンサートでした、本当にありがとうございました"),
        ]
        for (lang, text) in texts {
            #expect(identifier.decide(text: text, tag: nil) == .init(lang: lang, source: .detected), "\(text)")
        }
    }

    @Test func aTagStandsUnlessCLD2ReliablyContradictsIt() {
        // Too little text to overrule: the source's tag (normalised) stands.
        #expect(identifier.decide(text: "ok", tag: "pt-BR") == .init(lang: "pt", source: .feed))
        #expect(identifier.decide(text: "lol", tag: nil) == .init(lang: nil, source: .unknown))
        // A long Portuguese sentence tagged English is Portuguese.
        let portuguese = "Este produto é horrível, nunca mais compro nada desta loja, que vergonha"
        #expect(identifier.decide(text: portuguese, tag: "en") == .init(lang: "pt", source: .detected))
        #expect(identifier.decide(text: portuguese, tag: "pt") == .init(lang: "pt", source: .feed))
        // Tags that name no language count as none.
        #expect(identifier.decide(text: "lol", tag: "und") == .init(lang: nil, source: .unknown))
    }

    @Test func linksMentionsAndHashtagsDoNotVote() {
        #expect(
            LanguageIdentifier.words(of: "RT @user: olá mundo http://t.co/x #MasterChefBR", hashtags: false)
                == "olá mundo")
        #expect(LanguageIdentifier.words(of: "#MasterChefBR &amp; http", hashtags: true) == "MasterChefBR")
        #expect(LanguageIdentifier.normalize(tag: "iw") == "he")
        #expect(LanguageIdentifier.normalize(tag: "qme") == nil)
        #expect(LanguageIdentifier.normalize(tag: "zh-Hant") == "zh")
        #expect(LanguageIdentifier.normalize(tag: "e n") == nil)
    }

    @Test func theGateAbstainsOutsideTheModelsLanguagesAndOnTooLittleText() {
        let gate = LanguageGate(supported: ["en"], abstainBelow: 0.5)
        func check(_ text: String, _ tag: String?) -> (String?, LanguageSource?, AbstainReason?) {
            var post = Post(id: "1", text: text, createdAt: 0, lang: tag, source: "generic")
            let reason = gate.check(&post)
            return (post.lang, post.langSource, reason)
        }
        #expect(check("thanks for nothing, the worst customer service ever", nil) == ("en", .detected, nil))
        #expect(check("Este produto é horrível, nunca mais compro", nil) == ("pt", .detected, .unsupportedLanguage))
        #expect(check("lol", nil) == (nil, .unknown, .tooShort))
        #expect(check("lol", "en") == ("en", .feed, nil))
        #expect(gate.isUncertain([0.4, 0.35, 0.25]) && !gate.isUncertain([0.1, 0.2, 0.7]))
        // Without a language list every post is read.
        var post = Post(id: "1", text: "素晴らしい", createdAt: 0, source: "generic")
        #expect(LanguageGate(supported: nil).check(&post) == nil)
    }
}
