import Primitives
import SQLiteCore

/// One search hit: what it is, its id, a title and the matching words in context (marked `<b>`…`</b>`).
public struct SearchHit: Sendable, Equatable {
    public var type: String
    public var id: Int64
    public var title: String
    public var snippet: String
}

/// A page of hits and the offset of the next, if any.
public struct SearchPage: Sendable {
    public var items: [SearchHit]
    public var nextOffset: Int?
}

/// `GET /search`: full text across contacts, organizations, meetings, events, leads and outreach
/// notes (migration 0013's `search_index`, kept by triggers), ranked by bm25 with titles
/// weighing ten times the rest, after the hits whose own name holds every word typed: a
/// person, organization, event, lead or insight found by name comes before the meetings
/// and outreach whose titles merely mention them.
public final class SearchService: Sendable {
    let storage: Storage

    /// The type codes of the rowid (see `SearchIndex.rowid`).
    static let types = [1: "contact", 2: "organization", 3: "meeting", 4: "event", 5: "lead", 6: "outreach", 7: "insight"]
    public static let maxQueryLength = 500
    /// Ranked results page by offset: the cursor carries it as its only key.
    public static let order = ListOrder(name: "rank", columns: [], descending: false)
    /// How deep paging goes: ranked results have no keyset, and nobody reads past this.
    public static let maxOffset = 10_000

    /// The write generation at which the index was last found complete.
    private let checkedGeneration = Lock<Int64?>(nil)

    public init(storage: Storage) {
        self.storage = storage
    }

    /// Ranked hits for `query` in the user's rows. A query of plain words matches each word as a
    /// prefix ("jan ber" finds "Janet Bergström"); one using FTS5 syntax (quotes, `*`, `AND`,
    /// `OR`, `NOT`, `NEAR`, parentheses, `column:`) is taken as written. Bad syntax is a 400.
    public func search(userID: Int64, query: String, limit: Int, offset: Int) throws -> SearchPage {
        let expression = try Self.expression(query)
        // Only plain words (the expression is ours) are also matched against names alone.
        let byName = Self.isPlainWords(query) ? "title : (" + expression + ")" : nil
        // Whatever the triggers queued is indexed first, so every committed write is found.
        while try storage.read({ try SearchIndex.hasPending($0) }) {
            _ = try storage.submit(bookkeeping: true) { try SearchIndex.drain($0) }.wait()
        }
        guard let range = SearchIndex.range(userID: userID) else { return SearchPage(items: [], nextOffset: nil) }
        do {
            return try storage.read { connection in
                var items: [SearchHit] = []
                try SearchIndex.matches(connection, expression: expression, byName: byName, range: range, limit: limit + 1, offset: offset) { match in
                    guard let (type, id) = SearchIndex.decode(match.rowid), let name = Self.types[Int(type)] else { return }
                    // Found by name: the name, marked. Else the body's words in context when they
                    // matched there, else the title's.
                    let snippet = match.byName || !match.bodySnippet.contains("<b>") ? match.titleSnippet : match.bodySnippet
                    items.append(SearchHit(type: name, id: id, title: match.title, snippet: snippet))
                }
                let more = items.count > limit
                return SearchPage(items: Array(items.prefix(limit)), nextOffset: more ? offset + limit : nil)
            }
        } catch let error as SQLiteError where Self.isQueryError(error) {
            throw DomainError.badQuery(field: "q", detail: "q is not a valid search: \(error.message). Quote words with special characters.")
        }
    }

    /// Indexes what is queued, in the background (the server's timer calls it); a no-op when
    /// nothing is, or while writes keep coming. Returns at once.
    public func indexPending() {
        // Only while writes are quiet: under a stream of writes indexing would take the writer
        // from them, and a search indexes what it needs first anyway. Nothing at all when no
        // write happened since the index was last found complete. On the writer's connection:
        // a reader opened only for this would load the whole schema for it.
        let generation = storage.writeGeneration
        guard storage.isQuiet(for: 2), checkedGeneration.withLock({ $0 != generation }) else { return }
        let checked = checkedGeneration
        storage.submit(bookkeeping: true) { connection -> Bool in
            guard try SearchIndex.hasPending(connection) else { return true }
            return try SearchIndex.drain(connection) < SearchIndex.batch && !SearchIndex.hasPending(connection)
        }.whenComplete { result in
            if case .success(true) = result { checked.withLock { $0 = generation } }
        }
    }

    /// FTS5 reports a bad query as SQLITE_ERROR with its own message.
    static func isQueryError(_ error: SQLiteError) -> Bool {
        error.code & 0xFF == 1 && (error.message.contains("fts5") || error.message.contains("syntax") || error.message.contains("no such column"))
    }

    static let operators: Set<Substring> = ["AND", "OR", "NOT", "NEAR"]
    static let special: Set<Character> = ["\"", "*", "(", ")", ":", "^", "+", "{", "}"]

    /// Whether the query is words only, with no FTS5 syntax.
    static func isPlainWords(_ query: String) -> Bool {
        let words = query.trimmingWhitespace().split(whereSeparator: { $0 == " " || $0 == "\t" })
        return !(words.contains { operators.contains($0) || $0.hasPrefix("NEAR(") } || query.contains { special.contains($0) })
    }

    /// The FTS5 expression for what the user typed.
    static func expression(_ query: String) throws(DomainError) -> String {
        let trimmed = query.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw DomainError.badQuery(field: "q", detail: "q is required: the words to search for.") }
        guard trimmed.utf8.count <= maxQueryLength else {
            throw DomainError.badQuery(field: "q", detail: "q is longer than \(maxQueryLength) bytes.")
        }
        guard trimmed.utf8.allSatisfy({ $0 >= 0x20 || $0 == 0x09 }) else {
            throw DomainError.badQuery(field: "q", detail: "q contains control characters.")
        }
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if isPlainWords(trimmed) {
            return words.map { "\"" + $0 + "\"*" }.joined(separator: " ")
        }
        // Taken as written; unbalanced parentheses and quotes are named here rather than in
        // FTS5's own words.
        var depth = 0
        var quoted = false
        for character in trimmed {
            if character == "\"" { quoted.toggle() }
            guard !quoted else { continue }
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                if depth < 0 { throw DomainError.badQuery(field: "q", detail: "q has a \")\" without its \"(\".") }
            }
        }
        guard depth == 0, !quoted else { throw DomainError.badQuery(field: "q", detail: "q has an unclosed \"(\" or quote.") }
        return trimmed
    }
}
