import Foundation
import Synchronization
import Testing
import VoxTestSupport

@testable import VoxFeeds

/// Alert webhooks against a real server on 127.0.0.1: delivered in order, retried after errors, counted when
/// they fail, never blocking the sender.
@Suite struct WebhookSenderTests {
    @Test func postsDocumentsAndRetriesFailures() throws {
        let received = Mutex<[String]>([])
        let server = try LoopbackHTTPServer { request in
            if request.path == "/down" { return TestResponse(status: 503) }
            if request.path == "/flaky" && request.index == 0 { return TestResponse(status: 500) }
            received.withLock {
                $0.append(
                    request.method + " " + (request.headers["content-type"] ?? "") + " "
                        + String(decoding: request.body, as: UTF8.self))
            }
            return TestResponse(status: 204)
        }
        let sender = WebhookSender(url: server.baseURL + "/hook", backoff: 0.01)
        sender.send(#"{"n":1}"#)
        sender.send(#"{"n":2}"#)
        #expect(sender.finish() == (sent: 2, failed: 0))
        #expect(received.withLock { $0 } == [#"POST application/json {"n":1}"#, #"POST application/json {"n":2}"#])

        let flaky = WebhookSender(url: server.baseURL + "/flaky", backoff: 0.01)
        flaky.send(#"{"n":3}"#)
        #expect(flaky.finish() == (sent: 1, failed: 0))

        let down = WebhookSender(url: server.baseURL + "/down", attempts: 2, backoff: 0.01)
        down.send(#"{"n":4}"#)
        #expect(down.finish() == (sent: 0, failed: 1))
        #expect(server.requests.filter { $0.path == "/down" }.count == 2)
    }

    /// When the wait for the last deliveries runs out, the one being delivered and those waiting are failures:
    /// sent + failed is always the number of documents sent, and a delivery ending later changes nothing.
    @Test func everyDocumentIsCountedOnceWhenTheDrainTimesOut() throws {
        let server = try LoopbackHTTPServer { _ in
            var response = TestResponse(status: 200, body: Array(repeating: UInt8(ascii: "x"), count: 200))
            response.dripBytes = 1
            response.dripDelay = 0.05
            return response
        }
        let sender = WebhookSender(url: server.baseURL + "/slow", attempts: 1)
        for index in 0..<3 { sender.send(#"{"n":\#(index)}"#) }
        Thread.sleep(forTimeInterval: 0.2)
        let counts = sender.finish(timeout: 0.1)
        #expect(counts.sent + counts.failed == 3 && counts.failed >= 2, "\(counts)")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(sender.counts == counts)
    }
}
