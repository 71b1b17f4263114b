import Foundation

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands on the
/// browser's fd 3, replies on fd 4, each message JSON ending in a NUL byte), for tests that need a real browser
/// running in real time: pages that keep a Server-Sent Events connection open, which `--virtual-time-budget`
/// waits on forever.
public final class HeadlessChromium: @unchecked Sendable {
    // @unchecked: a test drives it from one thread at a time; it owns its pipes and process.
    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private var pending: [UInt8] = []
    private var nextID = 0
    private var session: String?

    /// Debian's Chromium (`$VOX_CHROMIUM` overrides), which `scripts/setup.sh --test` installs.
    /// - Throws: `TestServerError` saying how to install it when it is missing.
    public static func executable() throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["VOX_CHROMIUM"], "/usr/bin/chromium"]
        guard
            let found = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw TestServerError(
                "headless Chromium is needed: apt-get install chromium (scripts/setup.sh --test does)")
        }
        return found
    }

    /// Starts the browser with an empty profile in `profile`.
    /// - Throws: `TestServerError` when the browser cannot be started.
    public init(executable: String, profile: String) throws {
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw TestServerError("pipe() failed: \(errno)") }
        // Keep the four ends clear of fds 3 and 4, which the child's dup2 calls overwrite.
        func high(_ fd: Int32) -> Int32 {
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
            close(fd)
            return moved
        }
        let childReads = high(toBrowser[0])
        let parentWrites = high(toBrowser[1])
        let parentReads = high(fromBrowser[0])
        let childWrites = high(fromBrowser[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childReads, 3)
        posix_spawn_file_actions_adddup2(&actions, childWrites, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--remote-debugging-pipe",
            "--user-data-dir=\(profile)", "about:blank",
        ]
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, envp)
        close(childReads)
        close(childWrites)
        guard status == 0 else {
            close(parentWrites)
            close(parentReads)
            throw TestServerError("cannot start \(executable): error \(status)")
        }
        pid = child
        commands = parentWrites
        replies = parentReads
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(commands)
        close(replies)
    }

    /// Opens `url` in a new tab; later calls evaluate in that tab.
    /// - Throws: `TestServerError` when the browser does not answer.
    public func open(_ url: String) throws {
        let target = try call("Target.createTarget", ["url": url])
        guard let id = target["targetId"] as? String else { throw TestServerError("no target id: \(target)") }
        let attached = try call("Target.attachToTarget", ["targetId": id, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw TestServerError("no session: \(attached)") }
        self.session = session
    }

    /// Evaluates a JavaScript expression in the open tab and returns its value (JSON types; nil for undefined).
    /// - Throws: `TestServerError` when the browser does not answer or the script throws.
    public func evaluate(_ expression: String) throws -> Any? {
        let reply = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true], in: session)
        if let exception = reply["exceptionDetails"] { throw TestServerError("script failed: \(exception)") }
        return (reply["result"] as? [String: Any])?["value"]
    }

    /// Evaluates `expression` every 100 ms until it is `true`; returns whether it became so within `timeout` seconds.
    public func wait(until expression: String, timeout: Double) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        repeat {
            if try evaluate(expression) as? Bool == true { return true }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        return false
    }

    /// Sends a command and waits (up to 30 s) for its reply's `result`.
    private func call(_ method: String, _ parameters: [String: Any], in session: String? = nil) throws -> [String: Any]
    {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        let bytes = Array(try JSONSerialization.data(withJSONObject: message)) + [0]
        guard bytes.withUnsafeBytes({ write(commands, $0.baseAddress, $0.count) }) == bytes.count else {
            throw TestServerError("cannot write to the browser: errno \(errno)")
        }
        let deadline = Date(timeIntervalSinceNow: 30)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while Date() < deadline {
            while let end = pending.firstIndex(of: 0) {
                let text = Data(pending[..<end])
                pending.removeSubrange(...end)
                guard let reply = try JSONSerialization.jsonObject(with: text) as? [String: Any],
                    reply["id"] as? Int == nextID
                else { continue }  // events, and replies to nothing we wait for
                if let error = reply["error"] { throw TestServerError("\(method) failed: \(error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            var ready = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 200) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(replies, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestServerError("the browser closed its pipe") }
            pending += buffer[..<count]
        }
        throw TestServerError("the browser did not answer \(method) within 30 s")
    }
}
