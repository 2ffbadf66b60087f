// Source text and locations.
//
// Locations are stored as (file, byte offset) pairs — eight bytes per node — and turned into
// line and column only when a diagnostic is printed, using each file's table of line starts.
// Every loaded file gets a small integer id from the process-wide `SourceFiles` registry, so
// a location from an imported module still prints with its own file name.

import Foundation

/// One source file's bytes and line table.
public final class SourceFile: @unchecked Sendable {
    /// The path as the user gave it (printed in diagnostics).
    public let path: String
    /// Where the file really is (relative imports resolve against it); usually `path`.
    public let location: String
    public let bytes: [UInt8]
    /// Byte offset of the start of every line.
    public let lineStarts: [Int]
    public let id: Int

    init(path: String, location: String, bytes: [UInt8], id: Int) {
        self.path = path
        self.location = location
        self.bytes = bytes
        self.id = id
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        lineStarts = starts
    }

    /// 1-based line and column (in Unicode scalars) of a byte offset.
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let end = min(offset, bytes.count)
        var column = 1
        var i = start
        while i < end {
            // Count scalars: skip UTF-8 continuation bytes.
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (lo + 1, column)
    }

    /// The text of 1-based line `line`, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The source text between two byte offsets.
    public func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[max(0, start)..<min(end, bytes.count)], as: UTF8.self)
    }
}

/// A position in a loaded source file.
public struct SourceLoc: Sendable, Hashable {
    public var file: UInt32
    public var offset: UInt32

    public init(file: Int, offset: Int) {
        self.file = UInt32(file)
        self.offset = UInt32(clamping: offset)
    }

    /// No file (e.g. a file that could not be read); renders without a location.
    public static let unknown = SourceLoc(file: Int(UInt32.max), offset: 0)
}

/// The registry of loaded files; ids are indices. Loading happens before any program runs,
/// so the lock is off the hot path.
public enum SourceFiles {
    nonisolated(unsafe) private static var files: [SourceFile] = []
    private static let lock = NSLock()

    /// Registers source text under `path`.
    public static func add(path: String, location: String? = nil, bytes: [UInt8]) -> SourceFile {
        lock.lock()
        defer { lock.unlock() }
        let f = SourceFile(path: path, location: location ?? path, bytes: bytes, id: files.count)
        files.append(f)
        return f
    }

    /// Source text that is parsed once and forgotten (fuzzing): not in the registry, so
    /// diagnostics cannot print its lines, and nothing is kept after the parse.
    public static func unregistered(path: String, bytes: [UInt8]) -> SourceFile {
        SourceFile(path: path, location: path, bytes: bytes, id: Int(UInt32.max) - 1)
    }

    /// Reads and registers a file from disk; nil when it cannot be read.
    /// `displayPath` is what diagnostics print (default: `path`).
    public static func load(path: String, displayPath: String? = nil) -> SourceFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return add(path: displayPath ?? path, location: path, bytes: [UInt8](data))
    }

    /// The file with id `id`.
    public static func file(_ id: UInt32) -> SourceFile? {
        lock.lock()
        defer { lock.unlock() }
        return Int(id) < files.count ? files[Int(id)] : nil
    }

    /// `path:line` of a location.
    public static func describe(_ loc: SourceLoc) -> String {
        guard let f = file(loc.file) else { return "?" }
        return "\(f.path):\(f.lineAndColumn(of: Int(loc.offset)).line)"
    }
}

/// A parse error at a location.
public struct Diagnostic: Sendable {
    public var loc: SourceLoc
    public var message: String

    public init(_ loc: SourceLoc, _ message: String) {
        self.loc = loc
        self.message = message
    }

    /// `file:line:col: KIND: message`, the source line and a caret under the column.
    public func render(kind: String = "parse error") -> String {
        guard let f = SourceFiles.file(loc.file) else { return "\(kind): \(message)" }
        let (line, col) = f.lineAndColumn(of: Int(loc.offset))
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        var text = f.lineText(line)
        text = String(text.map { $0 == "\t" ? " " : $0 })
        return "\(f.path):\(line):\(col): \(kind): \(message)\n"
            + " \(gutter) | \(text)\n"
            + " \(pad) | \(String(repeating: " ", count: max(0, col - 1)))^"
    }
}

/// Diagnostics collected by the front end; stages stop before the backend when any exist.
public struct Diagnostics: Sendable {
    public private(set) var items: [Diagnostic] = []

    public init() {}

    public var hasErrors: Bool { !items.isEmpty }

    public mutating func error(_ loc: SourceLoc, _ message: String) {
        items.append(Diagnostic(loc, message))
    }

    /// All diagnostics rendered, sorted by position, separated by blank lines.
    public func render() -> String {
        items.sorted { ($0.loc.file, $0.loc.offset) < ($1.loc.file, $1.loc.offset) }
            .map { $0.render() }.joined(separator: "\n\n")
    }
}
