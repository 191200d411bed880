import Dispatch
import Foundation
@testable import API
import Primitives
import SQLiteCore
import Synchronization
@_spi(Composition) import Domain
import HTTPCore
import Testing
import TestSupport

@Suite("Accounts and tokens", .timeLimit(.minutes(1)))
struct AccountTests {
    @Test func meNeedsAValidBearerToken() throws {
        let live = try LiveServer()
        let anonymous = try live.client()
        let missing = try anonymous.request("GET", "/me")
        #expect(missing.status == 401)
        #expect(missing.header("www-authenticate") == "Bearer realm=\"foothold\"")
        #expect(missing.header("content-type") == "application/problem+json")
        #expect(missing.code == "unauthorized")
        let basic = try anonymous.request("GET", "/me", headers: [("Authorization", "Basic dXNlcjpwYXNz")])
        #expect(basic.status == 401)
        #expect(basic.code == "unauthorized")
        let wrong = try anonymous.request("GET", "/me", headers: [("Authorization", "Bearer fh_" + String(repeating: "A", count: 43))])
        #expect(wrong.status == 401)
        #expect(wrong.code == "invalid_token")
        #expect(wrong.header("www-authenticate")?.contains("invalid_token") == true)

        let me = try live.owner().get("/me")
        #expect(me.status == 200)
        #expect(me.json?["name"] == .string("owner"))
        #expect(me.json?["time_zone"] == .string("UTC"))
        #expect(me.header("etag") == "\"1\"")
        // Health and the spec need no token.
        #expect(try anonymous.request("GET", "/health").status == 200)
        #expect(try anonymous.request("GET", "/openapi.yaml").status == 200)
    }

    /// The scheme is matched in any case (RFC 9110 §11.1); anything but `Bearer <token>` is 401.
    @Test func bearerSchemeIsCaseInsensitiveAndStrict() throws {
        let live = try LiveServer()
        let token = try live.owner().token
        let anonymous = try live.client()
        for header in ["bearer \(token)", "BEARER \(token)", "BeArEr  \(token) "] {
            let response = try anonymous.request("GET", "/me", headers: [("Authorization", header)])
            #expect(response.status == 200, "\(header)")
        }
        for header in ["Bearer", "Bearer ", "Bearer\t\(token)", "Bearerx \(token)", "Bear \(token)", token] {
            let response = try anonymous.request("GET", "/me", headers: [("Authorization", header)])
            #expect(response.status == 401, "\(header)")
            #expect(response.code == "unauthorized" || response.code == "invalid_token", "\(header)")
            #expect(response.header("www-authenticate")?.hasPrefix("Bearer realm=\"foothold\"") == true)
        }
    }

    @Test func failedAuthenticationIsRateLimitedPerAddress() throws {
        let live = try LiveServer(authFailureLimit: 3)
        let client = try live.client()
        let bad = [("Authorization", "Bearer fh_" + String(repeating: "B", count: 43))]
        for _ in 0..<3 { #expect(try client.request("GET", "/me", headers: bad).status == 401) }
        let limited = try client.request("GET", "/me", headers: bad)
        #expect(limited.status == 429)
        #expect(limited.code == "too_many_failed_logins")
        let retry = try #require(limited.header("retry-after").flatMap(Int.init))
        #expect(retry >= 1 && retry <= 60)
        // Over the limit, only failures are refused: a valid token from that address still works.
        #expect(try live.owner().get("/me").status == 200)
        #expect(try client.request("GET", "/me", headers: bad).isProblem(429, "too_many_failed_logins"))
        // Missing tokens are not guesses and do not count.
        let other = try LiveServer(authFailureLimit: 1)
        for _ in 0..<3 { #expect(try other.client().request("GET", "/me").status == 401) }
        #expect(try other.owner().get("/me").status == 200)
    }

    /// Behind a reverse proxy everyone shares one address: twenty bad tokens from it must not
    /// lock out the owner.
    @Test func badTokensDoNotLockOutAValidOne() throws {
        let live = try LiveServer(authFailureLimit: 10)
        let client = try live.client()
        let bad = [("Authorization", "Bearer fh_" + String(repeating: "C", count: 43))]
        var statuses: [Int] = []
        for _ in 0..<20 { statuses.append(try client.request("GET", "/me", headers: bad).status) }
        #expect(statuses.prefix(10).allSatisfy { $0 == 401 })
        #expect(statuses.suffix(10).allSatisfy { $0 == 429 })
        let good = try client.request("GET", "/me", headers: [("Authorization", "Bearer \(live.ownerToken)")])
        #expect(good.status == 200)
        #expect(good.json?["name"] == .string("owner"))
    }

    /// One connection uses a token as fast as it can while another revokes it: once the 204 is
    /// in, no request with that token sent afterwards may succeed. Repeated, to meet the race.
    @Test func aRevokedTokenNeverWorksAgain() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for round in 0..<8 {
            let created = try owner.post("/tokens", #"{"name":"hammered \#(round)"}"#)
            let id = try #require(created.json?["id"]?.intValue)
            let secret = try #require(created.json?["token"]?.stringValue)
            let revoked = Atomic<Bool>(false)
            let lateSuccesses = Atomic<Int>(0)
            let lateAnswers = Atomic<Int>(0)
            let started = DispatchSemaphore(value: 0)
            let done = DispatchSemaphore(value: 0)
            let port = live.port
            Thread.detachNewThread {
                defer { done.signal() }
                guard let hammer = try? APIClient(port: port, token: secret) else { return }
                var signalled = false
                for _ in 0..<4_000 {
                    let sentAfterRevocation = revoked.load(ordering: .sequentiallyConsistent)
                    guard let response = try? hammer.get("/me") else { return }
                    if !signalled {
                        signalled = true
                        started.signal()
                    }
                    if sentAfterRevocation {
                        lateAnswers.add(1, ordering: .relaxed)
                        if (200..<300).contains(response.status) { lateSuccesses.add(1, ordering: .relaxed) }
                        if lateAnswers.load(ordering: .relaxed) >= 200 { return }
                    }
                }
            }
            try started.waitOrThrow(10, "first hammered request")
            #expect(try owner.delete("/tokens/\(id)").status == 204)
            revoked.store(true, ordering: .sequentiallyConsistent)
            try done.waitOrThrow(30, "the hammering to end")
            #expect(lateAnswers.load(ordering: .relaxed) >= 200, "round \(round): too few requests after the revocation")
            #expect(lateSuccesses.load(ordering: .relaxed) == 0, "round \(round): a revoked token worked again")
        }
    }

    /// Behind a trusted proxy, failures count per client (from X-Forwarded-For), not per proxy.
    @Test func failuresBehindATrustedProxyCountPerClient() throws {
        let proxy = try #require(AddressBlock("127.0.0.0/8"))
        let live = try LiveServer(authFailureLimit: 3) { $0.trustedProxies = TrustedProxies([proxy]) }
        let client = try live.client()
        let bad = ("Authorization", "Bearer fh_" + String(repeating: "D", count: 43))
        func attempt(from address: String) throws -> ClientResponse {
            try client.request("GET", "/me", headers: [bad, ("X-Forwarded-For", address)])
        }
        for _ in 0..<3 { #expect(try attempt(from: "198.51.100.9").isProblem(401, "invalid_token")) }
        #expect(try attempt(from: "198.51.100.9").isProblem(429, "too_many_failed_logins"))
        #expect(try attempt(from: "203.0.113.5").isProblem(401, "invalid_token"))
        // A direct client (no header) is its own address, 127.0.0.1, with failures of its own.
        #expect(try client.request("GET", "/me", headers: [bad]).isProblem(401, "invalid_token"))
    }

    @Test func tokensAreShownOnceStoredHashedAndRevocable() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let created = try owner.post("/tokens", #"{"name":"laptop"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/tokens/\(id)")
        let secret = try #require(created.json?["token"]?.stringValue)
        #expect(secret.hasPrefix("fh_") && secret.count == 46)
        #expect(created.json?["current"] == .bool(false))
        #expect(created.json?["last_used_at"] == .null)

        // The secret is never stored nor shown again.
        // Neither the secret nor its random part is in any column of any token row, nor
        // anywhere in the database file once the WAL is copied back into it.
        let columns = try #require(live.database).read { try $0.query("SELECT name FROM pragma_table_info('tokens')") { $0.string(0) } }
        #expect(columns.contains("secret_hash") && columns.contains("lookup"))
        let randomPart = String(secret.dropFirst(3))
        for column in columns {
            for needle in [secret, randomPart] {
                let hits = try live.count("SELECT count(*) FROM tokens WHERE instr(CAST(\(column) AS BLOB), CAST(? AS BLOB)) > 0", [needle])
                #expect(hits == 0, "the secret is stored in tokens.\(column)")
            }
        }
        // The stored hash is the secret's SHA-256, so a check of it is meaningful.
        #expect(try live.count("SELECT count(*) FROM tokens WHERE id = ? AND length(secret_hash) = 32", [id]) == 1)
        try #require(live.database).withWriter { try $0.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
        let file = try Data(contentsOf: URL(fileURLWithPath: live.directory.path("foothold.sqlite")))
        #expect(file.count > 0)
        #expect(file.range(of: Data(randomPart.utf8)) == nil, "the secret is in the database file")
        let fetched = try owner.get("/tokens/\(id)")
        #expect(fetched.json?["token"] == nil)
        #expect(fetched.json?["name"] == .string("laptop"))

        let laptop = try APIClient(port: live.port, token: secret)
        #expect(try laptop.get("/me").status == 200)
        let list = try laptop.get("/tokens")
        #expect(list.itemIDs?.count == 2)
        #expect(list.itemIDs?.contains(id) == true)
        let flags = list.json?["items"]?.arrayValue?.map { ($0["id"]?.intValue, $0["current"]) }
        #expect(flags?.first { $0.0 == id }?.1 == .bool(true))
        #expect(list.json?["items"]?.arrayValue?.allSatisfy { $0["token"] == nil } == true)
        // Using a token records when (at most once a minute), soon after: the write is handed off
        // and not waited for.
        #expect(try waitUntil { try live.count("SELECT count(*) FROM tokens WHERE id = ? AND last_used_at IS NOT NULL", [id]) == 1 })
        let used = try owner.get("/tokens/\(id)").json?["last_used_at"]?.stringValue
        #expect(used.map { $0.hasSuffix("Z") && $0.count == 20 } == true)
        #expect(try live.count("SELECT count(*) FROM tokens WHERE id = ? AND last_used_at IS NOT NULL", [id]) == 1)

        #expect(try owner.delete("/tokens/\(id)").status == 204)
        let revoked = try laptop.get("/me")
        #expect(revoked.status == 401)
        #expect(revoked.code == "invalid_token")
        #expect(try owner.get("/tokens/\(id)").code == "not_found")
        let again = try owner.delete("/tokens/\(id)")
        #expect(again.status == 404)
        #expect(again.code == "not_found")
        #expect(try live.count("SELECT count(*) FROM tokens") == 1)
    }

    /// Names are letters and digits of any script plus '.', '_' and '-'; the rest is refused and nothing is stored.
    @Test func userNamesTakeLettersOfAnyScript() throws {
        let live = try LiveServer()
        for name in ["José.Ünal_2", "名前", "Zoë-3", "٣"] {
            #expect(try live.newUser(name).get("/me").json?["name"] == .string(name))
        }
        for name in ["bad name", "a/b", "tab\tname", "emoji🙂", "semi;colon"] {
            #expect(throws: DomainError.self) { try live.newUser(name) }
        }
        #expect(try live.count("SELECT count(*) FROM users") == 5)
    }

    @Test func tokenBodiesAreStrict() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let readOnly = try owner.post("/tokens", #"{"token":"fh_mine"}"#)
        #expect(readOnly.status == 400)
        #expect(readOnly.problemFields == ["token"])
        let wrongType = try owner.post("/tokens", #"{"name":7}"#)
        #expect(wrongType.status == 422)
        #expect(wrongType.code == "validation_failed")
        #expect(wrongType.problemFields == ["name"])
        let tooLong = try owner.post("/tokens", #"{"name":"\#(String(repeating: "x", count: 101))"}"#)
        #expect(tooLong.status == 422)
        #expect(tooLong.problemFields == ["name"])
        #expect(try live.count("SELECT count(*) FROM tokens") == 1)
    }
}

@Suite("Metrics", .timeLimit(.minutes(1)))
struct MetricsTests {
    @Test func prometheusTextCountsRequestsByRouteTemplate() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let id = try owner.create("/contacts", #"{"name":"Ada"}"#)
        _ = try owner.get("/contacts/\(id)")
        _ = try owner.get("/contacts/999")
        _ = try owner.get("/no/such/path")
        #expect(try live.client().request("GET", "/metrics").isProblem(401, "unauthorized"))
        // That client is gone; the server notices its close asynchronously (bounded wait).
        let deadline = Date().addingTimeInterval(10)
        while live.server.connectionCount != 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let response = try owner.get("/metrics")
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = response.text
        #expect(text.contains(#"foothold_http_requests_total{method="GET",route="/contacts/{id}",status="200"} 1"#))
        #expect(text.contains(#"foothold_http_requests_total{method="GET",route="/contacts/{id}",status="404"} 1"#))
        #expect(text.contains(#"foothold_http_requests_total{method="POST",route="/contacts",status="201"} 1"#))
        #expect(text.contains(#"route="unmatched",status="404"} 1"#))
        #expect(!text.contains("/contacts/999"))
        #expect(text.contains("# TYPE foothold_http_request_duration_seconds histogram"))
        #expect(text.contains(#"foothold_http_request_duration_seconds_bucket{le="+Inf"} 5"#))
        // The anonymous client above has gone; only the owner's connection is open.
        #expect(text.contains("foothold_open_connections 1\n"))
        #expect(text.contains("foothold_worker_queue_depth 0"))
        #expect(text.contains("foothold_db_reader_waits_total"))
        // The standard process series and the database's own.
        func value(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        #expect((value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((value("process_open_fds") ?? 0) >= 3)
        #expect((value("process_open_fds") ?? .infinity) < (value("process_max_fds") ?? 0))
        #expect((value("process_cpu_seconds_total") ?? -1) > 0)
        let started = value("process_start_time_seconds") ?? 0
        #expect(started > Date().timeIntervalSince1970 - 86_400 && started <= Date().timeIntervalSince1970 + 1)
        #expect(value("foothold_db_wal_frames") != nil)
        #expect(value("foothold_db_writer_queue_depth") == 0)
        #expect(value("foothold_db_checkpoints_total") != nil)
        #expect(value("foothold_db_checkpoint_seconds_total") != nil)
        #expect(text.contains("# TYPE foothold_db_batch_size histogram"))
        // At least the create above went through the writer.
        #expect((value("foothold_db_batch_size_count") ?? 0) >= 1)
        #expect(value("foothold_db_batch_size_bucket{le=\"+Inf\"}") == value("foothold_db_batch_size_count"))
    }

    /// Ready when a read and a no-op write both answer within a second; not while the writer is stuck.
    @Test func readinessAsksTheDatabase() throws {
        let live = try LiveServer()
        let anonymous = try live.client()
        let ready = try anonymous.request("GET", "/ready")
        #expect(ready.status == 200)
        #expect(ready.json?["status"] == .string("ready"))
        let database = try #require(live.database)
        let gate = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        let held = database.submit { _ in
            holding.signal()
            _ = gate.wait(timeout: .now() + 10)
        }
        try holding.waitOrThrow(10, "held write")
        let stuck = try anonymous.request("GET", "/ready")
        #expect(stuck.isProblem(503, "not_ready"))
        #expect(stuck.header("retry-after") == "1")
        // A 503 closes its connection; liveness (on a new one) does not ask the database.
        #expect(anonymous.isClosedByPeer())
        #expect(try live.client().request("GET", "/health").status == 200)
        gate.signal()
        try held.value(within: 10)
        #expect(try live.client().request("GET", "/ready").status == 200)
    }
}

@Suite("Readiness while starting and stopping", .timeLimit(.minutes(1)))
struct ReadinessStateTests {
    @Test func notReadyBeforeTheServerIsAttachedNorWhileItDrains() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("ready.sqlite")))
        try Migrations.migrator.migrate(database)
        let context = FootholdApp.Context(services: Services(database: database))
        let app = FootholdApp.makeResponder(context: context, cors: CORSPolicy(allowedOrigins: []))
        let head = HTTPRequestHead(method: "GET", target: "/ready", path: "/ready", query: nil, version: .http1_1, headers: HTTPHeaders(), keepAlive: true)
        let starting = app.respond(to: Request(head: head, body: []))
        #expect(starting.status == 503)
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.accessLog = false
        configuration.ioThreads = 1
        configuration.workerThreads = 1
        let server = HTTPServer(configuration: configuration, responder: app)
        try server.start()
        FootholdApp.attach(server, to: context)
        #expect(app.respond(to: Request(head: head, body: [])).status == 200)
        let stopped = DispatchSemaphore(value: 0)
        server.shutdown { stopped.signal() }
        #expect(server.isDraining)
        #expect(app.respond(to: Request(head: head, body: [])).status == 503)
        try stopped.waitOrThrow(10, "shutdown")
    }
}
