@_spi(Composition) import Domain
import Foundation
import HTTPCore
import Testing
import TestSupport
@testable import API

/// The paths and methods openapi.yaml declares, read from its `paths:` section (the spec is
/// written in block style: a path at two spaces of indent, a method at four).
func specOperations(_ yaml: String) -> Set<String> {
    var operations = Set<String>()
    var inPaths = false
    var currentPath: String?
    let methods: Set<String> = ["get", "put", "post", "patch", "delete"]
    for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
        if !line.hasPrefix(" ") && !line.isEmpty {
            inPaths = line == "paths:"
            continue
        }
        guard inPaths else { continue }
        if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
            currentPath = String(line.dropFirst(2).dropLast())
        } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
            let key = line.trimmingCharacters(in: .whitespaces).dropLast()
            if line.hasSuffix(":"), methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
        }
    }
    return operations
}

@Suite("OpenAPI contract", .timeLimit(.minutes(1)))
struct SpecDriftTests {
    @Test func routerAndSpecAgree() throws {
        let live = try LiveServer()
        let app = FootholdApp.makeResponder(context: .init(services: Services(database: try #require(live.database))), cors: CORSPolicy(allowedOrigins: []))
        // Router templates carry types (`{id:int}`); the spec names the parameter only.
        let routes = Set(app.router.registered.map { route in
            "\(route.method) " + route.template.replacingOccurrences(of: ":int}", with: "}")
        })
        let spec = specOperations(OpenAPISpec.yaml)
        #expect(!spec.isEmpty)
        #expect(routes.subtracting(spec).sorted() == [], "routes missing from openapi.yaml")
        #expect(spec.subtracting(routes).sorted() == [], "operations in openapi.yaml that no route answers")
    }

    @Test func servedSpecIsTheFileInTheRepository() throws {
        let live = try LiveServer()
        let response = try live.client().request("GET", "/openapi.yaml")
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("application/yaml") == true)
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi.yaml")
        #expect(response.text == (try String(contentsOf: file, encoding: .utf8)))
    }

    @Test func healthNeedsNoTokenAndSaysOK() throws {
        let live = try LiveServer()
        let client = try live.client()
        let response = try client.request("GET", "/health")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.json == .object([("status", .string("ok"))]))
        let head = try client.request("HEAD", "/health")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }
}
