import SQLiteCore

/// Where a keyset page ended: the sort keys and id of its last item, exactly as stored, so the
/// next page starts strictly after it. The API carries it inside an opaque cursor.
public struct Keyset: Sendable, Equatable {
    /// One stored key value.
    public enum Key: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    public var keys: [Key]

    public init(_ keys: [Key]) {
        self.keys = keys
    }

    init(_ values: [DatabaseValue]) {
        keys = values.map { value in
            switch value {
            case .null, .blob: .null
            case .integer(let number): .integer(number)
            case .real(let number): .real(number)
            case .text(let text): .text(text)
            }
        }
    }

    var databaseValues: [DatabaseValue] {
        keys.map { key in
            switch key {
            case .null: .null
            case .integer(let number): .integer(number)
            case .real(let number): .real(number)
            case .text(let text): .text(text)
            }
        }
    }
}
