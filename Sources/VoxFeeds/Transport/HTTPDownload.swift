import Foundation

/// Downloads one URL to a file through libcurl (redirects followed, error statuses refused), for fetching
/// model files from a model hub.
public enum HTTPDownload {
    /// Fetches `url` into `path`.
    /// - Parameters:
    ///   - url: The URL.
    ///   - path: The file to write (replaced).
    ///   - connectTimeout: Seconds allowed for connecting.
    /// - Throws: `FeedError` naming the URL and what failed.
    public static func fetch(_ url: String, to path: String, connectTimeout: Double = 10) throws(FeedError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw FeedError(.io, "cannot create \(path)")
        }
        defer { try? handle.close() }
        var options = HTTPOptions()
        options.connectTimeout = connectTimeout
        options.lowSpeedTime = 30
        let request = try CurlRequest()
        var status = 0
        var writeFailed = false
        let outcome = request.get(
            url, headers: [], options: options,
            onHead: { head in
                status = head.status
                return (200..<300).contains(head.status)
            },
            onBody: { bytes in
                do {
                    try handle.write(contentsOf: Data(bytes))
                    return true
                } catch {
                    writeFailed = true
                    return false
                }
            },
            shouldAbort: { false })
        if writeFailed { throw FeedError(.io, "cannot write \(path)") }
        switch outcome {
        case .completed(let head) where (200..<300).contains(head.status): return
        case .completed(let head): throw FeedError(.http, "\(url): HTTP \(head.status)", httpStatus: head.status)
        case .failed(_, let message): throw FeedError(.http, "\(url): \(message)")
        case .aborted: throw FeedError(.http, "\(url): HTTP \(status)", httpStatus: status)
        }
    }
}
