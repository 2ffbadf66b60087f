// HTTP/1.1 request parsing over raw bytes (picohttpparser's contract, in Swift).
//
// `parse` is stateless: given the bytes buffered so far it answers `.complete` (with how many
// bytes the request used), `.partial` (read more) or `.invalid` (with the status to answer
// before closing). It never allocates until a request is complete, so a slow client that
// trickles bytes costs a rescan of a small buffer, not garbage. Limits are checked as soon as
// they can be: a header block longer than `maxHeaderBytes` is a 431 even while incomplete, a
// declared body over `maxBodyBytes` is a 413 before any of it arrives.

/// A parsed request.
public struct HTTPRequest {
    public var method: String
    /// Path and query as sent (`/users/7?x=1`).
    public var target: String
    /// Header names lower-cased, in arrival order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var keepAlive: Bool
    /// Peer IPv4 address as text.
    public var remoteAddress: String
    /// The route match, once the dispatcher has computed it (so it is computed once).
    public var routeMatch: RouteMatch?
    /// The request's `id`, once made: every Map and view of one request gives the same.
    public var requestID: String?

    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8],
                keepAlive: Bool, remoteAddress: String = "") {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
        self.remoteAddress = remoteAddress
    }

    /// The path without the query string.
    public var path: Substring {
        if let q = target.firstIndex(of: "?") { return target[..<q] }
        return target[...]
    }

    /// The raw query string (`""` if none).
    public var query: Substring {
        if let q = target.firstIndex(of: "?") { return target[target.index(after: q)...] }
        return ""
    }

    /// The last value of header `name` (lower-case).
    public func header(_ name: String) -> String? {
        headers.last { $0.name == name }?.value
    }
}

/// A request's route: the route's index and its `{name}` parameters, or why none matched.
public enum RouteMatch {
    case found(index: Int, parameters: [(name: String, value: String)])
    case methodNotAllowed
    case notFound
}

/// Limits the parser enforces.
public struct HTTPLimits: Sendable {
    public var maxHeaderBytes: Int
    public var maxBodyBytes: Int
    public var maxHeaders: Int
    /// The longest request target (path and query) accepted; longer is a 414.
    public var maxTargetBytes: Int

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1024 * 1024, maxHeaders: Int = 100,
                maxTargetBytes: Int = 8 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaders = maxHeaders
        self.maxTargetBytes = maxTargetBytes
    }
}

/// What `HTTPRequestParser.parse` found.
public enum HTTPParseResult {
    case complete(HTTPRequest, consumed: Int)
    case partial
    case invalid(status: Int, reason: String)
}

/// Parses HTTP/1.x requests.
public enum HTTPRequestParser {
    /// `tchar` of RFC 9110: the bytes allowed in methods and header names.
    static let tokenTable: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] = true }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = true }
        for c in "!#$%&'*+-.^_`|~".utf8 { t[Int(c)] = true }
        return t
    }()

    /// Parses one request from `buffer[start..<end]`.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, end: Int, limits: HTTPLimits) -> HTTPParseResult {
        // Find the end of the header block (CRLFCRLF, tolerating bare LF line ends).
        var i = start
        // Tolerate empty lines before the request line (RFC 9112 §2.2).
        while i < end && (buffer[i] == 0x0D || buffer[i] == 0x0A) { i += 1 }
        let headStart = i
        var headEnd = -1
        var bodyStart = -1
        while i < end {
            if buffer[i] == 0x0A {
                if i + 1 < end && buffer[i + 1] == 0x0A { headEnd = i; bodyStart = i + 2; break }
                if i + 2 < end && buffer[i + 1] == 0x0D && buffer[i + 2] == 0x0A { headEnd = i; bodyStart = i + 3; break }
            }
            i += 1
        }
        if headEnd < 0 {
            if targetTooLong(buffer, from: headStart, end: end, limits: limits) { return .invalid(status: 414, reason: "request target too long") }
            if end - headStart > limits.maxHeaderBytes { return .invalid(status: 431, reason: "request header block too large") }
            // Reject garbage early: the first bytes must look like a method.
            var k = headStart
            while k < end && k < headStart + 32 && tokenTable[Int(buffer[k])] { k += 1 }
            if k < end && k < headStart + 32 && buffer[k] != 0x20 { return .invalid(status: 400, reason: "malformed request line") }
            if k - headStart >= 32 { return .invalid(status: 400, reason: "malformed request line") }
            return .partial
        }
        if headEnd - headStart > limits.maxHeaderBytes {
            // An oversized block because of its URI is a 414 (the target's length is checked
            // below for every other request, in the one scan of the request line).
            if targetTooLong(buffer, from: headStart, end: headEnd, limits: limits) { return .invalid(status: 414, reason: "request target too long") }
            return .invalid(status: 431, reason: "request header block too large")
        }

        // Request line: METHOD SP TARGET SP HTTP/1.x
        var p = headStart
        while p < headEnd && tokenTable[Int(buffer[p])] { p += 1 }
        guard p > headStart, p < headEnd, buffer[p] == 0x20 else { return .invalid(status: 400, reason: "malformed request line") }
        let method = String(decoding: UnsafeBufferPointer(rebasing: buffer[headStart..<p]), as: UTF8.self)
        p += 1
        let targetStart = p
        while p < headEnd && buffer[p] > 0x20 && buffer[p] != 0x7F { p += 1 }
        guard p > targetStart, p < headEnd, buffer[p] == 0x20 else { return .invalid(status: 400, reason: "malformed request target") }
        if p - targetStart > limits.maxTargetBytes { return .invalid(status: 414, reason: "request target too long") }
        guard let target = requestTarget(UnsafeBufferPointer(rebasing: buffer[targetStart..<p])) else {
            return .invalid(status: 400, reason: "malformed request target")
        }
        p += 1
        // "HTTP/1.1" or "HTTP/1.0"
        guard p + 8 <= headEnd,
              buffer[p] == UInt8(ascii: "H"), buffer[p + 1] == UInt8(ascii: "T"), buffer[p + 2] == UInt8(ascii: "T"),
              buffer[p + 3] == UInt8(ascii: "P"), buffer[p + 4] == UInt8(ascii: "/"), buffer[p + 5] == UInt8(ascii: "1"),
              buffer[p + 6] == UInt8(ascii: "."), buffer[p + 7] == UInt8(ascii: "1") || buffer[p + 7] == UInt8(ascii: "0")
        else { return .invalid(status: 400, reason: "unsupported HTTP version") }
        let isHTTP11 = buffer[p + 7] == UInt8(ascii: "1")
        p += 8
        if p < headEnd && buffer[p] == 0x0D { p += 1 }
        guard p <= headEnd, p == headEnd || buffer[p] == 0x0A else { return .invalid(status: 400, reason: "malformed request line") }
        if p < headEnd { p += 1 }

        // Header fields.
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(8)
        var contentLength: Int? = nil
        var transferEncoding: String? = nil
        var hostCount = 0
        var connectionClose = false
        var connectionKeepAlive = false
        while p < headEnd {
            let lineStart = p
            while p < headEnd && buffer[p] != 0x0A { p += 1 }
            var lineEnd = p
            if lineEnd > lineStart && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            p += 1
            if lineEnd == lineStart { continue }
            var c = lineStart
            while c < lineEnd && tokenTable[Int(buffer[c])] { c += 1 }
            guard c > lineStart, c < lineEnd, buffer[c] == UInt8(ascii: ":") else {
                return .invalid(status: 400, reason: "malformed header field")
            }
            var name = [UInt8](UnsafeBufferPointer(rebasing: buffer[lineStart..<c]))
            for k in 0..<name.count where name[k] >= 65 && name[k] <= 90 { name[k] += 32 }
            var vs = c + 1
            while vs < lineEnd && (buffer[vs] == 0x20 || buffer[vs] == 0x09) { vs += 1 }
            var ve = lineEnd
            while ve > vs && (buffer[ve - 1] == 0x20 || buffer[ve - 1] == 0x09) { ve -= 1 }
            for k in vs..<ve where buffer[k] < 0x20 && buffer[k] != 0x09 {
                return .invalid(status: 400, reason: "control character in header value")
            }
            let nameString = String(decoding: name, as: UTF8.self)
            let value = String(decoding: UnsafeBufferPointer(rebasing: buffer[vs..<ve]), as: UTF8.self)
            headers.append((nameString, value))
            if headers.count > limits.maxHeaders { return .invalid(status: 431, reason: "too many header fields") }
            switch nameString {
            case "content-length":
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(value) else {
                    return .invalid(status: 400, reason: "invalid Content-Length")
                }
                if let existing = contentLength, existing != n { return .invalid(status: 400, reason: "conflicting Content-Length") }
                contentLength = n
            case "transfer-encoding":
                // Several fields form one list (RFC 9110 §5.3).
                transferEncoding = transferEncoding.map { $0 + "," + value } ?? value
            case "host":
                hostCount += 1
            case "connection":
                let v = value.lowercased()
                if v.contains("close") { connectionClose = true }
                if v.contains("keep-alive") { connectionKeepAlive = true }
            default:
                break
            }
        }
        if hostCount > 1 { return .invalid(status: 400, reason: "more than one Host header") }
        if hostCount == 0 && isHTTP11 { return .invalid(status: 400, reason: "missing Host header") }
        var chunked = false
        if let codings = transferEncoding {
            // HTTP/1.0 has no chunked coding: such framing cannot be trusted (RFC 9112 §6.1).
            guard isHTTP11 else { return .invalid(status: 400, reason: "Transfer-Encoding in an HTTP/1.0 request") }
            switch classifyTransferCodings(codings) {
            case .chunked: chunked = true
            case .unsupported: return .invalid(status: 501, reason: "unsupported transfer coding")
            case .invalid: return .invalid(status: 400, reason: "invalid Transfer-Encoding")
            }
        }
        if chunked && contentLength != nil { return .invalid(status: 400, reason: "both Content-Length and chunked") }
        let keepAlive = isHTTP11 ? !connectionClose : connectionKeepAlive

        // Body.
        var body: [UInt8] = []
        var consumedEnd = bodyStart
        if let n = contentLength {
            if n > limits.maxBodyBytes { return .invalid(status: 413, reason: "request body too large") }
            if end - bodyStart < n { return .partial }
            body = [UInt8](UnsafeBufferPointer(rebasing: buffer[bodyStart..<(bodyStart + n)]))
            consumedEnd = bodyStart + n
        } else if chunked {
            switch decodeChunked(buffer, start: bodyStart, end: end, limit: limits.maxBodyBytes) {
            case .complete(let decoded, let after):
                body = decoded
                consumedEnd = after
            case .partial:
                return .partial
            case .invalid(let status, let reason):
                return .invalid(status: status, reason: reason)
            }
        }
        return .complete(HTTPRequest(method: method, target: target, headers: headers, body: body, keepAlive: keepAlive),
                         consumed: consumedEnd - start)
    }

    /// Whether the request line starting at `from` has a target longer than the limit (looked at
    /// while the request is still arriving, so a huge URI is refused before it is all read).
    static func targetTooLong(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, end: Int, limits: HTTPLimits) -> Bool {
        var p = from
        while p < end && tokenTable[Int(buffer[p])] { p += 1 }
        guard p < end, buffer[p] == 0x20 else { return false }
        p += 1
        let targetStart = p
        let stop = min(end, targetStart + limits.maxTargetBytes + 1)
        while p < stop && buffer[p] > 0x20 && buffer[p] != 0x7F { p += 1 }
        return p - targetStart > limits.maxTargetBytes
    }

    /// The path and query of a request target: origin-form (`/p?q`) as is, asterisk-form (`*`),
    /// and absolute-form (`http://host/p?q`, which servers must accept, RFC 9112 §3.2.2) reduced
    /// to its path and query. Anything else is nil.
    static func requestTarget(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "/") { return String(decoding: bytes, as: UTF8.self) }
        if bytes.count == 1 && first == UInt8(ascii: "*") { return "*" }
        // scheme "://" authority, then the path-abempty and query.
        var schemeEnd = 0
        while schemeEnd < bytes.count && bytes[schemeEnd] != UInt8(ascii: ":") { schemeEnd += 1 }
        let scheme = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<schemeEnd]), as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https", schemeEnd + 3 <= bytes.count,
              bytes[schemeEnd + 1] == UInt8(ascii: "/"), bytes[schemeEnd + 2] == UInt8(ascii: "/") else { return nil }
        let authorityStart = schemeEnd + 3
        var rest = authorityStart
        while rest < bytes.count && bytes[rest] != UInt8(ascii: "/") && bytes[rest] != UInt8(ascii: "?") { rest += 1 }
        guard rest > authorityStart else { return nil }
        let tail = String(decoding: UnsafeBufferPointer(rebasing: bytes[rest...]), as: UTF8.self)
        return tail.hasPrefix("/") ? tail : "/" + tail
    }

    enum TransferCodings { case chunked, unsupported, invalid }

    /// A request's Transfer-Encoding list: exactly `chunked` is the only framing we decode; a
    /// list that ends in `chunked` after other codings is well-formed but not supported (501);
    /// anything else (`chunked` not last, twice, or a look-alike such as `xchunked`) is a 400.
    static func classifyTransferCodings(_ list: String) -> TransferCodings {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let codings = list.split(separator: ",").map { element -> String in
            // Parameters (`;name=value`) do not change which coding it is.
            let name = element.prefix { $0 != ";" }.drop(while: isSpace)
            return String(name[..<(name.lastIndex { !isSpace($0) }.map(name.index(after:)) ?? name.startIndex)]).lowercased()
        }.filter { !$0.isEmpty }
        guard codings.last == "chunked", codings.filter({ $0 == "chunked" }).count == 1 else { return .invalid }
        guard codings.allSatisfy({ $0.utf8.allSatisfy { tokenTable[Int($0)] } }) else { return .invalid }
        return codings.count == 1 ? .chunked : .unsupported
    }

    enum ChunkResult {
        case complete([UInt8], after: Int)
        case partial
        case invalid(status: Int, reason: String)
    }

    /// Decodes a chunked body starting at `start`; trailers are skipped.
    static func decodeChunked(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, end: Int, limit: Int) -> ChunkResult {
        var body: [UInt8] = []
        var p = start
        while true {
            // chunk-size [; ext] CRLF
            var size = 0
            var digits = 0
            while p < end {
                let c = buffer[p]
                let d: Int
                switch c {
                case 48...57: d = Int(c) - 48
                case 97...102: d = Int(c) - 87
                case 65...70: d = Int(c) - 55
                default: d = -1
                }
                if d < 0 { break }
                size = size * 16 + d
                digits += 1
                if digits > 8 { return .invalid(status: 413, reason: "chunk too large") }
                p += 1
            }
            if p >= end { return .partial }
            guard digits > 0 else { return .invalid(status: 400, reason: "malformed chunk size") }
            while p < end && buffer[p] != 0x0A { p += 1 }  // extensions, CR
            if p >= end { return .partial }
            p += 1
            if body.count + size > limit { return .invalid(status: 413, reason: "request body too large") }
            if size == 0 {
                // Trailer section ends with an empty line.
                while true {
                    let lineStart = p
                    while p < end && buffer[p] != 0x0A { p += 1 }
                    if p >= end { return .partial }
                    let isEmpty = p == lineStart || (p == lineStart + 1 && buffer[lineStart] == 0x0D)
                    p += 1
                    if isEmpty { return .complete(body, after: p) }
                }
            }
            if end - p < size { return .partial }
            body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[p..<(p + size)]))
            p += size
            // CRLF after the data
            if p < end && buffer[p] == 0x0D { p += 1 }
            if p >= end { return .partial }
            guard buffer[p] == 0x0A else { return .invalid(status: 400, reason: "malformed chunk") }
            p += 1
        }
    }
}
