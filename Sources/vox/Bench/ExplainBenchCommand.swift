import ArgumentParser
import Foundation
import VoxModel

/// `vox bench explain`: how faithful explanations are, by ERASER's comprehensiveness (DeYoung et al., 2020), and
/// what one costs.
struct ExplainBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Measure explanations' faithfulness (ERASER comprehensiveness) and cost per post.",
        discussion: """
            For each of the first --count posts of --data: the predicted sentiment and its probability; then, for \
            each method, the same post with its top 20% entries (words and punctuation marks, at least one) by \
            weight deleted, and with as many entries chosen at random deleted (three draws). Comprehensiveness is \
            the mean drop of the predicted class's probability; the ratio of the top-weighted drop to the random \
            one (with a 95% bootstrap interval over posts) is the figure: 1 means the weights are no better than \
            chance. Cost: wall time per explained post on this machine.
            Example: vox bench explain --data ../shared/data/sentiment/val.jsonl --count 1000
            """
    )

    @Option(help: ArgumentHelp("Posts ({\"text\"} JSON Lines; labels are not used).", valueName: "file"))
    var data: String

    @Option(help: "Posts explained (the file's first N).") var count = 1000

    @Option(
        help: ArgumentHelp("Integrated-gradients step counts tried, besides gradient × input.", valueName: "n,n,…"))
    var steps = "4,8,16"

    @Option(help: "Seed of the random deletions.") var seed: UInt64 = 1

    @OptionGroup var classifier: ClassifierOptionGroup

    /// Share of a post's entries deleted.
    static let fraction = 0.2
    /// Random deletions drawn per post.
    static let draws = 3

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        _ = try stepCounts()
    }

    private func stepCounts() throws -> [Int] {
        try steps.split(separator: ",").map { part in
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)), (1...256).contains(value) else {
                throw ValidationError("--steps takes step counts between 1 and 256, separated by commas")
            }
            return value
        }
    }

    func run() async throws {
        let model = try classifier.load()
        let texts: [String]
        do {
            texts = Array(try LabeledText.load(data).prefix(count).map(\.text))
        } catch {
            throw CLIError(error.message)
        }
        let methods = [Explainer.Method.gradientInput] + (try stepCounts()).map { .integratedGradients(steps: $0) }
        guard let head = model.artifact.heads.firstIndex(where: { $0.name == "sentiment" }) else {
            throw CLIError("the model has no sentiment head")
        }
        let full = await Evaluator.probabilities(model, head: head, texts: texts)
        let labels = full.map { Evaluator.argmax($0) }
        let before = zip(full, labels).map { Double($0[$1]) }
        print(
            "vox bench explain: \(texts.count) posts of \(data), model \(model.tag), \(model.encoder.threads) threads")
        print("")
        print("| method | comprehensiveness: top 20% deleted | same number at random | ratio (95% CI) | ms per post |")
        print("|---|---|---|---|---|")
        var random: [Double]? = nil
        for method in methods {
            let explainer = try Explainer(classifier: model, method: method)
            let started = DispatchTime.now()
            let explanations = await explainer.explain(texts, labels: labels)
            let milliseconds = started.elapsed * 1000
            var deletedTop: [String] = []
            var deletedRandom: [String] = []
            for (index, text) in texts.enumerated() {
                let words = explanations[index]?.words ?? []
                let ranges = explanations[index]?.ranges(in: text) ?? []
                let k = max(1, Int((Double(words.count) * ExplainBenchCommand.fraction).rounded()))
                let top = words.indices.sorted { (words[$0].weight, $1) > (words[$1].weight, $0) }.prefix(k)
                deletedTop.append(ExplainBenchCommand.deleting(Set(top), ranges: ranges, from: text))
                if random == nil {
                    var generator = SeededGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
                    for _ in 0..<ExplainBenchCommand.draws {
                        let chosen = Array(words.indices).shuffled(using: &generator).prefix(k)
                        deletedRandom.append(ExplainBenchCommand.deleting(Set(chosen), ranges: ranges, from: text))
                    }
                }
            }
            if random == nil {
                let after = await Evaluator.probabilities(model, head: head, texts: deletedRandom)
                random = texts.indices.map { index in
                    let draws = (0..<ExplainBenchCommand.draws).map { draw in
                        before[index] - Double(after[index * ExplainBenchCommand.draws + draw][labels[index]])
                    }
                    return draws.reduce(0, +) / Double(draws.count)
                }
            }
            let after = await Evaluator.probabilities(model, head: head, texts: deletedTop)
            let drops = texts.indices.map { before[$0] - Double(after[$0][labels[$0]]) }
            let baseline = random ?? []
            let (low, high) = ExplainBenchCommand.ratioInterval(drops, baseline, seed: seed)
            print(
                "| \(method) | \(ExplainBenchCommand.f(mean(drops))) | \(ExplainBenchCommand.f(mean(baseline))) | "
                    + String(format: "%.2f (%.2f–%.2f)", mean(drops) / mean(baseline), low, high)
                    + " | \(String(format: "%.1f", milliseconds / Double(texts.count))) |")
        }
    }

    /// `text` without the entries at `indices` (whose ranges are `ranges`).
    static func deleting(_ indices: Set<Int>, ranges: [Range<String.Index>?], from text: String) -> String {
        var out = ""
        var cursor = text.startIndex
        for (index, range) in ranges.enumerated() where indices.contains(index) {
            guard let range, range.lowerBound >= cursor else { continue }
            out += text[cursor..<range.lowerBound]
            cursor = range.upperBound
        }
        out += text[cursor...]
        return out
    }

    /// A 95% percentile-bootstrap interval of mean(top) / mean(random), resampling posts (2,000 resamples).
    static func ratioInterval(_ top: [Double], _ random: [Double], seed: UInt64) -> (Double, Double) {
        guard !top.isEmpty, top.count == random.count else { return (.nan, .nan) }
        var generator = SeededGenerator(seed: seed)
        var ratios: [Double] = []
        for _ in 0..<2_000 {
            var (a, b) = (0.0, 0.0)
            for _ in top.indices {
                let index = Int.random(in: top.indices, using: &generator)
                a += top[index]
                b += random[index]
            }
            ratios.append(a / b)
        }
        ratios.sort()
        return (ratios[50], ratios[1_949])
    }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    private static func f(_ value: Double) -> String { String(format: "%.4f", value) }
}
