import Foundation
import SQLiteCore

/// Data-layer benchmark (bench/README.md): single-row insert in its own transaction, point
/// read, and 50-row range read, through `Database` as services use it.
@main
struct SQLiteBench {
    static func measure(_ name: String, iterations: Int, _ body: (Int) throws -> Void) rethrows {
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<iterations { try body(index) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let perOp = elapsed / Double(iterations) * 1e6
        let label = name.padding(toLength: 28, withPad: " ", startingAt: 0)
        print(label + String(format: "%9.0f ops/s %9.2f µs/op", Double(iterations) / elapsed, perOp))
    }

    static func main() throws {
        let arguments = CommandLine.arguments
        let synchronous: SQLiteConnection.Synchronous = arguments.contains("--full") ? .full : .normal
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("foothold-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try Database(.init(path: directory.appendingPathComponent("bench.sqlite").path, synchronous: synchronous))
        try database.withWriter { try $0.execute("""
            CREATE TABLE contacts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, name TEXT NOT NULL,
                email TEXT, notes TEXT, created_at TEXT NOT NULL);
            CREATE INDEX contacts_user ON contacts(user_id, id);
            """) }
        let notes = String(repeating: "n", count: 200)
        print("synchronous=\(synchronous.rawValue)")
        let inserts = synchronous == .full ? 2_000 : 10_000
        try measure("insert (own transaction)", iterations: inserts) { index in
            try database.write { connection in
                _ = try connection.run(
                    "INSERT INTO contacts (user_id, name, email, notes, created_at) VALUES (?, ?, ?, ?, ?)",
                    [1, "Person \(index)", "person\(index)@example.com", notes, Date()])
            }
        }
        try measure("point read", iterations: 50_000) { index in
            _ = try database.read { connection in
                try connection.queryOne("SELECT id, name, email, notes, created_at FROM contacts WHERE user_id = ? AND id = ?", [1, index % inserts + 1]) {
                    ($0.int64(0), $0.string(1), $0.string(2), $0.string(3), $0.string(4))
                }
            }
        }
        try measure("range read (50 rows)", iterations: 10_000) { index in
            _ = try database.read { connection in
                try connection.query(
                    "SELECT id, name, email, notes, created_at FROM contacts WHERE user_id = ? AND id > ? ORDER BY id LIMIT 50",
                    [1, (index * 37) % max(1, inserts - 50)]
                ) { ($0.int64(0), $0.string(1), $0.string(2), $0.string(3), $0.string(4)) }
            }
        }
    }
}
