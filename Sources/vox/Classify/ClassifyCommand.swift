import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox classify`: sentiment and topic of each post on stdin.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Print the sentiment and topic (with probabilities) of JSON Lines or plain text on stdin.",
        discussion: """
            One encoder pass feeds both heads. Output per post: {"text","sentiment","sentiment_probs","topic","topic_probs"}.
            Example: echo '{"text": "Flight delayed again"}' | vox classify
            """
    )

    @OptionGroup var classifier: ClassifierOptionGroup

    @Option(help: "Posts classified per batch.")
    var batch = 64

    func run() async throws {
        let model = try classifier.load()
        await StandardInputTexts.forEachBatch(size: batch) { texts in
            let predictions = await model.classify(texts)
            var out = ""
            for (text, prediction) in zip(texts, predictions) {
                var members = [("text", JSONText.quote(text))]
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
