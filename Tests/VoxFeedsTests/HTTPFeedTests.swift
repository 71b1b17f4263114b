import Foundation
import Synchronization
import Testing
import VoxTestSupport

@testable import VoxFeeds

/// HTTP sources against a real server on 127.0.0.1, with real faults.
@Suite struct HTTPFeedTests {
    private func ids(_ count: Int, prefix: String = "p") -> [String] { (0..<count).map { "\(prefix)\($0)" } }

    @Test func readsContentLengthAndChunkedBodies() async throws {
        let body = FeedHarness.genericLines(500)
        let server = try LoopbackHTTPServer { request in
            var response = TestResponse(status: 200, body: body)
            response.chunked = request.path == "/chunked"
            response.writeChunk = 777
            return response
        }
        for path in ["/plain", "/chunked"] {
            let result = try await FeedHarness.collect([server.baseURL + path], options: FeedHarness.options())
            #expect(result.posts.map(\.id) == ids(500), "\(path)")
            #expect(result.stats.sources[0].bytes == Int64(body.count))
            #expect(result.balanced)
        }
    }

    @Test func decodesGzipPayloadsContentEncodingAndMultipleMembers() async throws {
        let first = FeedHarness.genericLines(300)
        let second = FeedHarness.genericLines(200, prefix: "q")
        let payload = try GzipDeflater.gzip(first)
        let members = try GzipDeflater.gzip(first) + GzipDeflater.gzip(second)
        let server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/feed.jsonl.gz": return TestResponse(status: 200, body: payload)
            case "/encoded": return TestResponse(status: 200, headers: [("Content-Encoding", "gzip")], body: payload)
            default: return TestResponse(status: 200, body: members)
            }
        }
        for path in ["/feed.jsonl.gz", "/encoded"] {
            let result = try await FeedHarness.collect([server.baseURL + path], options: FeedHarness.options())
            #expect(result.posts.map(\.id) == ids(300), "\(path)")
        }
        let joined = try await FeedHarness.collect([server.baseURL + "/members"], options: FeedHarness.options())
        #expect(joined.posts.map(\.id) == ids(300) + ids(200, prefix: "q"))
        #expect(server.requests.allSatisfy { $0.headers["accept-encoding"] == "gzip" })
    }

    @Test(arguments: [false, true])
    func cutTwiceMidLineDeliversEveryPostExactlyOnce(gzip: Bool) async throws {
        let plain = FeedHarness.genericLines(100_000)
        let body = gzip ? try GzipDeflater.gzip(plain) : plain
        let cuts = [body.count / 3 + 17, body.count * 2 / 3 + 5]
        let server = try LoopbackHTTPServer { request in
            var response = TestResponse.resource(body, for: request)
            if request.index < cuts.count {
                response.cutAfter = cuts[request.index] - (request.rangeStart ?? 0)
            }
            return response
        }
        let result = try await FeedHarness.collect([server.baseURL + "/firehose"], options: FeedHarness.options())
        #expect(result.posts.count == 100_000)
        #expect(result.posts.map(\.id) == ids(100_000))
        #expect(result.deadLetters.isEmpty)
        #expect(result.stats.sources[0].reconnects == 2)
        #expect(server.requests.map(\.rangeStart) == [nil, cuts[0], cuts[1]])
        #expect(result.balanced)
    }

    @Test func rereadsFromTheStartWhenTheServerIgnoresRange() async throws {
        let body = FeedHarness.genericLines(20_000)
        let cut = body.count / 2 + 3
        let server = try LoopbackHTTPServer { request in
            var response = TestResponse.resource(body, for: request, honourRange: false)
            if request.index == 0 { response.cutAfter = cut }
            return response
        }
        let result = try await FeedHarness.collect([server.baseURL + "/feed"], options: FeedHarness.options())
        #expect(result.posts.map(\.id) == ids(20_000))
        #expect(result.notices.contains { $0.contains("does not resume ranges") })
    }

    /// A server that ignores Range and drops at the same byte every time: re-reading what was delivered is not
    /// progress, so the retries run out and the source fails with a message instead of looping for ever.
    @Test func aServerDroppingAtTheSameByteExhaustsTheRetries() async throws {
        let body = FeedHarness.genericLines(2_000)
        let cut = body.count / 2 + 3
        let server = try LoopbackHTTPServer { request in
            var response = TestResponse.resource(body, for: request, honourRange: false)
            response.cutAfter = cut
            return response
        }
        var options = try FeedHarness.options()
        options.http.maxRetries = 2
        options.http.initialBackoff = 0.01
        let result = try await FeedHarness.collect([server.baseURL + "/feed"], options: options)
        #expect(server.requests.count == 3, "one try and two retries")
        #expect(result.stats.sources.first?.error?.contains("gave up after 2 retries") == true)
        #expect(!result.posts.isEmpty && result.posts.count < 2_000 && result.balanced)
    }

    @Test func retriesAfterAServerError() async throws {
        let body = FeedHarness.genericLines(10)
        let server = try LoopbackHTTPServer { request in
            request.index == 0
                ? TestResponse(status: 500, body: Array("oops".utf8)) : TestResponse(status: 200, body: body)
        }
        let result = try await FeedHarness.collect([server.baseURL + "/feed"], options: FeedHarness.options())
        #expect(result.posts.map(\.id) == ids(10))
        #expect(result.stats.sources[0].reconnects == 1)
        #expect(result.deadLetters.isEmpty)
    }

    @Test func honoursRetryAfterOn429() async throws {
        let body = FeedHarness.genericLines(3)
        let server = try LoopbackHTTPServer { request in
            request.index == 0
                ? TestResponse(status: 429, headers: [("Retry-After", "1")]) : TestResponse(status: 200, body: body)
        }
        var options = try FeedHarness.options()
        options.http.maxBackoff = 5
        let started = Date()
        let result = try await FeedHarness.collect([server.baseURL + "/feed"], options: options)
        #expect(result.posts.count == 3)
        #expect(Date().timeIntervalSince(started) >= 0.95)
        #expect(result.notices.contains { $0.contains("HTTP 429; retrying in 1.0 s") })
    }

    @Test func givesUpAfterBoundedRetriesWithAClearError() async throws {
        let server = try LoopbackHTTPServer { _ in TestResponse(status: 503) }
        var options = try FeedHarness.options()
        options.http.maxRetries = 2
        let result = try await FeedHarness.collect([server.baseURL + "/down"], options: options)
        #expect(server.requests.count == 3)
        #expect(result.stats.sources[0].error?.contains("HTTP 503 (gave up after 2 retries)") == true)
        #expect(!result.stats.allSourcesSucceeded)
    }

    @Test func failsAtOnceOnNotFound() async throws {
        let server = try LoopbackHTTPServer { _ in TestResponse(status: 404) }
        let result = try await FeedHarness.collect([server.baseURL + "/missing"], options: FeedHarness.options())
        #expect(server.requests.count == 1)
        #expect(result.stats.sources[0].error == "\(server.baseURL)/missing: the server answered HTTP 404")
    }

    @Test func followsRedirectsAndSendsHeaders() async throws {
        let body = FeedHarness.genericLines(4)
        let server = try LoopbackHTTPServer { request in
            request.path == "/old"
                ? TestResponse(status: 302, headers: [("Location", "/new")]) : TestResponse(status: 200, body: body)
        }
        var options = try FeedHarness.options()
        options.http.headers = ["X-Feed: vox-test"]
        setenv("VOX_TEST_TOKEN", "s3cret", 1)
        options.http.authEnvironmentVariable = "VOX_TEST_TOKEN"
        let result = try await FeedHarness.collect([server.baseURL + "/old"], options: options)
        #expect(result.posts.count == 4)
        #expect(server.requests.map(\.path) == ["/old", "/new"])
        #expect(server.requests[0].headers["authorization"] == "Bearer s3cret")
        #expect(server.requests[0].headers["x-feed"] == "vox-test")
        #expect(server.requests[0].headers["user-agent"] == "vox/\(VoxVersion.current)")
    }

    /// A token with a line break would smuggle another header into the request: the source fails before sending.
    @Test func anAuthorizationValueWithALineBreakIsRefused() async throws {
        let server = try LoopbackHTTPServer { _ in TestResponse(status: 200, body: FeedHarness.genericLines(2)) }
        var options = try FeedHarness.options()
        setenv("VOX_TEST_BAD_TOKEN", "s3cret\r\nX-Evil: 1", 1)
        defer { unsetenv("VOX_TEST_BAD_TOKEN") }
        options.http.authEnvironmentVariable = "VOX_TEST_BAD_TOKEN"
        options.http.maxRetries = 0
        let result = try await FeedHarness.collect([server.baseURL + "/feed"], options: options)
        #expect(result.posts.isEmpty && server.requests.isEmpty)
        let error = try #require(result.stats.sources.first?.error)
        #expect(error.contains("holds a line break") && !error.contains("s3cret"), "\(error)")
    }

    @Test func readsASlowDrip() async throws {
        let body = FeedHarness.genericLines(40)
        let server = try LoopbackHTTPServer { _ in
            var response = TestResponse(status: 200, body: body)
            response.dripBytes = 97
            response.dripDelay = 0.005
            return response
        }
        let result = try await FeedHarness.collect([server.baseURL + "/drip"], options: FeedHarness.options())
        #expect(result.posts.map(\.id) == ids(40))
    }

    @Test func reportsATruncatedGzipBodyAfterEveryCompleteLine() async throws {
        let gzip = try GzipDeflater.gzip(FeedHarness.genericLines(3000))
        let cut = Array(gzip.prefix(gzip.count / 2))
        let server = try LoopbackHTTPServer { _ in TestResponse(status: 200, body: cut) }
        let result = try await FeedHarness.collect([server.baseURL + "/cut.gz"], options: FeedHarness.options())
        #expect(result.posts.count > 1000)
        #expect(result.posts.map(\.id) == ids(result.posts.count))
        #expect(result.deadLetters.map(\.reason) == [.truncatedGzip])
        #expect(result.notices.contains { $0.contains("truncated at compressed byte \(cut.count)") })
        #expect(result.balanced)
    }

    @Test func followPollsAnEndedResourceForGrowth() async throws {
        let content = Mutex<[UInt8]>(FeedHarness.genericLines(5))
        let server = try LoopbackHTTPServer { request in
            TestResponse.resource(content.withLock { $0 }, for: request, etag: "\"v\(content.withLock { $0.count })\"")
        }
        var options = try FeedHarness.options()
        options.follow = true
        let feed = Feed(sources: [try FeedSource(server.baseURL + "/log.jsonl")], options: options)
        let grower = Task {
            try await Task.sleep(for: .milliseconds(300))
            content.withLock { $0 += FeedHarness.genericLines(8).suffix(from: FeedHarness.genericLines(5).count) }
        }
        var ids: [String] = []
        _ = try await feed.run { event in
            if case .batch(let batch) = event {
                ids += batch.posts.map(\.id)
                if ids.count >= 8 { throw FeedStop() }
            }
        }
        try await grower.value
        #expect(ids == self.ids(8))
        #expect(server.requests.dropFirst().allSatisfy { $0.rangeStart != nil })
        #expect(server.requests.dropFirst().contains { $0.headers["if-none-match"] != nil })
    }
}
