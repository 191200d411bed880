import HTTPCore
import SQLiteCore

/// Turns errors that are not already problems into problems; anything unknown becomes a
/// bare 500 that leaks nothing (the detail goes to the log only).
enum ErrorMapping {
    static func problem(for error: any Error, request: Request) -> Problem {
        if let error = error as? SQLiteError {
            switch error.kind {
            case .uniqueViolation:
                return .conflict("conflict", "The change conflicts with an existing record.")
            case .foreignKeyViolation:
                return .validation(field: "id", "A referenced object does not exist.")
            case .busy:
                return Problem(status: 503, code: "database_busy", detail: "The database is busy; try again.", headers: [("Retry-After", "1")])
            default:
                break
            }
        }
        ErrorLog.write("request \(request.requestID) \(request.method) \(request.path) failed: \(error)")
        return .internalError
    }

    static let problem: @Sendable (any Error, Request) -> Problem = { problem(for: $0, request: $1) }
}
