/// The parsing stage of one source: chooses the connector profile (for `--profile auto`, from the
/// first lines that match one), numbers the lines, and maps each to a post, a skip or a dead letter.
struct LineParser {
    /// How the profile is chosen.
    enum Choice {
        case fixed(ConnectorProfile)
        case auto(ProfileRegistry, fallback: ConnectorProfile)
    }

    /// Lines examined before `auto` settles on the fallback profile.
    static let detectionWindow = 20

    private let sourceIndex: Int
    private var choice: Choice
    private var mapper: ProfileMapper?
    private var held: [LineBatch] = []
    private var examined = 0

    /// Lines still to pass over unmapped and uncounted (a resumed run already processed them).
    /// Lines still to skip (a resumed run's lines already processed); above zero at the end, the source shrank.
    private(set) var skipRemaining: Int

    init(sourceIndex: Int, choice: Choice, skip: Int = 0) {
        self.sourceIndex = sourceIndex
        self.choice = choice
        skipRemaining = skip
        if case .fixed(let profile) = choice { mapper = ProfileMapper(profile: profile) }
    }

    /// The chosen profile's name, once chosen.
    var profileName: String? { mapper?.profile.name }

    /// Parses a batch; with `auto`, batches are held until a profile is chosen.
    mutating func parse(_ batch: LineBatch) -> [FeedBatch] {
        if mapper == nil {
            held.append(batch)
            detect(in: batch)
            guard mapper != nil else { return [] }
            let pending = held
            held = []
            return pending.map { map($0) }
        }
        return [map(batch)]
    }

    /// Parses whatever is held (the source ended before a profile was chosen).
    mutating func finish() -> [FeedBatch] {
        guard mapper == nil, !held.isEmpty else { return [] }
        if case .auto(_, let fallback) = choice { mapper = ProfileMapper(profile: fallback) }
        let pending = held
        held = []
        return pending.map { map($0) }
    }

    private mutating func detect(in batch: LineBatch) {
        guard case .auto(let registry, let fallback) = choice else { return }
        for line in batch.lines where line.kind == .complete {
            if let profile = batch.withBytes(of: line, { registry.detect($0) }) {
                mapper = ProfileMapper(profile: profile)
                return
            }
            examined += 1
            if examined >= LineParser.detectionWindow {
                mapper = ProfileMapper(profile: fallback)
                return
            }
        }
    }

    private mutating func map(_ batch: LineBatch) -> FeedBatch {
        var out = FeedBatch(sourceIndex: sourceIndex)
        var lines = batch.lines[...]
        if skipRemaining > 0 {
            let dropped = min(skipRemaining, lines.count)
            lines = lines.dropFirst(dropped)
            skipRemaining -= dropped
        }
        out.posts.reserveCapacity(lines.count)
        out.sequence.reserveCapacity(lines.count)
        out.lines = lines.count
        guard var mapper else { return out }
        self.mapper = nil  // keep the scanner's buffers uniquely referenced while mapping
        for line in lines {
            let outcome: ProfileMapper.Result
            switch line.kind {
            case .complete: outcome = batch.withBytes(of: line) { mapper.map($0, into: &out.posts) }
            case .tooLong: outcome = .rejected(.lineTooLong, detail: "\(line.length) bytes")
            case .truncated: outcome = .rejected(.truncatedGzip, detail: "the gzip stream ends inside this line")
            }
            switch outcome {
            case .post: out.sequence.append(.post)
            case .skipped:
                out.skipped += 1
                out.sequence.append(.skipped)
            case .rejected(let reason, let detail):
                let snippet = batch.withBytes(of: line) { bytes in
                    String(decoding: bytes.prefix(LineFramer.snippetLength), as: UTF8.self)
                }
                out.sequence.append(.deadLetter)
                out.deadLetters.append(
                    DeadLetter(
                        source: batch.origin, offset: line.offset, line: line.number, reason: reason,
                        snippet: snippet, detail: detail))
            }
        }
        self.mapper = mapper
        return out
    }
}
