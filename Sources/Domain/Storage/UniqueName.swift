import SQLiteCore

/// Names that must be unique per user, ignoring case (organizations, interests).
enum UniqueName {
    /// Throws `name_taken` naming the existing row when another row of `table` has `name`.
    static func check(_ connection: SQLiteConnection, table: String, noun: String, userID: Int64, name: String, except: Int64?) throws {
        if let existing = try connection.scalarInt(
            "SELECT id FROM \(table) WHERE user_id = ? AND name = ? COLLATE NOCASE AND id IS NOT ?", [userID, name, except])
        {
            throw DomainError.conflict(code: "name_taken", detail: "\(noun) named '\(name)' already exists (id \(existing)).", existingID: existing)
        }
    }
}
