import ArgumentParser
import VoxFeeds

/// The options every command that reads feeds shares: sources' format, following, HTTP settings.
struct FeedOptionGroup: ParsableArguments {
    @Option(
        help: "Connector profile: auto, x-v2, reddit, mastodon, bluesky-jetstream, generic, or one from --connectors.")
    var profile = "auto"

    @Option(help: ArgumentHelp("A folder of extra connector profiles (*.json).", valueName: "dir"))
    var connectors: String?

    @Flag(help: "Keep reading at the end: files as they grow (surviving rotation), URLs by polling.")
    var follow = false

    @Option(help: ArgumentHelp("Seconds between checks for growth with --follow.", valueName: "seconds"))
    var pollInterval = 1.0

    @Option(
        help: ArgumentHelp("The longest line accepted, in bytes; longer lines become dead letters.", valueName: "bytes")
    )
    var maxLineLength = 1 << 20

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp("An extra HTTP request header (repeatable).", valueName: "Name: value"))
    var headers: [String] = []

    @Option(
        help: ArgumentHelp(
            "Send the Authorization header from this environment variable (never printed).", valueName: "VAR"))
    var authEnv: String?

    @Option(help: "Retries after a failed HTTP transfer before a source gives up (not with --follow).")
    var retries = 5

    @Option(help: ArgumentHelp("Connect timeout for HTTP sources.", valueName: "seconds"))
    var connectTimeout = 10.0

    @Option(
        help: ArgumentHelp(
            "An HTTP transfer that delivers nothing for this long is dropped and resumed.", valueName: "seconds"))
    var stallTimeout = 60

    @Option(help: ArgumentHelp("generic profile: path of the id field.", valueName: "path"))
    var idField = "id"
    @Option(help: ArgumentHelp("generic profile: path of the text field.", valueName: "path"))
    var textField = "text"
    @Option(help: ArgumentHelp("generic profile: path of the time field.", valueName: "path"))
    var timeField = "created_at"
    @Option(help: ArgumentHelp("generic profile: path of the author field.", valueName: "path"))
    var authorField = "author"
    @Option(help: ArgumentHelp("generic profile: path of the language field.", valueName: "path"))
    var langField = "lang"
    @Option(help: "generic profile: time format (auto, iso8601, epoch_seconds, epoch_millis, epoch_micros).")
    var timeFormat = "auto"

    func validate() throws {
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
        guard (1...86_400).contains(stallTimeout) else {
            throw ValidationError("--stall-timeout must be between 1 and 86400 seconds")
        }
        guard maxLineLength >= 64 else { throw ValidationError("--max-line-length must be at least 64 bytes") }
        guard retries >= 0 else { throw ValidationError("--retries cannot be negative") }
        guard Timestamp.Format(rawValue: timeFormat) != nil else {
            throw ValidationError(
                "--time-format must be one of: \(Timestamp.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // Errors name the header, never its value (it may hold a token).
        for (index, header) in headers.enumerated() {
            let name = header.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            guard header.contains(":"), !name.isEmpty, !name.contains(where: { $0.isWhitespace }) else {
                throw ValidationError("--header number \(index + 1) must look like 'Name: value'")
            }
            guard !header.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw ValidationError("--header \(name) holds a line break or NUL, which would start another header")
            }
        }
    }

    /// The sources `names` name and the feed options these flags describe.
    /// - Throws: `ValidationError` for a source that cannot be read or an unknown profile.
    func resolve(_ names: [String]) throws -> (sources: [FeedSource], options: FeedOptions) {
        do {
            return (try names.map { try FeedSource($0) }, try feedOptions())
        } catch let error as FeedError {
            throw ValidationError(error.message)
        }
    }

    /// The feed options these flags describe.
    func feedOptions() throws -> FeedOptions {
        var registry = try ProfileRegistry.bundled()
        if let connectors { try registry.addProfiles(in: connectors) }
        let generic = ConnectorProfile(
            name: "generic", description: "generic JSON Lines", detect: [textField],
            id: [.path(idField)], text: [.path(textField)], createdAt: [.path(timeField)],
            timeFormat: Timestamp.Format(rawValue: timeFormat) ?? .auto,
            author: [.path(authorField)], lang: [.path(langField)])
        var options = FeedOptions(registry: registry, fallback: generic)
        if profile != "auto" && profile != "generic" { _ = try registry.profile(named: profile) }
        options.profile = profile
        options.follow = follow
        options.pollInterval = pollInterval
        options.maxLineLength = maxLineLength
        options.http.headers = headers
        options.http.authEnvironmentVariable = authEnv
        options.http.maxRetries = retries
        options.http.connectTimeout = connectTimeout
        options.http.lowSpeedTime = stallTimeout
        return options
    }
}
