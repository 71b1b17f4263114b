import Foundation

/// Runs programs, and other blocking work, on threads of their own for async tests.
///
/// Swift Testing runs tests concurrently on Swift's cooperative pool, which has one thread a core; a test that
/// blocks one (waiting for a process, sleeping in a poll loop) starves every other test on it, and with it the
/// request handlers of servers that tests run in-process. Waiting through these helpers leaves the pool free.
public enum ProcessRunner {
    /// How a program ended and what it printed.
    public struct Outcome: Sendable {
        /// The exit status (or the signal number, when killed).
        public var status: Int32
        /// Standard output, as UTF-8.
        public var stdout: String
        /// Standard error, as UTF-8.
        public var stderr: String
    }

    /// Runs `body` on a new thread and returns its result.
    public static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Runs `executable` to its end, feeding it `input`, with `environment` added to this process's environment;
    /// kills it after `timeout` seconds.
    /// - Throws: Whatever `Process.run()` throws when the program cannot be started.
    public static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:],
        timeout: Double = 600
    ) async throws -> Outcome {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let output = Pipe()
            let errors = Pipe()
            let standardInput = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = input == nil ? FileHandle.nullDevice : standardInput
            try process.run()
            let killer = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
            defer { killer.cancel() }
            if let input {
                // Written from another thread, so a program that prints before it reads everything cannot stall us.
                Thread {
                    standardInput.fileHandleForWriting.write(input)
                    try? standardInput.fileHandleForWriting.close()
                }.start()
            }
            // Standard error is drained beside standard output, so neither pipe can fill and block the program.
            let collected = Collected()
            let reader = Thread {
                collected.set(errors.fileHandleForReading.readDataToEndOfFile())
            }
            reader.start()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let err = collected.wait()
            return Outcome(
                status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                stderr: String(decoding: err, as: UTF8.self))
        }
    }

    /// Data handed from a reader thread, once.
    private final class Collected: @unchecked Sendable {
        // @unchecked: `data` is written once under `condition` and read after it is signalled.
        private let condition = NSCondition()
        private var data: Data?

        func set(_ value: Data) {
            condition.lock()
            data = value
            condition.signal()
            condition.unlock()
        }

        func wait() -> Data {
            condition.lock()
            defer { condition.unlock() }
            while data == nil { condition.wait() }
            return data ?? Data()
        }
    }
}
