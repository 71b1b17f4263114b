import VoxFeeds
import VoxModel

/// The typed message between the classify stage and the aggregate stage: one outcome per line of a source, in
/// line order, plus source events. The single-node pipeline passes these in memory; a cluster carries them over
/// NATS (the post's text on the line stream, its probabilities on the results stream), so both aggregate the same
/// sequence.
public enum StageInput: Sendable {
    /// A post the filter kept, with the model's probabilities (sentiment: negative, neutral, positive; topics in
    /// the taxonomy's order).
    case classified(Post, source: Int, sentiment: [Float], topics: [Float])
    /// A post the filter kept but the model did not classify (`reason`): counted in its windows' `all` and watch
    /// rows as abstained, in no share and no taxonomy row. `uncertain` posts carry their probabilities (for
    /// `posts.jsonl`); the others carry none.
    case abstained(Post, source: Int, reason: AbstainReason, sentiment: [Float], topics: [Float])
    /// A post the filter dropped: for its language, or (`duplicate`) as a repeated id.
    case filtered(source: Int, duplicate: Bool)
    /// Lines that did not become posts: skipped events and dead letters, in line order.
    case rejected(source: Int, skipped: Int, deadLetters: [DeadLetter])
    /// The source ended (its posts no longer hold the watermark back).
    case finished(source: Int)
    /// The source reconnected after a drop or an error status.
    case reconnected(source: Int)
    /// A wall-clock tick (live runs): idle sources release the watermark.
    case tick

    /// A kept post with the classify stage's outcome: classified, or abstained with its reason.
    public init(_ post: Post, source: Int, _ score: ClassifyStage.Scores) {
        let post = score.applied(to: post)
        if let reason = score.abstained {
            self = .abstained(post, source: source, reason: reason, sentiment: score.sentiment, topics: score.topics)
        } else {
            self = .classified(post, source: source, sentiment: score.sentiment, topics: score.topics)
        }
    }
}

/// What the aggregate stage needs to know of the model: how outputs name it, its topic taxonomy, and the domain
/// estimate an adapted model carries. Cheap to build from the artifact alone, so an aggregator needs no weights.
public struct ModelDescription: Sendable {
    /// `id@version/precision`, as window rows and run.json name the model.
    public var tag: String
    /// The topic head's labels (empty without a topic head).
    public var taxonomy: [String]
    /// The adapted model's error estimate, if any.
    public var domain: DomainEstimate?
    /// The languages the model reads, sorted (part of the configuration a checkpoint must match).
    public var languages: [String] = []

    /// Describes a model by its tag and topic labels.
    public init(tag: String, taxonomy: [String], domain: DomainEstimate? = nil) {
        self.tag = tag
        self.taxonomy = taxonomy
        self.domain = domain
    }

    /// Describes a model from its artifact and the precision it runs at.
    public init(artifact: ClassifierArtifact, precision: Precision) {
        tag = "\(artifact.label)/\(precision)"
        taxonomy = artifact.heads.first { $0.name == "topic" }?.labels ?? []
        domain = artifact.domain
        languages = artifact.supportedLanguages.sorted()
    }

    /// Describes a loaded classifier.
    public init(_ classifier: TextClassifier) {
        self.init(artifact: classifier.artifact, precision: classifier.encoder.model.precision)
    }
}
