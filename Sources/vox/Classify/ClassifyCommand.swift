import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel
import VoxStream

/// `vox classify`: sentiment and topic of each post on stdin.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Print the sentiment and topic (with probabilities) of JSON Lines or plain text on stdin.",
        discussion: """
            One encoder pass feeds both heads. Output per post: {"text","lang","lang_source","abstained","sentiment",
            "sentiment_probs","topic","topic_probs"}. The language is the line's "lang" unless CLD2 reliably finds
            another; a post in a language the model does not read, or too short to tell, is abstained from (the
            reason in "abstained", no head fields), as replay and tail count it.
            Example: echo '{"text": "Flight delayed again"}' | vox classify
            """
    )

    @OptionGroup var classifier: ClassifierOptionGroup

    @Option(help: "Posts classified per batch.")
    var batch = 64

    func run() async throws {
        let model = try classifier.load()
        let gate = LanguageGate(supported: model.artifact.supportedLanguages)
        await StandardInputTexts.forEachPostBatch(size: batch) { lines in
            var decided: [(post: Post, abstained: AbstainReason?)] = []
            for line in lines {
                var post = Post(id: "", text: line.text, createdAt: 0, lang: line.lang, source: "stdin")
                let reason = gate.check(&post)
                decided.append((post, reason))
            }
            let read = decided.filter { $0.abstained == nil }.map(\.post.text)
            var predictions = await model.classify(read).makeIterator()
            var out = ""
            for (post, reason) in decided {
                var members = [
                    ("text", JSONText.quote(post.text)), ("lang", post.lang.map(JSONText.quote) ?? "null"),
                    ("lang_source", post.langSource.map { JSONText.quote($0.rawValue) } ?? "null"),
                    ("abstained", reason.map { JSONText.quote($0.rawValue) } ?? "null"),
                ]
                guard reason == nil, let prediction = predictions.next() else {
                    out += JSONText.object(members) + "\n"
                    continue
                }
                for (head, probabilities) in zip(model.artifact.heads, prediction.probabilities) {
                    members.append((head.name, JSONText.quote(head.labels[Evaluator.argmax(probabilities)])))
                    let rounded = zip(head.labels, probabilities).map { ($0, String(format: "%.4f", $1)) }
                    members.append((head.name + "_probs", JSONText.object(rounded)))
                }
                out += JSONText.object(members) + "\n"
            }
            return out
        }
    }
}
