/// The NATS names one Vox job uses, all derived from its `--stream` name: the line stream (what `vox publish`
/// writes), the results stream (what `vox worker` writes), and the workers' shared durable consumer.
public struct ClusterStreams: Sendable, Equatable {
    /// The line stream's name (the `--stream` value).
    public let lines: String
    /// The line stream's subject.
    public var linesSubject: String { "vox.\(lines).lines" }
    /// The results stream's name.
    public var results: String { lines + "_RESULTS" }
    /// The results stream's subject.
    public var resultsSubject: String { "vox.\(lines).results" }
    /// The durable consumer every worker shares.
    public var workers: String { "vox-workers" }

    /// The names for stream `name`.
    /// - Throws: `ClusterError` unless the name is letters, digits, `-` and `_` (NATS forbids `.`, `*`, `>`,
    ///   spaces).
    public init(_ name: String) throws(ClusterError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                || $0 == "_"
        }
        guard !name.isEmpty, name.count <= 64, allowed else {
            throw ClusterError(message: "--stream '\(name)' must be 1–64 letters, digits, - or _")
        }
        lines = name
    }

    /// Creates both streams on the server (or accepts them when they exist).
    public func create(on jetStream: JetStream, replicas: Int) async throws(ClusterError) {
        try await jetStream.addStream(name: lines, subject: linesSubject, replicas: replicas)
        try await jetStream.addStream(name: results, subject: resultsSubject, replicas: replicas)
    }
}
