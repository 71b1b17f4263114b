import Foundation

/// Samples this process's resident memory (`VmRSS` of `/proc/self/status`) while a benchmark runs.
actor MemorySampler {
    /// One reading: seconds since sampling began, resident KiB.
    struct Sample: Sendable {
        var seconds: Double
        var kib: Int
    }

    private(set) var samples: [Sample] = []

    /// Records a sample every `interval` until the task is cancelled.
    func run(every interval: Duration) async {
        let started = DispatchTime.now()
        while !Task.isCancelled {
            if let kib = MemorySampler.status("VmRSS") { samples.append(Sample(seconds: started.elapsed, kib: kib)) }
            try? await Task.sleep(for: interval)
        }
    }

    /// The process's peak resident memory so far (`VmHWM`), in KiB.
    static func peakKiB() -> Int? { status("VmHWM") }

    /// A `kB` field of `/proc/self/status`.
    static func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let digits = line.dropFirst(field.count + 1).filter(\.isNumber)
            return Int(digits)
        }
        return nil
    }

    /// The largest reading within each tenth of the run's time, in MiB: `10% 41 · 20% 43 · …` (flat after warm-up
    /// means bounded state).
    static func profile(_ samples: [Sample]) -> String {
        guard let end = samples.last?.seconds, end > 0 else { return "no samples" }
        return (1...10).map { tenth in
            let range = (end * Double(tenth - 1) / 10)...(end * Double(tenth) / 10)
            let kib = samples.filter { range.contains($0.seconds) }.map(\.kib).max()
            return "\(tenth * 10)% " + (kib.map { String($0 / 1024) } ?? "–")
        }.joined(separator: " · ")
    }
}
