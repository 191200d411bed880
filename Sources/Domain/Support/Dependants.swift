import SQLiteCore

/// The one rule of deletes: a record that the history of the search refers to (a contact's
/// meetings, an organization's contacts and leads, the resume or pitch a meeting or message
/// used) cannot be deleted; 409 `has_dependants` says what refers to it. Links that are not
/// history (tags, areas, a pitch's renders) go with it.
enum Dependants {
    /// `checks`: what the dependants are, in words, and the table and column that point to the row.
    static func refuse(_ connection: SQLiteConnection, _ noun: String, _ checks: [(what: String, table: String, column: String)], id: Int64) throws {
        var found: [String] = []
        for check in checks {
            let count = try connection.scalarInt("SELECT count(*) FROM \(check.table) WHERE \(check.column) = ?", [id]) ?? 0
            if count > 0 { found.append("\(count) \(check.what)") }
        }
        guard !found.isEmpty else { return }
        throw DomainError.conflict(
            code: "has_dependants",
            detail: "This \(noun) is part of the record: \(found.joined(separator: " and ")). Delete or change those first; the past keeps what it used.",
            existingID: nil)
    }
}
