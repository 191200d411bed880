import Foundation
import HTTPCore

/// A keep-alive JSON client for the API with a bearer token, on a raw socket.
public final class APIClient {
    public let raw: RawClient
    public let token: String

    public init(port: Int, token: String) throws {
        raw = try RawClient(port: port)
        self.token = token
    }

    private func headers(_ extra: [(String, String)], json: Bool) -> [(String, String)] {
        var all = [("Authorization", "Bearer \(token)")]
        if json { all.append(("Content-Type", "application/json")) }
        return all + extra
    }

    public func get(_ path: String, headers extra: [(String, String)] = []) throws -> ClientResponse {
        try raw.request("GET", path, headers: headers(extra, json: false))
    }

    public func post(_ path: String, _ json: String, headers extra: [(String, String)] = []) throws -> ClientResponse {
        try raw.request("POST", path, headers: headers(extra, json: true), body: Array(json.utf8))
    }

    public func patch(_ path: String, _ json: String, headers extra: [(String, String)] = []) throws -> ClientResponse {
        try raw.request("PATCH", path, headers: headers(extra, json: true), body: Array(json.utf8))
    }

    public func delete(_ path: String, headers extra: [(String, String)] = []) throws -> ClientResponse {
        try raw.request("DELETE", path, headers: headers(extra, json: false))
    }

    /// Any method, with a body of any type (imports).
    public func request(_ method: String, _ path: String, body: [UInt8], headers extra: [(String, String)] = []) throws -> ClientResponse {
        try raw.request(method, path, headers: headers(extra, json: false), body: body)
    }

    /// POSTs and returns the created object's id, failing unless the answer is 201.
    public func create(_ path: String, _ json: String) throws -> Int64 {
        let response = try post(path, json)
        guard response.status == 201, let id = response.json?["id"]?.intValue else {
            throw ClientError("POST \(path) \(json) answered \(response.status): \(response.text)")
        }
        return id
    }
}

extension ClientResponse {
    /// The `field` names of a problem's `errors`.
    public var problemFields: [String] {
        json?["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
    }

    public var code: String? { json?["code"]?.stringValue }

    /// The ids of a list page's items, or nil unless this is a well-formed list page: status
    /// 200, JSON, an `items` array of objects with integer ids and a `next_cursor` that is a
    /// string or null. So an error body never reads as "an empty list".
    public var itemIDs: [Int64]? {
        guard status == 200, header("content-type") == "application/json", let json,
              case .array(let items)? = json["items"], let cursor = json["next_cursor"] else { return nil }
        switch cursor {
        case .string, .null: break
        default: return nil
        }
        var ids: [Int64] = []
        for item in items {
            guard let id = item["id"]?.intValue else { return nil }
            ids.append(id)
        }
        return ids
    }

    public var nextCursor: String? { json?["next_cursor"]?.stringValue }
}

extension APIClient {
    /// One list page's ids; throws, with the answer, unless it is a well-formed list page.
    public func listIDs(_ path: String) throws -> [Int64] {
        let page = try get(path)
        guard let ids = page.itemIDs else { throw ClientError("GET \(path) is not a list page: \(page.status) \(page.text)") }
        return ids
    }

    /// Follows `next_cursor` from `path` to the end and returns every item in the order served,
    /// repeats included; throws on any page that is not a well-formed list page.
    public func walk(_ path: String, maxPages: Int = 200) throws -> [JSONValue] {
        var items: [JSONValue] = []
        var next = path
        for _ in 0..<maxPages {
            let page = try get(next)
            guard page.itemIDs != nil, let pageItems = page.json?["items"]?.arrayValue else {
                throw ClientError("GET \(next) is not a list page: \(page.status) \(page.text)")
            }
            items += pageItems
            guard let cursor = page.nextCursor else { return items }
            guard !pageItems.isEmpty else { throw ClientError("GET \(next) gave an empty page with a next_cursor") }
            next = path + (path.contains("?") ? "&" : "?") + "cursor=\(cursor)"
        }
        throw ClientError("GET \(path): pagination did not end within \(maxPages) pages")
    }

    /// The ids of every item `walk` finds, in order.
    public func walkIDs(_ path: String) throws -> [Int64] {
        try walk(path).map { item in
            guard let id = item["id"]?.intValue else { throw ClientError("an item without an integer id: \(item)") }
            return id
        }
    }
}

extension ClientResponse {
    /// Whether this is an RFC 9457 problem with this status and `code`.
    public func isProblem(_ status: Int, _ code: String) -> Bool {
        self.status == status && header("content-type") == "application/problem+json" && self.code == code
    }
}
