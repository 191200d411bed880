#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// Rows that change because a row they point to changed or goes (they lose the link): a new
/// version and `updated_at`, so sync clients (`updated_since`) read them again.
enum Moved {
    /// The rows of `table` whose `column` holds `id`.
    static func rows(_ connection: SQLiteConnection, in table: String, where column: String, is id: Int64, at stamp: Date) throws {
        try connection.run("UPDATE \(table) SET updated_at = ?, version = version + 1 WHERE \(column) = ?", [stamp, id])
    }

    /// The rows of `table` linked through `link` (its `owner` column naming them) to `id` in its `column`.
    static func rows(
        _ connection: SQLiteConnection, in table: String, linkedThrough link: String, owner: String, where column: String, is id: Int64, at stamp: Date
    ) throws {
        try connection.run(
            "UPDATE \(table) SET updated_at = ?, version = version + 1 WHERE id IN (SELECT \(owner) FROM \(link) WHERE \(column) = ?)", [stamp, id])
    }
}
