import API
import Dispatch
@_spi(Composition) import Domain
import Foundation
import HTTPCore
import SQLiteCore

/// A real server on an ephemeral port: either the whole app on a fresh migrated database
/// in a temporary directory, or any responder (HTTP-level tests).
public final class LiveServer: @unchecked Sendable {
    // Immutable after init.
    public let server: HTTPServer
    public let directory: TemporaryDirectory
    public let database: Database?
    /// The owner's token, on a server running the full app.
    public private(set) var ownerToken = ""
    /// The services of the full app (tests drive its background work, such as sending digests).
    public private(set) var services: Services?

    public var port: Int { server.port }

    /// The full Foothold app, with the owner account bootstrapped.
    /// - Parameter clock: "now" for the services (a `ManualClock` pins it).
    public convenience init(
        authFailureLimit: Int = 1000, accountFailureLimit: Int = 1000, clock: any Clock = SystemClock(), importBodyLimit: Int = 32 * 1024 * 1024,
        publicURL: String? = nil, web: WebFront? = nil, faults: FaultPoints = .none, mail: (any MailTransport)? = nil,
        webhooks: (any WebhookTransport)? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("foothold.sqlite")))
        try Migrations.migrator.migrate(database)
        let services = Services(database: database, clock: clock, faults: faults, mail: mail, publicURL: publicURL, webhookTransport: webhooks)
        let context = FootholdApp.Context(
            services: services, authFailureLimit: authFailureLimit, accountFailureLimit: accountFailureLimit, importBodyLimit: importBodyLimit,
            publicURL: publicURL)
        let responder = FootholdApp.makeResponder(context: context, cors: CORSPolicy(allowedOrigins: ["https://app.example"]), web: web)
        try self.init(responder: responder, database: database, directory: directory, metrics: context.metrics, configure: configure)
        FootholdApp.attach(server, to: context)
        self.services = services
        ownerToken = try services.accounts.bootstrapOwnerIfEmpty() ?? ""
    }

    /// A client that sends the owner's token.
    public func owner() throws -> APIClient {
        try APIClient(port: port, token: ownerToken)
    }

    /// Creates another account and returns a client with its token.
    public func newUser(_ name: String) throws -> APIClient {
        guard let database else { throw ClientError("no database") }
        let (_, token) = try AccountService(storage: Storage(database: database)).addUser(name: name)
        return try APIClient(port: port, token: token)
    }

    /// Counts rows in the server's database (to check what a request wrote or did not).
    public func count(_ sql: String, _ values: [any DatabaseValueConvertible] = []) throws -> Int64 {
        guard let database else { throw ClientError("no database") }
        // A test may count a whole table: its own statements are not the product's plans.
        return try database.read { try $0.scalarInt(sql + " " + QueryPlanAudit.testMarker, values) } ?? 0
    }

    public init(
        responder: any HTTPResponder, database: Database? = nil, directory: TemporaryDirectory = TemporaryDirectory(),
        metrics: ServerMetrics = ServerMetrics(), accessLog: AccessLog? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.accessLog = accessLog != nil
        configuration.ioThreads = 2
        configuration.workerThreads = 4
        configure(&configuration)
        self.directory = directory
        self.database = database
        server = HTTPServer(configuration: configuration, responder: responder, accessLog: accessLog, metrics: metrics)
        try server.start()
    }

    /// A new raw connection to this server.
    public func client(timeout: Double = 10) throws -> RawClient {
        try RawClient(port: port, timeout: timeout)
    }

    /// Graceful shutdown; waits (at most 10 s) until it completes.
    public func stop() throws {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        try done.waitOrThrow(10, "end of the shutdown")
    }

    deinit {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        _ = done.wait(timeout: .now() + 10)
    }
}
