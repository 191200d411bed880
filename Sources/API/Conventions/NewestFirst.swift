import HTTPCore
import Primitives

/// Lists read newest first by id (`/me/deliveries`, `/webhooks/{id}/deliveries`): `limit` and
/// an opaque `cursor` that stands for the last id of the page before.
enum NewestFirst {
    static func page(_ request: Request) throws(Problem) -> (limit: Int, before: Int64?) {
        var limit = 50
        var before: Int64?
        var seen: Set<String> = []
        for (name, value) in try request.queryItems() {
            guard !seen.contains(name) else { throw Problem.badRequest("bad_query", "\(name) is given twice.", errors: [.init(field: name, message: "is repeated")]) }
            seen.insert(name)
            switch name {
            case "limit":
                guard let number = Int(value), (1...200).contains(number) else {
                    throw Problem.badRequest("bad_query", "limit must be 1 to 200.", errors: [.init(field: "limit", message: "must be 1 to 200")])
                }
                limit = number
            case "cursor":
                guard let id = id(of: value) else {
                    throw Problem.badRequest("bad_cursor", "The cursor is not one this list gave out.", errors: [.init(field: "cursor", message: "is not a cursor of this list")])
                }
                before = id
            default:
                throw Problem.badRequest("bad_query", "limit and cursor are the parameters here.", errors: [.init(field: name, message: "is not allowed here")])
            }
        }
        return (limit, before)
    }

    /// The cursor after the item with this id.
    static func cursor(after id: Int64) -> String { Base64URL.encode(Array("d\(id)".utf8)) }

    static func id(of cursor: String) -> Int64? {
        guard let bytes = Base64URL.decode(cursor), bytes.first == UInt8(ascii: "d"), let id = Int64(String(decoding: bytes.dropFirst(), as: UTF8.self)), id > 0
        else { return nil }
        return id
    }
}
