import Foundation
import Testing
import VoxTestSupport

/// `vox` as teams install it: the binary copied alone into an empty folder still classifies, replays the sample and
/// serves the dashboard (its data is compiled in; it never reads the build folder), and `scripts/install.sh`
/// installs a statically linked binary with completions and a manual page, idempotently, and removes exactly that.
@Suite struct InstallTests {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    private static func temporaryFolder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "vox-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A fresh cache folder that shares the pulled encoders (`models/`) and nothing else, so the bundled heads and
    /// the sample must be written out from the binary itself.
    private static func freshCache() throws -> String {
        let cache = try temporaryFolder("cache")
        let environment = ProcessInfo.processInfo.environment
        let current =
            environment["VOX_CACHE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 + "/vox" }
            ?? NSHomeDirectory() + "/.cache/vox"
        try FileManager.default.createSymbolicLink(atPath: cache + "/models", withDestinationPath: current + "/models")
        return cache
    }

    @Test func theBinaryAloneInAnEmptyFolderClassifiesReplaysAndServes() async throws {
        let folder = try Self.temporaryFolder("alone")
        let cache = try Self.freshCache()
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: cache)
        }
        let binary = folder + "/vox"
        try FileManager.default.copyItem(atPath: VoxBinaryTests.binary, toPath: binary)
        // Nothing in the binary names the build folder's resource bundles.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: binary))
        for bundle in ["Vox_VoxDefaultModel.resources", "Vox_VoxSamples.resources"] {
            #expect(bytes.range(of: Data(bundle.utf8)) == nil, "\(bundle)")
        }
        let environment = ["VOX_CACHE_DIR": cache]
        let classified = try await ProcessRunner.run(
            binary, ["classify"], input: Data(#"{"text":"I love this phone"}"#.utf8), environment: environment)
        #expect(classified.status == 0, "\(classified.stderr)")
        #expect(classified.stdout.contains(#""sentiment":"positive""#))
        let written = try FileManager.default.contentsOfDirectory(atPath: cache + "/bundled")
        #expect(written.contains { $0.hasPrefix("default-") }, "\(written)")

        let replayed = try await ProcessRunner.run(
            binary, ["replay", "--sample", "--out", folder + "/out"], environment: environment)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stderr.contains("2000 posts"))

        let server = try DashboardTests.Launched(
            ["serve", "--in", folder + "/out", "--port", "0"], executable: binary, environment: environment)
        let port = try await server.port()
        let page = try await ProcessRunner.offPool { try LoopbackHTTPClient.get(port: port, "/") }
        #expect(page.status == 200)
        #expect(page.text.contains("<title>Vox dashboard</title>"))
        let windows = try await ProcessRunner.offPool { try LoopbackHTTPClient.get(port: port, "/api/windows?limit=1") }
        #expect(windows.text.contains(#""topic""#))
        #expect(try await server.interrupt() == 0)
    }

    @Test func installPutsAStaticBinaryCompletionsAndAManualInPlaceAndUninstallRemovesThem() async throws {
        let prefix = try Self.temporaryFolder("prefix")
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        // Something of the user's in the prefix stays where it is.
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try "keep".write(toFile: prefix + "/bin/other-tool", atomically: true, encoding: .utf8)
        let script = Self.root + "/scripts/install.sh"
        for _ in 0..<2 {  // idempotent: the second run replaces the same files
            let installed = try await ProcessRunner.run("/bin/bash", [script, "--no-build", prefix])
            #expect(installed.status == 0, "\(installed.stderr)")
        }
        let expected = [
            "bin/vox", "share/man/man1/vox.1", "share/bash-completion/completions/vox", "share/zsh/site-functions/_vox",
            "share/fish/vendor_completions.d/vox.fish",
        ]
        let manifest = try String(contentsOfFile: prefix + "/share/vox/install-manifest", encoding: .utf8)
        #expect(manifest == expected.joined(separator: "\n") + "\n")
        let vox = prefix + "/bin/vox"
        // The Swift runtime is linked in: the binary names only Debian's libraries.
        let libraries = try await ProcessRunner.run("/usr/bin/ldd", [vox])
        #expect(libraries.status == 0)
        #expect(libraries.stdout.contains("libcurl"))
        for toolchain in ["libswiftCore", "libFoundation", "swift/linux"] {
            #expect(!libraries.stdout.contains(toolchain), "\(toolchain) in \(libraries.stdout)")
        }
        let version = try await ProcessRunner.run(vox, ["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty)
        let manual = try String(contentsOfFile: prefix + "/share/man/man1/vox.1", encoding: .utf8)
        #expect(manual.contains(".Sh NAME") && manual.contains("replay"))
        let bash = try String(contentsOfFile: prefix + "/share/bash-completion/completions/vox", encoding: .utf8)
        #expect(bash.contains("replay") && bash.contains("--watch"))
        #expect(
            try String(contentsOfFile: prefix + "/share/zsh/site-functions/_vox", encoding: .utf8).hasPrefix(
                "#compdef vox"))
        #expect(
            try String(contentsOfFile: prefix + "/share/fish/vendor_completions.d/vox.fish", encoding: .utf8).contains(
                "complete -c 'vox'"))

        let removed = try await ProcessRunner.run("/bin/bash", [script, "--uninstall", prefix])
        #expect(removed.status == 0, "\(removed.stderr)")
        let left = FileManager.default.enumerator(atPath: prefix)?.allObjects as? [String] ?? []
        #expect(left.sorted() == ["bin", "bin/other-tool"])
        let again = try await ProcessRunner.run("/bin/bash", [script, "--uninstall", prefix])
        #expect(again.status != 0)
        #expect(again.stderr.contains("nothing to remove"))
    }
}
