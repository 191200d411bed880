/// One field of a JSON Merge Patch (RFC 7396): absent keeps the current value, null clears
/// it, a value replaces it. Creation uses the same type, starting from defaults.
public enum Patch<Value: Sendable & Equatable>: Sendable, Equatable {
    case absent
    case null
    case value(Value)

    /// The new value of an optional field.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .absent: return current
        case .null: return nil
        case .value(let value): return value
        }
    }

    /// A value, or null for nil.
    public init(_ value: Value?) {
        self = value.map { .value($0) } ?? .null
    }

    public var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}
