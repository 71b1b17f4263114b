import CCurl
import Foundation

/// One HTTP GET through libcurl's easy interface. This is the only file that sees curl's C types.
///
/// `perform` blocks, so it runs on a source's own thread, never on Swift's cooperative pool. Body
/// bytes stream out chunk by chunk (curl hands at most 16 KB per callback); blocking inside the body
/// handler is how backpressure reaches the TCP connection.
final class CurlRequest {
    /// The final response's status line and headers (names lower-cased).
    struct Head {
        var status = 0
        var headers: [String: String] = [:]
    }

    /// How a transfer ended.
    enum Outcome {
        /// The server sent the whole response.
        case completed(Head)
        /// The transfer broke off (connection dropped, timeout, truncated body).
        case failed(Head, message: String)
        /// The body handler or the abort check stopped it.
        case aborted
    }

    fileprivate final class Context {
        var head = Head()
        var pendingHead = Head()
        var headDelivered = false
        var onHead: (Head) -> Bool = { _ in true }
        var onBody: (UnsafeRawBufferPointer) -> Bool = { _ in true }
        var shouldAbort: () -> Bool = { false }
        var aborted = false
    }

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    private let handle: UnsafeMutableRawPointer

    /// Creates a request handle.
    /// - Throws: `FeedError` when libcurl cannot start.
    init() throws(FeedError) {
        guard CurlRequest.initialized, let handle = curl_easy_init() else {
            throw FeedError(.http, "libcurl could not be initialised")
        }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Performs a GET (or, with `postBody`, a POST of that body).
    /// - Parameters:
    ///   - url: The URL.
    ///   - headers: Request headers, `Name: value`.
    ///   - options: Timeouts, redirects and the User-Agent.
    ///   - onHead: Called with the final response head before its first body byte; return false to abort.
    ///   - onBody: Called with each body chunk of the final response; return false to abort.
    ///   - shouldAbort: Polled during the transfer (about once a second at least).
    /// - Returns: How the transfer ended.
    func get(
        _ url: String, headers: [String], options: HTTPOptions, postBody: String? = nil,
        onHead: @escaping (Head) -> Bool,
        onBody: @escaping (UnsafeRawBufferPointer) -> Bool,
        shouldAbort: @escaping () -> Bool
    ) -> Outcome {
        curl_easy_reset(handle)
        let context = Context()
        context.onHead = onHead
        context.onBody = onBody
        context.shouldAbort = shouldAbort
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let userdata = Unmanaged.passUnretained(context).toOpaque()

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            CCurl_easy_setopt_string(handle, CURLOPT_URL, url)
            CCurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
            CCurl_easy_setopt_long(handle, CURLOPT_MAXREDIRS, options.maxRedirects)
            CCurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
            CCurl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            CCurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
            CCurl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit)
            CCurl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime)
            CCurl_easy_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent)
            CCurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            CCurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
            if let postBody {
                CCurl_easy_setopt_long(handle, CURLOPT_POST, 1)
                CCurl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, postBody.utf8.count)
                CCurl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, postBody)
            }
            CCurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
            CCurl_easy_setopt_data_function(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
            CCurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata)
            CCurl_easy_setopt_data_function(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
            CCurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata)
            CCurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
            CCurl_easy_setopt_xferinfo_function(handle, curlProgressCallback)
            CCurl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, userdata)
            return curl_easy_perform(handle)
        }
        withExtendedLifetime(context) {}
        if context.aborted { return .aborted }
        var head = context.headDelivered ? context.head : context.pendingHead
        if head.status == 0 {
            var status = 0
            CCurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            head.status = status
        }
        if code == CURLE_OK { return .completed(head) }
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return .failed(head, message: message)
    }

    fileprivate static func context(_ pointer: UnsafeMutableRawPointer?) -> Context? {
        pointer.map { Unmanaged<Context>.fromOpaque($0).takeUnretainedValue() }
    }

    fileprivate static func header(_ line: String, into context: Context) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            let parts = trimmed.split(separator: " ")
            context.pendingHead = Head(status: parts.count > 1 ? Int(parts[1]) ?? 0 : 0, headers: [:])
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            context.pendingHead.headers[name] = value
        }
    }

    fileprivate static func body(_ bytes: UnsafeRawBufferPointer, context: Context) -> Bool {
        if !context.headDelivered {
            context.headDelivered = true
            context.head = context.pendingHead
            guard context.onHead(context.head) else { return false }
        }
        return context.onBody(bytes)
    }
}

private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context = CurlRequest.context(userdata) else { return 0 }
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    CurlRequest.header(line, into: context)
    return length
}

private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context = CurlRequest.context(userdata) else { return 0 }
    let length = size * count
    guard CurlRequest.body(UnsafeRawBufferPointer(start: data, count: length), context: context) else {
        context.aborted = true
        return 0
    }
    return length
}

private func curlProgressCallback(
    _ userdata: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t
) -> Int32 {
    guard let context = CurlRequest.context(userdata) else { return 0 }
    if context.shouldAbort() {
        context.aborted = true
        return 1
    }
    return 0
}
