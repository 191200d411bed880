import Primitives
import SQLiteCore

/// The folded names (`NameKey.fold`) stored beside contacts' and organizations' names, filled
/// where SQL alone cannot: by migration 0017 and after a restore.
enum NameKeys {
    static func fill(_ connection: SQLiteConnection, userID: Int64?) throws {
        for table in ["contacts", "organizations"] {
            let scope = userID == nil ? " /* plan: the migration folds every account's names, once */" : " WHERE user_id = ?"
            let values: [any DatabaseValueConvertible] = userID.map { [$0] } ?? []
            let rows = try connection.query("SELECT \(IDAndName.select) FROM \(table)" + scope, values, IDAndName.read)
            for (id, name) in rows {
                try connection.run("UPDATE \(table) SET name_key = ? WHERE id = ?", [NameKey.fold(name), id])
            }
        }
    }
}
