import Foundation

/// A fixed set of threads that run one parallel step at a time: `run` gives part 0 to the calling
/// thread and parts 1… to helper threads, and returns when every part is done.
///
/// The helpers are dedicated threads (never Swift's cooperative pool), created once, parked between
/// steps, and stopped when the gang is released.
public final class WorkerGang: Sendable {
    /// State shared with the helper threads.
    private final class Shared: @unchecked Sendable {
        // @unchecked: `job`, `generation`, `pending` and `stopping` are only touched while `condition` is locked;
        // `job` is only called between the start of a step and the end of `run`, which waits for every helper.
        let condition = NSCondition()
        var job: ((Int) -> Void)? = nil
        var generation = 0
        var pending = 0
        var stopping = false
        let runLock = NSLock()
    }

    private let shared = Shared()

    /// Number of parts each step is split into.
    public let count: Int

    /// Starts `count - 1` helper threads.
    public init(count: Int) {
        self.count = max(1, count)
        for index in 1..<self.count {
            let shared = shared
            let thread = Thread { WorkerGang.helperLoop(index, shared) }
            thread.name = "vox-inference-\(index)"
            thread.start()
        }
    }

    deinit {
        shared.condition.lock()
        shared.stopping = true
        shared.condition.broadcast()
        shared.condition.unlock()
    }

    /// Runs `body(part)` for every part in `0..<count`, in parallel, and waits for all of them.
    public func run(_ body: (Int) -> Void) {
        guard count > 1 else {
            body(0)
            return
        }
        let shared = shared
        shared.runLock.lock()
        defer { shared.runLock.unlock() }
        withoutActuallyEscaping(body) { escapable in
            shared.condition.lock()
            shared.job = escapable
            shared.pending = count - 1
            shared.generation += 1
            shared.condition.broadcast()
            shared.condition.unlock()
            escapable(0)
            shared.condition.lock()
            while shared.pending > 0 { shared.condition.wait() }
            shared.job = nil
            shared.condition.unlock()
        }
    }

    /// The part of `0..<total` that part `part` handles (contiguous, sizes differing by at most one).
    public func share(of total: Int, part: Int) -> Range<Int> {
        (total * part / count)..<(total * (part + 1) / count)
    }

    private static func helperLoop(_ index: Int, _ shared: Shared) {
        var seen = 0
        while true {
            shared.condition.lock()
            while shared.generation == seen && !shared.stopping { shared.condition.wait() }
            if shared.stopping {
                shared.condition.unlock()
                return
            }
            seen = shared.generation
            var work = shared.job
            shared.condition.unlock()
            work?(index)
            work = nil  // release the step's closure before reporting done: `run` checks it was not kept
            shared.condition.lock()
            shared.pending -= 1
            if shared.pending == 0 { shared.condition.broadcast() }
            shared.condition.unlock()
        }
    }
}
