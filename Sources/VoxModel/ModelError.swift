/// An error from loading or running a model: a missing or corrupt file, a checksum mismatch, a
/// tokenizer or configuration that cannot be read, or a failed download.
public struct ModelError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// A file could not be read or written.
        case io
        /// A weights, tokenizer or configuration file is malformed.
        case format
        /// A file's SHA-256 is not the expected one.
        case checksum
        /// Fetching the model failed.
        case download
        /// The model has not been pulled yet.
        case missing
        /// The heads were trained on another base encoder than the one given.
        case mismatch
    }

    /// The kind of failure.
    public let kind: Kind
    /// A sentence a user understands.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
