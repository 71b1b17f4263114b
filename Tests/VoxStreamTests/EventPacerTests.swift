import Testing

@testable import VoxStream

@Suite struct EventPacerTests {
    @Test func releasesPostsNoEarlierThanTheirScaledEventTime() async throws {
        var pacer = EventPacer(speed: 10)
        let start = ContinuousClock.now
        try await pacer.wait(until: 1_000_000)
        try await pacer.wait(until: 1_001_000)  // 1 s of event time → 100 ms
        try await pacer.wait(until: 1_000_500)  // out of order: no wait
        try await pacer.wait(until: 1_002_000)  // 2 s → 200 ms after the first
        #expect(ContinuousClock.now - start >= .milliseconds(200))
    }
}
