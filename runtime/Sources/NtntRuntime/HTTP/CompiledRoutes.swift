// A program's route table compiled to Swift. The compiler lists the routes it found (method
// and literal pattern, in registration order) and generates one matching pass over them: per
// segment count, each route's literal segments compared as bytes, its `{name}` segments
// captured. `Router`'s rules (HEAD falls back to GET, a path only other methods route is a
// 405) are applied here, once. The generated table is used only when the program registered
// exactly these routes in this order, so it answers as `Router` would or is not used at all.

/// The request path's segments (empty ones dropped) as byte ranges of the path: no String is
/// made until a parameter is read, no segment is decoded unless it has a `%`.
public struct PathSegments {
    /// Segments kept (more are counted, not kept: no generated route has that many).
    public static let capacity = 8
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var bounds = SIMD16<Int32>()
    /// How many segments the path has.
    public private(set) var count = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "/") { i += 1; continue }
            let start = i
            while i < bytes.count && bytes[i] != UInt8(ascii: "/") { i += 1 }
            if count < PathSegments.capacity {
                bounds[2 * count] = Int32(start)
                bounds[2 * count + 1] = Int32(i)
            }
            count += 1
        }
    }

    @inlinable
    func segment(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(bounds[2 * i])..<Int(bounds[2 * i + 1])])
    }

    /// Whether segment `i`, percent-decoded, is `literal` (a pattern's literal segment, ASCII):
    /// equal as Strings are, as `Router` compares them, so non-ASCII text that is canonically
    /// equivalent to the literal (the Kelvin sign and `K`) matches too.
    public func `is`(_ i: Int, _ literal: StaticString) -> Bool {
        let s = segment(i)
        let l = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        if !s.contains(where: { $0 == UInt8(ascii: "%") || $0 >= 0x80 }) { return s.count == l.count && s.elementsEqual(l) }
        return percentDecode(s, plusAsSpace: false) == String(decoding: l, as: UTF8.self)
    }

    /// Segment `i`, percent-decoded (a `{name}` parameter's value).
    public func string(_ i: Int) -> String {
        percentDecode(segment(i), plusAsSpace: false)
    }
}

/// The generated routes of a program.
public struct CompiledRoutes {
    /// One generated pass: the first route for `wanted` matching the path, or nil; sets
    /// `otherMethod` when a route of another method matches the path.
    public typealias Pass = (_ wanted: String, _ path: PathSegments, _ otherMethod: inout Bool) -> RouteMatch?

    /// (method, pattern) of every route, in registration order.
    public let table: [(method: String, pattern: String)]
    let pass: Pass

    public init(table: [(method: String, pattern: String)], pass: @escaping Pass) {
        self.table = table
        self.pass = pass
    }

    /// Whether the program registered exactly these routes (methods and patterns, in order).
    func describes(_ routes: [(method: String, pattern: String, handler: Value)]) -> Bool {
        routes.count == table.count && zip(routes, table).allSatisfy { $0.method == $1.method && $0.pattern == $1.pattern }
    }

    /// The route for `method` and `path` (without query), by `Router`'s rules.
    public func match(method: String, path: Substring) -> RouteMatch {
        var path = path
        return path.withUTF8 { bytes in
            let segments = PathSegments(bytes)
            var otherMethod = false
            if let m = pass(method, segments, &otherMethod) { return m }
            if method == "HEAD", let m = pass("GET", segments, &otherMethod) { return m }
            return otherMethod ? .methodNotAllowed : .notFound
        }
    }
}
