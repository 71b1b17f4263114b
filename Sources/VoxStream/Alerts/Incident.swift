import VoxFeeds

/// The alerts of one incident raised in one window: what the terminal prints and the webhook receives, once per
/// incident (when it opens); alerts that join it later are recorded in `alerts.jsonl` and noted on the terminal.
public struct Incident: Sendable, Equatable {
    /// The incident's number.
    public var id: Int
    /// Whether this window opened it.
    public var opened: Bool
    /// Its alerts in this window, in the order they were raised.
    public var alerts: [Alert]

    /// The alerts grouped by incident, in the order their incidents first appear.
    public static func grouping(_ alerts: [Alert]) -> [Incident] {
        var order: [Int] = []
        var groups: [Int: Incident] = [:]
        for alert in alerts {
            if groups[alert.incident] == nil {
                order.append(alert.incident)
                groups[alert.incident] = Incident(id: alert.incident, opened: alert.opensIncident, alerts: [])
            }
            groups[alert.incident]?.alerts.append(alert)
        }
        return order.compactMap { groups[$0] }
    }

    /// The webhook's message: `{"incident", "window_start", "window_end", "topics", "alerts": [alert objects]}`.
    public var json: String {
        let first = alerts.first
        let topics = alerts.reduce(into: [String]()) { if !$0.contains($1.topic) { $0.append($1.topic) } }
        return JSONText.object([
            ("incident", String(id)),
            ("window_start", JSONText.quote(Timestamp.format(millis: first?.windowStart ?? 0))),
            ("window_end", JSONText.quote(Timestamp.format(millis: first?.windowEnd ?? 0))),
            ("topics", "[" + topics.map(JSONText.quote).joined(separator: ",") + "]"),
            ("alerts", "[" + alerts.map(\.json).joined(separator: ",") + "]"),
        ])
    }

    /// One line for the terminal.
    public var summary: String {
        let when = Timestamp.format(millis: alerts.first?.windowStart ?? 0)
        let items = alerts.map { "\($0.topic): \($0.what)" }.joined(separator: "; ")
        return opened
            ? "alert: incident \(id) in \(when): \(items)"
            : "alert: incident \(id) continues in \(when): \(items)"
    }
}
