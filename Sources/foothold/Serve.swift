import API
import ArgumentParser
import Outbound
import Dispatch
import CSystemShims
@_spi(Composition) import Domain
import Primitives
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import HTTPCore
import SQLiteCore

/// `foothold serve`: migrate the database and answer HTTP until SIGTERM or SIGINT.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API server (the default command).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on; IPv4 or IPv6 (env FOOTHOLD_HOST).")
    var host: String = Environment.string("FOOTHOLD_HOST") ?? "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one (env FOOTHOLD_PORT).")
    var port: Int = Environment.int("FOOTHOLD_PORT") ?? 8080

    @Option(help: "SQLite durability: full (survives power loss) or normal (env FOOTHOLD_SYNCHRONOUS).")
    var synchronous: String = Environment.string("FOOTHOLD_SYNCHRONOUS") ?? "full"

    // Litestream holds a read transaction between its syncs and checkpoints the WAL itself; our
    // PASSIVE checkpoints cannot pass its read point, and one that holds SQLite's checkpoint
    // lock when Litestream's comes makes Litestream's return busy (the WAL then runs on for
    // another sync interval). `external` leaves the WAL to it; see Database.Checkpoints.
    @Option(help: "Who checkpoints the WAL: internal (this server) or external (a replicator such as Litestream; env FOOTHOLD_CHECKPOINT).")
    var checkpoint: String = Environment.string("FOOTHOLD_CHECKPOINT") ?? "internal"

    @Option(help: "Comma-separated origins allowed by CORS (env FOOTHOLD_CORS_ORIGINS).")
    var corsOrigins: String = Environment.string("FOOTHOLD_CORS_ORIGINS") ?? ""

    @Option(help: "Largest request body in bytes (env FOOTHOLD_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = Environment.int("FOOTHOLD_MAX_BODY_BYTES") ?? 1024 * 1024

    @Option(help: "Longest request line in bytes; longer is 414 (env FOOTHOLD_MAX_REQUEST_LINE_BYTES).")
    var maxRequestLineBytes: Int = Environment.int("FOOTHOLD_MAX_REQUEST_LINE_BYTES") ?? 8 * 1024

    @Option(help: "Longest single header line in bytes; longer is 431 (env FOOTHOLD_MAX_HEADER_LINE_BYTES).")
    var maxHeaderLineBytes: Int = Environment.int("FOOTHOLD_MAX_HEADER_LINE_BYTES") ?? 8 * 1024

    @Option(help: "All header lines together in bytes; more is 431 (env FOOTHOLD_MAX_HEADER_BYTES).")
    var maxHeaderBytes: Int = Environment.int("FOOTHOLD_MAX_HEADER_BYTES") ?? 32 * 1024

    @Option(help: "Most header fields; more is 431 (env FOOTHOLD_MAX_HEADER_COUNT).")
    var maxHeaderCount: Int = Environment.int("FOOTHOLD_MAX_HEADER_COUNT") ?? 100

    @Option(help: "Most simultaneous connections (env FOOTHOLD_MAX_CONNECTIONS).")
    var maxConnections: Int = Environment.int("FOOTHOLD_MAX_CONNECTIONS") ?? 1024

    @Option(help: "Most simultaneous connections from one client address; 0 for no cap (env FOOTHOLD_MAX_CONNECTIONS_PER_ADDRESS).")
    var maxConnectionsPerAddress: Int = Environment.int("FOOTHOLD_MAX_CONNECTIONS_PER_ADDRESS") ?? 0

    @Option(help: "Seconds to receive a request head (env FOOTHOLD_HEADER_TIMEOUT).")
    var headerTimeout: Double = Environment.double("FOOTHOLD_HEADER_TIMEOUT") ?? 10

    @Option(help: "Seconds of silence allowed in a request body (env FOOTHOLD_BODY_TIMEOUT).")
    var bodyTimeout: Double = Environment.double("FOOTHOLD_BODY_TIMEOUT") ?? 30

    @Option(help: "Seconds an idle keep-alive connection stays open (env FOOTHOLD_IDLE_TIMEOUT).")
    var idleTimeout: Double = Environment.double("FOOTHOLD_IDLE_TIMEOUT") ?? 60

    // One core is left to the writer thread, the workers and the checkpoints: an I/O loop that
    // competes with them for a core is preempted mid-batch, and every connection it owns waits.
    // On 2 cores one loop measured W1 122k req/s with p99 0.48 ms (two: 124k, 2–3.4 ms), W4
    // 26–27k creates/s (two: 22–24k), W2 41k (two: 51k).
    @Option(help: "I/O threads (epoll loops owning connections); default one per core less one, at least 1 (env FOOTHOLD_IO_THREADS).")
    var ioThreads: Int = Environment.int("FOOTHOLD_IO_THREADS") ?? max(1, System.coreCount - 1)

    // Writes and point reads run on the I/O threads; workers run lists, which compute and hold
    // a reader connection, so threads beyond the cores only queue (a list workload measured
    // 9.7–10.9k req/s with 4 workers against 8.2–9.1k with 32, on 2 cores, and 1.7 MB less RSS;
    // with 2 workers against 4, p99 5.0 against 6.4–6.9 ms at the same rate).
    @Option(help: "Handler threads for lists and reports; default one per core, at least 2 (env FOOTHOLD_WORKERS).")
    var workers: Int = Environment.int("FOOTHOLD_WORKERS") ?? max(2, System.coreCount)

    @Option(help: "Failed authentications per client address per minute before 429 (env FOOTHOLD_AUTH_FAILURE_LIMIT).")
    var authFailureLimit: Int = Environment.int("FOOTHOLD_AUTH_FAILURE_LIMIT") ?? 10

    @Option(help: "A session ends after this many days without use; at the latest 90 days after sign-in (env FOOTHOLD_SESSION_IDLE_DAYS).")
    var sessionIdleDays: Int = Environment.int("FOOTHOLD_SESSION_IDLE_DAYS") ?? 14

    @Option(help: "Failed sign-ins per account name per 10 minutes before addresses that keep failing get 429 (env FOOTHOLD_ACCOUNT_FAILURE_LIMIT).")
    var accountFailureLimit: Int = Environment.int("FOOTHOLD_ACCOUNT_FAILURE_LIMIT") ?? 10

    @Option(help: "Largest import body in bytes (POST /imports/*) (env FOOTHOLD_MAX_IMPORT_BYTES).")
    var maxImportBytes: Int = Environment.int("FOOTHOLD_MAX_IMPORT_BYTES") ?? 32 * 1024 * 1024

    @Option(help: "Comma-separated CIDR blocks of reverse proxies whose X-Forwarded-For is believed (env FOOTHOLD_TRUSTED_PROXIES).")
    var trustedProxies: String = Environment.string("FOOTHOLD_TRUSTED_PROXIES") ?? ""

    /// The blocks of `trustedProxies`; nil names the first one that is not a block.
    private func proxyBlocks() -> Result<[AddressBlock], ValidationError> {
        var blocks: [AddressBlock] = []
        for item in trustedProxies.split(separator: ",").map({ $0.trimmingWhitespace() }) where !item.isEmpty {
            guard let block = AddressBlock(item) else {
                return .failure(ValidationError("--trusted-proxies: '\(item)' is not an address or CIDR block such as 10.0.0.0/8 or ::1/128."))
            }
            blocks.append(block)
        }
        return .success(blocks)
    }

    @Option(help: "The URL clients reach this server at, e.g. https://foothold.example.org, for the links it hands out (calendar feeds) (env FOOTHOLD_PUBLIC_URL).")
    var publicURL: String = Environment.string("FOOTHOLD_PUBLIC_URL") ?? ""

    @Option(help: "Serve the web front from this folder, read on every request, instead of the copy built in (env FOOTHOLD_WEB_ROOT).")
    var webRoot: String = Environment.string("FOOTHOLD_WEB_ROOT") ?? ""

    @Flag(help: "Do not serve the web front; only the API.")
    var noWeb = false

    @Option(help: "The origin of the API the web front served here talks to, when it is another server, e.g. https://api.example.org (env FOOTHOLD_WEB_API_ORIGIN).")
    var webAPIOrigin: String = Environment.string("FOOTHOLD_WEB_API_ORIGIN") ?? ""

    @Flag(help: "Do not write the access log.")
    var quiet = false

    @Option(help: "Where mail leaves for digests: smtp://user:pass@host:587 (STARTTLS required) or smtps://user:pass@host:465; plain SMTP only to a loopback relay. Unset: no mail, digests off (env FOOTHOLD_SMTP_URL; the password is never logged).")
    var smtpURL: String = Environment.string("FOOTHOLD_SMTP_URL") ?? ""

    @Option(help: "The sender address of digests, e.g. foothold@example.org (env FOOTHOLD_SMTP_FROM).")
    var smtpFrom: String = Environment.string("FOOTHOLD_SMTP_FROM") ?? ""

    @Option(help: "A CA bundle to trust for the SMTP server instead of the system's (env FOOTHOLD_SMTP_CA_FILE).")
    var smtpCAFile: String = Environment.string("FOOTHOLD_SMTP_CA_FILE") ?? ""

    @Flag(help: "Allow webhooks to plain http:// URLs (local testing only).")
    var allowHTTPWebhooks = false

    @Flag(help: "Allow webhooks to loopback, private and link-local addresses (this server's own network; off by default against SSRF).")
    var allowPrivateWebhooks = false

    @Option(help: "A CA bundle to trust for webhook receivers instead of the system's (env FOOTHOLD_WEBHOOK_CA_FILE).")
    var webhookCAFile: String = Environment.string("FOOTHOLD_WEBHOOK_CA_FILE") ?? ""

    /// The SMTP settings the flags give; nil when mail is off.
    func smtpSettings() throws -> SMTPSettings? {
        guard !smtpURL.isEmpty || !smtpFrom.isEmpty else { return nil }
        guard !smtpURL.isEmpty, !smtpFrom.isEmpty else { throw ValidationError("--smtp-url and --smtp-from go together.") }
        do {
            return try SMTPSettings(url: smtpURL, from: smtpFrom, caFile: smtpCAFile.isEmpty ? nil : smtpCAFile)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        guard ["internal", "external"].contains(checkpoint) else {
            throw ValidationError("--checkpoint must be 'internal' or 'external'.")
        }
        guard SQLiteConnection.Synchronous(rawValue: synchronous.uppercased()) != nil else {
            throw ValidationError("--synchronous must be 'full' or 'normal'.")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535.") }
        guard maxBodyBytes > 0, maxConnections > 0, workers > 0, ioThreads > 0, maxRequestLineBytes > 0, maxHeaderLineBytes > 0,
              maxHeaderBytes > 0, maxHeaderCount > 0
        else {
            throw ValidationError("Limits, --max-connections and --workers must be positive.")
        }
        guard headerTimeout > 0, bodyTimeout > 0, idleTimeout > 0 else { throw ValidationError("Timeouts must be positive.") }
        guard maxConnectionsPerAddress >= 0 else { throw ValidationError("--max-connections-per-address must be 0 (no cap) or more.") }
        guard authFailureLimit > 0 else { throw ValidationError("--auth-failure-limit must be positive.") }
        guard accountFailureLimit > 0 else { throw ValidationError("--account-failure-limit must be positive.") }
        guard (1...90).contains(sessionIdleDays) else { throw ValidationError("--session-idle-days must be 1…90.") }
        _ = try proxyBlocks().get()
        _ = try smtpSettings()
        if !webAPIOrigin.isEmpty {
            var validator = Validator()
            validator.url("web_api_origin", webAPIOrigin)
            let afterScheme = webAPIOrigin.split(separator: "/", omittingEmptySubsequences: false).dropFirst(3)
            guard validator.issues.isEmpty, afterScheme.isEmpty, !webAPIOrigin.contains("?"), !webAPIOrigin.contains("#") else {
                throw ValidationError("--web-api-origin must be an origin: scheme, host and port only, such as https://api.example.org.")
            }
        }
        if !webRoot.isEmpty {
            var info = stat()
            guard stat(webRoot, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ValidationError("--web-root '\(webRoot)' is not a folder.")
            }
        }
        if !publicURL.isEmpty {
            var validator = Validator()
            validator.url("public_url", publicURL)
            guard validator.issues.isEmpty, !publicURL.contains("?"), !publicURL.contains("#") else {
                throw ValidationError("--public-url must be an absolute http or https URL without a query, such as https://foothold.example.org.")
            }
        }
    }

    func run() throws {
        // glibc gives up to 8 malloc arenas per core, each keeping freed memory of its own;
        // 2 per core measured 1 MB less peak RSS on a list workload at the same throughput.
        // MALLOC_ARENA_MAX, when set, still decides.
        if Environment.string("MALLOC_ARENA_MAX") == nil { _ = foothold_limit_malloc_arenas(Int32(max(2, System.coreCount * 2))) }
        // The writer frees and reallocates the same few MB every batch; at glibc's 128 KiB
        // default each free returned it (madvise, TLB shootdowns) and the next batch faulted it
        // back in: a tenth of the writer's time on meeting writes. Peak RSS is unchanged.
        if Environment.string("MALLOC_TRIM_THRESHOLD_") == nil { _ = foothold_set_malloc_trim_threshold(8 << 20) }
        let stopSignals = try StopSignals.install()
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        let mode = SQLiteConnection.Synchronous(rawValue: synchronous.uppercased()) ?? .full
        let store: Database
        let services: Services
        do {
            store = try Database(.init(path: database.db, synchronous: mode, checkpoints: checkpoint == "external" ? .external() : .internal))
            let mail = try smtpSettings().map { SMTPMail(client: SMTPClient(settings: $0)) }
            if let mail { printError("foothold: digests go out through \(mail.client.settings.redacted) as \(mail.from)") }
            let policy = WebhookPolicy(allowHTTP: allowHTTPWebhooks, allowPrivate: allowPrivateWebhooks, caFile: webhookCAFile.isEmpty ? nil : webhookCAFile)
            services = Services(
                database: store, sessionIdleDays: sessionIdleDays, mail: mail, publicURL: publicURL.isEmpty ? nil : publicURL,
                webhookTransport: CurlWebhooks(poster: WebhookPoster(policy: policy)))
            let applied = try Migrations.migrator.migrate(store)
            if !applied.isEmpty { printError("foothold: applied migrations \(applied.joined(separator: ", ")) to \(database.db)") }
            if let token = try services.accounts.bootstrapOwnerIfEmpty() {
                // Shown once: only its hash is stored.
                printError("foothold: created the owner account; its token (shown only now): \(token)")
            }
        } catch {
            printError("foothold: cannot open \(database.db): \(error)")
            throw ExitCode(1)
        }

        var config = ServerConfiguration()
        config.host = host
        config.port = port
        config.limits.maxBodyBytes = maxBodyBytes
        config.limits.maxRequestLineBytes = maxRequestLineBytes
        config.limits.maxHeaderLineBytes = maxHeaderLineBytes
        config.limits.maxHeaderBytes = maxHeaderBytes
        config.limits.maxHeaderCount = maxHeaderCount
        config.maxConnections = maxConnections
        config.maxConnectionsPerAddress = maxConnectionsPerAddress
        config.headerTimeout = headerTimeout
        config.bodyTimeout = bodyTimeout
        config.idleTimeout = idleTimeout
        config.workerThreads = workers
        config.ioThreads = ioThreads
        config.accessLog = !quiet
        config.trustedProxies = TrustedProxies((try? proxyBlocks().get()) ?? [])
        let origins = corsOrigins.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        let context = FootholdApp.Context(
            services: services, authFailureLimit: authFailureLimit, accountFailureLimit: accountFailureLimit, importBodyLimit: max(1, maxImportBytes),
            publicURL: publicURL.isEmpty ? nil : publicURL)
        let apiOrigin = webAPIOrigin.isEmpty ? nil : webAPIOrigin
        let web: WebFront? = noWeb ? nil : webRoot.isEmpty ? WebFront(apiOrigin: apiOrigin) : WebFront(directory: webRoot, apiOrigin: apiOrigin)
        let responder = FootholdApp.makeResponder(context: context, cors: CORSPolicy(allowedOrigins: origins), web: web)
        let server = HTTPServer(configuration: config, responder: responder, accessLog: AccessLog(), metrics: context.metrics)
        FootholdApp.attach(server, to: context)
        do {
            try server.start()
        } catch {
            printError("foothold: cannot listen on \(host):\(port): \(error)")
            throw ExitCode(1)
        }
        // The level read back from SQLite, not the flag: what the operator sees is what runs.
        let durability = (try? store.synchronousLevel()).flatMap { $0?.rawValue.lowercased() } ?? "unknown"
        let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(server.port)"
        printError("foothold: listening on \(address) (database \(database.db), synchronous \(durability)\(checkpoint == "external" ? ", checkpoints left to a replicator" : ""))")
        if web != nil {
            // 0.0.0.0 and :: listen everywhere but are not addresses a browser can open.
            let open = host == "0.0.0.0" || host == "::" ? "http://127.0.0.1:\(server.port)" : address
            printError("foothold: open \(open)/ in a browser for the web front\(webRoot.isEmpty ? "" : " (from \(webRoot))")")
        }

        stopSignals.onSignal {
            printError("foothold: shutting down")
            server.shutdown {
                server.flushLog()
                Glibc.exit(0)
            }
        }
        let flusher = DispatchSource.makeTimerSource(queue: .global())
        flusher.schedule(deadline: .now() + 1, repeating: 1)
        // Search indexes what writes queued before every search, and here in the background
        // too, so a long run of writes without a search leaves no backlog.
        var tick = 0
        flusher.setEventHandler {
            server.flushLog()
            tick += 1
            if tick % 5 == 0 { services.search.indexPending() }
        }
        flusher.resume()
        // Digests are queued and sent on a thread of their own, never on the request path.
        services.digests.start { message in printError("foothold: \(message)") }
        services.webhooks.start { message in printError("foothold: \(message)") }
        withExtendedLifetime((flusher, store)) {
            dispatchMain()
        }
    }
}

/// Digests leave through libcurl's SMTP client.
struct SMTPMail: MailTransport {
    let client: SMTPClient

    var from: String { client.settings.from }

    func send(to recipient: String, message: [UInt8]) throws(MailFailure) {
        do {
            try client.send(to: recipient, message: message)
        } catch {
            switch error {
            case .temporary(let reason): throw .temporary(reason)
            case .permanent(let reason): throw .permanent(reason)
            }
        }
    }
}

/// Webhooks leave through libcurl, behind the SSRF policy.
struct CurlWebhooks: WebhookTransport {
    let poster: WebhookPoster

    func refusal(_ url: String) -> String? {
        switch poster.policy.check(url) {
        case .failure(let refusal): return refusal.description
        case .success(let target):
            if case .failure(let refusal) = poster.policy.resolve(target) { return refusal.description }
            return nil
        }
    }

    func post(to url: String, body: [UInt8], headers: [(String, String)]) -> (status: Int?, error: String?) {
        let response = poster.post(to: url, body: body, headers: headers)
        return (response.status, response.error)
    }
}
