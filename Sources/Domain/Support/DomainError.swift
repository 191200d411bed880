/// One invalid field, with a message for people.
public struct FieldIssue: Sendable, Equatable {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// What a service refuses, in domain terms; the API layer renders each as a problem.
public enum DomainError: Error, Sendable, Equatable {
    /// No such object for this user (also: another user's object).
    case notFound(String)
    /// The input breaks a rule; one issue per field.
    case validation([FieldIssue])
    /// The change conflicts with existing state: a taken name, a duplicate, dependants.
    case conflict(code: String, detail: String, existingID: Int64?)
    /// An action the object's current status does not allow (`complete` on a cancelled meeting).
    case illegalTransition(detail: String, status: String)
    /// The input is well-formed but a rule of the domain refuses it, with a code of its own
    /// (`nothing_to_leave_with`) and the fields it concerns.
    case unprocessable(code: String, detail: String, issues: [FieldIssue])
    /// `If-Match` named a version that is not the current one.
    case preconditionFailed(currentVersion: Int64)
    /// A pagination cursor that this list did not produce.
    case badCursor
    /// A query parameter the service could not use (bad search syntax): a 400 naming it.
    case badQuery(field: String, detail: String)
    /// The database stayed locked past its busy timeout; the client may try again.
    case busy
    /// A bounded queue (password hashing) is full; the client may try again shortly.
    case overloaded(String)
    /// The caller's role may not do this (account management): 403 `forbidden`.
    case forbidden(String)
    /// A stored row holds what its schema never allows (a timestamp that is not one, a status
    /// no enum knows): an error to look into, never a plausible wrong answer (500 `corrupt_row`).
    case corruptRow(table: String, id: Int64, column: String)
}
