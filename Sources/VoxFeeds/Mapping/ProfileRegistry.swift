import Foundation
import VoxConnectors

/// The connector profiles a run can use: the bundled ones, then any from a user's `--connectors DIR`
/// (a user profile with a bundled name replaces it). Also detects a feed's format for `--profile auto`.
public struct ProfileRegistry: Sendable {
    /// The profiles in detection order.
    public private(set) var profiles: [ConnectorProfile]

    /// The bundled profiles.
    /// - Throws: `FeedError` if a bundled profile is malformed (a build defect, caught by tests).
    public static func bundled() throws(FeedError) -> ProfileRegistry {
        var profiles: [ConnectorProfile] = []
        for (name, json) in BundledProfiles.documents {
            profiles.append(try ConnectorProfile.decode(json, origin: "\(name).json (bundled)"))
        }
        return ProfileRegistry(profiles: profiles)
    }

    /// Creates a registry of `profiles`.
    public init(profiles: [ConnectorProfile]) {
        self.profiles = profiles
    }

    /// Adds every `*.json` profile in `directory`; user profiles are tried before bundled ones in detection.
    /// - Throws: `FeedError` when the folder cannot be read or a profile is malformed.
    public mutating func addProfiles(in directory: String) throws(FeedError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
                .sorted()
        } catch {
            throw FeedError(.io, "cannot read the connectors folder \(directory): \(error.localizedDescription)")
        }
        var added: [ConnectorProfile] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FeedError(.io, "cannot read connector profile \(path)")
            }
            added.append(try ConnectorProfile.decode(Array(data), origin: path))
        }
        let addedNames = Set(added.map(\.name))
        profiles = added + profiles.filter { !addedNames.contains($0.name) }
    }

    /// The profile called `name`.
    /// - Throws: `FeedError` (kind `.profile`) listing the known names when there is none.
    public func profile(named name: String) throws(FeedError) -> ConnectorProfile {
        guard let profile = profiles.first(where: { $0.name == name }) else {
            let known = profiles.map(\.name).joined(separator: ", ")
            throw FeedError(.profile, "unknown connector profile '\(name)' (known: auto, \(known))")
        }
        return profile
    }

    /// The first profile whose detection paths are all present in `line`, or nil.
    public func detect(_ line: UnsafeBufferPointer<UInt8>) -> ConnectorProfile? {
        var plan = JSONFieldPlan()
        let slots = profiles.map { $0.detect.map { plan.slot(for: $0) } }
        var scanner = JSONScanner(plan: plan)
        guard UTF8Validator.isValid(line), (try? scanner.scan(line)) != nil else { return nil }
        for (index, profile) in profiles.enumerated() where !slots[index].isEmpty {
            if slots[index].allSatisfy({ scanner.values[$0] != nil }) { return profile }
        }
        return nil
    }
}
