import Testing

@testable import VoxServe

/// Query parameters to row filters, and what the filters keep.
@Suite struct RowFilterTests {
    static func row(_ hour: Int, _ topic: String) -> RunOutputs.Row {
        RunOutputs.Row(
            start: Int64(hour) * 3_600_000, end: Int64(hour + 1) * 3_600_000, topic: topic, json: "\(hour)|\(topic)")
    }

    static let rows = (0..<6).flatMap { hour in ["all", "Apple", "Amazon"].map { row(hour, $0) } }

    @Test func rangesAreHalfOpenOnTheWindowStart() throws {
        let filter = try RowFilter { ["from": "1970-01-01T02:00:00Z", "to": "1970-01-01T04:00:00Z"][$0] }
        #expect(
            filter.apply(RowFilterTests.rows).map(\.json) == [
                "2|all", "2|Apple", "2|Amazon", "3|all", "3|Apple", "3|Amazon",
            ])
    }

    @Test func topicsAreCommaSeparatedAndLimitKeepsTheLastRows() throws {
        let filter = try RowFilter { ["topic": "Apple,Amazon", "limit": "3"][$0] }
        #expect(filter.topics == ["Apple", "Amazon"])
        #expect(filter.apply(RowFilterTests.rows).map(\.json) == ["4|Amazon", "5|Apple", "5|Amazon"])
        let none = try RowFilter { ["limit": "0"][$0] }
        #expect(none.apply(RowFilterTests.rows).isEmpty)
    }

    @Test func windowsKeepsTheRowsOfTheLastWindows() throws {
        let filter = try RowFilter { ["windows": "2", "topic": "all,Apple"][$0] }
        #expect(filter.apply(RowFilterTests.rows).map(\.json) == ["4|all", "4|Apple", "5|all", "5|Apple"])
        let early = try RowFilter { ["windows": "1", "to": "1970-01-01T03:00:00Z"][$0] }
        #expect(early.apply(RowFilterTests.rows).map(\.json) == ["2|all", "2|Apple", "2|Amazon"])
        #expect(try RowFilter { ["windows": "0"][$0] }.apply(RowFilterTests.rows).isEmpty)
    }

    @Test func timesMayCarryOffsetsOrBeBareDates() throws {
        let offset = try RowFilter { ["from": "1970-01-01T05:00:00+02:00"][$0] }
        #expect(offset.from == 3 * 3_600_000)
        let date = try RowFilter { ["to": "1970-01-02"][$0] }
        #expect(date.to == 86_400_000)
    }

    @Test func malformedValuesNameTheParameter() {
        for (query, message) in [
            (["from": "soon"], "from must be an ISO-8601 time"),
            (["to": "2024-02-30T25:00:00Z"], "to must be an ISO-8601 time"),
            (["limit": "ten"], "limit must be a whole number"),
            (["windows": "-2"], "windows must be a whole number"),
            (["from": "2024-01-02", "to": "2024-01-01"], "from must not be later than to"),
        ] {
            #expect {
                _ = try RowFilter { query[$0] }
            } throws: { error in
                (error as? ServeError)?.message.hasPrefix(message) == true
            }
        }
    }
}
