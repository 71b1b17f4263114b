import Foundation
import Testing
import VoxModel
import VoxTestSupport

/// `vox label sample`, `vox label annotate`, `vox adapt`, and a replay and report with the adapted model, on 160
/// labelled SemEval-2016 topic tweets (Fixtures/README.md), the labelling answered from the fixture's labels.
@Suite struct AdaptCommandTests {
    private let feed: String
    private let folder: String

    init() throws {
        feed = try #require(
            Bundle.module.url(forResource: "brand-feed-160.jsonl", withExtension: nil, subdirectory: "Fixtures")
        ).path
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vox-adapt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    private func run(_ arguments: [String], input: String? = nil) async throws -> ProcessRunner.Outcome {
        try await ProcessRunner.run(VoxBinaryTests.binary, arguments, input: input.map { Data($0.utf8) }, timeout: 300)
    }

    private func objects(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func sampleIsStratifiedDeterministicAndWeighted() async throws {
        let first = folder + "/a.jsonl"
        let second = folder + "/b.jsonl"
        for path in [first, second] {
            let result = try await run(["label", "sample", feed, "--count", "40", "--out", path, "--seed", "3"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("wrote 40 of 160 posts"))
        }
        #expect(try String(contentsOfFile: first, encoding: .utf8) == String(contentsOfFile: second, encoding: .utf8))
        let lines = try objects(first)
        #expect(lines.count == 40 && Set(lines.compactMap { $0["id"] as? String }).count == 40)
        for line in lines {
            #expect(["negative", "neutral", "positive"].contains(line["suggested"] as? String ?? ""))
            let probs = try #require(line["probs"] as? [String: Double])
            #expect(abs(probs.values.reduce(0, +) - 1) < 1e-3)
            #expect((line["weight"] as? Double ?? 0) >= 1)
            #expect(line["created_at"] is String && line["text"] is String)
        }
        // The weights add up to the posts sampled from.
        #expect(abs(lines.reduce(0) { $0 + ($1["weight"] as? Double ?? 0) } - 160) < 0.5)
        let other = try await run(["label", "sample", feed, "--count", "40", "--out", second, "--seed", "4"])
        #expect(other.status == 0)
        #expect(try String(contentsOfFile: first, encoding: .utf8) != String(contentsOfFile: second, encoding: .utf8))
        // With watch topics, each line names the topic it was stratified by, and every topic is represented.
        let watch = folder + "/watch.yaml"
        try Data("topics:\n  Sony: 'sony'\n  Sting: 'sting'\n".utf8).write(to: URL(fileURLWithPath: watch))
        let watched = try await run(["label", "sample", feed, "--count", "30", "--out", second, "--watch", watch])
        #expect(watched.status == 0, "\(watched.stderr)")
        let topics = try objects(second).map { $0["topic"] as? String ?? "none" }
        #expect(topics.count == 30 && Set(topics).isSuperset(of: ["Sony", "Sting", "none"]))
        let late = try await run([
            "label", "sample", feed, "--count", "10", "--out", second, "--from", "2099-01-01T00:00:00Z",
        ])
        #expect(late.status != 0 && late.stderr.contains("no posts"))
    }

    @Test func annotatorSavesEachAnswerAndResumes() async throws {
        let path = folder + "/s.jsonl"
        #expect(try await run(["label", "sample", feed, "--count", "6", "--out", path]).status == 0)
        let suggested = try objects(path).map { $0["suggested"] as? String }
        let first = try await run(["label", "annotate", path], input: "1 2 a s z 3 q")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("4 labelled, 0 skipped, 2 to go"), "\(first.stdout)")
        var lines = try objects(path)
        #expect(
            lines.prefix(5).map { $0["label"] as? String } == ["negative", "neutral", suggested[2], "positive", nil])
        #expect(lines[4]["label"] == nil && lines[4]["skipped"] == nil)
        // Again: it starts at the first open post (the fifth), and a skip is saved too.
        let second = try await run(["label", "annotate", path], input: "s 2")
        #expect(second.stdout.contains("5 labelled, 1 skipped, 0 to go"), "\(second.stdout)")
        lines = try objects(path)
        #expect(lines[4]["skipped"] as? Bool == true && lines[4]["label"] == nil)
        #expect(lines[5]["label"] as? String == "neutral")
    }

    @Test func adaptedModelCorrectsSharesInReplayAndReport() async throws {
        let sample = folder + "/labels.jsonl"
        #expect(try await run(["label", "sample", feed, "--count", "80", "--out", sample]).status == 0)
        // Answer from the fixture's labels, as a person would.
        let truth = Dictionary(
            uniqueKeysWithValues: try objects(feed).map { ($0["id"] as? String ?? "", $0["label"] as? String ?? "") })
        let keys = ["negative": "1", "neutral": "2", "positive": "3"]
        let answers = try objects(sample).map { keys[truth[$0["id"] as? String ?? ""] ?? ""] ?? "s" }
        #expect(try await run(["label", "annotate", sample], input: answers.joined(separator: " ")).status == 0)
        let model = folder + "/adapted"
        let adapt = try await run([
            "adapt", "--labels", sample, "--output", model, "--general", "none", "--folds", "3",
        ])
        #expect(adapt.status == 0, "\(adapt.stderr)")
        #expect(adapt.stdout.contains("before   after") && adapt.stdout.contains("3-fold cross-validated"))
        #expect(adapt.stdout.contains("share correction per window"))
        #expect(adapt.stderr.contains("warning: 80 labels"))
        let artifact = try ClassifierArtifact.load(directory: model)
        #expect(artifact.id == "vox-minilm-sentiment-topic-adapted")
        let domain = try #require(artifact.domain)
        #expect(domain.labelled == 80 && domain.folds == 3)
        #expect(abs(domain.bias.reduce(0, +)) < 1e-9)
        #expect(artifact.precisionBounds == nil)

        let out = folder + "/run"
        let replay = try await run([
            "replay", feed, "--model", model, "--out", out, "--window", "7d", "--format", "both",
        ])
        #expect(replay.status == 0, "\(replay.stderr)")
        let rows = try objects(out + "/windows.jsonl").filter { ($0["posts"] as? Int ?? 0) > 0 }
        #expect(!rows.isEmpty)
        for row in rows {
            let adjusted = try #require(row["negative_share_adjusted"] as? Double)
            let low = try #require(row["negative_share_low"] as? Double)
            let high = try #require(row["negative_share_high"] as? Double)
            #expect(low <= adjusted && adjusted <= high && low < high)
        }
        let summary = try #require(try objects(out + "/run.json").first)
        #expect((summary["domain_estimate"] as? [String: Any])?["labelled"] as? Int == 80)
        // The report recomputes them from the summed counts with the run's estimate.
        let report = try await run(["report", "--in", out, "--every", "3650d", "--topic", "all", "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let total = try #require(
            try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let counts = ["negative", "neutral", "positive"].map { total[$0] as? Int ?? 0 }
        // The probabilistic form: the summed mean probabilities, corrected by their errors on the labels.
        #expect(domain.usableProbabilities(classes: 3))
        let sums = ["negative", "neutral", "positive"].map {
            (total[$0 + "_probability_mean"] as? Double ?? -1) * Double(counts.reduce(0, +))
        }
        let expected = ShareEstimate(counts: counts, probabilitySums: sums, domain: domain)
        #expect(abs((total["negative_share_adjusted"] as? Double ?? -1) - (expected.adjusted?[0] ?? 2)) < 2e-4)
        #expect(abs((total["positive_share_high"] as? Double ?? -1) - expected.high[2]) < 2e-4)

        // vox eval --by: per topic, true vs reported vs corrected shares.
        for (arguments, adapted) in [(["--model", model], true), ([], false)] {
            let eval = try await run(
                ["eval", "--task", "sentiment", "--data", feed, "--by", "topic", "--json"] + arguments)
            #expect(eval.status == 0, "\(eval.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
            let byTopic = try #require(object["by_topic"] as? [String: Any])
            let groups = try #require(byTopic["groups"] as? [[String: Any]])
            #expect(Set(groups.compactMap { $0["group"] as? String }) == ["sony", "star wars", "sting", "t-mobile"])
            #expect(groups.reduce(0) { $0 + ($1["posts"] as? Int ?? 0) } == 160)
            let negative = try #require((byTopic["summary"] as? [String: [String: Any]])?["negative"])
            #expect((negative["adjusted_mae"] is Double) == adapted)
            #expect(negative["reported_mae"] is Double)
        }
    }

    @Test func adaptExplainsBadLabels() async throws {
        let path = folder + "/bad.jsonl"
        try Data("{\"text\": \"a\", \"label\": \"negative\"}\n{\"text\": \"b\", \"label\": \"furious\"}\n".utf8).write(
            to: URL(fileURLWithPath: path))
        let wrong = try await run(["adapt", "--labels", path, "--output", folder + "/m", "--general", "none"])
        #expect(wrong.status != 0 && wrong.stderr.contains("bad.jsonl:2: label furious is not one of"))
        try Data("{\"text\": \"a\", \"label\": \"negative\"}\n{\"text\": \"b\", \"label\": \"neutral\"}\n".utf8).write(
            to: URL(fileURLWithPath: path))
        let missing = try await run(["adapt", "--labels", path, "--output", folder + "/m", "--general", "none"])
        #expect(missing.status != 0 && missing.stderr.contains("no post is labelled positive"))
    }
}
