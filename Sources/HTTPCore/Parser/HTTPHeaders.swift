import Primitives

/// An ordered list of header fields; lookups ignore case, and repeated fields are kept
/// (RFC 9110 §5.3) so callers can tell a repeated field from a single one.
public struct HTTPHeaders: Sendable, Sequence {
    public struct Field: Sendable, Equatable {
        /// The name in lower case, as it is compared.
        public var name: String
        public var value: String
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { add(name, value) }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: Self.lowered(name), value: value))
    }

    mutating func add(lowercasedName name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Callers nearly always pass names already in lower case; only others pay for lowering.
    @inline(__always)
    private static func lowered(_ name: String) -> String {
        // Over contiguous bytes (literals and parsed names are): iterating the UTF8View
        // generically cost 3% of a /health request.
        let hasUpper = name.utf8.withContiguousStorageIfAvailable { bytes in bytes.contains { $0 >= 0x41 && $0 <= 0x5A } }
            ?? name.utf8.contains { $0 >= 0x41 && $0 <= 0x5A }
        return hasUpper ? name.lowercased() : name
    }

    /// Replaces every field of that name with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        let lower = Self.lowered(name)
        fields.removeAll { $0.name == lower }
    }

    /// The first value of the field, if any.
    public subscript(name: String) -> String? {
        let lower = Self.lowered(name)
        for field in fields where field.name == lower { return field.value }
        return nil
    }

    /// Every value of the field, in order of appearance.
    public func values(_ name: String) -> [String] {
        let lower = Self.lowered(name)
        var values: [String] = []
        for field in fields where field.name == lower { values.append(field.value) }
        return values
    }

    /// The comma-separated list elements of every field of that name (RFC 9110 §5.6.1).
    public func listElements(_ name: String) -> [String] {
        let lower = Self.lowered(name)
        var elements: [String] = []
        for field in fields where field.name == lower {
            // Field values arrive without surrounding whitespace, and most hold one element:
            // those are taken whole, without splitting into a temporary array.
            if !field.value.utf8.contains(0x2C) {
                elements.append(field.value.trimmingHTTPWhitespace())
                continue
            }
            for element in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                elements.append(element.trimmingHTTPWhitespace())
            }
        }
        return elements
    }

    public func count(of name: String) -> Int {
        let lower = Self.lowered(name)
        return fields.reduce(0) { $0 + ($1.name == lower ? 1 : 0) }
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}
