#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// Builds the responses every resource shares: one object with its ETag, a created object
/// with `Location`, a keyset page, 304 and 204.
enum Reply {
    static func object(_ version: Int64, status: Int = 200, location: String? = nil, _ write: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter(capacity: 512)
        write(&writer)
        var headers: [(name: String, value: String)] = [("ETag", Conditional.etag(version))]
        if let location { headers.append(("Location", location)) }
        return Response.json(status, writer, headers: headers)
    }

    /// GET of one object: 304 when If-None-Match names its version.
    static func get(_ request: Request, version: Int64, _ write: (inout JSONWriter) -> Void) throws(Problem) -> Response {
        if try Conditional.notModified(request, version: version) {
            return Response(status: 304, headers: [("ETag", Conditional.etag(version))])
        }
        return object(version, write)
    }

    /// A report as JSON, or with `Accept: text/markdown` as the document `markdown` writes;
    /// either way `Vary: Accept`, since one URL answers both.
    static func report(_ request: Request, capacity: Int, markdown: () -> String, _ write: (inout JSONWriter) -> Void) -> Response {
        if let accept = request.headers["accept"]?.lowercased(), accept.contains("text/markdown") {
            return Response(status: 200, headers: [("Content-Type", "text/markdown; charset=utf-8"), ("Vary", "Accept")], body: Array(markdown().utf8))
        }
        var writer = JSONWriter(capacity: capacity)
        write(&writer)
        return Response.json(200, writer, headers: [("Vary", "Accept")])
    }

    static func list<Item>(_ page: Page<Item>, sort: ListOrder, _ write: (inout JSONWriter, Item) -> Void) -> Response {
        var writer = JSONWriter(capacity: 256 + page.items.count * 768)
        writer.objectStart()
        writer.key("items")
        writer.arrayStart()
        for item in page.items { write(&writer, item) }
        writer.arrayEnd()
        writer.key("next_cursor")
        if let next = page.next { writer.string(CursorCodec.encode(sort: sort, keyset: next)) } else { writer.null() }
        writer.objectEnd()
        return Response.json(200, writer)
    }

    /// A page written as its rows are read: `rows` writes the items and returns the keyset
    /// to continue after.
    static func list(sort: ListOrder, estimatedCount: Int, _ rows: (inout JSONWriter) throws -> Keyset?) rethrows -> Response {
        var writer = JSONWriter(capacity: 256 + estimatedCount * 768)
        writer.objectStart()
        writer.key("items")
        writer.arrayStart()
        let next = try rows(&writer)
        writer.arrayEnd()
        writer.key("next_cursor")
        if let next { writer.string(CursorCodec.encode(sort: sort, keyset: next)) } else { writer.null() }
        writer.objectEnd()
        return Response.json(200, writer)
    }

    static let noContent = Response(status: 204)
}

extension JSONWriter {
    mutating func field(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    mutating func field(_ name: StaticString, _ value: Int64?) {
        key(name)
        if let value { int(value) } else { null() }
    }

    mutating func field(_ name: StaticString, _ value: Int?) {
        key(name)
        if let value { int(value) } else { null() }
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    mutating func field(_ name: StaticString, utf8 value: UnsafeBufferPointer<UInt8>?) {
        key(name)
        if let value { string(utf8: value) } else { null() }
    }

    /// A timestamp column the schema requires, read in place; text of an unexpected shape goes
    /// through the parser, and text that is no timestamp at all is a corrupt row, never null
    /// (the answer being written is then thrown away whole).
    mutating func field(_ name: StaticString, storedTimestamp text: UnsafeBufferPointer<UInt8>?, of table: String, id: Int64) throws(DomainError) {
        key(name)
        if let text {
            if timestamp(storedText: text) { return }
            if let date = RFC3339.parse(bytes: text) { return timestamp(date) }
        }
        throw DomainError.corruptRow(table: table, id: id, column: "\(name)")
    }

    mutating func field(_ name: StaticString, _ date: Date?) {
        key(name)
        if let date { timestamp(date) } else { null() }
    }

    mutating func field(_ name: StaticString, _ values: [String]) {
        key(name)
        arrayStart()
        for value in values { string(value) }
        arrayEnd()
    }

    mutating func field(_ name: StaticString, _ values: [Int64]) {
        key(name)
        arrayStart()
        for value in values { int(value) }
        arrayEnd()
    }
}
