import ArgumentParser
import Foundation
import VoxServe

/// `vox serve`: the dashboard, JSON APIs, live events and metrics over a run's output folder.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the dashboard over the outputs of a finished or running job.",
        discussion: """
            Paths: / (dashboard), /api/windows, /api/alerts, /api/examples (each with from, to, topic, windows and limit \
            query parameters), /api/run, /events (Server-Sent Events: each newly closed window and alert), /metrics \
            (Prometheus; the counters of the folder's run.json), /healthz. The folder is read again twice a second, \
            so a job writing it is followed as it runs. Ctrl-C stops the server.
            Example: vox serve --in vox-out --port 8080
            """
    )

    @Option(name: .customLong("in"), help: ArgumentHelp("The job's output folder (its --out).", valueName: "dir"))
    var directory = "vox-out"

    @Option(help: ArgumentHelp("The address to listen on (0.0.0.0 for every interface).", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one and prints it.")
    var port = 8080

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw ValidationError("--in \(directory) is not a folder; pass the --out folder of a replay or tail") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        var configuration = DashboardServer.Configuration()
        configuration.host = host
        configuration.port = port
        let server = DashboardServer(directory: directory, metrics: .runFile, configuration: configuration)
        let host = host
        let directory = directory
        do {
            try await SignalTrap.cancellingOnSignals {
                try await server.run(
                    onStart: { port in
                        FileHandle.standardOutput.write(
                            Data("vox: serving \(directory) at http://\(host):\(port)/\n".utf8))
                    },
                    notice: { message in FileHandle.standardError.write(Data("vox: \(message)\n".utf8)) })
            }
        } catch is CancellationError {
            FileHandle.standardError.write(Data("vox: server stopped\n".utf8))
        } catch let error as ServeError {
            FileHandle.standardError.write(Data("vox: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
