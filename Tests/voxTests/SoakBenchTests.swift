import Foundation
import Testing
import VoxTestSupport

/// `vox bench soak` on a short feed: the planted faults are counted exactly, memory is reported, and the memory
/// bound is enforced (the README records the 10-million-post run).
@Suite struct SoakBenchTests {
    @Test func aShortSoakAccountsForEveryPlantedFault() async throws {
        let result = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["bench", "soak", "--posts", "3000"], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        // 3,000 posts: a bad line every 1,000 lines, a repeated id every 997 posts, a late post every 1,009.
        #expect(result.stdout.contains("3000 posts (3 bad lines, 3 repeated ids, 2 late)"), "\(result.stdout)")
        #expect(
            result.stdout.contains(
                "accounting: windowed 2995 of 2995, late 2 of 2, repeated ids 3 of 3, dead letters 3 of 3, balanced true"
            ))
        #expect(result.stdout.contains("every post accounted for exactly once"))
        #expect(result.stdout.contains("peak resident memory"))
    }

    @Test func aRunOverItsMemoryBoundFails() async throws {
        let result = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["bench", "soak", "--posts", "200", "--max-rss-mb", "1"], timeout: 300)
        #expect(result.status != 0)
        #expect(result.stderr.contains("is over --max-rss-mb 1"), "\(result.stderr)")
    }
}
