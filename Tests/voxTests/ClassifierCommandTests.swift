import Foundation
import Testing
import VoxTestSupport

/// `vox classify` and `vox eval` with the bundled default model on committed samples of the validation sets
/// (TweetEval sentiment, TweetTopic; see data/README.md): sane behaviour, not exact numbers.
@Suite struct ClassifierCommandTests {
    private func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }

    private func run(_ arguments: [String], input: String? = nil) async throws -> ProcessRunner.Outcome {
        try await ProcessRunner.run(VoxBinaryTests.binary, arguments, input: input.map { Data($0.utf8) })
    }

    @Test func evalScoresTheDefaultModelSensiblyOn300SentimentTweets() async throws {
        let result = try await run([
            "eval", "--task", "sentiment", "--data", try fixture("sentiment-val-300.jsonl"), "--json",
        ])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let macroRecall = try #require(report["macro_recall"] as? Double)
        #expect(macroRecall >= 0.6, "macro-recall \(macroRecall)")
        let confusion = try #require(report["confusion"] as? [String: Any])
        #expect(confusion["labels"] as? [String] == ["negative", "neutral", "positive"])
        let matrix = try #require(confusion["matrix"] as? [[Int]])
        #expect(matrix.flatMap { $0 }.reduce(0, +) == 300)
        let perClass = try #require(report["per_class"] as? [String: [String: Any]])
        #expect(perClass.keys.sorted() == ["negative", "neutral", "positive"])
    }

    @Test func evalScoresTheTopicHeadToo() async throws {
        let result = try await run(["eval", "--task", "topic", "--data", try fixture("topic-val-200.jsonl"), "--json"])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(try #require(report["accuracy"] as? Double) >= 0.7)
        #expect(try #require(report["macro_f1"] as? Double) >= 0.45)
    }

    @Test func classifyGivesBothHeadsWithProbabilities() async throws {
        let input = """
            {"text": "I absolutely love this new phone, best purchase ever!"}
            {"text": "Worst customer service ever, still waiting for my refund. Furious."}
            The match last night was incredible, what a goal in extra time
            """
        let result = try await run(["classify"], input: input + "\n")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        let objects = try lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.map { $0["sentiment"] as? String } == ["positive", "negative", "positive"])
        #expect(objects[2]["topic"] as? String == "sports_&_gaming")
        for object in objects {
            let probabilities = try #require(object["sentiment_probs"] as? [String: Double])
            #expect(abs(probabilities.values.reduce(0, +) - 1) < 1e-3)
            #expect((object["topic_probs"] as? [String: Double])?.count == 6)
        }
    }
}
