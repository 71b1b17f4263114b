/// One topic's counts in recent windows, keyed by window number (window start over window size), from which the
/// alert detector draws its seasonal baselines. A window the topic had no row in counts as zero posts. Only windows
/// that had posts are stored, and those older than the detector's horizon are dropped, so memory is bounded by the
/// horizon whatever the feed does.
struct TopicHistory: Sendable, Codable, Equatable {
    /// Posts, negative posts and classified posts of one window (encoded as a three-number array).
    struct Counts: Sendable, Codable, Equatable {
        var posts = 0
        var negative = 0
        var classified = 0

        init(posts: Int = 0, negative: Int = 0, classified: Int = 0) {
            self.posts = posts
            self.negative = negative
            self.classified = classified
        }

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            posts = try container.decode(Int.self)
            negative = try container.decode(Int.self)
            classified = try container.decode(Int.self)
            guard posts >= 0, negative >= 0, classified >= negative, posts >= classified else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "window counts must satisfy 0 ≤ negative ≤ classified ≤ posts")
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(posts)
            try container.encode(negative)
            try container.encode(classified)
        }

        static func + (left: Counts, right: Counts) -> Counts {
            Counts(
                posts: left.posts + right.posts, negative: left.negative + right.negative,
                classified: left.classified + right.classified)
        }
    }

    private var windows: [Int64: Counts] = [:]

    var isEmpty: Bool { windows.isEmpty }

    /// Records a window's counts.
    mutating func record(_ counts: Counts, at window: Int64) { windows[window] = counts }

    /// The counts of a window (zero when the topic had no row in it).
    subscript(window: Int64) -> Counts { windows[window] ?? Counts() }

    /// The counts summed over `span` windows ending at `last`.
    func sum(endingAt last: Int64, span: Int) -> Counts {
        var total = Counts()
        for offset in 0..<Int64(span) { total = total + self[last - offset] }
        return total
    }

    /// Drops every window before `oldest`.
    mutating func prune(before oldest: Int64) {
        guard windows.keys.contains(where: { $0 < oldest }) else { return }
        windows = windows.filter { $0.key >= oldest }
    }
}
