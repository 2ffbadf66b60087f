// Static files for `serve_static(prefix, dir)`: the path after the prefix, percent-decoded,
// must stay inside `dir` (no `..` segment, no NUL); `/` serves `index.html`; the MIME type
// comes from the extension. Reads are blocking and happen on a worker thread.

#if canImport(Glibc)
import Glibc
#endif

/// A URL prefix mapped to a directory.
public struct StaticMount {
    public let prefix: String
    public let directory: String

    public init(prefix: String, directory: String) {
        var p = prefix
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.prefix = p
        self.directory = directory
    }

    /// The response for `path`, or nil when the path is not under this mount.
    public func response(for path: Substring) -> HTTPResponse? {
        let segments: [String]
        if prefix == "/" || prefix.isEmpty {
            segments = splitPath(path)
        } else {
            guard path == prefix || path.hasPrefix(prefix + "/") else { return nil }
            segments = splitPath(path.dropFirst(prefix.count))
        }
        for s in segments where s == ".." || s == "." || s.contains("/") || s.contains("\0") || s.contains("\\") {
            return .plainText(404, "Not Found")
        }
        var file = directory
        for s in segments { file += "/" + s }
        if segments.isEmpty || isDirectory(file) { file += "/index.html" }
        guard let bytes = readWholeFile(file) else { return .plainText(404, "Not Found") }
        return HTTPResponse(status: 200, headers: [("content-type", mimeType(for: file))], body: bytes)
    }
}

func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

/// Reads a regular file completely; nil if it is missing or not a regular file.
public func readWholeFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    var out = [UInt8](repeating: 0, count: Int(st.st_size))
    var got = 0
    while got < out.count {
        let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
        if n <= 0 { break }
        got += n
    }
    return Array(out[0..<got])
}

/// MIME type by file extension.
public func mimeType(for path: String) -> String {
    let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
    switch ext {
    case "html", "htm": return "text/html; charset=utf-8"
    case "css": return "text/css; charset=utf-8"
    case "js", "mjs": return "text/javascript; charset=utf-8"
    case "json": return "application/json"
    case "txt": return "text/plain; charset=utf-8"
    case "svg": return "image/svg+xml"
    case "png": return "image/png"
    case "jpg", "jpeg": return "image/jpeg"
    case "gif": return "image/gif"
    case "webp": return "image/webp"
    case "ico": return "image/x-icon"
    case "woff2": return "font/woff2"
    case "woff": return "font/woff"
    case "pdf": return "application/pdf"
    case "wasm": return "application/wasm"
    case "xml": return "application/xml"
    default: return "application/octet-stream"
    }
}
