import Domain
import HTTPCore
import SQLiteCore

/// Turns errors that are not already problems into problems; anything unknown becomes a
/// bare 500 that leaks nothing (the detail goes to the log only).
enum ErrorMapping {
    static func problem(for error: any Error, request: Request) -> Problem {
        if let error = error as? DomainError { return problem(for: error) }
        if let error = error as? SQLiteError {
            switch error.kind {
            case .uniqueViolation:
                return .conflict("conflict", "The change conflicts with an existing record.")
            case .foreignKeyViolation:
                return .conflict("has_dependants", "Other records still refer to this one.")
            case .checkViolation, .notNullViolation:
                return .validation(field: "body", "A value is out of its allowed range.")
            case .busy:
                return Problem(status: 503, code: "database_busy", detail: "The database is busy; try again.", headers: [("Retry-After", "1")])
            default:
                break
            }
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
        case .preconditionFailed(let current):
            return Problem(
                status: 412, code: "precondition_failed",
                detail: "If-Match does not name the current version (\(current)); fetch the object again.",
                headers: [("ETag", Conditional.etag(current))])
        case .badCursor:
            return .badRequest("bad_cursor", "cursor is not one this list produced; start again without it.")
        }
    }

    static let problem: @Sendable (any Error, Request) -> Problem = { problem(for: $0, request: $1) }
}
