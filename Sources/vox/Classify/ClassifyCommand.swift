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
            --explain adds "explanation": the post's words in order, each with its signed contribution to the
            predicted sentiment's log-probability (integrated gradients by default; see vox bench explain).
            Example: echo '{"text": "Flight delayed again"}' | vox classify --explain
            """
    )

    @OptionGroup var classifier: ClassifierOptionGroup

    @Option(help: "Posts classified per batch.")
    var batch = 64

    @Flag(help: "Add each post's words with their contributions to the predicted sentiment.")
    var explain = false

    @OptionGroup(title: "Explanations") var explanation: ExplainOptionGroup

    func run() async throws {
        let model = try classifier.load()
        let explainer = try explain ? Explainer(classifier: model, method: explanation.method()) : nil
        let explainedHead = explainer.flatMap { explainer in
            model.artifact.heads.firstIndex { $0.name == explainer.head.name }
        }
        var unexplained = 0
        let gate = LanguageGate(supported: model.artifact.supportedLanguages)
        await StandardInputTexts.forEachPostBatch(size: batch) { lines in
            var decided: [(post: Post, abstained: AbstainReason?)] = []
            for line in lines {
                var post = Post(id: "", text: line.text, createdAt: 0, lang: line.lang, source: "stdin")
                let reason = gate.check(&post)
                decided.append((post, reason))
            }
            let read = decided.filter { $0.abstained == nil }.map(\.post.text)
            let classified = await model.classify(read)
            var predictions = classified.makeIterator()
            var explanations: IndexingIterator<[Explainer.Explanation?]>? = nil
            if let explainer, let explainedHead {
                let labels = classified.map { Evaluator.argmax($0.probabilities[explainedHead]) }
                explanations = await explainer.explain(read, labels: labels).makeIterator()
            }
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
                if let explanation = explanations?.next() {
                    if explanation == nil { unexplained += 1 }
                    members.append(("explanation", explanation.map(OutputSinks.explanationJSON) ?? "null"))
                }
                out += JSONText.object(members) + "\n"
            }
            return out
        }
        if unexplained > 0 {
            throw CLIError("\(unexplained) posts could not be explained (\"explanation\": null): non-finite gradients")
        }
    }
}
