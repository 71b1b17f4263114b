/// An error from reading a feed: a source that cannot be opened or read, a broken compressed stream,
/// an HTTP failure, or a bad connector profile.
///
/// The message is written for the person running Vox; secrets (auth headers) never appear in it.
public struct FeedError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        /// A local file or directory could not be opened or read.
        case io
        /// A compressed stream is corrupt or ends in the middle of a gzip member.
        case compression
        /// The HTTP transfer failed (connection, timeout, or an error status).
        case http
        /// A connector profile is malformed or unknown.
        case profile
        /// The request was invalid before anything was read (bad URL, bad option).
        case usage
    }

    /// The kind of failure.
    public let kind: Kind
    /// A sentence a user understands.
    public let message: String
    /// The HTTP status code, where the failure was an HTTP error status.
    public let httpStatus: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - kind: What failed.
    ///   - message: A sentence for the user.
    ///   - httpStatus: The HTTP status, if any.
    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { message }
}
