import Foundation

/// A fresh directory under the system temporary directory, removed on deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    // Immutable after init.
    public let url: URL

    public init() {
        // Every test that opens a database checks the plans of the statements it prepares.
        QueryPlanAudit.install()
        url = FileManager.default.temporaryDirectory.appendingPathComponent("foothold-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
