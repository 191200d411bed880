/// One schema change: a named SQL script applied once, in name order.
public struct Migration: Sendable, Equatable {
    public var name: String
    public var sql: String
    /// What SQL cannot compute (folded names), run after the SQL in the same transaction.
    public var fill: (@Sendable (SQLiteConnection) throws -> Void)?

    public init(name: String, sql: String, fill: (@Sendable (SQLiteConnection) throws -> Void)? = nil) {
        self.name = name
        self.sql = sql
        self.fill = fill
    }

    public static func == (a: Migration, b: Migration) -> Bool { a.name == b.name && a.sql == b.sql }

    /// FNV-1a 64 of the SQL, hex: detects a migration file edited after it was applied.
    /// (Not a defence against tampering: the database file itself is trusted.)
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
