import Domain
import HTTPCore
import Primitives

/// The text of an opaque pagination cursor: base64url of `{"s": sort, "k": [keyset values]}`.
/// Clients must not build them; one made for another sort (or garbage) is a 400.
enum CursorCodec {
    static let invalid = Problem.badRequest(
        "bad_cursor", "cursor is not one this list produced; start again without it.", errors: [.init(field: "cursor", message: "is invalid")])

    static func encode(sort: ListOrder, keyset: Keyset) -> String {
        var writer = JSONWriter()
        writer.objectStart()
        writer.key("s"); writer.string(sort.name)
        writer.key("k")
        writer.arrayStart()
        for key in keyset.keys {
            switch key {
            case .null: writer.null()
            case .integer(let value): writer.int(value)
            case .real(let value): writer.double(value)
            case .text(let value): writer.string(value)
            }
        }
        writer.arrayEnd()
        writer.objectEnd()
        return Base64URL.encode(writer.bytes)
    }

    static func decode(_ text: String, sort: ListOrder) throws(Problem) -> Keyset {
        guard text.utf8.count <= 2048, let data = Base64URL.decode(text), let value = try? JSONParser.parse(data),
              value["s"]?.stringValue == sort.name, let keys = value["k"]?.arrayValue, keys.count == sort.keyCount
        else { throw invalid }
        var result: [Keyset.Key] = []
        for key in keys {
            switch key {
            case .int(let number): result.append(.integer(number))
            case .string(let string): result.append(.text(string))
            case .double(let number): result.append(.real(number))
            case .null: result.append(.null)
            default: throw invalid
            }
        }
        guard case .integer = result.last else { throw invalid }
        return Keyset(result)
    }
}
