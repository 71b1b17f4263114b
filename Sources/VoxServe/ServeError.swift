/// Why the dashboard server cannot start or answer, worded for the person running `vox serve`.
public struct ServeError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
