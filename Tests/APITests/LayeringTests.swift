import API
import Domain
import Foundation
import HTTPCore
import Testing
import TestSupport

/// The API layer sees Domain's types only: SQLite is Domain's business (README, Layout).
@Suite struct LayeringTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/API")

    @Test func noAPIFileImportsSQLiteCore() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
        var checked = 0
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("import ") || line.contains("import SQLiteCore") {
                #expect(!line.contains("SQLiteCore") && !line.contains("CSQLite"), "\(url.lastPathComponent): \(line)")
            }
            checked += 1
        }
        #expect(checked > 30)
    }
}

/// Where each route runs: only what cannot hold an I/O thread runs on one (HTTPCore's
/// `Route.Kind`); lists, reports and anything of several queries go to the workers.
@Suite struct RouteKindTests {
    @Test func lists_reportsAndSeveralQueriesRunOnWorkers() throws {
        let live = try LiveServer()
        let app = FootholdApp.makeResponder(context: .init(services: Services(database: try #require(live.database))), cors: CORSPolicy(allowedOrigins: []))
        let router = app.router
        var kinds: [String: Route.Kind] = [:]
        for (method, template) in router.registered {
            kinds["\(method) \(template)"] = try #require(router.route(method: method, template: template)).kind
        }
        #expect(kinds["GET /health"] == .memory)
        #expect(kinds["GET /openapi.yaml"] == .memory)
        #expect(kinds["GET /meetings/{id:int}/prep"] == .worker)
        #expect(kinds["GET /contacts/{id:int}"] == .pointRead)
        #expect(kinds["POST /contacts"] == .handOff)
        #expect(kinds["POST /sessions"] == .handOff)
        // A collection or a report is never read on an I/O thread.
        for (route, kind) in kinds where route.hasPrefix("GET ") && !route.hasSuffix("}") && route != "GET /health" && route != "GET /openapi.yaml"
            && route != "GET /me" && !route.hasSuffix("/me")
        {
            #expect(kind == .worker, "\(route) runs \(kind)")
        }
        #expect(kinds.count > 150)
    }
}
