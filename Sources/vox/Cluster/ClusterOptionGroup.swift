import ArgumentParser
import VoxCluster

/// Where a scaled-out job lives: the NATS servers and the job's stream name (`publish`, `worker`, `aggregate`).
struct ClusterOptionGroup: ParsableArguments {
    @Option(help: ArgumentHelp("NATS server URL(s), comma-separated.", valueName: "url"))
    var nats = "nats://127.0.0.1:4222"

    @Option(help: ArgumentHelp("The job's stream name (letters, digits, - and _).", valueName: "name"))
    var stream: String

    @Option(help: "Copies a NATS cluster keeps of each stream, when this command creates them (1 on one server).")
    var replicas = 1

    func validate() throws {
        do {
            _ = try ClusterStreams(stream)
        } catch {
            throw ValidationError(error.message)
        }
        guard (1...5).contains(replicas) else { throw ValidationError("--replicas must be 1 to 5") }
    }

    /// The stream names these options describe.
    func streams() throws -> ClusterStreams {
        do {
            return try ClusterStreams(stream)
        } catch {
            throw ValidationError(error.message)
        }
    }
}
