import Foundation
import Testing

@testable import VoxModel

/// The adaptation arithmetic: the additive share correction and its intervals, the label sampler's design, the
/// labels reader's validation, and the head adapter.
@Suite struct AdaptationTests {
    @Test func withoutADomainEstimateIntervalsAreWilsonScoreIntervals() {
        let estimate = ShareEstimate(counts: [5, 10, 5], domain: nil)
        #expect(estimate.adjusted == nil)
        // 5 of 20: the Wilson 95% interval is [0.1119, 0.4687].
        #expect(abs(estimate.low[0] - 0.1119) < 1e-4 && abs(estimate.high[0] - 0.4687) < 1e-4)
        #expect(abs(estimate.low[1] - 0.2993) < 1e-4 && abs(estimate.high[1] - 0.7007) < 1e-4)
        let empty = ShareEstimate(counts: [0, 0, 0], domain: nil)
        #expect(empty.low == [0, 0, 0] && empty.high == [1, 1, 1] && empty.adjusted == nil)
    }

    private var rows: [(truth: Int, predicted: Int, weight: Double)] {
        [(0, 0, 1), (0, 1, 1), (1, 1, 1), (2, 2, 2), (2, 1, 2)]
    }

    @Test func domainEstimateWeighsEachPostsErrorByItsSamplingWeight() {
        let domain = DomainEstimate(labels: ["negative", "neutral", "positive"], rows: rows, folds: 5)
        #expect(domain.confusion == [[1, 1, 0], [0, 1, 0], [0, 2, 2]])
        let expected = [-1.0 / 7, 3.0 / 7, -2.0 / 7]
        for index in 0..<3 { #expect(abs(domain.bias[index] - expected[index]) < 1e-12) }
        // Class 1's errors: 1 (weight 1), 1 (weight 2), 0 (weight 4): mean 3/7, variance 12/49.
        #expect(abs(domain.errorVariance[1] - 12.0 / 49) < 1e-12)
        #expect(abs(domain.effective - 49.0 / 11) < 1e-12)
        #expect(domain.recall == [0.5, 1, 0.5])
        #expect(domain.labelled == 5)
    }

    @Test func correctedSharesSubtractTheBiasAndWidenWithClusteringAndFewLabels() {
        let domain = DomainEstimate(labels: ["negative", "neutral", "positive"], rows: rows, folds: 5)
        let estimate = ShareEstimate(counts: [2, 5, 3], domain: domain)
        let adjusted = estimate.adjusted
        let expected = [0.2 + 1.0 / 7, 0.5 - 3.0 / 7, 0.3 + 2.0 / 7]
        for index in 0..<3 {
            #expect(abs((adjusted?[index] ?? -1) - expected[index]) < 1e-12)
            let variance =
                domain.errorVariance[index] * (1 + 9 * domain.clustering) / 10 + domain.errorVariance[index] * 11 / 49
            let half = ShareEstimate.z * variance.squareRoot()
            #expect(abs(estimate.low[index] - max(0, expected[index] - half)) < 1e-12)
            #expect(abs(estimate.high[index] - min(1, expected[index] + half)) < 1e-12)
        }
        // A share pushed below zero is clipped and the rest renormalised.
        let clipped = ShareEstimate(counts: [0, 1, 9], domain: domain)
        #expect(clipped.adjusted?[1] == 0)
        #expect(abs((clipped.adjusted ?? []).reduce(0, +) - 1) < 1e-12)
        #expect(clipped.low[1] == 0)
    }

    @Test func aDamagedEstimateFallsBackToSamplingIntervalsInsteadOfNonsense() throws {
        var domain = DomainEstimate(labels: ["negative", "neutral", "positive"], rows: rows, folds: 5)
        domain.bias[0] = .nan
        let estimate = ShareEstimate(counts: [5, 10, 5], domain: domain)
        #expect(estimate == ShareEstimate(counts: [5, 10, 5], domain: nil))
        var negative = DomainEstimate(labels: ["negative", "neutral", "positive"], rows: rows, folds: 5)
        negative.errorVariance = [-1, -1, -1]
        negative.clustering = -5
        let clamped = ShareEstimate(counts: [5, 10, 5], domain: negative)
        #expect(clamped.adjusted != nil && zip(clamped.low, clamped.high).allSatisfy { $0 <= $1 })
        #expect(zip(clamped.low, clamped.adjusted ?? []).allSatisfy { $0 == $1 })
    }

    private func candidates() -> [LabelSampler.Candidate] {
        (0..<1200).map { index in
            LabelSampler.Candidate(
                predicted: index % 3, confidence: index % 10 == 0 ? 0.45 : 0.9, time: Int64(index), group: index % 2)
        }
    }

    @Test func samplerIsDeterministicStratifiedAndWeightsByInverseInclusion() {
        let sampler = LabelSampler()
        let chosen = sampler.choose(candidates(), count: 120, seed: 4)
        #expect(chosen.count == 120)
        #expect(Set(chosen.map(\.index)).count == 120)
        #expect(chosen.map(\.index) == sampler.choose(candidates(), count: 120, seed: 4).map(\.index))
        #expect(chosen.map(\.index) != sampler.choose(candidates(), count: 120, seed: 5).map(\.index))
        // Every stratum got posts, so the weights add up to the population.
        #expect(abs(chosen.reduce(0) { $0 + $1.weight } - 1200) < 1e-9)
        // Uncertain posts (10% of the pool) are chosen at twice the rate of confident ones.
        let uncertain = chosen.filter { $0.index % 10 == 0 }.count
        let uncertainRate = Double(uncertain) / 120
        let confidentRate = Double(chosen.count - uncertain) / 1080
        #expect(abs(uncertainRate / confidentRate - 2) < 0.35, "rates \(uncertainRate) \(confidentRate)")
        // Spread over time: every quarter of the time range gets a quarter of the sample, within rounding.
        for quarter in 0..<4 {
            let count = chosen.filter { $0.index / 300 == quarter }.count
            #expect((26...34).contains(count), "quarter \(quarter): \(count)")
        }
    }

    @Test func allocationCapsAtAStratumsSizeAndTakesEverythingWhenAskedForMore() {
        #expect(LabelSampler.allocate(50, sizes: [5, 100], rates: [20, 1]) == [5, 45])
        #expect(LabelSampler.allocate(7, sizes: [3, 3, 3], rates: [1, 1, 1]) == [3, 2, 2])
        #expect(LabelSampler.allocate(10, sizes: [1, 1, 98], rates: [1, 1, 1]) == [1, 1, 8])
        let all = LabelSampler().choose(Array(candidates().prefix(30)), count: 100, seed: 1)
        #expect(all.count == 30 && all.allSatisfy { $0.weight == 1 })
    }

    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).jsonl")
            .path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func labelsFilesAreValidatedLineByLine() throws {
        let labels = HeadSpec.sentimentLabels
        let good = try write(
            """
            {"id": "1", "text": "late again", "label": "Negative", "weight": 2}
            {"id": "2", "text": "ok", "label": "neutral"}
            {"id": "3", "text": "skip me", "skipped": true}

            """)
        let loaded = try DomainLabels.load(good, labels: labels)
        #expect(loaded.rows.map(\.label) == [0, 1] && loaded.rows.map(\.weight) == [2, 1] && loaded.leftOut == 1)
        func message(_ text: String, partial: Bool = false) throws -> String {
            let path = try write(text)
            do {
                _ = try DomainLabels.load(path, labels: labels, partial: partial)
                return "no error"
            } catch {
                return error.message
            }
        }
        #expect(try message("{\"text\": \"a\", \"label\": \"angry\"}\n").contains(":1: label angry is not one of"))
        #expect(
            try message(
                "{\"id\": \"7\", \"text\": \"a\", \"label\": \"neutral\"}\n{\"id\": \"7\", \"text\": \"b\", \"label\": \"neutral\"}\n"
            )
            .contains(":2: the same post as line 1"))
        #expect(
            try message("{\"text\": \"a\", \"label\": \"neutral\"}\n{\"text\": \"b\"}\n").contains(
                ":2: no \"label\" field"))
        #expect(
            try message("{\"text\": \"a\", \"label\": \"neutral\"}\n{\"text\": \"b\"}\n", partial: true) == "no error")
        #expect(try message("{\"text\": \"b\"}\n", partial: true).contains("has no labelled posts"))
        #expect(try message("not json\n").contains(":1: not a JSON object"))
        #expect(try message("{\"text\": \"a\", \"label\": \"neutral\", \"weight\": -1}\n").contains("positive number"))
    }

    /// Two-feature posts whose class is set by the first feature; the starting head draws the boundary elsewhere.
    private func examples(_ count: Int, seed: UInt64) -> [HeadAdapter.Example] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let x = Float.random(in: -1...1, using: &generator)
            let y = Float.random(in: -1...1, using: &generator)
            return HeadAdapter.Example(features: [x, y], label: x > 0.3 ? 1 : 0)
        }
    }

    @Test func adapterMovesTheBoundaryToTheLabelsAndCrossValidationHoldsEachFoldOut() {
        let start = HeadAdapter.Head(weight: [0, 0, 0, 5], bias: [0, 0])  // decides by the second feature
        let domain = examples(200, seed: 1)
        var adapter = HeadAdapter()
        adapter.anchor = 0
        adapter.steps = 400
        adapter.learningRate = 0.1
        func accuracy(_ head: HeadAdapter.Head, _ data: [HeadAdapter.Example]) -> Double {
            Double(
                data.filter { example in
                    let logits = head.logits(example.features)
                    return (logits[1] > logits[0] ? 1 : 0) == example.label
                }.count) / Double(data.count)
        }
        let held = examples(400, seed: 2)
        #expect(accuracy(start, held) < 0.7)
        let fitted = adapter.fit(domain: domain, general: [], start: start)
        #expect(accuracy(fitted, held) > 0.95)
        let folds = HeadAdapter.folds(labels: domain.map(\.label), count: 4, seed: 3)
        #expect((0..<4).allSatisfy { fold in (45...55).contains(folds.filter { $0 == fold }.count) })
        let outOfFold = adapter.crossValidate(domain: domain, general: [], start: start, folds: 4, seed: 3)
        let withoutFirst = adapter.fit(
            domain: domain.indices.filter { folds[$0] != 0 }.map { domain[$0] }, general: [], start: start)
        for index in domain.indices where folds[index] == 0 {
            #expect(outOfFold[index] == withoutFirst.logits(domain[index].features))
        }
    }

    @Test func temperatureRecoversTheScaleOfOverconfidentLogits() {
        var generator = SeededGenerator(seed: 9)
        var logits: [[Double]] = []
        var labels: [Int] = []
        for _ in 0..<3000 {
            let base = (0..<3).map { _ in Double.random(in: -2...2, using: &generator) }
            let exps = base.map { exp($0) }
            let draw = Double.random(in: 0..<exps.reduce(0, +), using: &generator)
            labels.append(draw < exps[0] ? 0 : draw < exps[0] + exps[1] ? 1 : 2)
            logits.append(base.map { $0 * 3 })
        }
        let temperature = HeadAdapter.temperature(logits: logits, labels: labels)
        #expect(abs(temperature - 3) < 0.35, "temperature \(temperature)")
    }
}
