import Foundation
import Testing
import VoxFeeds

@testable import VoxModel
@testable import VoxStream

@Suite struct WindowReportTests {
    private func row(
        _ start: String, _ end: String, _ topic: String, _ kind: String, posts: Int, negative: Int, positive: Int,
        score: Double
    ) -> String {
        #"{"window_start":"\#(start)","window_end":"\#(end)","topic":"\#(topic)","topic_kind":"\#(kind)","posts":\#(posts),"negative":\#(negative),"neutral":\#(posts - negative - positive),"positive":\#(positive),"negative_share":0,"neutral_share":0,"positive_share":0,"net_sentiment":0,"mean_score":\#(score),"mean_confidence":0.5,"model":"m@1"}"#
    }

    @Test func hourlyWindowsBecomeDailyRowsWithExactCounts() throws {
        let lines = [
            row(
                "2026-11-28T00:00:00.000Z", "2026-11-28T01:00:00.000Z", "all", "all", posts: 10, negative: 2,
                positive: 5, score: 0.3),
            row(
                "2026-11-28T00:00:00.000Z", "2026-11-28T01:00:00.000Z", "Apple, Inc", "watch", posts: 2, negative: 2,
                positive: 0, score: -0.8),
            row(
                "2026-11-28T23:00:00.000Z", "2026-11-29T00:00:00.000Z", "all", "all", posts: 30, negative: 3,
                positive: 20, score: 0.5),
            row(
                "2026-11-29T00:00:00.000Z", "2026-11-29T01:00:00.000Z", "all", "all", posts: 4, negative: 4,
                positive: 0, score: -0.9),
        ].joined(separator: "\n")
        let daily = try WindowReport(windowsJSONL: lines, from: nil, to: nil, every: 86_400_000, topics: nil)
        #expect(daily.rows.map(\.topic) == ["all", "Apple, Inc", "all"])
        #expect(daily.rows.map(\.posts) == [40, 2, 4])
        #expect(daily.rows[0].values[9] == "0.1250")  // 5 negative of 40
        #expect(daily.rows[0].values[13] == "0.4500")  // (0.3·10 + 0.5·30) / 40
        #expect(daily.csv.contains(#","Apple, Inc",watch,2,2,0,0,0,1.0000"#))
        let filtered = try WindowReport(
            windowsJSONL: lines, from: 1_795_824_000_000 + 3_600_000, to: nil, every: 3_600_000, topics: ["all"])
        #expect(filtered.rows.map(\.posts) == [30, 4])
        #expect(filtered.markdown.split(separator: "\n").count == 4)
        #expect(throws: WatchError.self) {
            try WindowReport(windowsJSONL: "{}", from: nil, to: nil, every: 1, topics: nil)
        }
    }

    /// A running job's windows.jsonl may end in a row being written: skipped, as `vox serve` does; a broken row
    /// followed by a newline is still an error.
    @Test func aHalfWrittenLastLineIsSkipped() throws {
        let complete = row(
            "2026-11-28T00:00:00.000Z", "2026-11-28T01:00:00.000Z", "all", "all", posts: 10, negative: 2, positive: 5,
            score: 0.3)
        let writing = complete + "\n" + String(complete.prefix(40))
        let report = try WindowReport(windowsJSONL: writing, from: nil, to: nil, every: 86_400_000, topics: nil)
        #expect(report.rows.map(\.posts) == [10])
        #expect(throws: WatchError.self) {
            try WindowReport(windowsJSONL: writing + "\n", from: nil, to: nil, every: 86_400_000, topics: nil)
        }
    }

    @Test func correctedSharesAndIntervalsAreRecomputedFromSummedCountsNotAveraged() throws {
        let lines = [
            row(
                "2026-11-28T00:00:00.000Z", "2026-11-28T01:00:00.000Z", "all", "all", posts: 10, negative: 1,
                positive: 5, score: 0.3),
            row(
                "2026-11-28T01:00:00.000Z", "2026-11-28T02:00:00.000Z", "all", "all", posts: 30, negative: 3,
                positive: 20, score: 0.5),
        ].joined(separator: "\n")
        let domain = DomainEstimate(
            labels: ["negative", "neutral", "positive"], rows: [(0, 1, 1), (0, 0, 1), (1, 1, 1), (2, 2, 1)], folds: 2)
        let report = try WindowReport(
            windowsJSONL: lines, from: nil, to: nil, every: 86_400_000, topics: nil, domain: domain)
        let summed = ShareEstimate(counts: [4, 11, 25], domain: domain)
        #expect(report.rows[0].shares == summed)
        let values = report.rows[0].values
        // Rows without mean probabilities (written before they were kept) use the count shares.
        #expect(Array(values[16...]) == WindowRecord.shareValues(summed, empty: "") + ["0", "40", "", "", ""])
        #expect(values[16] == "0.3500")  // 4/40 + 0.25
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report.jsonLines.utf8)) as? [String: Any])
        #expect(json["negative_share_adjusted"] as? Double == 0.35)
        // Without an estimate: no corrected shares (null in JSON), Wilson intervals on the summed counts.
        let plain = try WindowReport(windowsJSONL: lines, from: nil, to: nil, every: 86_400_000, topics: nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plain.jsonLines.utf8)) as? [String: Any])
        #expect(object["negative_share_adjusted"] is NSNull)
        #expect(abs((object["negative_share_low"] as? Double ?? -1) - 0.0396) < 1e-9)
        #expect(plain.html(title: "t").contains("negative share, 95% interval"))
        #expect(!plain.html(title: "t").contains("negative share, corrected"))
        #expect(report.html(title: "t").contains("negative share, corrected"))
    }

    @Test func theProbabilisticCorrectionIsRecomputedFromSummedMeanProbabilities() throws {
        func withMeans(_ line: String, _ means: [Double]) -> String {
            String(line.dropLast())
                + #","negative_probability_mean":\#(means[0]),"neutral_probability_mean":\#(means[1]),"#
                + #""positive_probability_mean":\#(means[2])}"#
        }
        let lines = [
            withMeans(
                row(
                    "2026-11-28T00:00:00.000Z", "2026-11-28T01:00:00.000Z", "all", "all", posts: 10, negative: 1,
                    positive: 5, score: 0.3), [0.2, 0.4, 0.4]),
            withMeans(
                row(
                    "2026-11-28T01:00:00.000Z", "2026-11-28T02:00:00.000Z", "all", "all", posts: 30, negative: 3,
                    positive: 20, score: 0.5), [0.1, 0.3, 0.6]),
        ].joined(separator: "\n")
        let domain = DomainEstimate(
            labels: ["negative", "neutral", "positive"], rows: [(0, 1, 1), (0, 0, 1), (1, 1, 1), (2, 2, 1)],
            probabilities: [[0.4, 0.5, 0.1], [0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6]], folds: 2)
        // P(k) − [true k], averaged: negative (0.4 − 1 + 0.7 − 1 + 0.2 + 0.1) / 4 = −0.15.
        #expect(abs((domain.probabilityBias?[0] ?? 0) + 0.15) < 1e-12)
        let report = try WindowReport(
            windowsJSONL: lines, from: nil, to: nil, every: 86_400_000, topics: nil, domain: domain)
        // Summed probabilities: negative 10 × 0.2 + 30 × 0.1 = 5 of 40 (0.125), then + 0.15.
        let sums = [5.0, 13.0, 22.0]
        let expected = ShareEstimate(counts: [4, 11, 25], probabilitySums: sums, domain: domain)
        #expect(report.rows[0].shares == expected)
        let bias = try #require(domain.probabilityBias)
        let corrected = [0.125 - bias[0], 0.325 - bias[1], 0.55 - bias[2]]
        let total = corrected.reduce(0, +)
        #expect(abs((expected.adjusted?[0] ?? 0) - corrected[0] / total) < 1e-9)
        #expect(report.rows[0].values.suffix(3) == ["0.1250", "0.3250", "0.5500"])
        #expect(expected != ShareEstimate(counts: [4, 11, 25], domain: domain))
    }

    @Test func htmlReportsAreSelfContainedWithChartsAndRows() throws {
        let lines = [
            row(
                "2026-11-28T00:00:00.000Z", "2026-11-28T01:00:00.000Z", "all", "all", posts: 10, negative: 2,
                positive: 5, score: 0.3),
            row(
                "2026-11-28T01:00:00.000Z", "2026-11-28T02:00:00.000Z", "all", "all", posts: 30, negative: 3,
                positive: 20, score: 0.5),
            row(
                "2026-11-28T01:00:00.000Z", "2026-11-28T02:00:00.000Z", "<Tea & Co>", "watch", posts: 3, negative: 1,
                positive: 1, score: 0.1),
        ].joined(separator: "\n")
        let html = try WindowReport(windowsJSONL: lines, from: nil, to: nil, every: 3_600_000, topics: nil).html(
            title: "Daily")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count == 3)
        #expect(html.contains("&lt;Tea &amp; Co&gt;"))
        #expect(html.contains("<td>0.6667</td>"))  // 20 positive of 30
        #expect(!html.contains("<script") && !html.contains("src="))
    }

    @Test func chartsLabelPeriodsAndBreakLinesWherePeriodsHaveNoPosts() throws {
        let lines = [
            row(
                "2026-11-28T00:00:00.000Z", "2026-11-28T01:00:00.000Z", "all", "all", posts: 10, negative: 2,
                positive: 5, score: 0.3),
            row(
                "2026-11-28T01:00:00.000Z", "2026-11-28T02:00:00.000Z", "all", "all", posts: 0, negative: 0,
                positive: 0, score: 0),
            row(
                "2026-11-28T02:00:00.000Z", "2026-11-28T03:00:00.000Z", "all", "all", posts: 4, negative: 1,
                positive: 1, score: 0),
        ].joined(separator: "\n")
        let html = try WindowReport(windowsJSONL: lines, from: nil, to: nil, every: 3_600_000, topics: nil).html(
            title: "Hourly")
        #expect(html.contains(">11-28 00:00</text>") && html.contains(">11-28 02:00</text>"))
        #expect(html.contains(">10 posts</text>"))
        let paths = html.components(separatedBy: #"<path fill="none""#).dropFirst().map {
            $0.components(separatedBy: #"d=""#)[1].components(separatedBy: "\"")[0]
        }
        #expect(paths.count == 3)
        for path in paths {
            // Two single-period segments: the empty period in between is a gap, not a zero.
            #expect(path.filter { $0 == "M" }.count == 2, "\(path)")
            #expect(!path.contains("L"), "\(path)")
        }
    }
    @Test func emergingTermsJoinMarkdownAndHTMLReportsPeriodByPeriod() throws {
        func millis(_ text: String) -> Int64 { Array(text.utf8).withUnsafeBufferPointer(Timestamp.parseISO8601) ?? -1 }
        func term(
            _ start: String, _ end: String, _ topic: String, _ term: String, _ count: Int, _ score: Double
        )
            -> String
        {
            EmergingTerm(
                windowStart: millis(start), windowEnd: millis(end), topic: topic, term: term, count: count, rate: 0.1,
                baselineRate: 0.01, score: score
            ).json
        }
        let lines =
            [
                term("2026-11-28T05:00:00.000Z", "2026-11-28T06:00:00.000Z", "all", "outage", 8, 40),
                term("2026-11-28T05:00:00.000Z", "2026-11-28T06:00:00.000Z", "all", "#bankdown", 6, 30),
                term("2026-11-28T06:00:00.000Z", "2026-11-28T07:00:00.000Z", "all", "outage", 12, 55),
                term("2026-11-28T06:00:00.000Z", "2026-11-28T07:00:00.000Z", "Acme | Co", "refund", 5, 12),
                term("2026-11-29T01:00:00.000Z", "2026-11-29T02:00:00.000Z", "all", "snow", 9, 20),
            ].joined(separator: "\n") + "\n"
        let daily = try TermReport(termsJSONL: lines, from: nil, to: nil, every: 86_400_000, topics: nil)
        // Per day and topic: posts summed over the windows a term emerged in, its best score, best first.
        #expect(
            daily.rows.map { "\($0.topic):\($0.term):\($0.count):\($0.score):\($0.windows)" } == [
                "all:outage:20:55.0:2", "all:#bankdown:6:30.0:1", "Acme | Co:refund:5:12.0:1", "all:snow:9:20.0:1",
            ])
        #expect(
            try TermReport(termsJSONL: lines, from: nil, to: nil, every: 86_400_000, topics: nil, top: 1).rows.count
                == 3)
        #expect(
            try TermReport(termsJSONL: lines, from: nil, to: nil, every: 86_400_000, topics: ["Acme | Co"]).rows.map(
                \.term)
                == ["refund"])
        #expect(daily.markdown.contains("| 2026-11-28T00:00:00.000Z | Acme \\| Co | refund | 5 | 12.0 | 1 |"))
        let windows = row(
            "2026-11-28T05:00:00.000Z", "2026-11-28T06:00:00.000Z", "all", "all", posts: 10, negative: 2, positive: 5,
            score: 0.3)
        let report = try WindowReport(windowsJSONL: windows, from: nil, to: nil, every: 86_400_000, topics: nil)
        let html = report.html(title: "t", terms: daily)
        #expect(html.contains("<h3>Emerging terms</h3>"))
        #expect(html.contains("<b>outage</b> (20, 55)"))
        #expect(!report.html(title: "t").contains("Emerging terms"))
        // A malformed row is an error naming its line; a half-written last line is skipped.
        #expect(throws: WatchError.self) {
            try TermReport(termsJSONL: lines + "{\"term\":1}\n", from: nil, to: nil, every: 3_600_000, topics: nil)
        }
        #expect(
            try TermReport(termsJSONL: lines + "{\"wind", from: nil, to: nil, every: 3_600_000, topics: nil).rows.count
                == 5)
    }
}
