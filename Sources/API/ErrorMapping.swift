import Domain
import HTTPCore

/// Turns errors that are not already problems into problems; anything unknown becomes a
/// bare 500 that leaks nothing (the detail goes to the log only).
enum ErrorMapping {
    static func problem(for error: any Error, request: Request) -> Problem {
        // Storage errors arrive as DomainErrors already (Domain's `Storage` maps them).
        if let error = error as? DomainError {
            if case .corruptRow = error { ErrorLog.write("request \(request.requestID) \(request.method) \(request.path) failed: \(error)") }
            return problem(for: error)
        }
        ErrorLog.write("request \(request.requestID) \(request.method) \(request.path) failed: \(error)")
        return .internalError
    }

    static func problem(for error: DomainError) -> Problem {
        switch error {
        case .notFound(let detail):
            return .notFound(detail)
        case .validation(let issues):
            return .validation(issues.map { Problem.FieldError(field: $0.field, message: $0.message) })
        case .conflict(let code, let detail, let existingID):
            return .conflict(code, detail, extensions: existingID.map { [("existing_id", .int($0))] } ?? [])
        case .illegalTransition(let detail, let status):
            return .conflict("illegal_transition", detail, extensions: [("current_status", .string(status))])
        case .unprocessable(let code, let detail, let issues):
            return Problem(status: 422, code: code, detail: detail, errors: issues.map { Problem.FieldError(field: $0.field, message: $0.message) })
        case .preconditionFailed(let current):
            return Problem(
                status: 412, code: "precondition_failed",
                detail: "If-Match does not name the current version (\(current)); fetch the object again.",
                headers: [("ETag", Conditional.etag(current))])
        case .badQuery(let field, let detail):
            return .badRequest("bad_query", detail, errors: [.init(field: field, message: "is invalid")])
        case .badCursor:
            return CursorCodec.invalid
        case .busy:
            return Problem(status: 503, code: "database_busy", detail: "The database is busy; try again.", headers: [("Retry-After", "1")])
        case .overloaded(let detail):
            return Problem(status: 503, code: "overloaded", detail: detail, headers: [("Retry-After", "1")])
        case .forbidden(let detail):
            return Problem(status: 403, code: "forbidden", detail: detail)
        case .corruptRow(let table, let id, let column):
            return Problem(
                status: 500, code: "corrupt_row",
                detail: "Row \(id) of \(table) holds a \(column) its schema does not allow; the server's log has it. Nothing was changed.")
        }
    }

    static let problem: @Sendable (any Error, Request) -> Problem = { problem(for: $0, request: $1) }
}
