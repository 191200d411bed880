import API
@_spi(Composition) import Domain
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
            // Domain's one door for a Database (Services.init) is closed to the API layer.
            #expect(!text.contains("@_spi(Composition)"), "\(url.lastPathComponent) opens Domain's composition door")
            checked += 1
        }
        #expect(checked > 30)
    }

    static let domain = sources.deletingLastPathComponent().appendingPathComponent("Domain")

    static func domainFiles() throws -> [(name: String, text: String)] {
        let files = try #require(FileManager.default.enumerator(at: domain, includingPropertiesForKeys: nil))
        var found: [(String, String)] = []
        for case let url as URL in files where url.pathExtension == "swift" {
            found.append((url.path.replacingOccurrences(of: domain.path + "/", with: ""), try String(contentsOf: url, encoding: .utf8)))
        }
        return found
    }

    /// Services hold rules; stores and readers hold SQL (docs/architecture.md).
    @Test func noServiceFileHoldsSQL() throws {
        let statement = try Regex(#""(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)[ "(]|"""|EXISTS \(SELECT"#)
        let files = try Self.domainFiles().filter { $0.name.hasSuffix("Service.swift") || $0.name.contains("Service+") }
        #expect(files.count >= 12)
        for file in files {
            for (number, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(statement) {
                Issue.record("\(file.name):\(number + 1) holds SQL: \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
    }

    /// A row is read by a declared column (a `ColumnSet` or a query's `SelectList`), never by a
    /// number that a column added to the SELECT would silently shift. The few left each say why.
    @Test func positionalReadsAreFewAndExplained() throws {
        let read = try Regex(#"\.(int64|int|optionalInt64|double|bool|string|text|optionalString|blob|date|value|isNull|stamp|member)\([0-9]+[,)]"#)
        var found: [String] = []
        for file in try Self.domainFiles() {
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where line.contains(read) {
                found.append("\(file.name):\(number + 1)")
                let comment = lines[max(0, number - 3)...number].joined(separator: " ")
                #expect(comment.contains("// Positional"), "\(file.name):\(number + 1) reads by position without saying why")
            }
        }
        #expect(found.count <= 5, "\(found)")
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
