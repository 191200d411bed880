import SQLiteCore

/// Checks and links ids that a body refers to. An id that is unknown or another user's gets
/// the same answer (docs/api.md), so nothing leaks.
enum OwnedIDs {
    /// The ids in `ids` that are not rows of `table` owned by `userID`.
    static func missing(_ ids: [Int64], in table: String, userID: Int64, _ connection: SQLiteConnection) throws -> [Int64] {
        var missing: [Int64] = []
        for id in Set(ids).sorted() where try connection.scalarInt("SELECT 1 FROM \(table) WHERE id = ? AND user_id = ?", [id, userID]) == nil {
            missing.append(id)
        }
        return missing
    }

    /// An id list from a draft: duplicates dropped, sorted, at most 100.
    static func normalized(_ ids: [Int64]?, field: String, _ validator: inout Validator) -> [Int64] {
        // Counted as sent, duplicates included: the spec's maxItems counts them too.
        if (ids?.count ?? 0) > 100 { validator.add(field, "must hold at most 100 ids") }
        return Array(Set(ids ?? [])).sorted()
    }

    /// The issue for ids of `table` that are not the user's, or nil when all are.
    static func issue(_ ids: [Int64], in table: String, noun: String, field: String, userID: Int64, _ connection: SQLiteConnection) throws -> FieldIssue? {
        let missing = try missing(ids, in: table, userID: userID, connection)
        guard !missing.isEmpty else { return nil }
        return FieldIssue(field, "no such \(noun): \(missing.map(String.init).joined(separator: ", "))")
    }

    /// Parses `group_concat` of integer ids.
    static func parseList(_ text: String?) -> [Int64] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: ",").compactMap { Int64($0) }.sorted()
    }
}

/// SQL text helpers shared by the stores.
enum SQLText {
    /// A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (use ESCAPE '\').
    static func contains(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }
}
