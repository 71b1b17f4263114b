import Foundation
import Hummingbird

/// The body of an `/events` response: Server-Sent Events carrying each window row (`event: window`) and alert
/// (`event: alert`) that the run writes, with its sequence number as `id`, until the client goes away or the
/// server stops. A comment line every 15 seconds keeps idle connections open through proxies.
struct EventStream: Sendable {
    /// The outputs followed.
    let outputs: RunOutputs
    /// Events after this id are sent.
    let after: Int
    /// How often new events are looked for.
    let poll: Duration

    /// The first event id to send after, from `Last-Event-ID` (a reconnecting client), else `?after=` (a page
    /// that loaded the history up to that event), else the newest event (only what happens from now on).
    /// An id above `newest` was given by an earlier server (ids restart with the server): every event of this one
    /// is new to that client.
    static func start(lastEventID: String?, after: String?, newest: Int) throws -> Int {
        if let lastEventID, let id = Int(lastEventID.trimmingCharacters(in: .whitespaces)), id >= 0 {
            return id > newest ? 0 : id
        }
        guard let after else { return newest }
        guard let id = Int(after), id >= 0 else {
            throw ServeError("after must be an event id (a whole number), not \"\(after)\"")
        }
        return id > newest ? 0 : id
    }

    /// The text of `events` in the SSE wire format.
    static func encode(_ events: [RunOutputs.Event]) -> String {
        var text = ""
        for event in events {
            // The outputs are JSON Lines, so `data` never holds a newline.
            text += "id: \(event.id)\nevent: \(event.kind)\ndata: \(event.json)\n\n"
        }
        return text
    }

    /// The response: `text/event-stream`, not cached, streamed until cancelled.
    var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        let outputs = outputs
        let after = after
        let poll = poll
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var cursor = after
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                var quiet = Duration.zero
                while !Task.isCancelled {
                    let events = await outputs.events(after: cursor)
                    if let last = events.last {
                        cursor = last.id
                        quiet = .zero
                        try await writer.write(ByteBuffer(string: EventStream.encode(events)))
                        continue
                    }
                    try await Task.sleep(for: poll)
                    quiet += poll
                    if quiet >= .seconds(15) {
                        quiet = .zero
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }
}
