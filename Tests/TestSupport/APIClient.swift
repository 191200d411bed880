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

    /// The ids of a list page's items.
    public var itemIDs: [Int64] {
        json?["items"]?.arrayValue?.compactMap { $0["id"]?.intValue } ?? []
    }

    public var nextCursor: String? { json?["next_cursor"]?.stringValue }
}
