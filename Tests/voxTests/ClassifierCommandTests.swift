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

    @Test func classifyPrintsEachPostsLanguageAndAbstainsWhereTheModelCannotRead() async throws {
        let input = """
            {"text": "Este produto é horrível, nunca mais compro nada desta loja"}
            {"text": "lol"}
            {"text": "ok", "lang": "en"}
            {"text": "Flight delayed again and nobody at the desk can tell us anything"}
            """
        let result = try await run(["classify"], input: input + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 4)
        #expect(objects.map { $0["lang"] as? String } == ["pt", nil, "en", "en"])
        #expect(objects.map { $0["lang_source"] as? String } == ["detected", "unknown", "feed", "detected"])
        #expect(objects.map { $0["abstained"] as? String } == ["unsupported_language", "too_short", nil, nil])
        // Abstained posts carry no head fields; the others carry both heads.
        #expect(objects.map { $0["sentiment"] != nil } == [false, false, true, true])
        #expect(objects[3]["sentiment"] as? String == "negative")
    }

    @Test func calibrateStoresATemperatureThatEvalAndClassifyApplyWithoutChangingLabels() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let model = NSTemporaryDirectory() + "vox-calibrate-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: model) }
        try FileManager.default.copyItem(atPath: repository.path + "/Models/default", toPath: model)
        // Start from an uncalibrated head, so the test does not depend on what the bundled model holds.
        let file = model + "/vox-model.json"
        var description = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        var heads = try #require(description["heads"] as? [[String: Any]])
        for index in heads.indices { heads[index]["temperature"] = nil }
        description["heads"] = heads
        try JSONSerialization.data(withJSONObject: description).write(to: URL(fileURLWithPath: file))
        let data = try fixture("sentiment-val-300.jsonl")
        func eval() async throws -> [String: Any] {
            let result = try await run(["eval", "--task", "sentiment", "--data", data, "--json", "--model", model])
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        func probabilities() async throws -> [Double] {
            let result = try await run(
                ["classify", "--model", model], input: "{\"text\": \"thanks for nothing, still waiting\"}\n")
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let probabilities = try #require(object["sentiment_probs"] as? [String: Double])
            return ["negative", "neutral", "positive"].compactMap { probabilities[$0] }
        }
        let before = try await eval()
        let rawProbabilities = try await probabilities()
        let calibrate = try await run(["model", "calibrate", "--model", model, "--sentiment", data, "--topic", "none"])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        #expect(calibrate.stdout.contains("sentiment: temperature"))
        let written = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        let sentiment = try #require(
            (written["heads"] as? [[String: Any]])?.first { $0["name"] as? String == "sentiment" })
        let temperature = try #require(sentiment["temperature"] as? Double)
        #expect(temperature > 0.2 && temperature < 5 && abs(temperature - 1) > 1e-3)
        let after = try await eval()
        // Fitted on these very posts: labels identical, calibration no worse.
        #expect(after["macro_recall"] as? Double == before["macro_recall"] as? Double)
        let (eceBefore, eceAfter) = (try #require(before["ece"] as? Double), try #require(after["ece"] as? Double))
        #expect(eceAfter <= eceBefore, "ECE \(eceBefore) -> \(eceAfter)")
        #expect(try #require(after["brier"] as? Double) <= (try #require(before["brier"] as? Double)))
        // classify reports softmax(logits / T): recover the logit gaps and check they shrank or grew by T.
        let scaled = try await probabilities()
        let gap = { (p: [Double]) in log(p[0] / p[2]) }
        #expect(abs(gap(scaled) * temperature - gap(rawProbabilities)) < 1e-2 * max(1, abs(gap(rawProbabilities))))
    }
}
