/// How Vox talks to HTTP feeds: timeouts, retries, polling, headers and credentials.
public struct HTTPOptions: Sendable, Equatable {
    /// The most redirects followed.
    public var maxRedirects = 5
    /// Seconds allowed for connecting.
    public var connectTimeout = 10.0
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is dropped and resumed.
    public var lowSpeedLimit = 1
    /// See `lowSpeedLimit`.
    public var lowSpeedTime = 60
    /// Extra request headers, `Name: value`.
    public var headers: [String] = []
    /// The name of an environment variable holding the `Authorization` value (a bare token is sent as
    /// `Bearer TOKEN`). The value is never printed.
    public var authEnvironmentVariable: String? = nil
    /// Attempts after a failure before giving up when not following (a transfer that made progress
    /// resets the count).
    public var maxRetries = 5
    /// First backoff delay in seconds; it doubles per failed attempt, with jitter, up to `maxBackoff`.
    public var initialBackoff = 0.5
    /// The longest backoff delay in seconds (also the cap on a server's `Retry-After`).
    public var maxBackoff = 30.0
    /// The User-Agent header.
    public var userAgent = "vox/\(VoxVersion.current)"

    /// Default options.
    public init() {}
}

/// Vox's version, shown by `vox --version` and sent in the User-Agent.
public enum VoxVersion {
    /// The version string.
    public static let current = "0.1.0"
}
