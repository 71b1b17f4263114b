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
        #expect(iso("1969-12-31T23:59:59Z") == -1000)
        #expect(iso("2026-11-28") == 1_795_824_000_000)
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-11-28T25:00:00Z", "yesterday", "2026-11-28T10:00:00Zjunk", "2026-11-28T10", "",
    ])
    func rejectsWhatIsNotATime(text: String) {
        #expect(iso(text) == nil)
    }

    @Test func parsesClassicTwitterTimes() {
        let millis = Array("Fri Nov 28 10:00:00 +0000 2026".utf8).withUnsafeBufferPointer(Timestamp.parseTwitterClassic)
        #expect(millis == 1_795_860_000_000)
    }

    @Test func guessesEpochUnitsByMagnitude() {
        #expect(Timestamp.millis(epoch: 1_795_860_000, format: .auto) == 1_795_860_000_000)
        #expect(Timestamp.millis(epoch: 1_795_860_000_000, format: .auto) == 1_795_860_000_000)
        #expect(Timestamp.millis(epoch: 1_795_860_000_000_000, format: .auto) == 1_795_860_000_000)
        #expect(Timestamp.millis(epoch: 1_795_860_000.25, format: .epochSeconds) == 1_795_860_000_250)
        #expect(Timestamp.millis(epoch: .infinity, format: .auto) == nil)
    }

    @Test func formatsWithMillisecondsInUTC() {
        #expect(Timestamp.format(millis: 1_795_860_000_000) == "2026-11-28T10:00:00.000Z")
        #expect(Timestamp.format(millis: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(Timestamp.format(millis: -1) == "1969-12-31T23:59:59.999Z")
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
