@_spi(Composition) import Domain
import Foundation
import HTTPCore
import Primitives
import SQLiteCore
import Testing
import TestSupport
@testable import API

/// A stand-in for what the meetings issue brings: boards (the parent, with an action) and the
/// notes under them, kept in memory, behind the real authenticator, router and error mapping.
private final class Boards: @unchecked Sendable {
    struct Note: Sendable, Equatable {
        var id: Int64
        var board: Int64
        var text: String
        var version: Int64
    }

    struct Board: Sendable {
        var id: Int64
        var owner: Int64
        var archived: Bool
        var reason: String?
        var version: Int64
    }

    // Reached only under the lock.
    private let state = Lock<(boards: [Int64: Board], notes: [Int64: Note], nextID: Int64)>((
        [1: Board(id: 1, owner: 1, archived: false, reason: nil, version: 1), 2: Board(id: 2, owner: 1, archived: false, reason: nil, version: 1),
         3: Board(id: 3, owner: 2, archived: false, reason: nil, version: 1)], [:], 1))

    private func ownedBoard(_ user: Int64, _ id: Int64, _ boards: [Int64: Board]) throws -> Board {
        guard let board = boards[id], board.owner == user else { throw DomainError.notFound("No board \(id).") }
        return board
    }

    func note(_ user: Int64, _ board: Int64, _ id: Int64) throws -> Note {
        try state.withLock { state in
            _ = try ownedBoard(user, board, state.boards)
            guard let note = state.notes[id], note.board == board else { throw DomainError.notFound("No note \(id).") }
            return note
        }
    }

    func notes(_ user: Int64, _ board: Int64) throws -> [Note] {
        try state.withLock { state in
            _ = try ownedBoard(user, board, state.boards)
            return state.notes.values.filter { $0.board == board }.sorted { $0.id < $1.id }
        }
    }

    func create(_ user: Int64, _ board: Int64, _ text: String) throws -> Future<Note> {
        Future(Result {
            try state.withLock { state in
                _ = try ownedBoard(user, board, state.boards)
                let note = Note(id: state.nextID, board: board, text: text, version: 1)
                state.nextID += 1
                state.notes[note.id] = note
                return note
            }
        })
    }

    func update(_ user: Int64, _ board: Int64, _ id: Int64, _ text: String, _ precondition: VersionPrecondition) throws -> Future<Note> {
        Future(Result {
            var note = try self.note(user, board, id)
            if case .oneOf(let versions) = precondition, !versions.contains(note.version) {
                throw DomainError.preconditionFailed(currentVersion: note.version)
            }
            note.text = text
            note.version += 1
            state.withLock { [note] in $0.notes[note.id] = note }
            return note
        })
    }

    func delete(_ user: Int64, _ board: Int64, _ id: Int64) throws -> Future<Void> {
        Future(Result {
            _ = try self.note(user, board, id)
            state.withLock { _ = $0.notes.removeValue(forKey: id) }
        })
    }

    func archive(_ user: Int64, _ id: Int64, reason: String?) throws -> Future<Board> {
        Future(Result {
            try state.withLock { state in
                var board = try ownedBoard(user, id, state.boards)
                if board.archived { throw DomainError.conflict(code: "illegal_transition", detail: "Board \(id) is already archived.", existingID: nil) }
                board.archived = true
                board.reason = reason
                board.version += 1
                state.boards[id] = board
                return board
            }
        })
    }
}

/// A live server with the real authenticator and error mapping over the stand-in routes.
private func makeServer() throws -> (LiveServer, APIClient, Boards) {
    let directory = TemporaryDirectory()
    let database = try Database(.init(path: directory.path("routes.sqlite")))
    try Migrations.migrator.migrate(database)
    let services = Services(database: database)
    let token = try #require(try services.accounts.bootstrapOwnerIfEmpty())
    let context = FootholdApp.Context(services: services)
    let boards = Boards()
    var router = Router<Route>()
    SubresourceRoutes<Boards.Note, String>(
        parentPath: "/boards", name: "notes", id: \.id, version: \.version,
        write: { note, w in
            w.objectStart()
            w.field("id", note.id)
            w.field("text", note.text)
            w.field("version", note.version)
            w.objectEnd()
        },
        draft: { request in
            var body = try BodyReader(request, fields: ["text"])
            let text = body.requiredString("text")
            try body.finish()
            return text.applied(to: nil) ?? ""
        },
        list: { _, principal, board in
            Reply.list(Page(items: try boards.notes(principal.userID, board), next: nil), sort: try #require(InterestService.sorts["created_at"])) { w, note in
                w.objectStart()
                w.field("id", note.id)
                w.objectEnd()
            }
        },
        get: { user, board, id in try boards.note(user, board, id) },
        create: { user, board, text in try boards.create(user, board, text) },
        update: { user, board, id, text, precondition in try boards.update(user, board, id, text, precondition) },
        delete: { user, board, id, _ in try boards.delete(user, board, id) }
    ).register(on: &router, context.authenticator)
    ActionRoute<Boards.Board>(
        path: "/boards", verb: "archive", fields: ["reason", "when", "items"], version: \.version,
        write: { board, w in
            w.objectStart()
            w.field("id", board.id)
            w.field("archived", board.archived)
            w.field("reason", board.reason)
            w.objectEnd()
        },
        perform: { user, id, body, _ in
            var reason: String?
            if var reader = body {
                reason = reader.string("reason").applied(to: nil)
                _ = reader.timestamp("when")
                for var item in try reader.objects("items", fields: ["label", "contact"]) ?? [] {
                    _ = item.string("label")
                    if var contact = try item.object("contact", fields: ["name", "email"]) {
                        _ = contact.requiredString("name")
                        _ = contact.string("email")
                    }
                }
                try reader.finish()
            }
            return try boards.archive(user, id, reason: reason)
        }
    ).register(on: &router, context.authenticator)
    router.add("POST", "/uploads", context.authenticator.route(.handOff, bodyLimit: 2_000_000) { request, _ in
        Response(status: 200, headers: [("Content-Type", "text/plain")], body: Array("\(request.body.count)".utf8))
    })
    let app = Application(router: router, cors: CORSPolicy(allowedOrigins: []), mapError: ErrorMapping.problem)
    let live = try LiveServer(responder: app, database: database, directory: directory)
    return (live, try APIClient(port: live.port, token: token), boards)
}

@Suite("Route conventions for sub-collections, actions and body limits", .timeLimit(.minutes(1)))
struct RouteConventionTests {
    @Test func subCollectionsHaveTheFiveRoutesUnderTheirParent() throws {
        let (live, owner, _) = try makeServer()
        defer { withExtendedLifetime(live) {} }
        let created = try owner.post("/boards/1/notes", #"{"text":"ask about trends"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/boards/1/notes/\(id)")
        #expect(created.header("etag") == "\"1\"")
        #expect(try owner.get("/boards/1/notes/\(id)").json == created.json)
        #expect(try owner.get("/boards/1/notes/\(id)", headers: [("If-None-Match", "\"1\"")]).status == 304)
        #expect(try owner.listIDs("/boards/1/notes") == [id])
        #expect(try owner.listIDs("/boards/2/notes") == [])
        // Under another parent, or under another user's parent: not found, like an unknown id.
        #expect(try owner.get("/boards/2/notes/\(id)").isProblem(404, "not_found"))
        #expect(try owner.get("/boards/3/notes").isProblem(404, "not_found"))
        #expect(try owner.post("/boards/3/notes", #"{"text":"x"}"#).isProblem(404, "not_found"))
        #expect(try owner.post("/boards/1/notes", #"{"text":"x","colour":"red"}"#).isProblem(400, "unknown_fields"))

        #expect(try owner.patch("/boards/1/notes/\(id)", #"{"text":"new"}"#, headers: [("If-Match", "\"7\"")]).isProblem(412, "precondition_failed"))
        let patched = try owner.patch("/boards/1/notes/\(id)", #"{"text":"new"}"#, headers: [("If-Match", "\"1\"")])
        #expect(patched.status == 200)
        #expect(patched.header("etag") == "\"2\"")
        #expect(patched.json?["text"] == .string("new"))
        let put = try owner.raw.request("PUT", "/boards/1/notes/\(id)", headers: [("Authorization", "Bearer \(owner.token)")])
        #expect(put.isProblem(405, "method_not_allowed"))
        #expect(put.header("allow") == "DELETE, GET, HEAD, OPTIONS, PATCH")
        #expect(try owner.delete("/boards/1/notes/\(id)").status == 204)
        #expect(try owner.get("/boards/1/notes/\(id)").isProblem(404, "not_found"))
        #expect(try owner.raw.request("GET", "/boards/1/notes").isProblem(401, "unauthorized"))
    }

    @Test func actionsAnswerTheObjectAndNameNestedFieldsByPath() throws {
        let (live, owner, _) = try makeServer()
        defer { withExtendedLifetime(live) {} }
        // Nested errors name their path; nothing happens.
        let nested = try owner.post("/boards/1/archive", #"{"items":[{"label":"a"},{"label":5},{"contact":{"name":null,"email":"x@y.z"}},"no"],"when":"2026-13-01T00:00:00Z"}"#)
        #expect(nested.isProblem(422, "validation_failed"))
        #expect(Set(nested.problemFields) == ["items[1].label", "items[2].contact.name", "items[3]", "when"])
        let unknown = try owner.post("/boards/1/archive", #"{"items":[{"label":"a"},{"contact":{"name":"Ada","colour":"red"}}]}"#)
        #expect(unknown.isProblem(400, "unknown_fields"))
        #expect(unknown.problemFields == ["items[1].contact.colour"])
        let readOnly = try owner.post("/boards/1/archive", #"{"items":[{"label":"a","id":3}]}"#)
        #expect(readOnly.isProblem(400, "read_only_fields"))
        #expect(readOnly.problemFields == ["items[0].id"])

        let archived = try owner.post("/boards/1/archive", #"{"reason":"done","when":"2026-11-27T14:05:00+01:00","items":[{"label":"a","contact":{"name":"Ada"}}]}"#)
        #expect(archived.status == 200)
        #expect(archived.header("etag") == "\"2\"")
        #expect(archived.json?["archived"] == .bool(true))
        #expect(archived.json?["reason"] == .string("done"))
        // Not allowed from the state it is in now.
        #expect(try owner.post("/boards/1/archive", "{}").isProblem(409, "illegal_transition"))
        // No body at all is fine; another user's object is not found.
        let bare = try owner.raw.request("POST", "/boards/2/archive", headers: [("Authorization", "Bearer \(owner.token)")])
        #expect(bare.status == 200)
        #expect(try owner.post("/boards/3/archive", "{}").isProblem(404, "not_found"))
        #expect(try owner.get("/boards/2/archive").isProblem(405, "method_not_allowed"))
    }

    /// A route's own body limit applies before the body is read; others keep the server's.
    @Test func bodyLimitsPerRoute() throws {
        let (live, owner, _) = try makeServer()
        let big = String(repeating: "x", count: 1_500_000)
        let upload = try owner.raw.request(
            "POST", "/uploads", headers: [("Authorization", "Bearer \(owner.token)"), ("Content-Type", "text/plain")], body: Array(big.utf8))
        #expect(upload.status == 200)
        #expect(upload.text == "1500000")
        let note = try live.client()
        try note.send("POST /boards/1/notes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(owner.token)\r\nContent-Type: application/json\r\nContent-Length: 1500000\r\n\r\n")
        #expect(try note.readResponse().isProblem(413, "body_too_large"))
        let tooBig = try live.client()
        try tooBig.send("POST /uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(owner.token)\r\nContent-Length: 2000001\r\n\r\n")
        #expect(try tooBig.readResponse().isProblem(413, "body_too_large"))
    }
}
