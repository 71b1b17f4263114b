import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel
import VoxStream

/// `vox label sample`: reads posts as `replay` does, classifies them, and writes a stratified sample to label.
struct LabelSampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write N posts to label, stratified by predicted class, time and watch topic.",
        discussion: """
            Posts are read as vox replay reads them (any source, or a run's posts.jsonl), kept within --from/--to, and \
            (beyond --pool posts) thinned to a seeded uniform pool first. Strata: predicted sentiment × uncertain \
            (top probability < 0.6) or not × quarter of the time range × watch topic; uncertain strata are sampled \
            at twice the rate and every line carries its weight (posts in its stratum / posts chosen from it), which \
            vox adapt uses so the correction stays unbiased. Output lines: \
            {"id","text","created_at","suggested","probs","weight"} (and "topic" with --watch), in a random order (label from the top; stopping \
            early still covers every stratum). Deterministic for a seed.
            Example: vox label sample feed.jsonl.gz --count 300 --out labels.jsonl --to 2026-03-01T00:00:00Z
            """
    )

    @Argument(help: "Files or http(s) URLs of JSON Lines (optionally gzip'd).")
    var sources: [String]

    @Option(help: "How many posts to choose.") var count = 300
    @Option(help: ArgumentHelp("Where to write the sample (JSON Lines).", valueName: "file")) var out: String
    @Option(help: "Keep posts created at or after this time (ISO-8601).") var from: String?
    @Option(help: "Keep posts created before this time (ISO-8601).") var to: String?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Watch topics (YAML) to spread the sample over.", valueName: "file")) var watch: String?
    @Option(help: "Classify at most this many posts (a seeded uniform pool of the feed) before stratifying.")
    var pool = 20_000

    @OptionGroup var feed: FeedOptionGroup
    @OptionGroup var classifier: ClassifierOptionGroup

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard pool >= count else { throw ValidationError("--pool must be at least --count") }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, ReportCommand.time(value) == nil {
                throw ValidationError("\(name) '\(value)' is not an ISO-8601 time")
            }
        }
    }

    func run() async throws {
        let (resolved, options) = try feed.resolve(sources)
        let topics: WatchTopics?
        do {
            topics = try watch.map { path throws(WatchError) in try WatchTopics.load(path) }
        } catch {
            throw CLIError(error.message)
        }
        let model = try classifier.load()
        guard let sentiment = model.artifact.heads.firstIndex(where: { $0.name == "sentiment" }) else {
            throw CLIError("\(model.tag) has no sentiment head")
        }
        let posts = try await LabelSampleCommand.read(
            Feed(sources: resolved, options: options), from: from.flatMap(ReportCommand.time),
            to: to.flatMap(ReportCommand.time), pool: pool, seed: seed)
        guard !posts.isEmpty else { throw CLIError("no posts in the sources within the time range") }
        var candidates: [LabelSampler.Candidate] = []
        var probabilities: [[Float]] = []
        for start in stride(from: 0, to: posts.count, by: 64) {
            let chunk = posts[start..<min(posts.count, start + 64)]
            for (post, prediction) in zip(chunk, await model.classify(chunk.map(\.text))) {
                let probs = prediction.probabilities[sentiment]
                probabilities.append(probs)
                candidates.append(
                    LabelSampler.Candidate(
                        predicted: Evaluator.argmax(probs), confidence: probs.max() ?? 0, time: post.createdAt,
                        group: topics.flatMap { $0.matches(post.text).first } ?? -1))
            }
        }
        let chosen = LabelSampler().choose(candidates, count: count, seed: seed)
        let labels = model.artifact.heads[sentiment].labels
        var text = ""
        for (index, weight) in chosen {
            let post = posts[index]
            text +=
                JSONText.object(
                    [
                        ("id", JSONText.quote(post.id)), ("text", JSONText.quote(post.text)),
                        ("created_at", JSONText.quote(Timestamp.format(millis: post.createdAt))),
                        ("suggested", JSONText.quote(labels[candidates[index].predicted])),
                        (
                            "probs",
                            JSONText.object(zip(labels, probabilities[index]).map { ($0, String(format: "%.4f", $1)) })
                        ),
                        ("weight", String(format: "%.6g", weight)),
                    ] + watchField(candidates[index].group, topics)) + "\n"
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CLIError("cannot write \(out): \(error.localizedDescription)")
        }
        let perClass = labels.indices.map { label in chosen.filter { candidates[$0.index].predicted == label }.count }
        FileHandle.standardError.write(
            Data(
                ("wrote \(chosen.count) of \(posts.count) posts to \(out) (suggested: "
                    + zip(labels, perClass).map { "\($0) \($1)" }.joined(separator: ", ")
                    + "); label them with vox label annotate \(out)\n").utf8))
    }

    /// With `--watch`, the watch topic the post was stratified by (its first match, or null).
    private func watchField(_ group: Int, _ topics: WatchTopics?) -> [(String, String)] {
        guard let topics else { return [] }
        return [("topic", topics.topics.indices.contains(group) ? JSONText.quote(topics.topics[group].name) : "null")]
    }

    /// The posts of the feed within [from, to), de-duplicated by id, thinned to a seeded uniform pool
    /// (reservoir sampling, so memory stays bounded) when there are more than `pool`.
    static func read(_ feed: Feed, from: Int64?, to: Int64?, pool: Int, seed: UInt64) async throws -> [Post] {
        var state = Reservoir(capacity: pool, seed: seed)
        let stats = try await feed.run { event in
            if case .batch(let batch) = event {
                for post in batch.posts {
                    if let from, post.createdAt < from { continue }
                    if let to, post.createdAt >= to { continue }
                    state.offer(post)
                }
            }
        }
        if let failed = stats.sources.first(where: { $0.error != nil }), let error = failed.error {
            throw CLIError("\(failed.name): \(error)")
        }
        return state.posts
    }

    /// Algorithm R over the posts in arrival order, skipping repeated ids.
    struct Reservoir {
        private(set) var posts: [Post] = []
        private var seen = Set<String>()
        private var offered = 0
        private let capacity: Int
        private var generator: SeededGenerator

        init(capacity: Int, seed: UInt64) {
            self.capacity = capacity
            generator = SeededGenerator(seed: seed &+ 0x5EED)
        }

        mutating func offer(_ post: Post) {
            guard seen.insert(post.id).inserted else { return }
            offered += 1
            if posts.count < capacity {
                posts.append(post)
            } else {
                let slot = Int.random(in: 0..<offered, using: &generator)
                if slot < capacity { posts[slot] = post }
            }
        }
    }
}
