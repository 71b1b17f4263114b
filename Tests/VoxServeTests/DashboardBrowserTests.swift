import Foundation
import Testing
import VoxTestSupport

@testable import VoxServe

/// The dashboard in a real browser, in real time: headless Chromium driven over the DevTools protocol keeps the
/// page's `/events` stream open, and the page shows windows and alerts as the run writes them.
@Suite struct DashboardBrowserTests {
    /// The text of column `column` (1-based) of the latest-window row for `topic`.
    static func cell(_ topic: String, _ column: Int) -> String {
        "document.querySelector('#latest-table tr[data-topic=\"\(topic)\"] td:nth-child(\(column))')?.textContent"
    }

    /// A copy of `row` moved to the window starting at `start` (one hour long), with `posts` posts.
    static func moved(_ row: [String: Any], start: String, end: String, posts: Int) throws -> String {
        var row = row
        row["window_start"] = start
        row["window_end"] = end
        row["posts"] = posts
        row["reposts"] = 1
        row["distinct_posts"] = posts - 1
        return String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Serves `folder` and opens its dashboard in headless Chromium.
    static func openDashboard(_ folder: String, chromium: String) async throws -> (RunningServer, HeadlessChromium) {
        let server = try await ServeHarness.start(folder)
        let browser = try await ProcessRunner.offPool {
            let browser = try HeadlessChromium(executable: chromium, profile: folder + "/chromium")
            try browser.open("http://127.0.0.1:\(server.port)/")
            return browser
        }
        return (server, browser)
    }

    @Test func theDashboardShowsNewWindowsAndAlertsAsTheyAreWritten() async throws {
        let chromium = try HeadlessChromium.executable()
        let folder = try ServeHarness.copyOfRun()
        let server = try await ServeHarness.start(folder)
        defer { Task { await server.stop() } }
        let rows = try ServeHarness.objects(folder + "/windows.jsonl")
        let latestAll = try #require(
            rows.last { $0["topic"] as? String == "all" && $0["window_start"] as? String == "2026-11-28T06:00:00.000Z" }
        )
        let url = "http://127.0.0.1:\(server.port)/"
        let browser = try await ProcessRunner.offPool {
            let browser = try HeadlessChromium(executable: chromium, profile: folder + "/chromium")
            try browser.open(url)
            return browser
        }
        let connected = try await ProcessRunner.offPool {
            try browser.wait(
                until:
                    "document.body?.dataset.state === 'ready' && document.getElementById('live')?.textContent === 'live'",
                timeout: 60)
        }
        #expect(connected, "the page did not load and open /events")
        let before = try await ProcessRunner.offPool {
            try browser.evaluate(DashboardBrowserTests.cell("all", 3)) as? String
        }
        #expect(before == String(latestAll["posts"] as? Int ?? -1))

        // The run closes another window and raises an alert: the page shows both without a reload.
        let window = try DashboardBrowserTests.moved(
            latestAll, start: "2026-11-28T07:00:00.000Z", end: "2026-11-28T08:00:00.000Z", posts: 3)
        try ServeHarness.append(window, to: folder + "/windows.jsonl")
        try ServeHarness.append(
            #"{"window_start":"2026-11-28T07:00:00.000Z","window_end":"2026-11-28T08:00:00.000Z","topic":"all","#
                + #""kind":"volume","value":3.0,"baseline":90.0,"deviation":-4.2,"posts":3}"#,
            to: folder + "/alerts.jsonl")
        let updated = try await ProcessRunner.offPool {
            try browser.wait(
                until: "!!document.getElementById('latest-window')?.textContent.startsWith('2026-11-28T07:00:00.000Z')",
                timeout: 30)
        }
        #expect(updated, "the new window did not reach the page")
        let after = try await ProcessRunner.offPool {
            try browser.evaluate(DashboardBrowserTests.cell("all", 3)) as? String
        }
        #expect(after == "3")
        let reposts = try await ProcessRunner.offPool {
            try browser.evaluate(DashboardBrowserTests.cell("all", 11)) as? String
        }
        #expect(reposts == "1", "the Reposts column shows the row's reposts")
        let alert = try await ProcessRunner.offPool {
            try browser.evaluate("document.querySelector('#alerts-table tbody tr')?.textContent") as? String
        }
        #expect(alert == "11-28 07:00allvolume3.090.0-4.2")
        let marked = try await ProcessRunner.offPool {
            try browser.evaluate(
                "[...document.querySelectorAll('#alerts-table tbody tr')].map(row => row.className).join(',')")
                as? String
        }
        #expect(marked == "current,,", "only the latest window's alert is current")

        // Picking a topic redraws the charts for it.
        let picked = try await ProcessRunner.offPool {
            try browser.evaluate(
                "(() => { const s = document.getElementById('topic-select'); s.value = 'Apple'; "
                    + "s.dispatchEvent(new Event('change')); return document.getElementById('shares-topic').textContent })()"
            ) as? String
        }
        #expect(picked == "Apple")
    }

    /// An example explained by `--explain-examples` shows its text unchanged, the words that pushed toward its label
    /// shaded and those that pushed against it underlined (words of little weight left plain).
    @Test func theDashboardHighlightsTheWordsOfExplainedExamples() async throws {
        let chromium = try HeadlessChromium.executable()
        let folder = try ServeHarness.copyOfRun()
        let text = "This phone is terrible, never again"
        let words: [(String, Double)] = [
            ("This", 0.01), ("phone", 0.02), ("is", 0), ("terrible", 2), (",", 0.05), ("never", 0.6), ("again", -0.5),
        ]
        let explanation = words.map { #"{"text":"\#($0.0)","weight":\#($0.1)}"# }.joined(separator: ",")
        try ServeHarness.append(
            #"{"window_start":"2026-11-28T06:00:00.000Z","window_end":"2026-11-28T07:00:00.000Z","topic":"all","#
                + #""most_negative":[{"id":"x1","text":"\#(text)","probs":{"negative":0.97,"neutral":0.02,"#
                + #""positive":0.01},"explanation":[\#(explanation)]}],"most_positive":[]}"#,
            to: folder + "/examples.jsonl")
        let (server, browser) = try await Self.openDashboard(folder, chromium: chromium)
        defer { Task { await server.stop() } }
        let loaded = try await ProcessRunner.offPool {
            try browser.wait(until: "document.querySelectorAll('#examples .explained').length > 0", timeout: 60)
        }
        #expect(loaded, "the explained example did not reach the page")
        let shown = try await ProcessRunner.offPool {
            try browser.evaluate(
                "(() => { const e = document.querySelector('#examples .explained'); return [e.textContent, "
                    + "[...e.querySelectorAll('mark.support.negative')].map(m => m.textContent).join('|'), "
                    + "[...e.querySelectorAll('mark.against')].map(m => m.textContent).join('|')].join('#') })()")
                as? String
        }
        #expect(shown == "\(text)#terrible|never#again")
    }

    /// The emerging-terms panel lists the selected topic's terms, newest window first, and follows the topic picker.
    @Test func theDashboardListsTheSelectedTopicsEmergingTerms() async throws {
        let chromium = try HeadlessChromium.executable()
        let folder = try ServeHarness.copyOfRun()
        for (start, end, term, count, score) in [
            ("2026-11-28T05:00:00.000Z", "2026-11-28T06:00:00.000Z", "#bankdown", 9, 31.5),
            ("2026-11-28T06:00:00.000Z", "2026-11-28T07:00:00.000Z", "outage", 14, 48.25),
        ] {
            try ServeHarness.append(
                #"{"window_start":"\#(start)","window_end":"\#(end)","topic":"all","term":"\#(term)","#
                    + #""count":\#(count),"rate":0.1,"baseline_rate":0.002,"score":\#(score)}"#,
                to: folder + "/terms.jsonl")
        }
        let (server, browser) = try await Self.openDashboard(folder, chromium: chromium)
        defer { Task { await server.stop() } }
        let loaded = try await ProcessRunner.offPool {
            try browser.wait(until: "document.querySelectorAll('#terms-table tbody tr').length === 2", timeout: 60)
        }
        #expect(loaded, "the emerging terms did not reach the page")
        let rows = "[...document.querySelectorAll('#terms-table tbody tr')].map(r => r.textContent).join('|')"
        let shown = try await ProcessRunner.offPool { try browser.evaluate(rows) as? String }
        #expect(shown == "11-28 06:00outage1410.0%0.2%48.3|11-28 05:00#bankdown910.0%0.2%31.5")
        let picked = try await ProcessRunner.offPool {
            _ = try browser.evaluate(
                "(() => { const s = document.getElementById('topic-select'); s.value = 'sports_&_gaming'; "
                    + "s.dispatchEvent(new Event('change')); return 1 })()")
            return try browser.wait(
                until: "document.querySelector('#terms-table tbody tr')?.textContent.includes('tomorrow')", timeout: 30)
        }
        #expect(picked, "the panel did not follow the topic picker")
        let empty = try await ProcessRunner.offPool {
            try browser.evaluate("document.getElementById('terms-empty').hidden") as? Bool
        }
        #expect(empty == true)
    }
}
