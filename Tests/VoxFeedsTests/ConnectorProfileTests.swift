import Foundation
import Testing

@testable import VoxFeeds

@Suite struct ConnectorProfileTests {
    @Test(arguments: ["x-v2", "reddit", "mastodon", "bluesky-jetstream", "generic"])
    func detectsEachFixturesFormat(name: String) async throws {
        let result = try await FeedHarness.collect(
            [try FeedHarness.fixture("\(name).jsonl")], options: FeedHarness.options())
        #expect(result.stats.sources[0].profile == name)
        #expect(result.balanced)
        #expect(result.deadLetters.isEmpty)
    }

    @Test func mapsXv2() async throws {
        let posts = try await FeedHarness.collect(
            [try FeedHarness.fixture("x-v2.jsonl")], options: FeedHarness.options(profile: "x-v2")
        ).posts
        #expect(posts.count == 3)
        #expect(
            posts[0]
                == Post(
                    id: "1862143350405468160", text: "Flight delayed again @united, third time this month 😤",
                    createdAt: 1_795_860_000_000, author: "2244994945", lang: "en", source: "x-v2",
                    extra: #"{"conversation_id":"1862143350405468160"}"#))
        #expect(
            posts[1].extra
                == #"{"conversation_id":"1862143350405468161","metrics":{"retweet_count": 3, "like_count": 10}}"#)
        #expect(posts[2].text == "Vuelo cancelado \"sin aviso\"\nQué mal")
    }

    @Test func mapsRedditCommentsAndSubmissions() async throws {
        let posts = try await FeedHarness.collect(
            [try FeedHarness.fixture("reddit.jsonl")], options: FeedHarness.options()
        ).posts
        #expect(posts.map(\.id) == ["t1_kx1a2b3", "t3_1h2j3k", "1h2j3l"])
        #expect(
            posts.map(\.text) == [
                "The new update broke my phone's battery life.", "First harvest!\n\nTomatoes are finally ripe.",
                "Market opens higher",
            ])
        #expect(posts.map(\.createdAt) == [1_764_324_000_000, 1_764_324_060_000, 1_764_324_120_500])
        #expect(posts[0].author == "throwaway_42")
        #expect(posts[0].extra == #"{"score":17,"subreddit":"Android"}"#)
    }

    @Test func mapsMastodonAndSkipsBoosts() async throws {
        let result = try await FeedHarness.collect(
            [try FeedHarness.fixture("mastodon.jsonl")], options: FeedHarness.options())
        #expect(result.stats.skipped == 1)
        #expect(
            result.posts.map(\.text) == [
                "Just shipped & it's great!\n\nSecond paragraph\nwith a break <3", "Café time ☕",
            ])
        #expect(result.posts.map(\.author) == ["alice", "carol"])
        #expect(result.posts.map(\.lang) == ["en", nil])
        #expect(result.posts[1].createdAt == 1_795_860_330_000)
        #expect(result.posts[0].id == "https://mastodon.social/users/alice/statuses/113567890123456789")
    }

    @Test func mapsBlueskyPostsAndCountsOtherEventsAsSkipped() async throws {
        let result = try await FeedHarness.collect(
            [try FeedHarness.fixture("bluesky-jetstream.jsonl")], options: FeedHarness.options())
        #expect(result.stats.lines == 6)
        #expect(result.stats.skipped == 4)
        #expect(result.posts.map(\.id) == ["did:plc:eygmaihciaxprqvxpfvl6flk/3lbxyz2abc", "did:plc:zzz/3lbz9"])
        #expect(result.posts.map(\.lang) == ["en", "pt"])
        #expect(result.posts.map(\.createdAt) == [1_764_324_000_123, 1_764_324_000_500])
    }

    @Test func mapsGenericWithFallbackIds() async throws {
        let posts = try await FeedHarness.collect(
            [try FeedHarness.fixture("generic.jsonl")], options: FeedHarness.options()
        ).posts
        #expect(posts.count == 3)
        #expect(posts[0].id == "1")
        #expect(posts[1].createdAt == 1_764_324_000_000)
        #expect(posts[2].id.hasPrefix("fnv1a:") && posts[2].id.count == 22)
        #expect(posts[2].createdAt == 1_795_860_005_000)
    }

    @Test func usesUserProfilesFromAFolder() throws {
        let folder = try FeedHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let json = #"{"name":"custom","detect":["msg"],"text":["msg"],"created_at":["ts"],"id":["uid"]}"#
        try json.write(toFile: folder + "/custom.json", atomically: true, encoding: .utf8)
        var registry = try ProfileRegistry.bundled()
        try registry.addProfiles(in: folder)
        #expect(try registry.profile(named: "custom").text == [.path("msg")])
        #expect(registry.profiles.first?.name == "custom")
    }

    @Test func rejectsMalformedAndUnknownProfiles() throws {
        #expect(throws: FeedError.self) { try ConnectorProfile.decode(Array(#"{"name":"x"}"#.utf8), origin: "x.json") }
        #expect(throws: FeedError.self) { try ProfileRegistry.bundled().profile(named: "myspace") }
    }
}
