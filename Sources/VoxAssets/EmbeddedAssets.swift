import CVoxAssets
import Foundation
import Synchronization

/// The data files compiled into the `vox` executable (the bundled models' heads, the sample feed and watch file),
/// so a copied or installed binary needs no resource folder and never looks into the build folder.
///
/// Code that reads files by path gets a folder with them: each asset folder is written once, atomically, to
/// `$VOX_CACHE_DIR`, `$XDG_CACHE_HOME/vox` or `~/.cache/vox` under `bundled/<folder>-<digest>/` (the digest of its
/// files, so a newer binary never reads an older copy), or to a private folder under the temporary directory when
/// the cache cannot be written; later runs find it there.
public enum EmbeddedAssets {
    /// The files of asset folder `folder` (`default`, `multilingual`, `samples`), by name.
    public static func files(in folder: String) -> [(name: String, bytes: UnsafeBufferPointer<UInt8>)] {
        var count = 0
        guard let table = vox_assets(&count) else { return [] }
        var found: [(String, UnsafeBufferPointer<UInt8>)] = []
        for index in 0..<count {
            let asset = table[index]
            guard let pathPointer = asset.path, let bytes = asset.bytes else { continue }
            let path = String(cString: pathPointer)
            let prefix = folder + "/"
            guard path.hasPrefix(prefix) else { continue }
            found.append((String(path.dropFirst(prefix.count)), UnsafeBufferPointer(start: bytes, count: asset.count)))
        }
        return found
    }

    /// The folders found or written so far in this process (each is hashed and checked once).
    private static let written = Mutex<[String: String]>([:])

    /// A folder on disk holding the files of asset folder `folder`, written on first use; nil when the binary holds
    /// no such folder or no folder can be written.
    public static func directory(_ folder: String) -> String? {
        if let known = written.withLock({ $0[folder] }) { return known }
        let found = locate(folder)
        if let found { written.withLock { $0[folder] = found } }
        return found
    }

    private static func locate(_ folder: String) -> String? {
        let files = files(in: folder)
        guard !files.isEmpty else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for file in files {
            for byte in file.name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            for byte in file.bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        let name = "\(folder)-\(String(hash, radix: 16))"
        for root in roots() {
            let target = root + "/" + name
            if isComplete(target, files) { return target }
            if let written = write(files, to: target), isComplete(written, files) { return written }
        }
        return nil
    }

    /// Where asset folders go: the model cache's `bundled/`, then a folder of this user's under the temporary
    /// directory.
    private static func roots() -> [String] {
        let environment = ProcessInfo.processInfo.environment
        let cache: String
        if let custom = environment["VOX_CACHE_DIR"], !custom.isEmpty {
            cache = custom
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = xdg + "/vox"
        } else {
            cache = NSHomeDirectory() + "/.cache/vox"
        }
        return [cache + "/bundled", NSTemporaryDirectory() + "vox-\(getuid())/bundled"]
    }

    /// Whether `folder` holds every file with its size (the digest in the name stands for the contents).
    private static func isComplete(
        _ folder: String, _ files: [(name: String, bytes: UnsafeBufferPointer<UInt8>)]
    )
        -> Bool
    {
        files.allSatisfy { file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + file.name)
            return (attributes?[.size] as? NSNumber)?.intValue == file.bytes.count
        }
    }

    /// Writes the files into a fresh folder beside `target` and renames it into place (another process may win the
    /// race; either copy is the same). Returns `target`, or nil when nothing could be written.
    private static func write(
        _ files: [(name: String, bytes: UnsafeBufferPointer<UInt8>)], to target: String
    )
        -> String?
    {
        let manager = FileManager.default
        let parent = (target as NSString).deletingLastPathComponent
        let staging = target + ".partial-\(getpid())"
        do {
            try manager.createDirectory(
                atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try? manager.removeItem(atPath: staging)
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
            for file in files {
                try Data(buffer: file.bytes).write(to: URL(fileURLWithPath: staging + "/" + file.name))
            }
            if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
            try manager.moveItem(atPath: staging, toPath: target)
            return target
        } catch {
            try? manager.removeItem(atPath: staging)
            return manager.fileExists(atPath: target) ? target : nil
        }
    }
}
