import Foundation
import Testing
import VoxTestSupport

@testable import VoxServe

/// `/events`: Server-Sent Events of the window rows and alerts a run writes, over real HTTP on loopback.
@Suite struct EventStreamTests {
    /// The events in an SSE body: (id, event, data), in order.
    static func events(_ body: [UInt8]) -> [(id: Int, kind: String, data: String)] {
        String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").compactMap { block in
            var id: Int?
            var kind = "message"
            var data: String?
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { kind = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            guard let id, let data else { return nil }
            return (id, kind, data)
        }
    }

    static let newWindow =
        #"{"window_start":"2026-11-28T07:00:00.000Z","window_end":"2026-11-28T08:00:00.000Z","topic":"all","#
        + #""topic_kind":"all","posts":3,"negative":1,"neutral":1,"positive":1}"#
    static let newAlert =
        #"{"window_start":"2026-11-28T07:00:00.000Z","window_end":"2026-11-28T08:00:00.000Z","topic":"all","#
        + #""kind":"volume","value":3.0,"baseline":90.0,"deviation":-4.0,"posts":3}"#

    @Test func newRowsAndAlertsAreStreamedInOrderAndResumableByLastEventID() async throws {
        let folder = try ServeHarness.copyOfRun()
        let server = try await ServeHarness.start(folder)
        defer { Task { await server.stop() } }
        // Rows already in the folder are history (served by /api/windows), not events.
        try ServeHarness.append(EventStreamTests.newWindow, to: folder + "/windows.jsonl")
        try ServeHarness.append(EventStreamTests.newAlert, to: folder + "/alerts.jsonl")

        let stream = try await ServeHarness.get(server.port, "/events?after=0", timeout: 60) {
            EventStreamTests.events($0).count >= 2
        }
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"] == "text/event-stream; charset=utf-8")
        #expect(stream.headers["cache-control"] == "no-cache")
        #expect(stream.text.hasPrefix("retry: 2000\n\n"))
        let received = EventStreamTests.events(stream.body)
        #expect(received.map(\.id) == [1, 2])
        #expect(received.map(\.kind) == ["window", "alert"])
        #expect(received.map(\.data) == [EventStreamTests.newWindow, EventStreamTests.newAlert])

        // A client reconnecting with Last-Event-ID gets only what it missed.
        let resumed = try await ServeHarness.get(
            server.port, "/events", headers: [("Last-Event-ID", "1")], timeout: 60
        ) { EventStreamTests.events($0).count >= 1 }
        #expect(EventStreamTests.events(resumed.body).map(\.id) == [2])

        // The history now includes the new row, and says which event it is current to.
        let windows = try await ServeHarness.get(server.port, "/api/windows?from=2026-11-28T07:00:00Z")
        #expect(windows.headers["vox-last-event-id"] == "2")
        #expect(try ServeHarness.array(windows).count == 1)
    }

    @Test func outputsFollowAppendsPartialLinesAndCutBacks() async throws {
        let folder = try ServeHarness.copyOfRun()
        let outputs = RunOutputs(directory: folder)
        try await outputs.refresh()
        #expect(await outputs.rows(.windows, RowFilter()).rows.count == 91)
        #expect(await outputs.lastEventID == 0)

        // Half a line waits for its newline.
        let path = folder + "/windows.jsonl"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        let line = Array((EventStreamTests.newWindow + "\n").utf8)
        try handle.write(contentsOf: Data(line[..<40]))
        try await outputs.refresh()
        #expect(await outputs.rows(.windows, RowFilter()).rows.count == 91)
        try handle.write(contentsOf: Data(line[40...]))
        try handle.write(contentsOf: Data("not json\n".utf8))
        try handle.close()
        try await outputs.refresh()
        #expect(await outputs.rows(.windows, RowFilter()).rows.count == 92)
        #expect(await outputs.events(after: 0).map(\.json) == [EventStreamTests.newWindow])
        #expect(await outputs.malformedLines == 1)

        // A resumed run cuts its outputs back: the rows are read again from the start, no events for them.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)
        let truncate = try #require(FileHandle(forWritingAtPath: path))
        try truncate.truncate(atOffset: size.uint64Value / 2)
        try truncate.close()
        try await outputs.refresh()
        // Complete lines only: the cut leaves half a line, which waits for its newline.
        let kept = try String(contentsOfFile: path, encoding: .utf8).filter { $0 == "\n" }.count
        #expect(await outputs.rows(.windows, RowFilter()).rows.count == kept)
        #expect(await outputs.lastEventID == 1)
        #expect(await outputs.events(after: 1).isEmpty)
    }

    @Test func theStartingEventFollowsLastEventIDThenAfterThenNow() throws {
        #expect(try EventStream.start(lastEventID: "7", after: "3", newest: 9) == 7)
        #expect(try EventStream.start(lastEventID: nil, after: "3", newest: 9) == 3)
        #expect(try EventStream.start(lastEventID: nil, after: nil, newest: 9) == 9)
        // Ids from before a server restart (above this server's newest) get everything this server has.
        #expect(try EventStream.start(lastEventID: "57", after: nil, newest: 9) == 0)
        #expect(try EventStream.start(lastEventID: nil, after: "12", newest: 9) == 0)
        #expect(throws: ServeError.self) { try EventStream.start(lastEventID: nil, after: "-1", newest: 9) }
    }
}
