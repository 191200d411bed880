@testable import Domain
import Foundation
import HTTPCore
import SQLiteCore
import Testing
import TestSupport
@testable import API

/// Storage errors, mapped by Domain's `Storage` and rendered at the API edge, become problems that say what happened and leak
/// nothing: no SQL, no table names, no file paths. Each is raised for real by SQLite.
@Suite("Storage errors as problems", .timeLimit(.minutes(1)))
struct ErrorMappingTests {
    let request = Request(
        head: HTTPRequestHead(method: "POST", target: "/x", path: "/x", query: nil, version: .http1_1, headers: HTTPHeaders(), keepAlive: true),
        body: [], requestID: "test")

    /// Runs `sql` on a migrated database with one user, organization and contact, and returns the error it raised.
    func raised(_ sql: String) throws -> SQLiteError {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("map.sqlite")))
        try Migrations.migrator.migrate(database)
        try database.withWriter { try $0.execute("""
            INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'owner', 't', 't');
            INSERT INTO organizations (id, user_id, name, created_at, updated_at) VALUES (1, 1, 'Acme', 't', 't');
            INSERT INTO contacts (id, user_id, name, organization_id, created_at, updated_at) VALUES (1, 1, 'Ada', 1, 't', 't');
            """) }
        do {
            try database.write { try $0.run(sql) }
        } catch let error as SQLiteError {
            return error
        }
        throw ClientError("\(sql) did not fail")
    }

    func expectClean(_ problem: Problem) {
        let text = String(decoding: problem.response.body, as: UTF8.self)
        for leak in ["INSERT", "DELETE", "UPDATE", "contacts", "organizations", "constraint", ".sqlite"] {
            #expect(!text.contains(leak), "problem body leaks \(leak): \(text)")
        }
    }

    @Test func uniqueViolationIsA409Conflict() throws {
        let error = try raised("INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'again', 't', 't')")
        #expect(error.kind == .uniqueViolation)
        let problem = ErrorMapping.problem(for: Storage.domainError(error), request: request)
        #expect(problem.status == 409)
        #expect(problem.code == "conflict")
        expectClean(problem)
    }

    @Test func foreignKeyViolationIsA409HasDependants() throws {
        let error = try raised("DELETE FROM organizations WHERE id = 1")
        #expect(error.kind == .foreignKeyViolation)
        let problem = ErrorMapping.problem(for: Storage.domainError(error), request: request)
        #expect(problem.status == 409)
        #expect(problem.code == "has_dependants")
        expectClean(problem)
    }

    @Test(arguments: [
        "UPDATE contacts SET stage = 'bogus' WHERE id = 1",
        "UPDATE contacts SET name = NULL WHERE id = 1",
    ])
    func checkAndNotNullViolationsAre422(_ sql: String) throws {
        let error = try raised(sql)
        #expect(error.kind == .checkViolation || error.kind == .notNullViolation)
        let problem = ErrorMapping.problem(for: Storage.domainError(error), request: request)
        #expect(problem.status == 422)
        #expect(problem.code == "validation_failed")
        #expect(problem.errors.map(\.field) == ["body"])
        expectClean(problem)
    }

    @Test func anythingElseIsABare500() throws {
        let error = try raised("SELECT * FROM no_such_table")
        let problem = ErrorMapping.problem(for: Storage.domainError(error), request: request)
        #expect(problem.status == 500)
        #expect(problem.code == "internal_error")
        expectClean(problem)
        #expect(!String(decoding: problem.response.body, as: UTF8.self).contains("no_such_table"))
    }
}
