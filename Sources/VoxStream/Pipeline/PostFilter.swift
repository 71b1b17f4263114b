import VoxFeeds

/// The filter stage: languages to keep, and duplicate ids within an event-time horizon (memory stays bounded).
public struct PostFilter: Codable, Sendable {
    /// What the filter decided of a post.
    public enum Verdict: Sendable { case keep, filtered, duplicate }

    private let languages: Set<String>?
    private let dedupe: Bool
    private let horizon: Int64
    private var seen: [String: Int64] = [:]
    private var newest: Int64 = .min
    private var lastSweep: Int64? = nil

    /// A filter with the options' languages and dedupe horizon.
    public init(options: PipelineOptions) {
        languages = options.languages
        dedupe = options.dedupe
        horizon = options.dedupeHorizon
    }

    /// Decides on the next post (posts must come in line order: the dedupe state depends on it).
    public mutating func check(_ post: Post) -> Verdict {
        if let languages {
            guard let lang = post.lang?.lowercased(),
                languages.contains(lang) || languages.contains(String(lang.prefix(2)))
            else {
                return .filtered
            }
        }
        guard dedupe else { return .keep }
        let key = post.source + "\u{1F}" + post.id
        newest = max(newest, post.createdAt)
        if seen[key] != nil { return .duplicate }
        seen[key] = post.createdAt
        if let last = lastSweep, newest - last <= horizon / 2 { return .keep }
        if lastSweep == nil {
            lastSweep = newest
        } else {
            let cutoff = newest - horizon
            seen = seen.filter { $0.value >= cutoff }
            lastSweep = newest
        }
        return .keep
    }
}
