import SQLiteCore

/// The one rule of deletes: a record that the history of the search refers to (a contact's
/// meetings, an organization's contacts and leads, the resume or pitch a meeting or message
/// used) cannot be deleted; 409 `has_dependants` says what refers to it. Links that are not
/// history (tags, areas, a pitch's renders) go with it.
enum Dependants {
    static func refuse(_ connection: SQLiteConnection, _ noun: String, _ checks: [(what: String, sql: String)], id: Int64) throws {
        var found: [String] = []
        for check in checks {
            let count = try connection.scalarInt(check.sql, [id]) ?? 0
            if count > 0 { found.append("\(count) \(check.what)") }
        }
        guard !found.isEmpty else { return }
        throw DomainError.conflict(
            code: "has_dependants",
            detail: "This \(noun) is part of the record: \(found.joined(separator: " and ")). Delete or change those first; the past keeps what it used.",
            existingID: nil)
    }
}
