#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// vCards: read in versions 2.1, 3.0 and 4.0 as phones and address books write them, written
/// in 4.0 (RFC 6350): CRLF line ends, lines folded at 75 octets, text escaped, UTF-8.
public enum VCard {
    /// One property line: `group.NAME;PARAM=a,b;FLAG:value`, unfolded, with its name and
    /// parameter names upper-cased and its value still escaped.
    struct Property {
        var name: String
        var parameters: [(name: String, values: [String])]
        var value: String

        func has(_ parameter: String, _ value: String? = nil) -> Bool {
            parameters.contains { entry in
                // vCard 2.1 writes bare types (`TEL;CELL`); later versions `TYPE=cell`.
                if let value { return entry.name == parameter && entry.values.contains { $0.uppercased() == value } }
                return entry.name == parameter
            }
        }

        var isPreferred: Bool {
            has("TYPE", "PREF") || has("PREF") || parameters.contains { $0.name == "PREF" || ($0.name == "TYPE" && $0.values.contains { $0.uppercased() == "PREF" }) }
        }
    }

    /// A card as read: its properties in order, and the line it began on.
    public struct Card {
        var properties: [Property]
        public var line: Int

        func first(_ name: String) -> Property? {
            properties.first { $0.name == name }
        }

        /// The preferred one of a repeated property, else the first.
        func preferred(_ name: String) -> Property? {
            let all = properties.filter { $0.name == name }
            return all.first { $0.isPreferred } ?? all.first
        }
    }

    /// Why a body holds no vCards at all.
    public struct Malformed: Error, Sendable, Equatable {
        public var reason: String
    }

    /// The cards of a body. A card without its END is reported by `contact(from:)`'s caller
    /// as a skipped card; a body without any BEGIN:VCARD is malformed.
    public static func cards(_ bytes: [UInt8]) throws(Malformed) -> (cards: [Card], unterminated: [Int]) {
        var body = bytes
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else { throw Malformed(reason: "The body is not UTF-8 text.") }
        let lines = unfold(text)
        var cards: [Card] = []
        var unterminated: [Int] = []
        var current: Card?
        for (number, line) in lines where !line.isEmpty {
            guard let property = parse(line) else { continue }
            if property.name == "BEGIN" && property.value.uppercased() == "VCARD" {
                if let open = current { unterminated.append(open.line) }
                current = Card(properties: [], line: number)
            } else if property.name == "END" && property.value.uppercased() == "VCARD" {
                if let open = current { cards.append(open) }
                current = nil
            } else {
                current?.properties.append(property)
            }
        }
        if let open = current { unterminated.append(open.line) }
        guard !cards.isEmpty || !unterminated.isEmpty else { throw Malformed(reason: "The body holds no BEGIN:VCARD … END:VCARD.") }
        return (cards, unterminated)
    }

    /// Physical lines joined where a line break is followed by a space or tab (RFC 6350
    /// §3.2), and where a quoted-printable value ends in a soft break (`=`, vCard 2.1).
    static func unfold(_ text: String) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var physical = 0
        var pendingSoftBreak = false
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            physical += 1
            let line = String(raw)
            if let first = line.first, first == " " || first == "\t", !result.isEmpty {
                result[result.count - 1].1 += line.dropFirst()
            } else if pendingSoftBreak, !result.isEmpty {
                result[result.count - 1].1 += line
            } else {
                result.append((physical, line))
            }
            let joined = result.last?.1 ?? ""
            pendingSoftBreak = joined.uppercased().contains("QUOTED-PRINTABLE") && joined.hasSuffix("=")
            if pendingSoftBreak { result[result.count - 1].1.removeLast() }
        }
        return result
    }

    /// Splits a content line; nil when it has no colon.
    static func parse(_ line: String) -> Property? {
        // The first colon outside a quoted parameter value ends the name and parameters.
        var quoted = false
        var split: String.Index?
        for index in line.indices {
            let character = line[index]
            if character == "\"" { quoted.toggle() }
            if character == ":" && !quoted {
                split = index
                break
            }
        }
        guard let split else { return nil }
        let head = line[..<split]
        var value = String(line[line.index(after: split)...])
        var pieces = head.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        var name = pieces.removeFirst().uppercased()
        if let dot = name.lastIndex(of: ".") { name = String(name[name.index(after: dot)...]) }
        var parameters: [(String, [String])] = []
        for piece in pieces where !piece.isEmpty {
            if let equals = piece.firstIndex(of: "=") {
                let parameterName = piece[..<equals].uppercased()
                let values = piece[piece.index(after: equals)...].split(separator: ",").map { String($0).filter { $0 != "\"" } }
                parameters.append((parameterName, values))
            } else {
                // vCard 2.1: a bare type, or a bare encoding.
                let bare = piece.uppercased()
                parameters.append((bare == "QUOTED-PRINTABLE" || bare == "BASE64" ? "ENCODING" : "TYPE", [bare]))
            }
        }
        let property = Property(name: name, parameters: parameters, value: value)
        if property.has("ENCODING", "QUOTED-PRINTABLE") { value = decodeQuotedPrintable(value) }
        return Property(name: name, parameters: parameters, value: value)
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while index < utf8.count {
            if utf8[index] == 0x3D, index + 2 < utf8.count, let high = hex(utf8[index + 1]), let low = hex(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A text value's escapes undone (`\n`, `\,`, `\;`, `\\`).
    static func unescape(_ text: Substring) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" || character == "N" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Components of a structured value (N, ORG, ADR), split at unescaped semicolons.
    static func components(_ value: String) -> [String] {
        var parts: [String] = []
        var current = Substring()
        var start = value.startIndex
        var escaped = false
        for index in value.indices {
            let character = value[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ";" {
                current = value[start..<index]
                parts.append(unescape(current))
                start = value.index(after: index)
            }
        }
        parts.append(unescape(value[start...]))
        return parts
    }

    /// A list value (CATEGORIES), split at unescaped commas.
    static func list(_ value: String) -> [String] {
        var parts: [String] = []
        var start = value.startIndex
        var escaped = false
        for index in value.indices {
            let character = value[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                parts.append(unescape(value[start..<index]))
                start = value.index(after: index)
            }
        }
        parts.append(unescape(value[start...]))
        return parts.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// What a card says about a contact.
    static func record(_ card: Card, row: Int) -> ImportRecord {
        var record = ImportRecord(row: row)
        let text = { (name: String) -> String? in
            card.preferred(name).map { unescape($0.value[...]).trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        record.name = text("FN")
        if record.name == nil, let n = card.first("N") {
            let parts = components(n.value)
            let given = parts.count > 1 ? parts[1] : ""
            let joined = [parts.count > 3 ? parts[3] : "", given, parts.count > 2 ? parts[2] : "", parts[0], parts.count > 4 ? parts[4] : ""]
                .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
            record.name = joined.isEmpty ? nil : joined
        }
        if let org = card.first("ORG") {
            let name = components(org.value).first?.trimmingWhitespace() ?? ""
            record.organizationName = name.isEmpty ? nil : name
        }
        record.title = text("TITLE")
        record.email = text("EMAIL").map { $0.hasPrefix("mailto:") ? String($0.dropFirst(7)) : $0 }
        record.phone = text("TEL").map { $0.hasPrefix("tel:") ? String($0.dropFirst(4)) : $0 }
        // LinkedIn: a URL (or iOS's social profile) on linkedin.com.
        let urls = card.properties.filter { $0.name == "URL" || $0.name == "X-SOCIALPROFILE" }.map { unescape($0.value[...]) }
        record.linkedinURL = urls.first { $0.lowercased().contains("linkedin.com/") }.map { url in
            url.lowercased().hasPrefix("http") ? url : "https://" + url
        }
        if let adr = card.preferred("ADR") {
            let parts = components(adr.value).dropFirst(2).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            record.location = parts.isEmpty ? nil : parts.joined(separator: ", ")
        }
        record.notes = card.first("NOTE").map { unescape($0.value[...]) }.flatMap { $0.isEmpty ? nil : $0 }
        record.tags = card.properties.filter { $0.name == "CATEGORIES" }.flatMap { list($0.value) }
        record.hook = text("X-FOOTHOLD-HOOK")
        // A Foothold card says its source, empty when none was recorded; any other card is a vCard's.
        record.source = card.first("X-FOOTHOLD-SOURCE") == nil ? "vcard" : text("X-FOOTHOLD-SOURCE")
        if let found = text("X-FOOTHOLD-IDENTIFIED"), let at = parseCompactTimestamp(found) { record.identifiedAt = at }
        record.stage = text("X-FOOTHOLD-STAGE")
        record.keepInTouchDays = text("X-FOOTHOLD-KEEP-IN-TOUCH-DAYS").flatMap { Int($0) }
        return record
    }

    // MARK: - Writing

    /// Escapes a text value (RFC 6350 §3.4).
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case ",": result += "\\,"
            case ";": result += "\\;"
            case "\n", "\r\n", "\r": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// A content line with its CRLF, folded so no line passes 75 octets (never inside a
    /// UTF-8 sequence).
    static func line(_ content: String) -> String {
        let bytes = Array(content.utf8)
        guard bytes.count > 75 else { return content + "\r\n" }
        var out: [UInt8] = []
        var lineLength = 0
        var index = 0
        var limit = 75
        while index < bytes.count {
            // The length of the UTF-8 sequence starting here.
            let byte = bytes[index]
            let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            if lineLength + length > limit {
                out += [0x0D, 0x0A, 0x20]
                lineLength = 1
                limit = 75
            }
            out += bytes[index..<min(index + length, bytes.count)]
            lineLength += length
            index += length
        }
        return String(decoding: out, as: UTF8.self) + "\r\n"
    }

    /// A contact as a vCard 4.0 card.
    public static func card(_ contact: Contact, organization: String?) -> String {
        var out = line("BEGIN:VCARD") + line("VERSION:4.0")
        out += line("UID:urn:foothold:contact:\(contact.id)")
        out += line("FN:" + escape(contact.name))
        // N is a guess at family and given names from the one name stored; FN is what is read back.
        var words = contact.name.split(separator: " ").map(String.init)
        let family = words.popLast() ?? ""
        out += line("N:" + escape(family) + ";" + escape(words.joined(separator: " ")) + ";;;")
        if let organization { out += line("ORG:" + escape(organization)) }
        if let title = contact.title { out += line("TITLE:" + escape(title)) }
        if let email = contact.email { out += line("EMAIL:" + escape(email)) }
        if let phone = contact.phone { out += line("TEL:" + escape(phone)) }
        if let url = contact.linkedinURL { out += line("URL:" + url) }
        if let location = contact.location { out += line("ADR:;;;" + escape(location) + ";;;") }
        if !contact.tags.isEmpty { out += line("CATEGORIES:" + contact.tags.map(escape).joined(separator: ",")) }
        if let notes = contact.notes { out += line("NOTE:" + escape(notes)) }
        if let hook = contact.hook { out += line("X-FOOTHOLD-HOOK:" + escape(hook)) }
        out += line("X-FOOTHOLD-SOURCE:" + escape(contact.source ?? ""))
        out += line("X-FOOTHOLD-STAGE:" + contact.stage.rawValue)
        if let days = contact.keepInTouchDays { out += line("X-FOOTHOLD-KEEP-IN-TOUCH-DAYS:\(days)") }
        out += line("X-FOOTHOLD-IDENTIFIED:" + compactTimestamp(contact.identified))
        out += line("REV:" + compactTimestamp(contact.updatedAt))
        out += line("END:VCARD")
        return out
    }

    /// `20261130T110000Z` back to its instant.
    static func parseCompactTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        let digits = bytes[0..<8] + bytes[9..<15]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let s = String(decoding: digits, as: UTF8.self)
        func part(_ from: Int, _ count: Int) -> Substring { s.dropFirst(from).prefix(count) }
        return RFC3339.parse("\(part(0, 4))-\(part(4, 2))-\(part(6, 2))T\(part(8, 2)):\(part(10, 2)):\(part(12, 2))Z")
    }

    /// RFC 6350 timestamps are basic format: 20261130T110000Z.
    static func compactTimestamp(_ date: Date) -> String {
        String(RFC3339.format(date).prefix(19).filter { $0 != "-" && $0 != ":" }) + "Z"
    }
}
