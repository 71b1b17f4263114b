/// What one source's parsing stage produced from one batch of lines.
public struct FeedBatch: Sendable {
    /// Index of the source in the run's source list.
    public var sourceIndex: Int
    /// Posts, in input order.
    public var posts: [Post]
    /// Lines that could not become posts.
    public var deadLetters: [DeadLetter]
    /// Valid events that are not posts.
    public var skipped: Int
    /// Non-blank lines this batch accounts for (`posts + skipped + deadLetters`).
    public var lines: Int
    /// What each line became, in line order: consumers that checkpoint mid-batch walk this to know exactly
    /// which lines a post, a skip or a dead letter stands for.
    public var sequence: [LineResult]

    /// What one line became.
    public enum LineResult: UInt8, Sendable {
        /// The next entry of `posts`.
        case post
        /// A skipped non-post event.
        case skipped
        /// The next entry of `deadLetters`.
        case deadLetter
    }

    /// One line's outcome with what it carries, as `forEachLine` hands it out.
    public enum Line: Sendable {
        /// A post.
        case post(Post)
        /// A skipped non-post event.
        case skipped
        /// A line that could not become a post.
        case deadLetter(DeadLetter)
    }

    /// Calls `body` with each line's outcome in line order, pairing `sequence` with `posts` and `deadLetters`:
    /// the one walk every stage that checkpoints mid-batch (the pipeline, the publisher) shares.
    public func forEachLine(_ body: (Line) async throws -> Void) async rethrows {
        var posts = posts.makeIterator()
        var letters = deadLetters.makeIterator()
        for result in sequence {
            switch result {
            case .post: if let post = posts.next() { try await body(.post(post)) }
            case .skipped: try await body(.skipped)
            case .deadLetter: if let letter = letters.next() { try await body(.deadLetter(letter)) }
            }
        }
    }

    /// Creates an empty batch for source `sourceIndex`.
    public init(sourceIndex: Int) {
        self.sourceIndex = sourceIndex
        self.posts = []
        self.deadLetters = []
        self.skipped = 0
        self.lines = 0
        self.sequence = []
    }
}

/// What a running feed reports.
public enum FeedEvent: Sendable {
    /// Posts, dead letters and skip counts from one source.
    case batch(FeedBatch)
    /// A source chose its connector profile (`--profile auto`).
    case profile(sourceIndex: Int, name: String)
    /// Something a person should know: a reconnect, a rotation, a truncated stream.
    case notice(sourceIndex: Int, message: String)
    /// A source dropped its connection or got an error status and is retrying.
    case reconnected(sourceIndex: Int)
    /// A source ended: `error` is set when it could not be read to its end; `bytes` is the raw bytes read.
    case finished(sourceIndex: Int, error: FeedError?, bytes: Int64)
}
