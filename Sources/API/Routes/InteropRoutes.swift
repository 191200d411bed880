#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// Imports (LinkedIn, vCard, JSON), exports (vCard, CSV, JSON) and the calendar feed.
enum InteropRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let imports = context.imports
        let contacts = context.contacts
        let storage = context.storage
        let calendar = context.calendar
        let limit = context.importBodyLimit

        router.add("POST", "/imports/linkedin", auth.route(bodyLimit: limit) { request, principal in
            let (dryRun, extras) = try importQuery(request)
            // Browsers on Windows label a .csv file application/vnd.ms-excel.
            try requireType(request, ["text/csv", "application/csv", "application/vnd.ms-excel"], example: "text/csv")
            let records: [ImportRecord]
            do {
                records = try LinkedInConnections.records(request.body)
            } catch let error as LinkedInConnections.NotConnections {
                throw Problem(status: 422, code: "not_linkedin_csv", detail: error.reason)
            }
            return try report(imports, userID: principal.userID, records: records, dryRun: dryRun, extras: extras, what: "LinkedIn")
        })

        router.add("POST", "/imports/vcard", auth.route(bodyLimit: limit) { request, principal in
            let (dryRun, extras) = try importQuery(request)
            try requireType(request, ["text/vcard", "text/x-vcard", "text/directory"], example: "text/vcard")
            let records: [ImportRecord]
            do {
                records = try VCard.records(request.body)
            } catch let error as VCard.Malformed {
                throw Problem(status: 422, code: "not_vcard", detail: error.reason)
            }
            return try report(imports, userID: principal.userID, records: records, dryRun: dryRun, extras: extras, what: "vCard")
        })

        router.add("POST", "/imports/json", auth.route(bodyLimit: limit) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            try requireType(request, ["application/json"], example: "application/json")
            let value: JSONValue
            do {
                value = try JSONParser.parse(request.body)
            } catch {
                throw Problem.badRequest("malformed_json", "The body is not JSON: \(error).")
            }
            let (account, tables) = try exportContents(value)
            let restored = try context.accountImport.restore(userID: principal.userID, account: account, tables: tables)
            var w = JSONWriter(capacity: 512)
            w.objectStart()
            w.key("restored")
            w.objectStart()
            for (table, rows) in restored.counts {
                w.key(table)
                w.int(rows)
            }
            w.objectEnd()
            w.objectEnd()
            return Response.json(201, w)
        })

        router.add("GET", "/contacts.vcf", auth.route { request, principal in
            let filter = try ContactRoutes.exportFilter(request)
            return Response.stream(headers: [("Content-Type", "text/vcard; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"contacts.vcf\"")]) { out in
                try contacts.exportEach(userID: principal.userID, filter: filter) { contact, organization in
                    try out.write(VCard.card(contact, organization: organization))
                }
            }
        })

        router.add("GET", "/contacts.csv", auth.route { request, principal in
            let filter = try ContactRoutes.exportFilter(request)
            let header = [
                "id", "name", "title", "organization", "email", "phone", "linkedin_url", "location", "source", "hook", "stage", "keep_in_touch_days",
                "tags", "notes", "created_at", "updated_at",
            ]
            return Response.stream(headers: [("Content-Type", "text/csv; charset=utf-8; header=present"), ("Content-Disposition", "attachment; filename=\"contacts.csv\"")]) { out in
                try out.write(CSV.line(header))
                try contacts.exportEach(userID: principal.userID, filter: filter) { contact, organization in
                    try out.write(
                        CSV.line([
                            String(contact.id), contact.name, contact.title ?? "", organization ?? "", contact.email ?? "", contact.phone ?? "",
                            contact.linkedinURL ?? "", contact.location ?? "", contact.source ?? "", contact.hook ?? "", contact.stage.rawValue,
                            contact.keepInTouchDays.map(String.init) ?? "", contact.tags.joined(separator: ";"), contact.notes ?? "",
                            RFC3339.format(contact.createdAt), RFC3339.format(contact.updatedAt),
                        ]))
                }
            }
        })

        router.add("GET", "/export", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let now = Date()
            return Response.stream(headers: [("Content-Type", "application/json"), ("Content-Disposition", "attachment; filename=\"foothold-export.json\"")]) { out in
                try writeExport(userID: principal.userID, storage: storage, now: now, out)
            }
        })

        router.add("POST", "/feeds", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            // The body is optional: a feed needs no name.
            var name: String?
            if !request.body.isEmpty {
                var body = try BodyReader(request, fields: ["name"], computed: ["id", "token", "url", "created_at"])
                name = body.string("name").applied(to: nil)
                try body.finish()
            }
            let (feed, token) = try calendar.create(userID: principal.userID, name: name)
            var w = JSONWriter(capacity: 256)
            write(feed, &w, token: token, base: baseURL(request, context))
            return Response.json(201, w, headers: [("Location", "/feeds/\(feed.id)")])
        })

        router.add("GET", "/feeds", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let feeds = try calendar.list(userID: principal.userID)
            var w = JSONWriter(capacity: 128 + feeds.count * 128)
            w.objectStart()
            w.key("items")
            w.arrayStart()
            for feed in feeds { write(feed, &w, token: nil, base: nil) }
            w.arrayEnd()
            w.key("next_cursor")
            w.null()
            w.objectEnd()
            return Response.json(200, w)
        })

        router.add("DELETE", "/feeds/{id:int}", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            try calendar.revoke(userID: principal.userID, id: try request.intParameter("id"))
            return Reply.noContent
        })

        // No bearer token: the feed's own token is the credential, in the path for calendar apps.
        router.add("GET", "/calendar/{file}", Route { request in
            _ = try FlagQuery.flags(request, allowed: [])
            guard let file = request.parameters["file"], file.hasSuffix(".ics"), let text = try calendar.calendar(token: String(file.dropLast(4))) else {
                throw Problem.notFound("No such calendar.")
            }
            let body = Array(text.utf8)
            let etag = "\"" + String(fnv1a(body), radix: 16) + "\""
            if let match = request.headers["if-none-match"], match.split(separator: ",").contains(where: { $0.trimmingHTTPWhitespace() == etag || $0.trimmingHTTPWhitespace() == "*" }) {
                return Response(status: 304, headers: [("ETag", etag), ("Cache-Control", "private, max-age=300")])
            }
            return Response(
                status: 200, headers: [("Content-Type", "text/calendar; charset=utf-8"), ("ETag", etag), ("Cache-Control", "private, max-age=300")], body: body)
        })
    }

    /// `{"version", "exported_at", "account", <collection>: [rows]…}`, a row at a time: the
    /// envelope's keys are fixed ASCII, everything read from the database goes through JSONWriter.
    static func writeExport(userID: Int64, storage: Storage, now: Date, _ out: BodyWriter) throws {
        var first = true
        var inCollection = false
        try out.write("{\"version\":\(AccountExport.version),\"exported_at\":\"\(RFC3339.format(now))\",\"account\":")
        try AccountExport.read(
            userID: userID, storage: storage,
            account: { settings in
                var w = JSONWriter(capacity: 256)
                w.objectStart()
                for (name, value) in settings {
                    w.key(name)
                    if let value { w.string(value) } else { w.null() }
                }
                w.objectEnd()
                try out.write(w.bytes)
            },
            collection: { name in
                try out.write((inCollection ? "]" : "") + ",\"\(name)\":[")
                inCollection = true
                first = true
            },
            row: { columns, values in
                var w = JSONWriter(capacity: 512)
                w.objectStart()
                for (column, value) in zip(columns, values) {
                    w.key(column)
                    switch value {
                    case .null, .blob: w.null()
                    case .integer(let number): w.int(number)
                    case .real(let number): w.double(number)
                    case .text(let text): w.string(text)
                    }
                }
                w.objectEnd()
                if !first { try out.write([UInt8(ascii: ",")]) }
                first = false
                try out.write(w.bytes)
            })
        try out.write(inCollection ? "]}" : "}")
    }

    /// 64-bit FNV-1a: a cheap fingerprint of a calendar for its ETag.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Where the client reached the server: `--public-url`, else the Host it asked for, over
    /// https when a trusted proxy says the client used it (so a feed's secret is not handed
    /// out in an http URL behind a TLS proxy).
    static func baseURL(_ request: Request, _ context: FootholdApp.Context) -> String? {
        if let url = context.publicURL { return url }
        guard let host = request.headers["host"], !host.isEmpty else { return nil }
        return (request.forwardedHTTPS ? "https://" : "http://") + host
    }

    static func write(_ feed: Feed, _ w: inout JSONWriter, token: String?, base: String?) {
        w.objectStart()
        w.field("id", feed.id)
        w.field("name", feed.name)
        if let token {
            w.field("token", token)
            let path = "/calendar/\(token).ics"
            w.field("url", base.map { $0 + path } ?? path)
        }
        w.field("created_at", feed.createdAt)
        w.objectEnd()
    }

    /// 415 unless the body is one of `types`.
    static func requireType(_ request: Request, _ types: [String], example: String) throws {
        let type = request.headers["content-type"]?.split(separator: ";").first.map { $0.trimmingHTTPWhitespace().lowercased() } ?? ""
        guard types.contains(type) else {
            throw Problem(status: 415, code: "unsupported_media_type", detail: "Send the body as \(example).")
        }
    }

    /// `dry_run`, and `interest_ids` and `tags` (comma-separated) that every imported contact gets.
    static func importQuery(_ request: Request) throws -> (Bool, ImportExtras) {
        var dryRun = false
        var extras = ImportExtras()
        var seen = Set<String>()
        for (name, value) in try request.queryItems() {
            guard seen.insert(name).inserted else {
                throw Problem.badRequest("bad_query", "\(name) is given more than once.", errors: [.init(field: name, message: "is given more than once")])
            }
            switch name {
            case "dry_run":
                guard value == "true" || value == "false" else {
                    throw Problem.badRequest("bad_query", "dry_run must be true or false.", errors: [.init(field: name, message: "must be true or false")])
                }
                dryRun = value == "true"
            case "interest_ids":
                for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let id = Int64(part.trimmingHTTPWhitespace()), id > 0 else {
                        throw Problem.badRequest(
                            "bad_query", "interest_ids must be interest ids separated by commas, like 3,7.",
                            errors: [.init(field: name, message: "must be ids separated by commas")])
                    }
                    extras.interestIDs.append(id)
                }
            case "tags":
                extras.tags = value.split(separator: ",").map { String($0) }
            default:
                throw Problem.badRequest("bad_query", "Unknown query parameter \(name).", errors: [.init(field: name, message: "is not a parameter here")])
            }
        }
        return (dryRun, extras)
    }

    static func report(_ imports: ImportService, userID: Int64, records: [ImportRecord], dryRun: Bool, extras: ImportExtras, what: String) throws -> Response {
        let started = records.count >= 5000
        if started { ErrorLog.write("import: \(what), \(records.count) rows\(dryRun ? " (dry run)" : "")") }
        let report = try imports.importContacts(userID: userID, records: records, dryRun: dryRun, extras: extras) { done in
            if started { ErrorLog.write("import: \(what), \(done) of \(records.count) rows done") }
        }
        var w = JSONWriter(capacity: 256 + report.skipped.count * 96)
        w.objectStart()
        w.field("dry_run", report.dryRun)
        w.field("created", report.created)
        w.field("merged", report.merged)
        w.field("unchanged", report.unchanged)
        w.field("organizations_created", report.organizationsCreated)
        w.key("skipped")
        w.arrayStart()
        for skipped in report.skipped {
            w.objectStart()
            w.field("row", skipped.row)
            w.field("reason", skipped.reason)
            w.objectEnd()
        }
        w.arrayEnd()
        w.key("warnings")
        w.arrayStart()
        for warning in report.warnings {
            w.objectStart()
            w.field("row", warning.row)
            w.field("reason", warning.reason)
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
        return Response.json(200, w)
    }

    /// An export's settings and collections, every value checked to be one a column holds.
    static func exportContents(_ value: JSONValue) throws -> ([String: String?], [String: [AccountImportService.Row]]) {
        guard case .object(let members) = value else {
            throw Problem.validation([.init(field: "body", message: "must be an export: a JSON object")])
        }
        var issues: [Problem.FieldError] = []
        var account: [String: String?] = [:]
        var tables: [String: [AccountImportService.Row]] = [:]
        let collections = Set(AccountImportService.collections)
        if value["version"] != .int(Int64(AccountExport.version)) {
            issues.append(.init(field: "version", message: "must be \(AccountExport.version), the format this server reads"))
        }
        for (key, member) in members {
            switch key {
            case "version", "exported_at":
                continue
            case "account":
                guard case .object(let settings) = member else {
                    issues.append(.init(field: "account", message: "must be an object"))
                    continue
                }
                for (name, setting) in settings {
                    switch setting {
                    case .string(let text): account[name] = .some(text)
                    case .null: account[name] = .some(nil)
                    default: issues.append(.init(field: "account.\(name)", message: "must be a string or null"))
                    }
                }
            case let name where collections.contains(name):
                guard case .array(let rows) = member else {
                    issues.append(.init(field: name, message: "must be an array"))
                    continue
                }
                var converted: [AccountImportService.Row] = []
                for (index, row) in rows.enumerated() {
                    guard case .object(let fields) = row else {
                        issues.append(.init(field: "\(name)[\(index)]", message: "must be an object"))
                        continue
                    }
                    var out: AccountImportService.Row = []
                    for (column, field) in fields {
                        switch field {
                        case .null: out.append((column, .null))
                        case .bool(let flag): out.append((column, .integer(flag ? 1 : 0)))
                        case .int(let number): out.append((column, .integer(number)))
                        case .double(let number): out.append((column, .real(number)))
                        case .string(let text): out.append((column, .text(text)))
                        default: issues.append(.init(field: "\(name)[\(index)].\(column)", message: "must be a string, number or null"))
                        }
                    }
                    converted.append(out)
                }
                tables[name] = converted
            default:
                issues.append(.init(field: key, message: "is not a collection of an export"))
            }
        }
        if !issues.isEmpty { throw Problem.validation(Array(issues.prefix(50))) }
        return (account, tables)
    }
}
