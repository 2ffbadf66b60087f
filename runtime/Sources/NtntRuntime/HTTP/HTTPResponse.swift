// Responses and their wire form. Every response gets `content-length`, `date` and `server`
// here, in one place, so no code path can forget them; the `Date` text is formatted at most
// once a second per event loop (`HTTPDate`).

#if canImport(Glibc)
import Glibc
#endif

/// A response ready to be written.
public struct HTTPResponse {
    public var status: Int
    /// Header names as they should be sent (lower-case by convention).
    public var headers: [(name: String, value: String)]
    /// Header lines formatted once (a builder's fixed headers), sent after `headers`.
    public var fixedHeaders: [UInt8]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], fixedHeaders: [UInt8] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.fixedHeaders = fixedHeaders
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response, as the server's own answers (404, 400, …) are.
    public static func plainText(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("content-type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }
}

/// The standard reason phrase of a status code.
public func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: return "Continue"
    case 200: return "OK"
    case 201: return "Created"
    case 202: return "Accepted"
    case 204: return "No Content"
    case 301: return "Moved Permanently"
    case 302: return "Found"
    case 303: return "See Other"
    case 304: return "Not Modified"
    case 307: return "Temporary Redirect"
    case 308: return "Permanent Redirect"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 408: return "Request Timeout"
    case 409: return "Conflict"
    case 413: return "Content Too Large"
    case 414: return "URI Too Long"
    case 415: return "Unsupported Media Type"
    case 418: return "I'm a teapot"
    case 422: return "Unprocessable Content"
    case 429: return "Too Many Requests"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    default: return "Status \(status)"
    }
}

/// The `Date` header value, re-rendered only when the second changes.
public struct HTTPDate {
    private var second: Int = -1
    public private(set) var bytes: [UInt8] = []

    public init() { refresh() }

    /// Updates the cached text if the wall-clock second moved on.
    public mutating func refresh() {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        let now = Int(ts.tv_sec)
        if now == second { return }
        second = now
        bytes = Array(HTTPDate.format(now).utf8)
    }

    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func format(_ epoch: Int) -> String {
        var t = time_t(epoch)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(1900 + parts.tm_year) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

/// Serialises responses.
public enum HTTPResponseWriter {
    /// `name: value\r\n`. Header values come from programs: CR/LF are dropped so they cannot
    /// split the response.
    static func appendHeaderLine(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        for b in value.utf8 where b != 0x0D && b != 0x0A { out.append(b) }
        out.append(contentsOf: "\r\n".utf8)
    }

    /// Appends the status line, headers (plus content-length, date, server, and
    /// `connection: close` when the connection will close) and body to `out`.
    public static func write(_ r: HTTPResponse, keepAlive: Bool, date: [UInt8], headOnly: Bool = false, into out: inout [UInt8]) {
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        JSONWriter.appendInt(r.status, to: &out)
        out.append(0x20)
        out.append(contentsOf: reasonPhrase(r.status).utf8)
        out.append(contentsOf: "\r\n".utf8)
        for (name, value) in r.headers {
            if name == "content-length" || name == "date" || name == "server" || name == "connection" { continue }
            appendHeaderLine(name, value, to: &out)
        }
        out.append(contentsOf: r.fixedHeaders)
        // 1xx, 204 and 304 answers have no body, and 1xx/204 no Content-Length (RFC 9110 §8.6).
        let bodiless = r.status < 200 || r.status == 204 || r.status == 304
        if !bodiless {
            out.append(contentsOf: "content-length: ".utf8)
            JSONWriter.appendInt(r.body.count, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "date: ".utf8)
        out.append(contentsOf: date)
        out.append(contentsOf: "\r\nserver: ntnt\r\n".utf8)
        if !keepAlive { out.append(contentsOf: "connection: close\r\n".utf8) }
        out.append(contentsOf: "\r\n".utf8)
        if !headOnly && !bodiless { out.append(contentsOf: r.body) }
    }
}
