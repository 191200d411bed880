/// RFC 4180 text, read and written here rather than with yaslab/CSV.swift: that package
/// reads through Foundation's InputStream and CharacterSet, and the full Foundation (with
/// ICU) would come into a binary that uses FoundationEssentials only; what LinkedIn's export
/// needs beyond RFC 4180 (a preamble, a BOM) is handled by the reader's caller anyway.
public enum CSV {
    /// Why a body is not CSV at all.
    public struct Malformed: Error, Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    /// One record: its fields and the line it starts on (1-based).
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    /// Every record of `bytes`: fields separated by commas, quoted ones holding commas,
    /// doubled quotes and line breaks; lines ending in CRLF, LF or CR; a UTF-8 BOM skipped.
    /// Blank lines are records of one empty field. Invalid UTF-8 or an unclosed quote is malformed.
    public static func records(_ bytes: [UInt8]) throws(Malformed) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var recordLine = 1
        var quoted = false
        var quoteLine = 0
        var wasQuoted = false

        func finishField() throws(Malformed) {
            guard let text = String(validating: field, as: UTF8.self) else { throw Malformed(line: line, reason: "is not UTF-8 text") }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func finishRecord() throws(Malformed) {
            try finishField()
            records.append(Record(line: recordLine, fields: fields))
            fields = []
        }

        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == 0x22 {
                    if index < bytes.count && bytes[index] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A || (byte == 0x0D && (index >= bytes.count || bytes[index] != 0x0A)) { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case 0x22 where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
                quoteLine = line
            case 0x2C:
                try finishField()
            case 0x0D, 0x0A:
                if byte == 0x0D && index < bytes.count && bytes[index] == 0x0A { index += 1 }
                try finishRecord()
                line += 1
                recordLine = line
            default:
                // A stray quote inside an unquoted field is kept as text (lenient, as spreadsheets are).
                field.append(byte)
            }
        }
        if quoted { throw Malformed(line: quoteLine, reason: "has a quoted field that is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { try finishRecord() }
        return records
    }

    /// One field as RFC 4180 writes it: quoted when it holds a comma, quote or line break.
    public static func field(_ text: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var quoted = "\""
        for character in text {
            if character == "\"" { quoted += "\"\"" } else { quoted.append(character) }
        }
        return quoted + "\""
    }

    /// A record with its CRLF.
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}
