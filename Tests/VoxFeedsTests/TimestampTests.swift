import Testing

@testable import VoxFeeds

@Suite struct TimestampTests {
    private func iso(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer(Timestamp.parseISO8601)
    }

    @Test func parsesISO8601Forms() {
        #expect(iso("2026-11-28T10:00:00.000Z") == 1_795_860_000_000)
        #expect(iso("2026-11-28T10:00:00Z") == 1_795_860_000_000)
        #expect(iso("2026-11-28 10:00:00.5") == 1_795_860_000_500)
        #expect(iso("2026-11-28T11:00:00+01:00") == 1_795_860_000_000)
        #expect(iso("2026-11-28T05:30:00-0430") == 1_795_860_000_000)
        #expect(iso("2026-11-28T10:00:00.123456Z") == 1_795_860_000_123)
        #expect(iso("2026-11-28") == 1_795_824_000_000)
        #expect(iso("2024-02-29T12:00:00Z") == 1_709_208_000_000)
        #expect(iso("1970-01-01T00:00:00.000Z") == 0)
        #expect(iso("9999-12-31T23:59:59.999Z") == Timestamp.supported.upperBound)
        #expect(iso("2026-11-28T10:00:60Z") == 1_795_860_060_000, "a leap second")
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-11-28T25:00:00Z", "yesterday", "2026-11-28T10:00:00Zjunk", "2026-11-28T10", "",
        // Impossible dates and offsets are refused, not rolled over.
        "2026-02-30T00:00:00Z", "2026-02-29", "2100-02-29", "2026-04-31", "2026-11-28T10:00:00+99:99",
        "2026-11-28T10:00:00+24:00", "2026-11-28T10:00:00-05:60",
        // Outside the supported years 1970–9999.
        "1969-12-31T23:59:59Z", "9999-12-31T23:59:59-00:01", "0000-01-01T00:00:00Z",
    ])
    func rejectsWhatIsNotATime(text: String) {
        #expect(iso(text) == nil)
    }

    @Test func parsesClassicTwitterTimes() {
        func classic(_ text: String) -> Int64? {
            Array(text.utf8).withUnsafeBufferPointer(Timestamp.parseTwitterClassic)
        }
        #expect(classic("Fri Nov 28 10:00:00 +0000 2026") == 1_795_860_000_000)
        #expect(classic("Fri Nov 28 11:00:00 +0100 2026") == 1_795_860_000_000)
        for bad in [
            "Mon Feb 30 10:00:00 +0000 2026", "Fri Nov 28 24:00:00 +0000 2026", "Fri Nov 28 10:61:00 +0000 2026",
            "Fri Nov 28 10:00:00 +9999 2026", "Fri Nov 28 10:00:00 *0000 2026", "Thu Jan 01 00:00:00 +0100 1970",
        ] {
            #expect(classic(bad) == nil, "\(bad)")
        }
    }

    @Test func guessesEpochUnitsByMagnitude() {
        #expect(Timestamp.millis(epoch: 1_795_860_000, format: .auto) == 1_795_860_000_000)
        #expect(Timestamp.millis(epoch: 1_795_860_000_000, format: .auto) == 1_795_860_000_000)
        #expect(Timestamp.millis(epoch: 1_795_860_000_000_000, format: .auto) == 1_795_860_000_000)
        #expect(Timestamp.millis(epoch: 1_795_860_000.25, format: .epochSeconds) == 1_795_860_000_250)
        #expect(Timestamp.millis(epoch: .infinity, format: .auto) == nil)
        // Near the Int64 limits and before 1970: refused (the feed's line becomes a bad_time dead letter).
        #expect(Timestamp.millis(epoch: 9_223_372_036_854, format: .epochSeconds) == nil)
        #expect(Timestamp.millis(epoch: 294_247 * 31_557_600_000, format: .epochMillis) == nil)
        #expect(Timestamp.millis(epoch: -1, format: .epochMillis) == nil)
        #expect(Timestamp.millis(epoch: 253_402_300_799.999, format: .epochSeconds) == Timestamp.supported.upperBound)
    }

    @Test func formatsWithMillisecondsInUTC() {
        #expect(Timestamp.format(millis: 1_795_860_000_000) == "2026-11-28T10:00:00.000Z")
        #expect(Timestamp.format(millis: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        // Computed times beyond the supported range (a window's end, say) print clamped, with a four-digit year.
        #expect(Timestamp.format(millis: -1) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(millis: .max) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.format(millis: .min) == "1970-01-01T00:00:00.000Z")
    }

    @Test func roundTripsEveryHourOfAYear() {
        var millis: Int64 = 1_704_067_200_000
        for _ in 0..<(366 * 24) {
            let text = Timestamp.format(millis: millis)
            #expect(iso(text) == millis)
            millis += 3_600_000 + 17
        }
    }
}
