import Foundation
import Testing
import VoxTestSupport

/// `--model fast|multilingual|DIR`: the two bundled classifiers by name, each on the encoder it was trained on.
/// Needs both encoders pulled (`scripts/test.sh` pulls them).
@Suite struct BundledModelTests {
    private func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }

    private func run(_ arguments: [String], input: String? = nil) async throws -> ProcessRunner.Outcome {
        try await ProcessRunner.run(VoxBinaryTests.binary, arguments, input: input.map { Data($0.utf8) })
    }

    /// `vox eval --by lang --json` on 40 UMSAB validation tweets per language: overall and per-language figures.
    private func scores(_ model: String) async throws -> (macroF1: Double, byLanguage: [String: Double]) {
        let result = try await run([
            "eval", "--model", model, "--task", "sentiment", "--data", try fixture("umsab-val-320.jsonl"), "--by",
            "lang", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let overall = try #require(object["classification"] as? [String: Any])
        let groups = try #require((object["by_lang"] as? [String: Any])?["groups"] as? [[String: Any]])
        var byLanguage: [String: Double] = [:]
        for group in groups {
            byLanguage[try #require(group["group"] as? String)] = try #require(group["macro_f1"] as? Double)
        }
        return (try #require(overall["macro_f1"] as? Double), byLanguage)
    }

    @Test func theMultilingualModelReadsTheUMSABLanguagesBetterThanTheFastOne() async throws {
        let multilingual = try await scores("multilingual")
        let fast = try await scores("fast")
        #expect(multilingual.byLanguage.keys.sorted() == ["ar", "de", "en", "es", "fr", "hi", "it", "pt"])
        #expect(multilingual.macroF1 >= 0.55, "multilingual macro-F1 \(multilingual.macroF1)")
        #expect(
            multilingual.macroF1 >= fast.macroF1 + 0.15,
            "multilingual \(multilingual.macroF1) vs fast \(fast.macroF1) on 8 languages")
        // MiniLM calls nearly every non-English post neutral; e5 reads them (Hindi, at chance for both, is left out:
        // see Models/multilingual/MODEL_CARD.md).
        let languages = ["ar", "de", "es", "fr", "it", "pt"]
        let gains = languages.map { (multilingual.byLanguage[$0] ?? 0) - (fast.byLanguage[$0] ?? 0) }
        #expect(gains.allSatisfy { $0 > 0.1 }, "macro-F1 gains on \(languages): \(gains)")
        #expect(abs((multilingual.byLanguage["en"] ?? 0) - (fast.byLanguage["en"] ?? 0)) < 0.1)
    }

    @Test func eachModelNamesItsOwnEncoderAndRowsCarryItsTag() async throws {
        let input = "{\"text\": \"Das ist das schlechteste Handy, das ich je hatte.\"}\n"
        let labelled = FileManager.default.temporaryDirectory.appendingPathComponent("tag-\(UUID().uuidString).jsonl")
        try Data(#"{"text": "Das ist das schlechteste Handy, das ich je hatte.", "label": "negative"}"#.utf8).write(
            to: labelled)
        defer { try? FileManager.default.removeItem(at: labelled) }
        for (name, id) in [("fast", "vox-minilm-sentiment-topic"), ("multilingual", "vox-e5-sentiment-topic")] {
            let info = try await run(["eval", "--model", name, "--task", "sentiment", "--data", labelled.path])
            #expect(info.status == 0, "\(info.stderr)")
            #expect(info.stdout.contains("with \(id)@"), "\(info.stdout.prefix(200))")
            let classified = try await run(["classify", "--model", name], input: input)
            #expect(classified.status == 0, "\(classified.stderr)")
        }
        let german = try await run(["classify", "--model", "multilingual"], input: input)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(german.stdout.utf8)) as? [String: Any])
        #expect(object["sentiment"] as? String == "negative")
    }

    @Test func aFolderWithoutAModelIsAClearError() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await run(["classify", "--model", folder.path], input: "{\"text\": \"hello\"}\n")
        #expect(result.status != 0)
        #expect(result.stderr.contains("holds no vox-model.json"))
        #expect(result.stderr.contains("fast, multilingual"))
    }
}
