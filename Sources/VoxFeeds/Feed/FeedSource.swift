import Foundation

/// One source named on the command line: a local file, a folder, a glob, standard input, or an
/// `http(s)://` URL.
public struct FeedSource: Sendable, Equatable, CustomStringConvertible {
    /// Where the bytes come from.
    public enum Location: Sendable, Equatable {
        /// Local files read in this order (a folder's or a glob's files in name order).
        case files([String])
        /// Standard input.
        case standardInput
        /// An HTTP or HTTPS URL.
        case http(String)
    }

    /// The argument as the user gave it (credentials in a URL are masked).
    public let name: String
    /// Where the bytes come from.
    public let location: Location

    /// File name endings read from folders and globs.
    public static let feedExtensions = [".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".gz"]

    /// Resolves a command-line argument.
    /// - Parameter argument: A path, folder, glob, `-`, `file://` URL or `http(s)://` URL.
    /// - Throws: `FeedError` when a path does not exist or a glob matches nothing.
    public init(_ argument: String) throws(FeedError) {
        let lower = argument.lowercased()
        if argument == "-" {
            name = "-"
            location = .standardInput
        } else if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            name = FeedSource.masked(argument)
            location = .http(argument)
        } else {
            var path = argument
            if lower.hasPrefix("file://") {
                path = URL(string: argument)?.path ?? String(argument.dropFirst(7))
            }
            name = path
            location = .files(try FeedSource.expand(path))
        }
    }

    public var description: String { name }

    /// Query parameters whose values are credentials (compared lower-cased, `-` read as `_`).
    static let secretParameters: Set<String> = [
        "token", "access_token", "auth", "auth_token", "key", "api_key", "apikey", "secret", "client_secret",
        "password", "pass", "sig", "signature", "bearer", "session", "jwt",
    ]

    /// The URL with any `user:password@` replaced by `***@` and the values of credential query parameters
    /// (`?access_token=…`, `&api_key=…`) by `***`, for logs, messages and stats.
    static func masked(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
            !text[scheme.upperBound..<at].contains("/")
        {
            text = String(text[..<scheme.upperBound]) + "***" + String(text[at...])
        }
        guard let question = text.firstIndex(of: "?") else { return text }
        let fragment = text[question...].firstIndex(of: "#")
        let query = text[text.index(after: question)..<(fragment ?? text.endIndex)]
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            guard let equals = part.firstIndex(of: "=") else { return String(part) }
            let name = part[..<equals].lowercased().replacingOccurrences(of: "-", with: "_")
            return secretParameters.contains(name) ? part[...equals] + "***" : String(part)
        }
        return String(text[...question]) + parts.joined(separator: "&") + String(text[(fragment ?? text.endIndex)...])
    }

    private static func expand(_ path: String) throws(FeedError) -> [String] {
        if path.contains(where: { "*?[".contains($0) }) {
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(path, 0, nil, &matches) == 0 else {
                throw FeedError(.io, "no files match \(path)")
            }
            var files: [String] = []
            for index in 0..<Int(matches.gl_pathc) {
                if let entry = matches.gl_pathv[index] { files.append(String(cString: entry)) }
            }
            return files.filter(isRegularFile).sorted()
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FeedError(.io, "no such file or folder: \(path)")
        }
        guard isDirectory.boolValue else { return [path] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw FeedError(.io, "cannot list \(path): \(error.localizedDescription)")
        }
        let files = names.sorted()
            .filter { name in !name.hasPrefix(".") && feedExtensions.contains { name.hasSuffix($0) } }
            .map { (path as NSString).appendingPathComponent($0) }
            .filter(isRegularFile)
        guard !files.isEmpty else { throw FeedError(.io, "the folder \(path) holds no .jsonl, .ndjson or .gz files") }
        return files
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
