import Foundation
import Testing

/// The API layer sees Domain's types only: SQLite is Domain's business (README, Layout).
@Suite struct LayeringTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/API")

    @Test func noAPIFileImportsSQLiteCore() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
        var checked = 0
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("import ") || line.contains("import SQLiteCore") {
                #expect(!line.contains("SQLiteCore") && !line.contains("CSQLite"), "\(url.lastPathComponent): \(line)")
            }
            checked += 1
        }
        #expect(checked > 30)
    }
}
